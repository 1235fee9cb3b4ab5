package dev.mosaic.render;

import dev.mosaic.engine.Events;
import dev.mosaic.engine.Outcome;
import dev.mosaic.engine.PlannedChange;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Diff;

import java.io.PrintWriter;
import java.util.stream.Collectors;

/**
 * Apply progress as plain lines, one per resource that changes, failed or was skipped. Safe for
 * pipes and cron (no control characters). Thread-safe: lines are printed whole.
 */
public final class ConsoleEvents implements Events {

    private final PrintWriter out;
    private final PrintWriter err;

    public ConsoleEvents(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public synchronized void started(Address address, PlannedChange planned) {
        // Announced when finished: with parallel jobs, one line per resource stays readable.
    }

    @Override
    public synchronized void finished(Outcome o) {
        switch (o.status()) {
            case CHANGED -> {
                String fields = o.change().diffs().stream().map(Diff::field).distinct().collect(Collectors.joining(", "));
                out.println(o.change().action().symbol() + " " + o.address() + ": " + past(o) + " (" + o.cause().word() + ")"
                        + (fields.isEmpty() ? "" : " [" + fields + "]") + " in " + o.millis() + " ms");
            }
            case REFRESHED -> out.println("* " + o.address() + ": refreshed (" + o.message() + ") in " + o.millis() + " ms");
            case FAILED -> out.println("! " + o.address() + ": failed: " + o.message());
            case SKIPPED -> out.println("  " + o.address() + ": skipped, " + o.message());
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

    @Override
    public synchronized void output(Address address, String line) {
        // Command output goes to the resource's log file; a failure shows its tail.
    }

    @Override
    public synchronized void warning(String message) {
        err.println("warning: " + message);
    }
}
