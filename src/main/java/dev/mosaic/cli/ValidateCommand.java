package dev.mosaic.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.playbook.Playbook;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "validate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Check a playbook (schema, variables, references, graph) without looking at any target.",
        footerHeading = "%nExamples:%n",
        footer = {"  mosaic validate playbooks/starter.yml",
                "With a variable overridden; a playbook that calls modules (found in ../modules):",
                "  mosaic validate playbooks/lab-kernel.yml --var e1000=n",
                "  mosaic validate playbooks/openmosix-ltsp.yml"})
final class ValidateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions options;

    @Mixin
    InventoryOptions inventory;

    @Parameters(index = "0", paramLabel = "PLAYBOOK")
    Path playbook;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Prints what passed: a line per target, or with {@code --json} one document
     * ({@code schemas/validate.schema.json}). What fails is a {@link dev.mosaic.diag.UserError},
     * reported by {@link Main} (as the error document with {@code --json}).
     */
    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        ObjectNode doc = JSON.createObjectNode();
        doc.put("format_version", "1");
        doc.put("file", playbook.toString());
        if (inventory.active()) {
            ObjectNode hosts = JSON.createObjectNode();
            for (Fleet.Member m : Fleet.load(playbook, options, inventory).members()) {
                doc.put("playbook", m.playbook().name());
                counts(hosts.putObject(m.host().name()), m.graph());
                if (!options.json) {
                    out.println(playbook + ": ok for host " + m.host().name() + " ("
                            + m.graph().size() + " resources, " + m.graph().edges().size() + " dependencies)");
                }
            }
            doc.set("hosts", hosts);
        } else {
            Playbook loaded = options.load(playbook, java.util.Map.of());
            ResourceGraph g = dev.mosaic.session.Session.graph(loaded);
            doc.put("playbook", loaded.name());
            counts(doc, g);
            if (!options.json) {
                out.println(playbook + ": ok (" + g.size() + " resources, " + g.edges().size() + " dependencies)");
            }
        }
        if (options.json) {
            out.print(JSON.writeValueAsString(doc) + "\n");
        }
        out.flush();
        return Main.OK;
    }

    private static void counts(ObjectNode n, ResourceGraph g) {
        n.put("resources", g.size());
        n.put("dependencies", g.edges().size());
    }
}
