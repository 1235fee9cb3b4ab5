package dev.mosaic.resource.image;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Node images built on the control machine, by the digest of their inputs
 * ({@code CACHE/node-images/<inputs>/image} and its {@code manifest.json}): built once, copied to
 * every target that declares the same image. An entry appears whole (a directory renamed into
 * place) or not at all.
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

    /** A fresh private directory to build in, beside the entries. */
    Path staging() throws IOException {
        Files.createDirectories(root);
        return Files.createTempDirectory(root, ".staging-");
    }

    /** Moves a built image into the cache under {@code inputs}, with its manifest. */
    void store(String inputs, Path built, Manifest m) throws IOException {
        Path tmp = Files.createTempDirectory(root, ".entry-");
        Files.move(built, tmp.resolve("image"));
        Files.writeString(tmp.resolve("manifest.json"), JSON.writeValueAsString(m));
        Path dir = root.resolve(inputs);
        delete(dir);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    }

    static void delete(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
