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
 * <p>{@code created.json} (with {@code created.journal}) lists, per resource, the target paths
 * Mosaic created for it (they were absent before): what a deletion may remove once the playbook
 * drops the resource, and nothing else. A damaged list counts as empty — Mosaic then deletes
 * nothing of it.
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
    /** The refresh journal could not be read: it is left as it is, never compacted away. */
    private boolean owedUnreadable;

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
        recordCreated(address, List.of());
    }

    // ---------------------------------------------------------------- what Mosaic created

    /**
     * The paths Mosaic created, per address: {@code created.json} (rewritten atomically at commit)
     * plus {@code created.journal} (a line per record made since, replayed on load), and the one
     * file per address of {@code created/} that earlier versions wrote. Read on first use only: a
     * no-op run never needs it.
     */
    private Map<String, java.util.SortedSet<String>> created;
    private boolean createdChanged;
    private BufferedWriter createdJournal;

    private Path createdFile() {
        return dir.resolve("created.json");
    }

    private Path createdJournalFile() {
        return dir.resolve("created.journal");
    }

    private Path legacyCreatedDir() {
        return dir.resolve("created");
    }

    private Map<String, java.util.SortedSet<String>> createdMap() {
        if (created != null) {
            return created;
        }
        created = new TreeMap<>();
        Path legacy = legacyCreatedDir();
        if (Files.isDirectory(legacy)) {
            try (java.util.stream.Stream<Path> files = Files.list(legacy)) {
                for (Path f : files.filter(f -> !f.getFileName().toString().startsWith(".")).toList()) {
                    readCreatedLine(Files.readString(f, StandardCharsets.UTF_8), f.toString());
                }
            } catch (IOException e) {
                warnings.add("cannot read " + legacy + " (" + e.getMessage() + "); nothing recorded there will be deleted");
            }
        }
        Path main = createdFile();
        if (Files.exists(main)) {
            try {
                Map<String, List<String>> m = JSON.readValue(main.toFile(), new TypeReference<Map<String, List<String>>>() { });
                m.forEach((a, paths) -> created.put(a, new java.util.TreeSet<>(paths)));
            } catch (IOException | RuntimeException e) {
                created.clear();
                warnings.add("the record of what Mosaic created (" + main + ") is damaged and was ignored; nothing of it"
                        + " will be deleted");
            }
        }
        Path j = createdJournalFile();
        if (Files.exists(j)) {
            try {
                for (String line : Files.readAllLines(j, StandardCharsets.UTF_8)) {
                    readCreatedLine(line, null); // a line cut by a crash is ignored
                }
            } catch (IOException e) {
                warnings.add("cannot read " + j + " (" + e.getMessage() + "); the paths it names will not be deleted");
            }
        }
        return created;
    }

    /** One record {@code {"address": …, "paths": […]}}; an empty list forgets the address. */
    private void readCreatedLine(String text, String file) {
        if (text.isBlank()) {
            return;
        }
        try {
            Map<String, Object> m = LINES.readValue(text, new TypeReference<Map<String, Object>>() { });
            if (!(m.get("address") instanceof String address) || !(m.get("paths") instanceof List<?> paths)) {
                throw new IOException("unexpected content");
            }
            java.util.SortedSet<String> set = new java.util.TreeSet<>();
            paths.forEach(p -> set.add(String.valueOf(p)));
            if (set.isEmpty()) {
                created.remove(address);
            } else {
                created.put(address, set);
            }
        } catch (IOException e) {
            if (file != null) {
                warnings.add("the record of what Mosaic created in " + file + " is damaged and was ignored; nothing of it"
                        + " will be deleted");
            }
        }
    }

    /** The target paths Mosaic created for {@code address}, sorted; empty when none or unreadable. */
    public synchronized java.util.SortedSet<String> created(String address) {
        java.util.SortedSet<String> paths = createdMap().get(address);
        return paths == null ? new java.util.TreeSet<>() : new java.util.TreeSet<>(paths);
    }

    /** Replaces the list of paths Mosaic created for {@code address}; journaled at once. */
    public synchronized void recordCreated(String address, java.util.Collection<String> paths) throws IOException {
        java.util.SortedSet<String> now = new java.util.TreeSet<>(paths);
        java.util.SortedSet<String> old = createdMap().get(address);
        if (now.equals(old == null ? java.util.Collections.emptySortedSet() : old)) {
            return;
        }
        if (now.isEmpty()) {
            created.remove(address);
        } else {
            created.put(address, now);
        }
        createdChanged = true;
        if (createdJournal == null) {
            Files.createDirectories(dir);
            createdJournal = Files.newBufferedWriter(createdJournalFile(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        Map<String, Object> line = new java.util.LinkedHashMap<>();
        line.put("address", address);
        line.put("paths", now);
        createdJournal.write(LINES.writeValueAsString(line));
        createdJournal.write('\n');
        createdJournal.flush();
    }

    /** Folds the created-paths journal into {@code created.json} (atomic rename). */
    private void commitCreated() throws IOException {
        if (!createdChanged) {
            return;
        }
        if (createdJournal != null) {
            createdJournal.close();
            createdJournal = null;
        }
        Path tmp = dir.resolve(".created.json.tmp");
        JSON.writeValue(tmp.toFile(), created);
        Files.move(tmp, createdFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.deleteIfExists(createdJournalFile());
        Path legacy = legacyCreatedDir();
        if (Files.isDirectory(legacy)) {
            try (java.util.stream.Stream<Path> files = Files.walk(legacy)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
        createdChanged = false;
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
            owedUnreadable = true;
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
        if (refreshJournal != null) {
            refreshJournal.close();
            refreshJournal = null;
        } else if (owedUnreadable || !Files.exists(refreshJournalFile())) {
            return;
        }
        // Also when this run appended nothing: a killed run may have left lines that cancel out.
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
        commitCreated();
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
