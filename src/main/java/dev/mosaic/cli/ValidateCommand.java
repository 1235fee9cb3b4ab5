package dev.mosaic.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

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

    @Override
    public Integer call() {
        if (inventory.active()) {
            for (Fleet.Member m : Fleet.load(playbook, options, inventory).members()) {
                spec.commandLine().getOut().println(playbook + ": ok for host " + m.host().name() + " ("
                        + m.graph().size() + " resources, " + m.graph().edges().size() + " dependencies)");
            }
            return Main.OK;
        }
        var g = dev.mosaic.session.Session.graph(options.load(playbook, java.util.Map.of()));
        spec.commandLine().getOut().println(playbook + ": ok (" + g.size() + " resources, " + g.edges().size() + " dependencies)");
        return Main.OK;
    }
}
