package dev.mosaic.state;

import dev.mosaic.base.ContentStore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * The content-addressed copies of files Mosaic overwrote or deleted on a target
 * ({@code STATE/backups/<sha256>}), for {@code mosaic restore}. The same content is kept once.
 * The store is capped in size: {@link #trim()} removes the least recently stored copies first
 * until the total fits. Thread-safe (each copy is written to a temp file and renamed). The
 * copies are a {@link ContentStore} in a directory of the state, checked like the rest of it.
 */
public final class BackupStore {

    /** 256 MiB: a few kernels and initrds, and thousands of configuration files. */
    public static final long DEFAULT_CAP = 256L * 1024 * 1024;

    private final Path dir;
    private final long cap;
    private final ContentStore store;

    public BackupStore(Path dir, long cap) {
        this.dir = dir;
        this.cap = cap;
        this.store = new ContentStore(dir);
    }

    /** The store of the target whose state lives in {@code stateDir}, with the default cap. */
    public static BackupStore of(Path stateDir) {
        return new BackupStore(stateDir.resolve("backups"), DEFAULT_CAP);
    }

    public Path dir() {
        return dir;
    }

    /**
     * Keeps {@code content} and returns its sha256 (hex). Storing what is already kept only renews
     * it. The copy is on disk when this returns ({@link ContentStore}): the change it backs up is
     * made after, so a crash never leaves a change whose copy was lost.
     */
    public String put(InputStream content) throws IOException {
        StateDir.directory(dir); // a link there is refused: never written through
        return store.put(content);
    }

    /** The kept content with that digest, if it is still kept (the cap may have removed it). */
    public Optional<byte[]> get(String sha256) throws IOException {
        Optional<BasicFileAttributes> d = StateDir.lstat(dir);
        if (!ContentStore.isDigest(sha256) || d.isEmpty() || !d.get().isDirectory()) {
            return Optional.empty(); // no copies, or a link where they should be: never read through it
        }
        return store.get(sha256); // a link there is not a copy Mosaic kept; a damaged copy is none
    }

    /** Removes the oldest copies until the store holds at most its cap. Returns how many went. */
    public synchronized int trim() throws IOException {
        if (StateDir.lstat(dir).isEmpty()) {
            return 0;
        }
        StateDir.directory(dir); // a link there is refused: never list nor delete through it
        return store.trim(cap);
    }
}
