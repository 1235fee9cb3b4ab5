package dev.mosaic.testing.labserver;

import dev.mosaic.e2e.Cli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lab-server fixture's own test: the container boots a real systemd, Mosaic's CLI converges it
 * over SSH from inside the test's network namespace, and stopping it — from {@code @AfterAll}, or
 * by the next start after a test JVM was killed — leaves no process, mount or cgroup behind.
 */
@Tag("lab-server")
class LabServerTest {

    static final String PLAYBOOK = """
            name: lab-server-check
            resources:
              lab-dir:
                type: directory
                path: /srv/lab
              greeting:
                type: file
                path: /srv/lab/hello.txt
                content: "hello from mosaic\\n"
            """;

    @TempDir
    static Path tmp;
    static LabServer lab;

    @BeforeAll
    static void boot() throws Exception {
        lab = timedStart(tmp);
    }

    @AfterAll
    static void stop() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    /** Starts a lab server and prints how long it took, and whether the image had to be built. */
    static LabServer timedStart(Path dir) throws Exception {
        boolean warm = LabImage.cached();
        long t0 = System.nanoTime();
        LabServer s = LabServer.start(dir);
        System.out.printf("lab server: %s start in %d ms (%s), boot state %s%n", warm ? "warm" : "cold",
                (System.nanoTime() - t0) / 1_000_000, s.timings(), s.bootState());
        return s;
    }

    @Test
    void start_bootsSystemd_toRunningWithSshdActive() throws Exception {
        // "running", not "degraded": no unit fails in the container (dnsmasq is installed but off).
        assertThat(lab.bootState()).as("%s", lab.systemctl("--failed")).isEqualTo("running");
        assertThat(lab.systemctl("is-active", "ssh").stdout().strip()).isEqualTo("active");
        assertThat(lab.exec("hostname").stdout().strip()).isEqualTo(LabServer.HOSTNAME);
        assertThat(lab.exec("ip", "-br", "-4", "addr", "show", "host0").stdout()).contains(LabServer.ADDRESS + "/24");
        assertThat(lab.systemctl("is-enabled", "dnsmasq").stdout().strip()).isEqualTo("disabled");
    }

    @Test
    void apply_overSshFromTheNamespace_writesTheFile_andASecondApplyChangesNothing() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Files.writeString(project.resolve("site.yml"), PLAYBOOK);
        Path inventory = lab.inventory(project.resolve("inventory.yml"));
        Cli cli = Cli.in(project).launchedBy(lab.inNetns());
        String[] args = {"apply", "site.yml", "-i", inventory.toString(),
                "--state-dir", tmp.resolve("state").toString(), "--cache-dir", tmp.resolve("cache").toString()};

        Cli.Result first = cli.run(args);
        assertThat(first.exitCode()).as("%s", first).isZero();
        assertThat(summary(first)).as("%s", first).startsWith("labserver: 2 changed,");
        assertThat(lab.exec("cat", "/srv/lab/hello.txt").stdout()).isEqualTo("hello from mosaic\n");

        Cli.Result second = cli.run(args);
        assertThat(second.exitCode()).as("%s", second).isZero();
        assertThat(summary(second)).as("%s", second).startsWith("labserver: 0 changed,");
    }

    /** The host's line of the summary an apply prints. */
    private static String summary(Cli.Result r) {
        return r.stdoutLines().stream().filter(l -> l.startsWith("labserver: ")).reduce((a, b) -> b).orElse("");
    }

    @Test
    void close_leavesNoProcessMountOrCgroupBehind() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("second"));
        LabServer other = timedStart(dir);
        Set<Long> pids;
        try {
            pids = other.processes();
            assertThat(pids).hasSizeGreaterThan(4); // holder, nspawn, systemd, journald, sshd, …
            assertThat(other.propagateDir()).isDirectory();
        } finally {
            other.close();
        }
        assertGone(pids, other.cgroups(), other.root(), other.propagateDir());
    }

    @Test
    void start_afterATestJvmWasKilled_reapsTheContainerItLeft() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("killed"));
        Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), KilledJvm.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        Leftover left;
        try {
            left = Leftover.read(jvm);
        } finally {
            jvm.destroyForcibly(); // SIGKILL: no @AfterAll, no shutdown hook
            jvm.waitFor();
        }
        assertThat(left.pids()).as("a killed JVM leaves its container running")
                .allMatch(pid -> ProcessHandle.of(pid).isPresent());

        assertThat(LabServer.reapStale()).contains(left.machine());

        assertGone(left.pids(), left.cgroups(), left.root(), Path.of("/run/systemd/nspawn/propagate", left.machine()));
        assertThat(Path.of("target", "lab-servers", left.machine() + ".properties")).doesNotExist();
    }

    /**
     * Whether a process still runs. A zombie does not: it has ended and waits for its new parent
     * to reap it, which on a machine whose PID 1 is not systemd can take a while.
     */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
            return !state.equals("Z") && !state.equals("X");
        } catch (IOException | StringIndexOutOfBoundsException gone) {
            return false;
        }
    }

    private static void assertGone(Set<Long> pids, List<Path> cgroups, Path root, Path propagate) throws IOException {
        assertThat(pids).as("processes still running").noneMatch(LabServerTest::running);
        assertThat(cgroups).isNotEmpty().allMatch(g -> !Files.exists(g), "removed");
        assertThat(root).doesNotExist();
        assertThat(propagate).doesNotExist();
        try (Stream<String> mounts = Files.lines(Path.of("/proc/self/mountinfo"))) {
            assertThat(mounts.filter(m -> m.contains(root.toString()) || m.contains(propagate.getFileName().toString())))
                    .as("mounts").isEmpty();
        }
    }

    /** What a killed JVM's lab server was, as that JVM printed it. */
    record Leftover(String machine, Set<Long> pids, List<Path> cgroups, Path root) {
        static Leftover read(Process jvm) throws IOException {
            BufferedReader in = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
            List<String> seen = new ArrayList<>();
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("READY ")) {
                    String[] f = line.substring(6).split(" ");
                    return new Leftover(f[0], Stream.of(f[1].split(",")).map(Long::valueOf).collect(java.util.stream.Collectors.toSet()),
                            Stream.of(f[2].split(",")).map(Path::of).toList(), Path.of(f[3]));
                }
                seen.add(line);
            }
            throw new AssertionError("the JVM ended without starting a lab server:\n" + String.join("\n", seen));
        }
    }

    /** A test JVM that starts a lab server, says so, and waits to be killed. */
    static final class KilledJvm {
        public static void main(String[] args) throws Exception {
            LabServer s = LabServer.start(Path.of(args[0]));
            String machine = s.propagateDir().getFileName().toString();
            System.out.println("READY " + machine + " "
                    + String.join(",", s.processes().stream().map(String::valueOf).toList()) + " "
                    + String.join(",", s.cgroups().stream().map(Path::toString).toList()) + " " + s.root());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
