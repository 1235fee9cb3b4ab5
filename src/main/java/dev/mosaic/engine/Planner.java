package dev.mosaic.engine;

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
import dev.mosaic.resource.Command;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.ResourceException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import static dev.mosaic.engine.Failures.message;

/**
 * A plan: each resource observed and diffed in dependency order, its cause found, what it will
 * write and run named; then the resources the playbook dropped. Writes nothing anywhere.
 */
final class Planner {

    private final Host host;
    private final Contexts contexts;
    private final Causes causes;
    private final Removals removals;
    private final Events events;
    private final int jobs;

    Planner(Host host, Contexts contexts, Causes causes, Removals removals, Events events, int jobs) {
        this.host = host;
        this.contexts = contexts;
        this.causes = causes;
        this.removals = removals;
        this.events = events;
        this.jobs = jobs;
    }

    private record PlanStep(PlannedChange change) implements Walker.Step {
        @Override
        public boolean blocks() {
            return change.status() == PlannedChange.Status.FAILED || change.status() == PlannedChange.Status.SKIPPED;
        }

        /** Whether what it plans moves what its dependents see (a deferred one may). */
        boolean changes() {
            return change.changes();
        }
    }

    Plan plan(Playbook playbook, ResourceGraph graph) {
        Map<Address, PlanStep> steps = new ConcurrentHashMap<>();
        Map<Address, PlanStep> result = Walker.walk(graph, jobs, a -> {
            PlanStep s = new PlanStep(planOne(playbook, graph, graph.decl(a), steps));
            steps.put(a, s);
            return s;
        }, (a, cause) -> {
            PlanStep s = new PlanStep(new PlannedChange(a, a.type(), graph.decl(a).description(), Action.NOOP, Cause.NONE,
                    List.of(), List.of(cause), PlannedChange.Status.SKIPPED, cause + " could not be planned")
                    .because(upstream(graph, List.of(cause), a)));
            steps.put(a, s);
            return s;
        });
        List<PlannedChange> entries = new ArrayList<>(result.values().stream()
                .map(s -> withRun(playbook, graph, s.change())).toList());
        try {
            if (!graph.partial()) { // under --target only the selection is planned: a removal is never part of one
                entries.addAll(removals.planned(playbook));
            }
        } catch (IOException e) {
            events.warning("cannot tell what to delete: " + message(e));
        }
        return new Plan(playbook.name(), host.name(), inPlan(entries));
    }

    /**
     * The entries with only the causes the plan holds: a refresh owed since an interrupted run may
     * name a resource the playbook no longer declares, and has nothing to show of it.
     */
    private static List<PlannedChange> inPlan(List<PlannedChange> entries) {
        Set<Address> planned = new HashSet<>();
        entries.forEach(e -> planned.add(e.address()));
        return entries.stream().map(e -> e.because().stream().allMatch(u -> planned.contains(u.address())) ? e
                : e.because(e.because().stream().filter(u -> planned.contains(u.address())).toList())).toList();
    }

    /**
     * The entries {@code causes} of {@code a}, sorted, each with the edge it came through: the one
     * that carries data first when there are several, null when the two are not neighbours (a
     * skipped resource and the failure that skipped it may not be).
     */
    private static List<PlannedChange.Upstream> upstream(ResourceGraph graph, Collection<Address> causes, Address a) {
        return causes.stream().distinct().sorted().map(u -> new PlannedChange.Upstream(u, graph.incoming(a).stream()
                .filter(e -> e.from().equals(u))
                .min(Comparator.comparing((Edge e) -> !e.carriesData()).thenComparing(e -> e.kind().ordinal())
                        .thenComparing(Edge::explain))
                .orElse(null))).toList();
    }

