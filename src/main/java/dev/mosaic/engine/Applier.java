package dev.mosaic.engine;

import dev.mosaic.base.TargetPath;
import dev.mosaic.graph.Edge;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.host.Host;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Bound;
import dev.mosaic.resource.Capability;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.state.StateStore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import static dev.mosaic.engine.Failures.message;
import static dev.mosaic.engine.Failures.millis;

/**
 * One apply of one playbook's graph: the walk in dependency order, as many units at once as
 * allowed, and for each resource the steps observe → diff → cause → owe refreshes → track what
 * it creates → execute (alone, or with its batch) → verify → record. A failure, even a kind's
 * crash, fails that resource only; its dependents are skipped and the rest converges.
 */
final class Applier {

    private final Host host;
    private final StateStore state;
    private final Events events;
    private final int jobs;
    private final Contexts contexts;
    private final Causes causes;
    private final Created created;
    private final Playbook playbook;
    private final ResourceGraph graph;
    /** Where this apply keeps what it overwrites. */
    private final Backups backups;
    /** The plan's entries by address, with what the {@link Preflight} observed again. */
    private final Map<Address, PlannedChange> planned;

    Applier(Host host, StateStore state, Events events, int jobs, Contexts contexts, Causes causes, Created created,
            Playbook playbook, ResourceGraph graph, Backups backups, Map<Address, PlannedChange> planned) {
        this.host = host;
        this.state = state;
        this.events = events;
        this.jobs = jobs;
        this.contexts = contexts;
        this.causes = causes;
        this.created = created;
        this.playbook = playbook;
        this.graph = graph;
        this.backups = backups;
        this.planned = planned;
    }

    private record ApplyStep(Outcome outcome) implements Walker.Step {
        @Override
        public boolean blocks() {
            return outcome.status() == Outcome.Status.FAILED || outcome.status() == Outcome.Status.SKIPPED;
        }
    }

    /** The outcomes of a unit; dependents look at their own dependencies' outcomes. */
    private record UnitStep(List<Outcome> outcomes) implements Walker.Step {
        @Override
        public boolean blocks() {
            return false;
        }
    }

    /**
     * Walks the graph's units (a resource, or a batch of one kind) in dependency order, converging
     * what the plan holds: a resource without an entry (a saved plan names only its changes) is
     * left alone, whatever it looks like now.
     *
     * @param refused what the {@link Preflight} refused
     * @return one outcome per resource, in graph order
     */
    List<Outcome> walk(Map<Address, Outcome> refused) {
        Map<Address, ApplyStep> done = new ConcurrentHashMap<>();
        Map<Address, Address> roots = new ConcurrentHashMap<>();
        Map<Batches.Unit, UnitStep> result = Walker.walk(Batches.of(graph), jobs, unit -> {
            // Each member checks its own dependencies: a batch may hold resources whose
            // dependencies failed next to others whose dependencies are fine.
            List<Address> free = new ArrayList<>();
            List<Outcome> outcomes = new ArrayList<>();
            for (Address a : unit.members()) {
                Address failed = failedDependency(a, roots);
                if (failed != null) {
                    roots.put(a, failed);
                    ApplyStep root = done.get(failed);
                    boolean stale = root != null && root.outcome().status() == Outcome.Status.STALE;
                    outcomes.add(new Outcome(a, Outcome.Status.SKIPPED, Change.NOOP, Cause.NONE,
                            "dependency " + failed + (stale ? " is stale" : " failed"), 0));
                } else if (refused.containsKey(a)) {
                    outcomes.add(refused.get(a));
                } else if (!planned.containsKey(a)) {
                    // Not in the plan: left alone, whatever it looks like now.
                    outcomes.add(new Outcome(a, Outcome.Status.UNCHANGED, Change.NOOP, Cause.NONE, "", 0));
                } else {
                    free.add(a);
                }
            }
            if (free.size() == 1) {
                outcomes.add(applyOne(graph.decl(free.get(0)), done));
            } else if (!free.isEmpty()) {
                outcomes.addAll(applyBatch(free, done));
            }
            for (Outcome o : outcomes) {
                if (o.status() == Outcome.Status.CHANGED || o.status() == Outcome.Status.REFRESHED) {
                    state.recordDuration(o.address().toString(), o.millis());
                }
                if (o.failed() || o.status() == Outcome.Status.STALE) {
                    roots.put(o.address(), o.address());
                }
                done.put(o.address(), new ApplyStep(o));
                events.finished(o);
            }
            return new UnitStep(outcomes);
        }, (unit, cause) -> {
            throw new IllegalStateException("units never block the walk; members check their dependencies");
        });
        List<Outcome> all = new ArrayList<>();
        result.values().forEach(u -> all.addAll(u.outcomes()));
        Map<Address, Integer> rank = new HashMap<>();
        graph.order().forEach(a -> rank.put(a, rank.size()));
        all.sort(Comparator.comparing(o -> rank.get(o.address())));
        return all;
    }

