package dev.mosaic.engine;

import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.host.Host;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.Ref;
import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Command;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.Kinds;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.Memory;
import dev.mosaic.resource.Pins;
import dev.mosaic.state.KeyValueDir;
import dev.mosaic.state.LockFile;
import dev.mosaic.state.StateStore;
import dev.mosaic.state.BackupStore;
import dev.mosaic.state.History;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Plans and applies a playbook's resource graph on one target. The engine, never a resource,
 * decides between looking and doing: {@link #plan} only observes and diffs; {@link #apply}
 * observes, diffs, converges what differs, and observes again to check the kind kept its promise.
 */
public final class Engine {

    private final Host host;
    private final ControlInputs control;
    /** Where the current apply keeps what it overwrites; null outside an apply. */
    private volatile Backups backups;
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
        this.control = new ControlInputs(control, cacheDir == null ? null : cacheDir.toAbsolutePath().normalize().toString());
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
        return context(playbook, address, null, host);
    }

    private Context context(Playbook playbook, Address address, ResourceLog log) {
        return context(playbook, address, log, host);
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

    /**
     * @param log    where the resource's output lines go besides the events (null: nowhere)
     * @param target the target as this resource sees it (during apply, a {@link ResourceHost})
     */
    private Context context(Playbook playbook, Address address, ResourceLog log, Host target) {
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
                return target;
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
                // Scrubbed here, before any encoding (a JSON event escapes a quote in a secret),
                // as well as by the output streams, which also match the encoded forms.
                String shown = dev.mosaic.diag.Sensitive.scrub(line);
                if (log != null) {
                    log.append(shown);
                }
                events.output(address, shown);
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
        List<PlannedChange> entries = new ArrayList<>(result.values().stream()
                .map(s -> withRun(playbook, graph, s.change())).toList());
        try {
            // Under --target only the selection is planned: a removal is never part of one.
            for (Removal r : graph.partial() ? List.<Removal>of() : removals(playbook)) {
                if (!r.keep() && !r.paths().isEmpty()) {
                    entries.add(r.planned());
                }
            }
        } catch (IOException e) {
            events.warning("cannot tell what to delete: " + message(e));
        }
        return new Plan(playbook.name(), host.name(), entries);
    }

    /**
     * The digest of every control-side file or tree the plans of this engine read (relative
     * sources), by path: what a saved plan keeps to refuse an apply whose inputs changed.
     */
    public Map<String, String> controlInputs() throws IOException {
        return control.digests();
    }

    /** Those of {@code recorded} (from {@link #controlInputs}) that differ now, with what they are now. */
    public List<String> movedControlInputs(Map<String, String> recorded) throws IOException {
        return control.moved(recorded);
    }

    /** The definition digest of {@code playbook} ({@link SavedPlan#definitionDigest}), read on the control machine. */
    public String definitionDigest(Playbook playbook) throws IOException {
        return SavedPlan.definitionDigest(playbook, control.inner);
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
        dev.mosaic.resource.Paths p = Kinds.paths(d.type(), d.spec());
        java.util.TreeSet<String> writes = new java.util.TreeSet<>(p.produces());
        writes.addAll(p.fills());
        writes.addAll(p.modifies());
        return c.withRun(Kinds.commands(d.type(), d.spec()).stream()
                .map(k -> new Command(hidden ? "(sensitive)" : k.line(), k.dir(), k.network(), host.confinesCommands()))
                .toList(), List.copyOf(writes));
    }

    private PlannedChange planOne(Playbook playbook, ResourceGraph graph, ResourceDecl d, Map<Address, PlanStep> done) {
        List<Address> changingUpstream = graph.dependencies(d.address()).stream()
                .filter(u -> changes(done.get(u)))
                .sorted().toList();
        try {
            Object observed = Kinds.observe(d.type(), d.spec(), context(playbook, d.address()));
            Change change = Kinds.diff(d.type(), d.spec(), observed);
            List<Address> notifiers = withOwed(d, notifiers(graph, d, done));
            String inputDigest = Kinds.inputDigest(d.type(), d.spec(), observed);
            Fingerprint seen = Fingerprint.of(change, inputDigest, Kinds.overwritesDigest(d.type(), d.spec(), observed));
            if (change.isNoop() && !notifiers.isEmpty()) {
                return new PlannedChange(d.address(), d.type().kind(), d.description(), Action.REFRESH, Cause.NOTIFIED,
                        List.of(), notifiers, PlannedChange.Status.PLANNED, "", seen);
            }
            List<Address> inputs = change.isNoop() && d.type().followsInputs() ? changedInputs(graph, d, done) : List.of();
            if (!inputs.isEmpty()) {
                return new PlannedChange(d.address(), d.type().kind(), d.description(), Action.UPDATE, Cause.INPUT_CHANGED,
                        List.of(), inputs, PlannedChange.Status.PLANNED, "", seen);
            }
            Cause cause = change.isNoop() ? Cause.NONE : cause(d, inputDigest);
            return new PlannedChange(d.address(), d.type().kind(), d.description(), change.action(), cause,
                    playbook.shown(d.address(), change.diffs()), List.of(), PlannedChange.Status.PLANNED, "", seen);
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

    /**
     * {@code inRun} and the notifiers of a refresh of {@code d} still owed by an earlier run that
     * was interrupted between their change and the refresh (see {@link StateStore#oweRefresh}).
     */
    private List<Address> withOwed(ResourceDecl d, List<Address> inRun) {
        if (!d.type().refreshable()) {
            return inRun;
        }
        java.util.SortedSet<String> owed = state.refreshesOwed(d.address().toString());
        if (owed.isEmpty()) {
            return inRun;
        }
        java.util.TreeSet<Address> all = new java.util.TreeSet<>(inRun);
        owed.forEach(o -> parseAddress(o).ifPresent(all::add));
        return List.copyOf(all);
    }

    /**
     * Before {@code d} changes: journals, durably, a refresh owed by each resource it notifies, so
     * that a run dying between this change and their refresh does not lose the refresh.
     */
    private void oweRefreshes(ResourceGraph graph, ResourceDecl d) throws IOException {
        if (d.notifies().isEmpty()) {
            return;
        }
        // The whole graph: under --target a notified service outside the selection still owes its refresh.
        ResourceGraph whole = graph.whole();
        for (Address t : whole.dependents(d.address())) {
            ResourceDecl td = whole.decl(t);
            if (td.type().refreshable() && d.notifies().stream().map(Ref::id).anyMatch(td.id()::equals)) {
                state.oweRefresh(t.toString(), d.address().toString());
            }
        }
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

    /**
     * The outcome of an apply: one entry per resource, in graph order, then the deletions;
     * {@code historyId} names the apply in {@code mosaic history} (null when nothing was recorded).
     */
    public record ApplyResult(List<Outcome> outcomes, String historyId) {
        public ApplyResult(List<Outcome> outcomes) {
            this(outcomes, null);
        }

        public boolean failed() {
            return outcomes.stream().anyMatch(o -> o.status() == Outcome.Status.FAILED);
        }

        /** Whether a saved plan's change was refused because its resource moved since the plan. */
        public boolean stale() {
            return outcomes.stream().anyMatch(o -> o.status() == Outcome.Status.STALE);
        }

        public Map<Outcome.Status, Long> counts() {
            return outcomes.stream().collect(Collectors.groupingBy(Outcome::status, java.util.TreeMap::new, Collectors.counting()));
        }
    }

    /** Converges every resource that differs, in dependency order, as many at once as allowed. Deletes nothing. */
    public ApplyResult apply(Playbook playbook, ResourceGraph graph) throws IOException {
        return apply(playbook, graph, null, false);
    }

    /**
     * Converges the playbook, or exactly the changes of a saved plan.
     *
     * <p>With {@code saved} (the saved plan's entries by address): every planned change is first
     * observed again, before anything is touched; one whose fingerprint moved since the plan is
     * refused as {@link Outcome.Status#STALE} (its dependents are skipped), the others are
     * converged as usual, and resources that had no change in the plan are left alone — not even
     * observed. Without it, everything that differs is converged.
     *
     * <p>Resources Mosaic created that the playbook no longer declares are deleted after the walk
     * when {@code allowDelete}; otherwise they are reported as skipped and stay planned.
     *
     * @param saved null for a plain apply
     */
    public ApplyResult apply(Playbook playbook, ResourceGraph graph, Map<String, SavedPlan.Entry> saved,
                             boolean allowDelete) throws IOException {
        History history = History.of(state.dir());
        recoverCreated(history);
        History.Recorder run = history.begin(saved == null ? "apply" : "apply (saved plan)",
                playbook.file() == null ? playbook.name() : playbook.file().toAbsolutePath().normalize().toString(), host.name(),
                System.getProperty("user.name", "?"));
        backups = new Backups(BackupStore.of(state.dir()), run);
        List<Outcome> all = new ArrayList<>();
        String outcome = "interrupted";
        try {
            Map<Address, Outcome> refused = saved == null ? Map.of() : preflight(playbook, graph, saved);
            all.addAll(walk(playbook, graph, saved, refused));
            if (!graph.partial()) { // under --target, removals wait for an apply of the whole playbook
                all.addAll(deleteRemoved(playbook, saved, allowDelete));
            }
            ApplyResult r = new ApplyResult(all, run.id());
            outcome = r.failed() ? "failed" : r.stale() ? "stale" : "ok";
            return r;
        } finally {
            state.commit();
            backups = null;
            List<String> changed = all.stream()
                    .filter(o -> o.status() == Outcome.Status.CHANGED || o.status() == Outcome.Status.REFRESHED)
                    .map(o -> o.change().action().symbol() + " " + o.address()).toList();
            if (changed.isEmpty() && outcome.equals("ok") && !run.touchedAny()) {
                run.discard(); // a run that found nothing to do is not history
            } else {
                run.finish(changed, outcome);
            }
            try {
                BackupStore.of(state.dir()).trim();
            } catch (IOException e) {
                events.warning("cannot trim the backup store: " + message(e));
            }
        }
    }

    /**
     * Observes each change of a saved plan again, before anything is touched. Deferred entries were
     * not observed by the plan, and deletions of resources dropped from the playbook are checked
     * when they are made.
     */
    private Map<Address, Outcome> preflight(Playbook playbook, ResourceGraph graph, Map<String, SavedPlan.Entry> saved) {
        Map<Address, Outcome> refused = new java.util.HashMap<>();
        for (Address a : graph.order()) {
            SavedPlan.Entry e = saved.get(a.toString());
            // A declared resource whose change is a deletion (a directory 'ensure: absent') is
            // checked like any other: what it would remove may have changed since the review.
            // Resources dropped from the playbook are not in the graph: checked as they are deleted.
            if (e == null || e.seen() == null) {
                continue;
            }
            ResourceDecl d = graph.decl(a);
            try {
                Object observed = Kinds.observe(d.type(), d.spec(), context(playbook, a));
                Fingerprint now = Fingerprint.of(Kinds.diff(d.type(), d.spec(), observed),
                        Kinds.inputDigest(d.type(), d.spec(), observed), Kinds.overwritesDigest(d.type(), d.spec(), observed));
                if (!now.digest().equals(e.seen().digest())) {
                    refused.put(a, stale(a, e, now));
                }
            } catch (ResourceException | IOException ex) {
                refused.put(a, new Outcome(a, Outcome.Status.FAILED, Change.NOOP, Cause.NONE,
                        "cannot be observed again before applying the saved plan: " + message(ex), 0));
            } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError ex) {
                refused.put(a, new Outcome(a, Outcome.Status.FAILED, Change.NOOP, Cause.NONE, bug(d, ex), 0));
            }
        }
        return refused;
    }

    private static Outcome stale(Address a, SavedPlan.Entry e, Fingerprint now) {
        return new Outcome(a, Outcome.Status.STALE, Change.NOOP, Cause.NONE,
                "changed since the plan, not applied: " + String.join("; ", Fingerprint.changes(e.seen(), now)), 0);
    }

    private List<Outcome> walk(Playbook playbook, ResourceGraph graph, Map<String, SavedPlan.Entry> saved,
                               Map<Address, Outcome> refused) {
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
                if (failed != null) {
                    roots.put(a, failed);
                    ApplyStep root = done.get(failed);
                    boolean stale = root != null && root.outcome().status() == Outcome.Status.STALE;
                    outcomes.add(new Outcome(a, Outcome.Status.SKIPPED, Change.NOOP, Cause.NONE,
                            "dependency " + failed + (stale ? " is stale" : " failed"), 0));
                } else if (refused.containsKey(a)) {
                    outcomes.add(refused.get(a));
                } else if (saved != null && !saved.containsKey(a.toString())) {
                    // Not in the saved plan: left alone, whatever it looks like now.
                    outcomes.add(new Outcome(a, Outcome.Status.UNCHANGED, Change.NOOP, Cause.NONE, "", 0));
                } else {
                    free.add(a);
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
        Map<Address, Integer> rank = new java.util.HashMap<>();
        graph.order().forEach(a -> rank.put(a, rank.size()));
        all.sort(java.util.Comparator.comparing(o -> rank.get(o.address())));
        return all;
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
                    record(playbook, d, observed);
                    outcomes.add(new Outcome(a, Outcome.Status.UNCHANGED, change, Cause.NONE, "", millis(start)));
                    continue;
                }
                Cause cause = cause(d, Kinds.inputDigest(d.type(), d.spec(), observed));
                events.started(a, new PlannedChange(a, d.type().kind(), d.description(), change.action(), cause,
                        playbook.shown(d.address(), change.diffs()), List.of(), PlannedChange.Status.PLANNED, ""), expected(a));
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
                // One call converges them all: backups name the first, and what each member
                // created is what it declares it produces (absent before, present after).
                List<Set<String>> absent = new ArrayList<>();
                try {
                    for (ResourceDecl d : changing) {
                        absent.add(absentProduced(d));
                        oweRefreshes(graph, d);
                    }
                    Kinds.applyBatch(first.type(), changing.stream().map(ResourceDecl::spec).toList(), changes,
                            context(playbook, first.address(), log, new ResourceHost(host, first.address().toString(), backups)));
                    for (int i = 0; i < changing.size(); i++) {
                        noteCreated(changing.get(i), null, absent.get(i));
                    }
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
            record(playbook, d, after);
            state.refreshed(a.toString());
            return new Outcome(a, Outcome.Status.CHANGED, change, cause, "", millis(start));
        } catch (ResourceException | IOException e) {
            return new Outcome(a, Outcome.Status.FAILED, change, cause, message(e), millis(start));
        } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
            // The kind's bug fails this resource (its dependents are skipped), not the whole apply.
            return new Outcome(a, Outcome.Status.FAILED, change, cause, bug(d, e), millis(start));
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
        Address a = d.address();
        // A sensitive resource's old content is not kept: a backup would put the secret in the state.
        // Its paths are remembered, so that nothing backs up the secret it leaves there later either.
        Backups keep = backups != null && playbook.isSensitive(a) ? backups.forSensitive() : backups;
        ResourceHost target = new ResourceHost(host, a.toString(), keep);
        Context ctx = context(playbook, a, log, target);
        try {
            if (keep != backups) {
                // What it produces may hold the secret, also what its commands write; a mere
                // container directory does not (what is written inside is marked as it is written).
                for (String p : Kinds.paths(d.type(), d.spec()).produces()) {
                    if (d.type().producesContentBelow() || !host.stat(p).isDirectory()) {
                        keep.sensitive(List.of(p));
                    }
                }
            }
            Object observed = Kinds.observe(d.type(), d.spec(), ctx);
            Change change = Kinds.diff(d.type(), d.spec(), observed);
            List<Address> notifiers = withOwed(d, notifiers(graph, d, done));
            if (change.isNoop()) {
                record(playbook, d, observed);
                if (notifiers.isEmpty()) {
                    return new Outcome(a, Outcome.Status.UNCHANGED, change, Cause.NONE, "", millis(start));
                }
                events.started(a, new PlannedChange(a, d.type().kind(), d.description(), Action.REFRESH, Cause.NOTIFIED,
                        List.of(), notifiers, PlannedChange.Status.PLANNED, ""), expected(a));
                Kinds.refresh(d.type(), d.spec(), ctx);
                state.refreshed(a.toString());
                return new Outcome(a, Outcome.Status.REFRESHED, change, Cause.NOTIFIED,
                        "notified by " + notifiers.stream().map(Address::toString).collect(Collectors.joining(", ")),
                        millis(start));
            }
            Cause cause = cause(d, Kinds.inputDigest(d.type(), d.spec(), observed));
            events.started(a, new PlannedChange(a, d.type().kind(), d.description(), change.action(), cause,
                    playbook.shown(d.address(), change.diffs()), List.of(), PlannedChange.Status.PLANNED, ""), expected(a));
            // What a kind that only writes through the host creates, the ResourceHost sees.
            Set<String> absent = d.type().changesOnlyThroughHost() ? Set.of() : absentProduced(d);
            oweRefreshes(graph, d);
            try {
                Kinds.apply(d.type(), d.spec(), change, ctx);
            } finally {
                noteCreated(d, target, absent); // what a failed apply made is Mosaic's too
            }
            Object after = Kinds.observe(d.type(), d.spec(), ctx);
            Change left = Kinds.diff(d.type(), d.spec(), after);
            if (!left.isNoop() && !(change.action() == Action.DELETE && left.action() == Action.NOOP)) {
                return new Outcome(a, Outcome.Status.FAILED, change, cause,
                        "bug in resource kind '" + d.type().kind() + "': after apply, " + a + " still differs in "
                                + left.diffs().stream().map(Diff::field).distinct().collect(Collectors.joining(", ")),
                        millis(start));
            }
            record(playbook, d, after);
            String refreshed = "";
            if (!notifiers.isEmpty() && d.type().refreshable() && Kinds.refreshAfter(d.type(), d.spec(), change)) {
                // Its own change did not take in what its notifiers changed (a service only enabled).
                Kinds.refresh(d.type(), d.spec(), ctx);
                refreshed = "and refreshed: notified by " + notifiers.stream().map(Address::toString)
                        .collect(Collectors.joining(", "));
            }
            state.refreshed(a.toString()); // converged anew: whatever it owed is done
            return new Outcome(a, Outcome.Status.CHANGED, change, cause, refreshed, millis(start));
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

    private void record(Playbook playbook, ResourceDecl d, Object observed) throws IOException {
        // What it notifies is kept too: a restore of its files owes their refreshes.
        List<String> notifies = d.notifies().stream().map(r -> playbook.byId(r.id())).flatMap(Optional::stream)
                .map(n -> n.address().toString()).sorted().toList();
        state.record(d.address().toString(), d.configDigest(), Kinds.inputDigest(d.type(), d.spec(), observed),
                d.keepOnRemove(), notifies);
    }

    // ---------------------------------------------------------------- what Mosaic created, and removals

    /** The paths the resource declares it produces that do not exist yet. */
    private Set<String> absentProduced(ResourceDecl d) throws IOException {
        Set<String> out = new java.util.TreeSet<>();
        for (String p : Kinds.paths(d.type(), d.spec()).produces()) {
            if (!host.stat(p).exists()) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Adds to the resource's record of created paths: what it created through its host (null for
     * a batch), and each produced path that was absent before and exists now — with everything
     * below it when the kind's directories come with their content (a copy, an archive).
     */
    private void noteCreated(ResourceDecl d, ResourceHost target, Set<String> absentBefore) throws IOException {
        String address = d.address().toString();
        java.util.SortedSet<String> old = state.created(address);
        java.util.SortedSet<String> now = new java.util.TreeSet<>(old);
        if (target != null) {
            for (String gone : target.deleted()) {
                now.removeIf(p -> p.equals(gone) || p.startsWith(gone + "/"));
            }
            now.addAll(target.created());
        }
        for (String p : absentBefore) {
            dev.mosaic.host.FileStat st = host.stat(p);
            if (!st.exists()) {
                continue;
            }
            now.add(p);
            if (st.isDirectory() && d.type().producesContentBelow()) {
                for (dev.mosaic.host.TreeEntry e : host.walk(p)) {
                    now.add(p + "/" + e.relativePath());
                }
            }
        }
        if (!now.equals(old)) {
            state.recordCreated(address, now);
        }
    }

    /**
     * What an apply killed since the last one that ended created without recording it: a path is
     * named in the run's history journal (as absent before) before it is made, but recorded as
     * created only after. Each such path that exists now is recorded for the resource that made it,
     * so that removing that resource later removes the path too.
     */
    private void recoverCreated(History history) throws IOException {
        for (String id : history.interruptedSinceLastEnded()) {
            if (!history.run(id).map(r -> r.command() != null && r.command().startsWith("apply")).orElse(false)) {
                continue; // a restore puts back what was there: nothing it makes is a resource's own
            }
            Map<String, java.util.SortedSet<String>> found = new java.util.TreeMap<>();
            for (History.Touch t : history.touches(id)) {
                if ("absent".equals(t.before()) && t.address() != null && t.path() != null && t.path().startsWith("/")
                        && t.path().indexOf('\0') < 0 && host.stat(t.path()).exists()) {
                    found.computeIfAbsent(t.address(), a -> new java.util.TreeSet<>(state.created(a))).add(t.path());
                }
            }
            for (Map.Entry<String, java.util.SortedSet<String>> e : found.entrySet()) {
                state.recordCreated(e.getKey(), e.getValue());
            }
        }
    }

    /** A resource Mosaic converged here that the playbook no longer declares, with what of it is still there. */
    private record Removal(Address address, boolean keep, java.util.SortedMap<String, dev.mosaic.host.FileStat> paths) {

        PlannedChange planned() {
            List<Diff> diffs = new ArrayList<>();
            paths.forEach((p, st) -> diffs.add(new Diff.Field(st.kindWord(), p, null)));
            return new PlannedChange(address, address.type(), "", Action.DELETE, Cause.REMOVED, diffs, List.of(),
                    PlannedChange.Status.PLANNED, "", seen());
        }

        /** What a saved plan compares: each path's kind, and a file's size and modification time. */
        Fingerprint seen() {
            Map<String, String> m = new java.util.TreeMap<>();
            paths.forEach((p, st) -> m.put(p, switch (st.kind()) {
                case FILE -> "file of " + st.size() + " B modified " + java.time.Instant.ofEpochSecond(0, st.mtimeNanos());
                case SYMLINK -> "symlink to " + st.linkTarget();
                default -> st.kindWord();
            }));
            return new Fingerprint(Action.DELETE.word(), m, "");
        }
    }

    private static final java.util.regex.Pattern ADDRESS =
            java.util.regex.Pattern.compile("((?:module\\.[^.\\[\\]]+\\.)*)([A-Za-z0-9_]+)\\[(.+)\\]");

    private static final java.util.regex.Pattern MODULE = java.util.regex.Pattern.compile("module\\.([^.\\[\\]]+)\\.");

    /** {@code module.a.file[x]} back into an {@link Address}; empty when it is not one. */
    static Optional<Address> parseAddress(String text) {
        java.util.regex.Matcher m = ADDRESS.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        List<String> modules = new ArrayList<>();
        java.util.regex.Matcher alias = MODULE.matcher(m.group(1));
        while (alias.find()) {
            modules.add(alias.group(1));
        }
        return Optional.of(new Address(modules, m.group(2), m.group(3)));
    }

    /** Whether a resource of the playbook produces {@code path}, a tree with it, or something below it. */
    private boolean managedByPlaybook(Playbook playbook, String path) {
        if (managedByOther(playbook, null, path, true)) {
            return true;
        }
        java.util.NavigableMap<String, Address> byPath = owners.get(playbook);
        return !byPath.subMap(path + "/", true, path + "0", false).isEmpty();
    }

    /**
     * Every resource of the state the playbook no longer declares, sorted by address, with the
     * paths Mosaic created for it that still exist and no resource of the playbook manages.
     */
    private List<Removal> removals(Playbook playbook) throws IOException {
        Set<String> declared = new java.util.HashSet<>();
        playbook.resources().forEach(d -> declared.add(d.address().toString()));
        List<Removal> out = new ArrayList<>();
        for (String text : state.addresses()) {
            Optional<Address> a = parseAddress(text);
            if (declared.contains(text) || a.isEmpty()) {
                continue;
            }
            boolean keep = state.get(text).map(StateStore.Entry::keep).orElse(false);
            java.util.SortedMap<String, dev.mosaic.host.FileStat> paths = new java.util.TreeMap<>();
            if (!keep) {
                for (String p : state.created(text)) {
                    dev.mosaic.host.FileStat st = host.stat(p);
                    if (st.exists() && !managedByPlaybook(playbook, p)) {
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
     */
    private List<Outcome> deleteRemoved(Playbook playbook, Map<String, SavedPlan.Entry> saved, boolean allowDelete)
            throws IOException {
        List<Outcome> outcomes = new ArrayList<>();
        List<Removal> deleting = new ArrayList<>();
        for (Removal r : removals(playbook)) {
            String text = r.address().toString();
            SavedPlan.Entry planned = saved == null ? null : saved.get(text);
            if (r.keep() || r.paths().isEmpty()) {
                state.forget(text);
            } else if (saved != null && (planned == null || !planned.action().equals(Action.DELETE.word()))) {
                continue; // not in the saved plan: a later plan shows it
            } else if (planned != null && planned.seen() != null && !r.seen().digest().equals(planned.seen().digest())) {
                Outcome o = new Outcome(r.address(), Outcome.Status.STALE, Change.NOOP, Cause.REMOVED,
                        "changed since the plan, not deleted: " + String.join("; ", Fingerprint.changes(planned.seen(), r.seen())), 0);
                outcomes.add(o);
                events.finished(o);
            } else if (!allowDelete) {
                Outcome o = new Outcome(r.address(), Outcome.Status.SKIPPED, new Change(Action.DELETE, r.planned().diffs()),
                        Cause.REMOVED, "removed from the playbook; what Mosaic created for it (" + r.paths().size() + " path"
                        + (r.paths().size() == 1 ? "" : "s") + ") stays until apply --allow-delete", 0);
                outcomes.add(o);
                events.finished(o);
            } else {
                deleting.add(r);
            }
        }
        // All paths of all removals at once, children before parents (a path sorts after its parent).
        java.util.TreeMap<String, Removal> byPath = new java.util.TreeMap<>(java.util.Comparator.reverseOrder());
        Map<Removal, ResourceHost> hosts = new java.util.HashMap<>();
        Map<Removal, List<String>> kept = new java.util.HashMap<>();
        Map<Removal, String> failures = new java.util.HashMap<>();
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
                dev.mosaic.host.FileStat st = host.stat(p);
                if (st.isDirectory() && !host.walk(p).isEmpty()) {
                    kept.computeIfAbsent(r, k -> new ArrayList<>()).add(p);
                } else if (st.exists()) {
                    hosts.get(r).delete(p);
                }
            } catch (IOException ex) {
                failures.merge(r, p + ": " + message(ex), (x, y) -> x + "; " + y);
            }
        }
        for (Removal r : deleting) {
            Change change = new Change(Action.DELETE, r.planned().diffs());
            Outcome o;
            if (failures.containsKey(r)) {
                o = new Outcome(r.address(), Outcome.Status.FAILED, change, Cause.REMOVED, "cannot delete " + failures.get(r),
                        millis(start));
            } else {
                List<String> left = kept.getOrDefault(r, List.of());
                o = new Outcome(r.address(), Outcome.Status.CHANGED, change, Cause.REMOVED,
                        left.isEmpty() ? "" : "kept, not empty: " + String.join(", ", left.stream().sorted().toList()),
                        millis(start));
                state.forget(r.address().toString());
            }
            outcomes.add(o);
            events.finished(o);
        }
        return outcomes;
    }

    private static long millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** A failure in words, scrubbed of secrets before it goes into events, JSON and reports. */
    private static String message(Exception e) {
        if (e instanceof ResourceException) {
            return dev.mosaic.diag.Sensitive.scrub(e.getMessage());
        }
        String m = e.getMessage();
        String what = e.getClass().getSimpleName().replace("Exception", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase();
        return dev.mosaic.diag.Sensitive.scrub((what.isBlank() || what.equals("i o") ? "I/O error" : what)
                + (m == null ? "" : ": " + m));
    }

    /** A crash inside a kind is that kind's bug, reported with its stack for the issue tracker. */
    private String bug(ResourceDecl d, Throwable e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        events.warning("stack trace of the failure in " + d.address() + ":\n" + w);
        return "bug in resource kind '" + d.type().kind() + "': " + e;
    }

}
