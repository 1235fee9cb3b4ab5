package dev.mosaic.resource.initrd;

import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;
import org.apache.commons.io.IOUtils;
import org.apache.commons.io.output.CloseShieldOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;

/**
 * A writer of deterministic {@code newc} ("070701") cpio archives, the format the Linux kernel
 * unpacks as an initramfs. Entries are collected, then written (by commons-compress) sorted by path with one mtime for
 * all, the owner each entry was given (root unless said otherwise) and sequential inode numbers.
 * A file's content is either in memory or a local file read while writing, so an image of a whole
 * root file system never sits in memory. Used by the {@code initrd} and {@code node_image} kinds.
 * Not thread-safe.
 */
public final class Cpio {

    static final int S_IFMT = 0170000;
    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;
    static final int S_IFCHR = 0020000;
    static final int S_IFBLK = 0060000;

    /** {@code data} for in-memory content, else {@code file} (of {@code size} bytes) for content on disk. */
    private record Entry(int mode, int uid, int gid, byte[] data, Path file, long size, int rdevMajor, int rdevMinor) {
        Entry(int mode, byte[] data) {
            this(mode, 0, 0, data, null, data.length, 0, 0);
        }
    }

    /** Paths without a leading slash, as the kernel expects ("bin/sh"). */
    private final TreeMap<String, Entry> entries = new TreeMap<>();

    public void dir(String path, int perm) {
        put(path, new Entry(S_IFDIR | perm, new byte[0]));
    }

    public void dir(String path, int perm, int uid, int gid) {
        put(path, new Entry(S_IFDIR | perm, uid, gid, new byte[0], null, 0, 0, 0));
    }

    public void file(String path, byte[] data, int perm) {
        put(path, new Entry(S_IFREG | perm, data));
    }

    /** A file whose content is read from the local file {@code content} when the archive is written. */
    public void file(String path, Path content, long size, int perm, int uid, int gid) {
        put(path, new Entry(S_IFREG | perm, uid, gid, null, content, size, 0, 0));
    }

    public void symlink(String path, String target) {
        put(path, new Entry(S_IFLNK | 0777, target.getBytes(StandardCharsets.UTF_8)));
    }

    void node(String path, boolean block, int major, int minor, int perm) {
        put(path, new Entry((block ? S_IFBLK : S_IFCHR) | perm, 0, 0, new byte[0], null, 0, major, minor));
    }

    boolean has(String path) {
        return entries.containsKey(strip(path));
    }

    private void put(String path, Entry e) {
        String p = strip(path);
        // Parents first, as directories, unless declared otherwise.
        for (int i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) {
            entries.putIfAbsent(p.substring(0, i), new Entry(S_IFDIR | 0755, new byte[0]));
        }
        entries.put(p, e);
    }

    private static String strip(String path) {
        String p = path;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        return p;
    }

    /** Writes every entry with mtime 0. */
    public void writeTo(OutputStream out) throws IOException {
        writeTo(out, 0);
    }

    /**
     * Writes every entry with {@code mtime} (seconds since the epoch), through commons-compress's
     * newc writer: headers in lowercase hex (the kernel and GNU cpio read either case), names and
     * data padded to four bytes, the trailer last and nothing after it. {@code out} stays open.
     */
    public void writeTo(OutputStream out, long mtime) throws IOException {
        try (CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(CloseShieldOutputStream.wrap(out),
                CpioConstants.FORMAT_NEW, 4, StandardCharsets.UTF_8.name())) {
            int ino = 1;
            for (var me : entries.entrySet()) {
                Entry e = me.getValue();
                if (e.size() > 0xFFFFFFFFL) {
                    throw new IOException(me.getKey() + " is larger than a newc cpio entry can hold (4 GiB)");
                }
                cpio.putArchiveEntry(header(me.getKey(), ino++, e, mtime));
                if (e.data() != null) {
                    cpio.write(e.data());
                } else {
                    try (InputStream in = Files.newInputStream(e.file())) {
                        // The header holds the size given; a file grown or shrunk since is refused, not cut.
                        if (IOUtils.copyLarge(in, cpio, 0, e.size()) != e.size() || in.read() != -1) {
                            throw new IOException(e.file() + " changed size while the archive was written");
                        }
                    }
                }
                cpio.closeArchiveEntry();
            }
        }
    }

    /** Root-owned unless given, one link (two for a directory), inodes numbered in path order. */
    private static CpioArchiveEntry header(String name, int ino, Entry e, long mtime) {
        CpioArchiveEntry h = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name, e.size());
        h.setInode(ino);
        h.setMode(e.mode());
        h.setUID(e.uid());
        h.setGID(e.gid());
        h.setNumberOfLinks((e.mode() & S_IFMT) == S_IFDIR ? 2 : 1);
        h.setTime(mtime);
        h.setRemoteDeviceMaj(e.rdevMajor());
        h.setRemoteDeviceMin(e.rdevMinor());
        return h;
    }

    byte[] toBytes() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        writeTo(b);
        return b.toByteArray();
    }
}
