package dev.mosaic.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mosaic.engine.Engine;
import dev.mosaic.engine.Outcome;
import dev.mosaic.engine.Plan;
import dev.mosaic.engine.PlannedChange;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Command;
import dev.mosaic.resource.Diff;

import java.util.List;
import java.util.Map;

/**
 * The machine-readable plan and apply documents ({@code --json}), described by
 * {@code schemas/plan.schema.json} and {@code schemas/apply.schema.json}.
 */
public final class JsonPlan {

    public static final String FORMAT_VERSION = "1";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonPlan() {
    }

    public static String render(Plan plan) {
        return write(document(plan));
    }

    /** The plan document as a tree, for documents that nest it (graph --plan). */
    static ObjectNode document(Plan plan) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format_version", FORMAT_VERSION);
        root.put("playbook", plan.playbook());
        root.put("target", plan.target());
        if (plan.partial()) {
            ArrayNode targets = root.putArray("targets");
            plan.targets().forEach(targets::add);
        }
        if (!plan.kernels().isEmpty()) {
            ArrayNode kernels = root.putArray("kernels");
            for (Plan.KernelMove k : plan.kernels()) {
                kernels.addObject().put("metapackage", k.metapackage()).put("locked", k.locked()).put("resolved", k.resolved());
            }
        }
        ArrayNode changes = root.putArray("changes");
        for (PlannedChange c : plan.changes()) {
            changes.add(change(c));
        }
        ObjectNode summary = root.putObject("summary");
        plan.summary().forEach(summary::put);
        return root;
    }

    static ObjectNode change(PlannedChange c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("address", c.address().toString());
        n.put("type", c.kind());
        n.put("id", c.address().id());
        n.put("status", c.status().name().toLowerCase());
        n.put("action", c.action().word());
        n.put("cause", c.action() == dev.mosaic.resource.Action.REFRESH ? "notified" : c.cause().word().isEmpty() ? null : c.cause().word());
        if (!c.description().isEmpty()) {
            n.put("description", c.description());
        }
        if (!c.after().isEmpty()) {
            ArrayNode after = n.putArray("after");
            c.after().stream().map(Address::toString).forEach(after::add);
        }
        if (!c.error().isEmpty()) {
            n.put("message", c.error());
        }
        if (!c.paths().isEmpty()) {
            ArrayNode paths = n.putArray("paths");
            c.paths().forEach(paths::add);
        }
        if (!c.commands().isEmpty()) {
            ArrayNode commands = n.putArray("commands");
            for (Command k : c.commands()) {
                ObjectNode command = commands.addObject();
                command.put("command", k.line());
                command.put("dir", k.dir());
                command.put("confined", k.confined());
                command.put("network", k.network());
            }
        }
        ArrayNode diffs = n.putArray("diffs");
        for (Diff d : c.diffs()) {
            diffs.add(diff(c.address(), d));
        }
        return n;
    }

    static ObjectNode diff(Address address, Diff d) {
        ObjectNode n = JSON.createObjectNode();
        n.put("field", d.field());
        if (d instanceof Diff.Field f) {
            n.put("kind", "value");
            n.put("before", f.before());
            n.put("after", f.after());
        } else if (d instanceof Diff.Content c) {
            n.put("kind", "content");
            n.set("before", blob(c.before()));
            n.set("after", blob(c.after()));
            if (c.after() != null && c.after().text() != null && (c.before() == null || c.before().text() != null)) {
                n.put("unified", String.join("\n", TextPlan.unified(address, c.field(),
                        c.before() == null ? null : c.before().text(), c.after().text())) + "\n");
            }
        } else if (d instanceof Diff.Tree t) {
            n.put("kind", "tree");
            strings(n.putArray("added"), t.added());
            strings(n.putArray("changed"), t.changed());
            strings(n.putArray("removed"), t.removed());
        }
        return n;
    }

    private static void strings(ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }

    private static ObjectNode blob(Diff.Blob b) {
        if (b == null) {
            return null;
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("size", b.size());
        n.put("sha256", b.sha256());
        return n;
    }

    public static String render(Engine.ApplyResult result, String playbook, String target) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format_version", FORMAT_VERSION);
        root.put("playbook", playbook);
        root.put("target", target);
        ArrayNode outcomes = root.putArray("outcomes");
        for (Outcome o : result.outcomes()) {
            if (o.status() == Outcome.Status.UNCHANGED) {
                continue;
            }
            ObjectNode n = outcomes.addObject();
            n.put("address", o.address().toString());
            n.put("type", o.address().type());
            n.put("status", o.status().word());
            n.put("action", o.change().action().word());
            n.put("cause", o.cause().word().isEmpty() ? null : o.cause().word());
            if (!o.message().isEmpty()) {
                n.put("message", o.message());
            }
            n.put("millis", o.millis());
        }
        ObjectNode summary = root.putObject("summary");
        for (Outcome.Status s : Outcome.Status.values()) {
            summary.put(s.word(), 0);
        }
        for (Map.Entry<Outcome.Status, Long> e : result.counts().entrySet()) {
            summary.put(e.getKey().word(), e.getValue());
        }
        return write(root);
    }

    static String write(ObjectNode root) {
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
