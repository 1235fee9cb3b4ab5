package dev.mosaic.base;

import java.io.IOException;

/**
 * A target path ({@code /srv/tftp/pxelinux.0}): the one kind of path a host accepts, as a value.
 * A {@code TargetPath} is absolute, normalized and holds no {@code ..} and no NUL, by
 * construction: {@link #of} is its only door from text, so no host can be handed a path that was
 * never checked. Equality, order and {@link #toString} are those of its normalized text.
 *
 * <p>A {@code ..} is refused, never collapsed: collapsing it as text ({@code /a/b/..} is
 * {@code /a}) is wrong where {@code b} is a symbolic link, and resolving it on the target would
 * make the answer depend on the host — a local root and an SSH server must never disagree on which
 * file a path names. Repeated slashes, a trailing slash and {@code .} components carry no meaning
 * and are dropped. The static helpers ({@link #normalize}, {@link #problem}, {@link #hasDotDot})
 * apply the same rule to raw text, for code that checks a playbook's text before it is a path.
 */
public final class TargetPath implements Comparable<TargetPath> {

    /** {@code /}. */
    public static final TargetPath ROOT = new TargetPath("/");

    private final String text;

    private TargetPath(String text) {
        this.text = text;
    }

    /**
     * The target path {@code p} names, normalized; an {@link IOException} saying why when it is
     * none (relative, a {@code ..} in it, a NUL): the messages of {@link #problem}.
     */
    public static TargetPath of(String p) throws IOException {
        if (isNormal(p)) {
            return p.length() == 1 ? ROOT : new TargetPath(p);
        }
        String problem = problem(p);
        if (problem != null) {
            throw new IOException(problem);
        }
        return new TargetPath(normalize(p));
    }

    /**
     * Whether {@code p} is a target path in normal form already (absolute, no empty, {@code .} or
     * {@code ..} component, no NUL, no trailing slash): one pass over the text, no copy.
     */
    private static boolean isNormal(String p) {
        int n = p.length();
        if (n == 0 || p.charAt(0) != '/') {
            return false;
        }
        if (n == 1) {
            return true;
        }
        int start = 1; // start of the current component
        for (int i = 1; i <= n; i++) {
            char c = i < n ? p.charAt(i) : '/';
            if (c == '\0') {
                return false;
            }
            if (c == '/') {
                int len = i - start;
                if (len == 0 || (p.charAt(start) == '.' && (len == 1 || (len == 2 && p.charAt(start + 1) == '.')))) {
                    return false;
                }
                start = i + 1;
            }
        }
        return true;
    }

    /** The normalized text, e.g. {@code /srv/tftp}. */
    public String text() {
        return text;
    }

    /** Whether this is {@code /}. */
    public boolean isRoot() {
        return text.length() == 1;
    }

    /** The directory this path is in, or null for {@code /}. */
    public TargetPath parent() {
        if (isRoot()) {
            return null;
        }
        int i = text.lastIndexOf('/');
        return i == 0 ? ROOT : new TargetPath(text.substring(0, i));
    }

    /** The last component ({@code pxelinux.0} of {@code /srv/tftp/pxelinux.0}); "" for {@code /}. */
    public String name() {
        return text.substring(text.lastIndexOf('/') + 1);
    }

    /** Whether this path lies strictly below {@code dir}. */
    public boolean isUnder(TargetPath dir) {
        if (dir.isRoot()) {
            return !isRoot();
        }
        return text.length() > dir.text.length() && text.startsWith(dir.text) && text.charAt(dir.text.length()) == '/';
    }

    /**
     * The child {@code name} of this directory. A name is one component: one holding {@code /} or
     * a NUL, and {@code ""}, {@code .} and {@code ..}, are refused.
     */
    public TargetPath resolve(String name) throws IOException {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new IOException("refusing '" + name.replace('\0', '?') + "' below " + text
                    + ": a name in a directory is one component, not empty, '.' or '..', without '/' or NUL");
        }
        return new TargetPath(isRoot() ? "/" + name : text + "/" + name);
    }

    /**
     * The path {@code relative} (components separated by {@code /}, e.g. an archive entry's
     * {@code boot/grub/grub.cfg}) names below this directory: refused as {@link #of} refuses the
     * joined text, so a {@code ..} in it never climbs out.
     */
    public TargetPath join(String relative) throws IOException {
        return of(isRoot() ? "/" + relative : text + "/" + relative);
    }

    /** The path of this one below {@code dir} as relative text ({@code a/b}), or "" when it is {@code dir}. */
    public String relativeTo(TargetPath dir) {
        if (equals(dir)) {
            return "";
        }
        if (!isUnder(dir)) {
            throw new IllegalArgumentException(text + " is not below " + dir.text);
        }
        return text.substring(dir.isRoot() ? 1 : dir.text.length() + 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TargetPath t && t.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public int compareTo(TargetPath o) {
        return text.compareTo(o.text);
    }

    @Override
    public String toString() {
        return text;
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
}
