package dev.mosaic.render;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;
import dev.mosaic.engine.Plan;
import dev.mosaic.engine.PlannedChange;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Command;
import dev.mosaic.resource.Diff;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders a {@link Plan} for people, Terraform style: one block per resource that changes, field
 * diffs, unified diffs of text content, and a summary line. Deterministic: the same plan gives the
 * same bytes.
 */
public final class TextPlan {

    /** Unified diffs longer than this many lines are cut, with a note saying how much is left. */
    static final int MAX_DIFF_LINES = 200;

    private TextPlan() {
    }

    public static String render(Plan plan) {
        StringBuilder b = new StringBuilder();
        List<PlannedChange> changes = plan.changes();
        if (plan.partial()) { // said first, once: a reader must not take this for the whole playbook's plan
            b.append(partial(plan)).append("\n\n");
        }
        if (!plan.kernels().isEmpty()) { // before the changes they explain (a new package name, new paths)
            plan.kernels().forEach(k -> b.append(kernel(k)).append('\n'));
            b.append('\n');
        }
        if (changes.isEmpty()) {
            b.append("No changes. ").append(plan.target()).append(" matches ").append(plan.partial() ? "the targeted part of " : "")
                    .append("playbook ").append(plan.playbook()).append(".\n");
        } else {
            b.append("Mosaic will perform the following actions on ").append(plan.target()).append(":\n");
            for (PlannedChange c : changes) {
                b.append('\n');
                block(b, c);
            }
            b.append('\n');
        }
        b.append(summary(plan)).append('\n');
        return b.toString();
    }

    /** The warning a plan limited by {@code --target} starts with. */
    static String partial(Plan plan) {
        return "warning: partial plan (--target " + String.join(", ", plan.targets()) + "): only the targets and what they"
                + " require are planned. What depends on them is not, nor the removal of resources gone from the"
                + " playbook: plan without --target to see everything.";
    }

    /**
     * A {@code ${kernel:…}} that moved: {@code kernel: 6.1.0-56-amd64 -> 6.1.0-57-amd64
     * (linux-image-amd64 moved since the last apply)}; or one the lock file has not recorded yet.
     */
    public static String kernel(Plan.KernelMove k) {
        return k.locked() == null
                ? "kernel: " + k.resolved() + " (" + k.metapackage() + " today; apply records it in mosaic.lock)"
                : "kernel: " + k.locked() + " -> " + k.resolved() + " (" + k.metapackage()
                        + " moved since the last apply, as mosaic.lock recorded it)";
    }

    public static String summary(Plan plan) {
        Map<String, Integer> s = plan.summary();
        StringBuilder b = new StringBuilder("Plan: ");
        b.append(s.get("create")).append(" to create, ")
                .append(s.get("update")).append(" to update, ")
                .append(s.get("replace")).append(" to replace, ")
                .append(s.get("delete")).append(" to delete, ")
                .append(s.get("refresh")).append(" to refresh, ")
                .append(s.get("no-op")).append(" unchanged");
        if (s.get("deferred") > 0) {
            b.append(", ").append(s.get("deferred")).append(" deferred");
        }
        if (s.get("failed") > 0) {
            b.append(", ").append(s.get("failed")).append(" failed");
        }
        if (s.get("skipped") > 0) {
            b.append(", ").append(s.get("skipped")).append(" skipped");
        }
        return b.append('.').toString();
    }

    static void block(StringBuilder b, PlannedChange c) {
        String desc = c.description().isEmpty() ? "" : " — " + c.description();
        switch (c.status()) {
            case FAILED -> {
                b.append("# ").append(c.address()).append(" cannot be planned").append(desc).append('\n');
                b.append("! ").append(c.address()).append('\n');
                b.append("    error: ").append(indent(c.error(), "           ")).append('\n');
                return;
            }
            case SKIPPED -> {
                b.append("# ").append(c.address()).append(" skipped: ").append(c.error()).append('\n');
                return;
            }
            case DEFERRED -> {
                b.append("# ").append(c.address()).append(" will be evaluated after ")
                        .append(join(c.after())).append(" change").append(desc).append('\n');
                b.append("? ").append(c.address()).append('\n');
                c.paths().forEach(p -> b.append("    path: ").append(p).append('\n'));
                commands(b, c);
                return;
            }
            default -> {
            }
        }
        b.append("# ").append(c.address()).append(' ').append(verb(c.action()))
                .append(" (").append(causeText(c)).append(")").append(desc).append('\n');
        b.append(c.action().symbol()).append(' ').append(c.address()).append('\n');
        c.paths().forEach(p -> b.append("    path: ").append(p).append('\n'));
        commands(b, c);
        for (Diff d : c.diffs()) {
            diff(b, c.address(), d);
        }
    }

    /** What will run: {@code command: make bzImage (in /usr/src/linux, network: off)}, one line each. */
    private static void commands(StringBuilder b, PlannedChange c) {
        for (Command k : c.commands()) {
            b.append("    command: ").append(indent(k.line().strip(), "             ")).append(" (").append(k.how()).append(")\n");
        }
    }

