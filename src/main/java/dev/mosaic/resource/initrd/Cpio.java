package dev.mosaic.resource.initrd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;

/**
 * A writer of deterministic {@code newc} ("070701") cpio archives, the format the Linux kernel
 * unpacks as an initramfs. Entries are collected, then written sorted by path with mtime 0,
 * uid/gid 0 and sequential inode numbers. Not thread-safe.
 */
final class Cpio {

    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;
    static final int S_IFCHR = 0020000;
    static final int S_IFBLK = 0060000;

    private record Entry(int mode, byte[] data, int rdevMajor, int rdevMinor) {
    }

    /** Paths without a leading slash, as the kernel expects ("bin/sh"). */
    private final TreeMap<String, Entry> entries = new TreeMap<>();

    void dir(String path, int perm) {
        put(path, new Entry(S_IFDIR | perm, new byte[0], 0, 0));
    }

    void file(String path, byte[] data, int perm) {
        put(path, new Entry(S_IFREG | perm, data, 0, 0));
    }

    void symlink(String path, String target) {
        put(path, new Entry(S_IFLNK | 0777, target.getBytes(StandardCharsets.UTF_8), 0, 0));
    }

    void node(String path, boolean block, int major, int minor, int perm) {
        put(path, new Entry((block ? S_IFBLK : S_IFCHR) | perm, new byte[0], major, minor));
    }

    boolean has(String path) {
        return entries.containsKey(strip(path));
    }

    private void put(String path, Entry e) {
        String p = strip(path);
        // Parents first, as directories, unless declared otherwise.
        for (int i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) {
            entries.putIfAbsent(p.substring(0, i), new Entry(S_IFDIR | 0755, new byte[0], 0, 0));
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

    void writeTo(OutputStream out) throws IOException {
        int ino = 1;
        for (var me : entries.entrySet()) {
            Entry e = me.getValue();
            header(out, me.getKey(), ino++, e.mode(), e.data().length, e.rdevMajor(), e.rdevMinor());
            out.write(e.data());
            pad(out, e.data().length);
        }
        header(out, "TRAILER!!!", 0, 0, 0, 0, 0);
    }

    private static void header(OutputStream out, String name, int ino, int mode, int size, int rmaj, int rmin)
            throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder("070701");
        int nlink = (mode & 0170000) == S_IFDIR ? 2 : 1;
        for (int v : new int[] {ino, mode, 0, 0, nlink, 0, size, 0, 0, rmaj, rmin, n.length + 1, 0}) {
            h.append(String.format("%08X", v));
        }
        byte[] hb = h.toString().getBytes(StandardCharsets.US_ASCII);
        out.write(hb);
        out.write(n);
        out.write(0);
        pad(out, hb.length + n.length + 1);
    }

    private static void pad(OutputStream out, int written) throws IOException {
        int r = written % 4;
        if (r != 0) {
            out.write(new byte[4 - r]);
        }
    }

    byte[] toBytes() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        writeTo(b);
        return b.toByteArray();
    }
}
