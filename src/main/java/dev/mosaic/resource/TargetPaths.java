package dev.mosaic.resource;

/** Helpers for absolute, '/'-separated target paths (which are not local {@code Path}s). */
public final class TargetPaths {

    private TargetPaths() {
    }

    /** Collapses repeated and trailing slashes and "." parts; {@code /} stays {@code /}. */
    public static String normalize(String p) {
        StringBuilder b = new StringBuilder();
        for (String part : p.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            b.append('/').append(part);
        }
        return b.length() == 0 ? "/" : b.toString();
    }

    /** The parent path, or null for {@code /}. */
    public static String parent(String p) {
        if (p.equals("/")) {
            return null;
        }
        int i = p.lastIndexOf('/');
        return i == 0 ? "/" : p.substring(0, i);
    }

    /** Whether {@code p} is strictly below {@code dir}. */
    public static boolean isUnder(String p, String dir) {
        if (dir.equals("/")) {
            return !p.equals("/");
        }
        return p.length() > dir.length() && p.startsWith(dir) && p.charAt(dir.length()) == '/';
    }

    public static String join(String dir, String relative) {
        return dir.equals("/") ? "/" + relative : dir + "/" + relative;
    }
}