    static String causeText(PlannedChange c) {
        if (c.action() == Action.REFRESH) {
            return "notified by " + join(c.after());
        }
        if (c.cause() == dev.mosaic.engine.Cause.INPUT_CHANGED) {
            return "input changed: " + join(c.after());
        }
        return c.cause().word();
    }

    static String verb(Action a) {
        return switch (a) {
            case CREATE -> "will be created";
            case UPDATE -> "will be updated in place";
            case REPLACE -> "will be replaced";
            case DELETE -> "will be deleted";
            case REFRESH -> "will be refreshed";
            case NOOP -> "is unchanged";
        };
    }

    private static String join(List<Address> as) {
        return as.stream().map(Address::toString).collect(Collectors.joining(", "));
    }

    static void diff(StringBuilder b, Address address, Diff d) {
        if (d instanceof Diff.Field f) {
            if (f.before() == null) {
                b.append("    + ").append(f.field()).append(": ").append(f.after()).append('\n');
            } else if (f.after() == null) {
                b.append("    - ").append(f.field()).append(": ").append(f.before()).append('\n');
            } else {
                b.append("    ~ ").append(f.field()).append(": ").append(f.before()).append(" -> ").append(f.after()).append('\n');
            }
        } else if (d instanceof Diff.Content c) {
            content(b, address, c);
        } else if (d instanceof Diff.Tree t) {
            b.append("    ~ ").append(t.field()).append(": ").append(t.added().size()).append(" added, ")
                    .append(t.changed().size()).append(" changed, ").append(t.removed().size()).append(" removed\n");
            int shown = 0;
            for (String p : t.added()) {
                if (shown++ < MAX_DIFF_LINES) {
                    b.append("        + ").append(p).append('\n');
                }
            }
            for (String p : t.changed()) {
                if (shown++ < MAX_DIFF_LINES) {
                    b.append("        ~ ").append(p).append('\n');
                }
            }
            for (String p : t.removed()) {
                if (shown++ < MAX_DIFF_LINES) {
                    b.append("        - ").append(p).append('\n');
                }
            }
            if (shown > MAX_DIFF_LINES) {
                b.append("        … and ").append(shown - MAX_DIFF_LINES).append(" more\n");
            }
        }
    }

    private static void content(StringBuilder b, Address address, Diff.Content c) {
        Diff.Blob before = c.before();
        Diff.Blob after = c.after();
        boolean text = (before == null || before.text() != null) && after != null && after.text() != null;
        if (!text) {
            b.append(before == null ? "    + " : "    ~ ").append(c.field()).append(": ").append(blob(before)).append(" -> ").append(blob(after)).append('\n');
            return;
        }
        b.append(before == null ? "    + " : "    ~ ").append(c.field()).append(":\n");
        for (String line : unified(address, c.field(), before == null ? null : before.text(), after.text())) {
            b.append("        ").append(line).append('\n');
        }
    }

    /** Marks a last line that has no newline, so that adding or removing one shows as a change. */
    private static final String NO_EOL = "\u0000no-eol";

    /**
     * A unified diff with three lines of context, cut at {@link #MAX_DIFF_LINES}. A last line
     * without a newline is followed by GNU diff's {@code \ No newline at end of file}.
     */
    public static List<String> unified(Address address, String field, String before, String after) {
        List<String> a = before == null ? List.of() : lines(before);
        List<String> z = lines(after);
        Patch<String> patch = DiffUtils.diff(a, z);
        List<String> out = new java.util.ArrayList<>();
        for (String line : UnifiedDiffUtils.generateUnifiedDiff(
                before == null ? "/dev/null" : address + " (current)", address + " (desired)", a, patch, 3)) {
            if (a.isEmpty() && line.startsWith("@@ -1,0 ")) {
                line = "@@ -0,0 " + line.substring("@@ -1,0 ".length()); // what diff -u writes for new content
            }
            if (line.endsWith(NO_EOL)) {
                out.add(line.substring(0, line.length() - NO_EOL.length()));
                out.add("\\ No newline at end of file");
            } else {
                out.add(line);
            }
        }
        if (out.size() > MAX_DIFF_LINES) {
            int cut = out.size() - MAX_DIFF_LINES;
            out = new java.util.ArrayList<>(out.subList(0, MAX_DIFF_LINES));
            out.add("… " + cut + " more diff lines");
        }
        return out;
    }

    private static List<String> lines(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        List<String> l = new java.util.ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (text.endsWith("\n")) {
            l.remove(l.size() - 1);
        } else {
            l.set(l.size() - 1, l.get(l.size() - 1) + NO_EOL);
        }
        return l;
    }

    static String blob(Diff.Blob b) {
        if (b == null) {
            return "(none)";
        }
        return size(b.size()) + " sha256:" + b.sha256().substring(0, 12) + (b.text() == null ? " (binary or large)" : "");
    }

    static String size(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format(java.util.Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        return String.format(java.util.Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
    }

    private static String indent(String text, String pad) {
        return text.replace("\n", "\n" + pad);
    }
}
