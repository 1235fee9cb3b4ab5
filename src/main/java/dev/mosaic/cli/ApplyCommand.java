package dev.mosaic.cli;

import dev.mosaic.engine.Engine;
import dev.mosaic.engine.Events;
import dev.mosaic.render.ConsoleEvents;
import dev.mosaic.render.HtmlReport;
import dev.mosaic.render.JsonEvents;
import dev.mosaic.render.JsonPlan;
import dev.mosaic.render.Recap;
import dev.mosaic.render.TimelineEvents;
import dev.mosaic.session.ApplyOptions;
import dev.mosaic.session.Session;
import dev.mosaic.state.ApplyLock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

@Command(name = "apply", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Converge the target: change only what differs from the playbook, then recap.",
        footerHeading = "%nExamples:%n",
        footer = {"A netboot server in a sandbox root, unprivileged (run it again: 0 changed):",
                "  mosaic apply playbooks/lab-netboot.yml --root /tmp/mosaic-lab",
                "Wait up to 5 minutes for another apply of the same target, events as JSON lines:",
                "  mosaic apply playbooks/starter.yml --root /tmp/lab --lock-timeout 300 --json",
                "Only the PXE menu and what it requires, saying why each change is made:",
                "  mosaic apply playbooks/starter.yml --root /tmp/lab --target pxe-menu -v"})
