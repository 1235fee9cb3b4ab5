package dev.mosaic.render;

import dev.mosaic.diag.Sensitive;
import dev.mosaic.engine.Outcome;
import dev.mosaic.engine.PlannedChange;
import dev.mosaic.graph.Edge;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Address;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code apply --report FILE}: one self-contained HTML page about an apply — the outcome of every
 * resource, a timeline of when each ran, the dependency graph, and the plan's diffs as
 * {@link TextPlan} prints them. Inline CSS, SVG and a few lines of script; nothing is fetched, so
 * the file can be mailed, attached to a ticket or opened offline years later.
 *
 * <p>Secrets: diffs come from the {@link PlannedChange}s the engine reported (already redacted),
 * never from resource specs or an outcome's raw change; every text also goes through
 * {@link Sensitive#scrub}, like the CLI's own output, before it is HTML-escaped.
 *
 * <p>The graph is laid out here, not by Graphviz: resources in columns by depth (the longest
 * chain of dependencies before them), in apply order within a column; explicit edges solid,
 * implicit ones dashed.
 */
public final class HtmlReport {

    private static final int NODE_W = 200;
    private static final int NODE_H = 34;
    private static final int COL_GAP = 64;
    private static final int ROW_GAP = 14;
    private static final int PAD = 16;
    /** Characters of a node label that fit its box (12 px monospace). */
    private static final int LABEL_CHARS = 25;

    private HtmlReport() {
    }

    /**
     * @param playbook  the playbook's name
     * @param target    how plans name the target
     * @param stoppedBy why the apply ended before its end (an I/O error of the state), null when it ran through
     */
    public static String render(String playbook, String target, ResourceGraph graph, TimelineEvents.Recording rec,
                                String stoppedBy) {
        StringBuilder b = new StringBuilder(16_384);
        begin(b, "Mosaic apply: " + playbook + " on " + target);
        sections(b, "", playbook, target, graph, rec, stoppedBy);
        return end(b);
    }

    /** The page up to its {@code <main>}: styles, and the marker a script error leaves. */
    static void begin(StringBuilder b, String title) {
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(title)).append("</title>\n")
                .append("<style>\n").append(CSS).append("</style>\n")
                .append("<script>window.onerror = function (m) { document.documentElement.setAttribute('data-error', String(m)); };</script>\n")
                .append("</head>\n<body>\n<main>\n");
    }

    static String end(StringBuilder b) {
        b.append("</main>\n<script>\n").append(JS).append("</script>\n</body>\n</html>\n");
        return b.toString();
    }

    /**
     * One target's apply: header, outcomes, timeline, graph, plan and warnings. {@code id} prefixes
     * every element id, so that several targets share one page ({@link FleetReport}).
     */
    static void sections(StringBuilder b, String id, String playbook, String target, ResourceGraph graph,
                         TimelineEvents.Recording rec, String stoppedBy) {
        Map<Address, TimelineEvents.Span> spans = new LinkedHashMap<>();
        rec.spans().forEach(s -> spans.put(s.address(), s));
        List<Address> rows = new ArrayList<>(graph.order());
        spans.keySet().stream().filter(a -> graph.decl(a) == null).forEach(rows::add); // removals
        Map<Address, Integer> index = new HashMap<>();
        rows.forEach(a -> index.put(a, index.size()));
        header(b, id, playbook, target, rows, spans, rec, stoppedBy);
        outcomes(b, id, rows, spans);
        timeline(b, id, rows, spans, rec);
        graph(b, id, graph, rows, spans, index);
        plan(b, id, rows, spans, target, playbook);
        warnings(b, id, rec);
    }

    /** Whether an apply so recorded failed: stopped early, or a resource failed. */
    static boolean failed(TimelineEvents.Recording rec, String stoppedBy) {
        return stoppedBy != null || rec.spans().stream()
                .anyMatch(s -> s.outcome() != null && s.outcome().status() == Outcome.Status.FAILED);
    }

    // ---------------------------------------------------------------- sections

    private static void header(StringBuilder b, String id, String playbook, String target, List<Address> rows,
                               Map<Address, TimelineEvents.Span> spans, TimelineEvents.Recording rec, String stoppedBy) {
        Map<Outcome.Status, Integer> counts = new EnumMap<>(Outcome.Status.class);
        int notReached = 0;
        int unfinished = 0;
        for (Address a : rows) {
            Outcome o = outcome(spans, a);
            if (o == null && spans.containsKey(a)) {
                unfinished++;
            } else if (o == null) {
                notReached++;
            } else {
                counts.merge(o.status(), 1, Integer::sum);
            }
        }
        boolean failed = stoppedBy != null || counts.getOrDefault(Outcome.Status.FAILED, 0) > 0;
        boolean stale = counts.getOrDefault(Outcome.Status.STALE, 0) > 0;
        String verdict = failed ? "Apply failed" : stale ? "Apply incomplete" : "Apply complete";
        b.append("<header>\n<div class=\"title\"><h1>").append(esc(playbook)).append("</h1>")
                .append("<span class=\"verdict ").append(failed ? "bad" : stale ? "warn" : "good").append("\">")
                .append(verdict).append("</span></div>\n");
        b.append("<p class=\"meta\">Target <b>").append(esc(target)).append("</b> · started ")
                .append(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
                        .format(rec.began().atOffset(ZoneOffset.UTC)))
                .append(" · took <b>").append(duration(rec.elapsed())).append("</b> · at most <b>")
                .append(peakParallel(rec)).append("</b> at once</p>\n");
        if (stoppedBy != null) {
            b.append("<p class=\"stopped\">The apply stopped early: ").append(esc(stoppedBy)).append("</p>\n");
        }
        b.append("<div class=\"counts\">");
        for (Outcome.Status s : Outcome.Status.values()) {
            int n = counts.getOrDefault(s, 0);
            if (n > 0 || s == Outcome.Status.CHANGED || s == Outcome.Status.FAILED) {
                b.append("<span class=\"count s-").append(cssStatus(s)).append("\"><b>").append(n).append("</b> ")
                        .append(label(s)).append("</span>");
            }
        }
        if (unfinished > 0) {
            b.append("<span class=\"count s-none\"><b>").append(unfinished).append("</b> unfinished</span>");
        }
        if (notReached > 0) {
            b.append("<span class=\"count s-none\"><b>").append(notReached).append("</b> not reached</span>");
        }
        b.append("</div>\n<nav><a href=\"#").append(id).append("outcomes\">Outcomes</a><a href=\"#").append(id)
                .append("timeline\">Timeline</a><a href=\"#").append(id).append("graph\">Graph</a><a href=\"#").append(id)
                .append("plan\">Plan</a></nav>\n</header>\n");
    }

    private static void outcomes(StringBuilder b, String id, List<Address> rows, Map<Address, TimelineEvents.Span> spans) {
        b.append("<section id=\"").append(id).append("outcomes\">\n<h2>Outcomes</h2>\n<table class=\"outcomes\">\n<thead><tr><th>#</th>")
                .append("<th>Resource</th><th>Status</th><th>Action</th><th>Cause</th><th class=\"num\">Duration</th>")
                .append("</tr></thead>\n<tbody>\n");
        for (int i = 0; i < rows.size(); i++) {
            Address a = rows.get(i);
            Outcome o = outcome(spans, a);
            String status = o == null ? "none" : cssStatus(o.status());
            b.append("<tr id=\"").append(id).append("o-").append(i).append("\" data-addr=\"").append(esc(a.toString())).append("\" class=\"row s-")
                    .append(status).append(o != null && o.status() == Outcome.Status.UNCHANGED ? " unchanged" : "").append("\">")
                    .append("<td class=\"num\">").append(i + 1).append("</td>")
                    .append("<td class=\"addr\">").append(esc(a.toString())).append("</td>")
                    .append("<td><span class=\"pill s-").append(status).append("\">")
                    .append(o == null ? (spans.containsKey(a) ? "unfinished" : "not reached") : o.status().word())
                    .append("</span></td>");
            if (o == null) {
                b.append("<td></td><td></td><td class=\"num\"></td></tr>\n");
                continue;
            }
            b.append("<td>").append(o.change().action() == Action.NOOP ? "" : esc(o.change().action().word()))
                    .append("</td><td>").append(esc(o.cause().word())).append("</td>")
                    .append("<td class=\"num\">").append(duration(o.millis())).append("</td></tr>\n");
            if (!o.message().isEmpty()) {
                b.append("<tr class=\"msg-row s-").append(status).append("\"><td></td><td colspan=\"5\"><pre class=\"msg\">")
                        .append(esc(o.message())).append("</pre></td></tr>\n");
            }
        }
        b.append("</tbody>\n</table>\n</section>\n");
    }

    private static void timeline(StringBuilder b, String id, List<Address> rows, Map<Address, TimelineEvents.Span> spans,
                                 TimelineEvents.Recording rec) {
        long total = Math.max(1, rec.elapsed());
        for (TimelineEvents.Span s : rec.spans()) {
            total = Math.max(total, s.end());
        }
        long step = tickStep(total);
        b.append("<section id=\"").append(id).append("timeline\">\n<h2>Timeline</h2>\n")
                .append("<p class=\"hint\">Each bar runs from when Mosaic began with the resource to when it finished; ")
                .append("the pale part is checking (observe and diff), the solid part converging. Bars side by side ran in parallel.")
                .append(" <label><input type=\"checkbox\" class=\"hide-ok\" id=\"").append(id)
                .append("hide-ok\"> hide unchanged</label></p>\n")
                .append("<div class=\"gantt\">\n<div class=\"g-row g-axis\"><div class=\"g-label\"></div><div class=\"g-track\">");
        for (long t = 0; t <= total; t += step) {
            b.append("<span class=\"tick\" style=\"left:").append(pct(t, total)).append("\">").append(duration(t)).append("</span>");
        }
        b.append("</div><div class=\"g-dur\"></div></div>\n");
        for (Address a : rows) {
            TimelineEvents.Span s = spans.get(a);
            Outcome o = s == null ? null : s.outcome();
            String status = o == null ? "none" : cssStatus(o.status());
            b.append("<div class=\"g-row row").append(o != null && o.status() == Outcome.Status.UNCHANGED ? " unchanged" : "")
                    .append("\" data-addr=\"").append(esc(a.toString())).append("\"><div class=\"g-label\" title=\"")
                    .append(esc(a.toString())).append("\">").append(esc(a.toString())).append("</div><div class=\"g-track\">");
            for (long t = step; t < total; t += step) {
                b.append("<span class=\"grid\" style=\"left:").append(pct(t, total)).append("\"></span>");
            }
            long end = s == null ? -1 : s.end() < 0 ? total : s.end();
            if (s != null) {
                long len = Math.max(0, end - s.start());
                String title = a + ": " + (o == null ? "unfinished" : o.status().word()) + ", " + duration(s.start()) + " → "
                        + duration(end) + " (" + duration(len) + ")"
                        + (s.work() >= 0 ? ", converging from " + duration(s.work()) : "");
                b.append("<div class=\"bar s-").append(status).append("\" data-start=\"").append(s.start())
                        .append("\" data-end=\"").append(end).append("\" style=\"left:").append(pct(s.start(), total))
                        .append(";width:").append(pct(len, total)).append("\" title=\"").append(esc(title)).append("\">");
                if (s.work() >= 0 && len > 0) {
                    b.append("<span class=\"check\" style=\"width:").append(pct(s.work() - s.start(), len)).append("\"></span>");
                }
                b.append("</div>");
            }
            b.append("</div><div class=\"g-dur\">")
                    .append(s == null ? "not reached" : duration(Math.max(0, end - s.start()))).append("</div></div>\n");
        }
        b.append("</div>\n</section>\n");
    }

    private static void graph(StringBuilder b, String id, ResourceGraph graph, List<Address> rows,
                              Map<Address, TimelineEvents.Span> spans, Map<Address, Integer> index) {
        Map<Address, Integer> depth = new HashMap<>();
        List<List<Address>> columns = new ArrayList<>();
        for (Address a : graph.order()) { // dependencies come first
            int d = 0;
            for (Address dep : graph.dependencies(a)) {
                d = Math.max(d, depth.get(dep) + 1);
            }
            depth.put(a, d);
            while (columns.size() <= d) {
                columns.add(new ArrayList<>());
            }
            columns.get(d).add(a);
        }
        Map<Address, int[]> at = new HashMap<>();
        int tallest = 0;
        for (int c = 0; c < columns.size(); c++) {
            List<Address> col = columns.get(c);
            tallest = Math.max(tallest, col.size());
            for (int r = 0; r < col.size(); r++) {
                at.put(col.get(r), new int[] {PAD + c * (NODE_W + COL_GAP), PAD + r * (NODE_H + ROW_GAP)});
            }
        }
        int width = Math.max(1, columns.size()) * (NODE_W + COL_GAP) - COL_GAP + 2 * PAD;
        int height = Math.max(1, tallest) * (NODE_H + ROW_GAP) - ROW_GAP + 2 * PAD;
        b.append("<section id=\"").append(id).append("graph\">\n<h2>Dependency graph</h2>\n<p class=\"hint\">Columns by depth: a resource stands ")
                .append("right of everything it depends on. <svg class=\"key\" width=\"34\" height=\"8\"><line x1=\"0\" y1=\"4\" ")
                .append("x2=\"34\" y2=\"4\" class=\"edge explicit\"/></svg> explicit (requires, notify) ")
                .append("<svg class=\"key\" width=\"34\" height=\"8\"><line x1=\"0\" y1=\"4\" x2=\"34\" y2=\"4\" class=\"edge implicit\"/>")
                .append("</svg> implicit (paths)</p>\n<div class=\"graph-box\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" ")
                .append("class=\"graph\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\" role=\"img\" aria-label=\"dependency graph\">\n")
                .append("<defs><marker id=\"").append(id).append("arrow-explicit\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" ")
                .append("orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" class=\"head explicit\"/></marker>")
                .append("<marker id=\"").append(id).append("arrow-implicit\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" ")
                .append("orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" class=\"head implicit\"/></marker></defs>\n");
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
                    .append(' ').append(x2).append(',').append(y2).append("\"><title>").append(esc(e.from() + " → " + e.to() + ": "
                            + e.explain())).append("</title></path>\n");
        }
        for (Address a : graph.order()) {
            int[] p = at.get(a);
            Outcome o = outcome(spans, a);
            String status = o == null ? "none" : cssStatus(o.status());
            b.append("<a href=\"#").append(id).append("o-").append(index.get(a)).append("\"><g class=\"node s-").append(status)
                    .append("\" data-addr=\"").append(esc(a.toString())).append("\"><rect x=\"").append(p[0]).append("\" y=\"")
                    .append(p[1]).append("\" width=\"").append(NODE_W).append("\" height=\"").append(NODE_H)
                    .append("\" rx=\"6\"/><rect class=\"stripe\" x=\"").append(p[0]).append("\" y=\"").append(p[1])
                    .append("\" width=\"6\" height=\"").append(NODE_H).append("\" rx=\"3\"/><text x=\"").append(p[0] + 14)
                    .append("\" y=\"").append(p[1] + NODE_H / 2 + 4).append("\">").append(esc(shorten(a.toString())))
                    .append("</text><title>").append(esc(a + ": " + (o == null ? "not reached" : o.status().word())))
                    .append("</title></g></a>\n");
        }
        b.append("</svg>\n</div>\n</section>\n");
    }

    private static void plan(StringBuilder b, String id, List<Address> rows, Map<Address, TimelineEvents.Span> spans, String target,
                             String playbook) {
        b.append("<section id=\"").append(id).append("plan\">\n<h2>Plan</h2>\n");
        List<PlannedChange> changes = new ArrayList<>();
        for (Address a : rows) {
            TimelineEvents.Span s = spans.get(a);
            if (s != null && s.planned() != null) {
                changes.add(s.planned());
            }
        }
        if (changes.isEmpty()) {
            b.append("<p>No changes: ").append(esc(target)).append(" matched playbook ").append(esc(playbook)).append(".</p>\n");
        } else {
            b.append("<p class=\"hint\">What apply found differing and set out to change, as <code>mosaic plan</code> prints it.</p>\n");
        }
        for (PlannedChange c : changes) {
            StringBuilder text = new StringBuilder();
            TextPlan.block(text, c);
            b.append("<pre class=\"plan\" data-addr=\"").append(esc(c.address().toString())).append("\">");
            for (String line : text.toString().split("\n")) {
                b.append("<span class=\"").append(lineClass(line)).append("\">").append(esc(line)).append("</span>\n");
            }
            b.append("</pre>\n");
        }
        b.append("</section>\n");
    }

    private static void warnings(StringBuilder b, String id, TimelineEvents.Recording rec) {
        if (rec.warnings().isEmpty()) {
            return;
        }
        b.append("<section id=\"").append(id).append("warnings\">\n<h2>Warnings</h2>\n");
        for (String w : rec.warnings()) {
            b.append("<details><summary>").append(esc(w.lines().findFirst().orElse(""))).append("</summary><pre class=\"msg\">")
                    .append(esc(w)).append("</pre></details>\n");
        }
        b.append("</section>\n");
    }

    // ---------------------------------------------------------------- helpers

    private static Outcome outcome(Map<Address, TimelineEvents.Span> spans, Address a) {
        TimelineEvents.Span s = spans.get(a);
        return s == null ? null : s.outcome();
    }

    /** The most resources converging at the same moment (from their {@code started} to their end). */
    static int peakParallel(TimelineEvents.Recording rec) {
        List<long[]> points = new ArrayList<>();
        for (TimelineEvents.Span s : rec.spans()) {
            if (s.work() >= 0) {
                points.add(new long[] {s.work(), 1});
                points.add(new long[] {s.end() < 0 ? rec.elapsed() : s.end(), -1});
            }
        }
        points.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1])); // ends first
        int now = 0;
        int peak = 0;
        for (long[] p : points) {
            now += (int) p[1];
            peak = Math.max(peak, now);
        }
        return peak;
    }

    private static String lineClass(String line) {
        String t = line.stripLeading();
        if (t.startsWith("--- ") || t.startsWith("+++ ") || t.startsWith("\\")) {
            return "d-meta";
        }
        if (t.startsWith("#")) {
            return "d-head";
        }
        if (t.startsWith("@@")) {
            return "d-hunk";
        }
        if (line.length() == t.length()) { // the symbol and address line
            return "d-addr";
        }
        return switch (t.isEmpty() ? ' ' : t.charAt(0)) {
            case '+' -> "d-add";
            case '-' -> "d-del";
            case '~' -> "d-chg";
            default -> "d-ctx";
        };
    }

    private static String cssStatus(Outcome.Status s) {
        return switch (s) {
            case UNCHANGED -> "ok";
            default -> s.word();
        };
    }

    private static String label(Outcome.Status s) {
        return s == Outcome.Status.UNCHANGED ? "unchanged" : s.word();
    }

    /** A step of 1, 2 or 5 times a power of ten giving at most about ten ticks. */
    static long tickStep(long total) {
        long step = 1;
        while (true) {
            for (long m : new long[] {1, 2, 5}) {
                if (total / (step * m) <= 10) {
                    return step * m;
                }
            }
            step *= 10;
        }
    }

    static String duration(long millis) {
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        long s = millis / 1000;
        return (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
    }

    private static String pct(long part, long whole) {
        return String.format(Locale.ROOT, "%.3f%%", 100.0 * Math.max(0, part) / Math.max(1, whole));
    }

    private static String shorten(String s) {
        if (s.length() <= LABEL_CHARS) {
            return s;
        }
        int head = (LABEL_CHARS - 1) / 2;
        return s.substring(0, head) + "…" + s.substring(s.length() - (LABEL_CHARS - 1 - head));
    }

    /** Scrubbed of sensitive values, then escaped for HTML text and attribute values alike. */
    static String esc(String s) {
        String t = Sensitive.scrub(s == null ? "" : s);
        StringBuilder b = new StringBuilder(t.length() + 16);
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') {
                        b.append('\uFFFD'); // control characters from command output
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- style and script

    private static final String CSS = """
            :root { --bg:#f4f6f9; --card:#fff; --ink:#1f2933; --muted:#616e7c; --line:#e4e7eb;
              --ok:#9aa5b1; --changed:#2f855a; --refreshed:#2b6cb0; --failed:#c53030; --skipped:#b7791f;
              --stale:#6b46c1; --none:#cbd2d9;
              --mono: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace; }
            * { box-sizing: border-box; }
            body { margin:0; background:var(--bg); color:var(--ink);
              font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", sans-serif; }
            main { max-width: 1180px; margin: 0 auto; padding: 24px 20px 48px; }
            header, section { background:var(--card); border:1px solid var(--line); border-radius:10px;
              padding:18px 22px; margin-bottom:18px; box-shadow: 0 1px 2px rgba(0,0,0,.04); }
            h1 { font-size:22px; margin:0; font-family:var(--mono); }
            article.host { border-top:3px solid var(--line); margin-top:28px; padding-top:12px; }
            h2 { font-size:16px; margin:0 0 12px; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); }
            .title { display:flex; align-items:center; gap:14px; flex-wrap:wrap; }
            .verdict { padding:3px 12px; border-radius:999px; font-weight:600; font-size:13px; color:#fff; }
            .verdict.good { background:var(--changed); } .verdict.bad { background:var(--failed); } .verdict.warn { background:var(--stale); }
            .meta { color:var(--muted); margin:8px 0 12px; }
            .stopped { color:var(--failed); font-weight:600; }
            .counts { display:flex; gap:8px; flex-wrap:wrap; }
            .count { border:1px solid var(--line); border-left:5px solid var(--c); border-radius:6px; padding:4px 10px; }
            nav { margin-top:14px; display:flex; gap:16px; }
            nav a { color:var(--refreshed); text-decoration:none; font-weight:600; }
            .hint { color:var(--muted); margin:0 0 12px; }
            .hint label { margin-left:10px; color:var(--ink); white-space:nowrap; }
            .s-ok { --c:var(--ok); } .s-changed { --c:var(--changed); } .s-refreshed { --c:var(--refreshed); }
            .s-failed { --c:var(--failed); } .s-skipped { --c:var(--skipped); } .s-stale { --c:var(--stale); } .s-none { --c:var(--none); }
            table.outcomes { width:100%; border-collapse:collapse; }
            .outcomes th { text-align:left; font-size:12px; color:var(--muted); border-bottom:2px solid var(--line); padding:6px 8px; }
            .outcomes td { padding:6px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
            .outcomes .num { text-align:right; font-variant-numeric: tabular-nums; white-space:nowrap; }
            .addr, .g-label { font-family:var(--mono); font-size:13px; }
            .pill { display:inline-block; min-width:74px; text-align:center; border-radius:999px; padding:1px 10px;
              font-size:12px; font-weight:600; color:#fff; background:var(--c); }
            .msg-row td { border-bottom:1px solid var(--line); padding-top:0; }
            pre { font-family:var(--mono); font-size:12.5px; margin:0; white-space:pre-wrap; word-break:break-word; }
            pre.msg { background:#fff5f5; border-left:4px solid var(--c); padding:8px 10px; border-radius:4px; }
            .msg-row.s-skipped pre.msg, .msg-row.s-refreshed pre.msg { background:#fafbfc; }
            .gantt { font-size:13px; }
            .g-row { display:grid; grid-template-columns: 260px 1fr 78px; align-items:center; min-height:26px; }
            .g-row + .g-row { border-top:1px solid #f0f2f4; }
            .g-label { overflow:hidden; text-overflow:ellipsis; white-space:nowrap; padding-right:10px; }
            .g-dur { text-align:right; color:var(--muted); font-variant-numeric: tabular-nums; }
            .g-track { position:relative; height:26px; }
            .g-axis .g-track { height:22px; border-bottom:1px solid var(--line); }
            .tick { position:absolute; bottom:2px; transform:translateX(-50%); font-size:11px; color:var(--muted); white-space:nowrap; }
            .tick:first-child { transform:none; }
            .grid { position:absolute; top:0; bottom:0; width:1px; background:#eef0f3; }
            .bar { position:absolute; top:6px; height:14px; min-width:3px; border-radius:3px; background:var(--c); overflow:hidden; }
            .bar .check { position:absolute; left:0; top:0; bottom:0; background:rgba(255,255,255,.55); }
            .bar.s-ok { opacity:.7; }
            .graph-box { overflow:auto; border:1px solid var(--line); border-radius:8px; background:#fbfcfd; }
            svg.graph { display:block; }
            svg.graph text { font-family:var(--mono); font-size:12px; fill:var(--ink); }
            .node rect { fill:#fff; stroke:var(--c); stroke-width:1.5; }
            .node rect.stripe { fill:var(--c); stroke:none; }
            .node:hover rect, .node.hl rect { stroke-width:3; }
            .edge { fill:none; stroke-width:1.6; }
            .edge.explicit { stroke:#3e4c59; }
            .edge.implicit { stroke:#9aa5b1; stroke-dasharray:5 4; }
            .head.explicit { fill:#3e4c59; } .head.implicit { fill:#9aa5b1; }
            svg.key { vertical-align:middle; margin-left:8px; }
            pre.plan { background:#fbfcfd; border:1px solid var(--line); border-radius:6px; padding:10px 12px; margin-bottom:10px; }
            .d-head { color:var(--muted); } .d-addr { font-weight:700; } .d-add { color:#276749; } .d-del { color:#c53030; }
            .d-chg { color:#975a16; } .d-hunk { color:#2b6cb0; } .d-meta { color:var(--muted); } .d-ctx { color:var(--ink); }
            tr.hl td, .g-row.hl, pre.plan.hl { background:#fffbea; }
            body.hide-ok .unchanged { display:none; }
            details summary { cursor:pointer; font-family:var(--mono); font-size:12.5px; }
            """;

    /**
     * Cross-highlighting of one resource in every section of its target (a fleet page holds one
     * {@code data-host} block per host), and the "hide unchanged" switches.
     */
    private static final String JS = """
            (function () {
              var marked = document.querySelectorAll('[data-addr]');
              function mark(e, on) {
                var addr = e.getAttribute('data-addr');
                var scope = e.closest('[data-host]') || document.body;
                scope.querySelectorAll('[data-addr]').forEach(function (x) {
                  if (x.getAttribute('data-addr') === addr) { x.classList.toggle('hl', on); }
                });
              }
              marked.forEach(function (e) {
                e.addEventListener('mouseenter', function () { mark(e, true); });
                e.addEventListener('mouseleave', function () { mark(e, false); });
              });
              var hides = document.querySelectorAll('input.hide-ok');
              hides.forEach(function (hide) {
                hide.addEventListener('change', function () {
                  document.body.classList.toggle('hide-ok', hide.checked);
                  hides.forEach(function (other) { other.checked = hide.checked; });
                });
              });
              document.body.dataset.ready = 'yes';
            })();
            """;
}
