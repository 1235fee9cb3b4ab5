package dev.mosaic.resource.archive;

import dev.mosaic.resource.Digests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The SHA-256 of an archive on the control machine by a system tool, where there is one:
 * {@code openssl dgst -sha256 -r} first (it uses the CPU's SHA instructions: 0.1 s of CPU for the
 * 133 MB linux-source .deb where coreutils' {@code sha256sum}, which does not, takes 0.31 s;
 * bench/README.md, "Round 6"), else {@code sha256sum}; both print the digest first on their line.
 * The launcher runs the JVM with C1 only (start-up), where SHA-256 has no intrinsic: the
 * 138 MB kernel tarball took ≈ 1.5–2 s of CPU to hash in Java (bench/README.md, "Unpacking the
 * kernel chain"). Small files stay in Java: a process costs more than they do. When no tool is
 * there or it fails, Java hashes.
 */
final class NativeDigest {

    /** Files at least this large are hashed by the tool. */
    static final long NATIVE_FROM = 8L << 20;

    private NativeDigest() {
    }

    /**
     * The command that hashes its stdin and prints the hex digest first on its line; empty when
     * neither tool is on the PATH.
     */
    static Optional<List<String>> tool() {
        Optional<Path> openssl = NativeDecoder.which("openssl");
        if (openssl.isPresent()) {
            return Optional.of(List.of(openssl.get().toString(), "dgst", "-sha256", "-r"));
        }
        return NativeDecoder.which("sha256sum").map(p -> List.of(p.toString()));
    }

    /** The SHA-256 of a local file by the tool; empty when it is missing or failed. */
    static Optional<String> ofFile(Path file) {
        Optional<List<String>> tool = tool();
        return tool.isEmpty() ? Optional.empty() : ofFile(file, tool.get());
    }

    /** The SHA-256 of a local file by {@code command} (see {@link #tool}); empty when it failed. */
    static Optional<String> ofFile(Path file, List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectInput(file.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            return parse(p);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The digest the tool printed for its stdin ("hex  -", "hex *stdin"), once it exited. */
    private static Optional<String> parse(Process p) throws IOException {
        try (InputStream out = p.getInputStream()) {
            String line = new String(out.readNBytes(200), StandardCharsets.US_ASCII);
            boolean ok = p.waitFor() == 0 && line.length() >= 64 && line.substring(0, 64).matches("[0-9a-f]{64}");
            return ok ? Optional.of(line.substring(0, 64)) : Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while hashing", e);
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * Hashes bytes as they are handed over: by the tool when there is one, else by Java. Closing
     * it stops the tool, also when no digest was asked for (an archive refused half-way).
     */
    interface Hasher extends AutoCloseable {
        void update(byte[] b, int off, int len) throws IOException;

        /** The hex digest of everything handed over; the hasher is done. */
        String digest() throws IOException;

        @Override
        default void close() {
        }
    }

    static Hasher hasher() throws IOException {
        Optional<List<String>> tool = tool();
        if (tool.isPresent()) {
            Process p = new ProcessBuilder(tool.get()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            OutputStream to = p.getOutputStream();
            return new Hasher() {
                @Override
                public void update(byte[] b, int off, int len) throws IOException {
                    to.write(b, off, len);
                }

                @Override
                public String digest() throws IOException {
                    to.close();
                    return parse(p).orElseThrow(() -> new IOException(tool.get().get(0) + " failed"));
                }

                @Override
                public void close() {
                    p.destroyForcibly(); // done already after digest(); otherwise it would wait for more input
                }
            };
        }
        return javaHasher();
    }

    /** A pipe's buffer on Linux: a write of no more than this returns once the reader has room. */
    private static final int SLICE = 64 * 1024;

    /**
     * Copies {@code in} to {@code to} and hands the same bytes to {@code md}, in slices of one
     * pipe's buffer: a write of 1 MiB to one tool returns only once it has read most of it, while
     * the other waits with an empty pipe, so the decoder and the hasher took turns; sliced, both
     * work at once and the copy waits only for the slower one.
     */
    static void copyHashed(InputStream in, OutputStream to, Hasher md, byte[] buf) throws IOException {
        for (int n; (n = in.read(buf)) != -1; ) {
            for (int off = 0; off < n; off += SLICE) {
                int len = Math.min(SLICE, n - off);
                md.update(buf, off, len);
                to.write(buf, off, len);
            }
        }
    }

    /** Java's SHA-256, for what is too small to be worth a process (or where no tool is). */
    static Hasher javaHasher() {
        MessageDigest md = Digests.newSha256();
        return new Hasher() {
            @Override
            public void update(byte[] b, int off, int len) {
                md.update(b, off, len);
            }

            @Override
            public String digest() {
                return HexFormat.of().formatHex(md.digest());
            }
        };
    }
}
