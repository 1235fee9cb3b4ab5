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

    private final Path dir;

    public KeyValueDir(Path dir) {
        this.dir = dir;
    }

    /** The directory for one owner (e.g. a resource address) below {@code base}. */
    public static KeyValueDir forOwner(Path base, String owner) {
        return new KeyValueDir(base.resolve(safe(owner)));
    }

    public Optional<String> get(String key) throws IOException {
        try {
            return Optional.of(Files.readString(dir.resolve(safe(key)), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    public void put(String key, String value) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(safe(key));
        Path tmp = dir.resolve("." + safe(key) + ".tmp");
        Files.writeString(tmp, value, StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String safe(String name) {
        if (name.matches("[A-Za-z0-9_.-]{1,80}") && !name.startsWith(".")) {
            return name;
        }
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            String readable = name.replaceAll("[^A-Za-z0-9_.-]", "_");
            return (readable.length() > 40 ? readable.substring(0, 40) : readable).replaceFirst("^\\.", "_")
                    + "-" + HexFormat.of().formatHex(h, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
