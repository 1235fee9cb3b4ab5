package dev.mosaic.render;

import dev.mosaic.engine.Plan;
import dev.mosaic.graph.Edge;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.resource.Address;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The dependency graph as sorted text, Graphviz DOT or Mermaid. Explicit edges ({@code requires},
 * {@code notify}) are drawn solid, implicit ones (paths) dashed or dotted. In DOT and Mermaid a
 * module's resources sit in a box of their own, nested as the modules are. With a {@link Plan},
 * the resources it would change are marked by action (colors and a legend in pictures, the plan's
 * symbols in text); resources the plan deletes because the playbook no longer declares them are
 * not in the graph and are drawn on their own, dashed. Deterministic: the same graph and plan give
 * the same bytes.
 */
public final class GraphText {

    private GraphText() {
    }

    /** Resources in apply order, then every edge sorted, with why it exists. */
    public static String text(ResourceGraph g) {
        return text(g, null);
    }

    /**
     * As {@link #text(ResourceGraph)}; with a plan (may be null), each resource is preceded by the
     * symbol of its planned change, removed resources are listed after the apply order, and the
     * plan's summary and the symbols' meaning close the text.
     */
    public static String text(ResourceGraph g, Plan plan) {
        Map<Address, GraphMark> marks = plan == null ? Map.of() : GraphMark.of(plan);
        StringBuilder b = new StringBuilder("resources (apply order):\n");
        List<Address> order = g.order();
        for (int i = 0; i < order.size(); i++) {
            b.append(String.format("  %d. %s%s%n", i + 1, plan == null ? "" : symbol(marks.get(order.get(i))), order.get(i)));
        }
        List<Address> removed = removed(g, marks);
        if (!removed.isEmpty()) {
            b.append("removed from the playbook:\n");
            removed.forEach(a -> b.append("  ").append(symbol(marks.get(a))).append(a).append('\n'));
        }
        b.append("edges:\n");
        for (Edge e : g.edges()) {
            b.append("  ").append(e.from()).append(" -> ").append(e.to()).append("  (").append(e.label()).append(")\n");
        }
        if (plan != null) {
            b.append(TextPlan.summary(plan)).append('\n');
            b.append(legend(marks).stream().map(m -> m.symbol() + " " + m.word()).collect(Collectors.joining(", ", "", "\n")));
        }
        return b.toString();
    }

    /** A mark's symbol padded to the widest ({@code -/+}), so addresses line up; blanks when unmarked. */
    private static String symbol(GraphMark m) {
        return String.format("%-4s", m == null ? "" : m.symbol());
    }

    /** Graphviz DOT: explicit edges solid, implicit ones dashed; modules as nested clusters. */
    public static String dot(ResourceGraph g) {
        return dot(g, null);
    }

    /** As {@link #dot(ResourceGraph)}; with a plan (may be null), changing resources filled by action, and a legend. */
    public static String dot(ResourceGraph g, Plan plan) {
        Map<Address, GraphMark> marks = plan == null ? Map.of() : GraphMark.of(plan);
        Set<Address> removed = Set.copyOf(removed(g, marks));
        StringBuilder b = new StringBuilder("digraph mosaic {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n");
        dotCluster(b, Cluster.of(nodes(g, marks)), "  ", marks, removed);
        for (Edge e : g.edges()) {
            b.append("  ").append(quote(e.from().toString())).append(" -> ").append(quote(e.to().toString()))
                    .append(" [label=").append(quote(e.kind().word()))
                    .append(e.kind().explicit() ? "" : ", style=dashed").append("];\n");
        }
        if (plan != null) {
            b.append("  subgraph cluster_legend {\n    label=").append(quote(TextPlan.summary(plan)))
                    .append(";\n    style=dashed;\n    color=\"gray60\";\n    fontname=\"monospace\";\n");
            for (GraphMark m : legend(marks)) {
                b.append("    ").append(quote("legend:" + m.name().toLowerCase()))
                        .append(dotStyle(m, m.symbol() + " " + m.word(), false)).append(";\n");
            }
            b.append("  }\n");
        }
        return b.append("}\n").toString();
    }

    private static void dotCluster(StringBuilder b, Cluster c, String indent, Map<Address, GraphMark> marks,
                                   Set<Address> removed) {
        for (Address a : c.nodes) {
            GraphMark m = marks.get(a);
            b.append(indent).append(quote(a.toString()))
                    .append(m == null ? "" : dotStyle(m, label(a, m, removed), removed.contains(a))).append(";\n");
        }
        for (Cluster child : c.children.values()) {
            b.append(indent).append("subgraph ").append(quote("cluster_" + child.name())).append(" {\n")
                    .append(indent).append("  label=").append(quote("module." + child.alias())).append(";\n")
                    .append(indent).append("  style=rounded;\n")
                    .append(indent).append("  color=\"gray50\";\n")
                    .append(indent).append("  fontname=\"monospace\";\n");
            dotCluster(b, child, indent + "  ", marks, removed);
            b.append(indent).append("}\n");
        }
    }

    private static String dotStyle(GraphMark m, String label, boolean dashed) {
        return " [label=" + quote(label) + ", style=" + quote(dashed ? "filled,dashed" : "filled")
                + ", fillcolor=" + quote(m.fill()) + ", color=" + quote(m.stroke()) + ", penwidth=2]";
    }

