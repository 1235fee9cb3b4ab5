package dev.mosaic.e2e;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Crash safety of a large unpack, whose files are written in batches (flushed together, renamed
 * at each commit): an {@code archive} of {@value #FILES} files (and a hard link per directory)
 * is applied, then a new version of the archive is applied in a separate JVM killed with SIGKILL
 * while it unpacks. After each kill every file holds its old or its new content, whole, with its
 * mode; only temp files lie beside them; the next apply converges to the new version, leaves no
 * temp file, and a plan then finds nothing to do.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class UnpackKillTest {

    private static final long SEED = 0x19f5c0L;
    private static final int DIRS = 10;
    private static final int FILES = 2000;
    private static final int KILLS = 5;
    private static final int KILLED_BY_SIGKILL = 137;
    private static final String DEST = "/srv/tree";

    @TempDir
    Path tmp;

    private Path root;
    private Path playbookDir;

    @Test
    void an_unpack_killed_with_sigkill_leaves_each_file_old_or_new_and_the_next_apply_converges() throws Exception {
        Random rnd = new Random(SEED);
        root = Files.createDirectories(tmp.resolve("root"));
        playbookDir = Files.createDirectories(tmp.resolve("playbook"));
        Files.writeString(playbookDir.resolve("playbook.yml"), """
                name: big-unpack
                resources:
                  tree:
                    type: archive
                    source: tree.tar.gz
                    dest: /srv/tree
                """);
        Cli cli = Cli.in(playbookDir).withTimeout(Duration.ofMinutes(5));
        String[] apply = {"apply", "--root", root.toString(), "playbook.yml"};

        int version = 1;
        writeArchive(version);
        Cli.Result first = cli.run(apply);
        assertThat(first.exitCode()).as("%s", first).isZero();
        assertAll(version, version, "first apply");

        int kills = 0;
        int midUnpack = 0;
        List<String> log = new ArrayList<>();
        for (int trial = 1; kills < KILLS && trial <= 2 * KILLS; trial++) {
            int old = version;
            writeArchive(++version);
            // The kill lands a random moment after the first file of the new version shows: the
            // first commit is done, the unpack goes on.
            Cli.Running running = cli.start(apply);
            Path firstFile = Trees.under(root, DEST + "/" + name(0));
            int want = version;
            boolean started = waitFor(() -> Files.readString(firstFile).equals(content(want, 0)), Duration.ofMinutes(2));
            assertThat(started).as("trial %d: the first file of version %d never showed", trial, version).isTrue();
            long delay = rnd.nextInt(400);
            Thread.sleep(delay);
            Cli.Result killed = running.kill();
            assertThat(killed.exitCode()).as("trial %d: %s", trial, killed).isIn(0, KILLED_BY_SIGKILL);
            if (killed.exitCode() == KILLED_BY_SIGKILL) {
                kills++;
            }

            int[] counted = assertAll(old, version, "trial " + trial + " (killed " + delay + " ms after the first file)");
            if (counted[0] > 0 && counted[1] > 0) {
                midUnpack++;
            }
            log.add(String.format("trial %d: killed %3d ms after the first new file, exit %d: %d old, %d new, %d temp files",
                    trial, delay, killed.exitCode(), counted[0], counted[1], counted[2]));

            Cli.Result converge = cli.run(apply);
            assertThat(converge.exitCode()).as("%s", converge).isZero();
            int[] after = assertAll(version, version, "after trial " + trial);
            assertThat(after[2]).as("temp files after a complete apply").isZero();
            Cli.Result plan = Cli.inProcess("plan", "--detailed-exitcode", "--root", root.toString(),
                    playbookDir.resolve("playbook.yml").toString());
            assertThat(plan.exitCode()).as("%s", plan).isZero();
            assertThat(plan.stdout()).as("%s", plan).startsWith("No changes.");
        }
        System.out.printf("UnpackKillTest: %d SIGKILLs, %d in the middle of the unpack%n  %s%n", kills, midUnpack,
                String.join("\n  ", log));
        assertThat(kills).as("applies ended by SIGKILL").isEqualTo(KILLS);
        assertThat(midUnpack).as("kills that left some files old and some new").isPositive();
    }

    /**
     * A destination that does not exist yet is unpacked whole in a staging directory beside it,
     * flushed and renamed: each trial unpacks a new version into a new destination and is killed
     * a random moment after the staging directory shows. The destination is then absent or
     * complete, never partial; the next apply makes it complete, leaves no staging directory, and
     * a plan finds nothing to do.
     */
    @Test
    void a_fresh_unpack_killed_with_sigkill_leaves_the_destination_absent_or_complete() throws Exception {
        Random rnd = new Random(SEED + 1);
        root = Files.createDirectories(tmp.resolve("root"));
        playbookDir = Files.createDirectories(tmp.resolve("playbook"));
        Cli cli = Cli.in(playbookDir).withTimeout(Duration.ofMinutes(5));
        String[] apply = {"apply", "--root", root.toString(), "playbook.yml"};
        Path srv = Files.createDirectories(Trees.under(root, "/srv"));
        int kills = 0;
        int absent = 0;
        List<String> log = new ArrayList<>();
        for (int trial = 1; kills < KILLS && trial <= 2 * KILLS; trial++) {
            String dest = "/srv/tree-" + trial;
            Files.writeString(playbookDir.resolve("playbook.yml"), """
                    name: fresh-unpack
                    resources:
                      tree:
                        type: archive
                        source: tree.tar.gz
                        dest: %s
                    """.formatted(dest));
            writeArchive(trial);
            Cli.Running running = cli.start(apply);
            String staging = "\\.tree-" + trial + "\\.[0-9a-f]{16}\\.mosaic-tmp";
            boolean started = waitFor(() -> {
                try (Stream<Path> in = Files.list(srv)) {
                    return in.anyMatch(p -> p.getFileName().toString().matches(staging));
                }
            }, Duration.ofMinutes(2));
            assertThat(started).as("trial %d: no staging directory showed beside %s", trial, dest).isTrue();
            long delay = rnd.nextInt(600);
            Thread.sleep(delay);
            Cli.Result killed = running.kill();
            assertThat(killed.exitCode()).as("trial %d: %s", trial, killed).isIn(0, KILLED_BY_SIGKILL);
            if (killed.exitCode() == KILLED_BY_SIGKILL) {
                kills++;
            }
            Path tree = Trees.under(root, dest);
            boolean there = Files.exists(tree);
            if (there) {
                int[] counted = assertAll(trial, trial, dest, "trial " + trial + " (killed " + delay + " ms after staging began)");
                assertThat(counted[2]).as("trial %d: temp files in a new tree", trial).isZero();
            } else {
                absent++;
            }
            log.add(String.format("trial %d: killed %3d ms after staging began, exit %d: %s", trial, delay,
                    killed.exitCode(), there ? "complete" : "absent"));

            Cli.Result converge = cli.run(apply);
            assertThat(converge.exitCode()).as("%s", converge).isZero();
            assertAll(trial, trial, dest, "after trial " + trial);
            try (Stream<Path> in = Files.list(srv)) {
                assertThat(in.map(p -> p.getFileName().toString())).as("after trial %d", trial)
                        .noneMatch(n -> n.endsWith(".mosaic-tmp"));
            }
            Cli.Result plan = Cli.inProcess("plan", "--detailed-exitcode", "--root", root.toString(),
                    playbookDir.resolve("playbook.yml").toString());
            assertThat(plan.exitCode()).as("%s", plan).isZero();
            assertThat(plan.stdout()).as("%s", plan).startsWith("No changes.");
        }
        System.out.printf("UnpackKillTest (fresh): %d SIGKILLs, %d left the destination absent%n  %s%n", kills, absent,
                String.join("\n  ", log));
        assertThat(kills).as("applies ended by SIGKILL").isEqualTo(KILLS);
        assertThat(absent).as("kills before the rename, which left the destination absent").isPositive();
    }

    private static String name(int i) {
        return String.format("d%02d/f%04d.txt", i % DIRS, i);
    }

    private static String linkName(int dir) {
        return String.format("d%02d/link.txt", dir);
    }

    /** Version {@code v} of file {@code i}: 1 to 8 KiB, different in every version. */
    private static String content(int v, int i) {
        String line = "file " + i + " of version " + v + "\n";
        return line.repeat(1 + (int) ((i * 7919L + v * 104729L) % (8192 / line.length())));
    }

    /** Mode of file {@code i}: a few are private. */
    private static int mode(int i) {
        return i % 10 == 0 ? 0600 : 0644;
    }

    /** Files in archive order, directory by directory; a hard link to the directory's first file in the middle of each. */
    private void writeArchive(int v) throws IOException {
        try (OutputStream out = Files.newOutputStream(playbookDir.resolve("tree.tar.gz"));
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
            for (int d = 0; d < DIRS; d++) {
                int inDir = 0;
                for (int i = d; i < FILES; i += DIRS) {
                    byte[] b = content(v, i).getBytes(StandardCharsets.UTF_8);
                    TarArchiveEntry entry = new TarArchiveEntry(name(i));
                    entry.setSize(b.length);
                    entry.setMode(0100000 | mode(i));
                    tar.putArchiveEntry(entry);
                    tar.write(b);
                    tar.closeArchiveEntry();
                    if (++inDir == FILES / DIRS / 2) {
                        TarArchiveEntry link = new TarArchiveEntry(linkName(d), TarConstants.LF_LINK);
                        link.setLinkName(name(d));
                        tar.putArchiveEntry(link);
                        tar.closeArchiveEntry();
                    }
                }
            }
        }
    }

    /**
     * Every file holds version {@code old} or {@code v}, whole, with its mode; nothing else lies in
     * the tree but temp files. Returns how many files were old, new, and the temp files.
     */
    private int[] assertAll(int old, int v, String what) throws IOException {
        return assertAll(old, v, DEST, what);
    }

    private int[] assertAll(int old, int v, String dest, String what) throws IOException {
        int olds = 0;
        int news = 0;
        for (int i = 0; i < FILES; i++) {
            Path p = Trees.under(root, dest + "/" + name(i));
            String text = Files.readString(p);
            if (text.equals(content(v, i))) {
                news++;
            } else if (text.equals(content(old, i))) {
                olds++;
            } else {
                fail("%s: %s holds %d bytes, neither version %d nor version %d: a partial write", what, name(i),
                        text.length(), old, v);
            }
            assertThat(Trees.mode(p)).as("%s: mode of %s", what, name(i)).isEqualTo(mode(i));
        }
        for (int d = 0; d < DIRS; d++) {
            String text = Files.readString(Trees.under(root, dest + "/" + linkName(d)));
            assertThat(text).as("%s: %s", what, linkName(d)).isIn(content(old, d), content(v, d));
        }
        int temps = 0;
        try (Stream<Path> all = Files.walk(Trees.under(root, dest))) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String n = p.getFileName().toString();
                if (Files.isDirectory(p) || n.matches("f\\d{4}\\.txt|link\\.txt")) {
                    continue;
                }
                assertThat(n).as("%s: stray file %s", what, p).matches("\\..+\\.[0-9a-f]{16}\\.mosaic-tmp");
                temps++;
            }
        }
        return new int[] {olds, news, temps};
    }

    private interface Check {
        boolean holds() throws IOException;
    }

    private static boolean waitFor(Check check, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            try {
                if (check.holds()) {
                    return true;
                }
            } catch (IOException e) {
                // not there yet
            }
            Thread.sleep(5);
        }
        return false;
    }
}
