package dev.mosaic.resource;

import dev.mosaic.base.TargetPath;

/**
 * Helpers for absolute, '/'-separated target paths (which are not local {@code Path}s). What a
 * target path may be, and its one normalization, are {@link TargetPath}'s, which hosts use too.
 */
public final class TargetPaths {

    private TargetPaths() {
    }

    /** {@link TargetPath#normalize}: repeated and trailing slashes and "." parts dropped, ".." kept (never collapsed). */
    public static String normalize(String p) {
        return TargetPath.normalize(p);
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
