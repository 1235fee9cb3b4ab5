package dev.mosaic.netboot;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mosaic.testing.TreeSnapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The netboot playbook, applied through the CLI into a sandbox root, builds a TFTP tree that
 * really boots: virtual machines PXE-boot from it in QEMU, each through the entry meant for it,
 * and the initrd prints which node it booted as and the MAC address it really has.
 *
 * <p>The boots start right after the apply, two at a time in the background; each test waits for
 * its own. A machine that gets no DHCP reservation is handed 10.0.2.100 (the range dnsmasq would
 * hand out), so that it does not land on node2's address and its hex-IP file.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class QemuPxeBootTest {

    static final String UNKNOWN_MAC = "52:54:00:00:00:99";
    static final String DYNAMIC_ADDRESS = "10.0.2.100";
    static final String NODE2_ADDRESS = "10.0.2.15";

    @TempDir
    static Path dir;

    static NetbootSandbox sandbox;
    static MosaicCli.Result firstApply;
    static ExecutorService machines;
    static Future<Qemu.Boot> unknownThroughPxelinux;
    static Future<Qemu.Boot> node1ThroughPxelinux;
    static Future<Qemu.Boot> node2ThroughIpxe;
    static Future<Qemu.Boot> unknownThroughIpxe;
    static Future<Qemu.Boot> node2AddressThroughPxelinux;
    static Future<Qemu.Boot> truncatedKernel;

    @BeforeAll
    static void apply_the_playbook_and_start_booting() throws Exception {
        Qemu.requireInstalled();
        sandbox = NetbootSandbox.create(dir);
        firstApply = sandbox.mosaic("apply");
        if (firstApply.exitCode() != 0) {
            fail("the first apply failed, nothing to boot:\n" + firstApply);
        }
        Path broken = brokenCopyOfTheTree();
        machines = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "qemu-boot");
            t.setDaemon(true);
            return t;
        });
        Path tftp = sandbox.tftp();
        // The one that may run until its timeout goes first, next to the others.
        truncatedKernel = boot(new Qemu.Machine("truncated-kernel", "52:54:00:00:00:01", "pxelinux.0", DYNAMIC_ADDRESS), broken);
        node1ThroughPxelinux = boot(new Qemu.Machine("node1-pxelinux", "52:54:00:00:00:01", "pxelinux.0", DYNAMIC_ADDRESS), tftp);
        unknownThroughPxelinux = boot(new Qemu.Machine("unknown-pxelinux", UNKNOWN_MAC, "pxelinux.0", DYNAMIC_ADDRESS), tftp);
        node2ThroughIpxe = boot(new Qemu.Machine("node2-ipxe", "52:54:00:00:00:02", "boot.ipxe", NODE2_ADDRESS), tftp);
        unknownThroughIpxe = boot(new Qemu.Machine("unknown-ipxe", UNKNOWN_MAC, "boot.ipxe", DYNAMIC_ADDRESS), tftp);
        node2AddressThroughPxelinux = boot(new Qemu.Machine("node2-address-pxelinux", "52:54:00:00:00:22", "pxelinux.0", NODE2_ADDRESS), tftp);
    }

    /** The applied tree, copied, with the kernel cut to half its size: what a failed copy leaves. */
    private static Path brokenCopyOfTheTree() throws IOException {
        Path copy = dir.resolve("broken/tftp");
        try (Stream<Path> s = Files.walk(sandbox.tftp())) {
            for (Path p : s.toList()) {
                Path to = copy.resolve(sandbox.tftp().relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        Path kernel = copy.resolve("vmlinuz");
        try (FileChannel c = FileChannel.open(kernel, StandardOpenOption.WRITE)) {
            c.truncate(c.size() / 2);
        }
        return copy;
    }

    private static Future<Qemu.Boot> boot(Qemu.Machine m, Path tftpRoot) {
        return machines.submit(() -> Qemu.boot(m, tftpRoot, dir, Qemu.BOOT_TIMEOUT));
    }

    @AfterAll
    static void stop_every_machine() throws InterruptedException {
        if (machines != null) {
            machines.shutdownNow(); // interrupts the waits; each boot kills its own QEMU
            machines.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    private static Qemu.Boot await(Future<Qemu.Boot> boot) throws InterruptedException, ExecutionException {
        return boot.get();
    }

    @Test
    void the_first_apply_builds_the_whole_tftp_tree() throws IOException {
        assertThat(firstApply.stdout()).as("%s", firstApply)
                .contains("Apply complete: 3 changed, 0 refreshed, 0 unchanged, 0 failed, 0 skipped.");
        try (Stream<Path> s = Files.walk(sandbox.tftp())) {
            assertThat(s.filter(Files::isRegularFile).map(p -> sandbox.tftp().relativize(p).toString()))
                    .containsExactlyInAnyOrder(
                            "pxelinux.0", "ldlinux.c32", "vmlinuz", "initrd.img",
                            "pxelinux.cfg/default", "pxelinux.cfg/01-52-54-00-00-00-01",
                            "pxelinux.cfg/01-52-54-00-00-00-02", "pxelinux.cfg/0A00020F",
                            "boot.ipxe", "ipxe/default.ipxe", "ipxe/52-54-00-00-00-01.ipxe",
                            "ipxe/52-54-00-00-00-02.ipxe", "grub/grub.cfg");
        }
        assertThat(sandbox.tftp().resolve("vmlinuz"))
                .hasSameBinaryContentAs(sandbox.root().resolve("boot/vmlinuz-" + sandbox.kernelRelease()));
    }

    @Test
    void a_machine_with_an_unknown_mac_boots_the_default_pxelinux_entry() throws Exception {
        Qemu.Boot boot = await(unknownThroughPxelinux);
        assertThat(boot.markers()).as("%s", boot).containsExactly("MOSAIC-NODE-UP name=default mac=" + UNKNOWN_MAC);
        assertThat(boot.console()).as("%s", boot).contains("net0: " + DYNAMIC_ADDRESS + "/", "PXELINUX");
    }

    @Test
    void node1_boots_its_own_pxelinux_entry_found_by_its_mac() throws Exception {
        Qemu.Boot boot = await(node1ThroughPxelinux);
        assertThat(boot.markers()).as("%s", boot).containsExactly("MOSAIC-NODE-UP name=node1 mac=52:54:00:00:00:01");
        assertThat(boot.console()).as("%s", boot).contains("net0: " + DYNAMIC_ADDRESS + "/", "PXELINUX");
    }

    @Test
    void node2_boots_its_own_ipxe_script_chained_from_boot_ipxe_by_its_mac() throws Exception {
        Qemu.Boot boot = await(node2ThroughIpxe);
        assertThat(boot.markers()).as("%s", boot).containsExactly("MOSAIC-NODE-UP name=node2 mac=52:54:00:00:00:02");
        assertThat(boot.console()).as("%s", boot)
                .contains("boot.ipxe : ", "/ipxe/52-54-00-00-00-02.ipxe... ok").doesNotContain("PXELINUX");
    }

    @Test
    void a_machine_with_an_unknown_mac_falls_back_from_boot_ipxe_to_the_default_ipxe_script() throws Exception {
        Qemu.Boot boot = await(unknownThroughIpxe);
        assertThat(boot.markers()).as("%s", boot).containsExactly("MOSAIC-NODE-UP name=default mac=" + UNKNOWN_MAC);
        assertThat(boot.console()).as("%s", boot)
                .contains("/ipxe/52-54-00-00-00-99.ipxe... No such file", "/ipxe/default.ipxe... ok")
                .doesNotContain("PXELINUX");
    }

    @Test
    void a_machine_on_node2s_address_with_an_unknown_mac_boots_node2s_entry_found_by_the_hex_ip_file() throws Exception {
        Qemu.Boot boot = await(node2AddressThroughPxelinux);
        assertThat(boot.markers()).as("%s", boot).containsExactly("MOSAIC-NODE-UP name=node2 mac=52:54:00:00:00:22");
        assertThat(boot.console()).as("%s", boot).contains("net0: " + NODE2_ADDRESS + "/", "PXELINUX");
    }

    @Test
    void a_truncated_kernel_never_prints_the_marker_so_the_harness_can_fail() throws Exception {
        Qemu.Boot boot = await(truncatedKernel);
        assertThat(boot.console()).as("the machine got as far as the loader: %s", boot).contains("PXELINUX");
        assertThat(boot.markers()).as("%s", boot).isEmpty();
    }

    @Test
    void a_second_apply_changes_nothing() throws IOException {
        List<String> before = TreeSnapshot.of(sandbox.tftp());

        MosaicCli.Result again = sandbox.mosaic("apply", "--json");

        assertThat(again.exitCode()).as("%s", again).isZero();
        JsonNode json = again.json();
        assertThat(json.path("outcomes")).as("%s", again).isEmpty();
        assertThat(json.path("summary").path("changed").asInt(-1)).as("%s", again).isZero();
        assertThat(json.path("summary").path("ok").asInt(-1)).as("%s", again).isEqualTo(3);
        assertThat(TreeSnapshot.of(sandbox.tftp())).as("the tree, mtimes included").isEqualTo(before);
        MosaicCli.Result plan = sandbox.mosaic("plan", "--detailed-exitcode");
        assertThat(plan.exitCode()).as("%s", plan).isZero();
    }
}
