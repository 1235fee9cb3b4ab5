package dev.mosaic.cli;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.engine.Engine;
import dev.mosaic.engine.Events;
import dev.mosaic.graph.GraphBuilder;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.host.Children;
import dev.mosaic.host.Host;
import dev.mosaic.host.LocalHost;
import dev.mosaic.host.Sandbox;
import dev.mosaic.diag.UserError;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.PlaybookLoader;
import dev.mosaic.playbook.SchemaCache;
import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.resource.Kinds;
import dev.mosaic.resource.Paths;
import dev.mosaic.state.StateDir;
import dev.mosaic.state.StateDirError;
import dev.mosaic.state.StateStore;
import dev.mosaic.yaml.YNode;

import java.nio.file.Path;
import java.util.Map;

/**
 * A loaded playbook with its graph, and the host and state it is planned against. {@code name}
 * is how plans name the target: {@code local}, {@code local (root /tmp/lab)}, or an inventory
 * host's {@code lab1 (local, root /tmp/lab1)}. Closing it closes the host's connection, if any.
 */
record Target(Playbook playbook, ResourceGraph graph, Host host, StateStore state, Path cacheDir, String name,
              SchemaCache schemaCache) implements AutoCloseable {

    /** A target whose playbook was validated without a {@link SchemaCache}. */
    Target(Playbook playbook, ResourceGraph graph, Host host, StateStore state, Path cacheDir, String name) {
        this(playbook, graph, host, state, cacheDir, name, null);
    }

    /** Where Mosaic keeps its state on a target, below the root. */
    static final String STATE_DIR = "var/lib/mosaic";

    /** In the state directory: the resolved playbooks that passed their JSON Schema ({@link SchemaCache}). */
    static final String SCHEMA_CACHE = "schema.cache";
    /** Below the state directory: the commands of the apply running now ({@link Children}). */
    private static final String RUNNING = "running";

    static Playbook load(Path playbook, CommonOptions o) {
        return load(playbook, o, Map.of());
    }

    /** @param inventoryVars an inventory host's variables (empty without an inventory) */
    static Playbook load(Path playbook, CommonOptions o, Map<String, YNode> inventoryVars) {
        PathChecks.common(playbook, o);
        return new PlaybookLoader(BuiltinKinds.create(), o.moduleDirs).load(playbook, o.vars, inventoryVars);
    }

    static ResourceGraph graph(Playbook p) {
        Diagnostics diags = new Diagnostics();
        ResourceGraph g = GraphBuilder.build(p, diags);
        diags.throwIfErrors();
        return g;
    }

    /**
     * @param writes whether this run may write Mosaic's own state on the target (apply: yes;
     *               plan: never)
     */
    static Target open(Path playbookFile, CommonOptions o, boolean writes) {
        PathChecks.common(playbookFile, o);
        Path root = o.root == null ? Path.of("/") : o.root.toAbsolutePath().normalize();
        Path stateDir = o.stateDir != null ? o.stateDir.toAbsolutePath().normalize() : root.resolve(STATE_DIR);
        checkStateDir(stateDir, root); // before anything is read there
        // What passed its schema before for this target is not validated again (an apply of an
        // unchanged playbook); an apply records what passed (see rememberValidated), a plan never.
        SchemaCache schemaCache = SchemaCache.open(stateDir.resolve(SCHEMA_CACHE), StateDir::writeAtomic);
        Playbook p = new PlaybookLoader(BuiltinKinds.create(), o.moduleDirs, schemaCache).load(playbookFile, o.vars);
        ResourceGraph g = graph(p);
        String name = root.toString().equals("/") ? "local" : "local (root " + root + ")";
        Target t = local(p, g, root, stateDir, o, writes, name);
        return new Target(t.playbook, t.graph, t.host, t.state, t.cacheDir, t.name, schemaCache);
    }

    /**
     * Records in the state directory that this playbook passed its JSON Schema, so that the
     * next run against this target need not validate it again. Called by an apply holding the
     * apply lock, so a playbook that fails to load (or a busy target) leaves the target as it was.
     */
    void rememberValidated() {
        if (schemaCache != null) {
            schemaCache.save();
        }
    }

    /** This machine below {@code root}, with Mosaic's state in {@code stateDir}. */
    static Target local(Playbook p, ResourceGraph g, Path root, Path stateDir, CommonOptions o, boolean writes,
                        String name) {
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
        return new Target(p, g, host, StateStore.open(stateDir), o.cacheDir(), name);
    }

    /**
     * Refuses a state directory that Mosaic would have to use through a link (or whose entries
     * are not what Mosaic keeps there): said in one paragraph, before anything is read there.
     */
    static void checkStateDir(Path stateDir, Path root) {
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
            Paths paths = Kinds.paths(d.type(), d.spec());
            java.util.SortedSet<String> all = new java.util.TreeSet<>(paths.produces());
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

    /**
     * Stops what an interrupted apply left running on this target ({@link Children}). Call it
     * holding the target's apply lock, before applying.
     */
    void stopLeftovers(java.util.function.Consumer<String> warnings) throws java.io.IOException {
        if (host instanceof LocalHost) {
            Children.stopLeftovers(state.dir().resolve(RUNNING), warnings);
        }
    }

    @Override
    public void close() throws java.io.IOException {
        if (host instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (java.io.IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new java.io.IOException(e);
            }
        }
    }

    Engine engine(Events events, int jobs) {
        return new Engine(host, new LocalHost(Path.of("/")), state, events, jobs, cacheDir);
    }
}
