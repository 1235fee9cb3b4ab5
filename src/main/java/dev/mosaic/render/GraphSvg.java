package dev.mosaic.render;

import dev.mosaic.engine.Plan;
import dev.mosaic.graph.Edge;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.resource.Address;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The dependency graph as SVG, drawn the same for {@code apply --report} and {@code graph --format
 * svg}: resources in columns by depth (the longest chain of dependencies before them), so each
 * stands right of everything it depends on; explicit edges solid, implicit ones dashed. Within a
 * column a module's resources stand together under one caption naming the module, so boxes show
 * {@code kind[name]} without repeating the module's prefix. Laid out here, not by Graphviz:
 * nothing to install, and the same picture everywhere.
 */
public final class GraphSvg {

    static final int NODE_W = 200;
    static final int NODE_H = 34;
    private static final int COL_GAP = 64;
    private static final int ROW_GAP = 14;
    private static final int CAPTION_H = 18;
    private static final int PAD = 16;
    /** Characters of a node label that fit its box (12 px monospace). */
    private static final int LABEL_CHARS = 25;

    private GraphSvg() {
    }

    /**
     * How one resource is drawn.
     *
     * @param cssClass its color by class (the report's statuses), or empty
     * @param fill     its fill and stroke colors, or null (the class decides)
     * @param symbol   what its label starts with (the plan's symbol), or empty
     * @param words    what its tooltip says after its address
     * @param href     where a click goes, or null
     */
    record Mark(String cssClass, String fill, String stroke, String symbol, String words, String href) {
    }

    /** What {@code graph --format svg} prints: a whole SVG document; with a plan, changes filled by action and a legend. */
    public static String document(ResourceGraph graph, Plan plan) {
        Map<Address, GraphMark> marks = plan == null ? Map.of() : GraphMark.of(plan);
        List<Address> removed = GraphText.removed(graph, marks);
        StringBuilder b = new StringBuilder(8_192);
        b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        String caption = plan == null ? null : TextPlan.summary(plan);
        draw(b, "", graph, removed, caption, plan == null ? List.of() : GraphText.legend(marks), a -> {
            GraphMark m = marks.get(a);
            return m == null ? new Mark("", "#ffffff", "#9aa5b1", "", removed.contains(a) ? "removed" : "unchanged", null)
                    : new Mark("", m.fill(), m.stroke(), m.symbol() + " ", m.word(), null);
        }, true);
        return b.toString();
    }

    /**
     * Appends the {@code <svg>} element.
     *
     * @param id         prefixes the element ids (several graphs on one page)
     * @param extra      resources not in the graph (removed from the playbook), in a last column
     * @param caption    a line above the legend, or null
     * @param legend     the marks a legend explains (empty: none)
     * @param standalone whether it is a document of its own, with its own style
     */
    static void draw(StringBuilder b, String id, ResourceGraph graph, List<Address> extra, String caption,
                     List<GraphMark> legend, Function<Address, Mark> mark, boolean standalone) {
        List<List<Address>> columns = columns(graph, extra);
        Map<Address, int[]> at = new HashMap<>();
        List<String> captions = new ArrayList<>();
        int top = PAD + (legend.isEmpty() ? 0 : NODE_H + ROW_GAP) + (caption == null ? 0 : CAPTION_H);
        int bottom = top;
        for (int c = 0; c < columns.size(); c++) {
            int x = PAD + c * (NODE_W + COL_GAP);
            int y = top;
            String module = "";
            for (Address a : columns.get(c)) {
                String m = module(a);
                if (!m.equals(module) && !m.isEmpty()) {
                    captions.add("<text class=\"module\" x=\"" + x + "\" y=\"" + (y + CAPTION_H - 6) + "\">" + HtmlReport.esc(shorten(m)) + "</text>");
                    y += CAPTION_H;
                }
                module = m;
                at.put(a, new int[] {x, y});
                y += NODE_H + ROW_GAP;
            }
            bottom = Math.max(bottom, y - ROW_GAP);
        }
        int width = Math.max(1, columns.size()) * (NODE_W + COL_GAP) - COL_GAP + 2 * PAD;
        width = Math.max(width, legend.size() * (NODE_W / 2 + ROW_GAP) + 2 * PAD);
        int height = bottom + PAD;
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"graph\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\" role=\"img\" aria-label=\"dependency graph\">\n");
        if (standalone) {
            b.append("<style>").append(STYLE).append("</style>\n");
        }
        b.append("<defs>");
        for (String kind : List.of("explicit", "implicit")) {
            b.append("<marker id=\"").append(id).append("arrow-").append(kind).append("\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" ")
                    .append("markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" class=\"head ")
                    .append(kind).append("\"/></marker>");
        }
        b.append("</defs>\n");
        if (caption != null) {
            b.append("<text class=\"module\" x=\"").append(PAD).append("\" y=\"").append(PAD + CAPTION_H - 6).append("\">")
                    .append(HtmlReport.esc(caption)).append("</text>\n");
        }
        int lx = PAD;
        for (GraphMark m : legend) {
            int y = PAD + (caption == null ? 0 : CAPTION_H);
            node(b, "legend:" + m.name().toLowerCase(), m.symbol() + " " + m.word(), lx, y, NODE_W / 2,
                    new Mark("", m.fill(), m.stroke(), "", "", null), "");
            lx += NODE_W / 2 + ROW_GAP;
        }
        captions.forEach(c -> b.append(c).append('\n'));
        for (Edge e : graph.edges()) {
            int[] from = at.get(e.from());
            int[] to = at.get(e.to());
            int x1 = from[0] + NODE_W;
            int y1 = from[1] + NODE_H / 2;
            int x2 = to[0];
            int y2 = to[1] + NODE_H / 2;
            int mid = (x2 - x1) / 2;
            String kind = e.kind().explicit() ? "explicit" : "implicit";
            b.append("<path class=\"edge ").append(kind).append("\" data-kind=\"").append(e.kind().word())
                    .append("\" marker-end=\"url(#").append(id).append("arrow-").append(kind).append(")\" d=\"M").append(x1).append(',').append(y1)
                    .append(" C").append(x1 + mid).append(',').append(y1).append(' ').append(x2 - mid).append(',').append(y2)
                    .append(' ').append(x2).append(',').append(y2).append("\"><title>")
                    .append(HtmlReport.esc(e.from() + " → " + e.to() + ": " + e.explain())).append("</title></path>\n");
        }
        for (List<Address> column : columns) {
            for (Address a : column) {
                Mark m = mark.apply(a);
                int[] p = at.get(a);
                node(b, a.toString(), m.symbol() + a.type() + "[" + a.id() + "]", p[0], p[1], NODE_W, m, a + ": " + m.words());
            }
        }
        b.append("</svg>\n");
    }

