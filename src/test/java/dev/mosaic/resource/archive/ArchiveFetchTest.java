package dev.mosaic.resource.archive;

import com.sun.net.httpserver.HttpServer;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.ResourceException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Downloads from a local HTTP server on 127.0.0.1: verified by sha256 or pinned in mosaic.lock,
 * cached by digest, fetched once, and never during plan.
 */
class ArchiveFetchTest extends ArchiveTestSupport {

    private static final byte[] KERNEL = Archives.of()
            .dir("linux-2.4.22/")
            .file("linux-2.4.22/Makefile", "VERSION = 2\nPATCHLEVEL = 4\nSUBLEVEL = 22\n")
            .tarGz();

    private static final byte[] TAMPERED = Archives.of()
            .dir("linux-2.4.22/")
            .file("linux-2.4.22/Makefile", "VERSION = 2\nPATCHLEVEL = 4\nSUBLEVEL = 22\n# backdoor\n")
            .tarGz();

    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private HttpServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            byte[] body = served.get(path);
            if (path.startsWith("/slow/") && body != null) {
                sendSlowly(exchange, body);
                return;
            }
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
    }

    /** Three parts, 600 ms apart. */
    private static void sendSlowly(com.sun.net.httpserver.HttpExchange exchange, byte[] body) throws IOException {
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            int third = body.length / 3;
            for (int i = 0; i < 3; i++) {
                out.write(body, i * third, i == 2 ? body.length - 2 * third : third);
                out.flush();
                if (i < 2) {
                    Thread.sleep(600);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        exchange.close();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private int requestsFor(String path) {
        AtomicInteger n = requests.get(path);
        return n == null ? 0 : n.get();
    }

    private ArchiveSpec kernel(String extra) {
        return spec("""
                type: archive
                source: %s
                dest: /usr/src
                %s
                """.formatted(url("/pub/linux-2.4.22.tar.gz"), extra));
    }

    private Path cached(Path cacheDir, byte[] archive) {
        return cacheDir.resolve("sha256").resolve(sha256(archive));
    }

    private static List<Path> filesIn(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void planNeverDownloadsAndSaysTheArchiveWillBeFetched() throws Exception {
        served.put("/pub/linux-2.4.22.tar.gz", KERNEL);

        Change change = plan(kernel("sha256: " + sha256(KERNEL)), rig);

        assertThat(change.action()).isEqualTo(Action.CREATE);
        assertThat(field(change, "sha256")).isEqualTo(new Diff.Field("sha256", null, sha256(KERNEL) + " (fetch)"));
        assertThat(requests).isEmpty();
        assertThat(tmp.resolve("cache")).doesNotExist();
    }

    @Test
    void progressIsReportedInBytesAndPercentAtMostOnceASecond() throws Exception {
        byte[] big = Archives.of().file("random.bin", randomBytes(3 << 20), 0644).tar();
        served.put("/slow/random.tar", big);
        ArchiveSpec spec = spec("""
                type: archive
                source: %s
                sha256: %s
                dest: /srv
                """.formatted(url("/slow/random.tar"), sha256(big)));

        long start = System.nanoTime();
        converge(spec, rig);
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;

        List<String> progress = rig.output.stream().filter(l -> l.matches(".* of 3\\.0 MiB \\(\\d+%\\)")).toList();
        assertThat(progress).isNotEmpty().hasSizeLessThanOrEqualTo((int) seconds + 1);
        assertThat(progress.get(0)).startsWith(url("/slow/random.tar") + ": ");
        assertThat(rig.output.get(0)).isEqualTo("fetching " + url("/slow/random.tar") + " (3.0 MiB)");
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new java.util.Random(22).nextBytes(b);
        return b;
    }

    @Test
    void aDownloadLandsInTheCacheOnceAndASecondTargetReusesIt() throws Exception {
        served.put("/pub/linux-2.4.22.tar.gz", KERNEL);
        ArchiveSpec spec = kernel("sha256: " + sha256(KERNEL));

        converge(spec, rig);
        Rig second = rig("second");
        Change secondPlan = plan(spec, second);
        converge(spec, second);

        assertThat(requestsFor("/pub/linux-2.4.22.tar.gz")).isEqualTo(1);
        assertThat(filesIn(tmp.resolve("cache"))).containsExactly(cached(tmp.resolve("cache"), KERNEL));
        assertThat(field(secondPlan, "sha256").after()).isEqualTo(sha256(KERNEL));
        assertThat(text(rig.at("/usr/src/linux-2.4.22/Makefile"))).contains("SUBLEVEL = 22");
        assertThat(text(second.at("/usr/src/linux-2.4.22/Makefile"))).contains("SUBLEVEL = 22");
        assertThat(rig.output).anyMatch(l -> l.startsWith("fetching " + url("/pub/linux-2.4.22.tar.gz")))
                .anyMatch(l -> l.contains("sha256:" + sha256(KERNEL)));
    }

    @Test
    void withoutSha256TheFirstFetchPinsTheDigestInTheLockFile() throws Exception {
        served.put("/pub/linux-2.4.22.tar.gz", KERNEL);
        ArchiveSpec spec = kernel("");

        Change first = plan(spec, rig);
        converge(spec, rig);

        assertThat(field(first, "sha256").after()).isEqualTo("(will pin sha256:…)");
        assertThat(rig.lock.get(url("/pub/linux-2.4.22.tar.gz"))).contains(sha256(KERNEL));
        assertThat(text(rig.at("/usr/src/linux-2.4.22/Makefile"))).contains("SUBLEVEL = 22");
        assertThat(plan(spec, rig).isNoop()).isTrue();
    }

    @Test
    void aSecondRootGettingOtherContentFromThePinnedUrlIsRefusedWithBothDigests() throws Exception {
        served.put("/pub/linux-2.4.22.tar.gz", KERNEL);
        ArchiveSpec spec = kernel("");
        converge(spec, rig);
        served.put("/pub/linux-2.4.22.tar.gz", TAMPERED);
        Rig elsewhere = rig("elsewhere", tmp.resolve("other-cache")); // another control machine, same playbook

        Change planned = plan(spec, elsewhere);
        ResourceException e = refusal(spec, elsewhere);

        assertThat(field(planned, "sha256").after()).isEqualTo(sha256(KERNEL) + " (fetch)");
        assertThat(e.getMessage()).contains("expected sha256:" + sha256(KERNEL)).contains("got sha256:" + sha256(TAMPERED))
                .contains("nothing was unpacked");
        assertThat(snapshot(elsewhere.root)).isEmpty();
        assertThat(filesIn(tmp.resolve("other-cache"))).isEmpty();
        assertThat(rig.lock.get(url("/pub/linux-2.4.22.tar.gz"))).contains(sha256(KERNEL));
    }

    @Test
    void aWrongSha256InThePlaybookIsRefusedWithBothDigestsAndNothingIsUnpacked() throws Exception {
        served.put("/pub/linux-2.4.22.tar.gz", TAMPERED);
        ArchiveSpec spec = kernel("sha256: " + sha256(KERNEL));

        ResourceException e = refusal(spec, rig);

        assertThat(e.getMessage()).contains("sha256 mismatch for " + url("/pub/linux-2.4.22.tar.gz"))
                .contains("expected sha256:" + sha256(KERNEL)).contains("got sha256:" + sha256(TAMPERED));
        assertThat(snapshot(rig.root)).isEmpty();
        assertThat(filesIn(tmp.resolve("cache"))).isEmpty();
        assertThat(rig.lock.file()).doesNotExist();
    }

    @Test
    void whenTheSourceIs404TheNextMirrorIsUsed() throws Exception {
        served.put("/mirror2/linux-2.4.22.tar.gz", KERNEL);
        ArchiveSpec spec = spec("""
                type: archive
                source: %s
                mirrors:
                  - %s
                dest: /usr/src
                """.formatted(url("/pub/linux-2.4.22.tar.gz"), url("/mirror2/linux-2.4.22.tar.gz")));

        converge(spec, rig);

        assertThat(requestsFor("/pub/linux-2.4.22.tar.gz")).isEqualTo(1);
        assertThat(requestsFor("/mirror2/linux-2.4.22.tar.gz")).isEqualTo(1);
        assertThat(text(rig.at("/usr/src/linux-2.4.22/Makefile"))).contains("SUBLEVEL = 22");
        assertThat(rig.output).anyMatch(l -> l.contains("HTTP 404"));
        assertThat(rig.lock.get(url("/pub/linux-2.4.22.tar.gz"))).as("pinned under the source").contains(sha256(KERNEL));
    }

    @Test
    void whenNoUrlDeliversEachFailureIsReported() {
        ArchiveSpec spec = spec("""
                type: archive
                source: %s
                mirrors: [%s]
                dest: /usr/src
                """.formatted(url("/pub/gone.tar.gz"), url("/mirror/gone.tar.gz")));

        ResourceException e = refusal(spec, rig);

        assertThat(e.getMessage()).contains(url("/pub/gone.tar.gz") + ": HTTP 404")
                .contains(url("/mirror/gone.tar.gz") + ": HTTP 404");
        assertThat(snapshot(rig.root)).isEmpty();
    }

    @Test
    void anUnpackedArchiveStaysUnchangedWithoutNetworkWhenTheCacheWasEmptied() throws Exception {
        served.put("/pub/linux-2.4.22.tar.gz", KERNEL);
        ArchiveSpec spec = kernel("sha256: " + sha256(KERNEL));
        converge(spec, rig);
        Files.delete(cached(tmp.resolve("cache"), KERNEL));
        served.clear();

        assertThat(plan(spec, rig).isNoop()).isTrue();
    }

    @Test
    void driftWithAnEmptiedCacheFetchesAgainToRestore() throws Exception {
        served.put("/pub/linux-2.4.22.tar.gz", KERNEL);
        ArchiveSpec spec = kernel("sha256: " + sha256(KERNEL));
        converge(spec, rig);
        Files.delete(cached(tmp.resolve("cache"), KERNEL));
        Files.delete(rig.at("/usr/src/linux-2.4.22/Makefile"));

        Change change = converge(spec, rig);

        assertThat(tree(change).added()).containsExactly("linux-2.4.22/Makefile");
        assertThat(field(change, "sha256").after()).isEqualTo(sha256(KERNEL) + " (fetch)");
        assertThat(requestsFor("/pub/linux-2.4.22.tar.gz")).isEqualTo(2);
        assertThat(text(rig.at("/usr/src/linux-2.4.22/Makefile"))).contains("SUBLEVEL = 22");
    }

    @Test
    void aDamagedCacheEntryIsRemovedAndNothingIsUnpacked() throws Exception {
        served.put("/pub/linux-2.4.22.tar.gz", KERNEL);
        ArchiveSpec spec = kernel("sha256: " + sha256(KERNEL));
        Archives.write(cached(tmp.resolve("cache"), KERNEL), TAMPERED);

        ResourceException e = refusal(spec, rig);

        assertThat(e.getMessage()).contains("damaged").contains("sha256:" + sha256(TAMPERED));
        assertThat(cached(tmp.resolve("cache"), KERNEL)).doesNotExist();
        assertThat(snapshot(rig.root)).isEmpty();
        converge(spec, rig); // the next run fetches it anew
        assertThat(text(rig.at("/usr/src/linux-2.4.22/Makefile"))).contains("SUBLEVEL = 22");
    }

    @Test
    void aLinkPlantedAtTheCacheEntry_isNeverReadThrough_theArchiveIsFetchedAgain() throws Exception {
        served.put("/pub/linux-2.4.22.tar.gz", KERNEL);
        ArchiveSpec spec = kernel("sha256: " + sha256(KERNEL));
        Path outside = tmp.resolve("outside.tar.gz");
        Files.write(outside, KERNEL);
        Path entry = cached(tmp.resolve("cache"), KERNEL);
        Files.createDirectories(entry.getParent());
        Files.createSymbolicLink(entry, outside);

        converge(spec, rig);

        assertThat(requestsFor("/pub/linux-2.4.22.tar.gz")).isEqualTo(1);
        assertThat(Files.readAllBytes(outside)).isEqualTo(KERNEL);
        assertThat(text(rig.at("/usr/src/linux-2.4.22/Makefile"))).contains("SUBLEVEL = 22");
    }
}
