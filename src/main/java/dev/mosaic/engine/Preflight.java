package dev.mosaic.engine;

import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Bound;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.ResourceException;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import static dev.mosaic.engine.Failures.message;

/**
 * The one place where an apply decides that a planned change is stale: before the walk, before
 * anything is touched, whatever the plan came from.
 */
final class Preflight {

    private final ResourceGraph graph;
    private final Playbook playbook;
    private final Contexts contexts;
    private final Events events;
    /** The plan's entries by address; a fresh observation replaces a saved entry's fingerprint alone. */
    private final Map<Address, PlannedChange> planned;

    Preflight(ResourceGraph graph, Playbook playbook, Contexts contexts, Events events, Map<Address, PlannedChange> planned) {
        this.graph = graph;
        this.playbook = playbook;
        this.contexts = contexts;
        this.events = events;
        this.planned = planned;
    }

    /**
     * Makes sure each planned change is still what the plan saw, before anything is touched: an
     * entry read back from a saved plan holds only its fingerprint, so its resource is observed
     * again — one that moved since the plan is refused as {@link Outcome.Status#STALE}, the others
     * keep the fresh observation for the walk. An entry this run planned in memory carries its
     * observation, made just now with nothing touched since: it is fresh as it is. Deferred entries
     * were not observed by the plan, and deletions of resources dropped from the playbook are
     * checked when they are made.
     */
    Map<Address, Outcome> check() {
        Map<Address, Outcome> refused = new HashMap<>();
        for (Address a : graph.order()) {
            PlannedChange e = planned.get(a);
            // A declared resource whose change is a deletion (a directory 'ensure: absent') is
            // checked like any other: what it would remove may have changed since the review.
            // Resources dropped from the playbook are not in the graph: checked as they are deleted.
            if (e == null || e.seen() == null || e.observed() != null) {
                continue;
            }
            ResourceDecl d = graph.decl(a);
            try {
                Bound.Seen<?, ?> observed = d.bound().observe(contexts.of(playbook, a));
                Change change = observed.diff();
                Fingerprint now = Fingerprint.of(change, observed.inputDigest(), observed.overwritesDigest());
                if (!now.digest().equals(e.seen().digest())) {
                    refused.put(a, new Outcome(a, Outcome.Status.STALE, Change.NOOP, Cause.NONE,
                            "changed since the plan, not applied: " + String.join("; ", Fingerprint.changes(e.seen(), now)), 0));
                } else {
                    planned.put(a, e.observed(observed, change));
                }
            } catch (ResourceException | IOException ex) {
                refused.put(a, new Outcome(a, Outcome.Status.FAILED, Change.NOOP, Cause.NONE,
                        "cannot be observed again before applying the saved plan: " + message(ex), 0));
            } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError ex) {
                refused.put(a, new Outcome(a, Outcome.Status.FAILED, Change.NOOP, Cause.NONE, Failures.bug(events, d, ex), 0));
            }
        }
        return refused;
    }
}
