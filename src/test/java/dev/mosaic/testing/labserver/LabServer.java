package dev.mosaic.testing.labserver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A lab server for tests: a Debian 12 container booted by systemd-nspawn with a real systemd as
 * its PID 1 and sshd, on a bridge inside a network namespace that only this fixture made, reached
 * by Mosaic over SSH as an admin reaches a real server. Needs root, systemd-container, debootstrap
 * and iproute2 (bin/test installs them); the Debian root is built once and cached (see
 * {@link LabImage}).
 *
 * <pre>{@code
 * @TempDir static Path tmp;
 * static LabServer lab;
 * @BeforeAll static void boot() throws Exception { lab = LabServer.start(tmp); }
 * @AfterAll static void stop() throws Exception { lab.close(); }
 * ...
 * Path inventory = lab.inventory(tmp.resolve("inventory.yml"));
 * Cli.in(project).launchedBy(lab.inNetns()).run("apply", "site.yml", "-i", inventory.toString());
 * lab.systemctl("is-active", "dnsmasq").stdout();
 * }</pre>
 *
 * <p>The network: the namespace holds a bridge {@value #BRIDGE} with {@value #CONTROL_ADDRESS}
 * (the control side: the Mosaic CLI, QEMU's taps) and the container's veth, the container has
 * {@value #ADDRESS}/{@value #PREFIX} on {@code host0} (systemd-networkd). Nothing of it is visible
 * outside the namespace, so every lab server can use the same addresses.
 *
 * <p>Every container is recorded under {@code target/lab-servers/} while it runs (the JVM that owns
 * it, its processes, cgroups and root); {@link #start} first stops the containers whose JVM died
 * before closing them, and only those. Not thread-safe: one test class drives one lab server.
 */
public final class LabServer implements AutoCloseable {

    /** The bridge in the namespace, shared by the container and whatever a test adds (QEMU taps). */
    public static final String BRIDGE = "labbr0";
    /** The bridge's own address: where the control side (the Mosaic CLI) talks from. */
    public static final String CONTROL_ADDRESS = "10.0.2.1";
    /** The lab server's address; the subnet is the one of playbooks/lab-netboot.yml's node list. */
    public static final String ADDRESS = "10.0.2.2";
    public static final int PREFIX = 24;
    /** The lab server's IPv6 address: a unique-local prefix, for router advertisements to name. */
    public static final String ADDRESS6 = "fd00:0:0:2::2";
    public static final int PREFIX6 = 64;
    /** The container's host name (its machine name differs per container: the host sees those). */
    public static final String HOSTNAME = "labserver";

    private static final Map<String, String> ENV = Map.of(
            "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG", "C.UTF-8");
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final String machine;
    private final Path dir;
    private final Path root;
    private final Path identity;
    private final List<Path> cgroups;
    private final Path record;
    private Process holder;
    private Process nspawn;
    private long init;
    private String hostKey;
    private String state;
    private final StringBuilder timings = new StringBuilder();
    private Thread shutdownHook;
    private boolean closed;

    private LabServer(String machine, Path dir) {
        this.machine = machine;
        this.dir = dir;
        this.root = dir.resolve("root");
        this.identity = dir.resolve("client/id_ed25519");
        this.cgroups = cgroupHierarchies().stream().map(h -> h.resolve(machine)).toList();
        this.record = recordDir().resolve(machine + ".properties");
    }

    // ------------------------------------------------------------------ start

    /**
     * Boots a lab server whose files live in {@code tmp} (its root, its console log, the test's
     * SSH key) and waits until systemd finished booting. Stops the containers of dead test JVMs
     * first. On failure, whatever was started is stopped again before the exception propagates.
     */
    public static LabServer start(Path tmp) throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("a lab server needs root (network namespace, cgroups, systemd-nspawn)");
        }
        if (!Files.isExecutable(Path.of("/usr/bin/systemd-nspawn"))) {
            throw new IllegalStateException("systemd-nspawn is missing: install systemd-container (bin/test does)");
        }
        reapStale();
        String machine = "mosaic-lab-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        LabServer lab = new LabServer(machine, Files.createDirectories(tmp.resolve(machine)));
        try {
            lab.boot();
            return lab;
        } catch (IOException | InterruptedException | RuntimeException e) {
            try {
                lab.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void boot() throws IOException, InterruptedException {
        long t = System.nanoTime();
        LabImage.tarball();
        t = lap("image", t);
        writeRecord(); // from here on, a JVM killed before close() leaves a trace for the next start to reap
        shutdownHook = new Thread(this::closeQuietly, "stop " + machine);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        LabImage.unpack(root);
        personalize();
        t = lap("unpack", t);
        for (Path g : cgroups) {
            Files.createDirectory(g);
        }

        // The namespace lives as long as this process does (unshare execs sleep, so its PID is the
        // holder's); `ip netns add` would have written /run/netns on the machine instead.
        holder = new ProcessBuilder("unshare", "--net", "sleep", "infinity")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        writeRecord();
        check(inNetns(List.of("sh", "-ec", "ip link set lo up; ip link add " + BRIDGE + " type bridge; ip addr add "
                + CONTROL_ADDRESS + "/" + PREFIX + " dev " + BRIDGE + "; ip link set " + BRIDGE + " up")));
        t = lap("namespace", t);

        // nspawn runs in a cgroup of its own: with --keep-unit it puts the container's payload and
        // its own supervisor below the cgroup it was started in, which from the root cgroup would
        // be shared by every container. The shell moves itself there, then becomes nspawn.
        List<String> argv = new ArrayList<>(List.of("sh", "-c",
                "for g in $LAB_CGROUPS; do echo $$ > \"$g/cgroup.procs\" || exit 1; done; exec \"$@\"", "sh"));
        argv.addAll(inNetns(List.of("systemd-nspawn", "--boot", "--register=no", "--keep-unit", "--quiet",
                "--console=read-only", "--directory=" + root, "--machine=" + machine, "--hostname=" + HOSTNAME,
                "--network-bridge=" + BRIDGE)));
        // --register=no: no systemd-machined here; --keep-unit: without it nspawn asks the (absent)
        // host systemd for a scope and fails with "Failed to open system bus".
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(dir.resolve("console.log").toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(ENV);
        pb.environment().put("TERM", "dumb");
        pb.environment().put("LAB_CGROUPS", String.join(" ", cgroups.stream().map(Path::toString).toList()));
        nspawn = pb.start();
        writeRecord();

        init = awaitInit();
        // "offline" before the container's systemd made /run/systemd/system, nothing ("Failed to
        // connect to bus") before it listens; from then on --wait returns when the boot is over.
        long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        do {
            state = exec(BOOT_TIMEOUT, "systemctl", "is-system-running", "--wait").stdout().strip();
            if (!(state.equals("offline") || state.isEmpty()) || !nspawn.isAlive()) {
                break;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        if (!state.equals("running") && !state.equals("degraded")) {
            throw new IllegalStateException("the lab server did not finish booting: " + state + "\n"
                    + exec("systemctl", "--failed", "--no-pager") + "\n" + console());
        }
        lap("boot", t);
    }

    private long lap(String phase, long since) {
        long now = System.nanoTime();
        timings.append(timings.length() == 0 ? "" : ", ").append(phase).append(' ').append((now - since) / 1_000_000).append(" ms");
        return now;
    }

    /** What differs per container: host name, machine id, address, sshd's host key, the test's key. */
    private void personalize() throws IOException, InterruptedException {
        Files.writeString(root.resolve("etc/hostname"), HOSTNAME + "\n");
        Files.writeString(root.resolve("etc/machine-id"), HexFormat.of().formatHex(new SecureRandom().generateSeed(16)) + "\n");
        // Sorts before networkd's own 80-container-host0.network, which would ask for DHCP. The
        // IPv6 prefix (and the link-local address router advertisements are sent from) lets a
        // playbook's dnsmasq advertise a router, which iPXE otherwise waits for.
        Files.writeString(root.resolve("etc/systemd/network/10-lab-host0.network"), """
                [Match]
                Name=host0

                [Network]
                Address=%s/%d
                Address=%s/%d
                LinkLocalAddressing=ipv6
                IPv6AcceptRA=no
                """.formatted(ADDRESS, PREFIX, ADDRESS6, PREFIX6));
        check(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", HOSTNAME,
                "-f", root.resolve("etc/ssh/ssh_host_ed25519_key").toString()));
        hostKey = Files.readString(root.resolve("etc/ssh/ssh_host_ed25519_key.pub")).strip();
        Files.createDirectories(identity.getParent());
        check(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "mosaic-test", "-f", identity.toString()));
        Path ssh = Files.createDirectories(root.resolve("root/.ssh"));
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwx------"));
        Path authorized = ssh.resolve("authorized_keys");
        Files.copy(identity.resolveSibling("id_ed25519.pub"), authorized);
        Files.setPosixFilePermissions(authorized, PosixFilePermissions.fromString("rw-------"));
    }

    /** The container's PID 1 as the machine sees it: the member of the payload cgroup that is PID 1 in its own namespace. */
    private long awaitInit() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Long> pid = findInit(cgroups.get(0));
            if (pid.isPresent()) {
                return pid.get();
            }
            if (!nspawn.isAlive()) {
                throw new IllegalStateException("systemd-nspawn exited with " + nspawn.exitValue() + "\n" + console());
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no container init after " + BOOT_TIMEOUT + "\n" + console());
    }

    private static Optional<Long> findInit(Path cgroup) throws IOException {
        for (long pid : members(cgroup.resolve("payload"))) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("NSpid:") && line.trim().endsWith("\t1")) {
                        return Optional.of(pid);
                    }
                }
            } catch (IOException gone) {
                // exited between listing and reading
            }
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------ what tests use

    /** The lab server's address on the bridge ({@value #ADDRESS}). */
    public String address() {
        return ADDRESS;
    }

    /**
     * The bridge's name in the namespace ({@value #BRIDGE}). A QEMU node joins it through a tap
     * made in the namespace ({@code ip tuntap add dev tap0 mode tap; ip link set tap0 master
     * labbr0 up}, run with {@link #inNetns(List)}), QEMU itself started the same way with
     * {@code -netdev tap,ifname=tap0,script=no,downscript=no}.
     */
    public String bridge() {
        return BRIDGE;
    }

    /** The container's host name ({@value #HOSTNAME}); also its name in {@link #inventory}. */
    public String hostname() {
        return HOSTNAME;
    }

    /** The network namespace, as a path {@code nsenter --net=} and {@code ip netns exec}-less tools take. */
    public Path netns() {
        return Path.of("/proc", Long.toString(holder.pid()), "ns", "net");
    }

    /**
     * {@code nsenter --net=<netns> --}: prefix a command with it to run it on the control side of the
     * bridge. The namespace reaches the bridge and nothing else: a command run there cannot reach
     * Debian's archive, for instance.
     */
    public List<String> inNetns() {
        return List.of("nsenter", "--net=" + netns(), "--");
    }

    /** {@code argv} run inside the namespace. */
    public List<String> inNetns(List<String> argv) {
        List<String> all = new ArrayList<>(inNetns());
        all.addAll(argv);
        return all;
    }

    /** The container's root directory as the machine sees it (to read what a test wrote there). */
    public Path root() {
        return root;
    }

    /** The private key whose public half root's authorized_keys in the container holds. */
    public Path identity() {
        return identity;
    }

    /** The line a known_hosts file needs for this server. */
    public String knownHostsLine() {
        String[] parts = hostKey.split(" ");
        return ADDRESS + " " + parts[0] + " " + parts[1];
    }

    /** How long each phase of {@link #start} took: image (built or found), unpack (and keys),
     * namespace (and bridge), boot (nspawn until systemd says it is up). */
    public String timings() {
        return timings.toString();
    }

    /** What {@code systemctl is-system-running --wait} answered at boot: {@code running} or {@code degraded}. */
    public String bootState() {
        return state;
    }

    /**
     * Writes a Mosaic inventory with this server as host {@value #HOSTNAME} (SSH as root, the
     * test's key, strict host key checking against a known_hosts file written beside it).
     */
    public Path inventory(Path file) throws IOException {
        Path knownHosts = file.resolveSibling(file.getFileName() + ".known_hosts");
        Files.writeString(knownHosts, knownHostsLine() + "\n");
        Files.writeString(file, """
                hosts:
                  %s:
                    connection: ssh
                    address: %s
                    port: 22
                    user: root
                    identity: %s
                    known_hosts: %s
                """.formatted(HOSTNAME, ADDRESS, identity, knownHosts.getFileName()));
        return file;
    }

    /** Runs {@code argv} inside the container (all its namespaces, its root) and returns what it printed. */
    public Result exec(String... argv) throws IOException, InterruptedException {
        return exec(Duration.ofMinutes(1), argv);
    }

    public Result exec(Duration timeout, String... argv) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("nsenter", "-t", Long.toString(init), "-a", "--"));
        all.addAll(List.of(argv));
        return run(all, timeout);
    }

    /** {@code systemctl ARGS} in the container ({@code systemctl -M} would need systemd-machined). */
    public Result systemctl(String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("systemctl", "--no-pager"));
        all.addAll(List.of(args));
        return exec(all.toArray(String[]::new));
    }

    /**
     * Every process of this lab server right now: the namespace holder, systemd-nspawn and all
     * members of the container's cgroup (its systemd and what it runs).
     */
    public Set<Long> processes() throws IOException {
        Set<Long> pids = new LinkedHashSet<>();
        if (holder != null) {
            pids.add(holder.pid());
        }
        if (nspawn != null) {
            pids.add(nspawn.pid());
        }
        pids.addAll(members(cgroups.get(0)));
        return pids;
    }

    /** The container's cgroups, one per hierarchy nspawn uses; gone after {@link #close()}. */
    public List<Path> cgroups() {
        return cgroups;
    }

    /** The directory systemd-nspawn keeps on the machine for this container while it runs. */
    public Path propagateDir() {
        return propagateDir(machine);
    }

    /** The boot log (the container's console). */
    public String console() throws IOException {
        Path log = dir.resolve("console.log");
        return Files.exists(log) ? "-- console:\n" + Files.readString(log, StandardCharsets.ISO_8859_1) : "";
    }

    // ------------------------------------------------------------------ stop

    /**
     * Stops the container (SIGRTMIN+3 to its systemd: a clean halt, then SIGKILL to what is left in
     * its cgroup), removes its cgroups and nspawn's directory for it, ends the namespace, and deletes
     * the root once nothing runs from it. Idempotent.
     */
    @Override
    public void close() throws IOException, InterruptedException {
        if (closed) {
            return;
        }
        stop(recorded());
        if (nspawn != null) {
            nspawn.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        if (holder != null) {
            holder.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        closed = true;
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the hook runs (or ran) close() itself
            }
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (Exception e) {
            System.err.println("could not stop lab server " + machine + ": " + e);
        }
    }

    /**
     * Stops one recorded container, from this JVM or a dead one. Order matters: the root is
     * deleted only once its cgroups are empty, since a process left in there may still write to
     * it; and then the record goes, so a failure half-way leaves it for the next reaper.
     */
    private static void stop(Recorded r) throws IOException, InterruptedException {
        Path first = r.cgroups().isEmpty() ? null : r.cgroups().get(0);
        if (first != null && Files.isDirectory(first)) {
            Optional<Long> init = findInit(first);
            if (init.isPresent()) {
                // systemd's "halt" signal: units stop in order, then init exits and nspawn with it.
                run(List.of("kill", "-s", "RTMIN+3", Long.toString(init.get())), Duration.ofSeconds(10));
                awaitEmpty(first, STOP_TIMEOUT);
            }
            for (int round = 0; round < 10 && !members(first).isEmpty(); round++) {
                members(first).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                awaitEmpty(first, Duration.ofSeconds(2));
            }
        }
        // nspawn exits when the container's init does; a signal here only matters if it hangs.
        endIfSame(r.nspawn(), r.nspawnStart());
        endIfSame(r.holder(), r.holderStart());
        if (first != null && !members(first).isEmpty()) {
            throw new IllegalStateException("processes " + members(first) + " are still in " + first
                    + "; the container is left in place, with its root " + r.root());
        }
        for (Path g : r.cgroups()) {
            removeCgroup(g);
        }
        deleteTree(propagateDir(r.machine()));
        if (r.root() != null) {
            deleteTree(r.root());
        }
        Files.deleteIfExists(recordDir().resolve(r.machine() + ".properties"));
    }

    private static void endIfSame(long pid, String start) throws InterruptedException {
        if (pid <= 0) {
            return;
        }
        Optional<ProcessHandle> h = ProcessHandle.of(pid)
                .filter(p -> p.info().startInstant().map(Object::toString).orElse("").equals(start));
        if (h.isPresent()) {
            h.get().destroy();
            try {
                h.get().onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                h.get().destroyForcibly();
            }
        }
    }

    private static void awaitEmpty(Path cgroup, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!members(cgroup).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /** The PIDs in a cgroup and all cgroups below it. */
    private static List<Long> members(Path cgroup) throws IOException {
        if (!Files.isDirectory(cgroup)) {
            return List.of();
        }
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> dirs = Files.walk(cgroup)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                try {
                    Files.readAllLines(d.resolve("cgroup.procs")).stream()
                            .filter(l -> !l.isBlank()).map(Long::valueOf).forEach(pids::add);
                } catch (IOException removed) {
                    // the container's systemd removed the cgroup meanwhile
                }
            }
        } catch (UncheckedIOException removed) {
            // a directory vanished during the walk: read what is left next time
        }
        return pids;
    }

    /** rmdir, deepest first: a cgroup directory goes only when it has no children and no members. */
    private static void removeCgroup(Path cgroup) throws IOException {
        if (!Files.isDirectory(cgroup)) {
            return;
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.walk(cgroup)) {
            dirs = s.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
        }
        for (Path d : dirs) {
            Files.deleteIfExists(d);
        }
    }

    private static void deleteTree(Path p) throws IOException, InterruptedException {
        if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            // --one-file-system: should anything still be mounted below, it is not followed.
            check(List.of("rm", "-rf", "--one-file-system", p.toString()));
        }
    }

    private static Path propagateDir(String machine) {
        return Path.of("/run/systemd/nspawn/propagate", machine);
    }

    /**
     * cgroup v1 (this project's machines: name=systemd plus cgroup2 at unified/) or a pure cgroup2
     * machine: the hierarchies where nspawn looks up its own cgroup and makes payload/supervisor.
     */
    private static List<Path> cgroupHierarchies() {
        Path base = Path.of("/sys/fs/cgroup");
        if (Files.exists(base.resolve("cgroup.controllers"))) {
            return List.of(base);
        }
        List<Path> h = new ArrayList<>();
        h.add(base.resolve("systemd"));
        if (Files.exists(base.resolve("unified/cgroup.controllers"))) {
            h.add(base.resolve("unified"));
        }
        return h;
    }

    // ------------------------------------------------------------------ records of running containers

    private static Path recordDir() {
        return Path.of("target", "lab-servers").toAbsolutePath();
    }

    /** What is needed to stop a container whose JVM is gone; start instants guard against reused PIDs. */
    record Recorded(String machine, long owner, String ownerStart, long holder, String holderStart,
                    long nspawn, String nspawnStart, Path root, List<Path> cgroups) {

        static Recorded read(Path file) throws IOException {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
            String root = p.getProperty("root", "");
            String cg = p.getProperty("cgroups", "");
            return new Recorded(p.getProperty("machine"), Long.parseLong(p.getProperty("owner", "0")),
                    p.getProperty("ownerStart", ""), Long.parseLong(p.getProperty("holder", "0")),
                    p.getProperty("holderStart", ""), Long.parseLong(p.getProperty("nspawn", "0")),
                    p.getProperty("nspawnStart", ""), root.isEmpty() ? null : Path.of(root),
                    cg.isEmpty() ? List.of() : Stream.of(cg.split(",")).map(Path::of).toList());
        }

        void write(Path file) throws IOException {
            Properties p = new Properties();
            p.setProperty("machine", machine);
            p.setProperty("owner", Long.toString(owner));
            p.setProperty("ownerStart", ownerStart);
            p.setProperty("holder", Long.toString(holder));
            p.setProperty("holderStart", holderStart);
            p.setProperty("nspawn", Long.toString(nspawn));
            p.setProperty("nspawnStart", nspawnStart);
            p.setProperty("root", root.toString());
            p.setProperty("cgroups", String.join(",", cgroups.stream().map(Path::toString).toList()));
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (var out = Files.newOutputStream(tmp)) {
                p.store(out, "a running lab server of Mosaic's tests; removed when it stops");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }

        boolean ownerAlive() {
            return ProcessHandle.of(owner).flatMap(h -> h.info().startInstant())
                    .map(i -> i.toString().equals(ownerStart)).orElse(false);
        }
    }

    /** This server as far as it got: what a reaper needs, should this JVM die before {@link #close()}. */
    private Recorded recorded() {
        ProcessHandle self = ProcessHandle.current();
        return new Recorded(machine, self.pid(), startOf(self),
                holder == null ? 0 : holder.pid(), holder == null ? "" : startOf(holder.toHandle()),
                nspawn == null ? 0 : nspawn.pid(), nspawn == null ? "" : startOf(nspawn.toHandle()), root, cgroups);
    }

    private void writeRecord() throws IOException {
        recorded().write(record);
    }

    private static String startOf(ProcessHandle h) {
        return h.info().startInstant().map(Object::toString).orElse("");
    }

    /**
     * Stops the lab servers recorded by test JVMs of this checkout that are gone (killed before
     * their {@code @AfterAll}); those of live JVMs are left alone. Returns the machines reaped.
     */
    public static synchronized List<String> reapStale() throws IOException, InterruptedException {
        Path dir = recordDir();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> f.toString().endsWith(".properties")).sorted().toList();
        }
        List<String> reaped = new ArrayList<>();
        for (Path f : files) {
            Recorded r = Recorded.read(f);
            if (!r.ownerAlive()) {
                stop(r);
                reaped.add(r.machine());
            }
        }
        return reaped;
    }

    // ------------------------------------------------------------------ running commands

    /** What a command printed and returned. */
    public record Result(List<String> argv, int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return String.join(" ", argv) + " -> exit " + exitCode + "\n-- stdout:\n" + stdout + "-- stderr:\n" + stderr;
        }
    }

    /** Runs a command with a clean environment; after {@code timeout} it is killed and this fails. */
    static Result run(List<String> argv, Duration timeout) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(ENV);
        Process p = pb.start();
        // Both streams are read on threads of their own, so the timeout holds while a command hangs.
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", argv) + ": no answer within " + timeout);
        }
        return new Result(argv, p.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
                new String(err.join(), StandardCharsets.UTF_8));
    }

    /** {@link #run} that fails unless the command exits 0. */
    static Result check(List<String> argv, Duration timeout) throws IOException, InterruptedException {
        Result r = run(argv, timeout);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("command failed: " + r);
        }
        return r;
    }

    private static Result check(List<String> argv) throws IOException, InterruptedException {
        return check(argv, Duration.ofMinutes(1));
    }

    private static CompletableFuture<byte[]> drain(InputStream in) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (in) {
                f.complete(in.readAllBytes());
            } catch (IOException e) {
                f.complete(new byte[0]);
            }
        }, "lab-server-output");
        t.setDaemon(true);
        t.start();
        return f;
    }
}