    /**
     * The failed resource behind a failed or skipped dependency of {@code a}, the first in graph
     * order; null when all dependencies converged. {@code roots} maps each failed resource to
     * itself and each skipped one to the failure that stopped it.
     */
    private Address failedDependency(Address a, Map<Address, Address> roots) {
        Address first = null;
        int best = Integer.MAX_VALUE;
        for (Address dep : graph.dependencies(a)) {
            Address root = roots.get(dep);
            if (root != null) {
                int rank = graph.order().indexOf(root);
                if (rank < best) {
                    best = rank;
                    first = root;
                }
            }
        }
        return first;
    }

    /**
     * Converges a batch (same kind, same batch key, same wave) in one call of the kind: each member
     * is observed and diffed on its own, those that differ are applied together, then each is
     * observed again and checked like any resource.
     */
    private List<Outcome> applyBatch(List<Address> members, Map<Address, ApplyStep> done) {
        long start = System.nanoTime();
        List<Outcome> outcomes = new ArrayList<>();
        List<ResourceDecl> changing = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        List<Cause> why = new ArrayList<>();
        for (Address a : members) {
            ResourceDecl d = graph.decl(a);
            try {
                PlannedChange.Observed seen = observe(d, contexts.of(playbook, a), done);
                Bound.Seen<?, ?> observed = seen.seen();
                Change change = seen.change();
                if (change.isNoop()) {
                    record(d, observed);
                    outcomes.add(new Outcome(a, Outcome.Status.UNCHANGED, change, Cause.NONE, "", millis(start)));
                    continue;
                }
                Cause cause = causes.of(d, observed.inputDigest());
                started(d, change.action(), cause, playbook.shown(a, change.diffs()), List.of());
                changing.add(d);
                changes.add(change);
                why.add(cause);
            } catch (ResourceException | IOException e) {
                outcomes.add(new Outcome(a, Outcome.Status.FAILED, Change.NOOP, Cause.NONE, message(e), millis(start)));
            } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
                outcomes.add(new Outcome(a, Outcome.Status.FAILED, Change.NOOP, Cause.NONE, Failures.bug(events, d, e), millis(start)));
            }
        }
        if (changing.isEmpty()) {
            return outcomes;
        }
        ResourceDecl first = changing.get(0);
        try (ResourceLog log = log(first)) {
            String failure = null;
            // One call converges them all: backups name the first, and what each member
            // created is what it declares it produces (absent before, present after).
            List<Set<String>> absent = new ArrayList<>();
            try {
                for (ResourceDecl d : changing) {
                    absent.add(created.absentProduced(d));
                    causes.oweRefreshes(graph, d);
                }
                first.bound().applyBatch(changing.stream().map(ResourceDecl::bound).toList(), changes,
                        contexts.of(playbook, first.address(), log, new ResourceHost(host, first.address().toString(), backups)));
                for (int i = 0; i < changing.size(); i++) {
                    created.note(changing.get(i), null, absent.get(i));
                }
            } catch (ResourceException | IOException e) {
                failure = message(e);
            } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
                failure = Failures.bug(events, first, e);
            }
            for (int i = 0; i < changing.size(); i++) {
                ResourceDecl d = changing.get(i);
                outcomes.add(failure != null
                        ? new Outcome(d.address(), Outcome.Status.FAILED, changes.get(i), why.get(i),
                                failure + (log.written() ? "\nfull log: " + log.file() : ""), millis(start))
                        : verify(d, changes.get(i), why.get(i), start));
            }
        }
        return outcomes;
    }

    /** After a batch: observe again; anything still differing is the kind's bug. */
    private Outcome verify(ResourceDecl d, Change change, Cause cause, long start) {
        Address a = d.address();
        try {
            Bound.Seen<?, ?> after = d.bound().observe(contexts.of(playbook, a));
            Change left = after.diff();
            if (!left.isNoop()) {
                return stillDiffers(d, change, cause, left, start);
            }
            record(d, after);
            state.refreshed(a.toString());
            return new Outcome(a, Outcome.Status.CHANGED, change, cause, "", millis(start));
        } catch (ResourceException | IOException e) {
            return new Outcome(a, Outcome.Status.FAILED, change, cause, message(e), millis(start));
        } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
            // The kind's bug fails this resource (its dependents are skipped), not the whole apply.
            return new Outcome(a, Outcome.Status.FAILED, change, cause, Failures.bug(events, d, e), millis(start));
        }
    }

    /** One resource alone, its output kept in its own log, named in the failure. */
    private Outcome applyOne(ResourceDecl d, Map<Address, ApplyStep> done) {
        try (ResourceLog log = log(d)) {
            Outcome o = applyOne(d, done, log);
            return o.failed() && log.written()
                    ? new Outcome(o.address(), o.status(), o.change(), o.cause(), o.message() + "\nfull log: " + log.file(), o.millis())
                    : o;
        }
    }

    private Outcome applyOne(ResourceDecl d, Map<Address, ApplyStep> done, ResourceLog log) {
        long start = System.nanoTime();
        Address a = d.address();
        // A sensitive resource's old content is not kept: a backup would put the secret in the state.
        // Its paths are remembered, so that nothing backs up the secret it leaves there later either.
        Backups keep = playbook.isSensitive(a) ? backups.forSensitive() : backups;
        ResourceHost target = new ResourceHost(host, a.toString(), keep);
        Context ctx = contexts.of(playbook, a, log, target);
        try {
            if (keep != backups) {
                // What it produces may hold the secret, also what its commands write; a mere
                // container directory does not (what is written inside is marked as it is written).
                for (String p : d.bound().paths().produces()) {
                    if (!d.type().has(Capability.CONTAINERS_ONLY) || !host.stat(TargetPath.of(p)).isDirectory()) {
                        keep.sensitive(List.of(p));
                    }
                }
            }
            // observe, diff (or what the plan saw, while nothing upstream moved it)
            PlannedChange.Observed seen = observe(d, ctx, done);
            Bound.Seen<?, ?> observed = seen.seen();
            Change change = seen.change();
            List<Address> notifiers = causes.notifiers(graph, d, u -> done.get(u) != null
                    && done.get(u).outcome().status() == Outcome.Status.CHANGED);
            if (change.isNoop()) {
                record(d, observed);
                if (notifiers.isEmpty()) {
                    return new Outcome(a, Outcome.Status.UNCHANGED, change, Cause.NONE, "", millis(start));
                }
                started(d, Action.REFRESH, Cause.NOTIFIED, List.of(), notifiers);
                d.bound().refresh(ctx);
                state.refreshed(a.toString());
                return new Outcome(a, Outcome.Status.REFRESHED, change, Cause.NOTIFIED, "notified by " + names(notifiers), millis(start));
            }
            // cause, owe refreshes, track what it creates, execute
            Cause cause = causes.of(d, observed.inputDigest());
            started(d, change.action(), cause, playbook.shown(a, change.diffs()), List.of());
            // What a kind that only writes through the host creates, the ResourceHost sees.
            Set<String> absent = d.type().has(Capability.ONLY_THROUGH_HOST) ? Set.of() : created.absentProduced(d);
            causes.oweRefreshes(graph, d);
            try {
                d.bound().apply(change, ctx);
            } finally {
                created.note(d, target, absent); // what a failed apply made is Mosaic's too
            }
            // verify, record
            Bound.Seen<?, ?> after = d.bound().observe(ctx);
            Change left = after.diff();
            if (!left.isNoop() && !(change.action() == Action.DELETE && left.action() == Action.NOOP)) {
                return stillDiffers(d, change, cause, left, start);
            }
            record(d, after);
            String refreshed = "";
            if (!notifiers.isEmpty() && d.type().has(Capability.REFRESHABLE) && d.bound().refreshAfter(change)) {
                // Its own change did not take in what its notifiers changed (a service only enabled).
                d.bound().refresh(ctx);
                refreshed = "and refreshed: notified by " + names(notifiers);
            }
            state.refreshed(a.toString()); // converged anew: whatever it owed is done
            return new Outcome(a, Outcome.Status.CHANGED, change, cause, refreshed, millis(start));
        } catch (ResourceException | IOException e) {
            return new Outcome(a, Outcome.Status.FAILED, Change.NOOP, Cause.NONE, message(e), millis(start));
        } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
            // A kind's crash, even an Error, fails that resource only: the others finish and the
            // state of what converged is kept.
            return new Outcome(a, Outcome.Status.FAILED, Change.NOOP, Cause.NONE, Failures.bug(events, d, e), millis(start));
        }
    }

    /**
     * What {@code d} looks like now, and its change. The plan's observation while nothing that
     * feeds it data changed since (an upstream change through {@code requires}, a read or a
     * modification may move what it sees; a parent directory made, or a notifier, does not):
     * observing it again would find the same. Otherwise, or when the plan holds no observation (a
     * saved plan's resource, a deferred one), it is observed at its turn.
     */
    private PlannedChange.Observed observe(ResourceDecl d, Context ctx, Map<Address, ApplyStep> done)
            throws ResourceException, IOException {
        PlannedChange e = planned.get(d.address());
        if (e != null && e.observed() != null && graph.incoming(d.address()).stream()
                .filter(Edge::carriesData).noneMatch(in -> moved(done.get(in.from())))) {
            return e.observed();
        }
        Bound.Seen<?, ?> observed = d.bound().observe(ctx);
        return new PlannedChange.Observed(observed, observed.diff());
    }

    /** Whether an upstream resource's outcome may have moved what its dependents see. */
    private static boolean moved(ApplyStep s) {
        return s == null || switch (s.outcome().status()) {
            case CHANGED, REFRESHED, FAILED -> true;
            case UNCHANGED, SKIPPED, STALE -> false;
        };
    }

    private ResourceLog log(ResourceDecl d) {
        return new ResourceLog(state.dir().resolve("logs"), d.address().toString());
    }

    private void started(ResourceDecl d, Action action, Cause cause, List<Diff> diffs, List<Address> after) {
        Address a = d.address();
        events.started(a, new PlannedChange(a, d.type().kind(), d.description(), action, cause, diffs, after,
                PlannedChange.Status.PLANNED, ""), state.lastDuration(a.toString()).orElse(-1L));
    }

    private static Outcome stillDiffers(ResourceDecl d, Change change, Cause cause, Change left, long start) {
        return new Outcome(d.address(), Outcome.Status.FAILED, change, cause, "bug in resource kind '" + d.type().kind()
                + "': after apply, " + d.address() + " still differs in "
                + left.diffs().stream().map(Diff::field).distinct().collect(Collectors.joining(", ")), millis(start));
    }

    private static String names(List<Address> addresses) {
        return addresses.stream().map(Address::toString).collect(Collectors.joining(", "));
    }

    private void record(ResourceDecl d, Bound.Seen<?, ?> observed) throws IOException {
        // What it notifies is kept too: a restore of its files owes their refreshes.
        List<String> notifies = d.notifies().stream().map(r -> playbook.byId(r.id())).flatMap(Optional::stream)
                .map(n -> n.address().toString()).sorted().toList();
        state.record(d.address().toString(), d.configDigest(), observed.inputDigest(),
                d.keepOnRemove(), notifies);
    }
}
