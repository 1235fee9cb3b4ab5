package dev.mosaic.property;

import dev.mosaic.e2e.Cli;
import dev.mosaic.host.StatCache;
import dev.mosaic.testing.TreeSnapshot;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Playbooks the convergence properties ({@link ConvergencePropertiesTest}) found failing, shrunk,
 * kept as plain tests with the concrete playbook so they run on every build whatever the seed.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConvergenceCounterexamplesTest {

    @TempDir
    Path tmp;

    private Path write(String yaml) throws IOException {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Files.createDirectories(project.resolve("src/copy0"));
        Files.writeString(project.resolve("src/copy0/a"), "a\n");
        Project.tarGz(Files.createDirectories(project.resolve("src")).resolve("archive2.tar.gz"),
                List.of(new Model.Entry("sub/c", "", "0644"), new Model.Entry("sub/d", " ", "0755")));
        Path playbook = project.resolve("playbook.yml");
        Files.writeString(playbook, yaml);
        return playbook;
    }

    /**
     * Seed 20261214: the stat cache hashes again a file written less than two seconds before
     * ("racy", as git says) on every run, and rewrote statcache.bin each time with the same entry,
     * so an apply right after another wrote into the state directory though nothing had changed.
     * (Once the file is older, the next run records a trusted entry and writes the cache once more:
     * that write is wanted, and the property leaves the stat cache out of its comparison.)
     */
    @Test
    void recording_the_same_digest_of_a_file_that_is_still_racy_does_not_rewrite_the_stat_cache() throws IOException {
        Path file = tmp.resolve("statcache.bin");
        long mtime = 1_700_000_000_000_000_000L;
        StatCache first = StatCache.load(file);
        first.record("/srv/a", 2, mtime, "ino=1", "ab12", mtime + 1_000_000);
        first.save();
        List<String> before = TreeSnapshot.of(tmp);

        StatCache second = StatCache.load(file);
        assertThat(second.lookup("/srv/a", 2, mtime, "ino=1")).as("racy: not trusted").isNull();
        second.record("/srv/a", 2, mtime, "ino=1", "ab12", mtime + 5_000_000);
        second.save();

        assertThat(Runs.difference(before, TreeSnapshot.of(tmp))).isEmpty();
        StatCache later = StatCache.load(file);
        later.record("/srv/a", 2, mtime, "ino=1", "ab12", mtime + 3_000_000_000L);
        later.save();
        assertThat(StatCache.load(file).lookup("/srv/a", 2, mtime, "ino=1")).as("trusted once old enough").isEqualTo("ab12");
    }

    /**
     * Seed 20261214, shrunk: a build whose {@code inputs} name the directory an archive unpacks
     * into got no edge from that archive (an archive declared no path for its dest), so both ran
     * at once and the build's fingerprint walked a half-unpacked tree ("no such file:
     * …/srv/archive2/sub/.c.mosaic-tmp"). An archive now declares its dest as filled.
     */
    @Test
    void a_build_reading_the_tree_an_archive_unpacks_runs_after_the_archive() throws IOException {
        Path playbook = write("""
                name: generated
                resources:
                  build0-dir:
                    type: directory
                    path: /srv/build0
                  build0:
                    type: build
                    dir: /srv/build0
                    command: "find ../archive2 -type f | LC_ALL=C sort | xargs cat > out"
                    inputs: [/srv/archive2]
                    outputs: [/srv/build0/out]
                    toolchain: []
                    share: false
                  archive2:
                    type: archive
                    source: src/archive2.tar.gz
                    dest: /srv/archive2
                """);

        Cli.Result graph = Cli.inProcess("graph", playbook.toString());

        assertThat(graph.exitCode()).as("%s", graph).isZero();
        assertThat(graph.stdout()).as("%s", graph).contains("archive[archive2] -> build[build0]");
    }
}
