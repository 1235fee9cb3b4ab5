package dev.mosaic.kernel;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Unified diffs for tests, as {@code diff -u} writes them (three lines of context). */
public final class Diffs {

    private Diffs() {
    }

    /**
     * The unified diff of one file. {@code before == null} creates the file ({@code --- /dev/null}),
     * {@code after == null} deletes it. Texts end with a newline.
     */
    public static String unified(String oldName, String newName, String before, String after) {
        StringBuilder b = new StringBuilder();
        if (before == null) {
            List<String> z = lines(after);
            b.append("--- /dev/null\n+++ ").append(newName).append('\n');
            b.append("@@ -0,0 +1,").append(z.size()).append(" @@\n");
            z.forEach(l -> b.append('+').append(l).append('\n'));
            return b.toString();
        }
        if (after == null) {
            List<String> a = lines(before);
            b.append("--- ").append(oldName).append("\n+++ /dev/null\n");
            b.append("@@ -1,").append(a.size()).append(" +0,0 @@\n");
            a.forEach(l -> b.append('-').append(l).append('\n'));
            return b.toString();
        }
        List<String> a = lines(before);
        List<String> z = lines(after);
        for (String line : UnifiedDiffUtils.generateUnifiedDiff(oldName, newName, a, DiffUtils.diff(a, z), 3)) {
            b.append(line).append('\n');
        }
        return b.toString();
    }

    /** {@code unified("a/" + path, "b/" + path, …)}: the -p1 form. */
    public static String p1(String path, String before, String after) {
        return unified("a/" + path, "b/" + path, before, after);
    }

    static List<String> lines(String text) {
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("test texts end with a newline");
        }
        return new ArrayList<>(Arrays.asList(text.substring(0, text.length() - 1).split("\n", -1)));
    }

    /** {@code n} numbered lines, {@code prefix1} to {@code prefixN}, each ending with a newline. */
    public static String numbered(String prefix, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            b.append(prefix).append(i).append('\n');
        }
        return b.toString();
    }
}
