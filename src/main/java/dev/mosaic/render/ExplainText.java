package dev.mosaic.render;

import dev.mosaic.engine.Cause;
import dev.mosaic.engine.PlannedChange;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Diff;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code mosaic explain} for people: a headline, then one line per path from the resource to a
 * root cause (read {@code ←} as "because"), then the resources of those paths from the root causes
 * down, with the diffs that make the root causes change and the edge each change travels:
 *
 * <pre>
 * build[kernel] will be updated in place (input changed: kernel_config[mosix])
 *
 * Why:
 *   build[kernel] ← input changed: kernel_config[mosix] ← config changed: CONFIG_MOSIX_MAXTOPOLOGY 4 → 6
 *
 * Chain, from the root cause:
 *   kernel_config[mosix] will be updated in place (config changed)
 *       ~ CONFIG_MOSIX_MAXTOPOLOGY: 4 -> 6
 *     config changed: the playbook, a variable or an input (a source file, a tree) differs from the last apply
 *   build[kernel] will be updated in place (input changed: kernel_config[mosix])
 *     after kernel_config[mosix]: implicit: build[kernel] reads /usr/src/linux/.config
 * </pre>
 */
public final class ExplainText {

    /** Values in the one-line "why" are cut to this length; the chain below shows them whole. */
    private static final int MAX_VALUE = 40;

    private ExplainText() {
    }

    public static String render(Explain.Explanation e) {
        StringBuilder b = new StringBuilder();
        Explain.Node n = e.node();
        b.append(headline(n.change())).append('\n');
        if (e.upToDate()) {
            return b.toString();
        }
        b.append("\nWhy:\n");
        for (List<Explain.Node> path : e.paths()) {
            b.append("  ").append(why(path)).append('\n');
        }
        long more = e.pathCount() - e.paths().size();
        if (more > 0) {
            b.append("  … and ").append(more).append(" more ").append(more == 1 ? "path" : "paths").append('\n');
        }
        b.append("\nChain, from the root cause").append(e.nodes().stream().filter(Explain.Node::isRoot).count() > 1 ? "s" : "")
                .append(":\n");
        for (Explain.Node m : e.nodes()) {
            b.append("  ").append(headline(m.change())).append('\n');
            if (m.isRoot()) {
                StringBuilder diffs = new StringBuilder();
                for (Diff d : m.change().diffs()) {
                    TextPlan.diff(diffs, m.address(), d);
                }
                diffs.toString().lines().forEach(l -> b.append("  ").append(l).append('\n'));
                meaning(m.change()).ifPresent(t -> b.append("    ").append(t).append('\n'));
            }
            for (Explain.Because c : m.because()) {
                b.append("    after ").append(c.upstream().address());
                if (c.edge() != null) {
                    b.append(": ").append(c.edge().explain());
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    /** {@code file[x] will be created (new) — description}, or what else its plan entry says. */
    static String headline(PlannedChange c) {
        String desc = c.description().isEmpty() ? "" : " — " + c.description();
        return switch (c.status()) {
            case FAILED -> c.address() + " cannot be planned: " + firstLine(c.error()) + desc;
            case SKIPPED -> c.address() + " is skipped: " + c.error() + desc;
            case DEFERRED -> c.address() + " will be evaluated after " + join(c) + " change" + (c.after().size() == 1 ? "s" : "")
                    + " (known after apply)" + desc;
            case PLANNED -> c.action() == Action.NOOP
                    ? c.address() + ": no change planned: up to date" + desc
                    : c.address() + " " + TextPlan.verb(c.action()) + " (" + TextPlan.causeText(c) + ")" + desc;
        };
    }

    /** One path as a sentence: {@code a ← input changed: b ← config changed: f 1 → 2}. */
    static String why(List<Explain.Node> path) {
        StringBuilder b = new StringBuilder(path.get(0).address().toString());
        for (int i = 0; i < path.size(); i++) {
            PlannedChange c = path.get(i).change();
            b.append(" ← ");
            if (i + 1 < path.size()) {
                b.append(link(c)).append(": ").append(path.get(i + 1).address());
            } else {
                b.append(rootCause(c));
            }
        }
        return b.toString();
    }

    /** How a change depends on the next resource of its path. */
    private static String link(PlannedChange c) {
        return switch (c.status()) {
            case DEFERRED -> "known after";
            case SKIPPED -> "skipped, as";
            case FAILED -> "cannot be planned";
            case PLANNED -> c.action() == Action.REFRESH ? "notified by" : c.cause().word();
        };
    }

    /** A root cause in words, with what differs: {@code config changed: kernel 6.1 → 6.2, content}. */
    private static String rootCause(PlannedChange c) {
        if (c.status() == PlannedChange.Status.FAILED) {
            return "cannot be planned: " + firstLine(c.error());
        }
        List<String> parts = new ArrayList<>();
        for (Diff d : c.diffs()) {
            if (parts.size() == 3) {
                parts.add("…");
                break;
            }
            parts.add(summary(d));
        }
        String word = c.cause() == Cause.NONE ? c.action().word() : c.cause().word();
        return parts.isEmpty() ? word : word + ": " + String.join(", ", parts);
    }

    static String summary(Diff d) {
        if (d instanceof Diff.Field f) {
            if (f.before() == null) {
                return f.field() + " → " + cut(f.after());
            }
            if (f.after() == null) {
                return f.field() + " " + cut(f.before()) + " → (none)";
            }
            return f.field() + " " + cut(f.before()) + " → " + cut(f.after());
        }
        if (d instanceof Diff.Tree t) {
            return t.field() + ": " + t.added().size() + " added, " + t.changed().size() + " changed, "
                    + t.removed().size() + " removed";
        }
        Diff.Content c = (Diff.Content) d;
        return c.field() + (c.before() == null ? " (new)" : c.after() == null ? " (removed)" : " (changed)");
    }

    /** What a root cause means, for readers who do not know Mosaic's words yet. */
    private static java.util.Optional<String> meaning(PlannedChange c) {
        if (c.status() != PlannedChange.Status.PLANNED) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.ofNullable(switch (c.cause()) {
            case NEW -> "new: Mosaic has never converged it on this target";
            case CONFIG_CHANGED -> "config changed: the playbook, a variable or an input (a source file, a tree) "
                    + "differs from the last apply";
            case DRIFT -> "drift: same configuration as the last apply, but the target was changed since";
            default -> null;
        });
    }

    private static String join(PlannedChange c) {
        return String.join(", ", c.after().stream().map(Object::toString).toList());
    }

    private static String cut(String v) {
        String one = v.replace('\n', ' ');
        return one.length() <= MAX_VALUE ? one : one.substring(0, MAX_VALUE - 1) + "…";
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