    /** A marked node's label: its symbol, its address, and whether the playbook still declares it. */
    private static String label(Address a, GraphMark m, Set<Address> removed) {
        return m.symbol() + " " + a + (removed.contains(a) ? " (removed)" : "");
    }

    /** Mermaid (renders on GitHub and in many wikis): explicit edges solid, implicit ones dotted; modules as subgraphs. */
    public static String mermaid(ResourceGraph g) {
        return mermaid(g, null);
    }

    /** As {@link #mermaid(ResourceGraph)}; with a plan (may be null), changing resources styled by action, and a legend. */
    public static String mermaid(ResourceGraph g, Plan plan) {
        Map<Address, GraphMark> marks = plan == null ? Map.of() : GraphMark.of(plan);
        Set<Address> removed = Set.copyOf(removed(g, marks));
        List<Address> nodes = nodes(g, marks);
        Map<Address, String> ids = new HashMap<>();
        nodes.forEach(a -> ids.put(a, "r" + ids.size()));
        StringBuilder b = new StringBuilder("flowchart LR\n");
        mermaidCluster(b, Cluster.of(nodes), "  ", ids, marks, removed, new int[1]);
        for (Edge e : g.edges()) {
            b.append("  ").append(ids.get(e.from())).append(e.kind().explicit() ? " -->|" : " -.->|")
                    .append(e.kind().word()).append("| ").append(ids.get(e.to())).append('\n');
        }
        if (plan != null) {
            b.append("  subgraph legend[").append(mermaidText(TextPlan.summary(plan))).append("]\n");
            for (GraphMark m : legend(marks)) {
                b.append("    legend_").append(m.name().toLowerCase()).append('[')
                        .append(mermaidText(m.symbol() + " " + m.word())).append("]\n");
            }
            b.append("  end\n");
            Map<GraphMark, List<String>> members = new LinkedHashMap<>();
            legend(marks).forEach(m -> members.put(m, new ArrayList<>(List.of("legend_" + m.name().toLowerCase()))));
            nodes.stream().filter(marks::containsKey).forEach(a -> members.get(marks.get(a)).add(ids.get(a)));
            members.forEach((m, list) -> {
                String cls = m.name().toLowerCase();
                b.append("  classDef ").append(cls).append(" fill:").append(m.fill()).append(",stroke:").append(m.stroke())
                        .append(",stroke-width:2px\n");
                b.append("  class ").append(String.join(",", list)).append(' ').append(cls).append('\n');
            });
        }
        return b.toString();
    }

    private static void mermaidCluster(StringBuilder b, Cluster c, String indent, Map<Address, String> ids,
                                       Map<Address, GraphMark> marks, Set<Address> removed, int[] next) {
        for (Address a : c.nodes) {
            GraphMark m = marks.get(a);
            b.append(indent).append(ids.get(a)).append('[')
                    .append(mermaidText(m == null ? a.toString() : label(a, m, removed))).append("]\n");
        }
        for (Cluster child : c.children.values()) {
            b.append(indent).append("subgraph m").append(next[0]++).append('[')
                    .append(mermaidText("module." + child.alias())).append("]\n");
            mermaidCluster(b, child, indent + "  ", ids, marks, removed, next);
            b.append(indent).append("end\n");
        }
    }

    private static String mermaidText(String s) {
        return "\"" + s.replace("\"", "#quot;") + "\"";
    }

    /** The graph's resources in apply order, then those only the plan knows (removed ones), in plan order. */
    private static List<Address> nodes(ResourceGraph g, Map<Address, GraphMark> marks) {
        List<Address> nodes = new ArrayList<>(g.order());
        nodes.addAll(removed(g, marks));
        return nodes;
    }

    static List<Address> removed(ResourceGraph g, Map<Address, GraphMark> marks) {
        Set<Address> declared = Set.copyOf(g.order());
        return marks.keySet().stream().filter(a -> !declared.contains(a)).toList();
    }

    /** The marks a legend explains: the four actions always, the rarer ones when the plan has them. */
    static List<GraphMark> legend(Map<Address, GraphMark> marks) {
        EnumSet<GraphMark> shown = EnumSet.noneOf(GraphMark.class);
        for (GraphMark m : GraphMark.values()) {
            if (m.alwaysInLegend() || marks.containsValue(m)) {
                shown.add(m);
            }
        }
        return List.copyOf(shown);
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /**
     * One module call's resources and the module calls it makes, keyed by alias in order of first
     * appearance. The root stands for the playbook itself (no alias).
     */
    private static final class Cluster {
        private final List<String> path;
        private final List<Address> nodes = new ArrayList<>();
        private final Map<String, Cluster> children = new LinkedHashMap<>();

        private Cluster(List<String> path) {
            this.path = path;
        }

        static Cluster of(List<Address> addresses) {
            Cluster root = new Cluster(List.of());
            for (Address a : addresses) {
                Cluster c = root;
                for (String alias : a.modules()) {
                    Cluster parent = c;
                    c = parent.children.computeIfAbsent(alias, k -> {
                        List<String> p = new ArrayList<>(parent.path);
                        p.add(k);
                        return new Cluster(List.copyOf(p));
                    });
                }
                c.nodes.add(a);
            }
            return root;
        }

        String alias() {
            return path.get(path.size() - 1);
        }

        /** The address prefix of the call's resources, without the final dot: {@code module.a.module.b}. */
        String name() {
            return path.stream().map(m -> "module." + m).collect(Collectors.joining("."));
        }
    }
}
