package dev.mosaic.labcluster;

import dev.mosaic.e2e.Cli;
import dev.mosaic.testing.labserver.LabNode;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue #16 end to end: playbooks/lab-cluster.yml applied over SSH to the lab server (a Debian
 * container with systemd, see {@link LabServer}) through the real command line; then virtual
 * machines on the lab server's bridge PXE-boot from it and join the Slurm cluster as they come,
 * with nothing on the server naming them. Last, the nodes' root becomes a squashfs (one variable)
 * and a node mounts it and joins; a root whose sha256 is not the server's is refused. Times and the
 * nodes' memory are printed (power-on to idle per node, the image built cold and cached, the
 * whole test), never asserted.
 *
 * <p>The CLI runs in the lab server's namespace, which has no way out: what the playbook takes
 * from Debian's archive is fetched and built beforehand, by applying the node module the playbook
 * calls into a sandbox root outside the namespace with the same {@code --cache-dir}. The steps
 * build on each other.
 */
@Tag("lab-server")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabClusterTest {

    static final Duration APPLY_TIMEOUT = Duration.ofMinutes(6);
    /** TCG on shared cores: a boot to idle takes 20 to 60 seconds; this long means it hangs. */
    static final Duration JOIN_TIMEOUT = Duration.ofMinutes(4);
    static final Pattern UP = Pattern.compile("mosaic-node: up name=(\\S+) mac=(\\S+) address=(\\S+)");
    /** The node image's packages, as the playbook declares them; then one more. */
    static final String BASE_PACKAGES = "[slurmd, munge, busybox]";
    static final String MORE_PACKAGES = "[slurmd, munge, busybox, numactl]";

    @TempDir
    static Path tmp;

    static long testStart;
    static LabServer lab;
    static Path project;
    static Path inventory;
    static List<String> common;
    static String mungeKey;
    static final List<LabNode> nodes = new ArrayList<>();
    static final Map<String, String> measured = new LinkedHashMap<>();
    /** Whether the server was converged: the boots after it make no sense otherwise. */
    static boolean applied;

    @BeforeAll
    static void build_the_node_image_and_boot_the_lab_server() throws Exception {
        testStart = System.nanoTime();
        project = Files.createDirectories(tmp.resolve("project"));
        copyTree(Path.of("playbooks/lab-cluster.yml"), project.resolve("playbooks/lab-cluster.yml"));
        copyTree(Path.of("playbooks/templates/slurm.conf.j2"), project.resolve("playbooks/templates/slurm.conf.j2"));
        copyTree(Path.of("modules/slurm-node"), project.resolve("modules/slurm-node"));
        // The cluster's munge key, made as README says an admin makes it.
        Path key = Files.createDirectories(project.resolve("playbooks/secrets")).resolve("munge.key");
        mungeKey = java.util.Base64.getEncoder().encodeToString(new java.security.SecureRandom().generateSeed(48));
        Files.writeString(key, mungeKey);

        String kernel = kernelRelease();
        Path cache = Path.of("target", "test-cache", "debs", "mosaic").toAbsolutePath();
        common = List.of("--cache-dir", cache.toString(), "--var", "kernel_version=" + kernel);

        // Built once, on this machine, where Debian's archive is reachable: the node module alone,
        // with the params the playbook gives it, into a sandbox root. The server gets the image
        // from the cache, as a second server would.
        long t = System.nanoTime();
        Cli.Result cold = buildNodeModule("sandbox", BASE_PACKAGES, "cpio");
        measure("sandbox apply of the node module (downloads what the cache lacks)", t);
        measureStep("node image in the sandbox", cold, "module.node.node_image[image]");

        lab = LabServer.start(tmp);
        System.out.println("lab server: " + lab.timings());
        inventory = lab.inventory(project.resolve("inventory.yml"));
    }

    /**
     * Applies the playbook's node module alone, with {@code packages} as the image's packages and
     * {@code format} as its root's, into a sandbox root {@code tmp/ROOT}, outside the lab server's
     * namespace: it fills the cache the applies over SSH read.
     */
    private static Cli.Result buildNodeModule(String root, String packages, String format) throws IOException {
        Files.writeString(project.resolve("playbooks/node-only.yml"), """
                name: node-only
                vars: { kernel_version: "", node_packages: %s, node_root: %s }
                modules:
                  node:
                    source: slurm-node
                    with: { tftp_root: /srv/tftp, kernel_version: "${kernel_version}", packages: "${node_packages}", root: "${node_root}" }
                resources: {}
                """.formatted(packages, format));
        Cli.Result r = Cli.in(project).withTimeout(APPLY_TIMEOUT)
                .run(with("apply", "--root", tmp.resolve(root).toString(), "playbooks/node-only.yml"));
        if (r.exitCode() != 0) {
            fail("the node's files could not be fetched and built into the cache:\n" + r);
        }
        return r;
    }

    @AfterAll
    static void stop_every_node_and_the_lab_server() throws Exception {
        try {
            for (LabNode n : nodes) {
                n.close();
            }
        } finally {
            if (lab != null) {
                lab.close();
            }
            measure("whole test", testStart);
            System.out.println("-- measured (not asserted):");
            measured.forEach((what, ms) -> System.out.println("  " + what + ": " + ms));
        }
    }

    private static void measure(String what, long since) {
        measured.put(what, (System.nanoTime() - since) / 1_000_000 + " ms");
    }

    /**
     * Records how long {@code resource} took, as the apply printed it ("... [image, build,
     * packages] in 6727 ms"); a node image whose changes name {@code build} was copied from the
     * cache (an earlier run may have built the same image), else it was built.
     */
    private static void measureStep(String what, Cli.Result apply, String resource) {
        Matcher m = Pattern.compile(Pattern.quote(resource) + ":.*\\[([^]]*)] in (\\d+) ms").matcher(apply.stdout());
        measured.put(what, !m.find() ? "(not in the output)"
                : m.group(2) + " ms" + (m.group(1).contains("build") ? " (copied from the cache)" : " (built)"));
    }

    private static String[] with(String command, String... more) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(common);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** {@code mosaic COMMAND -i INVENTORY playbooks/lab-cluster.yml} in the lab server's namespace. */
    private static Cli.Result mosaic(String command) {
        Cli.Result r = Cli.in(project).launchedBy(lab.inNetns()).withTimeout(APPLY_TIMEOUT)
                .run(with(command, "-i", inventory.toString(), "--state-dir", tmp.resolve("state").toString(),
                        "playbooks/lab-cluster.yml"));
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdout() + r.stderr()).as("the munge key is never printed").doesNotContain(mungeKey);
        return r;
    }

    private static String inContainer(String... argv) throws Exception {
        LabServer.Result r = lab.exec(argv);
        assertThat(r.exitCode()).as("%s", r).isZero();
        return r.stdout();
    }

    /** The nodes sinfo lists, as name to state ({@code idle}, {@code alloc}, ...). */
    private static Map<String, String> sinfo() throws Exception {
        Map<String, String> states = new LinkedHashMap<>();
        for (String line : lab.exec("sinfo", "-h", "-N", "-o", "%N %t").stdout().lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2) {
                states.put(f[0], f[1]);
            }
        }
        return states;
    }

    /** Boots a node and waits until sinfo lists it idle; returns its name, as it named itself. */
    private static String joins(LabNode node) throws Exception {
        Matcher up = node.awaitConsole(UP, JOIN_TIMEOUT);
        String name = up.group(1);
        long end = System.nanoTime() + JOIN_TIMEOUT.toNanos();
        while (!"idle".equals(sinfo().get(name))) {
            if (System.nanoTime() > end || !node.isRunning()) {
                fail(name + " is not idle in sinfo: " + sinfo() + "\n" + slurmctldLog() + "\n" + node);
            }
            Thread.sleep(250);
        }
        measure("power-on to idle, " + name, node.poweredOnAt());
        return name;
    }

    private static String slurmctldLog() throws Exception {
        return "-- slurmctld.log:\n" + lab.exec("tail", "-n", "40", "/var/log/slurm/slurmctld.log").stdout();
    }

    private static LabNode powerOn(String name, String mac) throws Exception {
        LabNode n = LabNode.boot(lab, name, mac, tmp.resolve("nodes"));
        nodes.add(n);
        return n;
    }

    @Test
    @Order(1)
    void apply_overSsh_runsTheController_andAgainChangesNothing() throws Exception {
        long t = System.nanoTime();
        Cli.Result apply = mosaic("apply");
        measure("first apply over SSH", t);
        measureStep("node image on the server", apply, "module.node.node_image[image]");
        System.out.println(apply.stdout());
        assertThat(apply.stdout()).as("%s", apply).contains("module.node.node_image[image]: created",
                "module.node.node_image[boot]: created");
        assertThat(apply.stdout()).as("%s", apply).contains("0 failed").doesNotContain("(sensitive)", "munge.key content");
        assertThat(lab.systemctl("is-active", "munge", "slurmctld", "dnsmasq").stdout().lines()).containsOnly("active");
        assertThat(inContainer("cat", "/etc/slurm/slurm.conf")).contains("SlurmctldHost=labserver(10.0.2.2)",
                "SlurmctldParameters=enable_configless").doesNotContain("NodeName=");

        t = System.nanoTime();
        Cli.Result again = mosaic("apply");
        measure("second apply over SSH (nothing to do)", t);
        assertThat(again.stdout()).as("%s", again).contains("Apply complete: 0 changed");
        applied = true;
    }

    @Test
    @Order(2)
    void twoNodes_bootFromTheNetwork_becomeIdle_andRunAJobTogether() throws Exception {
        assumeTrue(applied, "the server was not converged");
        LabNode first = powerOn("n1", "52:54:00:00:00:01");
        LabNode second = powerOn("n2", "52:54:00:00:00:02");
        String a = joins(first);
        String b = joins(second);
        assertThat(List.of(a, b)).containsExactly("node-000001", "node-000002");

        long t = System.nanoTime();
        LabServer.Result srun = lab.exec(Duration.ofMinutes(2), "srun", "-N2", "hostname");
        measure("srun -N2 hostname", t);
        assertThat(srun.exitCode()).as("%s", srun).isZero();
        assertThat(srun.stdout().lines().sorted().toList()).containsExactly(a, b);
    }

    @Test
    @Order(3)
    void aThirdNode_joinsByBooting_withNothingToChangeOnTheServer() throws Exception {
        assumeTrue(applied, "the server was not converged");
        assertThat(mosaic("plan").stdout()).contains("Plan: 0 to create, 0 to update, 0 to replace, 0 to delete, 0 to refresh");
        String c = joins(powerOn("n3", "52:54:00:00:00:03"));
        assertThat(c).isEqualTo("node-000003");
        assertThat(sinfo()).containsOnlyKeys("node-000001", "node-000002", "node-000003");
        assertThat(mosaic("plan").stdout()).contains("Plan: 0 to create, 0 to update, 0 to replace, 0 to delete, 0 to refresh");
    }

    @Test
    @Order(4)
    void aPackageAddedToTheNodeImage_isPlanned_builtOnce_andRunByTheNextNodeThatBoots() throws Exception {
        assumeTrue(applied, "the server was not converged");
        // The nodes that are not needed any more leave the two cores to the next one.
        for (LabNode n : nodes.subList(1, nodes.size())) {
            n.close();
        }
        Cli.Result rebuilt = buildNodeModule("sandbox", MORE_PACKAGES, "cpio");
        measureStep("node image in the sandbox after a package change", rebuilt, "module.node.node_image[image]");
        Files.writeString(inventory, Files.readString(inventory) + "    vars:\n      node_packages: " + MORE_PACKAGES + "\n");

        Cli.Result plan = mosaic("plan");
        System.out.println(plan.stdout());
        assertThat(plan.stdout()).as("%s", plan).contains("~ module.node.node_image[image]", "+ package numactl",
                "build: copied from the control machine's cache");
        Cli.Result apply = mosaic("apply");
        System.out.println(apply.stdout());
        assertThat(apply.stdout()).as("%s", apply).contains("~ module.node.node_image[image]: updated", " 0 failed");
        assertThat(mosaic("apply").stdout()).contains("Apply complete: 0 changed");

        String d = joins(powerOn("n4", "52:54:00:00:00:04"));
        assertThat(d).isEqualTo("node-000004");
        LabServer.Result numactl = lab.exec(Duration.ofMinutes(2), "srun", "-w", d, "numactl", "--show");
        assertThat(numactl.exitCode()).as("%s", numactl).isZero();
        assertThat(numactl.stdout()).contains("policy: default");
        LabServer.Result before = lab.exec(Duration.ofMinutes(2), "srun", "-w", "node-000001", "ls", "/usr/bin/numactl");
        assertThat(before.exitCode()).as("node-000001 booted the image without numactl: %s", before).isNotZero();
    }

    @Test
    @Order(5)
    void theRootAsASquashfs_isOneVariable_andANodeMountsIt_andJoins() throws Exception {
        assumeTrue(applied, "the server was not converged");
        measured.put("memory in use on node-000001 (cpio root)", memoryInUse("node-000001"));
        for (LabNode n : nodes) {
            if (n.isRunning()) {
                n.close();
            }
        }
        Cli.Result built = buildNodeModule("sandbox", MORE_PACKAGES, "squashfs");
        measureStep("squashfs node image in the sandbox", built, "module.node.node_image[image]");
        String vars = Files.readString(inventory);
        Files.writeString(inventory, vars + (vars.contains("    vars:\n") ? "" : "    vars:\n") + "      node_root: squashfs\n");

        // The image and the boot entry that names it change; the boot initramfs and the rest stay.
        Cli.Result plan = mosaic("plan");
        System.out.println(plan.stdout());
        assertThat(plan.stdout()).as("%s", plan).contains("module.node.node_image[image]", "pxe[boot-entries]")
                .doesNotContain("node_image[boot]", "initrd[overlay]", "service[http]", "dnsmasq[dhcp]");
        Cli.Result apply = mosaic("apply");
        System.out.println(apply.stdout());
        assertThat(apply.stdout()).as("%s", apply).contains(" 0 failed");
        assertThat(mosaic("apply").stdout()).contains("Apply complete: 0 changed");
        String sizes = inContainer("ls", "-l", "/srv/tftp/");
        System.out.println(sizes);

        LabNode node = powerOn("n5", "52:54:00:00:00:05");
        String e = joins(node);
        assertThat(e).isEqualTo("node-000005");
        String served = inContainer("sha256sum", "/srv/tftp/node.squashfs").split(" ")[0];
        assertThat(node.console()).contains("mosaic-node: root squashfs sha256=" + served);
        LabServer.Result srun = lab.exec(Duration.ofMinutes(2), "srun", "-N1", "-w", e, "hostname");
        assertThat(srun.exitCode()).as("%s", srun).isZero();
        assertThat(srun.stdout().strip()).isEqualTo(e);
        // The root is the squashfs under a RAM overlay, and it is the image with numactl.
        LabServer.Result mounts = lab.exec(Duration.ofMinutes(2), "srun", "-w", e, "cat", "/proc/mounts");
        assertThat(mounts.stdout()).as("%s", mounts).contains("root / overlay", "/run/mosaic/lower squashfs ro");
        assertThat(lab.exec(Duration.ofMinutes(2), "srun", "-w", e, "numactl", "--show").exitCode()).isZero();
        measured.put("memory in use on " + e + " (squashfs root)", memoryInUse(e));
    }

    /** What {@code free} says a node uses, in KiB (user memory, and tmpfs as "shared"), for the record. */
    private static String memoryInUse(String node) throws Exception {
        LabServer.Result free = lab.exec(Duration.ofMinutes(2), "srun", "-w", node, "free", "-k");
        return free.stdout().lines().filter(l -> l.strip().startsWith("Mem:")).findFirst()
                .map(l -> "total/used/free/shared/buff-cache/available KiB: " + l.strip().substring(4).strip().replaceAll("\\s+", " "))
                .orElse("(free printed nothing: " + free + ")");
    }

    @Test
    @Order(6)
    void aRootWhoseSha256IsNotTheServers_isRefusedOnTheConsole_andTheNodeReboots() throws Exception {
        assumeTrue(applied, "the server was not converged");
        for (LabNode n : nodes) {
            if (n.isRunning()) {
                n.close();
            }
        }
        // The server's answer for the image's sha256 is made wrong for this one boot.
        String cgi = "/srv/tftp/cgi-bin/sha256";
        inContainer("cp", "-p", cgi, "/root/sha256.kept");
        inContainer("sh", "-c", "printf '%s\\n' \"$@\" > " + cgi, "sh", "#!/bin/sh",
                "printf '%s\\r\\n\\r\\n' 'Content-Type: text/plain'", "echo " + "0".repeat(64) + " node.squashfs");
        try {
            LabNode node = powerOn("n6", "52:54:00:00:00:06");
            Matcher refused = node.awaitConsole(Pattern.compile(
                    "mosaic-node: FAILED: http://10\\.0\\.2\\.2/node\\.squashfs has sha256 ([0-9a-f]{64}), the server says 0{64} - rebooting in 30 s"),
                    JOIN_TIMEOUT);
            assertThat(refused.group(1)).as("what the node fetched is the file served")
                    .isEqualTo(inContainer("sha256sum", "/srv/tftp/node.squashfs").split(" ")[0]);
            assertThat(node.console()).doesNotContain("mosaic-node: root squashfs", "mosaic-node: up");
            node.close();
        } finally {
            lab.exec("cp", "-p", "/root/sha256.kept", cgi);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.createDirectories(dest.getParent());
                    Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /** The release of the kernel linux-image-amd64 stands for now ("6.1.0-57-amd64"). */
    static String kernelRelease() throws IOException, InterruptedException {
        String out = run(Path.of("."), "apt-cache", "depends", "linux-image-amd64");
        Matcher m = Pattern.compile("Depends: linux-image-(\\d\\S*-amd64)").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("cannot tell which kernel linux-image-amd64 stands for:\n" + out);
        }
        return m.group(1);
    }

    static String run(Path dir, String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", argv) + " failed:\n" + out);
        }
        return out;
    }
}
