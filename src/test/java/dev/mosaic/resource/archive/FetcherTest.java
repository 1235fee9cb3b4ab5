package dev.mosaic.resource.archive;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mosaic.base.Sha256;
import dev.mosaic.resource.ResourceException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Fetcher} against a real HTTP server on 127.0.0.1, into a real cache directory: what a
 * hostile or broken server sends never reaches the cache, in part or under a wrong name.
 */
class FetcherTest {

    /** Larger than {@link NativeDigest#NATIVE_FROM}: hashed by the system's tool where there is one. */
    private static final byte[] LARGE = new byte[(int) NativeDigest.NATIVE_FROM + 12345];

    static {
        new Random(18).nextBytes(LARGE);
    }

    @TempDir
    Path tmp;
    Rig rig;
    HttpServer server;

    @BeforeEach
    void start() throws IOException {
        rig = new Rig(tmp.resolve("root"), tmp.resolve("memory"), tmp.resolve("playbook"), tmp.resolve("cache"));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/small", x -> send(x, 200, "small".getBytes(), false));
        server.createContext("/large", x -> send(x, 200, LARGE, false));
        server.createContext("/chunked", x -> send(x, 200, LARGE, true));
        server.createContext("/moved", x -> redirect(x, url("/small")));
        server.createContext("/to-a-file", x -> redirect(x, "file:///etc/passwd"));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void send(HttpExchange x, int status, byte[] body, boolean chunked) throws IOException {
        x.sendResponseHeaders(status, chunked ? 0 : body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        } catch (IOException e) {
            // the client hung up: what a refused download does
        }
        x.close();
    }

    private static void redirect(HttpExchange x, String to) throws IOException {
        x.getResponseHeaders().add("Location", to);
        x.sendResponseHeaders(302, -1);
        x.close();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Everything in the cache that is not a directory: temp files included. */
    private List<Path> cacheEntries() throws IOException {
        if (!Files.exists(rig.cacheDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(rig.cacheDir)) {
            return s.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).toList();
        }
    }

    @Test
    void aLargeDownload_isNamedByTheDigestOfItsBytes_asJavaComputesIt() throws Exception {
        String digest = Fetcher.fetch(url("/large"), Optional.empty(), 1L << 30, rig);

        assertThat(digest).isEqualTo(Sha256.hex(LARGE));
        assertThat(cacheEntries()).containsExactly(Fetcher.cached(rig.cacheDir, digest));
        assertThat(Files.readAllBytes(Fetcher.cached(rig.cacheDir, digest))).isEqualTo(LARGE);
    }

    @Test
    void aRedirectOnTheSameServer_isFollowed() throws Exception {
        assertThat(Fetcher.fetch(url("/moved"), Optional.empty(), 1000, rig)).isEqualTo(Sha256.hex("small"));
    }

    @Test
    void aRedirectToALocalFile_isNotFollowed_andNothingIsCached() throws Exception {
        assertThatThrownBy(() -> Fetcher.fetch(url("/to-a-file"), Optional.empty(), 1000, rig))
                .isInstanceOf(Fetcher.Unavailable.class).hasMessage("HTTP 302");
        assertThat(cacheEntries()).isEmpty();
    }

    @Test
    void aDeclaredLengthOverMaxSize_isRefusedBeforeReading() throws Exception {
        assertThatThrownBy(() -> Fetcher.fetch(url("/large"), Optional.empty(), 1 << 20, rig))
                .isInstanceOf(ResourceException.class).hasMessageContaining("more than max_size (1.0 MiB)");
        assertThat(cacheEntries()).isEmpty();
    }

    @Test
    void aBodyWithoutLengthThatGrowsPastMaxSize_isCutOff_andLeavesNoPartialFile() throws Exception {
        assertThatThrownBy(() -> Fetcher.fetch(url("/chunked"), Optional.empty(), 1 << 20, rig))
                .isInstanceOf(ResourceException.class).hasMessageContaining("it sends more than max_size (1.0 MiB)");
        assertThat(cacheEntries()).as("no temp file, no partial entry").isEmpty();
    }

    @Test
    void aDigestMismatch_isRefusedWithBothDigests_andNothingIsCached() throws Exception {
        String wrong = "f".repeat(64);
        assertThatThrownBy(() -> Fetcher.fetch(url("/large"), Optional.of(wrong), 1L << 30, rig))
                .isInstanceOf(ResourceException.class)
                .hasMessageContaining("expected sha256:" + wrong).hasMessageContaining("got sha256:" + Sha256.hex(LARGE));
        assertThat(cacheEntries()).isEmpty();
    }

    @Test
    void stage_checksACopyAlreadyThere_andReplacesADamagedOne() throws Exception {
        String sha = Sha256.hex("zip bytes");
        Path kept = Fetcher.cached(rig.cacheDir, sha);
        Files.createDirectories(kept.getParent());
        Files.writeString(kept, "zip byt3s");

        Path staged = Fetcher.stage(new java.io.ByteArrayInputStream("zip bytes".getBytes()), sha, rig.cacheDir, "a.zip");

        assertThat(staged).isEqualTo(kept).hasContent("zip bytes");
        assertThatThrownBy(() -> Fetcher.stage(new java.io.ByteArrayInputStream("changed".getBytes()), Sha256.hex("other"),
                rig.cacheDir, "b.zip")).isInstanceOf(ResourceException.class).hasMessageContaining("b.zip changed while");
        assertThat(cacheEntries()).containsExactly(kept);
    }
}
