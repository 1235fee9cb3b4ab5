package dev.mosaic.host;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the sha256 of files by their cheap metadata (size, mtime in ns, file key), so that an
 * unchanged file is never read twice. Like git's index it guards against the "racy" case: an entry
 * recorded less than {@link #RACY_NANOS} after the file's mtime is not trusted, because the file
 * could still have changed within the same timestamp tick. Thread-safe.
 */
public final class StatCache {

    static final long RACY_NANOS = 2_000_000_000L;
    private static final int MAGIC = 0x4d535443; // "MSTC"

    record Entry(long size, long mtimeNanos, String fileKey, long recordedNanos, String sha256) {
    }

    private final Path file;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private volatile boolean dirty;

    private StatCache(Path file) {
        this.file = file;
    }

    /** Loads the cache kept in {@code file}; a missing or damaged file is an empty cache. */
    public static StatCache load(Path file) {
        StatCache c = new StatCache(file);
        if (file == null) {
            return c;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS), 1 << 16))) {
            if (in.readInt() != MAGIC) {
                return c;
            }
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                String path = in.readUTF();
                c.entries.put(path, new Entry(in.readLong(), in.readLong(), in.readUTF(), in.readLong(), in.readUTF()));
            }
        } catch (NoSuchFileException e) {
            // first run
        } catch (IOException | RuntimeException e) {
            c.entries.clear(); // damaged: rebuilt from the files themselves
        }
        return c;
    }

    /** The cached digest when the metadata matches and the entry is not racy. */
    public String lookup(String path, long size, long mtimeNanos, String fileKey) {
        Entry e = entries.get(path);
        if (e == null || e.size() != size || e.mtimeNanos() != mtimeNanos || !e.fileKey().equals(fileKey)) {
            return null;
        }
        return e.recordedNanos() - mtimeNanos > RACY_NANOS ? e.sha256() : null;
    }

    void record(String path, long size, long mtimeNanos, String fileKey, String sha256) {
        record(path, size, mtimeNanos, fileKey, sha256, System.currentTimeMillis() * 1_000_000L);
    }

    /**
     * @param recordedNanos when the hash was taken, by the clock of the machine that holds the file
     *                      (a remote host's clock may differ from this one's)
     */
    public void record(String path, long size, long mtimeNanos, String fileKey, String sha256, long recordedNanos) {
        Entry fresh = new Entry(size, mtimeNanos, fileKey, recordedNanos, sha256);
        Entry old = entries.put(path, fresh);
        // A racy file is hashed again on every run until its mtime is old enough; recording the
        // same digest again while it is still racy makes the entry no more trusted, so it is no
        // reason to rewrite the cache (a no-op apply then writes nothing).
        boolean sameAndStillRacy = old != null && old.size() == size && old.mtimeNanos() == mtimeNanos
                && old.fileKey().equals(fileKey) && old.sha256().equals(sha256) && recordedNanos - mtimeNanos <= RACY_NANOS;
        if (!sameAndStillRacy) {
            dirty = true;
        }
    }

    /** Writes the cache atomically when it changed. */
    public synchronized void save() throws IOException {
        if (!dirty || file == null) {
            return;
        }
        Files.createDirectories(file.getParent());
        // Through the atomic writer: a fresh O_EXCL temp name, never a link planted beside the cache.
        AtomicWriter.write(file, raw -> {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 16));
            out.writeInt(MAGIC);
            Map<String, Entry> snapshot = Map.copyOf(entries);
            out.writeInt(snapshot.size());
            for (Map.Entry<String, Entry> me : snapshot.entrySet()) {
                Entry e = me.getValue();
                out.writeUTF(me.getKey());
                out.writeLong(e.size());
                out.writeLong(e.mtimeNanos());
                out.writeUTF(e.fileKey());
                out.writeLong(e.recordedNanos());
                out.writeUTF(e.sha256());
            }
            out.flush();
        }, 0644, false);
        dirty = false;
    }
}
