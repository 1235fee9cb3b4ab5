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
record Target(Playbook playbook, ResourceGraph graph, LocalHost host, StateStore state) {

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

    static Target open(Path playbookFile, CommonOptions o) {
        Playbook p = load(playbookFile, o);
        ResourceGraph g = graph(p);
        Path root = o.root == null ? Path.of("/") : o.root.toAbsolutePath().normalize();
        return new Target(p, g, new LocalHost(root), StateStore.open(root.resolve(STATE_DIR)));
    }

    Engine engine(Events events, int jobs) {
        return new Engine(host, new LocalHost(Path.of("/")), state, events, jobs);
    }

    String name() {
        return host.root().toString().equals("/") ? "local" : "local (root " + host.root() + ")";
    }
}
