package dev.mosaic.resource.archive;

import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.TargetPaths;
import dev.mosaic.resource.archive.ArchiveReader.Kind;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Unpacks one archive in two passes over its entries. {@link #check} reads the whole archive and
 * refuses it, naming the entry, when anything in it is hostile: a path that is absolute or climbs
 * with {@code ..}, a symlink or hard link leading outside the destination, an entry below a
 * symlink of the same archive, a device node or fifo, setuid/setgid bits, or more bytes, ratio or
 * entries than the limits allow. Only an archive that passed is written ({@link Extraction}, which
 * reads it again through {@link #reread}), so a refused archive writes nothing.
 */
final class Unpacker {

    static final int MAX_LINK_TARGET = 4096;
    /** The ratio limit applies once this much is unpacked: tiny archives compress oddly well. */
    static final long RATIO_GRACE = 1L << 20;
    private static final int MAX_LINK_HOPS = 40;

    /**
     * What the archive may do. {@code rootfs}: absolute link targets and {@code ..} resolve inside
     * the destination, as in a chroot; {@code selects}: which unpacked paths to keep.
     */
    record Limits(long maxSize, double maxRatio, long maxEntries, boolean allowSetuid, boolean rootfs,
                  java.util.function.Predicate<String> selects) {
        Limits(long maxSize, double maxRatio, long maxEntries, boolean allowSetuid) {
            this(maxSize, maxRatio, maxEntries, allowSetuid, false, p -> true);
        }
    }

    private boolean rootfs;
    private java.util.function.Predicate<String> selects = p -> true;

    /**
     * An entry to unpack.
     *
     * @param path      relative to the destination, after {@code strip_components}
     * @param entryName the name as the archive has it, for messages
     * @param mode      permission bits (defaults filled in)
     * @param size      content bytes of a file or hard link
     * @param link      a symlink's target as written, or a hard link's target path (like {@code path})
     */
    record Item(String path, String entryName, Kind kind, int mode, long size, String link) {
    }

    /** What {@link #check} found: the entries to unpack, in archive order. */
    record Layout(List<Item> items, long totalBytes) {
    }

    private final ArchiveFormat format;
    private final ArchiveReader.Input input;
    private final String singleName;
    private final int strip;
    private final String dest;
    private final String what;

    /**
     * @param singleName the file name for a single-file format
     * @param what       the archive as messages name it
     */
    Unpacker(ArchiveFormat format, ArchiveReader.Input input, String singleName, int strip, String dest, String what) {
        this.format = format;
        this.input = input;
        this.singleName = singleName;
        this.strip = strip;
        this.dest = dest;
        this.what = what;
    }

    // ------------------------------------------------------------------ pass 1

    /** Reads every entry and its data; throws, naming the entry, at the first hostile one. */
    Layout check(Limits limits) throws IOException, ResourceException {
        return check(limits, v -> ArchiveReader.read(format, input, singleName, v), null);
    }

    /**
     * The check and the write in one pass over a plain tar stream: each entry that passed its own
     * checks is handed to {@code then} at once, a file's data read through the limits (refused as
     * soon as they are passed); the checks that need the whole archive (nothing below a symlink
     * of the archive, no symlink leading out) run at the end. So {@code then} may only write
     * where nothing is visible until this returns: a new tree's staging directory, removed when
     * this throws, into which no symlink of the archive is made before the end.
     */
    Layout checkWhileWriting(Limits limits, InputStream tar, Accepted then) throws IOException, ResourceException {
        return check(limits, v -> ArchiveReader.readTar(tar, v), then);
    }

    /** What the single pass does with an entry that passed its own checks. */
    interface Accepted {
        /** {@code data}: a file's content, read whole before this returns (its size is not yet known: -1 in {@code item}). */
        void entry(Item item, InputStream data) throws IOException, ResourceException;
    }

    /** The archive's entries, each handed to a visitor in order. */
    private interface Entries {
        void each(ArchiveReader.Visitor v) throws IOException, ResourceException;
    }

    private Layout check(Limits limits, Entries entries, Accepted then) throws IOException, ResourceException {
        this.rootfs = limits.rootfs();
        this.selects = limits.selects();
        long archiveSize = input.size();
        List<Item> items = new ArrayList<>();
        Map<String, Item> byPath = new HashMap<>();
        long[] total = {0};
        long[] count = {0};
        entries.each((e, data) -> {
            String name = e.name();
            if (++count[0] > limits.maxEntries()) {
                throw refuse(name, "is one more than max_entries (" + limits.maxEntries() + ") allows");
            }
            switch (e.kind()) {
                case CHAR_DEVICE -> throw refuse(name, "is a character device; only files, directories and links are unpacked");
                case BLOCK_DEVICE -> throw refuse(name, "is a block device; only files, directories and links are unpacked");
                case FIFO -> throw refuse(name, "is a fifo (named pipe); only files, directories and links are unpacked");
                case SOCKET -> throw refuse(name, "is a socket; only files, directories and links are unpacked");
                case OTHER -> throw refuse(name, "has an entry type Mosaic does not unpack (not a file, directory or link)");
                default -> {
                }
            }
            String path = stripped(components(name, name, null));
            if (path == null) {
                return;
            }
            if (path.isEmpty()) {
                if (e.kind() == Kind.DIRECTORY) {
                    return; // "./": the destination itself, which the archive does not own
                }
                throw refuse(name, "has an empty name");
            }
            if (!limits.selects().test(path)) {
                return; // not selected: neither checked nor unpacked
            }
            int mode = e.mode() >= 0 ? e.mode() : switch (e.kind()) {
                case DIRECTORY -> 0755;
                case SYMLINK -> 0777;
                default -> 0644;
            };
            // A setgid directory hands its group to every file made in it later; such bits are
            // dropped unless allow_setuid says the archive is trusted with them (a root file
            // system image: /var/mail is 2775). The sticky bit is kept on directories (a shared
            // tmp needs it) and dropped on files, where Linux ignores it. Setuid and setgid files
            // are refused below unless allow_setuid.
            mode = switch (e.kind()) {
                case DIRECTORY -> limits.allowSetuid() ? mode : mode & ~06000;
                case FILE, HARDLINK -> mode & ~01000;
                default -> mode;
            };
            long size = 0;
            String link = null;
            switch (e.kind()) {
                case FILE -> {
                    checkSetuid(name, mode, limits);
                    size = then == null ? countData(name, data, total, limits, archiveSize) : -1;
                }
                case HARDLINK -> {
                    String target = stripped(components(name, e.link() == null ? "" : e.link(), "hard link"));
                    Item t = target == null ? null : byPath.get(target);
                    if (t == null || (t.kind() != Kind.FILE && t.kind() != Kind.HARDLINK)) {
                        throw refuse(name, "is a hard link to '" + e.link() + "', which is not a regular file"
                                + " unpacked earlier from the archive");
                    }
                    mode = t.mode(); // one inode: the target's mode, whatever the link's header says
                    checkSetuid(name, mode, limits);
                    size = t.size();
                    link = target;
                    add(name, size, total, limits, archiveSize);
                }
                case SYMLINK -> {
                    link = e.link();
                    if (link == null || link.isEmpty()) {
                        throw refuse(name, "is a symlink without a target");
                    }
                    if (link.length() > MAX_LINK_TARGET || link.indexOf('\0') >= 0) {
                        throw refuse(name, "is a symlink with a target that is too long or holds a NUL byte");
                    }
                }
                default -> {
                }
            }
            Item item = new Item(path, name, e.kind(), mode, size, link);
            Item before = byPath.get(path);
            if (before != null && format == ArchiveFormat.ZIP) {
                // A tar may add a newer copy of a file at its end (tar --append); a zip has one
                // directory of entries, and two of one name are read differently by each tool.
                throw refuse(name, "appears twice in the zip archive; which copy is meant depends on the tool");
            }
            if (before != null && !kindWord(before.kind()).equals(kindWord(item.kind()))) {
                throw refuse(name, "appears twice in the archive, as a " + kindWord(before.kind())
                        + " ('" + before.entryName() + "') and as a " + kindWord(item.kind()));
            }
            if (then != null && item.kind() == Kind.FILE) {
                Limited in = new Limited(name, data, total, limits, archiveSize);
                try {
                    then.entry(item, in);
                    in.transferTo(java.io.OutputStream.nullOutputStream()); // counted whole, whatever was written
                } catch (IOException x) {
                    for (Throwable c = x; c != null; c = c.getCause()) {
                        if (c instanceof Limited.Refusal r) {
                            throw r.refusal;
                        }
                    }
                    throw x;
                }
                item = new Item(path, name, Kind.FILE, mode, in.count, null);
            } else if (then != null) {
                then.entry(item, data);
            }
            byPath.put(path, item);
            items.add(item);
        });
        for (Item item : items) {
            checkAncestors(item, byPath);
        }
        for (Item item : items) {
            if (item.kind() == Kind.SYMLINK) {
                checkLink(item, byPath);
            }
        }
        return new Layout(List.copyOf(items), total[0]);
    }

    private void checkSetuid(String name, int mode, Limits limits) throws ResourceException {
        if ((mode & 06000) != 0 && !limits.allowSetuid()) {
            throw refuse(name, "has the " + ((mode & 04000) != 0 ? "setuid" : "setgid") + " bit (mode "
                    + String.format("%04o", mode) + "); set allow_setuid: true if the archive is trusted to install it");
        }
    }

    private long countData(String name, InputStream data, long[] total, Limits limits, long archiveSize)
            throws IOException, ResourceException {
        byte[] buf = new byte[64 * 1024];
        long n = 0;
        int r;
        while ((r = data.read(buf)) != -1) {
            n += r;
            add(name, r, total, limits, archiveSize);
        }
        return n;
    }

    /**
     * A file's data as the single pass writes it, counted against the limits as it is read: past
     * them, the read fails with the refusal, before the bytes are handed on.
     */
    private final class Limited extends java.io.FilterInputStream {
        private final String name;
        private final long[] total;
        private final Limits limits;
        private final long archiveSize;
        private long count;

        /** A refusal carried through the writer's read, which can only throw an IOException. */
        static final class Refusal extends IOException {
            final transient ResourceException refusal;

            Refusal(ResourceException refusal) {
                super(refusal.getMessage());
                this.refusal = refusal;
            }
        }

        Limited(String name, InputStream data, long[] total, Limits limits, long archiveSize) {
            super(data);
            this.name = name;
            this.total = total;
            this.limits = limits;
            this.archiveSize = archiveSize;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
                try {
                    add(name, n, total, limits, archiveSize);
                } catch (ResourceException e) {
                    throw new Refusal(e);
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            throw new IOException("skip not supported");
        }

        @Override
        public void close() {
            // the archive stream belongs to the reader
        }
    }

    private void add(String name, long bytes, long[] total, Limits limits, long archiveSize) throws ResourceException {
        total[0] += bytes;
        if (total[0] > limits.maxSize()) {
            throw refuse(name, "takes the unpacked size past max_size (" + Sizes.human(limits.maxSize()) + ")");
        }
        if (total[0] > RATIO_GRACE && total[0] > limits.maxRatio() * Math.max(archiveSize, 1)) {
            throw refuse(name, "takes the unpacked size past max_ratio (" + ratio(limits.maxRatio()) + ") times the archive's "
                    + Sizes.human(archiveSize) + ", like a decompression bomb");
        }
    }

    private static String ratio(double r) {
        return r == Math.rint(r) ? Long.toString((long) r) : String.format(Locale.ROOT, "%s", r);
    }

    /** Nothing may be unpacked below a symlink or a file of the same archive. */
    private void checkAncestors(Item item, Map<String, Item> byPath) throws ResourceException {
        for (String dir = parent(item.path()); dir != null; dir = parent(dir)) {
            Item a = byPath.get(dir);
            if (a == null) {
                continue;
            }
            if (a.kind() == Kind.SYMLINK) {
                throw refuse(item.entryName(), "lies below '" + a.entryName() + "', a symlink of the same archive;"
                        + " writing through it could leave " + dest);
            }
            if (a.kind() == Kind.FILE || a.kind() == Kind.HARDLINK) {
                throw refuse(item.entryName(), "lies below '" + a.entryName() + "', which the archive has as a file");
            }
        }
    }

    /**
     * Follows a symlink's target through the archive's own symlinks, as the kernel would once
     * everything is unpacked, and refuses it when it ends outside the destination.
     */
    private void checkLink(Item link, Map<String, Item> byPath) throws ResourceException {
        List<String> destParts = parts(dest);
        List<String> at = new ArrayList<>(destParts);
        at.addAll(parts(parent(link.path()) == null ? "" : parent(link.path())));
        Deque<String> todo = new ArrayDeque<>();
        push(todo, at, link.link(), rootfs ? destParts : List.of());
        int hops = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (!at.isEmpty() && !(rootfs && at.size() <= destParts.size())) {
                    at.remove(at.size() - 1);
                }
                continue;
            }
            at.add(c);
            if (at.size() > destParts.size() && inside(at, destParts)) {
                Item i = byPath.get(String.join("/", at.subList(destParts.size(), at.size())));
                if (i != null && i.kind() == Kind.SYMLINK) {
                    if (++hops > MAX_LINK_HOPS) {
                        throw refuse(link.entryName(), "is a symlink in a loop of symlinks");
                    }
                    at.remove(at.size() - 1);
                    push(todo, at, i.link(), rootfs ? destParts : List.of());
                }
            }
        }
        if (!inside(at, destParts)) {
            throw refuse(link.entryName(), "is a symlink to '" + link.link() + "', which points outside " + dest
                    + " (to /" + String.join("/", at) + ")");
        }
    }

    /** @param top where an absolute target starts from: the machine's root, or dest for a root file system */
    private static void push(Deque<String> todo, List<String> at, String target, List<String> top) {
        if (target.startsWith("/")) {
            at.clear();
            at.addAll(top);
        }
        String[] ps = target.split("/");
        for (int i = ps.length - 1; i >= 0; i--) {
            todo.addFirst(ps[i]);
        }
    }

    private static boolean inside(List<String> at, List<String> destParts) {
        return at.size() >= destParts.size() && at.subList(0, destParts.size()).equals(destParts);
    }

    private static List<String> parts(String path) {
        List<String> out = new ArrayList<>();
        for (String p : path.split("/")) {
            if (!p.isEmpty()) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * The parts of an entry name (or a hard link's target when {@code role} is set); refuses
     * absolute names and {@code ..}.
     */
    private List<String> components(String entryName, String name, String role) throws ResourceException {
        String subject = role == null ? "is" : "is a " + role + " to '" + name + "',";
        if (name.indexOf('\0') >= 0) {
            throw refuse(entryName, subject + " a name with a NUL byte");
        }
        if (name.startsWith("/")) {
            throw refuse(entryName, subject + " an absolute path; archive entries must stay inside " + dest);
        }
        List<String> out = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw refuse(entryName, (role == null ? "has" : subject + " a path with") + " a '..' component,"
                        + " which would climb out of " + dest);
            }
            out.add(part);
        }
        return out;
    }

    /** The path after {@code strip_components}, or null when the entry is stripped away entirely. */
    private String stripped(List<String> parts) {
        if (strip > 0 && parts.size() <= strip) {
            return null;
        }
        return String.join("/", parts.subList(strip, parts.size()));
    }

    private static String parent(String path) {
        int i = path.lastIndexOf('/');
        return i < 0 ? null : path.substring(0, i);
    }

    private static String kindWord(Kind kind) {
        return switch (kind) {
            case FILE, HARDLINK -> "file";
            case DIRECTORY -> "directory";
            case SYMLINK -> "symlink";
            default -> "special file";
        };
    }

    private ResourceException refuse(String entryName, String reason) {
        return new ResourceException("refusing to unpack " + what + ": entry '" + entryName + "' " + reason
                + "; nothing was written to " + dest);
    }

    // ------------------------------------------------------------------ between the passes

    /**
     * Refuses, before anything is written, when the target has something in the way that
     * unpacking would have to delete: a directory where the archive has a file or symlink, or a
     * file where it needs a directory.
     *
     * @param only the paths to write, or null for all
     */
    void checkTarget(Layout layout, Set<String> only, Host host) throws IOException, ResourceException {
        FileStat d = host.stat(dest);
        if (d.exists() && !d.isDirectory() && !d.isSymlink()) {
            throw new ResourceException("cannot unpack " + what + ": the destination " + dest + " is a " + d.kindWord()
                    + ", not a directory; nothing was written");
        }
        if (!d.exists()) {
            return; // a destination yet to be made has nothing in the way: no stat per entry
        }
        Set<String> seenParents = new HashSet<>();
        for (Item item : layout.items()) {
            if (only != null && !only.contains(item.path())) {
                continue;
            }
            String p = TargetPaths.join(dest, item.path());
            FileStat s = host.stat(p);
            boolean blocked = switch (item.kind()) {
                case DIRECTORY -> s.exists() && !s.isDirectory() && !s.isSymlink();
                default -> s.isDirectory();
            };
            if (blocked) {
                throw occupied(p, s, kindWord(item.kind()), item.entryName());
            }
            for (String dir = parent(item.path()); dir != null && seenParents.add(dir); dir = parent(dir)) {
                String dp = TargetPaths.join(dest, dir);
                FileStat ds = host.stat(dp);
                if (ds.exists() && !ds.isDirectory() && !ds.isSymlink()) {
                    throw occupied(dp, ds, "directory", item.entryName());
                }
            }
        }
    }

    private ResourceException occupied(String path, FileStat s, String wanted, String entryName) {
        return new ResourceException("cannot unpack " + what + ": " + path + " is a " + s.kindWord()
                + " on the target, where entry '" + entryName + "' needs a " + wanted
                + "; Mosaic will not delete it; nothing was written to " + dest);
    }

    // ------------------------------------------------------------------ pass 2 (see Extraction)

    /**
     * Reads the archive again for the write pass: {@code v} gets each entry the check kept, with
     * its path after {@code strip_components}.
     */
    void reread(PathVisitor v) throws IOException, ResourceException {
        ArchiveReader.read(format, input, singleName, (e, data) -> {
            String path = stripped(components(e.name(), e.name(), null));
            if (path == null || (path.isEmpty() && e.kind() == Kind.DIRECTORY) || !selects.test(path)) {
                return;
            }
            v.entry(e, path, data);
        });
    }

    /** An entry of the write pass, with its path in the destination. */
    interface PathVisitor {
        void entry(ArchiveReader.RawEntry e, String path, InputStream data) throws IOException, ResourceException;
    }

    String dest() {
        return dest;
    }

    /** The archive as messages name it. */
    String what() {
        return what;
    }
}
