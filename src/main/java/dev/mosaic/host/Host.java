package dev.mosaic.host;

import dev.mosaic.base.TargetPath;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * The only door to a target machine: every file access and process that a resource needs goes
 * through here, so a resource works the same against a sandbox root, the local machine or (later)
 * a host over SSH.
 *
 * <p>All paths are absolute target paths ({@code /srv/tftp/pxelinux.0}); an implementation maps
 * them onto its storage (e.g. below {@code --root}) and must never touch anything outside it.
 * Methods that write are atomic where the operating system allows: a crash leaves either the old
 * or the new version of a path, never a mix. Implementations are thread-safe.
 */
public interface Host {

    /** How this host is named in plans and logs, e.g. {@code local} or {@code lab1}. */
    String name();

    /**
     * Whether this host is a sandbox root rather than a whole machine: what only a whole machine
     * has (its package database, its services) must not be touched through it.
     */
    default boolean isSandbox() {
        return false;
    }

    /** {@code lstat}: never follows a final symlink; {@link FileStat#ABSENT} when nothing is there. */
    FileStat stat(TargetPath path) throws IOException;

    /** The whole content of a regular file (follows symlinks). */
    byte[] read(TargetPath path) throws IOException;

    InputStream open(TargetPath path) throws IOException;

    /** Hex sha256 of a regular file's content, streamed. */
    String sha256(TargetPath path) throws IOException;

    /** The entries of a directory tree below {@code dir}, sorted by path, not following symlinks. */
    List<TreeEntry> walk(TargetPath dir) throws IOException;

    /**
     * Replaces {@code path} with a regular file holding {@code content} and permission {@code mode}
     * through a temp file in the same directory, flushed and renamed over the old path. The temp
     * file has a fresh name and is created exclusively: nothing planted at its name is followed.
     * A symlink or hard link at {@code path} is replaced, never written through.
     */
    void writeAtomic(TargetPath path, InputStream content, int mode) throws IOException;

    /**
     * A batch of atomic writes that share their flushes ({@link WriteBatch}): for a resource that
     * writes many files at once. By default each write is a {@link #writeAtomic} of its own.
     */
    default WriteBatch writes() {
        return WriteBatch.oneByOne(this);
    }

    /**
     * A directory tree written whole at {@code dest} ({@link NewTree}), which appears there at
     * once with mode {@code mode}, its parents made (0755). Empty when something is at
     * {@code dest} already, or when this host cannot stage a tree: then write through
     * {@link #writes}.
     */
    default Optional<NewTree> newTree(TargetPath dest, int mode) throws IOException {
        return Optional.empty();
    }

    /** Creates a directory and its missing parents (parents get mode 0755). */
    void mkdirs(TargetPath path, int mode) throws IOException;

    /** Creates or replaces (atomically) a symbolic link at {@code path} pointing to {@code target}. */
    void symlink(TargetPath path, String target) throws IOException;

    /**
     * Never through a symlink (refused: a link has no mode of its own). A regular file with other
     * hard links gets an inode of its own first, so the other names keep theirs.
     */
    void chmod(TargetPath path, int mode) throws IOException;

    /**
     * Changes owner and/or group; -1 leaves that one unchanged. Does not follow a final symlink; a
     * regular file with other hard links gets an inode of its own first, as for {@link #chmod}.
     */
    void chown(TargetPath path, int uid, int gid) throws IOException;

    /** Removes a file, symlink or empty directory; nothing when absent. */
    void delete(TargetPath path) throws IOException;

    /** Removes a directory tree (never following symlinks out of it). */
    void deleteTree(TargetPath path) throws IOException;

    /**
     * Runs a process on the host and waits for it. The working directory is a target path (below
     * the root for a sandboxed host); the process itself is not confined.
     */
    Exec.Result exec(Exec exec) throws IOException;

    /**
     * A number that changes whenever this host changes something (writes, deletes, runs a
     * command): what was observed at one value may be stale at another. -1 when the host does not
     * count: then nothing observed ahead may be used.
     */
    default long generation() {
        return -1;
    }

    /**
     * Runs a process that only looks (a dry run, a version query, a package database query): like
     * {@link #exec}, but a host that caches what it observed may keep its cache.
     */
    default Exec.Result query(Exec exec) throws IOException {
        return exec(exec);
    }

    /**
     * Whether {@link #exec} confines commands to the target (a local root: {@link Sandbox}); plans
     * say so next to each command they announce.
     */
    default boolean confinesCommands() {
        return false;
    }

    /**
     * A digest of a whole tree (paths, kinds, executable bits, contents, link targets), re-hashing
     * only files whose {@code lstat} changed since the last call (a stat cache, guarded against
     * the same-timestamp race as git does). Absent tree: digest of nothing.
     */
    TreeDigest digestTree(TargetPath dir) throws IOException;

    /**
     * Like {@link #digestTree(TargetPath)}, over the regular files whose name {@code names} accepts
     * only (e.g. every {@code Kconfig} of a kernel tree); directories do not count.
     */
    TreeDigest digestTree(TargetPath dir, java.util.function.Predicate<String> names) throws IOException;

    Optional<Integer> uidOf(String user) throws IOException;

    Optional<Integer> gidOf(String group) throws IOException;
}
