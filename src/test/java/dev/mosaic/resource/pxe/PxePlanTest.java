package dev.mosaic.resource.pxe;

import dev.mosaic.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class PxePlanTest {

    @TempDir
    Path tmp;

    private record Run(int code, String out) {
    }

    private Run mosaic(String command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.run(new String[] {command, "--root", tmp.resolve("root").toString(), tmp.resolve("site.yml").toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        return new Run(code, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void classicStyle_writesTheOpenMosixRecipesEntry_exactly() throws IOException {
        Files.createDirectories(tmp.resolve("root/tftpboot"));
        Files.writeString(tmp.resolve("root/tftpboot/bzImage-2.4.22-openmosix-2"), "kernel");
        Files.writeString(tmp.resolve("root/tftpboot/initrd-2.4.22-openmosix-2.gz"), "initrd");
        Files.writeString(tmp.resolve("site.yml"), """
                resources:
                  pxe:
                    type: pxe
                    root: /tftpboot
                    style: classic
                    menu: { prompt: 0 }
                    labels:
                      - name: linux
                        kernel: bzImage-2.4.22-openmosix-2
                        initrd: initrd-2.4.22-openmosix-2.gz
                        append: init=/linuxrc rw root=/dev/ram0
                """);

        assertThat(mosaic("apply").code()).isZero();

        assertThat(Files.readString(tmp.resolve("root/tftpboot/pxelinux.cfg/default"))).isEqualTo("""
                prompt=0
                label linux
                kernel bzImage-2.4.22-openmosix-2
                append init=/linuxrc rw root=/dev/ram0 initrd=initrd-2.4.22-openmosix-2.gz
                """);
    }

    @Test
    void aKernelNoResourceProduces_failsThePlanOnAnEmptyRoot_evenBehindAChangingTftpTree() throws IOException {
        Files.writeString(tmp.resolve("loader.bin"), "pxelinux");
        Files.writeString(tmp.resolve("site.yml"), """
                resources:
                  tftp:
                    type: tftp_tree
                    root: /srv/tftp
                    files:
                      pxelinux.0: loader.bin
                  pxe:
                    type: pxe
                    root: /srv/tftp
                    labels:
                      - { name: linux, kernel: vmlinuz-missing }
                """);

        Run plan = mosaic("plan");

        assertThat(plan.code()).isEqualTo(1);
        assertThat(plan.out()).contains("# pxe[pxe] cannot be planned",
                "label 'linux' (", "names vmlinuz-missing, which is not in /srv/tftp and which no resource of the playbook produces");
        Run apply = mosaic("apply");
        assertThat(apply.code()).isEqualTo(1);
    }

    @Test
    void aKernelTheTftpTreeWillCopy_isDeferredOnAnEmptyRoot_notAnError() throws IOException {
        Files.writeString(tmp.resolve("kernel.bin"), "kernel");
        Files.writeString(tmp.resolve("site.yml"), """
                resources:
                  tftp:
                    type: tftp_tree
                    root: /srv/tftp
                    files:
                      vmlinuz: kernel.bin
                  pxe:
                    type: pxe
                    root: /srv/tftp
                    labels:
                      - { name: linux, kernel: vmlinuz }
                """);

        Run plan = mosaic("plan");

        assertThat(plan.code()).isZero();
        assertThat(plan.out()).contains("# pxe[pxe] will be evaluated after tftp_tree[tftp] change");
        assertThat(mosaic("apply").code()).isZero();
        assertThat(tmp.resolve("root/srv/tftp/pxelinux.cfg/default")).exists();
    }
}
