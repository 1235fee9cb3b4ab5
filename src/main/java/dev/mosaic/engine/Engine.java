package dev.mosaic.engine;

import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.host.Host;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.Ref;
import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.Kinds;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.Memory;
import dev.mosaic.resource.Pins;
import dev.mosaic.state.KeyValueDir;
import dev.mosaic.state.LockFile;
import dev.mosaic.state.StateStore;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Plans and applies a playbook's resource graph on one target. The engine, never a resource,
 * decides between looking and doing: {@link #plan} only observes and diffs; {@link #apply}
 * observes, diffs, converges what differs, and observes again to check the kind kept its promise.
 */
public final class Engine {

    private final Host host;
    private final Host control;
    private final StateStore state;
    private final Events events;
    private final int jobs;
    private final Path cacheDir;
    private final Map<Path, LockFile> lockFiles = new ConcurrentHashMap<>();

    /**
     * @param cacheDir the control machine's download cache, shared by all playbooks
     */
    public Engine(Host host, Host control, StateStore state, Events events, int jobs, Path cacheDir) {
        this.host = host;
        this.control = control;
        this.state = state;
        this.events = events;
        this.jobs = jobs;
        this.cacheDir = cacheDir;
    }

    /** An engine whose download cache lives in the target's state directory. */
    public Engine(Host host, Host control, StateStore state, Events events, int jobs) {
        this(host, control, state, events, jobs, state.dir().resolve("cache"));
    }

    private Context context(Playbook playbook, Address address) {
        return context(playbook, address, null);
    }

    /** Every path each resource produces, for {@link Context#managedByOther}. */
    private final Map<Playbook, java.util.NavigableMap<String, Address>> owners = new ConcurrentHashMap<>();

    private static dev.mosaic.resource.ResourceType<?, ?> kindOf(Playbook playbook, Address a) {
        return playbook.resources().stream().filter(d -> d.address().equals(a)).findFirst().orElseThrow().type();
    }

    /** @param content only producers that make the path's content count (not container directories) */
    private boolean managedByOther(Playbook playbook, Address self, String path, boolean content) {
        java.util.NavigableMap<String, Address> byPath = owners.computeIfAbsent(playbook, p -> {
            java.util.TreeMap<String, Address> m = new java.util.TreeMap<>();
            for (ResourceDecl d : p.resources()) {
                Kinds.paths(d.type(), d.spec()).produces().forEach(x -> m.putIfAbsent(x, d.address()));
            }
            return m;
        });
        for (String p = path; p != null; p = dev.mosaic.resource.TargetPaths.parent(p)) {
            Address owner = byPath.get(p);
            if (owner != null && !owner.equals(self)
                    && (!content || p.equals(path) || kindOf(playbook, owner).producesContentBelow())) {
                return true;
            }
        }
        return false;
    }

    /** @param log where the resource's output lines go besides the events (null: nowhere) */
    private Context context(Playbook playbook, Address address, ResourceLog log) {
        Path base = playbook.baseDirOf(address); // a module's resources read relative paths in the module
        KeyValueDir notes = KeyValueDir.forOwner(state.dir().resolve("memory"), address.toString());
        LockFile lock = lockFiles.computeIfAbsent(playbook.baseDir(), b -> new LockFile(b.resolve("mosaic.lock")));
        Memory memory = new Memory() {
            @Override
            public Optional<String> get(String key) throws IOException {
                return notes.get(key);
            }

            @Override
            public void put(String key, String value) throws IOException {
                notes.put(key, value);
            }
        };
        Pins pins = new Pins() {
            @Override
            public Optional<String> sha256(String url) throws IOException {
                return lock.get(url);
            }

            @Override
            public void pin(String url, String sha256) throws IOException {
                lock.pin(url, sha256);
            }
        };
        return new Context() {
            @Override
            public Memory memory() {
                return memory;
            }

            @Override
            public Path cacheDir() {
                return cacheDir;
            }

            @Override
            public Pins pins() {
                return pins;
            }

            @Override
            public boolean managedByOther(String path) {
                return Engine.this.managedByOther(playbook, address, path, false);
            }

            @Override
            public boolean producedByOther(String path) {
                return Engine.this.managedByOther(playbook, address, path, true);
            }

            @Override
            public Host host() {
                return host;
            }

            @Override
            public Host control() {
                return control;
            }

            @Override
            public Path baseDir() {
                return base;
            }

            @Override
            public void output(String line) {
                if (log != null) {
                    log.append(line);
                }
                events.output(address, line);
            }
        };
    }

    // ---------------------------------------------------------------- plan

    private record PlanStep(PlannedChange change) implements Walker.Step {
        @Override
        public boolean blocks() {
            return change.status() == PlannedChange.Status.FAILED || change.status() == PlannedChange.Status.SKIPPED;
        }
    }

    /** Observes every resource and computes what apply would do. Writes nothing anywhere. */
    public Plan plan(Playbook playbook, ResourceGraph graph) {
        Map<Address, PlanStep> steps = new ConcurrentHashMap<>();
        Map<Address, PlanStep> result = Walker.walk(graph, jobs, a -> {
            PlanStep s = new PlanStep(planOne(playbook, graph, graph.decl(a), steps));
            steps.put(a, s);
            return s;
        }, (a, cause) -> {
            PlanStep s = new PlanStep(new PlannedChange(a, a.type(), graph.decl(a).description(), Action.NOOP, Cause.NONE,
                    List.of(), List.of(cause), PlannedChange.Status.SKIPPED, cause + " could not be planned"));
            steps.put(a, s);
            return s;
        });
        return new Plan(playbook.name(), host.name(),
                result.values().stream().map(PlanStep::change).toList());
    }

    private PlannedChange planOne(Playbook playbook, ResourceGraph graph, ResourceDecl d, Map<Address, PlanStep> done) {
        List<Address> changingUpstream = graph.dependencies(d.address()).stream()
                .filter(u -> changes(done.get(u)))
                .sorted().toList();
        try {
            Object observed = Kinds.observe(d.type(), d.spec(), context(playbook, d.address()));
            Change change = Kinds.diff(d.type(), d.spec(), observed);
            List<Address> notifiers = notifiers(graph, d, done);
            if (change.isNoop() && !notifiers.isEmpty()) {
                return new PlannedChange(d.address(), d.type().kind(), d.description(), Action.REFRESH, Cause.NOTIFIED,
                        List.of(), notifiers, PlannedChange.Status.PLANNED, "");
            }
            List<Address> inputs = change.isNoop() && d.type().followsInputs() ? changedInputs(graph, d, done) : List.of();
            if (!inputs.isEmpty()) {
                return new PlannedChange(d.address(), d.type().kind(), d.description(), Action.UPDATE, Cause.INPUT_CHANGED,
                        List.of(), inputs, PlannedChange.Status.PLANNED, "");
            }
            Cause cause = change.isNoop() ? Cause.NONE : cause(d, Kinds.inputDigest(d.type(), d.spec(), observed));
            return new PlannedChange(d.address(), d.type().kind(), d.description(), change.action(), cause,
                    change.diffs(), List.of(), PlannedChange.Status.PLANNED, "");
        } catch (ResourceException | IOException e) {
            boolean deferrable = !(e instanceof ResourceException re) || re.deferrable();
            if (!changingUpstream.isEmpty() && deferrable) {
                // What it will find depends on changes not made yet (e.g. a source tree a
                // dependency creates): Terraform's "known after apply".
                return new PlannedChange(d.address(), d.type().kind(), d.description(), Action.NOOP, Cause.NONE,
                        List.of(), changingUpstream, PlannedChange.Status.DEFERRED, message(e));
            }
            return new PlannedChange(d.address(), d.type().kind(), d.description(), Action.NOOP, Cause.NONE,
                    List.of(), List.of(), PlannedChange.Status.FAILED, message(e));
        } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
            return new PlannedChange(d.address(), d.type().kind(), d.description(), Action.NOOP, Cause.NONE,
                    List.of(), List.of(), PlannedChange.Status.FAILED, bug(d, e));
        }
    }

    private static boolean changes(PlanStep s) {
        return s != null && (s.change().isChange() || s.change().status() == PlannedChange.Status.DEFERRED);
    }

    /**
     * The changes that reach {@code d} through edges carrying data, named by their origin: a build
     * downstream of a patch says "input changed: patch[x]", and so does the copy of its output.
     */
    private static List<Address> changedInputs(ResourceGraph graph, ResourceDecl d, Map<Address, PlanStep> done) {
        java.util.TreeSet<Address> roots = new java.util.TreeSet<>();
        for (dev.mosaic.graph.Edge e : graph.incoming(d.address())) {
            PlanStep s = done.get(e.from());
            if (!e.carriesData() || !changes(s)) {
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

    /** The notifiers of {@code d} that have a change planned. */
    private static List<Address> notifiers(ResourceGraph graph, ResourceDecl d, Map<Address, ? extends Walker.Step> done) {
        if (!d.type().refreshable()) {
            return List.of();
        }
        List<Address> out = new ArrayList<>();
        for (Address u : graph.dependencies(d.address())) {
            ResourceDecl ud = graph.decl(u);
            boolean notifies = ud.notifies().stream().map(Ref::id).anyMatch(d.id()::equals);
            Walker.Step s = done.get(u);
            boolean changes = s instanceof PlanStep ps ? ps.change().isChange()
                    : s instanceof ApplyStep as && (as.outcome().status() == Outcome.Status.CHANGED);
            if (notifies && changes) {
                out.add(u);
            }
        }
        out.sort(null);
        return out;
    }

    private Cause cause(ResourceDecl d, String inputs) {
        return state.get(d.address().toString())
                .map(e -> e.config().equals(d.configDigest()) && e.inputs().equals(inputs) ? Cause.DRIFT : Cause.CONFIG_CHANGED)
                .orElse(Cause.NEW);
    }

    // ---------------------------------------------------------------- apply

    private record ApplyStep(Outcome outcome) implements Walker.Step {
        @Override
        public boolean blocks() {
            return outcome.status() == Outcome.Status.FAILED || outcome.status() == Outcome.Status.SKIPPED;
        }
    }

    /** The outcome of an apply: one entry per resource, in graph order. */
    public record ApplyResult(List<Outcome> outcomes) {
        public boolean failed() {
            return outcomes.stream().anyMatch(o -> o.status() == Outcome.Status.FAILED);
        }

        public Map<Outcome.Status, Long> counts() {
            return outcomes.stream().collect(Collectors.groupingBy(Outcome::status, java.util.TreeMap::new, Collectors.counting()));
        }
    }

    /** Converges every resource that differs, in dependency order, as many at once as allowed. */
    public ApplyResult apply(Playbook playbook, ResourceGraph graph) throws IOException {
        Map<Address, ApplyStep> done = new ConcurrentHashMap<>();
        Map<Address, Address> roots = new ConcurrentHashMap<>();
        Batches batches = Batches.of(graph);
        Map<Batches.Unit, UnitStep> result = Walker.walk(batches, jobs, unit -> {
            // Each member checks its own dependencies: a batch may hold resources whose
            // dependencies failed next to others whose dependencies are fine.
            List<Address> free = new ArrayList<>();
            List<Outcome> outcomes = new ArrayList<>();
            for (Address a : unit.members()) {
                Address failed = failedDependency(graph, a, roots);
                if (failed == null) {
                    free.add(a);
                } else {
                    roots.put(a, failed);
                    outcomes.add(new Outcome(a, Outcome.Status.SKIPPED, Change.NOOP, Cause.NONE, "dependency " + failed + " failed", 0));
                }
            }
            if (free.size() == 1) {
                outcomes.add(applyOne(playbook, graph, graph.decl(free.get(0)), done));
            } else if (!free.isEmpty()) {
                outcomes.addAll(applyBatch(playbook, graph, new Batches.Unit(free), done));
            }
            for (Outcome o : outcomes) {
                if (o.status() == Outcome.Status.CHANGED || o.status() == Outcome.Status.REFRESHED) {
                    state.recordDuration(o.address().toString(), o.millis());
                }
                if (o.failed()) {
                    roots.put(o.address(), o.address());
                }
                done.put(o.address(), new ApplyStep(o));
                events.finished(o);
            }
            return new UnitStep(outcomes);
        }, (unit, cause) -> {
            throw new IllegalStateException("units never block the walk; members check their dependencies");
        });
        state.commit();
        List<Outcome> all = new ArrayList<>();
        result.values().forEach(u -> all.addAll(u.outcomes()));
        Map<Address, Integer> rank = new java.util.HashMap<>();
        graph.order().forEach(a -> rank.put(a, rank.size()));
        all.sort(java.util.Comparator.comparing(o -> rank.get(o.address())));
        return new ApplyResult(all);
    }

    /** The outcomes of a unit; dependents look at their own dependencies' outcomes. */
    private record UnitStep(List<Outcome> outcomes) implements Walker.Step {
        @Override
        public boolean blocks() {
            return false;
        }
    }

    /**
     * The failed resource behind a failed or skipped dependency of {@code a}, the first in graph
     * order; null when all dependencies converged. {@code roots} maps each failed resource to
     * itself and each skipped one to the failure that stopped it.
     */
    private static Address failedDependency(ResourceGraph graph, Address a, Map<Address, Address> roots) {
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
    private List<Outcome> applyBatch(Playbook playbook, ResourceGraph graph, Batches.Unit unit, Map<Address, ApplyStep> done) {
        long start = System.nanoTime();
        List<Outcome> outcomes = new ArrayList<>();
        List<ResourceDecl> changing = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        List<Cause> causes = new ArrayList<>();
        for (Address a : unit.members()) {
            ResourceDecl d = graph.decl(a);
            try {
                Object observed = Kinds.observe(d.type(), d.spec(), context(playbook, a));
                Change change = Kinds.diff(d.type(), d.spec(), observed);
                if (change.isNoop()) {
                    record(d, observed);
                    outcomes.add(new Outcome(a, Outcome.Status.UNCHANGED, change, Cause.NONE, "", millis(start)));
                    continue;
                }
                Cause cause = cause(d, Kinds.inputDigest(d.type(), d.spec(), observed));
                events.started(a, new PlannedChange(a, d.type().kind(), d.description(), change.action(), cause,
                        change.diffs(), List.of(), PlannedChange.Status.PLANNED, ""), expected(a));
                changing.add(d);
                changes.add(change);
                causes.add(cause);
            } catch (ResourceException | IOException e) {
                outcomes.add(new Outcome(a, Outcome.Status.FAILED, Change.NOOP, Cause.NONE, message(e), millis(start)));
            } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
                outcomes.add(new Outcome(a, Outcome.Status.FAILED, Change.NOOP, Cause.NONE, bug(d, e), millis(start)));
            }
        }
        if (!changing.isEmpty()) {
            ResourceDecl first = changing.get(0);
            try (ResourceLog log = new ResourceLog(state.dir().resolve("logs"), first.address().toString())) {
                String failure = null;
                try {
                    Kinds.applyBatch(first.type(), changing.stream().map(ResourceDecl::spec).toList(), changes,
                            context(playbook, first.address(), log));
                } catch (ResourceException | IOException e) {
                    failure = message(e);
                } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
                    failure = bug(first, e);
                }
                for (int i = 0; i < changing.size(); i++) {
                    ResourceDecl d = changing.get(i);
                    outcomes.add(failure != null
                            ? new Outcome(d.address(), Outcome.Status.FAILED, changes.get(i), causes.get(i),
                                    failure + (log.written() ? "\nfull log: " + log.file() : ""), millis(start))
                            : verify(playbook, d, changes.get(i), causes.get(i), start));
                }
            }
        }
        return outcomes;
    }

    /** After apply: observe again; anything still differing is the kind's bug. */
    private Outcome verify(Playbook playbook, ResourceDecl d, Change change, Cause cause, long start) {
        Address a = d.address();
        try {
            Object after = Kinds.observe(d.type(), d.spec(), context(playbook, a));
            Change left = Kinds.diff(d.type(), d.spec(), after);
            if (!left.isNoop()) {
                return new Outcome(a, Outcome.Status.FAILED, change, cause, "bug in resource kind '" + d.type().kind()
                        + "': after apply, " + a + " still differs in "
                        + left.diffs().stream().map(Diff::field).distinct().collect(Collectors.joining(", ")), millis(start));
            }
            record(d, after);
            return new Outcome(a, Outcome.Status.CHANGED, change, cause, "", millis(start));
        } catch (ResourceException | IOException e) {
            return new Outcome(a, Outcome.Status.FAILED, change, cause, message(e), millis(start));
        }
    }

    private Outcome applyOne(Playbook playbook, ResourceGraph graph, ResourceDecl d, Map<Address, ApplyStep> done) {
        try (ResourceLog log = new ResourceLog(state.dir().resolve("logs"), d.address().toString())) {
            Outcome o = applyOne(playbook, graph, d, done, log);
            return o.failed() && log.written()
                    ? new Outcome(o.address(), o.status(), o.change(), o.cause(), o.message() + "\nfull log: " + log.file(), o.millis())
                    : o;
        }
    }

    private Outcome applyOne(Playbook playbook, ResourceGraph graph, ResourceDecl d, Map<Address, ApplyStep> done,
                             ResourceLog log) {
        long start = System.nanoTime();
        Context ctx = context(playbook, d.address(), log);
        Address a = d.address();
        try {
            Object observed = Kinds.observe(d.type(), d.spec(), ctx);
            Change change = Kinds.diff(d.type(), d.spec(), observed);
            List<Address> notifiers = notifiers(graph, d, done);
            if (change.isNoop()) {
                record(d, observed);
                if (notifiers.isEmpty()) {
                    return new Outcome(a, Outcome.Status.UNCHANGED, change, Cause.NONE, "", millis(start));
                }
                events.started(a, new PlannedChange(a, d.type().kind(), d.description(), Action.REFRESH, Cause.NOTIFIED,
                        List.of(), notifiers, PlannedChange.Status.PLANNED, ""), expected(a));
                Kinds.refresh(d.type(), d.spec(), ctx);
                return new Outcome(a, Outcome.Status.REFRESHED, change, Cause.NOTIFIED,
                        "notified by " + notifiers.stream().map(Address::toString).collect(Collectors.joining(", ")),
                        millis(start));
            }
            Cause cause = cause(d, Kinds.inputDigest(d.type(), d.spec(), observed));
            events.started(a, new PlannedChange(a, d.type().kind(), d.description(), change.action(), cause,
                    change.diffs(), List.of(), PlannedChange.Status.PLANNED, ""), expected(a));
            Kinds.apply(d.type(), d.spec(), change, ctx);
            Object after = Kinds.observe(d.type(), d.spec(), ctx);
            Change left = Kinds.diff(d.type(), d.spec(), after);
            if (!left.isNoop() && !(change.action() == Action.DELETE && left.action() == Action.NOOP)) {
                return new Outcome(a, Outcome.Status.FAILED, change, cause,
                        "bug in resource kind '" + d.type().kind() + "': after apply, " + a + " still differs in "
                                + left.diffs().stream().map(Diff::field).distinct().collect(Collectors.joining(", ")),
                        millis(start));
            }
            record(d, after);
            return new Outcome(a, Outcome.Status.CHANGED, change, cause, "", millis(start));
        } catch (ResourceException | IOException e) {
            return new Outcome(a, Outcome.Status.FAILED, Change.NOOP, Cause.NONE, message(e), millis(start));
        } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
            // A kind's crash, even an Error, fails that resource only: the others finish and the
            // state of what converged is kept.
            return new Outcome(a, Outcome.Status.FAILED, Change.NOOP, Cause.NONE, bug(d, e), millis(start));
        }
    }

    private long expected(Address a) {
        return state.lastDuration(a.toString()).orElse(-1L);
    }

    private void record(ResourceDecl d, Object observed) throws IOException {
        state.record(d.address().toString(), d.configDigest(), Kinds.inputDigest(d.type(), d.spec(), observed));
    }

    private static long millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static String message(Exception e) {
        if (e instanceof ResourceException) {
            return e.getMessage();
        }
        String m = e.getMessage();
        String what = e.getClass().getSimpleName().replace("Exception", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase();
        return (what.isBlank() || what.equals("i o") ? "I/O error" : what) + (m == null ? "" : ": " + m);
    }

    /** A crash inside a kind is that kind's bug, reported with its stack for the issue tracker. */
    private String bug(ResourceDecl d, Throwable e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        events.warning("stack trace of the failure in " + d.address() + ":\n" + w);
        return "bug in resource kind '" + d.type().kind() + "': " + e;
    }

}
