package dev.mosaic.resource.archive;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.resource.Memory;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * What an unpack left in the destination, kept in the resource's memory: the archive's digest,
 * the settings that shape the result, and every entry written, so that later runs can tell drift
 * (a file missing or modified) from a new archive without reading the archive again.
 *
 * <p>Version 2 keeps, per file, its size and CRC32C instead of its SHA-256, and the identity
 * {@code lstat} showed once it was written (mtime in ns, inode): a plan compares the identity
 * first and reads the content only of a file whose identity changed (see {@link Drift}). CRC32C
 * is enough here because it is no security boundary: it only tells whether a file still holds
 * what the archive had, to decide whether to rewrite it; whoever can edit the unpacked files (root
 * on the target) can edit this manifest and the state as well. What must be trusted, the archive
 * itself, is still verified by SHA-256 against the playbook or the lock file. CRC32C is computed
 * by the processor (an intrinsic even under the launcher's C1-only JIT, where SHA-256 is not):
 * 1 GiB in about 0.1 s against 6.8 s. Version 1 manifests (SHA-256, no identity) are still read
 * and compared by content, as they were.
 *
 * @param archive sha256 of the archive unpacked
 * @param format  {@code format:} as written in the playbook
 * @param entries in archive order; paths relative to {@code dest}
 */
record Manifest(int version, String archive, String source, String dest, String format, int strip,
                List<Entry> entries) {

    static final String KEY = "manifest";
    /** The version written: entries with crc32c and identity. */
    static final int VERSION = 2;

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    Manifest {
        entries = entries == null ? List.of() : List.copyOf(entries);
    }

    /**
     * One unpacked path: a {@code file} (mode, size, content digest, and its identity once known),
     * a {@code dir} (mode) or a {@code symlink} (target).
     *
     * @param sha256 the content's SHA-256 (version 1 manifests), or null
     * @param crc32c the content's CRC32C as 8 hex digits (version 2), or null
     * @param mtime  the file's mtime in ns as {@code lstat} showed it after the unpack, or null when
     *               not trusted (see {@link Drift#stamped}); whole seconds when the host only told
     *               seconds (SFTP)
     * @param inode  the file's inode then; 0 or null when the host did not tell it
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Entry(String path, String kind, Integer mode, Long size, String sha256, String crc32c, Long mtime,
                 Long inode, String target) {

        static Entry file(String path, int mode, long size, String crc32c) {
            return new Entry(path, "file", mode, size, null, crc32c, null, null, null);
        }

        static Entry dir(String path, int mode) {
            return new Entry(path, "dir", mode, null, null, null, null, null, null);
        }

        static Entry symlink(String path, String target) {
            return new Entry(path, "symlink", null, null, null, null, null, null, target);
        }

        /** This file entry with the identity {@code lstat} showed for it. */
        Entry identified(long mtimeNanos, long ino) {
            return new Entry(path, kind, mode, size, sha256, crc32c, mtimeNanos, ino, target);
        }

        /** The path as plans show it: directories with a trailing slash. */
        String label() {
            return kind.equals("dir") ? path + "/" : path;
        }
    }

    /** The manifest of the last unpack, or empty when there was none (or it is unreadable). */
    static Optional<Manifest> read(Memory memory) throws IOException {
        return parse(memory.get(KEY));
    }

    /** The manifest of a note's text, or empty when there was none (or it is unreadable). */
    static Optional<Manifest> parse(Optional<String> text) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            Manifest m = JSON.readValue(text.get(), Manifest.class);
            return m.archive() == null || m.dest() == null ? Optional.empty() : Optional.of(m);
        } catch (IOException e) {
            return Optional.empty(); // a damaged note only costs a fresh unpack
        }
    }

    /** Writes this manifest into the memory; returns the text written. */
    String write(Memory memory) throws IOException {
        String text = JSON.writeValueAsString(this);
        memory.put(KEY, text);
        return text;
    }
}
