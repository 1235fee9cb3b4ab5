package dev.mosaic.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * {@code mosaic.lock}, next to the playbook and committed with it: the sha256 of every URL
 * fetched without a digest in the playbook, pinned by the first successful fetch; and the kernel
 * release each {@code ${kernel:METAPACKAGE}} stood for at the last successful apply, so that a
 * plan says when the archive moved it. JSON, sorted, rewritten atomically. Thread-safe, also
 * between instances for one file (the hosts of an inventory share the playbook's lock file).
 */
public final class LockFile {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            // A field a later version adds is kept out of the way, not an error.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** One monitor per file, whichever instance writes it. */
    private static final Map<Path, Object> MONITORS = new ConcurrentHashMap<>();

    /**
     * The file's shape: {@code {"version": 1, "sha256": {url: digest}, "kernels": {metapackage: release}}}.
     * {@code kernels} came later and is left out while empty, so a lock file without kernels is
     * written exactly as before and older files read as they are.
     */
    public record Content(int version, Map<String, String> sha256,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> kernels) {
        public Content {
            sha256 = sha256 == null ? new TreeMap<>() : new TreeMap<>(sha256);
            kernels = kernels == null ? new TreeMap<>() : new TreeMap<>(kernels);
        }
    }

    private final Path file;
    private final Object monitor;

    public LockFile(Path file) {
        this.file = file;
        this.monitor = MONITORS.computeIfAbsent(file.toAbsolutePath().normalize(), f -> new Object());
    }

    public Path file() {
        return file;
    }

    public Optional<String> get(String url) throws IOException {
        synchronized (monitor) {
            return Optional.ofNullable(read().sha256().get(url));
        }
    }

    public void pin(String url, String sha256) throws IOException {
        update(c -> c.sha256().put(url, sha256));
    }

    /** Metapackage → the kernel release recorded for it, sorted; empty without a lock file. */
    public SortedMap<String, String> kernels() throws IOException {
        synchronized (monitor) {
            return new TreeMap<>(read().kernels());
        }
    }

    /** Records these releases (others recorded stay: several playbooks may share the directory). */
    public void recordKernels(Map<String, String> releases) throws IOException {
        update(c -> c.kernels().putAll(releases));
    }

    /** Reads, changes, and writes back only when something changed. */
    private void update(Consumer<Content> change) throws IOException {
        synchronized (monitor) {
            Content before = read();
            Content after = new Content(1, before.sha256(), before.kernels());
            change.accept(after);
            if (after.equals(before)) {
                return;
            }
            // A fresh O_EXCL temp name per write: with --forks several runs pin into one mosaic.lock at
            // once, and a link planted beside the playbook is never written through.
            StateDir.replace(file, JSON.writeValueAsBytes(after));
        }
    }

    private Content read() throws IOException {
        if (!Files.exists(file)) {
            return new Content(1, null, null);
        }
        try {
            Content c = JSON.readValue(file.toFile(), Content.class);
            return c == null ? new Content(1, null, null) : c;
        } catch (IOException e) {
            throw new IOException("lock file " + file + " is not valid: " + e.getMessage()
                    + "; fix it or remove it to pin digests again", e);
        }
    }
}
