package dev.mosaic.host;

import dev.mosaic.base.AtomicFile;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one way Mosaic replaces a file: write a temp file beside it, set its mode, flush it, rename
 * it over the old name. A reader sees the old file or the new one, whole; a kill leaves at most a
 * temp file, which {@link #removeLeftovers} recognises by its name.
 *
 * <p>The temp file is where an attacker would aim: whoever can plant a symlink at its name makes
 * the write land where the link points. So its name is fresh and unpredictable for every write
 * ({@code .<name>.<16 random hex>.mosaic-tmp}), and it is created with {@code O_CREAT|O_EXCL}
 * ({@code CREATE_NEW}), which fails on any existing entry — a symlink, even a dangling one, is
 * never followed and never reused. Its mode is set through a descriptor opened without following
 * links, before the rename; nothing touches the file by name after that but the rename itself,
 * which replaces a link at the final name rather than writing through it.
 */
public final class AtomicWriter {

    /** What every temp file's name ends with; kinds that list directories skip such entries. */
    public static final String SUFFIX = ".mosaic-tmp";

    /** Bytes in a file name on Linux (and most file systems). */
    static final int NAME_MAX = 255;

    private static final int RANDOM_BYTES = 8;

    /** Bytes of the target's name a temp name keeps: the rest is the dots, the random part, the suffix. */
    static final int MAX_STEM = NAME_MAX - 2 - 2 * RANDOM_BYTES - SUFFIX.length();

    private static final Pattern TEMP = Pattern.compile("\\..*\\.[0-9a-f]{" + 2 * RANDOM_BYTES + "}" + Pattern.quote(SUFFIX),
            Pattern.DOTALL);

    private static final SecureRandom RANDOM = new SecureRandom();

    /** {@code O_CREAT|O_EXCL|O_NOFOLLOW}: a new file or failure, whatever is at the name. */
    private static final Set<java.nio.file.OpenOption> CREATE_NEW = Set.of(StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);

    private static final int ATTEMPTS = 5;

    private AtomicWriter() {
    }

    /** Writes the content of a new file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** A step on a path that may fail with an I/O error. */
    @FunctionalInterface
    public interface PathStep {
        void run(Path path) throws IOException;
    }

    /** A call that waits on the disk or may fail with an I/O error. */
    @FunctionalInterface
    public interface IoCall {
        void run() throws IOException;
    }

    /**
     * A fresh temp name for a file named {@code name}: {@code .<name>.<16 random hex>.mosaic-tmp},
     * the name cut (at a character boundary) so that the whole stays within {@link #NAME_MAX}
     * bytes. Two writes never share a temp name, even of two names that start alike.
     */
    public static String tempName(String name) {
        byte[] random = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(random);
        return "." + stem(name) + "." + HexFormat.of().formatHex(random) + SUFFIX;
    }

    /** Whether a file name is one {@link #tempName} makes: the leftover of a write that was killed. */
    public static boolean isTemp(String fileName) {
        return TEMP.matcher(fileName).matches();
    }

    /** The longest prefix of {@code name} within {@link #MAX_STEM} bytes of UTF-8, cut between characters. */
    private static String stem(String name) {
        if (name.length() * 3 <= MAX_STEM || name.getBytes(StandardCharsets.UTF_8).length <= MAX_STEM) {
            return name;
        }
        int bytes = 0;
        int end = 0;
        while (end < name.length()) {
            int cp = name.codePointAt(end);
            int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + len > MAX_STEM) {
                break;
            }
            bytes += len;
            end += Character.charCount(cp);
        }
        return name.substring(0, end);
    }

    /** {@link #write(Path, Content, int, boolean, IoCall, PathStep)} with nothing to do between. */
    public static void write(Path target, Content content, int mode, boolean fsync) throws IOException {
        write(target, content, mode, fsync, null, null);
    }

    /**
     * Replaces {@code target} (never followed if it is a symlink: the link itself is replaced)
     * with a regular file holding {@code content} and permission {@code mode}.
     *
     * @param makeDir     called once when the directory is missing (before any content was read), to
     *                    make it; null: the write fails
     * @param beforeMode  called with the temp file once its content is written and before its mode is
     *                    set (a chown there cannot clear the setuid bits); null: nothing
     */
    public static void write(Path target, Content content, int mode, boolean fsync, IoCall makeDir, PathStep beforeMode)
            throws IOException {
        Staged staged = stage(target, content, mode, makeDir, beforeMode);
        boolean renamed = false;
        try {
            try (FileChannel open = staged.channel()) {
                if (fsync) {
                    blocking(() -> open.force(true));
                }
            }
            staged.publish();
            renamed = true;
        } finally {
            if (!renamed) {
                staged.discard();
            }
        }
    }

    /**
     * A temp file written whole and given its mode, not yet renamed over its target: what a
     * kill leaves of it is a temp file, which {@link #removeLeftovers} recognises. Its channel is
     * still open, for the caller to flush (or not) and close.
     */
    public record Staged(Path tmp, Path target, FileChannel channel) {

        /** Renames the temp file over the target: readers see the old file or this one, whole. */
        public void publish() throws IOException {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }

        /** Closes the channel and removes the temp file: the target keeps what it had. */
        public void discard() throws IOException {
            try {
                channel.close();
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * The first half of {@link #write}: a temp file beside {@code target}, created exclusively,
     * holding {@code content}, with permission {@code mode}; not flushed, not renamed. On failure
     * nothing is left behind.
     */
    public static Staged stage(Path target, Content content, int mode, IoCall makeDir, PathStep beforeMode)
            throws IOException {
        Path dir = target.getParent();
        String name = target.getFileName().toString();
        // Created with its final mode when the umask lets it through (no chmod after); otherwise
        // readable and writable by its owner only until its mode is set.
        boolean modeAtCreation = modeAtCreation(mode);
        FileAttribute<Set<PosixFilePermission>> perms = PosixFilePermissions.asFileAttribute(
                permissions(modeAtCreation ? mode : 0600));
        Path tmp = null;
        FileChannel ch = null;
        for (int attempt = 0; ch == null; attempt++) {
            tmp = dir.resolve(tempName(name));
            try {
                ch = FileChannel.open(tmp, CREATE_NEW, perms);
            } catch (FileAlreadyExistsException e) {
                // 64 random bits taken: someone is guessing; never reuse what is there
                if (attempt + 1 >= ATTEMPTS) {
                    throw e;
                }
            } catch (NoSuchFileException e) {
                if (makeDir == null || attempt > 0) {
                    throw e;
                }
                makeDir.run();
            }
        }
        Staged staged = new Staged(tmp, target, ch);
        boolean written = false;
        try {
            // The stream is not closed: closing it would close the channel, which the caller flushes.
            OutputStream out = Channels.newOutputStream(ch);
            content.writeTo(out);
            out.flush();
            if (beforeMode != null) {
                beforeMode.run(tmp);
            }
            if (!modeAtCreation || beforeMode != null) {
                setMode(tmp, mode);
            }
            written = true;
            return staged;
        } finally {
            if (!written) {
                staged.discard();
            }
        }
    }

    /**
     * Sets the permission bits (setuid, setgid and sticky included) of {@code p} without following
     * a symlink: through a descriptor opened with {@code O_NOFOLLOW} ({@code fchmod}). A symlink
     * fails; a file its owner may not read (when not running as root) falls back to {@code chmod}
     * by name once {@code lstat} has shown it is no link.
     */
    static void setMode(Path p, int mode) throws IOException {
        try {
            Files.setAttribute(p, "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.AccessDeniedException e) {
            if (Files.isSymbolicLink(p)) {
                throw e;
            }
            Files.setAttribute(p, "unix:mode", mode & 07777);
        }
    }

    private static final PosixFilePermission[] PERMISSION_BITS = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};

    /** The rwx bits of {@code mode} (not setuid, setgid, sticky). */
    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < 9; bit++) {
            if ((mode & (1 << bit)) != 0) {
                perms.add(PERMISSION_BITS[bit]);
            }
        }
        return perms;
    }

    /**
     * Removes the temp files that writes killed before their rename left in {@code dir}: entries
     * named like {@link #tempName}, unlinked (a symlink is removed, never followed). What cannot
     * be removed (a directory of that name) is left. Call it before any write of this process
     * into {@code dir}, so that it never takes a temp file being written.
     */
    public static void removeLeftovers(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, p -> isTemp(p.getFileName().toString()))) {
            for (Path p : entries) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // not ours to force (a directory named like a temp file)
                }
            }
        } catch (NoSuchFileException | java.nio.file.NotDirectoryException e) {
            // nothing written there yet
        }
    }

    /** Whether a file created with {@code mode} gets it whole: no special bits, none the umask takes. */
    static boolean modeAtCreation(int mode) {
        return (mode & ~0777) == 0 && UMASK >= 0 && (mode & UMASK) == 0;
    }

    /** The process's umask ({@code /proc/self/status}), or -1 when unknown: Java has no call for it. */
    private static final int UMASK = readUmask();

    private static int readUmask() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Umask:")) {
                    return Integer.parseInt(line.substring("Umask:".length()).trim(), 8);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no /proc: every written file gets its mode set after creation
        }
        return -1;
    }

    /** {@link AtomicFile#blocking}: an fsync in a fork-join pool lets another worker run meanwhile (see Walker). */
    static void blocking(IoCall call) throws IOException {
        AtomicFile.blocking(call::run);
    }
}
