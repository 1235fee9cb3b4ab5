package dev.mosaic.host;

import dev.mosaic.base.TargetPath;
import java.io.IOException;
import java.io.InputStream;

/**
 * Many atomic writes of one resource, flushed together: what an archive unpack or a tree copy
 * uses instead of one {@link Host#writeAtomic} per file, whose flush to disk costs a journal
 * commit each.
 *
 * <p>Each {@link #write} reads its content whole into a temp file beside the path (as
 * {@code writeAtomic} does) but does not yet rename it; {@link #commit} flushes the temp files,
 * renames each over its path in the order written, then flushes their directories. So a kill at
 * any moment leaves each path old or new, never partial, plus temp files that the next write into
 * their directory removes; a power loss leaves no renamed file without its data. A host may
 * commit on its own once it holds many writes (see {@link LocalHost#writes}): a path may show its
 * new content before {@code commit}, never after it still the old.
 *
 * <p>{@link #close} without {@code commit} removes the temp files of what was not committed: the
 * paths keep what they had. Not thread-safe: one resource's apply writes through one batch.
 */
public interface WriteBatch extends AutoCloseable {

    /**
     * Writes {@code content} (read whole before this returns) to a temp file that becomes
     * {@code path}, with permission {@code mode}, at the next commit. A symlink at {@code path} is
     * replaced, never written through. Two writes of one path: the later one wins.
     */
    void write(TargetPath path, InputStream content, int mode) throws IOException;

    /** Every write so far has replaced its path, durably where the host flushes; returns when it has. */
    void commit() throws IOException;

    /** Removes the temp files of the writes not committed; nothing when all were. */
    @Override
    void close() throws IOException;

    /** A batch that writes each file at once through {@link Host#writeAtomic}: nothing to commit. */
    static WriteBatch oneByOne(Host host) {
        return new WriteBatch() {
            @Override
            public void write(TargetPath path, InputStream content, int mode) throws IOException {
                host.writeAtomic(path, content, mode);
            }

            @Override
            public void commit() {
                // each write replaced its path already
            }

            @Override
            public void close() {
                // nothing is left pending
            }
        };
    }
}
