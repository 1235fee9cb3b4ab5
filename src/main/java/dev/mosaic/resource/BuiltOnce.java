package dev.mosaic.resource;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.Host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Build once on the control machine, copy to every host: what the {@code build} kind's output
 * cache and the {@code node_image} kind share. Hosts of one run that need the same artifact wait
 * for the first one's build (a lock per cache key), and every copy is checked on arrival.
 */
public final class BuiltOnce {

    private static final ConcurrentHashMap<String, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private BuiltOnce() {
    }

    /** Serialises, within this process, the builds of one artifact ({@code key}) in one cache. */
    public static ReentrantLock lock(Path cacheDir, String key) {
        return LOCKS.computeIfAbsent(cacheDir.toAbsolutePath() + "/" + key, k -> new ReentrantLock());
    }

    /**
     * Writes the cached {@code blob} at {@code path} on {@code host} (atomically) and checks that
     * it arrived with {@code sha256}: a copy cut or altered on the way is an error, not a success.
     */
    public static void copy(Path blob, Host host, String path, int mode, String sha256) throws IOException, ResourceException {
        try (InputStream in = Files.newInputStream(blob)) {
            host.writeAtomic(TargetPath.of(path), in, mode);
        }
        String arrived = host.sha256(TargetPath.of(path));
        if (!arrived.equals(sha256)) {
            throw new ResourceException("the copy of " + path + " from the control machine's cache arrived with sha256 "
                    + arrived + " instead of " + sha256);
        }
    }
}
