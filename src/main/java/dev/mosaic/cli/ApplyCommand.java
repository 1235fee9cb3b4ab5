package dev.mosaic.cli;

import dev.mosaic.engine.Engine;
import dev.mosaic.render.ConsoleEvents;
import dev.mosaic.render.JsonEvents;
import dev.mosaic.render.JsonPlan;
import dev.mosaic.render.Recap;
import dev.mosaic.state.ApplyLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "apply", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Converge the target: change only what differs from the playbook, then recap.")
final class ApplyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions options;

    @Mixin
    InventoryOptions inventory;

    @Parameters(index = "0", paramLabel = "PLAYBOOK")
    Path playbook;

    @picocli.CommandLine.Option(names = "--lock-timeout", paramLabel = "SECONDS",
            description = "How long to wait for another apply of the same target to finish (default: 0, fail at once).")
    long lockTimeout;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (inventory.active()) {
            return Fleet.load(playbook, options, inventory).apply(spec.commandLine().getOut(), spec.commandLine().getErr(),
                    java.time.Duration.ofSeconds(lockTimeout));
        }
        Target t = Target.open(playbook, options, true);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (ApplyLock lock = ApplyLock.acquire(t.state().dir(), java.time.Duration.ofSeconds(lockTimeout),
                w -> err.println("warning: " + w))) {
            return applyLocked(t, out, err);
        } catch (ApplyLock.Busy busy) {
            throw new dev.mosaic.diag.UserError(busy.getMessage() + (lockTimeout > 0 ? " (waited " + lockTimeout + " s)" : "")
                    + "; wait for it, or pass --lock-timeout SECONDS");
        }
    }

    private int applyLocked(Target t, PrintWriter out, PrintWriter err) throws IOException {
        t.state().warnings().forEach(w -> err.println("warning: " + w));
        Engine.ApplyResult result;
        if (options.json) {
            JsonEvents events = new JsonEvents(out);
            result = t.engine(events, options.jobs).apply(t.playbook(), t.graph());
            events.summary(JsonPlan.render(result, t.playbook().name(), t.name()));
        } else {
            try (ConsoleEvents events = new ConsoleEvents(out, err, System.console() != null)) {
                result = t.engine(events, options.jobs).apply(t.playbook(), t.graph());
            }
            out.print(Recap.render(result));
        }
        out.flush();
        return result.failed() ? Main.ERROR : Main.OK;
    }
}
