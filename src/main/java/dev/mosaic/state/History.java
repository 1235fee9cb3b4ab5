package dev.mosaic.state;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The history of a target's applies, in {@code STATE/history/}: per apply, {@code <id>.journal}
 * (one JSON line per target path touched, appended and flushed before the path is changed: what
 * it held before, its content kept in the {@link BackupStore}) and {@code <id>.json} (who, when,
 * which playbook, what changed, the outcome), written atomically when the apply ends. An apply
 * killed midway has a journal without summary and is listed as {@code interrupted}; a damaged
 * summary is rebuilt from the journal with a warning; a line cut by a crash is ignored. Nothing
 * here is ever trusted over the target itself: {@code restore} rewrites what the journal names.
 *
 * <p>Ids sort in time order: {@code 20240501-101500} (UTC), with {@code -2}, {@code -3}… when two
 * applies start in the same second.
 */
public final class History {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    /**
     * What a path held before an apply touched it: {@code before} is {@code absent}, {@code file}
     * (content {@code sha256} in the backup store, permission {@code mode}), {@code symlink}
     * ({@code linkTarget}) or {@code directory}.
     */
    public record Touch(String address, String path, String before, String sha256, int mode, String linkTarget) {
    }

    /** One apply (or restore) as the history lists it. */
    public record Run(String id, String command, String started, String finished, String user, String playbook,
                      String target, List<String> changed, String outcome) {
        public Run {
            changed = List.copyOf(changed);
        }
    }

    private final Path dir;
    private final List<String> warnings = new CopyOnWriteArrayList<>();

    private History(Path dir) {
        this.dir = dir;
    }

    /** The history of the target whose state lives in {@code stateDir}. */
    public static History of(Path stateDir) {
        return new History(stateDir.resolve("history"));
    }

    public Path dir() {
        return dir;
    }

    /** Problems met while reading (damaged records), for the CLI to print. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Whether {@code id} has the shape of a history id (never a path). */
    public static boolean isId(String id) {
        return id.matches("\\d{8}-\\d{6}(-\\d+)?");
    }

    /** Starts recording a run; the caller holds the target's apply lock. */
    public Recorder begin(String command, String playbook, String target, String user) throws IOException {
        Files.createDirectories(dir);
        Instant now = Instant.now();
        String base = ID.format(now);
        String id = base;
        for (int n = 2; Files.exists(dir.resolve(id + ".journal")) || Files.exists(dir.resolve(id + ".json")); n++) {
            id = base + "-" + n;
        }
        return new Recorder(new Run(id, command, now.toString(), null, user, playbook, target, List.of(), "interrupted"));
    }

    /** Records one run's touches, the first per path only. Thread-safe. */
    public final class Recorder {
        private final Run run;
        private final Set<String> seen = new HashSet<>();
        /** Opened at the first touch: a run that touches nothing leaves nothing behind. */
        private BufferedWriter journal;

        private Recorder(Run run) {
            this.run = run;
        }

        public String id() {
            return run.id();
        }

        /** Whether {@code path} was already recorded in this run (its state before the run is kept). */
        public synchronized boolean seen(String path) {
            return seen.contains(path);
        }

        /** Records what {@code t.path()} held before this run first touched it; later touches are ignored. */
        public synchronized void touched(Touch t) throws IOException {
            if (seen.add(t.path())) {
                write(Map.of("touch", t));
            }
        }

