package dev.mosaic.state;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.base.AtomicFile;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
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
 * <p>Durability (the journal rule in {@code package-info}): a line is flushed before its path is
 * changed, so a killed Mosaic loses none; the journal is forced to disk once, when the run ends,
 * before its summary. Forcing each line would cost an fsync per path a first apply creates; what
 * it would buy is a power loss in the middle of an apply that keeps every line: without it such a
 * run, listed as {@code interrupted}, may have lost the journal's last lines, and {@code restore}
 * then puts back only the paths its journal still names (the copies of their contents are on disk
 * before the change, {@link BackupStore#put}).
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

    /**
     * One apply (or restore) as the history lists it; {@code paths} is how many paths its journal
     * records (in the summary, so that a journal truncated since is told from a whole one; null
     * in summaries of earlier versions and while the run goes on).
     */
    public record Run(String id, String command, String started, String finished, String user, String playbook,
                      String target, List<String> changed, String outcome, Integer paths) {
        public Run {
            changed = changed == null ? List.of() : List.copyOf(changed);
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
        StateDir.directory(dir);
        Instant now = Instant.now();
        String base = ID.format(now);
        String id = base;
        for (int n = 2; StateDir.lstat(dir.resolve(id + ".journal")).isPresent()
                || StateDir.lstat(dir.resolve(id + ".json")).isPresent(); n++) {
            id = base + "-" + n;
        }
        return new Recorder(new Run(id, command, now.toString(), null, user, playbook, target, List.of(), "interrupted", null));
    }

    /** Records one run's touches, the first per path only. Thread-safe. */
    public final class Recorder {
        private final Run run;
        private final Set<String> seen = new HashSet<>();
        /** Opened at the first touch: a run that touches nothing leaves nothing behind. */
        private BufferedWriter journal;
        /** The journal's file, forced to disk once, when the run ends. */
        private FileChannel channel;

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
            if (journal == null) { // CREATE_NEW: O_EXCL, never through a link
                channel = FileChannel.open(dir.resolve(run.id() + ".journal"), Set.of(StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS));
                journal = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8));
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

        /**
         * Ends the run: its journal forced to disk, then its summary written atomically (and
         * durably), so that a run the history lists as ended has its whole journal.
         */
        public synchronized void finish(List<String> changed, String outcome) throws IOException {
            if (journal != null) {
                journal.flush();
                AtomicFile.blocking(() -> channel.force(false));
                journal.close();
                journal = null;
                AtomicFile.forceDirectory(dir);
            }
            Run done = new Run(run.id(), run.command(), run.started(), Instant.now().toString(), run.user(),
                    run.playbook(), run.target(), changed, outcome, seen.size());
            StateDir.directory(dir);
            StateDir.writeAtomic(dir.resolve(run.id() + ".json"), JSON.writeValueAsBytes(done));
        }
    }

    /**
     * The runs killed since the last one that ended: a journal and no summary, newer than every
     * summary. Read from the directory's names alone, so that each apply may ask cheaply; a run
     * ended since (an apply or a restore) puts the older ones out of this list for good.
     */
    public List<String> interruptedSinceLastEnded() throws IOException {
        TreeSet<String> journals = new TreeSet<>();
        String lastEnded = "";
        if (StateDir.lstat(dir).isPresent()) {
            StateDir.directory(dir);
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                for (Path f : s) {
                    String name = f.getFileName().toString();
                    String id = name.replaceFirst("\\.(json|journal)$", "");
                    if (name.equals(id) || !isId(id)) {
                        continue;
                    }
                    if (name.endsWith(".json")) {
                        lastEnded = id.compareTo(lastEnded) > 0 ? id : lastEnded;
                    } else {
                        journals.add(id);
                    }
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (String id : journals.tailSet(lastEnded, false)) {
            if (StateDir.lstat(dir.resolve(id + ".json")).isEmpty()) {
                out.add(id);
            }
        }
        return out;
    }

    /** Every recorded run, oldest first. */
    public List<Run> runs() throws IOException {
        Set<String> ids = new TreeSet<>();
        if (StateDir.lstat(dir).isPresent()) {
            StateDir.directory(dir); // a link or a file there is an error, never followed
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
        boolean hasSummary = StateDir.lstat(summary).isPresent();
        if (hasSummary) {
            try {
                Run r = JSON.readValue(StateDir.read(summary).orElseThrow(), Run.class);
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
        for (Map<String, Object> line : journal(id).lines()) {
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
        if (begun.isEmpty() && touched.isEmpty() && StateDir.lstat(dir.resolve(id + ".journal")).isEmpty()) {
            return Optional.empty();
        }
        Run b = begun.orElse(new Run(id, "apply", null, null, null, null, null, List.of(), null, null));
        String outcome = hasSummary ? "unknown (damaged record)" : "interrupted";
        return Optional.of(new Run(id, b.command(), b.started(), null, b.user(), b.playbook(), b.target(),
                List.copyOf(touched), outcome, null));
    }

    /** What the run touched, in the order it touched it (what a damaged journal still tells). */
    public List<Touch> touches(String id) throws IOException {
        List<Touch> out = new ArrayList<>();
        for (Map<String, Object> line : journal(id).lines()) {
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

    /**
     * What makes the journal of {@code id} untrustworthy as a whole, empty when it can be
     * trusted: a damaged line (not UTF-8, not JSON, not a touch) anywhere but at the end of a
     * run that was interrupted (a line cut by a kill was written before its change began, so
     * the change never happened); a cut last line in a run that finished (the journal was
     * truncated since); a finished run that changed something and whose journal is gone or
     * records no path.
     */
    public List<String> damage(String id) throws IOException {
        Journal j = journal(id);
        List<String> out = new ArrayList<>(j.damaged());
        boolean finished = StateDir.lstat(dir.resolve(id + ".json")).isPresent();
        if (j.cut() && finished) {
            out.add("its last line is cut: the journal was truncated after the apply ended");
        } else if (j.cut() && !j.damaged().isEmpty()) {
            out.add("its last line is cut");
        }
        long touches = j.lines().stream().filter(l -> l.get("touch") != null).count();
        for (Map<String, Object> line : j.lines()) {
            if (line.get("touch") != null) {
                try {
                    JSON.convertValue(line.get("touch"), Touch.class);
                } catch (IllegalArgumentException e) {
                    out.add("a line names no path it touched in a form Mosaic can read");
                }
            }
        }
        Optional<Run> summary = finished ? run(id) : Optional.empty();
        int recorded = summary.map(Run::paths).orElse(0);
        boolean changedAny = summary.isPresent() && !summary.get().changed().isEmpty();
        if (finished && !j.exists() && (recorded > 0 || changedAny)) {
            out.add("it is missing, though the apply touched " + (recorded > 0 ? recorded + " paths"
                    : String.join(", ", summary.get().changed())));
        } else if (recorded > touches) {
            out.add("it records " + touches + " of the " + recorded + " paths the apply touched: it was truncated"
                    + " after the apply ended");
        } else if (finished && touches == 0 && changedAny) {
            out.add("it records no path, though the apply changed " + String.join(", ", summary.get().changed()));
        }
        return out;
    }

    /** A journal as read: its intact lines, what is damaged in it, whether its last line is cut. */
    private record Journal(boolean exists, List<Map<String, Object>> lines, List<String> damaged, boolean cut) {
    }

    private Journal journal(String id) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        List<String> damaged = new ArrayList<>();
        if (!isId(id)) {
            return new Journal(false, out, damaged, false);
        }
        Optional<byte[]> bytes = StateDir.read(dir.resolve(id + ".journal"));
        if (bytes.isEmpty()) {
            return new Journal(false, out, damaged, false);
        }
        boolean cut = StateDir.cut(bytes.get());
        List<String> text = StateDir.lines(bytes.get());
        for (int i = 0; i < text.size(); i++) {
            String line = text.get(i);
            boolean last = i == text.size() - 1;
            if (line != null && line.isBlank()) {
                continue;
            }
            try {
                if (line == null) {
                    throw new IOException("not UTF-8");
                }
                out.add(JSON.readValue(line, new TypeReference<LinkedHashMap<String, Object>>() { }));
            } catch (IOException e) {
                if (!(last && cut)) { // a cut last line is judged by damage()
                    damaged.add("line " + (i + 1) + " is damaged" + (line == null ? " (not UTF-8)" : ""));
                    warnings.add("history journal " + id + ": line " + (i + 1) + " is damaged and was ignored");
                }
            }
        }
        return new Journal(true, out, damaged, cut);
    }
}
