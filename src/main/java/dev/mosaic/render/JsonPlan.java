package dev.mosaic.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mosaic.engine.ChangeJson;
import dev.mosaic.engine.Engine;
import dev.mosaic.engine.Outcome;
import dev.mosaic.engine.Plan;
import dev.mosaic.engine.PlannedChange;

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

    /**
     * One change object: written by the engine's {@link ChangeJson}, the same code that writes the
     * entries of a saved plan file; the unified diff of text content is this renderer's addition.
     */
    static ObjectNode change(PlannedChange c) {
        return ChangeJson.write(c, (address, field, before, after) ->
                String.join("\n", TextPlan.unified(address, field, before, after)) + "\n");
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
