package dev.mosaic.netboot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's main job, for real: playbooks/lab-netboot.yml as shipped (its kernel the one
 * linux-image-amd64 stands for in apt's lists, recorded in mosaic.lock) applied into a sandbox root
 * (every part taken out of Debian packages with apt-get download, nothing installed), then a node
 * PXE-boots from the tree in QEMU and announces itself; the second run changes nothing.
 */
class LabNetbootPlaybookTest {

    @TempDir
    Path tmp;

    @Test
    void theMainJob_layoutIsBootedByANode_andASecondRunChangesNothing() throws Exception {
        Qemu.requireInstalled();
        Path playbook = Files.createDirectories(tmp.resolve("playbooks")).resolve("lab-netboot.yml");
        Files.copy(Path.of("playbooks/lab-netboot.yml"), playbook);
        Path root = tmp.resolve("root");
        // The playbook as shipped, no --var: its ${kernel:linux-image-amd64} follows Debian's
        // point releases. The test asks apt on its own which kernel that is, to check the result.
        String kernel = Debs.kernelRelease(Debs.kernel());
        String[] common = {"--root", root.toString(), "--cache-dir", Debs.cacheDir().resolve("mosaic").toString(),
                playbook.toString()};

        MosaicCli.Result plan = MosaicCli.run(concat("plan", common));

        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stdout()).startsWith("kernel: " + kernel + " (linux-image-amd64 today; apply records it in mosaic.lock)\n")
                .contains("path: /boot/vmlinuz-" + kernel);

        MosaicCli.Result first = MosaicCli.run(concat("apply", common));

        assertThat(first.exitCode()).as("%s", first).isZero();
        assertThat(first.stdout()).contains("Apply complete: 11 changed, 1 refreshed");
        assertThat(playbook.resolveSibling("mosaic.lock")).content().contains("\"linux-image-amd64\" : \"" + kernel + "\"");
        assertThat(root.resolve("srv/tftp/vmlinuz")).hasSameBinaryContentAs(root.resolve("boot/vmlinuz-" + kernel));
        Path tftp = root.resolve("srv/tftp");
        assertThat(tftp.resolve("pxelinux.cfg/01-52-54-00-00-00-01")).exists();
        assertThat(root.resolve("etc/dnsmasq.d/mosaic-netboot.conf")).content().contains("dhcp-host=52:54:00:00:00:01,10.0.2.21,node1");
        assertThat(root.resolve("etc/ethers")).hasContent("52:54:00:00:00:01 node1\n52:54:00:00:00:02 node2\n");
        assertThat(root.resolve("etc/hosts")).content().contains("10.0.2.21 node1\n10.0.2.22 node2\n");

        Qemu.Boot boot = Qemu.boot(new Qemu.Machine("lab-node1", "52:54:00:00:00:01", "pxelinux.0", "10.0.2.21"),
                tftp, Files.createDirectories(tmp.resolve("qemu")), Qemu.BOOT_TIMEOUT);

        assertThat(boot.markers()).as("%s", boot).contains("MOSAIC-NODE-UP name=node1 mac=52:54:00:00:00:01");

        MosaicCli.Result second = MosaicCli.run(concat("apply", common));

        assertThat(second.exitCode()).as("%s", second).isZero();
        assertThat(second.stdout()).contains("Apply complete: 0 changed, 0 refreshed, 12 unchanged");
    }

    private static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

}
