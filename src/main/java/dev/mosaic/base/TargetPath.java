package dev.mosaic.base;

import java.io.IOException;

/**
 * The one rule for the text of a target path ({@code /srv/tftp/pxelinux.0}): what the playbook
 * checks, what {@code resource.TargetPaths} normalizes, and what every host accepts.
 *
 * <p>A target path is absolute and holds no {@code ..} component. A {@code ..} is refused, never
 * collapsed: collapsing it as text ({@code /a/b/..} is {@code /a}) is wrong where {@code b} is a
 * symbolic link, and resolving it on the target would make the answer depend on the host — a
 * local root and an SSH server must never disagree on which file a path names. Repeated slashes,
 * a trailing slash and {@code .} components carry no meaning and are dropped.
 */
public final class TargetPath {

    private TargetPath() {
    }

    /**
     * Drops repeated and trailing slashes and {@code .} components, keeps {@code ..} (see
     * {@link #problem}); {@code /} stays {@code /}, and a relative text is read from {@code /}.
     */
    public static String normalize(String p) {
        StringBuilder b = new StringBuilder(p.length() + 1);
        for (String part : p.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            b.append('/').append(part);
        }
        return b.length() == 0 ? "/" : b.toString();
    }

    /** Whether {@code p} has a {@code ..} component. */
    public static boolean hasDotDot(String p) {
        for (String part : p.split("/")) {
            if (part.equals("..")) {
                return true;
            }
        }
        return false;
    }

    /** Why {@code p} is no target path (relative, a {@code ..} in it, a NUL), or null when it is one. */
    public static String problem(String p) {
        if (!p.startsWith("/")) {
            return "not an absolute path: '" + p + "'";
        }
        if (p.indexOf('\0') >= 0) {
            return "refusing '" + p.replace('\0', '?') + "': a path cannot hold a NUL character";
        }
        if (hasDotDot(p)) {
            return "refusing '" + p + "': a target path may not hold '..' (it is never resolved, on any host)";
        }
        return null;
    }

    /** The normalized {@code p}, or an {@link IOException} saying why it is no target path: what a host calls first. */
    public static String checked(String p) throws IOException {
        String problem = problem(p);
        if (problem != null) {
            throw new IOException(problem);
        }
        return normalize(p);
    }
}