final class ApplyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions options;

    @Mixin
    InventoryOptions inventory;

    @Parameters(index = "0", paramLabel = "PLAYBOOK",
            description = "A playbook, or a plan saved by 'mosaic plan --out' (a .mosaic file; with --inventory, the plan's directory): then exactly its changes are made.")
    Path playbook;

    @picocli.CommandLine.Option(names = "--allow-delete",
            description = "Delete what Mosaic created for resources the playbook no longer declares (plans always show them with '-').")
    boolean allowDelete;

    @picocli.CommandLine.Option(names = "--lock-timeout", paramLabel = "SECONDS",
            description = "How long to wait for another apply of the same target to finish (default: 0, fail at once).")
    long lockTimeout;

    @picocli.CommandLine.Option(names = "--report", paramLabel = "FILE",
            description = "Also write one self-contained HTML page about the apply (outcomes, timeline, dependency graph, plan) to FILE, failed applies included.")
    Path report;

    @picocli.CommandLine.Option(names = "--target", paramLabel = "ADDRESS",
            description = "Apply only this resource and what it requires (repeatable): file[pxe-menu], a bare id, or module.NAME for all of a module's resources. What depends on it, and removals, wait for an apply without --target. Not with a saved plan: it holds only the changes its plan targeted.")
    java.util.List<String> targets = new java.util.ArrayList<>();

    /** Records the apply for {@link #report}; null without it. */
    private TimelineEvents recorder;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PathChecks.outputFile("--report", report);
        options.targets = targets;
        ApplyOptions how = new ApplyOptions(allowDelete, Duration.ofSeconds(lockTimeout));
        if (inventory.active() && java.nio.file.Files.isDirectory(playbook)) { // a plan saved for the inventory
            refuseTargetsWithPlan();
            FleetPlans.Loaded plan = FleetPlans.read(playbook, options, inventory);
            return Fleet.load(plan.playbook(), options, inventory).verbosity(Verbosity.of(spec)).apply(spec.commandLine().getOut(),
                    spec.commandLine().getErr(), how, plan.savedFor(), report);
        }
        PathChecks.inputFile("playbook or plan", playbook);
        if (java.nio.file.Files.isRegularFile(playbook) && dev.mosaic.engine.SavedPlan.looksLikePlan(playbook)) {
            return applySaved(how);
        }
        if (inventory.active()) {
            return Fleet.load(playbook, options, inventory).verbosity(Verbosity.of(spec))
                    .apply(spec.commandLine().getOut(), spec.commandLine().getErr(), how, null, report);
        }
        return apply(options.open(playbook, true), null, how);
    }

    /** A plan file: checked against this Mosaic, the target, the playbook and its inputs before anything is touched. */
    private int applySaved(ApplyOptions how) throws IOException, InterruptedException {
        refuseTargetsWithPlan();
        dev.mosaic.engine.SavedPlan plan = SavedPlans.read(playbook, options, inventory);
        options.vars.putAll(plan.playbook().vars());
        plan.playbook().moduleDirs().forEach(d -> options.moduleDirs.add(Path.of(d)));
        Session t = options.open(Path.of(plan.playbook().file()), true);
        SavedPlans.checkAfterLoading(playbook, plan, t);
        return apply(t, plan.plan(), how);
    }

    /**
     * A saved plan already holds only the changes its plan targeted, and apply makes exactly
     * those: a --target on top would apply part of a reviewed plan, which nobody reviewed.
     */
    private void refuseTargetsWithPlan() {
        if (!targets.isEmpty()) {
            throw new dev.mosaic.diag.UserError("--target does not go with a saved plan, and nothing was touched: the plan"
                    + " holds exactly the changes it was made with (give --target to 'mosaic plan --out' instead)");
        }
    }

    private int apply(Session t, dev.mosaic.engine.Plan saved, ApplyOptions how)
            throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Consumer<String> warnings = w -> err.println("warning: " + w);
        Verbosity verbosity = Verbosity.of(spec);
        verbosity.session(t, options.moduleDirs);
        Engine.ApplyResult result;
        try {
            if (options.json) {
                JsonEvents events = new JsonEvents(out);
                result = t.apply(saved, how, verbosity.events(recorded(events), t), warnings);
                events.summary(JsonPlan.render(result, t.playbook().name(), t.name()));
            } else {
                t.kernelMoves().forEach(k -> out.println(dev.mosaic.render.TextPlan.kernel(k))); // as the plan said
                try (ConsoleEvents events = new ConsoleEvents(out, err, System.console() != null, Terminal::columns)) {
                    result = t.apply(saved, how, verbosity.through(events::note).events(recorded(events), t), warnings);
                }
                out.print(Recap.render(result));
            }
        } catch (ApplyLock.Busy busy) {
            throw new dev.mosaic.diag.UserError(busy.getMessage() + (lockTimeout > 0 ? " (waited " + lockTimeout + " s)" : "")
                    + "; wait for it, or pass --lock-timeout SECONDS");
        } catch (IOException | RuntimeException e) {
            if (recorder != null) { // what happened up to the error is what the report is for
                try {
                    saveReport(report, HtmlReport.render(t.playbook().name(), t.name(), t.graph(), recorder.recording(),
                            e.getMessage() == null ? e.toString() : e.getMessage()));
                } catch (IOException w) {
                    e.addSuppressed(w);
                }
            }
            throw e;
        }
        int code = result.failed() ? Main.ERROR : result.stale() ? Main.STALE : Main.OK;
        if (recorder != null) {
            code = writeReport(report, HtmlReport.render(t.playbook().name(), t.name(), t.graph(), recorder.recording(), null),
                    options.json, out, err, code);
        }
        out.flush();
        return code;
    }

    /** The engine's events, recorded for the report when one is asked for. */
    private Events recorded(Events events) {
        if (report == null) {
            return events;
        }
        recorder = new TimelineEvents(events);
        return recorder;
    }

    /**
     * Through the atomic writer (a fresh temp file in the report's directory, then a rename): a
     * reader sees the old report or the new one, whole, and a link planted beside it is never
     * followed.
     */
    /**
     * Writes the report atomically and says where (not with --json): {@code code}, or an error
     * naming the file when it cannot be written (the apply itself is done by then).
     */
    static int writeReport(Path report, String html, boolean json, PrintWriter out, PrintWriter err, int code) {
        try {
            saveReport(report, html);
        } catch (IOException e) {
            err.println("error: cannot write the report " + report + ": " + dev.mosaic.diag.IoProblems.reason(e));
            return Main.ERROR;
        }
        if (!json) {
            out.println("Report: " + report.toAbsolutePath().normalize());
        }
        return code;
    }

    /** The report, written atomically (also what an apply that stopped on an error leaves). */
    static void saveReport(Path report, String html) throws IOException {
        dev.mosaic.host.AtomicWriter.write(report.toAbsolutePath().normalize(),
                o -> o.write(html.getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0644, true);
    }
}
