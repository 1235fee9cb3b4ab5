package dev.mosaic.resource.archive;

import dev.mosaic.diag.Sensitive;
import dev.mosaic.resource.SpecReader;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** An {@code archive} resource's fields read into an {@link ArchiveSpec}, each checked with a message naming it. */
final class SpecParser {

    private SpecParser() {
    }

    static ArchiveSpec parse(SpecReader r) {
        Location source = location(r, "source", r.string("source"));
        List<Location> mirrors = new ArrayList<>();
        for (String m : r.stringList("mirrors")) {
            Location l = location(r, "mirrors", m);
            if (l != null) {
                mirrors.add(l);
            }
        }
        Optional<String> sha256 = r.optString("sha256").map(s -> s.trim().toLowerCase(Locale.ROOT))
                .map(s -> s.startsWith("sha256:") ? s.substring(7) : s);
        if (sha256.isPresent() && !sha256.get().matches("[0-9a-f]{64}")) {
            r.error("sha256", "expected 64 hexadecimal digits, got '" + r.optString("sha256").orElse("") + "'");
        }
        String dest = r.absolutePath("dest");
        ArchiveFormat format = ArchiveFormat.ofWord(r.word("format"));
        long strip = r.integer("strip_components");
        if (strip < 0 || strip > 1000) {
            r.error("strip_components", "expected a number of leading path parts to drop (0 or more), got " + strip);
        }
        if (strip > 0 && format.singleFile()) {
            r.error("strip_components", "a " + format.word() + " file holds one file, without paths to strip");
        }
        Optional<String> creates = r.optString("creates").map(p -> r.checkAbsolute("creates", p));
        boolean allowSetuid = r.bool("allow_setuid");
        long maxSize = 0;
        try {
            maxSize = Sizes.parse(r.string("max_size"));
            if (maxSize <= 0) {
                r.error("max_size", "must be more than 0");
            }
        } catch (IllegalArgumentException e) {
            r.error("max_size", e.getMessage());
        }
        double maxRatio = ratio(r.string("max_ratio"));
        if (!(maxRatio > 0) || Double.isInfinite(maxRatio)) {
            r.error("max_ratio", "expected a positive number, got '" + r.string("max_ratio") + "'");
        }
        long maxEntries = r.integer("max_entries");
        if (maxEntries <= 0) {
            r.error("max_entries", "must be more than 0");
        }
        if (r.failed() || source == null) {
            return null;
        }
        List<String> include = r.stringList("include");
        return new ArchiveSpec(source, mirrors, sha256, dest, format, (int) strip, creates, allowSetuid,
                maxSize, maxRatio, maxEntries, include, r.bool("rootfs"));
    }

    /** A {@code max_ratio}'s text as a number; -1 when it is none. */
    static double ratio(String text) {
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Location location(SpecReader r, String field, String text) {
        Location l;
        try {
            l = Location.parse(text);
        } catch (IllegalArgumentException e) {
            r.error(field, e.getMessage());
            return null;
        }
        String where = l.network() ? text.split("[?#]", 2)[0] : text;
        if (!Sensitive.redact(where).equals(where)) {
            // The scheme, host and path of a source are printed in plans and errors and kept in
            // the lock file and the state; only a query ("?token=…") is taken out of them.
            r.error(field, "a sensitive value (a sensitive variable, module param, ${env:…} or ${file:…}) is used in"
                    + " the " + (l.network() ? "host or path of the URL" : "path") + "; these are shown in plans and"
                    + " stored in the lock file and the state, so they must not hold a secret. Pass a token in the"
                    + " URL's query instead (https://host/file.tgz?token=${env:TOKEN}), which is never stored");
            return null;
        }
        return l;
    }
}
