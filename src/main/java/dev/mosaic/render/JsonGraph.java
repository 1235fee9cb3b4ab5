package dev.mosaic.render;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mosaic.engine.Plan;
import dev.mosaic.graph.Edge;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.resource.Address;

/**
 * {@code mosaic graph --json}, described by {@code schemas/graph.schema.json}: the resources in
 * apply order, every edge with its kind and reason (as {@link GraphText} prints them), and with
 * {@code --plan} the plan document itself rather than marks derived from it, so that a script
 * reads each resource's action where the plan puts it.
 *
 * <pre>{@code
 * {"format_version": "1", "playbook": "starter",
 *  "resources": [{"address": "directory[tftp]", "type": "directory", "id": "tftp", "modules": []}, ...],
 *  "edges": [{"from": "directory[tftp]", "to": "file[menu]", "kind": "parent directory",
 *             "explicit": false, "explain": "implicit: /srv/tftp/menu is under /srv/tftp"}, ...],
 *  "plan": {...}}
 * }</pre>
 */
public final class JsonGraph {

    private JsonGraph() {
    }

    /** @param plan the plan to include (null without {@code --plan}) */
    public static String render(String playbook, ResourceGraph g, Plan plan) {
        ObjectNode root = JsonPlan.JSON.createObjectNode();
        root.put("format_version", JsonPlan.FORMAT_VERSION);
        root.put("playbook", playbook);
        ArrayNode resources = root.putArray("resources");
        for (Address a : g.order()) {
            ObjectNode r = resources.addObject();
            r.put("address", a.toString());
            r.put("type", a.type());
            r.put("id", a.id());
            ArrayNode modules = r.putArray("modules");
            a.modules().forEach(modules::add);
        }
        ArrayNode edges = root.putArray("edges");
        for (Edge e : g.edges()) {
            ObjectNode n = edges.addObject();
            n.put("from", e.from().toString());
            n.put("to", e.to().toString());
            n.put("kind", e.kind().word());
            n.put("explicit", e.kind().explicit());
            n.put("explain", e.explain());
        }
        if (plan != null) {
            root.set("plan", JsonPlan.document(plan));
        }
        return JsonPlan.write(root);
    }
}
