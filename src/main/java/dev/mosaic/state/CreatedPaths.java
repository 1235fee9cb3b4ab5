package dev.mosaic.state;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The paths Mosaic created, per address: {@code created.json} (rewritten atomically at commit)
 * plus {@code created.journal} (a line per record made since, replayed on load), and the one file
 * per address of {@code created/} that earlier versions wrote. Read on first use only: a no-op run
 * never needs it. A damaged list counts as empty: Mosaic then deletes nothing of it.
 *
 * <p>A journal line is flushed before the path it names is created and reaches the disk folded
 * into {@code created.json} when the run ends (the journal rule in {@code package-info}): a line a
 * power loss takes only means that Mosaic keeps, rather than deletes, a path it made.
 */
final class CreatedPaths {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper LINES = new ObjectMapper();

    private final Path dir;
    private final Consumer<String> warnings;

    CreatedPaths(Path dir, Consumer<String> warnings) {
        this.dir = dir;
        this.warnings = warnings;
    }

    private Map<String, SortedSet<String>> created;
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

    private Map<String, SortedSet<String>> createdMap() {
        if (created != null) {
            return created;
        }
        created = new TreeMap<>();
        Path legacy = legacyCreatedDir();
        if (Files.isDirectory(legacy, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> files = Files.list(legacy)) {
                for (Path f : files.filter(f -> !f.getFileName().toString().startsWith(".")).toList()) {
                    Optional<byte[]> bytes = StateDir.read(f);
                    if (bytes.isPresent()) {
                        readCreatedLine(new String(bytes.get(), StandardCharsets.UTF_8), f.toString());
                    }
                }
            } catch (IOException e) {
                warnings.accept("cannot read " + legacy + " (" + StateDir.reason(e) + "); nothing recorded there will be deleted");
            }
        }
        // Each entry on its own: one damaged entry hides only its own paths from deletion.
        Path main = createdFile();
        StateDir.readJson(main, "the record of what Mosaic created", "; nothing of it will be deleted", warnings).ifPresent(tree -> tree.fields().forEachRemaining(f -> {
            SortedSet<String> paths = new TreeSet<>();
            boolean ok = f.getValue().isArray();
            for (JsonNode p : f.getValue()) {
                ok &= p.isTextual() && p.asText().startsWith("/") && p.asText().indexOf('\0') < 0;
                paths.add(p.asText());
            }
            if (ok) {
                created.put(f.getKey(), paths);
            } else {
                warnings.accept("the record of what Mosaic created (" + main + "): the entry of " + f.getKey()
                        + " is damaged and was ignored; nothing of it will be deleted");
            }
        }));
        for (String line : StateDir.journalLines(createdJournalFile(), "the journal of what Mosaic created", warnings)) {
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
            SortedSet<String> set = new TreeSet<>();
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
                warnings.accept("the record of what Mosaic created in " + file + " is damaged and was ignored; nothing of it"
                        + " will be deleted");
            }
        }
    }

    /** The paths created for {@code address}, sorted; empty when none or unreadable. */
    synchronized SortedSet<String> get(String address) {
        SortedSet<String> paths = createdMap().get(address);
        return paths == null ? new TreeSet<>() : new TreeSet<>(paths);
    }

    /** Replaces the list of paths created for {@code address}; journaled at once. */
    synchronized void record(String address, Collection<String> paths) throws IOException {
        SortedSet<String> now = new TreeSet<>(paths);
        SortedSet<String> old = createdMap().get(address);
        if (now.equals(old == null ? Collections.emptySortedSet() : old)) {
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
            createdJournal = new BufferedWriter(new OutputStreamWriter(StateDir.append(createdJournalFile()), StandardCharsets.UTF_8));
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("address", address);
        line.put("paths", now);
        createdJournal.write(LINES.writeValueAsString(line));
        createdJournal.write('\n');
        createdJournal.flush();
    }

    /** Folds the created-paths journal into {@code created.json} (atomic rename). */
    synchronized void commit() throws IOException {
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
        if (Files.isDirectory(legacy, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> files = Files.walk(legacy)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
        createdChanged = false;
    }
}