        private synchronized void write(Map<String, Object> line) throws IOException {
            if (journal == null) {
                journal = Files.newBufferedWriter(dir.resolve(run.id() + ".journal"), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                journal.write(JSON.writeValueAsString(Map.of("run", run)));
                journal.write('\n');
            }
            journal.write(JSON.writeValueAsString(line));
            journal.write('\n');
            journal.flush();
        }

        /** Whether the run touched any path on the target. */
        public synchronized boolean touchedAny() {
            return !seen.isEmpty();
        }

        /** Ends a run that changed nothing and touched nothing: it leaves no trace in the history. */
        public synchronized void discard() throws IOException {
            if (journal != null) {
                journal.close();
                journal = null;
                Files.deleteIfExists(dir.resolve(run.id() + ".journal"));
            }
        }

        /** Ends the run: its summary, written atomically. */
        public synchronized void finish(List<String> changed, String outcome) throws IOException {
            if (journal != null) {
                journal.close();
                journal = null;
            }
            Run done = new Run(run.id(), run.command(), run.started(), Instant.now().toString(), run.user(),
                    run.playbook(), run.target(), changed, outcome);
            Path tmp = dir.resolve("." + run.id() + ".json.tmp");
            Files.writeString(tmp, JSON.writeValueAsString(done), StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(run.id() + ".json"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** Every recorded run, oldest first. */
    public List<Run> runs() throws IOException {
        Set<String> ids = new TreeSet<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                for (Path f : s) {
                    String name = f.getFileName().toString();
                    String id = name.replaceFirst("\\.(json|journal)$", "");
                    if (!name.equals(id) && isId(id)) {
                        ids.add(id);
                    }
                }
            }
        }
        List<Run> out = new ArrayList<>();
        for (String id : ids) {
            run(id).ifPresent(out::add);
        }
        return out;
    }

    /** One run: its summary, or what its journal tells when the summary is missing or damaged. */
    public Optional<Run> run(String id) throws IOException {
        if (!isId(id)) {
            return Optional.empty();
        }
        Path summary = dir.resolve(id + ".json");
        if (Files.exists(summary)) {
            try {
                Run r = JSON.readValue(summary.toFile(), Run.class);
                if (id.equals(r.id())) {
                    return Optional.of(r);
                }
            } catch (IOException | RuntimeException e) {
                // rebuilt below
            }
            warnings.add("history record " + summary + " is damaged; rebuilt from its journal");
        }
        Optional<Run> begun = Optional.empty();
        Set<String> touched = new TreeSet<>();
        for (Map<String, Object> line : lines(id)) {
            if (line.get("run") != null && begun.isEmpty()) {
                try {
                    begun = Optional.of(JSON.convertValue(line.get("run"), Run.class));
                } catch (IllegalArgumentException e) {
                    // a damaged first line: the touches still tell something
                }
            } else if (line.get("touch") instanceof Map<?, ?> t && t.get("address") != null) {
                touched.add(String.valueOf(t.get("address")));
            }
        }
        if (begun.isEmpty() && touched.isEmpty() && !Files.exists(dir.resolve(id + ".journal"))) {
            return Optional.empty();
        }
        Run b = begun.orElse(new Run(id, "apply", null, null, null, null, null, List.of(), null));
        String outcome = Files.exists(summary) ? "unknown (damaged record)" : "interrupted";
        return Optional.of(new Run(id, b.command(), b.started(), null, b.user(), b.playbook(), b.target(),
                List.copyOf(touched), outcome));
    }

    /** What the run touched, in the order it touched it. */
    public List<Touch> touches(String id) throws IOException {
        List<Touch> out = new ArrayList<>();
        for (Map<String, Object> line : lines(id)) {
            if (line.get("touch") != null) {
                try {
                    out.add(JSON.convertValue(line.get("touch"), Touch.class));
                } catch (IllegalArgumentException e) {
                    warnings.add("history " + id + ": a damaged line was ignored");
                }
            }
        }
        return out;
    }

    private List<Map<String, Object>> lines(String id) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!isId(id)) {
            return out;
        }
        List<String> text;
        try {
            text = Files.readAllLines(dir.resolve(id + ".journal"), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return out;
        } catch (java.nio.charset.MalformedInputException e) {
            warnings.add("history journal " + id + " is damaged (not UTF-8) and was ignored");
            return out;
        }
        for (String line : text) {
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(JSON.readValue(line, new TypeReference<LinkedHashMap<String, Object>>() { }));
            } catch (IOException e) {
                warnings.add("history journal " + id + ": a damaged line was ignored");
            }
        }
        return out;
    }
}
