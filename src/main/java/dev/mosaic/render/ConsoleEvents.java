package dev.mosaic.render;

import dev.mosaic.engine.Events;
import dev.mosaic.engine.Outcome;
import dev.mosaic.engine.PlannedChange;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Diff;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;

/**
 * Apply progress for people. Always one line per resource that changed, failed or was skipped.
 * On a terminal ({@code live}), also a status line rewritten every second while resources work:
 * what runs, for how long, against how long it took last time, and its last output line. Off a
 * terminal (CI, cron, pipes) nothing but whole lines, no control characters. Thread-safe.
 */
public final class ConsoleEvents implements Events, AutoCloseable {

    private record Running(long startNanos, long expectedMillis, String lastLine) {
    }

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean live;
    private final Map<Address, Running> running = new LinkedHashMap<>();
    private final Thread ticker;
    /** The terminal's width: the status line stays shorter, or it would wrap and leave stale copies. */
    private final int columns;
    private boolean statusShown;

    /** @param columns the terminal's width, asked once when live: the status line stays narrower */
    public ConsoleEvents(PrintWriter out, PrintWriter err, boolean live, IntSupplier columns) {
        this.out = out;
        this.err = err;
        this.live = live;
        this.columns = live ? columns.getAsInt() : 80;
        if (live) {
            ticker = new Thread(this::tick, "mosaic-progress");
            ticker.setDaemon(true);
            ticker.start();
        } else {
            ticker = null;
        }
    }

    public ConsoleEvents(PrintWriter out, PrintWriter err) {
        this(out, err, false, () -> 80);
    }

    private void tick() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(1000);
                synchronized (this) {
                    showStatus();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The status line: the oldest running resource, its times and last output, and how many more run. */
    private void showStatus() {
        if (running.isEmpty()) {
            return;
        }
        Map.Entry<Address, Running> first = running.entrySet().iterator().next();
        Running r = first.getValue();
        long elapsed = (System.nanoTime() - r.startNanos()) / 1_000_000;
        StringBuilder b = new StringBuilder("... ").append(first.getKey()).append(' ').append(duration(elapsed));
        if (r.expectedMillis() > 0) {
            b.append(" (last run ").append(duration(r.expectedMillis())).append(')');
        }
        if (running.size() > 1) {
            b.append(" +").append(running.size() - 1).append(" more");
        }
        if (!r.lastLine().isEmpty()) {
            b.append(" | ").append(r.lastLine());
        }
        String line = fit(b.toString(), columns - 1);
        out.print("\r\033[K" + line);
        out.flush();
        statusShown = true;
    }

    private void clearStatus() {
        if (statusShown) {
            out.print("\r\033[K");
            statusShown = false;
        }
    }

    /** {@code line} cut to {@code width} characters, the last one an ellipsis when cut. */
    static String fit(String line, int width) {
        int n = line.codePointCount(0, line.length());
        if (n <= width) {
            return line;
        }
        return line.substring(0, line.offsetByCodePoints(0, Math.max(0, width - 1))) + "…";
    }

    static String duration(long millis) {
        long s = millis / 1000;
        return s >= 60 ? (s / 60) + "m" + String.format("%02d", s % 60) + "s" : s + "s";
    }

    @Override
    public synchronized void started(Address address, PlannedChange planned, long expectedMillis) {
        running.put(address, new Running(System.nanoTime(), expectedMillis, ""));
    }

    @Override
    public synchronized void finished(Outcome o) {
        running.remove(o.address());
        clearStatus();
        switch (o.status()) {
            case CHANGED -> {
                String fields = o.change().diffs().stream().map(Diff::field).distinct().collect(Collectors.joining(", "));
                out.println(o.change().action().symbol() + " " + o.address() + ": " + past(o) + " (" + o.cause().word() + ")"
                        + (fields.isEmpty() ? "" : " [" + fields + "]") + " in " + o.millis() + " ms");
            }
            case REFRESHED -> out.println("* " + o.address() + ": refreshed (" + o.message() + ") in " + o.millis() + " ms");
            case FAILED -> out.println("! " + o.address() + ": failed: " + o.message());
            case SKIPPED -> out.println("  " + o.address() + ": skipped, " + o.message());
            case STALE -> out.println("! " + o.address() + ": refused, " + o.message());
            default -> {
            }
        }
        out.flush();
    }

    private static String past(Outcome o) {
        return switch (o.change().action()) {
            case CREATE -> "created";
            case UPDATE -> "updated";
            case REPLACE -> "replaced";
            case DELETE -> "deleted";
            default -> "done";
        };
    }

    /** Command output goes to the resource's log file; the live view keeps its last line. */
    @Override
    public synchronized void output(Address address, String line) {
        Running r = running.get(address);
        if (r != null && !line.isBlank()) {
            running.put(address, new Running(r.startNanos(), r.expectedMillis(), line.strip().replaceAll("\\p{Cntrl}", " ")));
        }
    }

    @Override
    public synchronized void warning(String message) {
        clearStatus();
        err.println("warning: " + message);
    }

    /** A line of Mosaic's reasoning ({@code -v}, {@code --debug}) on stderr, the live status line cleared first. */
    public synchronized void note(String line) {
        clearStatus();
        err.println(line);
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.interrupt();
        }
        synchronized (this) {
            clearStatus();
            out.flush();
        }
    }
}
