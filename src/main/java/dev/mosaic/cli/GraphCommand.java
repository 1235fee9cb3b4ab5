package dev.mosaic.cli;

import dev.mosaic.render.GraphText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "graph", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Print the dependency graph: apply order and every edge with its reason.",
        footerHeading = "%nExamples:%n",
        footer = {"  mosaic graph playbooks/starter.yml",
                "As a picture (Graphviz), modules included:",
                "  mosaic graph playbooks/openmosix-ltsp.yml --format dot | dot -Tsvg > g.svg"})
final class GraphCommand implements Callable<Integer> {

    enum Format { text, dot, mermaid }

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions options;

    @Option(names = "--format", description = "text (default), dot (Graphviz) or mermaid.")
    Format format = Format.text;

    @Parameters(index = "0", paramLabel = "PLAYBOOK")
    Path playbook;

    @Override
    public Integer call() {
        var g = Target.graph(Target.load(playbook, options));
        spec.commandLine().getOut().print(switch (format) {
            case dot -> GraphText.dot(g);
            case mermaid -> GraphText.mermaid(g);
            default -> GraphText.text(g);
        });
        spec.commandLine().getOut().flush();
        return Main.OK;
    }
}
