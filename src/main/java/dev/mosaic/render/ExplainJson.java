package dev.mosaic.render;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * {@code mosaic explain --json}: the resource's plan entry (as in the plan document), whether it
 * is up to date, the paths to its root causes (addresses, the resource first), the same paths as
 * sentences, and every resource of those paths with its plan entry and the edges it came through.
 *
 * <pre>{@code
 * {"format_version": "1", "playbook": "...", "target": "...", "address": "build[kernel]",
 *  "up_to_date": false, "change": {...},
 *  "paths": [["build[kernel]", "kernel_config[mosix]"]], "paths_total": 1,
 *  "why": ["build[kernel] ← input changed: kernel_config[mosix] ← config changed: ..."],
 *  "chain": [{"change": {...}, "root_cause": true, "after": []}, ...]}
 * }</pre>
 */
public final class ExplainJson {

    private ExplainJson() {
    }

    public static String render(Explain.Explanation e) {
        ObjectNode root = JsonPlan.JSON.createObjectNode();
        root.put("format_version", JsonPlan.FORMAT_VERSION);
        root.put("playbook", e.playbook());
        root.put("target", e.target());
        root.put("address", e.node().address().toString());
        root.put("up_to_date", e.upToDate());
        root.set("change", JsonPlan.change(e.node().change()));
        ArrayNode paths = root.putArray("paths");
        ArrayNode why = root.putArray("why");
        if (!e.upToDate()) {
            for (List<Explain.Node> path : e.paths()) {
                ArrayNode p = paths.addArray();
                path.forEach(n -> p.add(n.address().toString()));
                why.add(ExplainText.why(path));
            }
        }
        root.put("paths_total", e.upToDate() ? 0 : e.pathCount());
        ArrayNode chain = root.putArray("chain");
        if (!e.upToDate()) {
            for (Explain.Node n : e.nodes()) {
                ObjectNode m = chain.addObject();
                m.set("change", JsonPlan.change(n.change()));
                m.put("root_cause", n.isRoot());
                ArrayNode after = m.putArray("after");
                for (Explain.Because b : n.because()) {
                    ObjectNode a = after.addObject();
                    a.put("address", b.upstream().address().toString());
                    a.put("edge", b.edge() == null ? null : b.edge().explain());
                }
            }
        }
        return JsonPlan.write(root);
    }
}
