package dev.mosaic.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.UserError;
import dev.mosaic.engine.Engine;
import dev.mosaic.engine.Events;
import dev.mosaic.engine.Outcome;
import dev.mosaic.engine.Plan;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.playbook.Inventory;
import dev.mosaic.playbook.InventoryHost;
import dev.mosaic.playbook.InventoryLoader;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.render.ConsoleEvents;
import dev.mosaic.render.JsonPlan;
import dev.mosaic.render.Recap;
import dev.mosaic.render.TextPlan;
import dev.mosaic.state.ApplyLock;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A playbook run once per host of an inventory ({@code --inventory}, {@code --limit}). The
 * playbook is loaded for every selected host first, with that host's variables, so bad input
 * touches no host at all. Then hosts are planned or applied one after the other, in inventory
 * order, each in its own section ({@code == host lab1 ==}), and a summary gives one line per
 * host. A host its transport cannot reach (ssh, for now) fails alone; the others still run.
 */
final class Fleet {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A host with the playbook as its variables make it. */
    record Member(InventoryHost host, Playbook playbook, ResourceGraph graph) {
    }

    private final List<Member> members;
    private final CommonOptions options;

    private Fleet(List<Member> members, CommonOptions options) {
        this.members = members;
        this.options = options;
    }

    List<Member> members() {
        return members;
    }

    static Fleet load(Path playbookFile, CommonOptions o, InventoryOptions inv) {
        if (o.root != null) {
            throw new UserError("--root and --inventory do not go together: give each local host its 'root:' in the inventory");
        }
        if (o.stateDir != null) {
            throw new UserError("--state-dir and --inventory do not go together: each host keeps its state below its root");
        }
        Inventory inventory = new InventoryLoader().load(inv.inventory);
        List<InventoryHost> hosts = inventory.select(inv.limit);
        Map<Diagnostic, List<String>> problems = new LinkedHashMap<>();
        List<Member> members = new ArrayList<>();
        for (InventoryHost h : hosts) {
            try {
                Playbook p = Target.load(playbookFile, o, inventory.varsFor(h));
                members.add(new Member(h, p, Target.graph(p)));
            } catch (UserError e) {
                e.diagnostics().forEach(d -> problems.computeIfAbsent(d, k -> new ArrayList<>()).add(h.name()));
            }
        }
        if (!problems.isEmpty()) {
            // A problem every host has is the playbook's; one some hosts have says which.
            Diagnostics diags = new Diagnostics();
            List<Diagnostic> out = new ArrayList<>();
            problems.forEach((d, names) -> out.add(names.size() == hosts.size() ? d
                    : new Diagnostic(d.severity(), d.pos(), d.message() + " (host" + (names.size() > 1 ? "s " : " ")
                    + String.join(", ", names) + ")")));
            diags.addAll(out);
            diags.throwIfErrors();
        }
        return new Fleet(members, o);
    }

    int plan(PrintWriter out, PrintWriter err, boolean detailedExitCode) {
        ObjectNode hosts = JSON.createObjectNode();
        List<String> summary = new ArrayList<>();
        boolean errors = false;
        boolean changes = false;
        for (Member m : members) {
            String name = m.host().name();
            header(out, name);
            Target t = open(m, false, out, err, hosts, summary);
            if (t == null) {
                errors = true;
                continue;
            }
            t.state().warnings().forEach(w -> err.println("warning: " + name + ": " + w));
            Plan plan = t.engine(Events.NONE, options.jobs).plan(t.playbook(), t.graph());
            plan = new Plan(plan.playbook(), t.name(), plan.entries());
            if (options.json) {
                hosts.set(name, tree(JsonPlan.render(plan)));
            } else {
                out.print(TextPlan.render(plan));
            }
            summary.add(name + ": " + TextPlan.summary(plan).substring("Plan: ".length()));
            errors |= plan.hasErrors();
            changes |= plan.hasChanges();
        }
        finish(out, hosts, summary);
        if (errors) {
            return Main.ERROR;
        }
        return detailedExitCode && changes ? Main.CHANGES : Main.OK;
    }