    private static void node(StringBuilder b, String addr, String label, int x, int y, int w, Mark m, String title) {
        // Inline style: it wins over the style sheet's rules, as a fill attribute would not.
        String color = m.fill() == null ? "" : " style=\"fill:" + m.fill() + ";stroke:" + m.stroke() + "\"";
        if (m.href() != null) {
            b.append("<a href=\"").append(m.href()).append("\">");
        }
        b.append("<g class=\"node").append(m.cssClass().isEmpty() ? "" : " " + m.cssClass()).append("\" data-addr=\"")
                .append(HtmlReport.esc(addr)).append("\"><rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"")
                .append(w).append("\" height=\"").append(NODE_H).append("\" rx=\"6\"").append(color).append("/><rect class=\"stripe\" x=\"")
                .append(x).append("\" y=\"").append(y).append("\" width=\"6\" height=\"").append(NODE_H).append("\" rx=\"3\"")
                .append(m.fill() == null ? "" : " style=\"fill:" + m.stroke() + "\"").append("/><text x=\"").append(x + 14).append("\" y=\"")
                .append(y + NODE_H / 2 + 4).append("\">").append(HtmlReport.esc(shorten(label))).append("</text><title>")
                .append(HtmlReport.esc(title.isEmpty() ? addr : title)).append("</title></g>");
        b.append(m.href() != null ? "</a>\n" : "\n");
    }

    /** Columns by depth, dependencies first; within one, a module's resources together, in apply order. */
    private static List<List<Address>> columns(ResourceGraph graph, List<Address> extra) {
        Map<Address, Integer> depth = new HashMap<>();
        Map<Address, Integer> order = new HashMap<>();
        List<List<Address>> columns = new ArrayList<>();
        for (Address a : graph.order()) { // dependencies come first
            int d = 0;
            for (Address dep : graph.dependencies(a)) {
                d = Math.max(d, depth.get(dep) + 1);
            }
            depth.put(a, d);
            order.put(a, order.size());
            while (columns.size() <= d) {
                columns.add(new ArrayList<>());
            }
            columns.get(d).add(a);
        }
        // A module's resources stand together, at the place of its first one in apply order.
        for (List<Address> col : columns) {
            Map<String, Integer> first = new HashMap<>();
            col.forEach(a -> first.putIfAbsent(module(a), order.get(a)));
            col.sort(Comparator.<Address>comparingInt(a -> first.get(module(a))).thenComparingInt(order::get));
        }
        if (!extra.isEmpty()) {
            columns.add(new ArrayList<>(extra));
        }
        return columns;
    }

    /** {@code module.a.module.b}, or empty for the playbook's own resources. */
    private static String module(Address a) {
        StringBuilder m = new StringBuilder();
        for (String alias : a.modules()) {
            m.append(m.isEmpty() ? "" : ".").append("module.").append(alias);
        }
        return m.toString();
    }

    private static String shorten(String s) {
        if (s.length() <= LABEL_CHARS) {
            return s;
        }
        int head = (LABEL_CHARS - 1) / 2;
        return s.substring(0, head) + "…" + s.substring(s.length() - (LABEL_CHARS - 1 - head));
    }

    /** The graph's own style when it stands alone; the report's page carries the same rules. */
    static final String STYLE = """
            svg.graph text { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size:12px; fill:#1f2933; }
            svg.graph text.module { font-size:11px; fill:#616e7c; }
            .node rect { fill:#fff; stroke:var(--c, #9aa5b1); stroke-width:1.5; }
            .node rect.stripe { fill:var(--c, #9aa5b1); stroke:none; }
            .edge { fill:none; stroke-width:1.6; }
            .edge.explicit { stroke:#3e4c59; }
            .edge.implicit { stroke:#9aa5b1; stroke-dasharray:5 4; }
            .head.explicit { fill:#3e4c59; } .head.implicit { fill:#9aa5b1; }
            """;
}
