package dev.mosaic.render;

import dev.mosaic.engine.Events;
import dev.mosaic.engine.Outcome;
import dev.mosaic.engine.PlannedChange;
import dev.mosaic.resource.Address;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Records when each resource of an apply started and finished, and what was planned for it, while
 * forwarding every event unchanged to {@code next} (the console or JSON events): the material of
 * {@link HtmlReport}. Times are milliseconds since this recorder was made, just before the apply.
 * Thread-safe (the engine calls it from its workers).
 *
 * <p>Only redacted data is kept: the {@link PlannedChange} the engine hands to {@code started} is
 * built from {@code Playbook.shown}, whereas an {@link Outcome}'s change holds the raw diffs, so
 * the report takes its diffs from the former only.
 */
public final class TimelineEvents implements Events {

    /**
     * One resource's time in the apply. {@code start} is when the engine began with it (observing
     * included: {@code end} minus its outcome's duration), {@code work} when it started converging
     * ({@code started} event; -1 when it did not: unchanged, failed to observe, skipped), {@code end}
     * when it finished (-1 when it had not when the recording was taken). {@code planned} is null
     * when no change started; {@code outcome} null when the resource had not finished.
     */
    public record Span(Address address, long start, long work, long end, PlannedChange planned, Outcome outcome) {
    }

    /** What was recorded up to one moment: spans in the order resources finished (unfinished last). */
    public record Recording(Instant began, long elapsed, List<Span> spans, List<String> warnings) {
        public Recording {
            spans = List.copyOf(spans);
            warnings = List.copyOf(warnings);
        }
    }

    private record Started(long at, PlannedChange planned) {
    }

    private final Events next;
    private final LongSupplier nanos;
    private final long origin;
    private final Instant began;
    private final Map<Address, Started> running = new LinkedHashMap<>();
    private final List<Span> finished = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    public TimelineEvents(Events next) {
        this(next, System::nanoTime, Instant.now());
    }

    /** With a clock of nanoseconds (tests: a fake one). */
    TimelineEvents(Events next, LongSupplier nanos, Instant began) {
        this.next = next;
        this.nanos = nanos;
        this.origin = nanos.getAsLong();
        this.began = began;
    }

    private long now() {
        return (nanos.getAsLong() - origin) / 1_000_000;
    }

    @Override
    public void started(Address address, PlannedChange planned, long expectedMillis) {
        synchronized (this) {
            running.put(address, new Started(now(), planned));
        }
        next.started(address, planned, expectedMillis);
    }

    @Override
    public void finished(Outcome outcome) {
        synchronized (this) {
            long end = now();
            Started s = running.remove(outcome.address());
            long start = Math.max(0, end - outcome.millis());
            if (s != null) {
                start = Math.min(start, s.at());
            }
            finished.add(new Span(outcome.address(), start, s == null ? -1 : s.at(), end, s == null ? null : s.planned(),
                    outcome));
        }
        next.finished(outcome);
    }

    @Override
    public void output(Address address, String line) {
        next.output(address, line);
    }

    @Override
    public void warning(String message) {
        synchronized (this) {
            warnings.add(message);
        }
        next.warning(message);
    }

    /** Everything so far; resources still running (an apply cut short) have no end. */
    public synchronized Recording recording() {
        List<Span> spans = new ArrayList<>(finished);
        running.forEach((a, s) -> spans.add(new Span(a, s.at(), s.at(), -1, s.planned(), null)));
        return new Recording(began, now(), spans, warnings);
    }
}
