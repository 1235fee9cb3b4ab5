package dev.mosaic.resource.archive;

import dev.mosaic.base.TargetPath;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.resource.Memory;

import java.io.IOException;
import java.util.Optional;

/**
 * The SHA-256 of an archive on the control machine, remembered with the file's identity (size,
 * mtime in ns, inode) when an apply verified it: a plan whose archive has the same identity uses
 * it instead of hashing the whole archive again (138 MB for the kernel's source, seconds under the
 * launcher's C1-only JIT). The quick check of {@link Drift}, for the archive itself. What apply
 * unpacks is still hashed first and compared ({@code verify}): a file changed behind an unchanged
 * identity is found there, never unpacked unverified.
 *
 * <p>Racy files, as in git's index: an identity recorded less than {@link #RACY_NANOS} after the
 * file's mtime is not trusted (the file could still change within the same timestamp tick).
 */
final class SourceDigest {

    static final String KEY = "source-digest";
    static final long RACY_NANOS = 2_000_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** What the memory keeps: one archive's path, identity, when it was recorded, and its digest. */
    record Known(String path, long size, long mtime, long inode, long recorded, String sha256) {
    }

    private SourceDigest() {
    }

    /** The archive's digest: remembered when its identity is the one recorded, else hashed. */
    static String of(Host control, String path, FileStat s, Memory memory) throws IOException {
        Optional<Known> k = read(memory);
        if (k.isPresent() && k.get().path().equals(path) && k.get().size() == s.size() && k.get().mtime() == s.mtimeNanos()
                && k.get().inode() == s.inode() && s.inode() != 0 && k.get().recorded() - s.mtimeNanos() > RACY_NANOS) {
            return k.get().sha256();
        }
        return of(control, path, s);
    }

    /** The digest of a control-side file, hashed now: a large one by the system's tool ({@link NativeDigest}). */
    static String of(Host control, String path, FileStat s) throws IOException {
        if (s.size() >= NativeDigest.NATIVE_FROM) {
            Optional<String> fast = NativeDigest.ofFile(java.nio.file.Path.of(path));
            if (fast.isPresent()) {
                return fast.get();
            }
        }
        return control.sha256(TargetPath.of(path));
    }

    /**
     * Remembers {@code sha256}, just computed, for the archive at {@code path} when its identity
     * did not change while it was hashed ({@code before}, taken before hashing).
     */
    static void remember(Host control, String path, FileStat before, String sha256, Memory memory) throws IOException {
        FileStat after = control.stat(TargetPath.of(path));
        if (!after.isFile() || after.size() != before.size() || after.mtimeNanos() != before.mtimeNanos()
                || after.inode() != before.inode()) {
            return;
        }
        Known k = new Known(path, after.size(), after.mtimeNanos(), after.inode(), System.currentTimeMillis() * 1_000_000L, sha256);
        if (!read(memory).equals(Optional.of(k))) {
            memory.put(KEY, JSON.writeValueAsString(k));
        }
    }

    private static Optional<Known> read(Memory memory) throws IOException {
        Optional<String> text = memory.get(KEY);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(text.get(), Known.class));
        } catch (IOException e) {
            return Optional.empty(); // a damaged note only costs a hash
        }
    }
}