    /** Observe, diff, and say why: a refresh owed, an input that changed upstream, or the resource's own change. */
    private PlannedChange planOne(Playbook playbook, ResourceGraph graph, ResourceDecl d, Map<Address, PlanStep> done) {
        List<Address> changingUpstream = graph.dependencies(d.address()).stream()
                .filter(u -> done.get(u) != null && done.get(u).changes())
                .sorted().toList();
        try {
            Bound.Seen<?, ?> observed = d.bound().observe(contexts.of(playbook, d.address()));
            Change change = observed.diff();
            List<Address> notifiers = causes.notifiers(graph, d, u -> done.get(u) != null && done.get(u).change().isChange());
            String inputDigest = observed.inputDigest();
            Fingerprint seen = Fingerprint.of(change, inputDigest, observed.overwritesDigest());
            if (change.isNoop() && !notifiers.isEmpty()) {
                return new PlannedChange(d.address(), d.type().kind(), d.description(), Action.REFRESH, Cause.NOTIFIED,
                        List.of(), notifiers, PlannedChange.Status.PLANNED, "", seen)
                        .because(upstream(graph, notifiers, d.address())).observed(observed, change);
            }
            List<Address> inputs = change.isNoop() && d.type().has(Capability.FOLLOWS_INPUTS) ? changedInputs(graph, d, done) : List.of();
            if (!inputs.isEmpty()) {
                // The plan names the origins (after); the chain goes through the neighbours the change flows from.
                List<Address> through = graph.incoming(d.address()).stream().filter(Edge::carriesData).map(Edge::from)
                        .filter(u -> done.get(u) != null && done.get(u).changes()).toList();
                return new PlannedChange(d.address(), d.type().kind(), d.description(), Action.UPDATE, Cause.INPUT_CHANGED,
                        List.of(), inputs, PlannedChange.Status.PLANNED, "", seen)
                        .because(upstream(graph, through, d.address())).observed(observed, change);
            }
            Cause cause = change.isNoop() ? Cause.NONE : causes.of(d, inputDigest);
            return new PlannedChange(d.address(), d.type().kind(), d.description(), change.action(), cause,
                    playbook.shown(d.address(), change.diffs()), List.of(), PlannedChange.Status.PLANNED, "", seen)
                    .observed(observed, change);
        } catch (ResourceException | IOException e) {
            boolean deferrable = !(e instanceof ResourceException re) || re.deferrable();
            if (!changingUpstream.isEmpty() && deferrable) {
                // What it will find depends on changes not made yet (e.g. a source tree a
                // dependency creates): Terraform's "known after apply".
                return new PlannedChange(d.address(), d.type().kind(), d.description(), Action.NOOP, Cause.NONE,
                        List.of(), changingUpstream, PlannedChange.Status.DEFERRED, message(e))
                        .because(upstream(graph, changingUpstream, d.address()));
            }
            return new PlannedChange(d.address(), d.type().kind(), d.description(), Action.NOOP, Cause.NONE,
                    List.of(), List.of(), PlannedChange.Status.FAILED, message(e));
        } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
            return new PlannedChange(d.address(), d.type().kind(), d.description(), Action.NOOP, Cause.NONE,
                    List.of(), List.of(), PlannedChange.Status.FAILED, Failures.bug(events, d, e));
        }
    }

    /**
     * The changes that reach {@code d} through edges carrying data, named by their origin: a build
     * downstream of a patch says "input changed: patch[x]", and so does the copy of its output.
     */
    private static List<Address> changedInputs(ResourceGraph graph, ResourceDecl d, Map<Address, PlanStep> done) {
        TreeSet<Address> roots = new TreeSet<>();
        for (Edge e : graph.incoming(d.address())) {
            PlanStep s = done.get(e.from());
            if (!e.carriesData() || s == null || !s.changes()) {
                continue;
            }
            if (s.change().cause() == Cause.INPUT_CHANGED) {
                roots.addAll(s.change().after());
            } else {
                roots.add(e.from());
            }
        }
        return List.copyOf(roots);
    }

    /**
     * A change says which target paths it writes, and which commands it will run, and how
     * (confined or not: the host knows). A sensitive resource's command lines are not shown: a
     * secret may be in them.
     */
    private PlannedChange withRun(Playbook playbook, ResourceGraph graph, PlannedChange c) {
        if (!(c.isChange() || c.status() == PlannedChange.Status.DEFERRED) || c.action() == Action.DELETE) {
            return c;
        }
        ResourceDecl d = graph.decl(c.address());
        boolean hidden = playbook.isSensitive(c.address());
        Paths p = d.bound().paths();
        TreeSet<String> writes = new TreeSet<>(p.produces());
        writes.addAll(p.fills());
        writes.addAll(p.modifies());
        return c.withRun(d.bound().commands().stream()
                .map(k -> new Command(hidden ? "(sensitive)" : k.line(), k.dir(), k.network(), host.confinesCommands()))
                .toList(), List.copyOf(writes));
    }
}
