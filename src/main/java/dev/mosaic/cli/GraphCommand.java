package dev.mosaic.cli;

import dev.mosaic.session.Session;
import dev.mosaic.engine.Plan;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.render.GraphSvg;
import dev.mosaic.render.GraphText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "graph", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Print the dependency graph: apply order and every edge with its reason.",
        footerHeading = "%nExamples:%n",
        footer = {"  mosaic graph playbooks/starter.yml",
                "As a picture, the same as apply --report draws:",
                "  mosaic graph playbooks/openmosix-ltsp.yml --format svg > g.svg",
                "What a plan would change, marked by action (colored in pictures):",
                "  mosaic graph playbooks/starter.yml --root /tmp/lab --plan"})
final class GraphCommand implements Callable<Integer> {

    enum Format { text, dot, mermaid, svg }

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions options;

    @Option(names = "--format", description = "text (default), dot (Graphviz), mermaid, or svg (drawn by Mosaic, as in apply --report).")
    Format format = Format.text;

    @Option(names = "--plan",
            description = "Plan against the target (--root, --state-dir, --var, as 'mosaic plan' does; nothing is written) and mark what would change: colored by action with a legend, or the plan's symbols in text.")
    boolean plan;

    @Parameters(index = "0", paramLabel = "PLAYBOOK")
    Path playbook;

    @Mixin
    OneHost one;

    @Override
    public Integer call() throws IOException {
        if (options.json && spec.commandLine().getParseResult().hasMatchedOption("--format")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--json and --format " + format + " are two formats: give one (--json prints the graph, and with --plan the plan, as JSON)");
        }
        ResourceGraph g;
        String name;
        Plan p = null;
        if (plan) {
            try (Session t = one.active() ? one.open(playbook, options) : options.open(playbook, false)) {
                p = t.plan(w -> spec.commandLine().getErr().println("warning: " + w));
                g = t.graph();
                name = t.playbook().name();
            }
        } else if (one.active()) {
            Fleet.Member m = one.fleet(playbook, options).members().get(0);
            g = m.graph();
            name = m.playbook().name();
        } else {
            dev.mosaic.playbook.Playbook loaded = options.load(playbook, java.util.Map.of());
            g = Session.graph(loaded);
            name = loaded.name();
        }
        String out = options.json ? dev.mosaic.render.JsonGraph.render(name, g, p) : switch (format) {
            case dot -> GraphText.dot(g, p);
            case mermaid -> GraphText.mermaid(g, p);
            case svg -> GraphSvg.document(g, p);
            case text -> GraphText.text(g, p);
        };
        spec.commandLine().getOut().print(out);
        spec.commandLine().getOut().flush();
        if (p != null && p.hasErrors()) {
            spec.commandLine().getErr().println("error: the plan has errors (" + (options.json ? "status failed in its document"
                    : "marked !") + "); 'mosaic plan' shows them");
            return Main.ERROR;
        }
        return Main.OK;
    }
}
