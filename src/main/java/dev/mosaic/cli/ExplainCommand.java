package dev.mosaic.cli;

import dev.mosaic.diag.UserError;
import dev.mosaic.engine.SavedPlan;
import dev.mosaic.playbook.InventoryHost;
import dev.mosaic.session.Session;
import dev.mosaic.session.Transport;
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
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code mosaic explain ADDRESS PLAYBOOK}: plans like {@code plan} (reads the target, writes
 * nothing) and says why one resource is in the plan, back to the root causes. Given a plan saved
 * by {@code plan --out} instead, it reads the chain that plan recorded, checked with the target's
 * plan key as {@code apply} checks it, and touches nothing, not even to read: what a reviewer is
 * about to approve, explained as it will be applied.
 */
@Command(name = "explain", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Say why a resource is in the plan: its cause (new, config changed, drift, input changed, "
                + "notified), what differs, and the chain of dependencies back to the root cause. "
                + "Plans like 'plan' does: reads the target, never writes to it. "
                + "Given a plan saved by 'plan --out', explains that plan without reading the target."},
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

    @Parameters(index = "1", paramLabel = "PLAYBOOK",
            description = "A playbook, or a plan saved by 'mosaic plan --out' (with --inventory and --host, the plan's directory).")
    Path playbook;

    @Mixin
    OneHost one;

    @Override
    public Integer call() throws java.io.IOException {
        Plan plan = saved();
        if (plan == null) {
            try (Session t = one.active() ? one.open(playbook, options) : options.open(playbook, false)) {
                plan = t.plan(w -> spec.commandLine().getErr().println("warning: " + w));
            }
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

    /** The plan PLAYBOOK names when it is a saved one, checked as apply checks it; else null. */
    private Plan saved() throws java.io.IOException {
        if (one.active()) {
            if (!Files.isDirectory(playbook)) {
                return null;
            }
            InventoryHost h = one.find();
            Path file = playbook.resolve(h.name() + FleetPlans.SUFFIX);
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new UserError("plan directory " + playbook + " has no plan for host " + h.name()
                        + " (" + file.getFileName() + ")");
            }
            return SavedPlan.read(file, SavedPlan.key(Transport.stateDir(h, options.stateDir), false)).plan();
        }
        if (Files.isRegularFile(playbook) && SavedPlan.looksLikePlan(playbook)) {
            return SavedPlans.read(playbook, options, new InventoryOptions()).plan();
        }
        return null;
    }
}
