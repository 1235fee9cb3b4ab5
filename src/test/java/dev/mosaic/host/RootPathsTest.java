package dev.mosaic.host;

import dev.mosaic.base.TargetPath;
import static dev.mosaic.testing.Tp.tp;
import dev.mosaic.testing.Canary;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A path's directories once found plain are not looked at again (an archive's 80,000 entries in
 * 5,000 directories), yet a directory the host or a command replaced by a link is walked anew:
 * what {@code stat} answers is always what a host that never saw the tree would answer.
 */
class RootPathsTest {

    @TempDir
    Path tmp;

    private Path root;
    private Canary canary;
    private LocalHost host;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        canary = Canary.plant(tmp.resolve("outside"));
        host = new LocalHost(root);
    }

    private void file(String target, String text) throws IOException {
        Path p = root.resolve(target.substring(1));
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void stat_afterACommandReplacedAKnownDirectoryWithALinkOut_readsInsideTheRoot() throws IOException {
        file("/srv/out/a", "1");
        assertThat(host.stat(tp("/srv/out/a")).size()).isEqualTo(1);
        assertThat(host.stat(tp("/srv/out/a")).size()).isEqualTo(1); // its directories known now
        Exec.Result r = host.exec(Exec.of(TargetPath.ROOT, "sh", "-c", "rm -rf srv/out && ln -s " + canary.subdir() + " srv/out"));
        assertThat(r.exitCode()).as("%s", r).isZero();
        file(canary.subdir() + "/a", "inside the root");

        assertThat(host.stat(tp("/srv/out/a")).size()).isEqualTo("inside the root".length());
        assertThat(host.resolve(tp("/srv/out/a"), false)).isEqualTo(root.resolve(canary.subdir().toString().substring(1)).resolve("a"));
        canary.assertUntouched();
    }

    @Test
    void stat_afterTheHostReplacedAKnownDirectoryWithALink_followsTheLinkInsideTheRoot() throws IOException {
        file("/usr/src/tree/a", "1");
        file("/elsewhere/a", "12345");
        assertThat(host.stat(tp("/usr/src/tree/a")).size()).isEqualTo(1);
        assertThat(host.stat(tp("/usr/src/tree/a")).size()).isEqualTo(1);

        host.deleteTree(tp("/usr/src/tree"));
        host.symlink(tp("/usr/src/tree"), "/elsewhere");

        assertThat(host.stat(tp("/usr/src/tree/a")).size()).isEqualTo(5);
        host.delete(tp("/usr/src/tree"));
        host.mkdirs(tp("/usr/src/tree"), 0755);
        assertThat(host.stat(tp("/usr/src/tree/a")).exists()).isFalse();
    }

    @Test
    void resolve_answersWhatAHostThatNeverSawTheTreeAnswers() throws IOException {
        file("/a/b/c/f", "f");
        file("/a/b/g", "g");
        file("/x/y/h", "h");
        Files.createSymbolicLink(root.resolve("a/link"), Path.of("/x/y"));
        Files.createSymbolicLink(root.resolve("a/b/up"), Path.of("../../x"));
        List<String> paths = List.of("/a/b/c/f", "/a/b/g", "/a/b/c", "/a/link/h", "/a/link", "/a/b/up/y/h",
                "/a/b/up", "/a/missing/f", "/a/b/c/f/below-a-file", "/x/y/h");
        for (int round = 0; round < 3; round++) {
            for (String p : paths) {
                for (boolean followLast : new boolean[] {false, true}) {
                    assertThat(host.resolve(tp(p), followLast)).as("%s, followLast %s, round %d", p, followLast, round)
                            .isEqualTo(new LocalHost(root).resolve(tp(p), followLast));
                }
            }
        }
    }

    @Test
    void stat_ofAFileWrittenBelowKnownDirectories_seesEachWrite() throws IOException {
        for (int i = 0; i < 50; i++) {
            host.writeAtomic(tp("/var/lib/d" + (i % 5) + "/f" + i), new ByteArrayInputStream(new byte[i]), 0644);
        }
        for (int i = 0; i < 50; i++) {
            assertThat(host.stat(tp("/var/lib/d" + (i % 5) + "/f" + i)).size()).isEqualTo(i);
        }
    }
}
