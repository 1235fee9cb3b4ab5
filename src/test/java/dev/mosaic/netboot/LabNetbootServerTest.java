package dev.mosaic.netboot;

import dev.mosaic.e2e.Cli;
import dev.mosaic.testing.labserver.LabServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * README's main job on a real server: playbooks/lab-netboot.yml applied over SSH to the lab
 * server (a Debian container with systemd, see {@link LabServer}) through the real command line,
 * with the inventory saying that dnsmasq runs there. Then a virtual machine whose tap is on the
 * lab server's bridge PXE-boots through the container's own dnsmasq — its DHCP and its TFTP, not
 * QEMU's built-in ones — and announces itself. A changed node list shows in the plan as the
 * ethers, hosts and dnsmasq diffs and a restart of dnsmasq; once applied, the node boots under its
 * new name and address, and one more apply changes nothing. Last, the same node boots over HTTP
 * (iPXE fetching script, kernel and initrd from busybox's web server, run as a service by the same
 * playbook), with and without IPv6 router advertisements, timed against TFTP.
 *
 * <p>The CLI runs in the lab server's network namespace, which has no way out: the Debian
 * packages the playbook unpacks are fetched beforehand, by applying the same playbook into a
 * sandbox root outside it with the same {@code --cache-dir}. The steps build on each other.
 */
