package dev.mosaic.cli;

import dev.mosaic.session.Session;
import dev.mosaic.engine.Plan;
import dev.mosaic.engine.PlannedChange;
import dev.mosaic.render.Explain;
import dev.mosaic.render.ExplainJson;
import dev.mosaic.render.ExplainText;
import dev.mosaic.resource.Address;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code mosaic explain ADDRESS PLAYBOOK}: plans like {@code plan} (reads the target, writes
 * nothing) and says why one resource is in the plan, back to the root causes.
 */
@Command(name = "explain", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Say why a resource is in the plan: its cause (new, config changed, drift, input changed, "
                + "notified), what differs, and the chain of dependencies back to the root cause. "
                + "Plans like 'plan' does: reads the target, never writes to it."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:explained (whether or not the resource changes)",
                "1:error, an unknown address, or the resource cannot be planned",
                "64:usage error"},
        footerHeading = "%nExamples:%n",
        footer = {"Why does the starter playbook rewrite the PXE menu in this sandbox?",
                "  mosaic explain 'file[pxe-menu]' playbooks/starter.yml --root /tmp/lab",
                "Why is the kernel rebuilt after an option changed? (a bare id will do)",
                "  mosaic explain bzImage playbooks/lab-kernel.yml --root /tmp/k --var e1000=n",
                "The same as JSON, for scripts:",
                "  mosaic explain bzImage playbooks/lab-kernel.yml --root /tmp/k --json"})
final class ExplainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions options;

    @Parameters(index = "0", paramLabel = "ADDRESS",
            description = "The resource, as plans print it: file[pxe-menu], module.kernel.build[kernel]; "
                    + "a bare id (pxe-menu) when only one resource has it.")
    String address;

    @Parameters(index = "1", paramLabel = "PLAYBOOK")
    Path playbook;

    @Mixin
    OneHost one;

    @Override
    public Integer call() throws java.io.IOException {
        Plan plan;
        try (Session t = one.active() ? one.open(playbook, options) : options.open(playbook, false)) {
            plan = t.plan(w -> spec.commandLine().getErr().println("warning: " + w));
        }
        PrintWriter out = spec.commandLine().getOut();
        // The plan, not only the graph: it also holds what the playbook no longer declares.
        List<Address> known = plan.entries().stream().map(PlannedChange::address).toList();
        Address a = Explain.find(address, known).orElseThrow(() -> Explain.unknown(address, known));
        Explain.Explanation e = Explain.of(plan, a);
        out.print(options.json ? ExplainJson.render(e) : ExplainText.render(e));
        out.flush();
        return e.node().change().status() == PlannedChange.Status.FAILED ? Main.ERROR : Main.OK;
    }
}
