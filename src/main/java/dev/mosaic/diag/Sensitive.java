package dev.mosaic.diag;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sensitive values this process has read (variables declared {@code sensitive}, values from
 * {@code ${env:…}} and {@code ${file:…}}, sensitive module params), for the last line of defence:
 * every output sink (the CLI's stdout and stderr, resource logs) passes its text through
 * {@link #scrub}, which replaces any literal occurrence with {@code (sensitive)}. Plans do not rely
 * on it: resources built from a sensitive value show {@code (sensitive)} in place of their diffs.
 *
 * <p>Values shorter than {@link #MIN_LENGTH} characters are not scrubbed as literals: "on" or
 * "22" would blank out ordinary text. Thread-safe; values are kept for the life of the process.
 */
public final class Sensitive {

    /** Shown in place of a sensitive value. */
    public static final String SHOWN = "(sensitive)";

    public static final int MIN_LENGTH = 6;

    private static final Set<String> VALUES = ConcurrentHashMap.newKeySet();
    private static volatile List<String> longestFirst = List.of();

    private Sensitive() {
    }

    /** Remembers a sensitive value (each line of a multi-line value too, as logs print lines). */
    public static void register(String value) {
        boolean added = false;
        for (String v : value.split("\n")) {
            String t = v.strip();
            if (t.length() >= MIN_LENGTH) {
                added |= VALUES.add(t);
            }
        }
        if (value.strip().length() >= MIN_LENGTH) {
            added |= VALUES.add(value);
        }
        if (added) {
            longestFirst = VALUES.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
        }
    }

    /** The text with every registered value replaced by {@code (sensitive)}. */
    public static String scrub(String text) {
        List<String> values = longestFirst;
        if (values.isEmpty() || text == null) {
            return text;
        }
        String out = text;
        for (String v : values) {
            if (out.contains(v)) {
                out = out.replace(v, SHOWN);
            }
        }
        return out;
    }
}
