package dev.mosaic.render;

import dev.mosaic.graph.ResourceGraph;

import java.util.List;

/**
 * The HTML report of an apply over an inventory: one self-contained page, a table of the hosts
 * first (each linking to its part), then per host the sections of a single target's report
 * ({@link HtmlReport}), their element ids prefixed with the host's position so that links and
 * highlighting stay within the host. A host that was not reached has its part too, saying why.
 */
public final class FleetReport {

    private FleetReport() {
    }

    /**
     * One host's part of the page.
     *
     * @param recording what its apply recorded; null when it was not applied (unreachable, busy)
     * @param graph     its playbook's graph (each host's variables may make its own); null when
     *                  not applied
     * @param stoppedBy why its apply ended early, or why it was not applied; null when it ran through
     */
    public record Host(String name, String target, ResourceGraph graph, TimelineEvents.Recording recording,
                       String stoppedBy) {

        boolean applied() {
            return recording != null;
        }

        boolean failed() {
            return !applied() || HtmlReport.failed(recording, stoppedBy);
        }
    }

    public static String render(String playbook, List<Host> hosts) {
        StringBuilder b = new StringBuilder(16_384 * Math.max(1, hosts.size()));
        HtmlReport.begin(b, "Mosaic apply: " + playbook + " on " + hosts.size() + " host" + (hosts.size() == 1 ? "" : "s"));
        long failed = hosts.stream().filter(Host::failed).count();
        b.append("<header>\n<div class=\"title\"><h1>").append(HtmlReport.esc(playbook)).append("</h1>")
                .append("<span class=\"verdict ").append(failed > 0 ? "bad" : "good").append("\">")
                .append(failed > 0 ? failed + " of " + hosts.size() + " hosts failed" : "Apply complete on every host")
                .append("</span></div>\n<table class=\"outcomes hosts\">\n<thead><tr><th>Host</th><th>Target</th><th>Status</th>")
                .append("</tr></thead>\n<tbody>\n");
        for (int i = 0; i < hosts.size(); i++) {
            Host h = hosts.get(i);
            String word = !h.applied() ? "not applied" : h.failed() ? "failed" : "applied";
            b.append("<tr><td class=\"addr\"><a href=\"#h").append(i).append("\">").append(HtmlReport.esc(h.name()))
                    .append("</a></td><td>").append(HtmlReport.esc(h.target())).append("</td><td><span class=\"pill s-")
                    .append(h.failed() ? "failed" : "changed").append("\">").append(word).append("</span></td></tr>\n");
        }
        b.append("</tbody>\n</table>\n</header>\n");
        for (int i = 0; i < hosts.size(); i++) {
            Host h = hosts.get(i);
            b.append("<article class=\"host\" id=\"h").append(i).append("\" data-host=\"").append(HtmlReport.esc(h.name()))
                    .append("\">\n<h2 class=\"host-name\">Host ").append(HtmlReport.esc(h.name())).append("</h2>\n");
            if (h.applied()) {
                HtmlReport.sections(b, "h" + i + "-", playbook, h.target(), h.graph(), h.recording(), h.stoppedBy());
            } else {
                b.append("<p class=\"stopped\">Not applied: ").append(HtmlReport.esc(h.stoppedBy())).append("</p>\n");
            }
            b.append("</article>\n");
        }
        return HtmlReport.end(b);
    }
}
