package dev.mosaic.resource.archive;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NativeDecoderTest {

    @TempDir
    Path tmp;

    private Path gzipOf(byte[] content) throws IOException {
        Path gz = tmp.resolve("data.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(content);
        }
        return gz;
    }

    private static ArchiveReader.Input file(Path p) {
        return new ArchiveReader.Input() {
            @Override
            public InputStream open() throws IOException {
                return Files.newInputStream(p);
            }

            @Override
            public long size() throws IOException {
                return Files.size(p);
            }

            @Override
            public Path file() {
                return p;
            }
        };
    }

    @Test
    void aGzipIsDecompressedByGzipIntoASpoolThatLeavesNothingBehindOnceDeleted() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/gzip")) || Files.isExecutable(Path.of("/usr/bin/gzip")));
        byte[] content = new byte[3 << 20];
        new Random(19).nextBytes(content);
        Path spoolDir = tmp.resolve("cache/unpack-spool/1");

        Optional<NativeDecoder.Spool> spool = NativeDecoder.spool(ArchiveFormat.TAR_GZ, file(gzipOf(content)),
                spoolDir, 8 << 20, 10);

        assertThat(spool).isPresent();
        assertThat(Files.readAllBytes(spool.get().tar())).isEqualTo(content);
        spool.get().delete();
        assertThat(tmp.resolve("cache")).doesNotExist();
    }

    @Test
    void spoolsOfOneRunMadeAndDeletedAtOnce_neverLoseTheirDirectoryToAnother() throws Exception {
        // Packages of one wave unpack at once: one deleting its spool (and the directory it made)
        // while another is making its own must not fail the other ("no such file").
        assumeTrue(Files.isExecutable(Path.of("/bin/gzip")) || Files.isExecutable(Path.of("/usr/bin/gzip")));
        Path gz = gzipOf(new byte[4096]);
        Path spoolDir = tmp.resolve("cache/unpack-spool/1");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<Boolean>> runs = new java.util.ArrayList<>();
            for (int i = 0; i < 120; i++) {
                runs.add(pool.submit(() -> {
                    Optional<NativeDecoder.Spool> spool = NativeDecoder.spool(ArchiveFormat.TAR_GZ, file(gz), spoolDir, 1 << 20, 10);
                    spool.orElseThrow().delete();
                    return true;
                }));
            }
            for (java.util.concurrent.Future<Boolean> r : runs) {
                assertThat(r.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        // No spool is left; an emptied directory may be (the next run removes a gone process's).
        if (Files.exists(spoolDir)) {
            assertThat(spoolDir).isEmptyDirectory();
        }
    }

    @Test
    void unpacksStartingAtOnce_bothRemovingAKilledRunsSpool_neitherFails() throws Exception {
        // A killed run left unpack-spool/<its pid>; the packages of the next run's first wave all
        // find it at once, and each removes it (seen as "no such file: unpack-spool/PID").
        Path cache = tmp.resolve("cache");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            for (int round = 0; round < 40; round++) {
                Path left = cache.resolve("unpack-spool/" + (Integer.MAX_VALUE - round));
                Files.createDirectories(left);
                for (int f = 0; f < 20; f++) {
                    Files.write(left.resolve(".unpack-" + f + ".tar"), new byte[16]);
                }
                List<java.util.concurrent.Future<Path>> runs = new java.util.ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    runs.add(pool.submit(() -> NativeDecoder.spoolDir(cache)));
                }
                for (java.util.concurrent.Future<Path> r : runs) {
                    assertThat(r.get()).isEqualTo(cache.resolve("unpack-spool/" + ProcessHandle.current().pid()));
                }
                assertThat(left).doesNotExist();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLinkNamedLikeAGoneRunsSpoolIsNeverListedThrough_andAHugeNumberIsNoError() throws Exception {
        Path cache = tmp.resolve("cache");
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Path canary = Files.writeString(elsewhere.resolve("canary"), "kept");
        Files.createDirectories(cache.resolve("unpack-spool"));
        Path link = Files.createSymbolicLink(cache.resolve("unpack-spool/" + (Integer.MAX_VALUE - 1)), elsewhere);
        Path huge = Files.createDirectories(cache.resolve("unpack-spool/" + "9".repeat(25)));

        assertThat(NativeDecoder.spoolDir(cache)).isEqualTo(cache.resolve("unpack-spool/" + ProcessHandle.current().pid()));

        assertThat(canary).hasContent("kept");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(huge).isDirectory();
    }

    @Test
    void aDecompressionPastTheLimitsGivesNoSpoolSoThatJavaReadsAndRefusesIt() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/gzip")) || Files.isExecutable(Path.of("/usr/bin/gzip")));
        Path bomb = gzipOf(new byte[16 << 20]); // 16 MiB of zeros in a few KiB

        Optional<NativeDecoder.Spool> spool = NativeDecoder.spool(ArchiveFormat.TAR_GZ, file(bomb),
                tmp.resolve("cache/unpack-spool/1"), 1 << 20, 1);

        assertThat(spool).isEmpty();
        assertThat(tmp.resolve("cache")).doesNotExist();
    }

    @Test
    void aHashedDecompressionPastTheLimitsGivesNoSpoolAndNoDigest() throws Exception {
        assumeTrue(NativeDecoder.which("gzip").isPresent(), "gzip on the PATH");
        Path bomb = gzipOf(new byte[64 << 20]); // 64 MiB of zeros, fed through this process and hashed

        Optional<NativeDecoder.Spool> spool = NativeDecoder.spool(ArchiveFormat.TAR_GZ, file(bomb),
                tmp.resolve("cache/unpack-spool/1"), 1 << 20, 1, true);

        assertThat(spool).isEmpty();
        assertThat(tmp.resolve("cache")).doesNotExist();
    }

    @Test
    void aFormatWithoutANativeToolGivesNoSpool() throws Exception {
        Path zip = Files.write(tmp.resolve("a.zip"), new byte[] {'P', 'K', 5, 6});

        assertThat(NativeDecoder.spool(ArchiveFormat.ZIP, file(zip), tmp.resolve("spool"), 1 << 20, 1)).isEmpty();
        assertThat(tmp.resolve("spool")).doesNotExist();
    }

    @Test
    void aStreamGivesTheDecompressedBytesAndTheSha256OfTheWholeArchiveFedToTheTool() throws Exception {
        assumeTrue(NativeDecoder.which("gzip").isPresent(), "gzip on the PATH");
        byte[] content = new byte[3 << 20];
        new Random(7).nextBytes(content);
        Path gz = gzipOf(content);

        try (NativeDecoder.Stream s = NativeDecoder.stream(ArchiveFormat.TAR_GZ, file(gz)).orElseThrow()) {
            assertThat(s.tar().readAllBytes()).isEqualTo(content);
            assertThat(s.finish()).contains(dev.mosaic.resource.Digests.sha256(Files.readAllBytes(gz)));
        }
    }

    @Test
    void aStreamOfADamagedArchiveGivesNoDigest_soThatJavaReadsItAgain() throws Exception {
        assumeTrue(NativeDecoder.which("gzip").isPresent(), "gzip on the PATH");
        byte[] whole = Files.readAllBytes(gzipOf(new byte[1 << 20]));
        Path cut = Files.write(tmp.resolve("cut.tar.gz"), java.util.Arrays.copyOf(whole, whole.length - 20));

        try (NativeDecoder.Stream s = NativeDecoder.stream(ArchiveFormat.TAR_GZ, file(cut)).orElseThrow()) {
            s.tar().transferTo(OutputStream.nullOutputStream());
            assertThat(s.finish()).isEmpty();
        }
    }

    @Test
    void theSystemsSha256OfALargeFileAndOfAStreamAreJavas() throws Exception {
        byte[] data = new byte[(int) NativeDigest.NATIVE_FROM + 5];
        new Random(3).nextBytes(data);
        Path f = Files.write(tmp.resolve("big.bin"), data);
        String java = dev.mosaic.resource.Digests.sha256(data);

        NativeDigest.Hasher h = NativeDigest.hasher();
        h.update(data, 0, 1000);
        h.update(data, 1000, data.length - 1000);

        assertThat(h.digest()).isEqualTo(java);
        assumeTrue(NativeDigest.tool().isPresent(), "openssl or sha256sum on the PATH");
        assertThat(NativeDigest.ofFile(f)).contains(java);
    }

    @Test
    void bothToolsPrintJavasSha256AndOpensslIsPreferred() throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(5).nextBytes(data);
        Path f = Files.write(tmp.resolve("both.bin"), data);
        String expected = dev.mosaic.resource.Digests.sha256(data);
        var openssl = NativeDecoder.which("openssl");
        var sha256sum = NativeDecoder.which("sha256sum");
        assumeTrue(openssl.isPresent() && sha256sum.isPresent(), "openssl and sha256sum on the PATH");

        assertThat(NativeDigest.ofFile(f, List.of(openssl.get().toString(), "dgst", "-sha256", "-r")))
                .contains(expected);
        assertThat(NativeDigest.ofFile(f, List.of(sha256sum.get().toString()))).contains(expected);
        assertThat(NativeDigest.tool().orElseThrow().get(0)).isEqualTo(openssl.get().toString());
        // A tool that fails gives no digest (the caller hashes in Java), never a wrong one.
        assertThat(NativeDigest.ofFile(f, List.of(openssl.get().toString(), "dgst", "-no-such-digest")))
                .isEmpty();
    }
}
