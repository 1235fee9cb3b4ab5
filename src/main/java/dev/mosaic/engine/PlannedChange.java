package dev.mosaic.engine;

import dev.mosaic.graph.Edge;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Bound;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Command;
import dev.mosaic.resource.Diff;

import java.util.List;

/**
 * One resource's entry in a plan. Exactly one of these holds: it has an action (possibly NOOP);
 * it is {@code deferred} (its observation depends on changes planned upstream, named in
 * {@code after}); it {@code failed} to be observed (message in {@code error}); or it is
 * {@code skipped} because a dependency failed. {@code seen} is what the plan observed (null when
 * nothing was: deferred, failed, skipped), which a saved plan checks again before applying.
 * {@code commands}: what a change (or a deferred one) will run, as the plan announces it.
 *
 * <p>{@code because}: the upstream entries that put this one in the plan, each with the edge it
 * came through — the neighbours whose changes flow into an <em>input changed</em>, the notifiers
 * of a refresh, the changes a deferred entry waits for, the failure that skipped it. Empty for a
 * change of its own (new, config changed, drift). The planner records it as it plans, so that
 * {@code explain} reads the chain instead of walking the graph again.
 *
 * <p>{@code observed}: what this very run saw when it planned, which its own apply uses instead
 * of looking again while nothing upstream has changed. Only a plan made in memory has it: a plan
 * read back from a file holds the fingerprint alone, and its resources are observed again.
 */
public record PlannedChange(Address address, String kind, String description, Action action, Cause cause,
                            List<Diff> diffs, List<Address> after, Status status, String error, Fingerprint seen,
                            List<Command> commands, List<String> paths, List<Upstream> because, Observed observed) {

    public enum Status { PLANNED, DEFERRED, FAILED, SKIPPED }

    /** An upstream entry that caused this one, and the edge between them (null when they are not neighbours). */
    public record Upstream(Address address, Edge edge) {
    }

    /**
     * An observation (with the binding it was made through) and the change diffed from it, held
     * in memory between a plan and the apply that made it; never written to a file. {@code seen} is
     * null for the deletion of a resource the playbook dropped: no kind observes it, only its paths
     * were looked at, and the apply deletes what the plan listed.
     */
    public record Observed(Bound.Seen<?, ?> seen, Change change) {
    }

    public PlannedChange {
        diffs = List.copyOf(diffs);
        after = List.copyOf(after);
        commands = List.copyOf(commands);
        paths = List.copyOf(paths);
        because = List.copyOf(because);
    }

    public PlannedChange(Address address, String kind, String description, Action action, Cause cause,
                         List<Diff> diffs, List<Address> after, Status status, String error, Fingerprint seen) {
        this(address, kind, description, action, cause, diffs, after, status, error, seen, List.of(), List.of(),
                List.of(), null);
    }

    public PlannedChange(Address address, String kind, String description, Action action, Cause cause,
                         List<Diff> diffs, List<Address> after, Status status, String error) {
        this(address, kind, description, action, cause, diffs, after, status, error, null);
    }

    /** The same change, saying what it will run and which target paths it writes. */
    public PlannedChange withRun(List<Command> run, List<String> writes) {
        return new PlannedChange(address, kind, description, action, cause, diffs, after, status, error, seen, run, writes,
                because, observed);
    }

    /** The same entry, with the upstream entries that caused it. */
    public PlannedChange because(List<Upstream> upstream) {
        return new PlannedChange(address, kind, description, action, cause, diffs, after, status, error, seen, commands,
                paths, upstream, observed);
    }

    /** The same entry, carrying the observation it was planned from (in memory only). */
    PlannedChange observed(Bound.Seen<?, ?> state, Change change) {
        return new PlannedChange(address, kind, description, action, cause, diffs, after, status, error, seen, commands,
                paths, because, new Observed(state, change));
    }

    public boolean isChange() {
        return status == Status.PLANNED && action != Action.NOOP;
    }

    /** Whether what it plans moves what its dependents see (a deferred one may). */
    public boolean changes() {
        return isChange() || status == Status.DEFERRED;
    }
}
