package dev.mosaic.render;

import java.util.regex.Pattern;

/**
 * Color for people at a terminal, Terraform's palette: what is created green, deleted red,
 * changed yellow, headings bold. Applied to whole lines of text already rendered, by their shape
 * (the symbol a plan, an apply or a diagnostic starts its line with), so the renderers stay
 * plain and deterministic and a line off a terminal is never touched. The caller decides whether
 * to color at all (a terminal, no {@code NO_COLOR}, no {@code --no-color}, never JSON).
 */
public final class Colors {

    static final String RESET = "\033[0m";
    static final String BOLD = "\033[1m";
    static final String RED = "\033[31m";
    static final String GREEN = "\033[32m";
    static final String YELLOW = "\033[33m";
    static final String CYAN = "\033[36m";

    /** A resource's line: its symbol, then its address ({@code + file[motd]}, {@code -/+ build[k]: replaced}). */
    private static final Pattern RESOURCE = Pattern.compile("^(\\+|-|~|-/\\+|!|\\*) [\\w.-]+\\[");
    /** A field of a plan block ({@code     ~ mode: 0600 -> 0644}). */
    private static final Pattern FIELD = Pattern.compile("^ {4}[+~-] [\\w.-]+:");
    /** A line of a unified diff inside a plan block (indented 8). */
    private static final Pattern DIFF = Pattern.compile("^ {8}(\\+\\+\\+ |--- |@@ |[+-])");
    /** A diagnostic: {@code error: …}, {@code mosaic: error: …}, {@code file:3:5: error: …}, {@code warning: …}. */
    private static final Pattern PROBLEM = Pattern.compile("^(?:mosaic: |\\S+:\\d+:\\d+: )?(error|warning|internal error)\\b");

    private Colors() {
    }

    /** {@code line} (without its line break) with color codes around it, or as it is. */
    public static String line(String line) {
        if (line.isEmpty() || line.indexOf('\033') >= 0) {
            return line;
        }
        var resource = RESOURCE.matcher(line);
        if (resource.find()) {
            return paint(symbolColor(resource.group(1)), line);
        }
        if (FIELD.matcher(line).find()) {
            return paint(symbolColor(line.substring(4, 5)), line);
        }
        var diff = DIFF.matcher(line);
        if (diff.find()) {
            String d = diff.group(1);
            return paint(d.startsWith("@@") ? CYAN : d.length() > 1 ? BOLD : d.equals("+") ? GREEN : RED, line);
        }
        var problem = PROBLEM.matcher(line);
        if (problem.find()) {
            return paint(problem.group(1).equals("warning") ? YELLOW : RED, line);
        }
        if (line.startsWith("# ") || line.startsWith("Plan: ") || line.startsWith("Apply complete: ")
                || line.startsWith("No changes.")) {
            return paint(BOLD, line);
        }
        if (line.startsWith("Apply failed: ") || line.startsWith("Apply incomplete: ")) {
            return paint(BOLD + RED, line);
        }
        return line;
    }

    private static String symbolColor(String symbol) {
        return switch (symbol) {
            case "+" -> GREEN;
            case "-", "!" -> RED;
            case "*" -> CYAN;
            default -> YELLOW; // ~ and -/+
        };
    }

    private static String paint(String color, String line) {
        return color + line + RESET;
    }

    /**
     * Whether to color a stream: it is a terminal, {@code NO_COLOR} is unset or empty (the
     * no-color.org convention), the terminal is not {@code dumb}, and the user did not say
     * {@code --no-color}.
     */
    public static boolean wanted(boolean terminal, String noColorEnv, String termEnv, boolean noColorOption) {
        return terminal && !noColorOption && (noColorEnv == null || noColorEnv.isEmpty()) && !"dumb".equals(termEnv);
    }
}
