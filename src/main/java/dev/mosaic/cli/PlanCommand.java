package dev.mosaic.cli;

import dev.mosaic.session.Session;
import dev.mosaic.engine.Plan;
import dev.mosaic.engine.SavedPlan;
import dev.mosaic.render.JsonPlan;
import dev.mosaic.render.TextPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "plan", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Show what apply would change, with diffs. Reads the target, never writes to it.",
        footerHeading = "%nExamples:%n",
        footer = {"  mosaic plan playbooks/starter.yml --root /tmp/lab",
                "In a script or cron job: exit 2 when the target drifted, 0 when it did not:",
                "  mosaic plan playbooks/starter.yml --root /tmp/lab --detailed-exitcode",
                "A variable changed, as JSON (schemas/plan.schema.json):",
                "  mosaic plan playbooks/lab-kernel.yml --root /tmp/k --var e1000=n --json"})
final class PlanCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions options;

    @Mixin
    InventoryOptions inventory;

    @Option(names = "--detailed-exitcode", description = "Exit 2 when there are changes (0 when none, 1 on error).")
    boolean detailedExitCode;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Also save the plan to FILE (e.g. plan.mosaic): 'mosaic apply FILE' then makes exactly these changes, or refuses what moved since. With --inventory, FILE is a directory of one plan per host.")
    Path out;

    @Option(names = "--target", paramLabel = "ADDRESS",
            description = "Plan only this resource and what it requires (repeatable): file[pxe-menu], a bare id, or module.NAME for all of a module's resources. What depends on it, and removals, are left out; the plan says so. A plan saved with --out holds only these changes.")
    java.util.List<String> targets = new java.util.ArrayList<>();

    @Parameters(index = "0", paramLabel = "PLAYBOOK")
    Path playbook;

    @Override
    public Integer call() throws java.io.IOException, InterruptedException {
        options.targets = targets;
        if (inventory.active()) {
            Fleet fleet = Fleet.load(playbook, options, inventory).verbosity(Verbosity.of(spec));
            if (out != null) {
                FleetPlans.prepareOut(out);
            }
            int code = fleet.plan(spec.commandLine().getOut(), spec.commandLine().getErr(), detailedExitCode, out);
            if (out != null) {
                spec.commandLine().getErr().println("Saved the plan of each host planned without errors to " + out
                        + "; apply exactly these changes with: mosaic apply " + out + " --inventory " + inventory.inventory
                        + (inventory.limit == null ? "" : " --limit '" + inventory.limit + "'")
                        + (options.stateDir == null ? "" : " --state-dir " + options.stateDir));
            }
            return code;
        }
        PathChecks.outputFile("--out", out);
        Session t = options.open(playbook, false);
        PrintWriter out = spec.commandLine().getOut();
        Verbosity verbosity = Verbosity.of(spec);
        verbosity.session(t, options.moduleDirs);
        Plan plan = t.plan(w -> spec.commandLine().getErr().println("warning: " + w));
        verbosity.reasons(plan, t);
        out.print(options.json ? JsonPlan.render(plan) : TextPlan.render(plan));
        if (!options.json && plan.entries().stream().anyMatch(e -> e.isChange() && e.cause() == dev.mosaic.engine.Cause.REMOVED)) {
            out.println("Deletions are made only by 'mosaic apply --allow-delete'; 'on_remove: keep' on a resource keeps what it created.");
        }
        out.flush();
        if (plan.hasErrors()) {
            if (this.out != null) {
                spec.commandLine().getErr().println("error: the plan has errors; no plan file was written");
            }
            return Main.ERROR;
        }
        if (this.out != null) {
            SavedPlans.of(plan, t, playbook, options).write(this.out, SavedPlan.key(SavedPlans.stateDir(options), true));
            spec.commandLine().getErr().println("Saved the plan to " + this.out + "; apply exactly these changes with: mosaic apply "
                    + this.out + (options.root == null ? "" : " --root " + options.root)
                    + (options.stateDir == null ? "" : " --state-dir " + options.stateDir));
        }
        return detailedExitCode && plan.hasChanges() ? Main.CHANGES : Main.OK;
    }
}
