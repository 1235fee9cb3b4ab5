package dev.mosaic.state;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.base.AtomicFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The refreshes owed ({@code refresh.journal}): per notified resource, the notifiers that changed
 * and whose refresh it has not made yet. A line is forced to disk before the notifier's change
 * begins, so a run killed between a change and its refresh leaves the refresh owed to the next.
 * The one journal forced line by line (see the journal rule in {@code package-info}): once the
 * notifier has changed, no observation can tell that a refresh is owed.
 */
final class RefreshJournal {

    private static final ObjectMapper LINES = new ObjectMapper();

    private final Path file;
    private final Consumer<String> warnings;
    private final Map<String, SortedSet<String>> owed = new TreeMap<>();
    private FileChannel channel;
    /** The journal could not be read: it is left as it is, never compacted away. */
    private boolean unreadable;

    RefreshJournal(Path dir, Consumer<String> warnings) {
        this.file = dir.resolve("refresh.journal");
        this.warnings = warnings;
    }

    void load() {
        Path f = file;
        Optional<byte[]> bytes;
        try {
            bytes = StateDir.read(f);
        } catch (IOException e) {
            unreadable = true;
            warnings.accept("refresh journal " + f + " cannot be read (" + StateDir.reason(e)
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
                warnings.accept("refresh journal " + f + ": line " + (i + 1) + " is damaged (not UTF-8) and was ignored;"
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
                    owed.computeIfAbsent(target, t -> new TreeSet<>()).add(rec.get("by"));
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
    synchronized void owe(String target, String notifier) throws IOException {
        if (owed.computeIfAbsent(target, t -> new TreeSet<>()).add(notifier)) {
            append(Map.of("refresh", target, "by", notifier));
        }
    }

    /** The notifiers whose refresh of {@code target} is still owed (from this run or an interrupted one). */
    synchronized SortedSet<String> owedBy(String target) {
        SortedSet<String> by = owed.get(target);
        return by == null ? Collections.emptySortedSet() : new TreeSet<>(by);
    }

    /** Clears what {@code target} owed: it refreshed, or converged from scratch. */
    synchronized void done(String target) throws IOException {
        if (owed.remove(target) != null) {
            append(Map.of("refresh", target, "done", "true"));
        }
    }

    private void append(Map<String, String> line) throws IOException {
        if (channel == null) {
            StateDir.directory(file.getParent());
            channel = FileChannel.open(file, Set.of(
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND,
                    LinkOption.NOFOLLOW_LINKS));
            // The journal's name, when it was just made, must survive a power loss with its lines.
            AtomicFile.forceDirectory(file.getParent());
        }
        byte[] bytes = (LINES.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        FileChannel open = channel;
        AtomicFile.blocking(() -> open.force(false));
    }

    /** Rewrites the refresh journal with only what is still owed (atomically), or removes it. */
    synchronized void compact() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        } else if (unreadable || !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        // Also when this run appended nothing: a killed run may have left lines that cancel out.
        if (owed.isEmpty()) {
            Files.deleteIfExists(file);
            return;
        }
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, SortedSet<String>> e : owed.entrySet()) {
            for (String by : e.getValue()) {
                text.append(LINES.writeValueAsString(Map.of("refresh", e.getKey(), "by", by))).append('\n');
            }
        }
        StateDir.writeAtomic(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }
}
