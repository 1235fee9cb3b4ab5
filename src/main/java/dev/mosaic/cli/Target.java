package dev.mosaic.cli;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.engine.Engine;
import dev.mosaic.engine.Events;
import dev.mosaic.graph.GraphBuilder;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.host.LocalHost;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.PlaybookLoader;
import dev.mosaic.state.StateStore;

import java.nio.file.Path;

/** A loaded playbook with its graph, and the host and state it is planned against. */
record Target(Playbook playbook, ResourceGraph graph, LocalHost host, StateStore state, Path cacheDir) {

    /** Where Mosaic keeps its state on a target, below the root. */
    static final String STATE_DIR = "var/lib/mosaic";

    static Playbook load(Path playbook, CommonOptions o) {
        return new PlaybookLoader(BuiltinKinds.create()).load(playbook, o.vars);
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
        Playbook p = load(playbookFile, o);
        ResourceGraph g = graph(p);
        Path root = o.root == null ? Path.of("/") : o.root.toAbsolutePath().normalize();
        Path stateDir = o.stateDir != null ? o.stateDir.toAbsolutePath().normalize() : root.resolve(STATE_DIR);
        LocalHost host = new LocalHost(root, true, stateDir.resolve("statcache.bin"), writes);
        return new Target(p, g, host, StateStore.open(stateDir), o.cacheDir());
    }

    Engine engine(Events events, int jobs) {
        return new Engine(host, new LocalHost(Path.of("/")), state, events, jobs, cacheDir);
    }

    String name() {
        return host.root().toString().equals("/") ? "local" : "local (root " + host.root() + ")";
    }
}
