package dev.mosaic.e2e;

import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Crash safety of apply: a separate JVM applying twenty large files is killed with SIGKILL at
 * random moments (seeded), while it creates files or overwrites them with new content. Half the
 * kills are spread over the duration of a whole apply, measured first; the other half come a
 * random moment after the k-th file is reported done, so that kills land between and during writes
 * however the machine's load stretches the start-up. After every kill each managed file is absent,
 * old or new, never partial or a mix, and with its mode; the next apply converges and a plan then
 * finds nothing to do.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class KillNineTest {

    private static final long SEED = 0x6d05a1cL;
    private static final int FILES = 20;
    private static final int MIB = 1024 * 1024;
    private static final int MIN_KILLS = 20;
    private static final int MAX_TRIALS = 40;
    /** 128 + SIGKILL (9): how {@link Process#exitValue()} reports a process ended by SIGKILL. */
    private static final int KILLED_BY_SIGKILL = 137;
    private static final String DIR = "/srv/images";
    private static final String ABSENT = "absent";

    @TempDir
    Path tmp;

    private Path root;
    private Path playbookDir;
    /** sha256 of the desired content (the source file) of each resource. */
    private final String[] desired = new String[FILES];
    /** sha256 of what is on the target before a trial; {@link #ABSENT} when nothing. */
    private final String[] onTarget = new String[FILES];
    private final Map<String, Long> sizes = new HashMap<>();
    private final int[] versions = new int[FILES];

    @Test
    void an_apply_killed_with_sigkill_at_random_moments_leaves_each_file_absent_old_or_new_and_the_next_apply_converges()
            throws Exception {
        Random rnd = new Random(SEED);
        root = Files.createDirectories(tmp.resolve("root"));
        playbookDir = Files.createDirectories(tmp.resolve("playbook"));
        Files.createDirectories(playbookDir.resolve("files"));
        StringBuilder yaml = new StringBuilder("name: large-files\nresources:\n");
        for (int i = 0; i < FILES; i++) {
            newVersion(i, rnd);
            yaml.append(String.format("  image%02d:%n    type: file%n    path: %s%n    source: files/image%02d.bin%n",
                    i, target(i), i));
            if (i % 4 == 0) {
                yaml.append("    mode: \"0600\"\n");
            }
        }
        Files.writeString(playbookDir.resolve("playbook.yml"), yaml);
        Cli cli = Cli.in(playbookDir);
        String[] apply = {"apply", "--root", root.toString(), "playbook.yml"};

        // A whole apply (creating every file), measured once: kills are spread over its duration.
        long start = System.nanoTime();
        Cli.Result full = cli.run(apply);
        long durationMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(full.exitCode()).as("%s", full).isZero();
        assertConverged();
        System.arraycopy(desired, 0, onTarget, 0, FILES);

        int trials = 0;
        int kills = 0;
        int midApply = 0;
        int strayTemps = 0;
        int overwriteTrials = 0;
        List<String> log = new ArrayList<>();
        while (kills < MIN_KILLS && trials < MAX_TRIALS) {
            trials++;
            boolean creation = trials % 4 == 1;
            if (creation) {
                Trees.deleteTree(Trees.under(root, DIR));
                Arrays.fill(onTarget, ABSENT);
            } else {
                overwriteTrials++;
                List<Integer> order = new ArrayList<>(IntStream.range(0, FILES).boxed().toList());
                Collections.shuffle(order, rnd);
                for (int i : order.subList(0, FILES / 4 + rnd.nextInt(FILES / 2))) {
                    newVersion(i, rnd);
                }
                if (rnd.nextInt(3) == 0) {
                    int gone = rnd.nextInt(FILES);
                    Files.delete(Trees.under(root, target(gone)));
                    onTarget[gone] = ABSENT;
                }
            }
            int needed = 0;
            for (int i = 0; i < FILES; i++) {
                needed += onTarget[i].equals(desired[i]) ? 0 : 1;
            }

            // Odd trials: a random moment in one of ten strata of the measured duration. Even ones:
            // a random moment after the k-th file is done, so that some kills surely land between
            // and during writes whatever the machine's load does to timings.
            Cli.Running running = cli.start(apply);
            String when;
            if (trials % 2 == 1 || needed < 2) {
                long delay = (long) (durationMillis * ((trials / 2) % 10 + rnd.nextDouble()) / 10);
                Thread.sleep(delay);
                when = delay + " ms after start";
            } else {
                int k = 1 + rnd.nextInt(needed - 1);
                long extra = (long) (rnd.nextDouble() * durationMillis / FILES);
                running.awaitStdout(out -> changesReported(out) >= k, Cli.DEFAULT_TIMEOUT);
                Thread.sleep(extra);
                when = extra + " ms after change " + k;
            }
            Cli.Result killed = running.kill();
            assertThat(killed.exitCode()).as("killed %s: %s", when, killed).isIn(0, KILLED_BY_SIGKILL);
            if (killed.exitCode() == KILLED_BY_SIGKILL) {
                kills++;
            }

            // Every managed path: absent, old or new; never a prefix, never a mix. Right mode.
            int done = 0;
            for (int i = 0; i < FILES; i++) {
                Path p = Trees.under(root, target(i));
                String what = String.format("trial %d (%s, killed %s): %s", trials,
                        creation ? "creation" : "overwrite", when, target(i));
                if (!Files.exists(p)) {
                    assertThat(onTarget[i]).as("%s is absent although it existed before", what).isEqualTo(ABSENT);
                    continue;
                }
                assertThat(Files.isRegularFile(p)).as(what).isTrue();
                long size = Files.size(p);
                if (size != sizes.get(desired[i]) && !(size == sizes.getOrDefault(onTarget[i], -1L))) {
                    fail("%s has %d bytes: neither the old content (%s) nor the new one (%d bytes): a partial write",
                            what, size, onTarget[i].equals(ABSENT) ? "absent" : sizes.get(onTarget[i]) + " bytes",
                            sizes.get(desired[i]));
                }
                String sha = Trees.sha256(p);
                assertThat(sha).as("%s: content is neither old nor new", what).isIn(onTarget[i], desired[i]);
                assertThat(Trees.mode(p)).as("%s: mode", what).isEqualTo(mode(i));
                if (sha.equals(desired[i]) && !onTarget[i].equals(desired[i])) {
                    done++;
                }
            }
            List<String> temps = strays();
            for (String t : temps) {
                assertThat(t).as("stray file in %s after trial %d", DIR, trials).matches("\\.image\\d\\d\\.img\\.[0-9a-f]{16}\\.mosaic-tmp");
            }
            strayTemps += temps.size();
            if ((done > 0 && done < needed) || !temps.isEmpty()) {
                midApply++;
            }
            log.add(String.format("trial %2d %-9s killed %-26s exit %3d: %2d of %2d changes done, %d temp file(s)",
                    trials, creation ? "creation" : "overwrite", when, killed.exitCode(), done, needed, temps.size()));

            // The next apply converges, and leaves no temp file behind; then there is nothing to do.
            Cli.Result converge = cli.run(apply);
            assertThat(converge.exitCode()).as("%s", converge).isZero();
            // The killed apply could not release its lock: the next one takes it over, saying so.
            assertThat(converge.stderr().lines().filter(l -> l.contains("warning")))
                    .as("%s", converge).allMatch(l -> l.contains("took over the lock of PID " + running.process().pid()) && l.contains("that process is gone"));
            assertConverged();
            assertThat(strays()).as("temp files after a complete apply").isEmpty();
            Cli.Result plan = Cli.inProcess("plan", "--detailed-exitcode", "--root", root.toString(),
                    playbookDir.resolve("playbook.yml").toString());
            assertThat(plan.exitCode()).as("%s", plan).isZero();
            assertThat(plan.stdout()).as("%s", plan).startsWith("No changes.");
            System.arraycopy(desired, 0, onTarget, 0, FILES);
        }
        System.out.printf("KillNineTest: full apply %d ms; %d trials (%d overwriting), %d SIGKILLs, %d mid-apply,"
                + " %d temp files left by kills%n  %s%n", durationMillis, trials, overwriteTrials, kills, midApply,
                strayTemps, String.join("\n  ", log));
        assertThat(kills).as("applies ended by SIGKILL (exit code 137)").isGreaterThanOrEqualTo(MIN_KILLS);
        assertThat(midApply).as("kills that landed while files were being written").isPositive();
    }

    /** How many resources the apply reported as created or updated (one line each, as they finish). */
    private static long changesReported(String stdout) {
        return stdout.lines().filter(l -> l.matches("[+~] file\\[image\\d\\d]: .*")).count();
    }

    private static String target(int i) {
        return String.format("%s/image%02d.img", DIR, i);
    }

    private static int mode(int i) {
        return i % 4 == 0 ? 0600 : 0644;
    }

    /** Gives resource {@code i} new desired content of 4 to 16 MiB (plus a few odd bytes). */
    private void newVersion(int i, Random rnd) throws IOException {
        int size = (4 + rnd.nextInt(13)) * MIB + rnd.nextInt(4096);
        byte[] bytes = new byte[size];
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        SplittableRandom fill = new SplittableRandom(SEED ^ (i * 1_000_003L) ^ (++versions[i] * 7_919L));
        while (buf.remaining() >= 8) {
            buf.putLong(fill.nextLong());
        }
        while (buf.hasRemaining()) {
            buf.put((byte) fill.nextInt());
        }
        Files.write(playbookDir.resolve(String.format("files/image%02d.bin", i)), bytes);
        desired[i] = Trees.sha256(bytes);
        sizes.put(desired[i], (long) size);
    }

    private void assertConverged() {
        for (int i = 0; i < FILES; i++) {
            Path p = Trees.under(root, target(i));
            assertThat(p).isRegularFile();
            assertThat(Trees.sha256(p)).as("content of %s", p).isEqualTo(desired[i]);
            assertThat(Trees.mode(p)).as("mode of %s", p).isEqualTo(mode(i));
        }
    }

    /** Names in the managed directory that are not managed files. */
    private List<String> strays() throws IOException {
        Path dir = Trees.under(root, DIR);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.matches("image\\d\\d\\.img")).sorted().toList();
        }
    }
}
