package dev.mosaic.host;

import dev.mosaic.base.TargetPath;
import java.io.IOException;
import java.io.InputStream;

/**
 * A directory tree written whole where nothing was: what an archive unpacked into a destination
 * that does not exist yet uses instead of a {@link WriteBatch}. The entries are written as they
 * are (no temp file and rename per file) into a staging directory beside the destination, which
 * {@link #commit} flushes once and renames to the destination. So a kill leaves the destination
 * absent or complete, never a part of it, plus a staging directory that the next tree made at
 * that destination removes; a power loss never shows the tree without its content.
 *
 * <p>Paths are target paths: the destination itself or below it. Nothing in the staging directory
 * is reached through a symlink: every directory on the way is one this tree made. Not
 * thread-safe: one resource's apply writes through one tree.
 */
public interface NewTree extends AutoCloseable {

    /** Makes a directory (and its missing parents, 0755), writable by its owner until {@link #chmod}. */
    void mkdir(TargetPath path, int mode) throws IOException;

    /** Writes a new regular file holding {@code content} with permission {@code mode}; a second write replaces the first. */
    void write(TargetPath path, InputStream content, int mode) throws IOException;

    /** Makes a symbolic link; a second one of the same path replaces the first. */
    void symlink(TargetPath path, String target) throws IOException;

    /** The content of a file this tree wrote (a hard link of an archive is unpacked as its copy). */
    InputStream open(TargetPath path) throws IOException;

    /** Sets the mode of a directory this tree made (last, so that a read-only one could be filled). */
    void chmod(TargetPath path, int mode) throws IOException;

    /** Flushes the whole tree, then renames it to the destination; returns once that is on disk. */
    void commit() throws IOException;

    /** Without {@link #commit}: removes the staging directory, the destination stays absent. */
    @Override
    void close() throws IOException;
}
