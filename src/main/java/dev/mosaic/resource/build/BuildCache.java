package dev.mosaic.resource.build;

import dev.mosaic.base.TargetPath;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.base.AtomicFile;
import dev.mosaic.base.ContentStore;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.host.TreeEntry;
import dev.mosaic.resource.BuiltOnce;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.TargetPaths;

import org.apache.commons.io.file.PathUtils;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Build once, copy to the others: the outputs of a successful build, kept on the control machine
 * under the fingerprint its inputs had before it ran ({@code CACHE/builds/<fingerprint>/}). A host
 * whose build has the same fingerprint receives those outputs, each verified by its sha256,
 * instead of compiling again. Hosts of one run that reach the same fingerprint at once wait for
 * the first one's build ({@link #lock}).
 */
final class BuildCache {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One output file: where it goes on the target, its mode and digest. */
    record Item(String path, int mode, String sha256, String link) {
    }

    /** What a cache entry holds, and which host built it. */
    record Manifest(String builtOn, List<Item> items) {
    }

    private final Path dir;

    BuildCache(Path cacheDir, String fingerprint) {
        this.dir = cacheDir.resolve("builds").resolve(fingerprint);
    }

    /** Serialises the builds of one fingerprint within this process. */
    static ReentrantLock lock(Path cacheDir, String fingerprint) {
        return BuiltOnce.lock(cacheDir, "builds/" + fingerprint);
    }

    Optional<Manifest> manifest() {
        Path m = dir.resolve("manifest.json");
        if (!Files.isRegularFile(m)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(m.toFile(), Manifest.class));
        } catch (IOException e) {
            return Optional.empty(); // damaged: built again, and stored anew
        }
    }

    /** Keeps the outputs {@code host} just built (files, symlinks, and trees of them). */
    void store(Host host, List<String> outputs) throws IOException {
        Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        PathUtils.delete(tmp); // a run killed before its move; links inside are removed, never followed
        Files.createDirectories(tmp.resolve("files"));
        List<Item> items = new ArrayList<>();
        for (String out : outputs) {
            FileStat s = host.stat(TargetPath.of(out));
            if (s.isDirectory()) {
                for (TreeEntry e : host.walk(TargetPath.of(out))) {
                    if (!e.stat().isDirectory()) {
                        items.add(keep(host, TargetPaths.join(out, e.relativePath()), e.stat(), tmp));
                    }
                }
            } else if (s.exists()) {
                items.add(keep(host, out, s, tmp));
            }
        }
        AtomicFile.write(tmp.resolve("manifest.json"), JSON.writeValueAsBytes(new Manifest(host.name(), items)));
        AtomicFile.forceDirectory(tmp.resolve("files"));
        PathUtils.delete(dir);
        Files.createDirectories(dir.getParent());
        // The entry appears whole under its fingerprint, and stays there after a power loss.
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        AtomicFile.forceDirectory(dir.getParent());
    }

    private static Item keep(Host host, String path, FileStat s, Path tmp) throws IOException {
        if (s.isSymlink()) {
            return new Item(path, 0777, null, s.linkTarget());
        }
        String sha;
        try (InputStream in = host.open(TargetPath.of(path))) {
            sha = new ContentStore(tmp.resolve("files")).put(in);
        }
        return new Item(path, s.mode(), sha, null);
    }

    /**
     * Writes the cached outputs on {@code host} (atomically, each file) and checks that every
     * one arrived with its digest.
     */
    void copyTo(Host host, Manifest m) throws IOException, ResourceException {
        for (Item item : m.items()) {
            if (item.link() != null) {
                host.symlink(TargetPath.of(item.path()), item.link());
                continue;
            }
            BuiltOnce.copy(dir.resolve("files").resolve(item.sha256()), host, item.path(), item.mode(), item.sha256());
        }
    }
}
