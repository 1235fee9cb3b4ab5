package dev.mosaic.cli;

import dev.mosaic.engine.Events;
import dev.mosaic.engine.Plan;
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
        description = "Show what apply would change, with diffs. Reads the target, never writes to it.")
final class PlanCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions options;

    @Mixin
    InventoryOptions inventory;

    @Option(names = "--detailed-exitcode", description = "Exit 2 when there are changes (0 when none, 1 on error).")
    boolean detailedExitCode;

    @Parameters(index = "0", paramLabel = "PLAYBOOK")
    Path playbook;

    @Override
    public Integer call() throws java.io.IOException, InterruptedException {
        if (inventory.active()) {
            return Fleet.load(playbook, options, inventory)
                    .plan(spec.commandLine().getOut(), spec.commandLine().getErr(), detailedExitCode);
        }
        Target t = Target.open(playbook, options, false);
        PrintWriter out = spec.commandLine().getOut();
        t.state().warnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
        Plan plan = t.engine(Events.NONE, options.jobs).plan(t.playbook(), t.graph());
        plan = new Plan(plan.playbook(), t.name(), plan.entries());
        out.print(options.json ? JsonPlan.render(plan) : TextPlan.render(plan));
        out.flush();
        if (plan.hasErrors()) {
            return Main.ERROR;
        }
        return detailedExitCode && plan.hasChanges() ? Main.CHANGES : Main.OK;
    }
}
