package dev.mosaic.resource.archive;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * Where an archive can be had: an http(s) URL, a file on the control machine (a {@code file://}
 * URL, an absolute path, or a path relative to the playbook), or a file on the target
 * ({@code target:/usr/src/linux-source-6.1.tar.xz}, e.g. what a package put there).
 *
 * @param written as the playbook has it (the key of its pin in {@code mosaic.lock})
 * @param network fetched over http(s)
 * @param path    for a file on the control machine: its path, absolute or playbook-relative
 */
record Location(String written, boolean network, String path, boolean onTarget) {

    Location(String written, boolean network, String path) {
        this(written, network, path, false);
    }

    /** Parses a {@code source:} or {@code mirrors:} value; throws with a message for the user. */
    static Location parse(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        String lower = t.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            try {
                URI uri = new URI(t);
                if (uri.getHost() == null || uri.getHost().isEmpty()) {
                    throw new IllegalArgumentException("URL has no host: '" + t + "'");
                }
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not a valid URL: '" + t + "' (" + e.getReason() + ")");
            }
            return new Location(t, true, null);
        }
        if (lower.startsWith("file:")) {
            try {
                URI uri = new URI(t);
                String p = uri.getPath();
                if (p == null || !p.startsWith("/") || (uri.getHost() != null && !uri.getHost().isEmpty()
                        && !uri.getHost().equals("localhost"))) {
                    throw new IllegalArgumentException("a file URL names a local absolute path, like file:///srv/dist/x.tar.gz; got '" + t + "'");
                }
                return new Location(t, false, p);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not a valid URL: '" + t + "' (" + e.getReason() + ")");
            }
        }
        if (lower.startsWith("target:")) {
            String p = t.substring("target:".length());
            if (!p.startsWith("/")) {
                throw new IllegalArgumentException("a target: source names an absolute path on the target, like"
                        + " target:/usr/src/linux-source-6.1.tar.xz; got '" + t + "'");
            }
            return new Location(t, false, p, true);
        }
        if (t.matches("[A-Za-z][A-Za-z0-9+.-]*://.*")) {
            throw new IllegalArgumentException("unsupported URL scheme in '" + t + "'; use http://, https://, file:// or a path");
        }
        return new Location(t, false, t);
    }

    /** The path on the control machine, resolved against the playbook's directory. */
    String controlPath(Path baseDir) {
        return path.startsWith("/") ? Path.of(path).normalize().toString()
                : baseDir.resolve(path).toAbsolutePath().normalize().toString();
    }

    /** The last name of the path or URL path, decoded ({@code linux-2.4.22.tar.gz}); may be empty. */
    String fileName() {
        String p = path;
        if (network) {
            try {
                p = new URI(written).getPath();
            } catch (URISyntaxException e) {
                p = written;
            }
            if (p == null) {
                return "";
            }
        }
        int slash = p.lastIndexOf('/');
        return slash < 0 ? p : p.substring(slash + 1);
    }

    @Override
    public String toString() {
        return written;
    }
}
