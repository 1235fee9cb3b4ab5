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
 * trusted over what observation shows.
 *
 * <p>{@code created/<address>} lists, per resource, the target paths Mosaic created for it (they
 * were absent before): what a deletion may remove once the playbook drops the resource, and
 * nothing else. A damaged list counts as empty — Mosaic then deletes nothing for that resource.
 * Thread-safe.
 */
public final class StateStore {

    /**
     * What a resource was last converged with; {@code keep} is its {@code on_remove: keep} (never
     * delete what it created once the playbook drops it).
     */
    public record Entry(String config, String inputs, String appliedAt, boolean keep) {
        public Entry(String config, String inputs, String appliedAt) {
            this(config, inputs, appliedAt, false);
        }
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
    /** Refreshes owed: the notified resource's address, and the notifiers that changed. */
    private final Map<String, java.util.SortedSet<String>> owed = new TreeMap<>();
    private java.nio.channels.FileChannel refreshJournal;

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
        loadOwed();
        Path j = dir.resolve("state.journal");
        if (Files.exists(j)) {
            try {
                for (String line : Files.readAllLines(j, StandardCharsets.UTF_8)) {
                    if (line.isBlank()) {
                        continue;
                    }
                    try {
                        Map<String, String> rec = LINES.readValue(line, new TypeReference<Map<String, String>>() { });
                        if (rec.get("address") == null) {
                            continue;
                        }
                        if ("true".equals(rec.get("forget"))) {
                            entries.remove(rec.get("address"));
                        } else {
                            entries.put(rec.get("address"), new Entry(rec.get("config"), rec.get("inputs"), rec.get("at"),
                                    "true".equals(rec.get("keep"))));
                        }
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
    public void record(String address, String config, String inputs) throws IOException {
        record(address, config, inputs, false);
    }

    /** The same, with the resource's {@code on_remove: keep}. */
    public synchronized void record(String address, String config, String inputs, boolean keep) throws IOException {
        Entry old = entries.get(address);
        if (old != null && config.equals(old.config()) && inputs.equals(old.inputs()) && keep == old.keep()) {
            return; // converged with the same configuration as recorded: keep when that was
        }
        String at = java.time.Instant.now().toString();
        entries.put(address, new Entry(config, inputs, at, keep));
        append(Map.of("address", address, "config", config, "inputs", inputs, "at", at, "keep", String.valueOf(keep)));
    }

    private void append(Map<String, String> line) throws IOException {
        if (journal == null) {
            Files.createDirectories(dir);
            journal = Files.newBufferedWriter(dir.resolve("state.journal"), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        journal.write(LINES.writeValueAsString(line));
        journal.write('\n');
        journal.flush();
    }

    /** Every address Mosaic converged on this target and has not forgotten, sorted. */
    public java.util.SortedSet<String> addresses() {
        return new java.util.TreeSet<>(entries.keySet());
    }

    /** Drops a resource (deleted, or removed from the playbook with {@code on_remove: keep}). */
    public synchronized void forget(String address) throws IOException {
        if (entries.remove(address) != null) {
            append(Map.of("address", address, "forget", "true"));
        }
        refreshed(address);
        Files.deleteIfExists(createdDir().resolve(KeyValueDir.safe(address)));
    }

    private Path createdDir() {
        return dir.resolve("created");
    }

    /** The target paths Mosaic created for {@code address}, sorted; empty when none or unreadable. */
    public java.util.SortedSet<String> created(String address) {
        java.util.SortedSet<String> out = new java.util.TreeSet<>();
        Optional<String> text;
        try {
            text = new KeyValueDir(createdDir()).get(address);
        } catch (IOException e) {
            warnings.add("cannot read what Mosaic created for " + address + ": " + e.getMessage() + "; nothing of it will be deleted");
            return out;
        }
        if (text.isEmpty()) {
            return out;
        }
        try {
            Map<String, Object> m = LINES.readValue(text.get(), new TypeReference<Map<String, Object>>() { });
            if (!address.equals(m.get("address")) || !(m.get("paths") instanceof List<?> paths)) {
                throw new IOException("unexpected content");
            }
            paths.forEach(p -> out.add(String.valueOf(p)));
        } catch (IOException e) {
            warnings.add("the record of what Mosaic created for " + address + " is damaged and was ignored; nothing of it will be deleted");
        }
        return out;
    }

    /** Replaces the list of paths Mosaic created for {@code address} (atomically). */
    public void recordCreated(String address, java.util.Collection<String> paths) throws IOException {
        if (paths.isEmpty()) {
            Files.deleteIfExists(createdDir().resolve(KeyValueDir.safe(address)));
            return;
        }
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("address", address);
        m.put("paths", new java.util.TreeSet<>(paths));
        new KeyValueDir(createdDir()).put(address, LINES.writeValueAsString(m));
    }

    /** How long the resource's last change or refresh took, if it ever had one here. */
    public Optional<Long> lastDuration(String address) {
        return Optional.ofNullable(durations.get(address));
    }

    public void recordDuration(String address, long millis) {
        durations.put(address, millis);
        durationsChanged = true;
    }

    // ---------------------------------------------------------------- refreshes owed

    private Path refreshJournalFile() {
        return dir.resolve("refresh.journal");
    }

    private void loadOwed() {
        Path f = refreshJournalFile();
        if (!Files.exists(f)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                try {
                    Map<String, String> rec = LINES.readValue(line, new TypeReference<Map<String, String>>() { });
                    String target = rec.get("refresh");
                    if (target == null) {
                        continue;
                    }
                    if (rec.get("by") != null) {
                        owed.computeIfAbsent(target, t -> new java.util.TreeSet<>()).add(rec.get("by"));
                    } else if ("true".equals(rec.get("done"))) {
                        owed.remove(target);
                    }
                } catch (IOException e) {
                    // A line cut by a crash: it was never synced, so its change never began.
                }
            }
        } catch (IOException e) {
            warnings.add("refresh journal " + f + " cannot be read (" + e.getMessage()
                    + "); refreshes owed by an interrupted run may be missed");
        }
    }

    /**
     * Notes, durably, that {@code target} owes a refresh because {@code notifier} is about to
     * change. Call it before making the change: once this returns the line is on disk.
     */
    public synchronized void oweRefresh(String target, String notifier) throws IOException {
        if (owed.computeIfAbsent(target, t -> new java.util.TreeSet<>()).add(notifier)) {
            appendRefresh(Map.of("refresh", target, "by", notifier));
        }
    }

    /** The notifiers whose refresh of {@code target} is still owed (from this run or an interrupted one). */
    public synchronized java.util.SortedSet<String> refreshesOwed(String target) {
        java.util.SortedSet<String> by = owed.get(target);
        return by == null ? java.util.Collections.emptySortedSet() : new java.util.TreeSet<>(by);
    }

    /** Clears what {@code target} owed: it refreshed, or converged from scratch. */
    public synchronized void refreshed(String target) throws IOException {
        if (owed.remove(target) != null) {
            appendRefresh(Map.of("refresh", target, "done", "true"));
        }
    }

    private void appendRefresh(Map<String, String> line) throws IOException {
        if (refreshJournal == null) {
            Files.createDirectories(dir);
            refreshJournal = java.nio.channels.FileChannel.open(refreshJournalFile(),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
        byte[] bytes = (LINES.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            refreshJournal.write(buf);
        }
        refreshJournal.force(false);
    }

    /** Rewrites the refresh journal with only what is still owed (atomically), or removes it. */
    private void compactOwed() throws IOException {
        if (refreshJournal == null) {
            return;
        }
        refreshJournal.close();
        refreshJournal = null;
        if (owed.isEmpty()) {
            Files.deleteIfExists(refreshJournalFile());
            return;
        }
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, java.util.SortedSet<String>> e : owed.entrySet()) {
            for (String by : e.getValue()) {
                text.append(LINES.writeValueAsString(Map.of("refresh", e.getKey(), "by", by))).append('\n');
            }
        }
        Path tmp = dir.resolve(".refresh.journal.tmp");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(false);
        }
        Files.move(tmp, refreshJournalFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Folds the journal into {@code state.json} (atomic rename) and removes it. */
    public synchronized void commit() throws IOException {
        compactOwed();
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
