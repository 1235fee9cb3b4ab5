package dev.mosaic.resource.archive;

import dev.mosaic.base.ContentStore;
import dev.mosaic.base.Sha256;
import dev.mosaic.resource.Context;
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
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * Downloads into the control machine's content-addressed cache, a {@link ContentStore} in
 * {@code <cacheDir>/sha256/}. A download streams to a temp file there while being hashed (by the
 * system's {@code openssl} or {@code sha256sum} when it is large, {@link NativeDigest}), is forced
 * to disk and checked against the size limit and the expected digest, and only then named by its
 * digest, so the cache never holds a partial or unverified archive and the same digest is never
 * fetched twice.
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

    /** The download cache of {@code cacheDir}. */
    static ContentStore store(Path cacheDir) {
        return new ContentStore(cacheDir.resolve("sha256"));
    }

    /** The cache file for a digest (which may not exist). */
    static Path cached(Path cacheDir, String sha256) {
        return store(cacheDir).dir().resolve(sha256);
    }

    /** The sha256 of a local file, streamed (never through a link). */
    static String sha256(Path file) throws IOException {
        return ContentStore.sha256Of(file);
    }

    /** A URL that could not be fetched, for trying the next mirror. */
    static final class Unavailable extends IOException {
        Unavailable(String message) {
            super(message);
        }
    }

    /** A body that turned out larger than max_size, carried out of the store's writer. */
    private static final class TooLarge extends IOException {
        TooLarge(String message) {
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
        ContentStore store = store(ctx.cacheDir());
        Files.createDirectories(store.dir());
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
            long[] got = new long[1];
            try (ContentStore.Incoming in = store.receive(out -> copy(body, out, got, total, maxBytes, url, ctx))) {
                String digest = in.digest();
                if (expected.isPresent() && !expected.get().equals(digest)) {
                    throw new ResourceException("sha256 mismatch for " + url + ": expected sha256:" + expected.get()
                            + ", got sha256:" + digest + "; nothing was unpacked");
                }
                in.keep();
                ctx.output("fetched " + url + ": " + Sizes.human(got[0]) + ", sha256:" + digest);
                return digest;
            }
        } catch (TooLarge e) {
            throw new ResourceException(e.getMessage());
        } catch (IOException e) {
            if (e instanceof Unavailable) {
                throw e;
            }
            throw new Unavailable("download failed: " + e.getMessage());
        }
    }

    /** Copies the body to {@code out}, hashing it; returns its digest and leaves its size in {@code got[0]}. */
    private static String copy(InputStream body, OutputStream out, long[] got, long total, long maxBytes, String url,
                               Context ctx) throws IOException {
        long lastReport = System.nanoTime();
        byte[] buf = new byte[64 * 1024];
        try (NativeDigest.Hasher md = total >= NativeDigest.NATIVE_FROM ? NativeDigest.hasher() : NativeDigest.javaHasher()) {
            int n;
            while ((n = body.read(buf)) != -1) {
                got[0] += n;
                if (got[0] > maxBytes) {
                    throw new TooLarge("refusing to fetch " + url + ": it sends more than max_size ("
                            + Sizes.human(maxBytes) + ")");
                }
                md.update(buf, 0, n);
                out.write(buf, 0, n);
                long now = System.nanoTime();
                if (now - lastReport >= PROGRESS_NANOS) {
                    lastReport = now;
                    ctx.output(url + ": " + Sizes.human(got[0]) + (total > 0
                            ? " of " + Sizes.human(total) + String.format(Locale.ROOT, " (%d%%)", got[0] * 100 / total) : ""));
                }
            }
            return md.digest();
        }
    }

    /**
     * Copies a control-side file into the cache under its digest (for formats that need random
     * access), verifying it on the way; a copy already there is checked first.
     */
    static Path stage(InputStream in, String sha256, Path cacheDir, String what) throws IOException, ResourceException {
        ContentStore store = store(cacheDir);
        Optional<Path> kept = store.checked(sha256);
        if (kept.isPresent()) {
            return kept.get();
        }
        Files.createDirectories(store.dir());
        try (ContentStore.Incoming incoming = store.receive(out -> {
            MessageDigest md = Sha256.digest();
            in.transferTo(new DigestOutputStream(out, md));
            return HexFormat.of().formatHex(md.digest());
        })) {
            if (!incoming.digest().equals(sha256)) {
                throw new ResourceException(what + " changed while Mosaic was reading it (sha256:" + sha256
                        + " when planned, sha256:" + incoming.digest() + " now); nothing was unpacked");
            }
            return incoming.keep();
        }
    }
}
