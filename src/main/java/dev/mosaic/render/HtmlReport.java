package dev.mosaic.render;

import dev.mosaic.diag.Sensitive;
import dev.mosaic.engine.Outcome;
import dev.mosaic.engine.PlannedChange;
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
 * <p>The graph is {@link GraphSvg}'s, the same picture as {@code graph --format svg}.
 */
public final class HtmlReport {


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
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" ")
                .append("content=\"width=device-width, initial-scale=1\">\n<title>").append(esc(title)).append("</title>\n")
                .append("<style>\n").append(CSS).append(GraphSvg.STYLE).append("</style>\n")
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
        graph(b, id, graph, spans, index);
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

    private static void graph(StringBuilder b, String id, ResourceGraph graph, Map<Address, TimelineEvents.Span> spans,
                              Map<Address, Integer> index) {
        b.append("<section id=\"").append(id).append("graph\">\n<h2>Dependency graph</h2>\n<p class=\"hint\">Columns by depth: a resource stands ")
                .append("right of everything it depends on. <svg class=\"key\" width=\"34\" height=\"8\"><line x1=\"0\" y1=\"4\" ")
                .append("x2=\"34\" y2=\"4\" class=\"edge explicit\"/></svg> explicit (requires, notify) ")
                .append("<svg class=\"key\" width=\"34\" height=\"8\"><line x1=\"0\" y1=\"4\" x2=\"34\" y2=\"4\" class=\"edge implicit\"/>")
                .append("</svg> implicit (paths)</p>\n<div class=\"graph-box\">\n");
        GraphSvg.draw(b, id, graph, List.of(), null, List.of(), a -> {
            Outcome o = outcome(spans, a);
            return new GraphSvg.Mark("s-" + (o == null ? "none" : cssStatus(o.status())), null, null, "",
                    o == null ? "not reached" : o.status().word(), "#" + id + "o-" + index.get(a));
        }, false);
        b.append("</div>\n</section>\n");
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

    /**
     * The page's style, and its script: cross-highlighting of one resource in every section of its
     * target (a fleet page holds one {@code data-host} block per host), the "hide unchanged" switches.
     */
    private static final String CSS = resource("report.css");
    private static final String JS = resource("report.js");

    private static String resource(String name) {
        // Beside this class in Mosaic's jar; missing only from a broken build.
        try (java.io.InputStream in = java.util.Objects.requireNonNull(HtmlReport.class.getResourceAsStream(name), name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
