package dev.mosaic.resource.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.base.AtomicFile;
import org.apache.commons.io.file.PathUtils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * Node images built on the control machine, by the digest of their inputs
 * ({@code CACHE/node-images/<inputs>/image} and its {@code manifest.json}): built once, copied to
 * every target that declares the same image. An entry appears whole (a directory renamed into
 * place, its files and the name forced to disk) or not at all.
 */
final class ImageCache {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The image's digest and size, the host it was first built for, and its packages ("name version"). */
    record Manifest(String sha256, long size, String builtFor, List<String> packages) {
    }

    private final Path root;

    ImageCache(Path cacheDir) {
        this.root = cacheDir.resolve("node-images");
    }

    Path image(String inputs) {
        return root.resolve(inputs).resolve("image");
    }

    Optional<Manifest> manifest(String inputs) {
        Path m = root.resolve(inputs).resolve("manifest.json");
        if (!Files.isRegularFile(m) || !Files.isRegularFile(image(inputs))) {
            return Optional.empty();
        }
        try {
            Manifest read = JSON.readValue(m.toFile(), Manifest.class);
            // A truncated image (a full disk, a kill) is built again rather than copied.
            return Files.size(image(inputs)) == read.size() ? Optional.of(read) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * A fresh private directory to build in, beside the entries. What a killed build left there
     * a day ago or more is removed first (no build takes that long, so none is running in it).
     */
    Path staging() throws IOException {
        Files.createDirectories(root);
        java.time.Instant dayAgo = java.time.Instant.now().minus(java.time.Duration.ofDays(1));
        try (var list = Files.list(root)) {
            for (Path p : list.toList()) {
                String n = p.getFileName().toString();
                if ((n.startsWith(".staging-") || n.startsWith(".entry-"))
                        && Files.getLastModifiedTime(p, java.nio.file.LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(dayAgo)) {
                    PathUtils.delete(p);
                }
            }
        }
        return Files.createTempDirectory(root, ".staging-");
    }

    /** Moves a built image into the cache under {@code inputs}, with its manifest. */
    void store(String inputs, Path built, Manifest m) throws IOException {
        Path tmp = Files.createTempDirectory(root, ".entry-");
        Files.move(built, tmp.resolve("image"));
        AtomicFile.forceFile(tmp.resolve("image"));
        AtomicFile.write(tmp.resolve("manifest.json"), JSON.writeValueAsBytes(m));
        Path dir = root.resolve(inputs);
        PathUtils.delete(dir); // an entry stored before (links inside are removed, never followed)
        // The entry appears whole, and stays there after a power loss.
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        AtomicFile.forceDirectory(root);
    }
}