    /** Each host under its own apply lock; a host whose lock is held fails alone. */
    int apply(PrintWriter out, PrintWriter err, Duration lockTimeout) throws IOException, InterruptedException {
        ObjectNode hosts = JSON.createObjectNode();
        List<String> summary = new ArrayList<>();
        boolean failed = false;
        for (Member m : members) {
            String name = m.host().name();
            header(out, name);
            Target t = open(m, true, out, err, hosts, summary);
            if (t == null) {
                failed = true;
                continue;
            }
            Engine.ApplyResult result;
            try (ApplyLock lock = ApplyLock.acquire(t.state().dir(), lockTimeout, w -> err.println("warning: " + name + ": " + w))) {
                result = applyOne(t, name, out, err, hosts);
            } catch (ApplyLock.Busy busy) {
                String message = busy.getMessage();
                err.println("error: host " + name + ": " + message);
                if (options.json) {
                    hosts.putObject(name).put("error", message);
                } else {
                    out.println("not applied: " + message);
                }
                summary.add(name + ": error: " + message);
                failed = true;
                continue;
            }
            summary.add(name + ": " + counts(result));
            failed |= result.failed();
        }
        finish(out, hosts, summary);
        return failed ? Main.ERROR : Main.OK;
    }

    private Engine.ApplyResult applyOne(Target t, String name, PrintWriter out, PrintWriter err, ObjectNode hosts)
            throws IOException {
        t.state().warnings().forEach(w -> err.println("warning: " + name + ": " + w));
        Engine.ApplyResult result;
        if (options.json) {
            result = t.engine(Events.NONE, options.jobs).apply(t.playbook(), t.graph());
            hosts.set(name, tree(JsonPlan.render(result, t.playbook().name(), t.name())));
        } else {
            try (ConsoleEvents events = new ConsoleEvents(out, err, System.console() != null)) {
                result = t.engine(events, options.jobs).apply(t.playbook(), t.graph());
            }
            out.print(Recap.render(result));
        }
        return result;
    }

    /** {@code 3 changed, 0 refreshed, 5 unchanged, 0 failed, 0 skipped.} */
    private static String counts(Engine.ApplyResult result) {
        var c = result.counts();
        return c.getOrDefault(Outcome.Status.CHANGED, 0L) + " changed, "
                + c.getOrDefault(Outcome.Status.REFRESHED, 0L) + " refreshed, "
                + c.getOrDefault(Outcome.Status.UNCHANGED, 0L) + " unchanged, "
                + c.getOrDefault(Outcome.Status.FAILED, 0L) + " failed, "
                + c.getOrDefault(Outcome.Status.SKIPPED, 0L) + " skipped.";
    }

    private void header(PrintWriter out, String name) {
        if (!options.json) {
            if (!members.get(0).host().name().equals(name)) {
                out.println();
            }
            out.println("== host " + name + " ==");
        }
    }

    /** The host's target, or null after reporting that its transport cannot reach it. */
    private Target open(Member m, boolean writes, PrintWriter out, PrintWriter err, ObjectNode hosts,
                        List<String> summary) {
        InventoryHost h = m.host();
        try {
            return Transport.of(h.connection()).open(h, m.playbook(), m.graph(), options, writes);
        } catch (Transport.Unavailable u) {
            err.println("error: host " + h.name() + ": " + u.getMessage() + " (" + h.describe() + ")");
            if (options.json) {
                ObjectNode n = hosts.putObject(h.name());
                n.put("connection", h.connection().word());
                n.put("error", u.getMessage());
            } else {
                out.println("not " + (writes ? "applied" : "planned") + ": " + u.getMessage());
            }
            summary.add(h.name() + ": error: " + u.getMessage());
            return null;
        }
    }

    private void finish(PrintWriter out, ObjectNode hosts, List<String> summary) {
        if (options.json) {
            ObjectNode root = JSON.createObjectNode();
            root.set("hosts", hosts);
            try {
                out.println(JSON.writeValueAsString(root));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            if (!members.isEmpty()) {
                out.println();
            }
            out.println("== summary ==");
            if (summary.isEmpty()) {
                out.println("no hosts selected");
            }
            summary.forEach(out::println);
        }
        out.flush();
    }

    private static com.fasterxml.jackson.databind.JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
