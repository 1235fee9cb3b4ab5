package dev.mosaic.render;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.Sensitive;
import dev.mosaic.engine.Cause;
import dev.mosaic.engine.Events;
import dev.mosaic.engine.Outcome;
import dev.mosaic.engine.PlannedChange;
import dev.mosaic.graph.GraphBuilder;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.playbook.PlaybookLoader;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Diff;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class HtmlReportTest {

    private static final Address SRV = Address.of("directory", "srv");
    private static final Address MOTD = Address.of("file", "motd");
    private static final Address LINK = Address.of("link", "link");
    private static final String CANARY = "canary-html-report-4f19c2";

    private static ResourceGraph graph() {
        var p = new PlaybookLoader(BuiltinKinds.create()).load(Path.of("site.yml"), """
                resources:
                  srv: { type: directory, path: /srv }
                  motd: { type: file, path: /srv/motd, content: hi }
                  link: { type: link, path: /etc/motd, target: /srv/motd, requires: [srv] }
                """, Map.of());
        return GraphBuilder.build(p, new Diagnostics());
    }

    private static PlannedChange planned(Address a, Action action, List<Diff> diffs) {
        return new PlannedChange(a, a.type(), "", action, Cause.NEW, diffs, List.of(), PlannedChange.Status.PLANNED, "");
    }

    /**
     * srv converges from 20 to 100 ms; then motd (120 → 1100 ms, checked until 150) and link
     * (120 → 600 ms, failed) run side by side. The motd diff carries a script tag.
     */
    private static TimelineEvents.Recording recording() {
        AtomicLong nanos = new AtomicLong();
        TimelineEvents rec = new TimelineEvents(Events.NONE, nanos::get, Instant.parse("2024-05-01T10:00:00Z"));
        List<Diff> motdDiff = List.of(new Diff.Content("content", null,
                new Diff.Blob(30, "0".repeat(64), "<script>alert('x')</script>\n")));
        at(nanos, 20);
        rec.started(SRV, planned(SRV, Action.CREATE, List.of(new Diff.Field("path", null, "/srv"))), -1);
        at(nanos, 100);
        rec.finished(new Outcome(SRV, Outcome.Status.CHANGED, Change.NOOP, Cause.NEW, "", 100));
        at(nanos, 150);
        rec.started(MOTD, planned(MOTD, Action.CREATE, motdDiff), -1);
        rec.started(LINK, planned(LINK, Action.CREATE, List.of()), -1);
        at(nanos, 600);
        rec.finished(new Outcome(LINK, Outcome.Status.FAILED, Change.NOOP, Cause.NEW,
                "cannot link: <b>denied</b> token " + CANARY, 480));
        at(nanos, 1100);
        rec.finished(new Outcome(MOTD, Outcome.Status.CHANGED, Change.NOOP, Cause.NEW, "", 980));
        return rec.recording();
    }

    private static void at(AtomicLong nanos, long millis) {
        nanos.set(millis * 1_000_000);
    }

    @Test
    void render_escapesDiffsAndMessages_andScrubsSensitiveValues() {
        Sensitive.register(CANARY);
        String html = HtmlReport.render("site", "local (root /tmp/x)", graph(), recording(), null);

        assertThat(html).doesNotContain("<script>alert").doesNotContain("<b>denied")
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
                .contains("cannot link: &lt;b&gt;denied&lt;/b&gt;")
                .doesNotContain(CANARY).contains("token (sensitive)");
        // Only the page's own two scripts: the onerror guard and the highlighting.
        assertThat(count(html, "<script>")).isEqualTo(2);
        assertThat(html).doesNotContain("src=\"http", "href=\"http", "<link ", "@import", "url(http");
    }

    @Test
    void render_showsEveryResourceInOutcomesTimelineAndGraph() {
        ResourceGraph g = graph();
        String html = HtmlReport.render("site", "local", g, recording(), null);

        for (Address a : g.order()) {
            // outcome row, timeline row, graph node (plan blocks add one for those that changed)
            assertThat(count(html, "data-addr=\"" + a + "\"")).as("%s", a).isGreaterThanOrEqualTo(3);
        }
        assertThat(html).contains("<span class=\"verdict bad\">Apply failed</span>")
                .contains("<b>2</b> changed").contains("<b>1</b> failed")
                .contains("at most <b>2</b> at once")
                .contains("# file[motd] will be created (new)");
        assertThat(count(html, "class=\"edge explicit\" data-kind=")).isEqualTo(1); // link requires srv
        assertThat(count(html, "class=\"edge implicit\" data-kind=")).isEqualTo(2); // parent directory, reads
    }

    @Test
    void render_drawsTimelineBarsOnOneTimeAxis_withTheCheckingPartPale() {
        String html = HtmlReport.render("site", "local", graph(), recording(), null);

        List<String> bars = new ArrayList<>();
        Matcher m = Pattern.compile("<div class=\"bar (s-\\w+)\" data-start=\"(\\d+)\" data-end=\"(\\d+)\" "
                + "style=\"left:([\\d.]+)%;width:([\\d.]+)%\" title=\"([^\"]*)\">(<span class=\"check\" style=\"width:([\\d.]+)%\">)?")
                .matcher(html);
        while (m.find()) {
            bars.add(m.group(1) + " " + m.group(2) + "-" + m.group(3) + " left " + m.group(4) + " width " + m.group(5)
                    + (m.group(8) == null ? "" : " check " + m.group(8)));
        }
        // The axis is 1100 ms long; srv began when it finished minus its duration (0 ms).
        assertThat(bars).containsExactly(
                "s-changed 0-100 left 0.000 width 9.091 check 20.000",
                "s-changed 120-1100 left 10.909 width 89.091 check 3.061",
                "s-failed 120-600 left 10.909 width 43.636 check 6.250");
        assertThat(html).contains(">1.0 s</span>").contains("<div class=\"g-dur\">980 ms</div>");
    }

    @Test
    void render_ofAnApplyCutShort_marksUnreachedResources_andSaysWhy() {
        AtomicLong nanos = new AtomicLong();
        TimelineEvents rec = new TimelineEvents(Events.NONE, nanos::get, Instant.EPOCH);
        rec.started(SRV, planned(SRV, Action.CREATE, List.of()), -1);
        at(nanos, 50);
        String html = HtmlReport.render("site", "local", graph(), rec.recording(), "cannot write state.json: disk full");

        assertThat(html).contains("The apply stopped early: cannot write state.json: disk full")
                .contains(">unfinished</span>").contains("<b>2</b> not reached")
                .contains("<div class=\"bar s-none\" data-start=\"0\" data-end=\"50\"");
    }

    @Test
    void tickStep_givesAtMostAboutTenTicks() {
        assertThat(HtmlReport.tickStep(1)).isEqualTo(1);
        assertThat(HtmlReport.tickStep(1100)).isEqualTo(200);
        assertThat(HtmlReport.tickStep(95_000)).isEqualTo(10_000);
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }
}
