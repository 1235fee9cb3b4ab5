package dev.mosaic.host;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * Mode and owner changes of a resolved local path, as {@link LocalHost} makes them: never through
 * a symlink (Linux links have no mode of their own: changing "its" mode would change what it
 * points to, maybe outside the root), and a regular file with other hard links first replaced by
 * a copy of its own, so that the other names (maybe outside the root) keep their inode as it was.
 */
final class Inodes {

    private Inodes() {
    }

    /** {@link LocalHost#chmod} of the resolved {@code p} ({@code path} for messages). */
    static void chmod(Path p, String path, int mode, boolean fsync) throws IOException {
        Map<String, Object> a = inodeOf(p);
        if ((Boolean) a.get("isSymbolicLink")) {
            throw new IOException("cannot change the mode of " + path + ": it is a symbolic link");
        }
        if (isShared(a)) {
            unshare(p, a, mode, -1, -1, fsync);
        } else if ((Boolean) a.get("isRegularFile") || (Boolean) a.get("isDirectory")) {
            AtomicWriter.setMode(p, mode);
        } else {
            // a fifo, socket or device: opening it to fchmod could block; chmod by name, as it is no link
            Files.setAttribute(p, "unix:mode", mode & 07777);
        }
    }

    /** {@link LocalHost#chown} of the resolved {@code p}. */
    static void chown(Path p, int uid, int gid, boolean fsync) throws IOException {
        Map<String, Object> a = inodeOf(p);
        if (isShared(a)) {
            unshare(p, a, (Integer) a.get("mode") & 07777, uid, gid, fsync);
            return;
        }
        if (uid != -1) { // -1: unchanged; larger ids than 2^31 - 1 are negative ints
            Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        }
        if (gid != -1) {
            Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        }
    }

    private static Map<String, Object> inodeOf(Path p) throws IOException {
        return Files.readAttributes(p, "unix:nlink,mode,uid,gid,lastModifiedTime,isRegularFile,isDirectory,isSymbolicLink",
                LinkOption.NOFOLLOW_LINKS);
    }

    /** A regular file with more names than this one: its inode is not only ours to change. */
    private static boolean isShared(Map<String, Object> a) {
        return (Boolean) a.get("isRegularFile") && (Integer) a.get("nlink") > 1;
    }

    /**
     * Replaces a hard-linked file by a copy (same content, owner, group and mtime) that has the
     * given mode and owner, through the atomic writer: the rename gives this name an inode of
     * its own and leaves the other names' inode as it was.
     */
    private static void unshare(Path p, Map<String, Object> a, int mode, int uid, int gid, boolean fsync) throws IOException {
        int newUid = uid != -1 ? uid : (Integer) a.get("uid");
        int newGid = gid != -1 ? gid : (Integer) a.get("gid");
        FileTime mtime = (FileTime) a.get("lastModifiedTime");
        try (FileChannel in = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            AtomicWriter.write(p, out -> Channels.newInputStream(in).transferTo(out), mode, fsync, null, tmp -> {
                Files.setAttribute(tmp, "unix:uid", newUid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(tmp, "unix:gid", newGid, LinkOption.NOFOLLOW_LINKS);
                Files.getFileAttributeView(tmp, java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(mtime, null, null);
            });
        }
    }
}
