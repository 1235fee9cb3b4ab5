package dev.mosaic.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
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

    private Path dir() {
        Path d = dir;
        if (d == null) {
            d = base.resolve(safe(owner));
            dir = d;
        }
        return d;
    }

    public Optional<String> get(String key) throws IOException {
        try {
            return Optional.of(Files.readString(dir().resolve(safe(key)), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    public void put(String key, String value) throws IOException {
        Path dir = dir();
        Path target = dir.resolve(safe(key));
        Path tmp = dir.resolve("." + safe(key) + ".tmp");
        try {
            Files.writeString(tmp, value, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            // The directory is made on the first write only: most puts go to one that exists.
            Files.createDirectories(dir);
            Files.writeString(tmp, value, StandardCharsets.UTF_8);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String safe(String name) {
        if (SAFE.matcher(name).matches() && !name.startsWith(".")) {
            return name;
        }
        try {
            byte[] h = ((java.security.MessageDigest) SHA256.clone()).digest(name.getBytes(StandardCharsets.UTF_8));
            String readable = UNSAFE_CHAR.matcher(name).replaceAll("_");
            return (readable.length() > 40 ? readable.substring(0, 40) : readable).replaceFirst("^\\.", "_")
                    + "-" + HexFormat.of().formatHex(h, 0, 8);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Cloned for each use: cheaper than looking the algorithm up each time. */
    private static final java.security.MessageDigest SHA256;

    static {
        try {
            SHA256 = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