@Tag("lab-server")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabNetbootServerTest {

    /** The node that boots: node1 of the playbook's list, by its MAC address. */
    static final String MAC = "52:54:00:00:00:01";
    static final String TAP = "tap0";
    static final Duration APPLY_TIMEOUT = Duration.ofMinutes(5);

    /** What the inventory sets for a live server; the playbook's defaults suit a sandbox root. */
    static final String LIVE_VARS = """
                vars:
                  dnsmasq_enabled: true
                  dnsmasq_state: running
            """;

    /** The changed node list: node1 renamed and moved, a third node added. */
    static final String CHANGED_NODES = """
                  nodes:
                    - { name: compute1, mac: "52:54:00:00:00:01", ip: 10.0.2.31 }
                    - { name: node2, mac: "52:54:00:00:00:02", ip: 10.0.2.22 }
                    - { name: node3, mac: "52:54:00:00:00:03", ip: 10.0.2.23 }
            """;

    /** What a live server booting over HTTP adds; {@code %s} is the IPv6 prefix for router advertisements, or empty. */
    static final String HTTP_VARS = """
                  http_enabled: true
                  http_state: running
                  ipxe_boot: "http://10.0.2.2/boot.ipxe"
                  ra_only: "%s"
            """;

    /** The container's IPv6 prefix: router advertisements need an address of it on host0. */
    static final String PREFIX6 = "fd00:0:0:2::";

    /**
     * Console lines a boot passes, in order: iPXE starts configuring its NIC, has configured it,
     * has loaded the kernel and the initrd (a slow download shows its progress between the dots
     * and "ok"), and the node's init is up.
     */
    static final List<Pattern> MILESTONES = Stream.of("Configuring \\(", "Next server:", "/initrd\\.img\\.\\.\\.[^\\n]*ok", "MOSAIC-NODE-UP")
            .map(Pattern::compile).toList();

    /** Of each timed boot, by how it booted, in the order they ran: when it passed each milestone, from power-on. */
    static final Map<String, List<Duration>> TIMES = new LinkedHashMap<>();

    @TempDir
    static Path tmp;

    static LabServer lab;
    static Path project;
    static Path inventory;
    static String baseInventory;
    static List<String> common;

    @BeforeAll
    static void boot_the_lab_server_and_fill_the_package_cache() throws Exception {
        Qemu.requireInstalled();
        project = Files.createDirectories(tmp.resolve("project"));
        Files.copy(Path.of("playbooks/lab-netboot.yml"), Files.createDirectories(project.resolve("playbooks")).resolve("lab-netboot.yml"));
        // The kernel ABI moves with Debian's security updates: ask apt which one is current.
        String kernel = Debs.kernelRelease(Debs.kernel());
        String cache = Debs.cacheDir().resolve("mosaic").toString();
        common = List.of("--cache-dir", cache, "--var", "kernel_version=" + kernel, "playbooks/lab-netboot.yml");

        // The namespace has no way out: apt-get download runs here, outside it, into the cache the
        // SSH applies then read (the same one the other netboot tests fill).
        Cli.Result sandbox = Cli.in(project).withTimeout(APPLY_TIMEOUT)
                .run(args("apply", "--root", tmp.resolve("sandbox").toString()));
        if (sandbox.exitCode() != 0) {
            fail("the packages could not be fetched into the cache:\n" + sandbox);
        }

        lab = LabServer.start(tmp);
        inventory = lab.inventory(project.resolve("inventory.yml"));
        baseInventory = Files.readString(inventory);
        writeInventory("");
        // QEMU's tap joins the lab server's bridge; it lives as long as the namespace does.
        check(lab.inNetns(List.of("sh", "-ec", "ip tuntap add dev " + TAP + " mode tap; ip link set " + TAP
                + " master " + lab.bridge() + " up")));
    }

    @AfterAll
    static void stop_the_lab_server() throws Exception {
        // Every QEMU is stopped by Qemu.bootOnTap itself, also when its boot fails or hangs.
        if (lab != null) {
            lab.close();
        }
    }

    private static void writeInventory(String moreVars) throws IOException {
        Files.writeString(inventory, baseInventory + LIVE_VARS + moreVars);
    }

    private static String[] args(String command, String... more) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(more));
        all.addAll(common);
        return all.toArray(String[]::new);
    }

    /**
     * {@code mosaic COMMAND ... -i INVENTORY playbooks/lab-netboot.yml}, in the lab server's
     * namespace. An SSH host's state lives on the control machine, by default under the user's
     * home and keyed by the host's name: this test's own state directory keeps it apart from every
     * other lab server named {@value LabServer#HOSTNAME}.
     */
    private static Cli.Result mosaic(String command) {
        Cli.Result r = Cli.in(project).launchedBy(lab.inNetns()).withTimeout(APPLY_TIMEOUT)
                .run(args(command, "-i", inventory.toString(), "--state-dir", tmp.resolve("state").toString()));
        assertThat(r.exitCode()).as("%s", r).isZero();
        return r;
    }

    private static void check(List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed: " + out);
        }
    }

    private static String systemctl(String... args) throws Exception {
        return lab.systemctl(args).stdout().strip();
    }

    private static String dnsmasqJournal() throws Exception {
        return lab.exec("journalctl", "--no-pager", "-o", "cat", "-u", "dnsmasq.service").stdout();
    }

    private static Qemu.Boot bootNode(String name) throws Exception {
        // The bootfile and address are dnsmasq's to give; they are named here for the record only.
        Qemu.Machine m = new Qemu.Machine(name, MAC, "pxelinux.0", "");
        Path dir = Files.createDirectories(tmp.resolve("qemu"));
        // The serial log has no timestamps: it is read every 50 ms while the machine runs, and
        // each milestone timed when it first shows.
        Path serial = dir.resolve(name + ".serial.log");
        Files.deleteIfExists(serial);
        Duration[] seen = new Duration[MILESTONES.size()];
        long start = System.nanoTime();
        Runnable look = () -> {
            try {
                String console = new Qemu.Boot(m, Files.exists(serial) ? Files.readString(serial, StandardCharsets.ISO_8859_1) : "", "", false, 0).console();
                for (int i = 0; i < seen.length; i++) {
                    if (seen[i] == null && MILESTONES.get(i).matcher(console).find()) {
                        seen[i] = Duration.ofNanos(System.nanoTime() - start);
                    }
                }
            } catch (IOException e) {
                // read again at the next tick
            }
        };
        ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor();
        try {
            watch.scheduleWithFixedDelay(look, 0, 50, TimeUnit.MILLISECONDS);
            return Qemu.bootOnTap(m, lab.inNetns(), TAP, dir, Qemu.BOOT_TIMEOUT);
        } finally {
            watch.shutdownNow();
            watch.awaitTermination(5, TimeUnit.SECONDS); // its last writes to seen are visible here
            look.run(); // what the machine printed after the last tick
            List<Duration> times = new ArrayList<>(Arrays.asList(seen));
            times.add(Duration.ofNanos(System.nanoTime() - start));
            TIMES.put(name, times);
        }
    }

    /** {@code to - from} in seconds, or "-" when a milestone was not seen. */
    private static String between(Duration from, Duration to) {
        if (from == null || to == null) {
            return "-";
        }
        return String.format("%.1f", to.minus(from).toMillis() / 1000.0);
    }

    private static String httpJournal() throws Exception {
        return lab.exec("journalctl", "--no-pager", "-o", "cat", "-u", "mosaic-netboot-http.service").stdout();
    }

    @Test
    @Order(1)
    void apply_overSsh_laysOutTheServer_andRunsDnsmasqAsAService() throws Exception {
        assertThat(systemctl("is-enabled", "dnsmasq.service")).as("the image's dnsmasq starts disabled").isEqualTo("disabled");

        Cli.Result plan = mosaic("plan");
        assertThat(plan.stdout()).contains("service[dnsmasq]", "~ enabled: false -> true", "~ state: stopped -> running");

        Cli.Result apply = mosaic("apply");
        assertThat(apply.stdout()).contains("Apply complete: 12 changed");
        assertThat(systemctl("is-active", "dnsmasq.service")).isEqualTo("active");
        assertThat(systemctl("is-enabled", "dnsmasq.service")).isEqualTo("enabled");
        assertThat(lab.root().resolve("srv/tftp/pxelinux.cfg/01-52-54-00-00-00-01")).content().contains("node=node1");
        assertThat(lab.root().resolve("etc/ethers")).hasContent("52:54:00:00:00:01 node1\n52:54:00:00:00:02 node2\n");

        assertThat(mosaic("apply").stdout()).contains("Apply complete: 0 changed, 0 refreshed, 12 unchanged");
    }

    @Test
    @Order(2)
    void aNodeOnTheBridge_pxeBootsThroughTheContainersDnsmasq() throws Exception {
        Qemu.Boot boot = bootNode("node1-before");

        assertThat(boot.markers()).as("%s", boot).containsExactly("MOSAIC-NODE-UP name=node1 mac=" + MAC);
        // Its reserved address, which only the container's dnsmasq knows of; the e1000's iPXE ROM
        // says it is iPXE (DHCP option 175), so dnsmasq hands it boot.ipxe rather than PXELINUX.
        assertThat(boot.console()).as("%s", boot).contains("net0: 10.0.2.21/", "Next server: " + LabServer.ADDRESS,
                "tftp://" + LabServer.ADDRESS + "/boot.ipxe... ok", "/ipxe/52-54-00-00-00-01.ipxe... ok");
        assertThat(dnsmasqJournal()).contains("DHCPACK(host0) 10.0.2.21 " + MAC + " node1",
                "sent /srv/tftp/boot.ipxe to 10.0.2.21", "sent /srv/tftp/vmlinuz to 10.0.2.21");
    }

    @Test
    @Order(3)
    void aChangedNodeList_isPlannedWithARestart_appliedAndBooted_thenNothingMoreChanges() throws Exception {
        long before = Long.parseLong(systemctl("show", "-p", "MainPID", "--value", "dnsmasq.service"));
        writeInventory(CHANGED_NODES);

        Cli.Result plan = mosaic("plan");
        assertThat(plan.stdout()).as("%s", plan).contains("~ template[ethers]", "+52:54:00:00:00:01 compute1",
                "~ template[hosts]", "+10.0.2.31 compute1", "~ dnsmasq[dhcp]", "+dhcp-host=52:54:00:00:00:01,10.0.2.31,compute1",
                "~ pxe[boot-entries]", "service[dnsmasq] will be refreshed (notified by dnsmasq[dhcp], template[ethers], template[hosts])",
                "1 to refresh");

        // The fifth change: tftp_tree's purge drops node1's old hex-IP file, which pxe no longer makes.
        Cli.Result apply = mosaic("apply");
        assertThat(apply.stdout()).as("%s", apply).contains("* service[dnsmasq]: refreshed",
                "Apply complete: 5 changed, 1 refreshed, 6 unchanged, 0 failed");
        long after = Long.parseLong(systemctl("show", "-p", "MainPID", "--value", "dnsmasq.service"));
        assertThat(after).as("restarted: a new dnsmasq read the new dhcp-host lines").isPositive().isNotEqualTo(before);

        Qemu.Boot boot = bootNode("tftp");
        assertThat(boot.markers()).as("%s", boot).containsExactly("MOSAIC-NODE-UP name=compute1 mac=" + MAC);
        assertThat(boot.console()).as("%s", boot).contains("net0: 10.0.2.31/");
        assertThat(dnsmasqJournal()).contains("DHCPACK(host0) 10.0.2.31 " + MAC + " compute1");

        assertThat(mosaic("apply").stdout()).contains("Apply complete: 0 changed, 0 refreshed, 12 unchanged");
    }

    @Test
    @Order(4)
    void overHttp_iPxeFetchesKernelAndInitrdFromTheWebServer_timedAgainstTftp() throws Exception {
        // Router advertisements need a link-local source address and an address in the advertised
        // prefix: the lab server has both on host0 (LabServer).
        LabServer.Result ip = lab.exec("ip", "-6", "addr", "show", "dev", "host0");
        assertThat(ip.stdout()).as("%s", ip).contains("inet6 fe80::").contains("inet6 " + PREFIX6 + "2/64");

        writeInventory(CHANGED_NODES + HTTP_VARS.formatted(""));
        Cli.Result apply = mosaic("apply");
        assertThat(apply.stdout()).as("%s", apply).contains("dnsmasq[dhcp]", "service[http]", "* service[dnsmasq]: refreshed",
                "Apply complete: 2 changed, 1 refreshed, 9 unchanged, 0 failed");
        assertThat(systemctl("is-active", "mosaic-netboot-http.service")).isEqualTo("active");

        Qemu.Boot http = bootNode("http");
        assertThat(http.markers()).as("%s", http).containsExactly("MOSAIC-NODE-UP name=compute1 mac=" + MAC);
        String url = "http://" + LabServer.ADDRESS;
        // iPXE prints the paths as the scripts name them; they resolve against boot.ipxe's URL.
        assertThat(http.console()).as("%s", http).contains("Filename: " + url + "/boot.ipxe", url + "/boot.ipxe... ok",
                "/ipxe/52-54-00-00-00-01.ipxe... ok", "/vmlinuz... ok", "/initrd.img... ok");
        // What proves the transport: the web server's own log of the node's requests.
        String log = httpJournal();
        assertThat(log).as("the web server's journal:\n%s", log).contains("10.0.2.31", "url:/ipxe/52-54-00-00-00-01.ipxe",
                "url:/vmlinuz", "url:/initrd.img");

        writeInventory(CHANGED_NODES + HTTP_VARS.formatted(PREFIX6));
        mosaic("apply");
        Qemu.Boot httpRa = bootNode("http, router advertisements");
        assertThat(httpRa.markers()).as("%s", httpRa).containsExactly("MOSAIC-NODE-UP name=compute1 mac=" + MAC);
        // An address from the advertised prefix, the server's link-local address as its router:
        // iPXE heard dnsmasq's router advertisement.
        assertThat(httpRa.console()).as("%s", httpRa).contains("Filename: " + url + "/boot.ipxe", "/vmlinuz... ok",
                "net0: fd00::2:5054:ff:fe00:1/64 gw fe80::");

        writeInventory(CHANGED_NODES + HTTP_VARS.formatted(PREFIX6).replace(url + "/boot.ipxe", "boot.ipxe"));
        mosaic("apply");
        Qemu.Boot tftpRa = bootNode("tftp, router advertisements");
        assertThat(tftpRa.markers()).as("%s", tftpRa).containsExactly("MOSAIC-NODE-UP name=compute1 mac=" + MAC);
        assertThat(tftpRa.console()).as("%s", tftpRa).contains("tftp://" + LabServer.ADDRESS + "/boot.ipxe... ok", "/64 gw fe80::");

        // Figures for bench/README.md, not assertions: TCG timings vary with the machine's load.
        System.out.println("netboot timings, QEMU/TCG, seconds (kernel " + Files.size(lab.root().resolve("srv/tftp/vmlinuz"))
                + " B, initrd " + Files.size(lab.root().resolve("srv/tftp/initrd.img")) + " B):");
        System.out.printf("  %-30s %9s %9s %9s %9s %9s %9s%n", "boot", "firmware", "network", "load", "linux", "node up", "total");
        TIMES.forEach((how, t) -> System.out.printf("  %-30s %9s %9s %9s %9s %9s %9s%n", how, between(Duration.ZERO, t.get(0)),
                between(t.get(0), t.get(1)), between(t.get(1), t.get(2)), between(t.get(2), t.get(3)), between(Duration.ZERO, t.get(3)), between(Duration.ZERO, t.get(4))));
        System.out.println("  firmware: power-on to iPXE configuring its NIC; network: that (DHCP, IPv6); load: boot.ipxe, the node's"
                + " script, kernel and initrd; linux: to the node's marker; node up: power-on to the marker; total: power-on to power-off");
    }
}
