package dev.mosaic.resource.archive;

import dev.mosaic.resource.Context;
import dev.mosaic.resource.Digests;
import dev.mosaic.resource.ResourceException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * Downloads into the control machine's content-addressed cache: {@code <cacheDir>/sha256/<hex>}.
 * A download streams to a temp file in the cache directory while being hashed, is verified, and
 * only then renamed into place, so the cache never holds a partial or unverified archive and the
 * same digest is never fetched twice.
 */
final class Fetcher {

    /** Progress lines at most this often. */
    static final long PROGRESS_NANOS = 1_000_000_000L;

    /** One client for all downloads, made on first use (it owns a selector thread). */
    private static final class Client {
        static final HttpClient INSTANCE = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
    }

    private Fetcher() {
    }

    /** The cache file for a digest (which may not exist). */
    static Path cached(Path cacheDir, String sha256) {
        return cacheDir.resolve("sha256").resolve(sha256);
    }

    /** The sha256 of a local file, streamed. */
    static String sha256(Path file) throws IOException {
        MessageDigest md = Digests.newSha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) != -1) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** A URL that could not be fetched, for trying the next mirror. */
    static final class Unavailable extends IOException {
        Unavailable(String message) {
            super(message);
        }
    }

    /**
     * Fetches {@code url} into the cache and returns the digest of what arrived.
     *
     * @param expected the digest it must have, or empty to accept (and let the caller pin) any
     * @param maxBytes the most bytes accepted
     * @throws Unavailable      when this URL gave nothing usable (HTTP error, network failure)
     * @throws ResourceException when it gave something else than expected (digest mismatch)
     */
    static String fetch(String url, Optional<String> expected, long maxBytes, Context ctx)
            throws IOException, ResourceException {
        Path cacheDir = ctx.cacheDir();
        Files.createDirectories(cacheDir);
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(60))
                .header("User-Agent", "mosaic")
                .GET().build();
        HttpResponse<InputStream> response;
        try {
            response = Client.INSTANCE.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + url, e);
        } catch (IOException e) {
            throw new Unavailable(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        Path tmp = Files.createTempFile(cacheDir, ".fetch-", ".part");
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new Unavailable("HTTP " + response.statusCode());
            }
            long total = response.headers().firstValueAsLong("content-length").orElse(-1);
            if (total > maxBytes) {
                throw new ResourceException("refusing to fetch " + url + ": it is " + Sizes.human(total)
                        + ", more than max_size (" + Sizes.human(maxBytes) + ")");
            }
            ctx.output("fetching " + url + (total >= 0 ? " (" + Sizes.human(total) + ")" : ""));
            MessageDigest md = Digests.newSha256();
            long got = copy(body, tmp, md, total, maxBytes, url, ctx);
            String digest = HexFormat.of().formatHex(md.digest());
            if (expected.isPresent() && !expected.get().equals(digest)) {
                throw new ResourceException("sha256 mismatch for " + url + ": expected sha256:" + expected.get()
                        + ", got sha256:" + digest + "; nothing was unpacked");
            }
            Path target = cached(cacheDir, digest);
            Files.createDirectories(target.getParent());
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            ctx.output("fetched " + url + ": " + Sizes.human(got) + ", sha256:" + digest);
            return digest;
        } catch (IOException e) {
            if (e instanceof Unavailable) {
                throw e;
            }
            throw new Unavailable("download failed: " + e.getMessage());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static long copy(InputStream body, Path tmp, MessageDigest md, long total, long maxBytes, String url,
                             Context ctx) throws IOException, ResourceException {
        long got = 0;
        long lastReport = System.nanoTime();
        byte[] buf = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(tmp)) {
            int n;
            while ((n = body.read(buf)) != -1) {
                got += n;
                if (got > maxBytes) {
                    throw new ResourceException("refusing to fetch " + url + ": it sends more than max_size ("
                            + Sizes.human(maxBytes) + ")");
                }
                md.update(buf, 0, n);
                out.write(buf, 0, n);
                long now = System.nanoTime();
                if (now - lastReport >= PROGRESS_NANOS) {
                    lastReport = now;
                    ctx.output(url + ": " + Sizes.human(got) + (total > 0
                            ? " of " + Sizes.human(total) + String.format(Locale.ROOT, " (%d%%)", got * 100 / total) : ""));
                }
            }
        }
        return got;
    }

    /**
     * Copies a control-side file into the cache under its digest (for formats that need random
     * access), verifying it on the way.
     */
    static Path stage(InputStream in, String sha256, Path cacheDir, String what) throws IOException, ResourceException {
        Path target = cached(cacheDir, sha256);
        if (Files.isRegularFile(target)) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(cacheDir, ".stage-", ".part");
        try {
            MessageDigest md = Digests.newSha256();
            try (OutputStream out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[64 * 1024];
                int n;
                while ((n = in.read(buf)) != -1) {
                    md.update(buf, 0, n);
                    out.write(buf, 0, n);
                }
            }
            String digest = HexFormat.of().formatHex(md.digest());
            if (!digest.equals(sha256)) {
                throw new ResourceException(what + " changed while Mosaic was reading it (sha256:" + sha256
                        + " when planned, sha256:" + digest + " now); nothing was unpacked");
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
