package dev.mosaic.resource.archive;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as users write them ({@code 8GiB}, {@code 500MB}, {@code 1048576}) and as plans show them. */
final class Sizes {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(?:([kmgt])(i?)b?|b)?", Pattern.CASE_INSENSITIVE);

    private Sizes() {
    }

    /**
     * Parses a size: a plain number of bytes, or with a unit. {@code KiB}/{@code MiB}/{@code GiB}/
     * {@code TiB} and the bare letters {@code K}/{@code M}/{@code G}/{@code T} are powers of 1024;
     * {@code KB}/{@code MB}/{@code GB}/{@code TB} powers of 1000.
     */
    static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a size like 8GiB, 500MB or a number of bytes, got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        if (m.group(2) == null) {
            return n;
        }
        int power = "kmgt".indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1;
        boolean binary = !m.group(3).isEmpty() || !text.trim().toLowerCase(Locale.ROOT).endsWith("b");
        long unit = 1;
        for (int i = 0; i < power; i++) {
            unit *= binary ? 1024 : 1000;
        }
        if (n > Long.MAX_VALUE / unit) {
            throw new IllegalArgumentException("size too large: '" + text + "'");
        }
        return n * unit;
    }

    /** {@code 12.3 MiB}. */
    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }
}
