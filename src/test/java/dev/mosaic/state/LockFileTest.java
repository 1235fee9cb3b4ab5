package dev.mosaic.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LockFileTest {

    @TempDir
    Path tmp;

    private static final String URL = "https://example.org/x.tgz";
    private static final String SHA = "a".repeat(64);

    @Test
    void aLockFileOfTheFirstShape_readsAsItIs_andKeepsItsPinsWhenAKernelIsRecorded() throws IOException {
        Path file = tmp.resolve("mosaic.lock");
        Files.writeString(file, "{\n  \"version\" : 1,\n  \"sha256\" : {\n    \"" + URL + "\" : \"" + SHA + "\"\n  }\n}");
        LockFile lock = new LockFile(file);

        assertThat(lock.get(URL)).contains(SHA);
        assertThat(lock.kernels()).isEmpty();

        lock.recordKernels(Map.of("linux-image-amd64", "6.1.0-57-amd64"));

        LockFile again = new LockFile(file);
        assertThat(again.get(URL)).contains(SHA);
        assertThat(again.kernels()).containsExactly(Map.entry("linux-image-amd64", "6.1.0-57-amd64"));
        assertThat(Files.readString(file)).contains("\"kernels\" : {\n    \"linux-image-amd64\" : \"6.1.0-57-amd64\"\n  }");
    }

    @Test
    void withoutKernels_theFileIsWrittenInTheFirstShape() throws IOException {
        Path file = tmp.resolve("mosaic.lock");

        new LockFile(file).pin(URL, SHA);

        assertThat(Files.readString(file)).isEqualTo("{\n  \"version\" : 1,\n  \"sha256\" : {\n    \"" + URL + "\" : \"" + SHA + "\"\n  }\n}");
    }

    @Test
    void recordingKernels_keepsOthersRecorded_andMovesTheOnesGiven() throws IOException {
        LockFile lock = new LockFile(tmp.resolve("mosaic.lock"));
        lock.recordKernels(Map.of("linux-image-amd64", "6.1.0-56-amd64", "linux-image-rt-amd64", "6.1.0-56-rt-amd64"));

        lock.recordKernels(Map.of("linux-image-amd64", "6.1.0-57-amd64"));

        assertThat(lock.kernels()).containsExactly(Map.entry("linux-image-amd64", "6.1.0-57-amd64"),
                Map.entry("linux-image-rt-amd64", "6.1.0-56-rt-amd64"));
    }

    @Test
    void recordingWhatIsRecordedAlready_leavesTheFileAlone() throws IOException {
        Path file = tmp.resolve("mosaic.lock");
        LockFile lock = new LockFile(file);
        lock.recordKernels(Map.of("linux-image-amd64", "6.1.0-57-amd64"));
        Object before = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();

        lock.recordKernels(Map.of("linux-image-amd64", "6.1.0-57-amd64"));

        assertThat(Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey()).isEqualTo(before);
    }

    @Test
    void aFieldOfALaterVersion_isNoError() throws IOException {
        Path file = tmp.resolve("mosaic.lock");
        Files.writeString(file, "{\"version\": 1, \"sha256\": {}, \"kernels\": {\"linux-image-amd64\": \"6.1.0-57-amd64\"}, \"later\": [1]}");

        assertThat(new LockFile(file).kernels()).containsEntry("linux-image-amd64", "6.1.0-57-amd64");
    }

    @Test
    void aDamagedLockFile_isReportedWithItsPath() throws IOException {
        Path file = tmp.resolve("mosaic.lock");
        Files.writeString(file, "{\"version\": 1, \"kernels\": [");

        assertThatThrownBy(() -> new LockFile(file).kernels()).isInstanceOf(IOException.class)
                .hasMessageStartingWith("lock file " + file + " is not valid: ");
    }

    @Test
    void pinsAndKernels_writtenAtOnceThroughTwoInstances_areAllKept() throws Exception {
        Path file = tmp.resolve("mosaic.lock");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = i;
                // Each write through its own instance, as two sessions of an inventory do.
                done.add(pool.submit(() -> {
                    LockFile lock = new LockFile(file);
                    if (n % 2 == 0) {
                        lock.pin(URL + n, SHA);
                    } else {
                        lock.recordKernels(Map.of("linux-image-" + n, "6.1.0-" + n));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        LockFile lock = new LockFile(file);
        assertThat(lock.kernels()).hasSize(20);
        for (int i = 0; i < 40; i += 2) {
            assertThat(lock.get(URL + i)).contains(SHA);
        }
    }
}
