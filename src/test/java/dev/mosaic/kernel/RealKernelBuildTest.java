package dev.mosaic.kernel;

import dev.mosaic.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kernel chain on a real kernel, through the CLI: playbooks/lab-kernel.yml takes Debian's
 * linux-source-6.1 (apt-get download, its tarball unpacked), patches init/main.c, configures
 * tinyconfig plus a netboot node's options, compiles bzImage with two jobs and copies it into the
 * TFTP tree. A cold build takes minutes; the second apply must not call make at all.
 *
 * <p>Needs apt's package lists, GNU make, gcc, bc, bison, flex and libelf-dev (bin/test installs
 * them). The .deb is cached below the build directory, so a rerun does not download it again.
 */
class RealKernelBuildTest {

    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n-- stdout:\n" + out + "\n-- stderr:\n" + err;
        }
    }

    private Run mosaic(String command, String... extra) {
        List<String> args = new ArrayList<>(List.of(command, "--root", tmp.resolve("root").toString(),
                "--cache-dir", cacheDir().toString()));
        args.addAll(List.of(extra));
        args.add(Path.of("playbooks/lab-kernel.yml").toAbsolutePath().toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Path cacheDir() {
        return Path.of(System.getProperty("mosaic.testCache", "target/test-cache")).toAbsolutePath().resolve("mosaic");
    }

    private Path at(String target) {
        return tmp.resolve("root").resolve(target.substring(1));
    }

    @Test
    @Timeout(value = 45, unit = TimeUnit.MINUTES)
    void debianKernelSource_isPatchedConfiguredAndBuilt_andTheSecondApplyRunsNoMake() throws IOException {
        Run first = mosaic("apply");

        assertThat(first.code()).as("%s", first).isZero();
        assertThat(first.out()).contains("package[source-package]: created", "archive[source-tree]: created",
                "patch[boot-message]: updated", "kernel_config[options]: created", "build[bzImage]: created",
                "file[tftp-kernel]: created");
        String src = "/usr/src/linux-source-6.1";
        assertThat(Files.readString(at(src + "/init/main.c"))).contains("Mosaic lab kernel: patched, configured and built by Mosaic");
        assertThat(Files.readString(at(src + "/.config"))).contains("CONFIG_E1000=y", "CONFIG_SERIAL_8250_CONSOLE=y",
                "CONFIG_BLK_DEV_INITRD=y");
        byte[] image = Files.readAllBytes(at("/srv/tftp/bzImage-lab"));
        assertThat(image.length).isGreaterThan(200_000);
        assertThat(new String(image, 0x202, 4, StandardCharsets.ISO_8859_1)).as("the bzImage boot header").isEqualTo("HdrS");
        assertThat(Files.readAllBytes(at(src + "/arch/x86/boot/bzImage"))).isEqualTo(image);
        assertThat(new String(Files.readAllBytes(at(src + "/vmlinux")), StandardCharsets.ISO_8859_1))
                .as("the patched message is compiled in").contains("Mosaic lab kernel: patched, configured and built by Mosaic");

        Path log = at("/var/lib/mosaic/logs/build.bzImage.log");
        FileTime logTime = Files.getLastModifiedTime(log);
        FileTime imageTime = Files.getLastModifiedTime(at(src + "/arch/x86/boot/bzImage"));

        Run second = mosaic("apply");

        assertThat(second.code()).as("%s", second).isZero();
        assertThat(second.out()).contains("Apply complete: 0 changed, 0 refreshed, 6 unchanged, 0 failed, 0 skipped.");
        assertThat(Files.getLastModifiedTime(log)).as("no command ran, so the build log was not rewritten").isEqualTo(logTime);
        assertThat(Files.getLastModifiedTime(at(src + "/arch/x86/boot/bzImage"))).isEqualTo(imageTime);

        Run plan = mosaic("plan", "--var", "e1000=n");

        assertThat(plan.code()).as("%s", plan).isZero();
        assertThat(plan.out()).contains("# kernel_config[options] will be updated in place (config changed)",
                "~ CONFIG_E1000: y -> n",
                "# build[bzImage] will be updated in place (input changed: kernel_config[options])",
                "# file[tftp-kernel] will be updated in place (input changed: kernel_config[options])");
    }
}
