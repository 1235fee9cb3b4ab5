package dev.mosaic.engine;

import dev.mosaic.resource.Action;
import dev.mosaic.resource.Address;
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
 */
public record PlannedChange(Address address, String kind, String description, Action action, Cause cause,
                            List<Diff> diffs, List<Address> after, Status status, String error, Fingerprint seen,
                            List<Command> commands, List<String> paths) {

    public enum Status { PLANNED, DEFERRED, FAILED, SKIPPED }

    public PlannedChange {
        diffs = List.copyOf(diffs);
        after = List.copyOf(after);
        commands = List.copyOf(commands);
        paths = List.copyOf(paths);
    }

    public PlannedChange(Address address, String kind, String description, Action action, Cause cause,
                         List<Diff> diffs, List<Address> after, Status status, String error, Fingerprint seen) {
        this(address, kind, description, action, cause, diffs, after, status, error, seen, List.of(), List.of());
    }

    /** The same change, saying what it will run and which target paths it writes. */
    public PlannedChange withRun(List<Command> run, List<String> writes) {
        return new PlannedChange(address, kind, description, action, cause, diffs, after, status, error, seen, run, writes);
    }

    public PlannedChange(Address address, String kind, String description, Action action, Cause cause,
                         List<Diff> diffs, List<Address> after, Status status, String error) {
        this(address, kind, description, action, cause, diffs, after, status, error, null);
    }

    public boolean isChange() {
        return status == Status.PLANNED && action != Action.NOOP;
    }
}
