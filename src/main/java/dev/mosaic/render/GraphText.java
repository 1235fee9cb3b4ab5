package dev.mosaic.render;

import dev.mosaic.graph.Edge;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.resource.Address;

import java.util.List;

/** The dependency graph as sorted text or Graphviz DOT. */
public final class GraphText {

    private GraphText() {
    }

    /** Resources in apply order, then every edge sorted, with why it exists. */
    public static String text(ResourceGraph g) {
        StringBuilder b = new StringBuilder("resources (apply order):\n");
        List<Address> order = g.order();
        for (int i = 0; i < order.size(); i++) {
            b.append(String.format("  %d. %s%n", i + 1, order.get(i)));
        }
        b.append("edges:\n");
        for (Edge e : g.edges()) {
            b.append("  ").append(e.from()).append(" -> ").append(e.to()).append("  (").append(e.label()).append(")\n");
        }
        return b.toString();
    }

    /** Explicit edges solid, implicit ones dashed. */
    public static String dot(ResourceGraph g) {
        StringBuilder b = new StringBuilder("digraph mosaic {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n");
        for (Address a : g.order()) {
            b.append("  ").append(quote(a.toString())).append(";\n");
        }
        for (Edge e : g.edges()) {
            b.append("  ").append(quote(e.from().toString())).append(" -> ").append(quote(e.to().toString()))
                    .append(" [label=").append(quote(e.kind().word()))
                    .append(e.kind().explicit() ? "" : ", style=dashed").append("];\n");
        }
        return b.append("}\n").toString();
    }

    /** Mermaid (renders on GitHub and in many wikis): explicit edges solid, implicit ones dotted. */
    public static String mermaid(ResourceGraph g) {
        StringBuilder b = new StringBuilder("flowchart LR\n");
        java.util.Map<Address, String> ids = new java.util.HashMap<>();
        for (Address a : g.order()) {
            String id = "r" + ids.size();
            ids.put(a, id);
            b.append("  ").append(id).append("[\"").append(a.toString().replace("\"", "#quot;")).append("\"]\n");
        }
        for (Edge e : g.edges()) {
            b.append("  ").append(ids.get(e.from())).append(e.kind().explicit() ? " -->|" : " -.->|")
                    .append(e.kind().word()).append("| ").append(ids.get(e.to())).append('\n');
        }
        return b.toString();
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
