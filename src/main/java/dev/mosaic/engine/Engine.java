package dev.mosaic.engine;

import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.host.Host;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.resource.Address;
import dev.mosaic.state.BackupStore;
import dev.mosaic.state.History;
import dev.mosaic.state.StateStore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static dev.mosaic.engine.Failures.message;

/**
 * Plans and applies a playbook's resource graph on one target. The engine, never a resource,
 * decides between looking and doing: {@link #plan} only observes and diffs ({@link Planner});
 * {@link #apply} observes, diffs, converges what differs, and observes again to check the kind
 * kept its promise ({@link Applier}, one per apply), then deletes what the playbook dropped
 * ({@link Removals}).
 */
public final class Engine {

    private final Host host;
    private final ControlInputs control;
    private final StateStore state;
    private final Events events;
    private final int jobs;
    private final Contexts contexts;
    private final Causes causes;
    private final Created created;
    private final Removals removals;

    /**
     * @param cacheDir the control machine's download cache, shared by all playbooks
     */
    public Engine(Host host, Host control, StateStore state, Events events, int jobs, Path cacheDir) {
        this.host = host;
        this.control = new ControlInputs(control, cacheDir == null ? null : cacheDir.toAbsolutePath().normalize().toString());
        this.state = state;
        this.events = events;
        this.jobs = jobs;
        this.contexts = new Contexts(host, this.control, state, events, cacheDir);
        this.causes = new Causes(state);
        this.created = new Created(host, state);
        this.removals = new Removals(host, state, contexts, events);
    }

    /** An engine whose download cache lives in the target's state directory. */
    public Engine(Host host, Host control, StateStore state, Events events, int jobs) {
        this(host, control, state, events, jobs, state.dir().resolve("cache"));
    }

    /** Observes every resource and computes what apply would do. Writes nothing anywhere. */
    public Plan plan(Playbook playbook, ResourceGraph graph) {
        return new Planner(host, contexts, causes, removals, events, jobs).plan(playbook, graph);
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
            return outcomes.stream().collect(Collectors.groupingBy(Outcome::status, TreeMap::new, Collectors.counting()));
        }
    }

    /** Converges every resource that differs, in dependency order, as many at once as allowed. Deletes nothing. */
    public ApplyResult apply(Playbook playbook, ResourceGraph graph) throws IOException {
        return apply(playbook, graph, null, false);
    }

    /**
     * Applies a plan: the one given (read back from a saved plan), or, without one, a plan made
     * now in memory — as Terraform's {@code apply} without a plan file. Both go the same way from
     * the plan to the outcomes.
     *
     * <p>First every planned change is checked against the target, before anything is touched
     * ({@link Preflight}): a saved plan's resources are observed again, and one whose
     * fingerprint moved since the plan is refused as {@link Outcome.Status#STALE} (its dependents
     * are skipped); a plan made in memory was observed just now. Then the walk converges the
     * plan's entries, each with the observation it has while nothing upstream changed what it
     * sees, otherwise observed again at its turn. A resource the plan holds no entry for (a saved
     * plan names only its changes) is left alone — not even observed.
     *
     * <p>Resources Mosaic created that the playbook no longer declares, and that the plan deletes,
     * are deleted after the walk when {@code allowDelete}; otherwise they are reported as skipped
     * and stay planned.
     *
     * @param saved a plan read back from a file; null to plan now
     */
    public ApplyResult apply(Playbook playbook, ResourceGraph graph, Plan saved, boolean allowDelete) throws IOException {
        History history = History.of(state.dir());
        created.recover(history); // before planning: what an interrupted apply created may be a removal's
        // Planning warns nobody: what it would warn about, the walk meets again at its turn.
        Plan plan = saved != null ? saved : new Planner(host, contexts, causes, removals, Events.NONE, jobs).plan(playbook, graph);
        Map<Address, PlannedChange> planned = new HashMap<>(plan.byAddress());
        History.Recorder run = history.begin(saved == null ? "apply" : "apply (saved plan)",
                playbook.file() == null ? playbook.name() : playbook.file().toAbsolutePath().normalize().toString(), host.name(),
                System.getProperty("user.name", "?"));
        Backups backups = new Backups(BackupStore.of(state.dir()), run);
        Applier applier = new Applier(host, state, events, jobs, contexts, causes, created, playbook, graph, backups, planned);
        List<Outcome> all = new ArrayList<>();
        String outcome = "interrupted";
        try {
            Map<Address, Outcome> refused = new Preflight(graph, playbook, contexts, events, planned).check();
            all.addAll(applier.walk(refused));
            if (!graph.partial()) { // under --target, removals wait for an apply of the whole playbook
                all.addAll(removals.delete(playbook, planned, allowDelete, backups));
            }
            ApplyResult r = new ApplyResult(all, run.id());
            outcome = r.failed() ? "failed" : r.stale() ? "stale" : "ok";
            return r;
        } finally {
            state.commit();
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
}
