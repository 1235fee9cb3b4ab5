package dev.mosaic.state;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Mosaic's memory of a target: for each resource address, the configuration and inputs it was last
 * converged with. It lets a plan tell a new resource from a config change and from drift.
 *
 * <p>On disk: {@code state.json}, rewritten atomically at the end of a run, and
 * {@code state.journal}, one JSON line appended per converged resource during the run. A run
 * killed midway loses nothing already converged: the next load replays the journal. A damaged
 * file is ignored (and reported by {@link #warnings()}): state only refines causes, it is never
 * trusted over what observation shows. Thread-safe.
 */
public final class StateStore {

    /** What a resource was last converged with. */
    public record Entry(String config, String inputs, String appliedAt) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper LINES = new ObjectMapper();

    private final Path dir;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    private BufferedWriter journal;
    /** How long each resource's last real work (a change or a refresh) took, in milliseconds. */
    private final Map<String, Long> durations = new ConcurrentHashMap<>();
    private volatile boolean durationsChanged;

    private StateStore(Path dir) {
        this.dir = dir;
    }

    /** Reads the state kept in {@code dir}; an absent directory is an empty state. */
    public static StateStore open(Path dir) {
        StateStore s = new StateStore(dir);
        s.load();
        return s;
    }

    public Path dir() {
        return dir;
    }

    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    private void load() {
        Path main = dir.resolve("state.json");
        if (Files.exists(main)) {
            try {
                Map<String, Entry> m = JSON.readValue(main.toFile(), new TypeReference<Map<String, Entry>>() { });
                entries.putAll(m);
            } catch (IOException e) {
                warnings.add("state file " + main + " is damaged and was ignored; causes may read 'new' once");
            }
        }
        Path d = dir.resolve("durations.json");
        if (Files.exists(d)) {
            try {
                durations.putAll(JSON.readValue(d.toFile(), new TypeReference<Map<String, Long>>() { }));
            } catch (IOException e) {
                warnings.add("durations file " + d + " is damaged and was ignored");
            }
        }
        Path j = dir.resolve("state.journal");
        if (Files.exists(j)) {
            try {
                for (String line : Files.readAllLines(j, StandardCharsets.UTF_8)) {
                    if (line.isBlank()) {
                        continue;
                    }
                    try {
                        Map<String, String> rec = LINES.readValue(line, new TypeReference<Map<String, String>>() { });
                        entries.put(rec.get("address"), new Entry(rec.get("config"), rec.get("inputs"), rec.get("at")));
                    } catch (IOException e) {
                        // A line cut by a crash: everything before it is intact.
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public Optional<Entry> get(String address) {
        return Optional.ofNullable(entries.get(address));
    }

    /** Records a converged resource and appends it to the journal at once. */
    public synchronized void record(String address, String config, String inputs) throws IOException {
        Entry old = entries.get(address);
        if (old != null && config.equals(old.config()) && inputs.equals(old.inputs())) {
            return; // converged with the same configuration as recorded: keep when that was
        }
        String at = java.time.Instant.now().toString();
        entries.put(address, new Entry(config, inputs, at));
        if (journal == null) {
            Files.createDirectories(dir);
            journal = Files.newBufferedWriter(dir.resolve("state.journal"), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        journal.write(LINES.writeValueAsString(Map.of("address", address, "config", config, "inputs", inputs, "at", at)));
        journal.write('\n');
        journal.flush();
    }

    /** How long the resource's last change or refresh took, if it ever had one here. */
    public Optional<Long> lastDuration(String address) {
        return Optional.ofNullable(durations.get(address));
    }

    public void recordDuration(String address, long millis) {
        durations.put(address, millis);
        durationsChanged = true;
    }

    /** Folds the journal into {@code state.json} (atomic rename) and removes it. */
    public synchronized void commit() throws IOException {
        if (durationsChanged) {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(".durations.json.tmp");
            JSON.writeValue(tmp.toFile(), new TreeMap<>(durations));
            Files.move(tmp, dir.resolve("durations.json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            durationsChanged = false;
        }
        if (journal == null) {
            return;
        }
        journal.close();
        journal = null;
        Path tmp = dir.resolve(".state.json.tmp");
        JSON.writeValue(tmp.toFile(), new TreeMap<>(entries));
        Files.move(tmp, dir.resolve("state.json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.deleteIfExists(dir.resolve("state.journal"));
    }
}
