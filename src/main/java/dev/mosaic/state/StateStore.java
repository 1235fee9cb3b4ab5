package dev.mosaic.state;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
                Entry e = JSON.treeToValue(f.getValue(), Entry.class);
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
        loadOwed();
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
     * A JSON object kept in the state directory, or empty when absent or damaged (with a warning:
     * state refines causes, observation rules).
     */
    private Optional<com.fasterxml.jackson.databind.JsonNode> readJson(Path file, String what) {
        return readJson(file, what, "");
    }

    /** The same; {@code consequence} ends the warning ("; nothing of it will be deleted"). */
    private Optional<com.fasterxml.jackson.databind.JsonNode> readJson(Path file, String what, String consequence) {
        try {
            Optional<byte[]> bytes = StateDir.read(file);
            if (bytes.isEmpty()) {
                return Optional.empty();
            }
            com.fasterxml.jackson.databind.JsonNode tree = JSON.readTree(bytes.get());
            if (tree == null || !tree.isObject()) {
                throw new IOException("not a JSON object");
            }
            return Optional.of(tree);
        } catch (IOException | RuntimeException e) {
            warnings.add(what + " " + file + " is damaged and was ignored" + consequence);
            return Optional.empty();
        }
    }

    /**
     * The lines of a journal of the state directory; a line that is not UTF-8 is null and said in
     * a warning (the other lines count), an unreadable journal is empty with a warning.
     */
    private List<String> journalLines(Path file, String what) {
        Optional<byte[]> bytes;
        try {
            bytes = StateDir.read(file);
        } catch (IOException e) {
            warnings.add(what + " " + file + " cannot be read and was ignored (" + StateDir.reason(e) + ")");
            return List.of();
        }
        if (bytes.isEmpty()) {
            return List.of();
        }
        List<String> lines = StateDir.lines(bytes.get());
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i) == null) {
                warnings.add(what + " " + file + ": line " + (i + 1) + " is damaged (not UTF-8) and was ignored");
            }
        }
        return lines;
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
        if (Files.isDirectory(legacy, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (java.util.stream.Stream<Path> files = Files.list(legacy)) {
                for (Path f : files.filter(f -> !f.getFileName().toString().startsWith(".")).toList()) {
                    Optional<byte[]> bytes = StateDir.read(f);
                    if (bytes.isPresent()) {
                        readCreatedLine(new String(bytes.get(), StandardCharsets.UTF_8), f.toString());
                    }
                }
            } catch (IOException e) {
                warnings.add("cannot read " + legacy + " (" + StateDir.reason(e) + "); nothing recorded there will be deleted");
            }
        }
        // Each entry on its own: one damaged entry hides only its own paths from deletion.
        Path main = createdFile();
        readJson(main, "the record of what Mosaic created", "; nothing of it will be deleted").ifPresent(tree -> tree.fields().forEachRemaining(f -> {
            java.util.SortedSet<String> paths = new java.util.TreeSet<>();
            boolean ok = f.getValue().isArray();
            for (com.fasterxml.jackson.databind.JsonNode p : f.getValue()) {
                ok &= p.isTextual() && p.asText().startsWith("/") && p.asText().indexOf('\0') < 0;
                paths.add(p.asText());
            }
            if (ok) {
                created.put(f.getKey(), paths);
            } else {
                warnings.add("the record of what Mosaic created (" + main + "): the entry of " + f.getKey()
                        + " is damaged and was ignored; nothing of it will be deleted");
            }
        }));
        for (String line : journalLines(createdJournalFile(), "the journal of what Mosaic created")) {
            if (line != null) {
                readCreatedLine(line, null); // a line cut by a crash is ignored
            } else {
                createdChanged = true; // folded away at the next commit, so the warning is said once
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
            for (Object p : paths) {
                if (!(p instanceof String path) || !path.startsWith("/") || path.indexOf('\0') >= 0) {
                    throw new IOException("not a path: " + p);
                }
                set.add(path);
            }
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
            StateDir.directory(dir);
            createdJournal = writer(StateDir.append(createdJournalFile()));
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
        StateDir.writeAtomic(createdFile(), JSON.writeValueAsBytes(created));
        Files.deleteIfExists(createdJournalFile());
        Path legacy = legacyCreatedDir();
        if (Files.isDirectory(legacy, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
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
        Optional<byte[]> bytes;
        try {
            bytes = StateDir.read(f);
        } catch (IOException e) {
            owedUnreadable = true;
            warnings.add("refresh journal " + f + " cannot be read (" + StateDir.reason(e)
                    + "); refreshes owed by an interrupted run may be missed");
            return;
        }
        if (bytes.isEmpty()) {
            return;
        }
        List<String> lines = StateDir.lines(bytes.get());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line == null) {
                warnings.add("refresh journal " + f + ": line " + (i + 1) + " is damaged (not UTF-8) and was ignored;"
                        + " a refresh it named may be missed");
                continue;
            }
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
            StateDir.directory(dir);
            refreshJournal = java.nio.channels.FileChannel.open(refreshJournalFile(), java.util.Set.of(
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS));
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
        } else if (owedUnreadable || !Files.exists(refreshJournalFile(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
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
        StateDir.writeAtomic(refreshJournalFile(), text.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static BufferedWriter writer(java.io.OutputStream out) {
        return new BufferedWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8));
    }

    /** Folds the journal into {@code state.json} (atomic rename) and removes it. */
    public synchronized void commit() throws IOException {
        compactOwed();
        commitCreated();
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
