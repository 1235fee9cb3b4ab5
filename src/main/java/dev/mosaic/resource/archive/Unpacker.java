package dev.mosaic.resource.archive;

import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.archive.ArchiveReader.Kind;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one archive's entries and refuses it, naming the entry, when anything in it is hostile: a
 * path that is absolute or climbs with {@code ..}, a hard link to anything but a file unpacked
 * before it, a device node or fifo, setuid/setgid bits, or more bytes, ratio or entries than the
 * limits allow ({@link Budget}); once all were read, a symlink leading outside the destination or
 * an entry below a symlink of the same archive ({@link Confinement}).
 *
 * <p>Two ways to use it. {@link #check} reads the whole archive first; only an archive that passed
 * is written ({@link Extraction}, which reads it again through {@link #reread}), so a refused
 * archive writes nothing. {@link #checkWhileWriting} checks each entry as a new tree is written
 * from it, in one pass: a refused archive leaves nothing either, as its tree is never renamed into
 * place (see {@link Extraction#singlePass}).
 */
final class Unpacker {

    static final int MAX_LINK_TARGET = 4096;

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
        List<Item> items = new ArrayList<>();
        Map<String, Item> byPath = new HashMap<>();
        Budget budget = new Budget(limits, input.size(), this::refuse);
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
                    size = then == null ? budget.count(name, data) : -1;
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
                    budget.add(name, size);
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
                Item unsized = item;
                item = new Item(path, name, Kind.FILE, mode, budget.countWhile(name, data, in -> then.entry(unsized, in)), null);
            } else if (then != null) {
                then.entry(item, data);
            }
            byPath.put(path, item);
            items.add(item);
        });
        new Confinement(dest, rootfs, this::refuse).check(items, byPath);
        return new Layout(List.copyOf(items), budget.total());
    }

    private void checkSetuid(String name, int mode, Limits limits) throws ResourceException {
        if ((mode & 06000) != 0 && !limits.allowSetuid()) {
            throw refuse(name, "has the " + ((mode & 04000) != 0 ? "setuid" : "setgid") + " bit (mode "
                    + String.format("%04o", mode) + "); set allow_setuid: true if the archive is trusted to install it");
        }
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

    static String parent(String path) {
        int i = path.lastIndexOf('/');
        return i < 0 ? null : path.substring(0, i);
    }

    static String kindWord(Kind kind) {
        return switch (kind) {
            case FILE, HARDLINK -> "file";
            case DIRECTORY -> "directory";
            case SYMLINK -> "symlink";
            default -> "special file";
        };
    }

    ResourceException refuse(String entryName, String reason) {
        return new ResourceException("refusing to unpack " + what + ": entry '" + entryName + "' " + reason
                + "; nothing was written to " + dest);
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
