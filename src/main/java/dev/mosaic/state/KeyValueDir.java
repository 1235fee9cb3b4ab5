package dev.mosaic.state;

import dev.mosaic.base.Sha256;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Small named values kept as one file each in a directory, written by temp file and atomic
 * rename. Used for each resource's notes; keys become file names (hashed when unsafe).
 */
public final class KeyValueDir {

    private static final java.util.regex.Pattern SAFE = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,80}");
    private static final java.util.regex.Pattern UNSAFE_CHAR = java.util.regex.Pattern.compile("[^A-Za-z0-9_.-]");

    private final Path base;
    /** The owner whose directory this is below {@code base}; null when {@code base} is the directory. */
    private final String owner;
    private volatile Path dir;

    public KeyValueDir(Path dir) {
        this(dir, null);
    }

    private KeyValueDir(Path base, String owner) {
        this.base = base;
        this.owner = owner;
        this.dir = owner == null ? base : null;
    }

    /**
     * The directory for one owner (e.g. a resource address) below {@code base}. Its name is
     * worked out on first use: most resources never use theirs, and every resource gets one.
     */
    public static KeyValueDir forOwner(Path base, String owner) {
        return new KeyValueDir(base, owner);
    }

    /** Whether the directory was seen to be a real one (not a link) by this object. */
    private volatile boolean checked;

    /**
     * Whether the directory exists, checked once: it and its parent must be real directories,
     * never links (a link planted there would read or write the owner's notes elsewhere).
     */
    private boolean checked(Path d) throws IOException {
        if (checked) {
            return true;
        }
        if (owner != null && StateDir.lstat(base).isPresent()) {
            StateDir.directory(base);
        }
        if (StateDir.lstat(d).isEmpty()) {
            return false;
        }
        StateDir.directory(d);
        checked = true;
        return true;
    }

    private Path dir() {
        Path d = dir;
        if (d == null) {
            d = base.resolve(safe(owner));
            dir = d;
        }
        return d;
    }

    public Optional<String> get(String key) throws IOException {
        Path d = dir();
        if (!checked(d)) {
            return Optional.empty();
        }
        return StateDir.read(d.resolve(safe(key))).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    public void put(String key, String value) throws IOException {
        Path dir = dir();
        if (!checked(dir)) {
            // The directory is made on the first write only: most puts go to one that exists.
            if (owner != null) {
                StateDir.directory(base);
            }
            StateDir.directory(dir);
            checked = true;
        }
        StateDir.writeAtomic(dir.resolve(safe(key)), value.getBytes(StandardCharsets.UTF_8));
    }

    static String safe(String name) {
        if (SAFE.matcher(name).matches() && !name.startsWith(".")) {
            return name;
        }
        String readable = UNSAFE_CHAR.matcher(name).replaceAll("_");
        return (readable.length() > 40 ? readable.substring(0, 40) : readable).replaceFirst("^\\.", "_")
                + "-" + Sha256.hex(name).substring(0, 16);
    }
}
