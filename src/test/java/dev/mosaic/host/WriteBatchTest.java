package dev.mosaic.host;

import static dev.mosaic.testing.Tp.tp;
import dev.mosaic.testing.Canary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link LocalHost#writes}: temp files staged, flushed together, renamed at commit. */
class WriteBatchTest {

    @TempDir
    Path tmp;

    private static InputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private Path root() throws IOException {
        return Files.createDirectories(tmp.resolve("root"));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writes_showNothingBeforeCommit_andEveryFileWithItsModeAfter() throws IOException {
        Path root = root();
        Files.createDirectories(root.resolve("srv"));
        Files.writeString(root.resolve("srv/a"), "old a");
        LocalHost host = new LocalHost(root);
        try (WriteBatch batch = host.writes()) {
            batch.write(tp("/srv/a"), text("new a"), 0644);
            batch.write(tp("/srv/sub/b"), text("new b"), 0600);
            assertThat(Files.readString(root.resolve("srv/a"))).as("before commit").isEqualTo("old a");
            assertThat(root.resolve("srv/sub/b")).as("before commit").doesNotExist();
            batch.commit();
        }
        assertThat(Files.readString(root.resolve("srv/a"))).isEqualTo("new a");
        assertThat(Files.readString(root.resolve("srv/sub/b"))).isEqualTo("new b");
        assertThat(host.stat(tp("/srv/sub/b")).mode()).isEqualTo(0600);
        assertThat(names(root.resolve("srv"))).containsExactly("a", "sub");
        assertThat(names(root.resolve("srv/sub"))).containsExactly("b");
    }

    @Test
    void twoWritesOfOnePath_theLaterWins() throws IOException {
        Path root = root();
        LocalHost host = new LocalHost(root);
        try (WriteBatch batch = host.writes()) {
            batch.write(tp("/f"), text("first"), 0644);
            batch.write(tp("/f"), text("second"), 0644);
            batch.commit();
        }
        assertThat(Files.readString(root.resolve("f"))).isEqualTo("second");
        assertThat(names(root)).containsExactly("f");
    }

    @Test
    void close_withoutCommit_leavesEveryPathAsItWas_andNoTempFile() throws IOException {
        Path root = root();
        Files.writeString(root.resolve("kept"), "old");
        LocalHost host = new LocalHost(root);
        try (WriteBatch batch = host.writes()) {
            batch.write(tp("/kept"), text("new"), 0644);
            batch.write(tp("/fresh"), text("new"), 0644);
        }
        assertThat(Files.readString(root.resolve("kept"))).isEqualTo("old");
        assertThat(names(root)).containsExactly("kept");
    }

    @Test
    void aContentThatFailsMidway_leavesThePathAsItWas_andTheBatchGoesOn() throws IOException {
        Path root = root();
        Files.writeString(root.resolve("a"), "old");
        LocalHost host = new LocalHost(root);
        InputStream broken = new InputStream() {
            private int n;

            @Override
            public int read() throws IOException {
                if (n++ < 10) {
                    return 'x';
                }
                throw new IOException("source went away");
            }
        };
        try (WriteBatch batch = host.writes()) {
            assertThatThrownBy(() -> batch.write(tp("/a"), broken, 0644)).hasMessageContaining("source went away");
            batch.write(tp("/b"), text("b"), 0644);
            batch.commit();
        }
        assertThat(Files.readString(root.resolve("a"))).isEqualTo("old");
        assertThat(names(root)).containsExactly("a", "b");
    }

    @Test
    void moreFilesThanOneBatchHolds_areRenamedAsTheBatchFills() throws IOException {
        Path root = root();
        LocalHost host = new LocalHost(root);
        int n = LocalWriteBatch.MAX_FILES + 10;
        try (WriteBatch batch = host.writes()) {
            for (int i = 0; i < n; i++) {
                batch.write(tp("/d/f" + i), text("file " + i), 0644);
            }
            // the first MAX_FILES were committed by the write that filled the batch
            assertThat(Files.readString(root.resolve("d/f0"))).isEqualTo("file 0");
            assertThat(root.resolve("d/f" + (n - 1))).doesNotExist();
        }
        assertThat(root.resolve("d/f" + (n - 1))).as("not committed: dropped at close").doesNotExist();
        long temps;
        try (Stream<Path> s = Files.list(root.resolve("d"))) {
            temps = s.filter(p -> AtomicWriter.isTemp(p.getFileName().toString())).count();
        }
        assertThat(temps).isZero();
        assertThat(names(root.resolve("d"))).hasSize(LocalWriteBatch.MAX_FILES);
    }

    @Test
    void tempFilesAKilledRunLeft_areRemovedByTheNextBatchWritingThere() throws IOException {
        Path root = root();
        Path dir = Files.createDirectories(root.resolve("srv"));
        String leftover = AtomicWriter.tempName("a");
        Files.writeString(dir.resolve(leftover), "half");
        try (WriteBatch batch = new LocalHost(root).writes()) {
            batch.write(tp("/srv/a"), text("a"), 0644);
            batch.commit();
        }
        assertThat(names(dir)).containsExactly("a");
    }

    @Test
    void aSymlinkAtThePath_isReplaced_neverWrittenThrough() throws IOException {
        Path root = root();
        Canary canary = Canary.plant(tmp.resolve("outside"));
        Files.createSymbolicLink(root.resolve("link"), canary.file());
        try (WriteBatch batch = new LocalHost(root).writes()) {
            batch.write(tp("/link"), text("mine"), 0644);
            batch.commit();
        }
        assertThat(Files.isSymbolicLink(root.resolve("link"))).isFalse();
        assertThat(Files.readString(root.resolve("link"))).isEqualTo("mine");
        canary.assertUntouched();
    }

    @Test
    void withoutFsync_theBatchStillRenamesAtCommit() throws IOException {
        Path root = root();
        LocalHost host = new LocalHost(root, false, null, false);
        try (WriteBatch batch = host.writes()) {
            batch.write(tp("/x"), text("x"), 0640);
            assertThat(root.resolve("x")).doesNotExist();
            batch.commit();
        }
        assertThat(Files.readString(root.resolve("x"))).isEqualTo("x");
        assertThat(host.stat(tp("/x")).mode()).isEqualTo(0640);
    }

    @Test
    void aWriteIntoMosaicsStateDirectory_isRefused() throws IOException {
        Path root = root();
        Path state = Files.createDirectories(root.resolve("var/lib/mosaic"));
        LocalHost host = new LocalHost(root);
        host.protectStateDir(state);
        try (WriteBatch batch = host.writes()) {
            assertThatThrownBy(() -> batch.write(tp("/var/lib/mosaic/state.json"), text("{}"), 0644))
                    .hasMessageContaining("state directory");
        }
        assertThat(names(state)).isEmpty();
    }
}
