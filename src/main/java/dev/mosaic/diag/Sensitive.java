package dev.mosaic.diag;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sensitive values this process has read (variables declared {@code sensitive}, values from
 * {@code ${env:…}} and {@code ${file:…}}, sensitive module params, and every value built from
 * one), for the last line of defence: every output sink (the CLI's stdout and stderr, resource
 * logs, reports) passes its text through {@link #scrub}, which replaces each occurrence with
 * {@code (sensitive)}. Plans do not rely on it: resources built from a sensitive value show
 * {@code (sensitive)} in place of their diffs.
 *
 * <p>A value is matched in every form an output could give it ({@link #forms}): as it is,
 * JSON-escaped (a build line in {@code apply --json}), URL-encoded (a token in a URL), base64
 * (an authorization header in a debug line) and quoted for a POSIX shell (a command sent over
 * SSH). Values shorter than {@link #MIN_LENGTH} characters are not scrubbed as literals: "on" or
 * "22" would blank out ordinary text. Thread-safe; values are kept for the life of the process.
 */
public final class Sensitive {

    /** Shown in place of a sensitive value. */
    public static final String SHOWN = "(sensitive)";

    public static final int MIN_LENGTH = 6;

    /** Every form of every registered value, longest first (so that a longer match wins). */
    private static final Set<String> FORMS = ConcurrentHashMap.newKeySet();
    private static volatile List<String> longestFirst = List.of();
    /** The forms of the values as they entered (not of values built from them): see {@link #redact}. */
    private static final Set<String> SOURCE_FORMS = ConcurrentHashMap.newKeySet();
    private static volatile List<String> sourcesLongestFirst = List.of();

    private Sensitive() {
    }

    /**
     * Remembers a sensitive value as it entered (a variable, an {@code ${env:…}}, a file's text),
     * each line of a multi-line value too, as logs print lines.
     */
    public static void register(String value) {
        add(value, true);
    }

    /**
     * Remembers a value built from a sensitive one ({@code "password=${secret}"}): scrubbed from
     * outputs like the others, but not taken out of URLs by {@link #redact}, whose job is to keep
     * what is not secret.
     */
    public static void registerDerived(String value) {
        add(value, false);
    }

    private static synchronized void add(String value, boolean source) {
        Set<String> values = new LinkedHashSet<>();
        for (String v : value.split("\n")) {
            String t = v.strip();
            if (t.length() >= MIN_LENGTH) {
                values.add(t);
            }
        }
        if (value.strip().length() >= MIN_LENGTH) {
            values.add(value);
        }
        boolean added = false;
        boolean addedSource = false;
        for (String v : values) {
            for (String f : forms(v)) {
                added |= FORMS.add(f);
                if (source) {
                    addedSource |= SOURCE_FORMS.add(f);
                }
            }
        }
        if (added) {
            longestFirst = FORMS.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
        }
        if (addedSource) {
            sourcesLongestFirst = SOURCE_FORMS.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
        }
    }

    /** The text with every form of every registered value replaced by {@code (sensitive)}. */
    public static String scrub(String text) {
        return replace(text, longestFirst);
    }

    /**
     * The text with the values that entered as sensitive replaced by {@code (sensitive)}, and the
     * rest kept: an archive URL {@code https://host/x.tgz?token=${env:T}} becomes
     * {@code https://host/x.tgz?token=(sensitive)}, a key that can be stored (the lock file pins
     * by it) because it tells the same files apart without holding the token.
     */
    public static String redact(String text) {
        return replace(text, sourcesLongestFirst);
    }

    private static String replace(String text, List<String> forms) {
        if (forms.isEmpty() || text == null) {
            return text;
        }
        String out = text;
        for (String f : forms) {
            if (out.contains(f)) {
                out = out.replace(f, SHOWN);
            }
        }
        return out;
    }

    /**
     * The forms in which {@code value} can show in an output: raw; JSON-escaped (also with
     * non-ASCII as {@code \\uXXXX}); URL-encoded (spaces as {@code +} and as {@code %20});
     * inside single quotes of a POSIX shell, once and twice quoted; and base64 — the part of the
     * encoding that does not depend on the bytes around the value, at each of the three
     * alignments it can have inside a longer encoded text.
     */
    static Set<String> forms(String value) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(value);
        for (String hex : List.of("\\u%04X", "\\u%04x")) {
            forms.add(json(value, false, hex));
            forms.add(json(value, true, hex));
        }
        String url = URLEncoder.encode(value, StandardCharsets.UTF_8);
        forms.add(url);
        forms.add(url.replace("+", "%20"));
        String quoted = value.replace("'", "'\\''");
        forms.add(quoted);
        forms.add(quoted.replace("'", "'\\''"));
        byte[] raw = value.getBytes(StandardCharsets.UTF_8);
        for (int shift = 0; shift < 3; shift++) {
            byte[] padded = new byte[shift + raw.length];
            System.arraycopy(raw, 0, padded, shift, raw.length);
            String b64 = Base64.getEncoder().withoutPadding().encodeToString(padded);
            // Leave out the characters that also depend on the unknown bytes before and after.
            int from = shift == 0 ? 0 : shift == 1 ? 2 : 3;
            int to = ((shift + raw.length) / 3) * 4;
            if (to - from >= 8) {
                forms.add(b64.substring(from, to));
                // The URL-safe alphabet: the same text with two characters swapped.
                forms.add(b64.substring(from, to).replace('+', '-').replace('/', '_'));
            }
        }
        forms.removeIf(f -> f.length() < MIN_LENGTH);
        return forms;
    }

    /** As a JSON encoder writes the value inside a string ('/' is not escaped; {@code hex}: upper or lower case). */
    private static String json(String s, boolean asciiOnly, String hex) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || (asciiOnly && c > 0x7e)) {
                        b.append(String.format(hex, (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
