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
 * @param archive sha256 of the archive unpacked
 * @param format  {@code format:} as written in the playbook
 * @param entries in archive order; paths relative to {@code dest}
 */
record Manifest(int version, String archive, String source, String dest, String format, int strip,
                List<Entry> entries) {

    static final String KEY = "manifest";

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    Manifest {
        entries = entries == null ? List.of() : List.copyOf(entries);
    }

    /**
     * One unpacked path: a {@code file} (mode, size, sha256), a {@code dir} (mode) or a
     * {@code symlink} (target).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Entry(String path, String kind, Integer mode, Long size, String sha256, String target) {

        static Entry file(String path, int mode, long size, String sha256) {
            return new Entry(path, "file", mode, size, sha256, null);
        }

        static Entry dir(String path, int mode) {
            return new Entry(path, "dir", mode, null, null, null);
        }

        static Entry symlink(String path, String target) {
            return new Entry(path, "symlink", null, null, null, target);
        }

        /** The path as plans show it: directories with a trailing slash. */
        String label() {
            return kind.equals("dir") ? path + "/" : path;
        }
    }

    /** The manifest of the last unpack, or empty when there was none (or it is unreadable). */
    static Optional<Manifest> read(Memory memory) throws IOException {
        Optional<String> text = memory.get(KEY);
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

    void write(Memory memory) throws IOException {
        memory.put(KEY, JSON.writeValueAsString(this));
    }
}
