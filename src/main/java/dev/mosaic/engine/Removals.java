package dev.mosaic.engine;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Diff;
import dev.mosaic.state.StateStore;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

import static dev.mosaic.engine.Failures.message;
import static dev.mosaic.engine.Failures.millis;

/**
 * Resources Mosaic converged on this target that the playbook no longer declares: planned as
 * deletions of what Mosaic created for them, and deleted by {@code apply --allow-delete}.
 */
final class Removals {

    private final Host host;
    private final StateStore state;
    private final Contexts contexts;
    private final Events events;

    Removals(Host host, StateStore state, Contexts contexts, Events events) {
        this.host = host;
        this.state = state;
        this.contexts = contexts;
        this.events = events;
    }

    /** A resource Mosaic converged here that the playbook no longer declares, with what of it is still there. */
    private record Removal(Address address, boolean keep, SortedMap<String, FileStat> paths) {

        PlannedChange planned() {
            List<Diff> diffs = new ArrayList<>();
            paths.forEach((p, st) -> diffs.add(new Diff.Field(st.kindWord(), p, null)));
            return new PlannedChange(address, address.type(), "", Action.DELETE, Cause.REMOVED, diffs, List.of(),
                    PlannedChange.Status.PLANNED, "", seen());
        }

        /** What a saved plan compares: each path's kind, and a file's size and modification time. */
        Fingerprint seen() {
            Map<String, String> m = new TreeMap<>();
            paths.forEach((p, st) -> m.put(p, switch (st.kind()) {
                case FILE -> "file of " + st.size() + " B modified " + Instant.ofEpochSecond(0, st.mtimeNanos());
                case SYMLINK -> "symlink to " + st.linkTarget();
                default -> st.kindWord();
            }));
            return new Fingerprint(Action.DELETE.word(), m, "");
        }
    }

    /** The deletions a plan shows: removed resources with something of theirs still there. */
    List<PlannedChange> planned(Playbook playbook) throws IOException {
        List<PlannedChange> out = new ArrayList<>();
        for (Removal r : removals(playbook)) {
            if (!r.keep() && !r.paths().isEmpty()) {
                // What it saw travels with an in-memory plan: its own apply has nothing to check again.
                // No kind observed it (the playbook dropped it): the mark is the change alone.
                out.add(r.planned().observed(null, new Change(Action.DELETE, r.planned().diffs())));
            }
        }
        return out;
    }

    /**
     * Every resource of the state the playbook no longer declares, sorted by address, with the
     * paths Mosaic created for it that still exist and no resource of the playbook manages.
     */
    private List<Removal> removals(Playbook playbook) throws IOException {
        Set<String> declared = new HashSet<>();
        playbook.resources().forEach(d -> declared.add(d.address().toString()));
        List<Removal> out = new ArrayList<>();
        for (String text : state.addresses()) {
            Optional<Address> a = Address.parse(text);
            if (declared.contains(text) || a.isEmpty()) {
                continue;
            }
            boolean keep = state.get(text).map(StateStore.Entry::keep).orElse(false);
            SortedMap<String, FileStat> paths = new TreeMap<>();
            if (!keep) {
                for (String p : state.created(text)) {
                    FileStat st = host.stat(TargetPath.of(p));
                    if (st.exists() && !contexts.managedByPlaybook(playbook, p)) {
                        paths.put(p, st);
                    }
                }
            }
            out.add(new Removal(a.get(), keep, paths));
        }
        return out;
    }

    /**
     * Deletes what Mosaic created for resources the playbook dropped, deepest paths first; a
     * directory is removed only when nothing else is left in it. A resource with
     * {@code on_remove: keep}, or with nothing left to delete, is simply forgotten.
     *
     * Only the deletions the plan holds are made: one that appeared since is shown by a later
     * plan. A deletion read back from a saved plan is refused when what it would delete moved since
     * the plan; one planned in memory by this apply carries what it saw, and is not checked again.
     *
     * @param planned the plan's entries by address
     * @param backups where what is deleted is kept for {@code mosaic restore}
     */
    List<Outcome> delete(Playbook playbook, Map<Address, PlannedChange> planned, boolean allowDelete, Backups backups)
            throws IOException {
        List<Outcome> outcomes = new ArrayList<>();
        List<Removal> deleting = new ArrayList<>();
        for (Removal r : removals(playbook)) {
            String text = r.address().toString();
            PlannedChange entry = planned.get(r.address());
            if (r.keep() || r.paths().isEmpty()) {
                state.forget(text);
            } else if (entry == null || entry.action() != Action.DELETE) {
                continue; // not in the plan: a later plan shows it
            } else if (entry.observed() == null && entry.seen() != null && !r.seen().digest().equals(entry.seen().digest())) {
                finished(outcomes, new Outcome(r.address(), Outcome.Status.STALE, Change.NOOP, Cause.REMOVED,
                        "changed since the plan, not deleted: " + String.join("; ", Fingerprint.changes(entry.seen(), r.seen())), 0));
            } else if (!allowDelete) {
                finished(outcomes, new Outcome(r.address(), Outcome.Status.SKIPPED, new Change(Action.DELETE, r.planned().diffs()),
                        Cause.REMOVED, "removed from the playbook; what Mosaic created for it (" + r.paths().size() + " path"
                        + (r.paths().size() == 1 ? "" : "s") + ") stays until apply --allow-delete", 0));
            } else {
                deleting.add(r);
            }
        }
        // All paths of all removals at once, children before parents (a path sorts after its parent).
        TreeMap<String, Removal> byPath = new TreeMap<>(Comparator.reverseOrder());
        Map<Removal, ResourceHost> hosts = new HashMap<>();
        Map<Removal, List<String>> kept = new HashMap<>();
        Map<Removal, String> failures = new HashMap<>();
        for (Removal r : deleting) {
            r.paths().keySet().forEach(p -> byPath.put(p, r));
            hosts.put(r, new ResourceHost(host, r.address().toString(), backups));
            events.started(r.address(), r.planned(), -1);
        }
        long start = System.nanoTime();
        for (Map.Entry<String, Removal> e : byPath.entrySet()) {
            Removal r = e.getValue();
            String p = e.getKey();
            try {
                TargetPath path = TargetPath.of(p);
                FileStat st = host.stat(path);
                if (st.isDirectory() && !host.walk(path).isEmpty()) {
                    kept.computeIfAbsent(r, k -> new ArrayList<>()).add(p);
                } else if (st.exists()) {
                    hosts.get(r).delete(path);
                }
            } catch (IOException ex) {
                failures.merge(r, p + ": " + message(ex), (x, y) -> x + "; " + y);
            }
        }
        for (Removal r : deleting) {
            Change change = new Change(Action.DELETE, r.planned().diffs());
            if (failures.containsKey(r)) {
                finished(outcomes, new Outcome(r.address(), Outcome.Status.FAILED, change, Cause.REMOVED,
                        "cannot delete " + failures.get(r), millis(start)));
            } else {
                List<String> left = kept.getOrDefault(r, List.of());
                state.forget(r.address().toString());
                finished(outcomes, new Outcome(r.address(), Outcome.Status.CHANGED, change, Cause.REMOVED,
                        left.isEmpty() ? "" : "kept, not empty: " + String.join(", ", left.stream().sorted().toList()),
                        millis(start)));
            }
        }
        return outcomes;
    }

    private void finished(List<Outcome> outcomes, Outcome o) {
        outcomes.add(o);
        events.finished(o);
    }
}
