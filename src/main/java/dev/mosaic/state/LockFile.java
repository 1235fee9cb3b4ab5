package dev.mosaic.state;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code mosaic.lock}, next to the playbook and committed with it: the sha256 of every URL
 * fetched without a digest in the playbook, pinned by the first successful fetch. JSON, sorted,
 * rewritten atomically. Thread-safe.
 */
public final class LockFile {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    /** The file's shape: {@code {"version": 1, "sha256": {url: digest}}}. */
    public record Content(int version, Map<String, String> sha256) {
    }

    private final Path file;

    public LockFile(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public synchronized Optional<String> get(String url) throws IOException {
        return Optional.ofNullable(read().get(url));
    }

    public synchronized void pin(String url, String sha256) throws IOException {
        Map<String, String> pins = read();
        if (sha256.equals(pins.get(url))) {
            return;
        }
        pins.put(url, sha256);
        // A fresh O_EXCL temp name per write: with --forks several runs pin into one mosaic.lock at
        // once, and a link planted beside the playbook is never written through.
        StateDir.replace(file, JSON.writeValueAsBytes(new Content(1, pins)));
    }

    private Map<String, String> read() throws IOException {
        if (!Files.exists(file)) {
            return new TreeMap<>();
        }
        try {
            Content c = JSON.readValue(file.toFile(), new TypeReference<Content>() { });
            return new TreeMap<>(c.sha256() == null ? Map.of() : c.sha256());
        } catch (IOException e) {
            throw new IOException("lock file " + file + " is not valid: " + e.getMessage()
                    + "; fix it or remove it to pin digests again", e);
        }
    }
}
