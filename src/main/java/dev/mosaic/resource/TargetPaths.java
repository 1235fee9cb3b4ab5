package dev.mosaic.resource;

import dev.mosaic.base.TargetPath;

/**
 * Helpers on the raw text of target paths, before it is a {@link TargetPath}: a spec's field (kept
 * as text, since specs are digested as they are written), a path a graph or a plan compares as
 * text, or a link's text, which may hold {@code ..}. What a target path may be, and its one
 * normalization, are {@link TargetPath}'s; a host takes only the value.
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
