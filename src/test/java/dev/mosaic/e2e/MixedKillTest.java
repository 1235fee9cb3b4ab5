package dev.mosaic.e2e;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Crash safety of a mixed playbook: files, a copied tree, an archive, a build that reads the tree,
 * and a build notified by a configuration file (a "reload" that appends the configuration's digest
 * to a log). Every trial gives the playbook new sources, starts {@code mosaic apply} in a separate
 * JVM and kills it with SIGKILL at a seeded random moment; at least 100 kills land. After each kill
 * every managed file is its old or its new content, never partial; the next apply converges to
 * exactly the tree an uninterrupted run makes (checked against a fresh root applied without
 * interruption every few trials); the reload has run after the last change of the configuration
 * — also when the kill came between the two — and a plan then finds nothing to do.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class MixedKillTest {

    private static final long SEED = 0x6d1dc0deL;
    private static final int MIN_KILLS = 100;
    private static final int MAX_TRIALS = 160;
    private static final int KILLED_BY_SIGKILL = 137;
    private static final int IMAGES = 8;
    private static final int TREE_DIRS = 6;
    private static final int TREE_FILES = 60;
    private static final int ENTRIES = 60;
    private static final String BASE = "srv/mixed";
    private static final String RELOAD_LOG = BASE + "/run/reload.log";

    @TempDir
    Path tmp;

    private Path root;
    private Path playbookDir;
    private final SplittableRandom bytes = new SplittableRandom(SEED);
    private int version;
    /** What an uninterrupted apply of the current sources leaves: relative path below the root -> sha256. */
    private final Map<String, String> desired = new TreeMap<>();
    private final Map<String, Integer> modes = new HashMap<>();
    private final Map<String, String> treeText = new TreeMap<>();
    private final Map<String, String> entryText = new TreeMap<>();

    @Test
    void a_mixed_apply_killed_at_a_hundred_random_moments_never_leaves_a_partial_file_nor_loses_a_refresh()
            throws Exception {
        Random rnd = new Random(SEED);
        root = Files.createDirectories(tmp.resolve("root"));
        playbookDir = Files.createDirectories(tmp.resolve("playbook"));
        writePlaybook();
        newSources(rnd, true);
        Cli cli = Cli.in(playbookDir);
        String[] apply = {"apply", "--root", root.toString(), "playbook.yml"};

        Cli.Result first = cli.run(apply);
        assertThat(first.exitCode()).as("%s", first).isZero();
        assertConverged("first apply");
        // A trial-sized apply, measured once: kills are spread over its duration.
        newSources(rnd, false);
        long start = System.nanoTime();
        Cli.Result calibration = cli.run(apply);
        long durationMillis = Math.max(200, (System.nanoTime() - start) / 1_000_000);
        assertThat(calibration.exitCode()).as("%s", calibration).isZero();
        assertConverged("calibration apply");

        int trials = 0;
        int kills = 0;
        int partialRuns = 0;
        int refreshesAtRisk = 0;
        int leftoversStopped = 0;
        int references = 0;
        List<String> log = new ArrayList<>();
        while (kills < MIN_KILLS && trials < MAX_TRIALS) {
            trials++;
            Map<String, String> before = contents(root);
            newSources(rnd, false);
            int needed = (int) desired.entrySet().stream().filter(e -> !e.getValue().equals(before.get(e.getKey()))).count();

            Cli.Running running = cli.start(apply);
            String when;
            if (trials % 2 == 1) {
                long delay = (long) (durationMillis * ((trials / 2) % 10 + rnd.nextDouble()) / 10);
                Thread.sleep(delay);
                when = delay + " ms after start";
            } else {
                int k = 1 + rnd.nextInt(4);
                long extra = (long) (rnd.nextDouble() * durationMillis / 8);
                running.awaitStdout(out -> changesReported(out) >= k, Cli.DEFAULT_TIMEOUT);
                Thread.sleep(extra);
                when = extra + " ms after change " + k;
            }
            Cli.Result killed = running.kill();
            assertThat(killed.exitCode()).as("killed %s: %s", when, killed).isIn(0, KILLED_BY_SIGKILL);
            String what = "trial " + trials + " (killed " + when + ")";
            if (killed.exitCode() == KILLED_BY_SIGKILL) {
                kills++;
            }

            // Each managed file: its old content, its new one, or absent where it was or will be.
            Map<String, String> now = contents(root);
            int done = 0;
            TreeSet<String> paths = new TreeSet<>(now.keySet());
            paths.addAll(before.keySet());
            paths.addAll(desired.keySet());
            for (String p : paths) {
                if (p.equals(RELOAD_LOG) || p.startsWith("var/")) {
                    continue;
                }
                if (isTemp(p)) {
                    assertThat(before).as("%s: temp file %s was there before the trial", what, p).doesNotContainKey(p);
                    continue;
                }
                String sha = now.get(p);
                if (sha != null && !sha.equals(before.get(p)) && !sha.equals(desired.get(p))) {
                    fail("%s: %s is neither its old content nor its new one: a partial or mixed write", what, p);
                }
                if (sha == null && before.get(p) != null && desired.get(p) != null) {
                    fail("%s: %s vanished although it existed before and is still wanted", what, p);
                }
                if (sha != null && sha.equals(desired.get(p)) && !sha.equals(before.get(p))) {
                    done++;
                }
            }
            if (done > 0 && done < needed) {
                partialRuns++;
            }
            String conf = BASE + "/etc/app.conf";
            boolean atRisk = desired.get(conf).equals(now.get(conf)) && !reloadedFor(desired.get(conf));
            if (atRisk) {
                refreshesAtRisk++;
            }

            // The next apply converges; its only warnings are about what the killed one left.
            Cli.Result converge = cli.run(apply);
            assertThat(converge.exitCode()).as("%s: %s", what, converge).isZero();
            for (String l : converge.stderr().lines().filter(l -> l.contains("warning")).toList()) {
                if (l.contains("left running")) {
                    leftoversStopped++;
                } else {
                    assertThat(l).as("%s: %s", what, converge).contains("took over the lock of PID " + running.process().pid());
                }
            }
            assertConverged(what);
            assertThat(reloadedFor(desired.get(conf)))
                    .as("%s: the reload ran after the configuration changed%s", what, atRisk ? " (owed by the killed run)" : "")
                    .isTrue();
            assertThat(Trees.under(root, "/var/lib/mosaic/refresh.journal")).as("%s: refreshes owed", what).doesNotExist();
            Cli.Result plan = Cli.inProcess("plan", "--detailed-exitcode", "--root", root.toString(),
                    playbookDir.resolve("playbook.yml").toString());
            assertThat(plan.exitCode()).as("%s: %s", what, plan).isZero();
            assertThat(plan.stdout()).as("%s: %s", what, plan).startsWith("No changes.");

            if (trials % 10 == 0) {
                references++;
                Path reference = tmp.resolve("reference-" + trials);
                Cli.Result uninterrupted = Cli.inProcess("apply", "--root", reference.toString(),
                        playbookDir.resolve("playbook.yml").toString());
                assertThat(uninterrupted.exitCode()).as("%s", uninterrupted).isZero();
                Map<String, String> ref = contents(reference);
                ref.keySet().removeIf(p -> p.equals(RELOAD_LOG) || p.startsWith("var/"));
                Map<String, String> ours = contents(root);
                ours.keySet().removeIf(p -> p.equals(RELOAD_LOG) || p.startsWith("var/"));
                assertThat(ours).as("%s: the converged tree is the one an uninterrupted run makes", what).isEqualTo(ref);
                Trees.deleteTree(reference);
            }
            log.add(String.format("trial %3d killed %-24s exit %3d: %2d of %2d files new%s", trials, when,
                    killed.exitCode(), done, needed, atRisk ? ", reload owed" : ""));
        }
        System.out.printf("MixedKillTest: trial apply %d ms; %d trials, %d SIGKILLs, %d mid-apply, %d with the reload"
                        + " owed, %d leftover commands stopped, %d reference runs%n  %s%n", durationMillis, trials, kills,
                partialRuns, refreshesAtRisk, leftoversStopped, references, String.join("\n  ", log));
        assertThat(kills).as("applies ended by SIGKILL (exit code 137)").isGreaterThanOrEqualTo(MIN_KILLS);
        assertThat(partialRuns).as("kills that landed while files were being written").isPositive();
        assertThat(refreshesAtRisk).as("kills between the configuration's change and its reload").isPositive();
    }

    /**
     * Without --root (the machine itself) commands run unconfined: a build may outlive a killed
     * apply, and the next apply stops it before starting its own.
     */
    @Test
    void a_build_left_running_by_a_killed_apply_is_stopped_by_the_next_apply() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path state = tmp.resolve("state");
        playbookDir = Files.createDirectories(tmp.resolve("playbook"));
        Files.writeString(playbookDir.resolve("playbook.yml"), slowBuild(work.toString()));
        Cli cli = Cli.in(playbookDir).withEnv(Map.of("MOSAIC_CACHE_DIR", tmp.resolve("cache").toString()));
        String[] apply = {"apply", "--state-dir", state.toString(), "playbook.yml"};
        Cli.Running running = cli.start(apply);
        List<ProcessHandle> sleeping = sleepOf(running);
        // The apply records a command just after starting it: a kill in between (a busy CPU can
        // make it long) leaves a command nobody recorded, which is not what this test is about.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (!hasEntries(state.resolve("running")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(running.kill().exitCode()).isEqualTo(KILLED_BY_SIGKILL);
        try {
            assertThat(sleeping.get(0).isAlive()).as("the build outlives the killed apply").isTrue();

            // The playbook now wants a quick build: the next apply stops the old one, then runs its own.
            Files.writeString(playbookDir.resolve("playbook.yml"), Files.readString(playbookDir.resolve("playbook.yml"))
                    .replace("echo started; sleep 120; echo done > out", "echo quick > out"));
            Cli.Result next = cli.run(apply);
            assertThat(next.exitCode()).as("%s", next).isZero();
            assertThat(next.stderr()).contains("stopped 2 process(es) of a command that an interrupted apply left running");
            assertThat(sleeping.get(0).isAlive()).as("the old build's sleep").isFalse();
            assertThat(Files.readString(work.resolve("out"))).isEqualTo("quick\n");
            assertThat(state.resolve("running")).isEmptyDirectory();
        } finally {
            sleeping.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * With --root, commands run under bubblewrap with --die-with-parent: a build dies with the
     * apply killed by SIGKILL, and the next apply finds nothing left to stop.
     */
    @Test
    void a_confined_build_dies_with_a_killed_apply() throws Exception {
        root = Files.createDirectories(tmp.resolve("root"));
        playbookDir = Files.createDirectories(tmp.resolve("playbook"));
        Files.createDirectories(root.resolve("work"));
        Files.writeString(playbookDir.resolve("playbook.yml"), slowBuild("/work"));
        Cli cli = Cli.in(playbookDir);
        String[] apply = {"apply", "--root", root.toString(), "playbook.yml"};
        Cli.Running running = cli.start(apply);
        List<ProcessHandle> sleeping = sleepOf(running);
        // the whole build: setsid'd bubblewrap, its pid-namespace init, the shell and its sleep
        List<ProcessHandle> build = running.process().descendants().toList();
        assertThat(running.kill().exitCode()).isEqualTo(KILLED_BY_SIGKILL);
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!build.stream().allMatch(MixedKillTest::ended) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(build).as("the confined build's processes, after the apply was killed")
                    .allMatch(MixedKillTest::ended);

            Files.writeString(playbookDir.resolve("playbook.yml"), Files.readString(playbookDir.resolve("playbook.yml"))
                    .replace("echo started; sleep 120; echo done > out", "echo quick > out"));
            Cli.Result next = cli.run(apply);
            assertThat(next.exitCode()).as("%s", next).isZero();
            assertThat(next.stderr()).doesNotContain("left running");
            assertThat(Files.readString(root.resolve("work/out"))).isEqualTo("quick\n");
            assertThat(root.resolve("var/lib/mosaic/running")).isEmptyDirectory();
        } finally {
            sleeping.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static String slowBuild(String dir) {
        return """
                name: slow-build
                resources:
                  slow:
                    type: build
                    dir: %s
                    command: echo started; sleep 120; echo done > out
                    outputs: [%s/out]
                    toolchain: []
                    share: false
                """.formatted(dir, dir);
    }

    /** Gone, or a zombie: ended, waiting only for its new parent to reap it. */
    private static boolean ended(ProcessHandle h) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException e) {
            return true;
        }
    }

    /** The build's {@code sleep}, once it runs. */
    private static List<ProcessHandle> sleepOf(Cli.Running running) throws InterruptedException {
        List<ProcessHandle> sleeping = new ArrayList<>();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (sleeping.isEmpty() && System.nanoTime() < deadline) {
            running.process().descendants().filter(h -> h.info().command().orElse("").endsWith("/sleep")).forEach(sleeping::add);
            Thread.sleep(20);
        }
        assertThat(sleeping).as("the build's sleep started").isNotEmpty();
        return sleeping;
    }

    // ---------------------------------------------------------------- the playbook and its sources

    private void writePlaybook() throws IOException {
        StringBuilder y = new StringBuilder("""
                name: mixed
                resources:
                  conf:
                    type: file
                    path: /srv/mixed/etc/app.conf
                    source: src/app.conf
                    notify: [reload]
                  tree:
                    type: copy
                    source: src/tree
                    dest: /srv/mixed/tree
                    purge: true
                  bundle:
                    type: archive
                    source: src/bundle.tar.gz
                    dest: /srv/mixed/unpacked
                  out-dir:
                    type: directory
                    path: /srv/mixed/out
                  digest:
                    type: build
                    dir: /srv/mixed/out
                    command: sleep 0.2; find ../tree -type f | LC_ALL=C sort | xargs cat | sha256sum | cut -c1-64 > digest.tmp; mv digest.tmp digest
                    inputs: [/srv/mixed/tree]
                    outputs: [/srv/mixed/out/digest]
                    toolchain: []
                  run-dir:
                    type: directory
                    path: /srv/mixed/run
                  reload:
                    type: build
                    dir: /srv/mixed/run
                    command: sha256sum ../etc/app.conf | cut -c1-64 >> reload.log; echo reloaded > stamp.tmp; mv stamp.tmp stamp
                    outputs: [/srv/mixed/run/stamp]
                    toolchain: []
                    share: false
                    requires: [digest, bundle]
                """);
        for (int i = 0; i < IMAGES; i++) {
            y.append(String.format("  image%d:%n    type: file%n    path: /srv/mixed/images/image%d.img%n"
                    + "    source: src/image%d.bin%n    mode: \"%s\"%n", i, i, i, i % 3 == 0 ? "0600" : "0644"));
            modes.put(BASE + "/images/image" + i + ".img", i % 3 == 0 ? 0600 : 0644);
        }
        Files.writeString(playbookDir.resolve("playbook.yml"), y);
    }

    /** New sources: always a new configuration; some images, tree files and archive entries change. */
    private void newSources(Random rnd, boolean all) throws IOException {
        version++;
        Path src = Files.createDirectories(playbookDir.resolve("src"));
        String conf = "# version " + version + "\nnodes=" + (2 + rnd.nextInt(9)) + "\n";
        Files.writeString(src.resolve("app.conf"), conf);
        desired.put(BASE + "/etc/app.conf", Trees.sha256(conf.getBytes(StandardCharsets.UTF_8)));
        for (int i = 0; i < IMAGES; i++) {
            if (all || rnd.nextInt(3) == 0) {
                byte[] b = new byte[(128 + rnd.nextInt(1920)) * 1024 + rnd.nextInt(1024)];
                for (int j = 0; j < b.length; j += 8) {
                    long v = bytes.nextLong();
                    for (int k = 0; k < 8 && j + k < b.length; k++) {
                        b[j + k] = (byte) (v >>> (8 * k));
                    }
                }
                Files.write(src.resolve("image" + i + ".bin"), b);
                desired.put(BASE + "/images/image" + i + ".img", Trees.sha256(b));
            }
        }
        // The tree: some files change, now and then one goes or comes back (purge removes it).
        for (int i = 0; i < TREE_FILES; i++) {
            String rel = "d" + (i % TREE_DIRS) + "/f" + i + ".txt";
            boolean present = all || treeText.containsKey(rel);
            if (!all && rnd.nextInt(20) == 0) {
                present = !present;
            }
            Path f = src.resolve("tree").resolve(rel);
            if (!present) {
                Files.deleteIfExists(f);
                treeText.remove(rel);
                desired.remove(BASE + "/tree/" + rel);
                continue;
            }
            if (all || !treeText.containsKey(rel) || rnd.nextInt(5) == 0) {
                String text = ("tree file " + rel + " version " + version + "\n").repeat(50 + rnd.nextInt(200));
                Files.createDirectories(f.getParent());
                Files.writeString(f, text);
                treeText.put(rel, text);
                desired.put(BASE + "/tree/" + rel, Trees.sha256(text.getBytes(StandardCharsets.UTF_8)));
            }
        }
        MessageDigest all256 = Trees.newSha256();
        new TreeSet<>(treeText.keySet().stream().map(r -> "../tree/" + r).toList())
                .forEach(r -> all256.update(treeText.get(r.substring("../tree/".length())).getBytes(StandardCharsets.UTF_8)));
        desired.put(BASE + "/out/digest", Trees.sha256((HexFormat.of().formatHex(all256.digest()) + "\n")
                .getBytes(StandardCharsets.UTF_8)));
        desired.put(BASE + "/run/stamp", Trees.sha256("reloaded\n".getBytes(StandardCharsets.UTF_8)));
        // The archive: every other trial, a fifth of its entries change.
        if (all || version % 2 == 0) {
            for (int i = 0; i < ENTRIES; i++) {
                String rel = "e" + (i % 5) + "/entry" + i + ".txt";
                if (all || rnd.nextInt(5) == 0) {
                    entryText.put(rel, ("entry " + rel + " version " + version + "\n").repeat(20 + rnd.nextInt(100)));
                }
                desired.put(BASE + "/unpacked/" + rel,
                        Trees.sha256(entryText.get(rel).getBytes(StandardCharsets.UTF_8)));
            }
            try (OutputStream out = Files.newOutputStream(src.resolve("bundle.tar.gz"));
                 TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
                for (Map.Entry<String, String> e : entryText.entrySet()) {
                    byte[] b = e.getValue().getBytes(StandardCharsets.UTF_8);
                    TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
                    entry.setSize(b.length);
                    entry.setMode(0100644);
                    tar.putArchiveEntry(entry);
                    tar.write(b);
                    tar.closeArchiveEntry();
                }
            }
        }
    }

    // ---------------------------------------------------------------- checks

    /** Lines of the apply's output naming a resource that changed or refreshed. */
    private static long changesReported(String stdout) {
        return stdout.lines().filter(l -> l.matches("[+~*] [a-z_]+\\[[^]]+]: .*")).count();
    }

    private static boolean isTemp(String path) {
        // Mosaic's own temp files, and those of the builds, which write their outputs as atomically
        // as Mosaic does (a shell's "> stamp" truncates first: a kill there would leave it empty).
        return path.substring(path.lastIndexOf('/') + 1).matches("\\..+\\.mosaic-tmp|digest\\.tmp|stamp\\.tmp");
    }

    /** Whether the reload's last run read the configuration with this digest. */
    private boolean reloadedFor(String confSha) throws IOException {
        Path log = Trees.under(root, "/" + RELOAD_LOG);
        if (!Files.exists(log)) {
            return false;
        }
        List<String> lines = Files.readAllLines(log);
        return !lines.isEmpty() && lines.get(lines.size() - 1).equals(confSha);
    }

    private void assertConverged(String what) throws IOException {
        Map<String, String> now = contents(root);
        now.keySet().removeIf(p -> p.equals(RELOAD_LOG) || p.startsWith("var/"));
        assertThat(now).as("%s: the managed files", what).isEqualTo(desired);
        modes.forEach((p, m) -> assertThat(Trees.mode(root.resolve(p))).as("%s: mode of %s", what, p).isEqualTo(m));
    }

    /** Every regular file below {@code dir}: relative path -> sha256. */
    private static Map<String, String> contents(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (!Files.exists(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                try {
                    out.put(dir.relativize(p).toString(), Trees.sha256(p));
                } catch (java.io.UncheckedIOException e) {
                    // A build the killed apply left running renamed it away meanwhile.
                    if (!(e.getCause() instanceof java.nio.file.NoSuchFileException)) {
                        throw e;
                    }
                }
            }
        }
        return out;
    }

    private static boolean hasEntries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        }
    }
}
