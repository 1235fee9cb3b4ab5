package dev.mosaic.session;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.UserError;
import dev.mosaic.engine.Engine;
import dev.mosaic.engine.Events;
import dev.mosaic.engine.Plan;
import dev.mosaic.graph.GraphBuilder;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.graph.Targets;
import dev.mosaic.host.Children;
import dev.mosaic.host.Host;
import dev.mosaic.host.LocalHost;
import dev.mosaic.host.Sandbox;
import dev.mosaic.host.ssh.SshHost;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.PlaybookLoader;
import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.playbook.SchemaCache;
import dev.mosaic.resource.Paths;
import dev.mosaic.state.ApplyLock;
import dev.mosaic.state.StateDir;
import dev.mosaic.state.StateDirError;
import dev.mosaic.state.StateStore;
import dev.mosaic.yaml.YNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * One target opened for one run: the playbook loaded for it with its graph, the host it is
 * reached through (this machine below a root, or an ssh host), Mosaic's state there, and the
 * schema cache. {@link #plan} reads the target; {@link #apply} takes the target's apply lock,
 * says what the state warns about, records that the playbook passed its schema, stops what an
 * interrupted apply left running, and converges. A single target ({@link #open}), each host of an
 * inventory ({@link Transport}) and the benchmark's profiler all run through here, so every
 * command does these steps the same way.
 *
 * <p>{@code name} is how plans name the target: {@code local}, {@code local (root /tmp/lab)}, or
 * an inventory host's {@code lab1 (local, root /tmp/lab1)}. Closing a session closes the host's
 * connection, if any.
 */
public final class Session implements AutoCloseable {

    /** Where Mosaic keeps its state on a target, below the root. */
    public static final String STATE_DIR = "var/lib/mosaic";

    /** In the state directory: the resolved playbooks that passed their JSON Schema ({@link SchemaCache}). */
    static final String SCHEMA_CACHE = "schema.cache";
    /** Below the state directory: the commands of the apply running now ({@link Children}). */
    private static final String RUNNING = "running";

    private final Playbook playbook;
    private final ResourceGraph graph;
    private final Host host;
    private final StateStore state;
    private final String name;
    private final Settings settings;
    /** Null when the playbook was validated without one (an inventory host's). */
    private final SchemaCache schemaCache;
    /** The engine of the last {@link #plan}: it knows the control-side files the plan read. */
    private Engine planner;

    Session(Playbook playbook, ResourceGraph graph, Host host, StateStore state, String name, Settings settings,
            SchemaCache schemaCache) {
        this.playbook = playbook;
        this.graph = graph;
        this.host = host;
        this.state = state;
        this.name = name;
        this.settings = settings;
        this.schemaCache = schemaCache;
    }

    // ---------------------------------------------------------------- opening

    /** Loads a playbook with the command line's variables and, for an inventory host, its own. */
    public static Playbook load(Path playbook, Settings s, Map<String, YNode> inventoryVars) {
        return new PlaybookLoader(s.kinds(), s.moduleDirs()).kernels(AptKernels.SYSTEM).load(playbook, s.vars(), inventoryVars);
    }

    /**
     * An inventory host's load of a playbook parsed once for all hosts; {@code validated} holds
     * the trees already validated in this process ({@link SchemaCache#inMemory}).
     */
    public static Playbook load(PlaybookLoader.Parsed playbook, Settings s, Map<String, YNode> inventoryVars,
                                SchemaCache validated) {
        return new PlaybookLoader(s.kinds(), s.moduleDirs(), validated).kernels(AptKernels.SYSTEM)
                .load(playbook, s.vars(), inventoryVars);
    }

    /** The playbook's graph, or its problems as one {@link UserError}. */
    public static ResourceGraph graph(Playbook p) {
        Diagnostics diags = new Diagnostics();
        ResourceGraph g = GraphBuilder.build(p, diags);
        diags.throwIfErrors();
        return g;
    }

    /**
     * The part of the playbook's graph a run is limited to: all of it, or with {@code --target}
     * the selected resources and what they require ({@link Targets}).
     *
     * @throws UserError for an address the playbook does not have, before any target is touched
     */
    public static ResourceGraph graph(Playbook p, Settings s) {
        return Targets.select(graph(p), s.targets());
    }

    /** The target's root: {@code --root}, else {@code /}. */
    public static Path root(Path rootOption) {
        return rootOption == null ? Path.of("/") : rootOption.toAbsolutePath().normalize();
    }

    /** The target's state directory: {@code --state-dir}, else {@code ROOT/var/lib/mosaic}. */
    public static Path stateDir(Path rootOption, Path stateDirOption) {
        return stateDirOption != null ? stateDirOption.toAbsolutePath().normalize() : root(rootOption).resolve(STATE_DIR);
    }

    /**
     * This machine below {@code rootOption} (null: {@code /}), the playbook validated with the
     * target's schema cache: what passed its schema before for this target is not validated
     * again; an apply records what passed ({@link #apply}), a plan never.
     *
     * @param writes whether this run may write Mosaic's own state on the target (apply: yes;
     *               plan: never)
     */
    public static Session open(Path playbookFile, Path rootOption, Settings s, boolean writes) {
        Path root = root(rootOption);
        Path stateDir = stateDir(rootOption, s.stateDir());
        checkStateDir(stateDir, root); // before anything is read there
        SchemaCache schemaCache = SchemaCache.open(stateDir.resolve(SCHEMA_CACHE), StateDir::writeAtomic);
        Playbook p = new PlaybookLoader(s.kinds(), s.moduleDirs(), schemaCache).kernels(AptKernels.SYSTEM)
                .load(playbookFile, s.vars());
        String name = root.toString().equals("/") ? "local" : "local (root " + root + ")";
        return local(p, graph(p, s), root, stateDir, s, writes, name, schemaCache);
    }

    /**
     * This machine below {@code root}, for a playbook already loaded and checked (the benchmark's
     * profiler times loading apart): state in {@code --state-dir}, else below the root.
     */
    public static Session local(Playbook p, ResourceGraph g, Path root, Settings s, boolean writes) {
        Path r = root(root);
        return local(p, g, r, stateDir(r, s.stateDir()), s, writes, r.toString().equals("/") ? "local" : "local (root " + r + ")",
                null);
    }

    /** This machine below {@code root}, with Mosaic's state in {@code stateDir}. */
    static Session local(Playbook p, ResourceGraph g, Path root, Path stateDir, Settings s, boolean writes, String name,
                         SchemaCache schemaCache) {
        checkStateDir(stateDir, root);
        refuseStatePaths(p, root, stateDir);
        LocalHost host = new LocalHost(root, true, stateDir.resolve("statcache.bin"), writes);
        if (host.confinesCommands()) {
            // Refused before anything runs, plan included: never a command unconfined by surprise.
            Sandbox.SYSTEM.missing().ifPresent(m -> {
                throw new UserError(m);
            });
        }
        if (stateDir.toAbsolutePath().normalize().startsWith(root.toAbsolutePath().normalize())) {
            // What the playbook declares is refused above; this refuses what it does not declare
            // (a copy purging /var/lib, an archive unpacked at /, a link in a copied tree).
            host.protectStateDir(stateDir);
        }
        if (writes) {
            Children.track(host.root(), stateDir.resolve(RUNNING));
        }
        return new Session(p, g, host, StateStore.open(stateDir), name, s, schemaCache);
    }

    /**
     * Refuses a state directory that Mosaic would have to use through a link (or whose entries
     * are not what Mosaic keeps there): said in one paragraph, before anything is read there.
     */
    public static void checkStateDir(Path stateDir, Path root) {
        try {
            StateDir.check(stateDir, root);
        } catch (StateDirError e) {
            throw new UserError(e.getMessage());
        }
    }

    /**
     * Refuses a playbook whose resources produce, read or modify paths inside the target's own
     * state directory: Mosaic's state is not configuration (a resource there could plant a link
     * that the state code would then write through, or delete the history it keeps).
     */
    static void refuseStatePaths(Playbook p, Path root, Path stateDir) {
        Path r = root.toAbsolutePath().normalize();
        Path s = stateDir.toAbsolutePath().normalize();
        if (!s.startsWith(r)) {
            return; // the state is not on the target: no resource can reach it
        }
        Path inTarget = Path.of("/").resolve(r.relativize(s));
        Diagnostics diags = new Diagnostics();
        for (ResourceDecl d : p.resources()) {
            Paths paths = d.bound().paths();
            SortedSet<String> all = new TreeSet<>(paths.produces());
            all.addAll(paths.reads());
            all.addAll(paths.modifies());
            all.addAll(paths.fills());
            for (String path : all) {
                if (path.startsWith("/") && Path.of(path).normalize().startsWith(inTarget)) {
                    diags.error(d.pos(), d.address() + " manages " + path + ", inside Mosaic's own state directory "
                            + inTarget + (r.toString().equals("/") ? "" : " (" + s + ")") + ": Mosaic keeps its history,"
                            + " backups and lock there and no resource may touch them. Choose another path, or keep the"
                            + " state elsewhere with --state-dir.");
                    break;
                }
            }
        }
        diags.throwIfErrors();
    }

    // ---------------------------------------------------------------- the run

    public Playbook playbook() {
        return playbook;
    }

    public ResourceGraph graph() {
        return graph;
    }

    public Host host() {
        return host;
    }

    public StateStore state() {
        return state;
    }

    public String name() {
        return name;
    }

    /** An engine for this target, reporting to {@code events}. */
    public Engine engine(Events events) {
        return new Engine(host, new LocalHost(Path.of("/")), state, events, settings.jobs(), settings.cacheDir());
    }

    /**
     * The engine that made the last {@link #plan} (a saved plan records the control-side inputs
     * it read), or a fresh one before any plan.
     */
    public Engine planner() {
        return planner != null ? planner : engine(Events.NONE);
    }

    /**
     * What an apply would change, named after this target. Reads the target, never writes to it.
     *
     * @param warnings told what the state warns about, before planning and what planning found
     */
    public Plan plan(Consumer<String> warnings) {
        state.newWarnings().forEach(warnings);
        planner = engine(Events.NONE);
        Plan plan = planner.plan(playbook, graph);
        state.newWarnings().forEach(warnings);
        return new Plan(plan.playbook(), name, plan.entries(), graph.targets(), kernelMoves());
    }

    /** The {@code ${kernel:…}} lookups whose release {@code mosaic.lock} does not hold (what the plan shows). */
    public java.util.List<Plan.KernelMove> kernelMoves() {
        return LockedKernels.moves(playbook);
    }

    /**
     * Converges the target under its apply lock. Before the engine runs: the state's warnings,
     * the schema cache recorded (the lock is held, so a busy target or a playbook that failed to
     * load leaves it as it was), what an interrupted apply left running stopped. After: the
     * kernels of {@code ${kernel:…}} recorded in {@code mosaic.lock} once the whole playbook
     * converged, and what the state found to warn about while applying.
     *
     * @param saved    a saved plan read back (exactly its changes), or null: a plan made now, in memory
     * @param warnings told every warning, one at a time
     * @throws ApplyLock.Busy when another apply holds the lock past {@code options.lockTimeout()}
     */
    public Engine.ApplyResult apply(Plan saved, ApplyOptions options, Events events,
                                    Consumer<String> warnings) throws IOException, InterruptedException, ApplyLock.Busy {
        try (ApplyLock lock = ApplyLock.acquire(state.dir(), options.lockTimeout(), warnings)) {
            events.debug("apply lock taken: " + state.dir().resolve(ApplyLock.NAME) + " (pid " + ProcessHandle.current().pid() + ")");
            if (graph.partial()) { // said once per target, as the plan says it
                warnings.accept(partial(graph));
            }
            state.newWarnings().forEach(warnings);
            if (schemaCache != null) {
                schemaCache.save();
            }
            if (host instanceof LocalHost) {
                Children.stopLeftovers(state.dir().resolve(RUNNING), warnings);
            }
            Engine.ApplyResult result = engine(events).apply(playbook, graph, saved, options.allowDelete());
            if (!result.failed() && !result.stale() && !graph.partial()) {
                LockedKernels.record(playbook); // the kernels the whole playbook now runs with
            }
            state.newWarnings().forEach(warnings);
            return result;
        }
    }

    /** The warning of a run limited by {@code --target}: what it leaves out. */
    static String partial(ResourceGraph g) {
        return "--target " + String.join(", ", g.targets()) + ": a partial apply, " + g.size() + " of the playbook's "
                + g.whole().size() + " resources (the targets and what they require); what depends on them, and the"
                + " removal of resources gone from the playbook, wait for an apply without --target";
    }

    /** How many round trips an ssh host took so far; empty for this machine. */
    public Optional<Long> roundTrips() {
        return host instanceof SshHost ssh ? Optional.of(ssh.roundTrips()) : Optional.empty();
    }

    @Override
    public void close() throws IOException {
        if (host instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }
}
