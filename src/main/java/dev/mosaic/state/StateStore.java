package dev.mosaic.state;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * killed midway loses nothing already converged: the next load replays the journal (each line is
 * flushed as its resource converges; the journal is forced to disk once, folded into
 * {@code state.json}, when the run ends — see the journal rule in {@code package-info}: a line a
 * power loss takes only makes the next plan check that resource again). A damaged
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
     * delete what it created once the playbook drops it); {@code notifies} the addresses it
     * notifies (so that {@code restore}, which has no playbook, can owe their refreshes).
     */
    public record Entry(String config, String inputs, String appliedAt, boolean keep, List<String> notifies) {
        public Entry {
            notifies = notifies == null ? List.of() : List.copyOf(notifies);
        }

        public Entry(String config, String inputs, String appliedAt, boolean keep) {
            this(config, inputs, appliedAt, keep, List.of());
        }

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
    /** The state journal had a damaged line: the next commit folds it into {@code state.json} anyway. */
    private boolean damagedJournal;
    /** How long each resource's last real work (a change or a refresh) took, in milliseconds. */
    private final Map<String, Long> durations = new ConcurrentHashMap<>();
    private volatile boolean durationsChanged;
    /** Refreshes owed: the notified resource's address, and the notifiers that changed. */
    private final RefreshJournal owed;
    /** What Mosaic created, per address: read on first use only, a no-op run never needs it. */
    private final CreatedPaths created;

    private StateStore(Path dir) {
        this.dir = dir;
        this.owed = new RefreshJournal(dir, warnings::add);
        this.created = new CreatedPaths(dir, warnings::add);
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

    /** How many warnings {@link #newWarnings()} has handed out. */
    private int warned;

    /**
     * The warnings not handed out yet: some are found only while a run reads what it needs (the
     * record of created paths is read on first use), so a command asks again at its end.
     */
    public synchronized List<String> newWarnings() {
        List<String> all = List.copyOf(warnings);
        List<String> out = all.subList(Math.min(warned, all.size()), all.size());
        warned = all.size();
        return out;
    }

    private void load() {
        Path main = dir.resolve("state.json");
        readJson(main, "state file").ifPresent(tree -> tree.fields().forEachRemaining(f -> {
            try {
                Entry e = written(f.getValue());
                if (e == null) {
                    e = JSON.treeToValue(f.getValue(), Entry.class);
                }
                if (e == null || e.config() == null || e.inputs() == null) {
                    throw new IllegalArgumentException("incomplete");
                }
                entries.put(f.getKey(), e);
            } catch (IOException | IllegalArgumentException e) {
                warnings.add("state file " + main + ": the entry of " + f.getKey() + " is damaged and was ignored;"
                        + " its cause may read 'new' once");
            }
        }));
        Path d = dir.resolve("durations.json");
        readJson(d, "durations file").ifPresent(tree -> tree.fields().forEachRemaining(f -> {
            if (f.getValue().canConvertToLong()) {
                durations.put(f.getKey(), f.getValue().asLong());
            }
        }));
        owed.load();
        Path j = dir.resolve("state.journal");
        for (String line : journalLines(j, "state journal")) {
            if (line == null) {
                damagedJournal = true; // said by journalLines; folded away at the next commit
                continue;
            }
            if (line.isBlank()) {
                continue;
            }
            try {
                Map<String, Object> rec = LINES.readValue(line, new TypeReference<Map<String, Object>>() { });
                if (!(rec.get("address") instanceof String address)) {
                    continue;
                }
                if ("true".equals(rec.get("forget"))) {
                    entries.remove(address);
                } else if (rec.get("config") instanceof String config && rec.get("inputs") instanceof String inputs) {
                    List<String> notifies = rec.get("notifies") instanceof List<?> l
                            ? l.stream().map(String::valueOf).toList() : List.of();
                    entries.put(address, new Entry(config, inputs, rec.get("at") instanceof String at ? at : null,
                            "true".equals(rec.get("keep")), notifies));
                }
            } catch (IOException e) {
                // A line cut by a crash: everything before it is intact.
            }
        }
    }

    /**
     * The entry, when it has exactly the shape {@link #commit} writes (its five fields, each of
     * its type); else null, and Jackson reads it as any other, with its coercions and its
     * refusals. Jackson's record binding took ≈ 25 ms of a no-op apply at a thousand entries.
     */
    private static Entry written(JsonNode n) {
        if (n.size() != 5) {
            return null;
        }
        JsonNode config = n.get("config");
        JsonNode inputs = n.get("inputs");
        JsonNode at = n.get("appliedAt");
        JsonNode keep = n.get("keep");
        JsonNode notifies = n.get("notifies");
        if (config == null || !config.isTextual() || inputs == null || !inputs.isTextual() || at == null
                || !(at.isTextual() || at.isNull()) || keep == null || !keep.isBoolean() || notifies == null
                || !notifies.isArray()) {
            return null;
        }
        List<String> names = new java.util.ArrayList<>(notifies.size());
        for (JsonNode a : notifies) {
            if (!a.isTextual()) {
                return null;
            }
            names.add(a.textValue());
        }
        return new Entry(config.textValue(), inputs.textValue(), at.textValue(), keep.booleanValue(), names);
    }

    private Optional<JsonNode> readJson(Path file, String what) {
        return StateDir.readJson(file, what, "", warnings::add);
    }

    private List<String> journalLines(Path file, String what) {
        return StateDir.journalLines(file, what, warnings::add);
    }

    public Optional<Entry> get(String address) {
        return Optional.ofNullable(entries.get(address));
    }

    /** Records a converged resource and appends it to the journal at once. */
    public void record(String address, String config, String inputs) throws IOException {
        record(address, config, inputs, false);
    }

    /** The same, with the resource's {@code on_remove: keep}. */
    public void record(String address, String config, String inputs, boolean keep) throws IOException {
        record(address, config, inputs, keep, List.of());
    }

    /** The same, with the addresses the resource notifies. */
    public synchronized void record(String address, String config, String inputs, boolean keep, List<String> notifies)
            throws IOException {
        Entry old = entries.get(address);
        if (old != null && config.equals(old.config()) && inputs.equals(old.inputs()) && keep == old.keep()
                && notifies.equals(old.notifies())) {
            return; // converged with the same configuration as recorded: keep when that was
        }
        String at = java.time.Instant.now().toString();
        entries.put(address, new Entry(config, inputs, at, keep, notifies));
        Map<String, Object> line = new java.util.LinkedHashMap<>(Map.of("address", address, "config", config,
                "inputs", inputs, "at", at, "keep", String.valueOf(keep)));
        if (!notifies.isEmpty()) {
            line.put("notifies", notifies);
        }
        append(line);
    }

    private void append(Map<String, ?> line) throws IOException {
        if (journal == null) {
            StateDir.directory(dir);
            journal = writer(StateDir.append(dir.resolve("state.journal")));
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

    /** The target paths Mosaic created for {@code address}, sorted; empty when none or unreadable. */
    public java.util.SortedSet<String> created(String address) {
        return created.get(address);
    }

    /** Replaces the list of paths Mosaic created for {@code address}; journaled at once. */
    public void recordCreated(String address, java.util.Collection<String> paths) throws IOException {
        created.record(address, paths);
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

    /**
     * Notes, durably, that {@code target} owes a refresh because {@code notifier} is about to
     * change. Call it before making the change: once this returns the line is on disk.
     */
    public void oweRefresh(String target, String notifier) throws IOException {
        owed.owe(target, notifier);
    }

    /** The notifiers whose refresh of {@code target} is still owed (from this run or an interrupted one). */
    public java.util.SortedSet<String> refreshesOwed(String target) {
        return owed.owedBy(target);
    }

    /** Clears what {@code target} owed: it refreshed, or converged from scratch. */
    public void refreshed(String target) throws IOException {
        owed.done(target);
    }

    private static BufferedWriter writer(java.io.OutputStream out) {
        return new BufferedWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8));
    }

    /** Folds the journal into {@code state.json} (atomic rename) and removes it. */
    public synchronized void commit() throws IOException {
        owed.compact();
        created.commit();
        if (durationsChanged) {
            StateDir.directory(dir);
            StateDir.writeAtomic(dir.resolve("durations.json"), JSON.writeValueAsBytes(new TreeMap<>(durations)));
            durationsChanged = false;
        }
        if (journal == null && !damagedJournal) {
            return;
        }
        if (journal != null) {
            journal.close();
            journal = null;
        }
        damagedJournal = false;
        StateDir.writeAtomic(dir.resolve("state.json"), JSON.writeValueAsBytes(new TreeMap<>(entries)));
        Files.deleteIfExists(dir.resolve("state.journal"));
    }
}
