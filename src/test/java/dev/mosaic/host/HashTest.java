package dev.mosaic.host;

import static dev.mosaic.testing.Tp.tp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** File digests read through one buffer per thread: each file's digest is its own, whatever was read before. */
class HashTest {

    @TempDir
    Path tmp;

    @Test
    void sha256_filesOfEverySizeOneAfterTheOther_eachHasItsOwnDigest() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        LocalHost host = new LocalHost(root);
        Random random = new Random(19);
        // larger than the buffer, then smaller, empty, exactly its size, one byte over
        for (int size : new int[] {40_000, 5, 0, 16 * 1024, 16 * 1024 + 1, 3}) {
            byte[] content = new byte[size];
            random.nextBytes(content);
            Files.write(root.resolve("f" + size), content);
            String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
            assertThat(host.sha256(tp("/f" + size))).as("%d bytes", size).isEqualTo(expected);
        }
    }
}
