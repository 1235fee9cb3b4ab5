package dev.mosaic.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mosaic.diag.UserError;
import dev.mosaic.engine.Engine;
import dev.mosaic.engine.Events;
import dev.mosaic.engine.Outcome;
import dev.mosaic.engine.Plan;
import dev.mosaic.playbook.InventoryHost;
import dev.mosaic.render.ConsoleEvents;
import dev.mosaic.render.FleetReport;
import dev.mosaic.render.JsonPlan;
import dev.mosaic.render.Recap;
import dev.mosaic.render.TimelineEvents;
import dev.mosaic.session.ApplyOptions;
import dev.mosaic.session.Session;
import dev.mosaic.session.Transport;
import dev.mosaic.state.ApplyLock;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.mosaic.cli.Fleet.HostRun;
import dev.mosaic.cli.Fleet.Member;
import dev.mosaic.cli.Fleet.Status;

/**
 * An apply over an inventory: each host's session applied under its own lock, with the
 * {@code --allow-delete}, saved plan and {@code --report} a single target has. A host that
 * cannot be reached, whose lock is held or whose part of a saved plan is refused fails alone.
 */
final class FleetApply {

    private final Fleet fleet;
    private final CommonOptions options;

    FleetApply(Fleet fleet, CommonOptions options) {
        this.fleet = fleet;
        this.options = options;
    }

    /**
     * What a saved plan holds for one host: its entries by address, once the host's file has been
     * checked against the host's session. A {@link UserError} fails that host alone.
     */
    interface SavedFor {
        Plan plan(InventoryHost host, Session session) throws IOException;
    }

    /**
     * Each host under its own apply lock; a host whose lock is held fails alone. With
     * {@code report}, one page with a part per host is written at the end, also when a host's
     * apply ended in an error.
     *
     * @param saved the saved plan's entries per host, or null for a plain apply
     */
    int apply(PrintWriter out, PrintWriter err, ApplyOptions how, SavedFor saved, Path report)
            throws IOException, InterruptedException {
        Map<String, FleetReport.Host> parts = report == null ? null : new java.util.concurrent.ConcurrentHashMap<>();
        List<HostRun> runs;
        try {
            runs = fleet.runAll(out, err, (m, o, e, live) -> applyOne(m, o, e, live, how, saved, parts));
        } catch (IOException | RuntimeException e) {
            if (parts != null) {
                try {
                    ApplyCommand.saveReport(report, report(parts));
                } catch (IOException w) {
                    e.addSuppressed(w);
                }
            }
            throw e;
        }
        boolean failed = runs.stream().anyMatch(r -> r.status() == Status.FAILED || r.status() == Status.UNREACHABLE);
        int code = failed ? Main.ERROR : runs.stream().anyMatch(HostRun::stale) ? Main.STALE : Main.OK;
        if (parts != null) {
            code = ApplyCommand.writeReport(report, report(parts), options.json, out, err, code);
            out.flush();
        }
        return code;
    }

    /** The page: the hosts' parts in inventory order; a host not reached at all has none. */
    private String report(Map<String, FleetReport.Host> parts) {
        List<FleetReport.Host> hosts = fleet.members().stream().map(m -> parts.get(m.host().name()))
                .filter(java.util.Objects::nonNull).toList();
        String playbook = fleet.members().isEmpty() ? "" : fleet.members().get(0).playbook().name();
        return FleetReport.render(playbook, hosts);
    }

    private HostRun applyOne(Member m, PrintWriter out, PrintWriter err, boolean live, ApplyOptions how, SavedFor saved,
                             Map<String, FleetReport.Host> parts) throws IOException, InterruptedException {
        String name = m.host().name();
        Session t;
        try {
            t = fleet.open(m, true);
        } catch (Transport.Unavailable u) {
            if (parts != null) {
                parts.put(name, new FleetReport.Host(name, m.host().describe(), null, null, u.getMessage()));
            }
            return fleet.unavailable(m, u, true, out, err);
        }
        TimelineEvents recorder = null;
        try (t) {
            Plan entries = saved == null ? null : saved.plan(m.host(), t);
            Consumer<String> warnings = w -> err.println("warning: " + name + ": " + w);
            Verbosity v = fleet.verbosity(name, err);
            v.session(t, options.moduleDirs);
            Engine.ApplyResult result;
            ObjectNode json = null;
            if (options.json) {
                recorder = parts == null ? null : new TimelineEvents(Events.NONE);
                result = t.apply(entries, how, v.events(recorder == null ? Events.NONE : recorder, t), warnings);
                json = (ObjectNode) Fleet.tree(JsonPlan.render(result, t.playbook().name(), t.name()));
            } else {
                try (ConsoleEvents events = new ConsoleEvents(out, err, live && System.console() != null, Terminal::columns)) {
                    recorder = parts == null ? null : new TimelineEvents(events);
                    result = t.apply(entries, how, v.forHost(name, events::note).events(recorder == null ? events : recorder, t),
                            warnings);
                }
                out.print(Recap.render(result));
            }
            if (recorder != null) {
                parts.put(name, new FleetReport.Host(name, t.name(), t.graph(), recorder.recording(), null));
            }
            var c = result.counts();
            boolean changed = c.getOrDefault(Outcome.Status.CHANGED, 0L) + c.getOrDefault(Outcome.Status.REFRESHED, 0L) > 0;
            Status status = result.failed() ? Status.FAILED : changed ? Status.CHANGED : Status.OK;
            if (json != null) {
                json.put("status", status.word);
                Fleet.addTrips(json, t);
            }
            return new HostRun(name, "", "", json, name + ": " + Fleet.counts(result) + Fleet.trips(t), status, changed, result.stale());
        } catch (ApplyLock.Busy | UserError refused) {
            String message = refused instanceof UserError u ? u.diagnostics().stream().map(dev.mosaic.diag.Diagnostic::message)
                    .collect(java.util.stream.Collectors.joining("; ")) : refused.getMessage();
            if (parts != null) {
                parts.put(name, new FleetReport.Host(name, t.name(), null, null, message));
            }
            err.println("error: host " + name + ": " + message);
            ObjectNode json = null;
            if (options.json) {
                json = Fleet.JSON.createObjectNode();
                json.put("status", Status.FAILED.word);
                json.put("error", message);
            } else {
                out.println("not applied: " + message);
            }
            return new HostRun(name, "", "", json, name + ": error: " + message, Status.FAILED, false, false);
        } catch (IOException | RuntimeException e) {
            if (recorder != null) { // what happened up to the error is what the report is for
                parts.put(name, new FleetReport.Host(name, t.name(), t.graph(), recorder.recording(),
                        e.getMessage() == null ? e.toString() : e.getMessage()));
            }
            throw e;
        }
    }
}
