package dev.mosaic.resource;

import java.util.List;

/**
 * What {@code diff} found: the action and, field by field, what differs. Immutable; {@code NOOP}
 * has no diffs. A kind may attach a {@code detail} object that its own {@code apply} understands
 * (e.g. the exact list of files to copy), so apply does not have to recompute the comparison.
 */
public record Change(Action action, List<Diff> diffs, Object detail) {

    public static final Change NOOP = new Change(Action.NOOP, List.of(), null);

    public Change {
        diffs = List.copyOf(diffs);
    }

    public Change(Action action, List<Diff> diffs) {
        this(action, diffs, null);
    }

    public static Change of(Action action, List<Diff> diffs) {
        return diffs.isEmpty() && action != Action.DELETE && action != Action.CREATE
                ? NOOP : new Change(action, diffs);
    }

    public boolean isNoop() {
        return action == Action.NOOP;
    }

    /** Whether a given field is among the diffs. */
    public boolean touches(String field) {
        return diffs.stream().anyMatch(d -> d.field().equals(field));
    }
}
