package dev.mosaic.base;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.regex.Pattern;

/**
 * The one way Mosaic replaces a file of its own on the control machine (the state directory, the
 * caches): write a temp file beside it, force it to disk, rename it over the old name, force the
 * directory. A reader sees the old file or the new one, whole; after a crash or a power loss the
 * new one is there whole once {@link #write} has returned; a kill leaves at most a temp file named
 * {@code .<name>.<16 random hex>.tmp} ({@link #isTemp}).
 *
 * <p>The temp file is created with {@code O_CREAT|O_EXCL|O_NOFOLLOW} under a fresh random name:
 * whatever sits at that name (a planted link, another writer's temp file) is never followed nor
 * shared, so two processes writing one file at once each rename a whole file of their own. The
 * rename replaces a link at the final name rather than writing through it.
 *
 * <p>Files on a target go through {@code host.AtomicWriter} instead, which also sets modes and
 * owners and may skip the flushes ({@code --no-fsync}); this class has no such choices.
 */
public final class AtomicFile {

    /** Writes the content of a new file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** What every temp file's name ends with. */
    public static final String SUFFIX = ".tmp";

    private static final int RANDOM_BYTES = 8;
    /** Characters of the target's name a temp name keeps: 4 bytes each at most, within NAME_MAX (255). */
    private static final int MAX_STEM = 50;
    private static final int ATTEMPTS = 5;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern TEMP = Pattern.compile("\\..*\\.[0-9a-f]{" + 2 * RANDOM_BYTES + "}"
            + Pattern.quote(SUFFIX), Pattern.DOTALL);
    private static final Set<OpenOption> CREATE_NEW = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);

    private AtomicFile() {
    }

    /** Replaces {@code target} with {@code content}, durably (see the class comment). */
    public static void write(Path target, byte[] content) throws IOException {
        write(target, out -> out.write(content));
    }

    /** Replaces {@code target} with what {@code content} writes, durably (see the class comment). */
    public static void write(Path target, Content content) throws IOException {
        Temp tmp = stage(target.getParent(), target.getFileName().toString(), content);
        tmp.publishAs(target);
    }

    /**
     * A temp file in {@code dir} named after {@code name}, holding {@code content}, forced to
     * disk, not yet renamed: for a caller that learns the final name from the content (a digest).
     * On failure nothing is left behind.
     */
    public static Temp stage(Path dir, String name, Content content) throws IOException {
        Path path = null;
        FileChannel ch = null;
        for (int attempt = 0; ch == null; attempt++) {
            path = dir.resolve(tempName(name));
            try {
                ch = FileChannel.open(path, CREATE_NEW);
            } catch (FileAlreadyExistsException e) {
                if (attempt + 1 >= ATTEMPTS) {
                    throw e; // 64 random bits taken five times: someone is guessing
                }
            }
        }
        boolean written = false;
        try (FileChannel open = ch) {
            // Not closed: that would close the channel, which is forced first.
            OutputStream out = Channels.newOutputStream(open);
            content.writeTo(out);
            out.flush();
            blocking(() -> open.force(false));
            written = true;
        } finally {
            if (!written) {
                Files.deleteIfExists(path);
            }
        }
        return new Temp(path);
    }

    /** A temp file written whole and forced to disk; {@link #publishAs} or {@link #discard} it. */
    public record Temp(Path path) {

        /**
         * Renames the temp file over {@code target} (in the same directory) and forces the
         * directory, so that the new name survives a power loss. On failure the temp file is removed.
         */
        public void publishAs(Path target) throws IOException {
            boolean renamed = false;
            try {
                Files.move(path, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                renamed = true;
            } finally {
                if (!renamed) {
                    discard();
                }
            }
            forceDirectory(target.getParent());
        }

        /** Removes the temp file: nothing was published. */
        public void discard() throws IOException {
            Files.deleteIfExists(path);
        }
    }

    /** Forces the entries of {@code dir} (names made, renamed, removed there) to disk. */
    public static void forceDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            blocking(() -> d.force(true));
        }
    }

    /** Forces the content of the file {@code file}, written by other means (a built image), to disk. */
    public static void forceFile(Path file) throws IOException {
        try (FileChannel f = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            blocking(() -> f.force(false));
        }
    }

    /** A fresh temp name for a file named {@code name}: {@code .<name>.<16 random hex>.tmp}. */
    static String tempName(String name) {
        byte[] random = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(random);
        String stem = name;
        if (stem.length() > MAX_STEM) {
            int end = MAX_STEM;
            if (Character.isLowSurrogate(stem.charAt(end))) {
                end--; // never half a character
            }
            stem = stem.substring(0, end);
        }
        return "." + stem + "." + HexFormat.of().formatHex(random) + SUFFIX;
    }

    /** Whether a file name is one this class makes for its temp files: what a killed write left. */
    public static boolean isTemp(String fileName) {
        return TEMP.matcher(fileName).matches();
    }

    /**
     * When this run (this process) started: every temp file it makes is younger, so one last
     * modified before was left by another run.
     */
    public static final Instant RUN_START = ProcessHandle.current().info().startInstant().orElseGet(Instant::now);

    /**
     * Removes the temp files that killed writes left in {@code dir} and the directories below it
     * (down to {@code depth} levels, {@code 1}: {@code dir} only): regular files named as
     * {@link #isTemp} says, last modified before {@code before}. Anything else stays — a link
     * (never followed, nor removed: it is no file this class made), a directory, a look-alike
     * name, a temp file younger than {@code before} that a live writer may still rename. Errors
     * are skipped: a leftover that cannot go now goes next time. Returns how many went.
     */
    public static int sweep(Path dir, int depth, Instant before) {
        try (DirectoryStream<Path> top = Files.newDirectoryStream(dir)) {
            if (top instanceof SecureDirectoryStream<Path> secure) {
                return sweep(secure, depth, before);
            }
        } catch (IOException e) {
            // absent or unreadable: nothing to sweep there now
        }
        return 0; // no way to descend without following a link on this system: nothing is swept
    }

    /**
     * One directory, through its open descriptor: a temp-named entry is looked at, and any other
     * one that is a directory (not a link) is descended into when deeper levels are asked, opened
     * with {@code O_NOFOLLOW} relative to its parent, so a link swapped in meanwhile is never followed.
     */
    private static int sweep(SecureDirectoryStream<Path> dir, int depth, Instant before) {
        int removed = 0;
        java.util.Iterator<Path> entries = dir.iterator();
        while (hasNext(entries)) {
            Path entry = entries.next();
            Path name = entry.getFileName();
            if (isTemp(name.toString())) {
                try {
                    BasicFileAttributes a = dir.getFileAttributeView(name, BasicFileAttributeView.class,
                            LinkOption.NOFOLLOW_LINKS).readAttributes();
                    if (a.isRegularFile() && a.lastModifiedTime().toInstant().isBefore(before)) {
                        dir.deleteFile(name); // unlinks the name in this very directory
                        removed++;
                    }
                } catch (IOException e) {
                    // gone meanwhile, or not ours to remove
                }
            } else if (depth > 1) {
                try {
                    // Only a directory is opened: closing any descriptor of a file drops this
                    // process's locks on it (the apply lock).
                    if (dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                            .readAttributes().isDirectory()) {
                        try (SecureDirectoryStream<Path> sub = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                            removed += sweep(sub, depth - 1, before);
                        }
                    }
                } catch (IOException e) {
                    // gone meanwhile, or unreadable: nothing below it is swept now
                }
            }
        }
        return removed;
    }

    /** Whether a directory listing has another entry; one that cannot be read further has none. */
    private static boolean hasNext(java.util.Iterator<Path> entries) {
        try {
            return entries.hasNext();
        } catch (java.nio.file.DirectoryIteratorException e) {
            return false;
        }
    }

    /** An I/O call that may wait on the disk. */
    @FunctionalInterface
    public interface IoCall {
        void run() throws IOException;
    }

    /**
     * Runs a call that waits on the disk (an fsync) so that, in a fork-join pool (the apply's
     * walk), another worker may run meanwhile instead of the core idling.
     */
    public static void blocking(IoCall call) throws IOException {
        if (!(Thread.currentThread() instanceof ForkJoinWorkerThread)) {
            call.run();
            return;
        }
        IOException[] failed = new IOException[1];
        try {
            ForkJoinPool.managedBlock(new ForkJoinPool.ManagedBlocker() {
                private boolean done;

                @Override
                public boolean block() {
                    try {
                        call.run();
                    } catch (IOException e) {
                        failed[0] = e;
                    }
                    done = true;
                    return true;
                }

                @Override
                public boolean isReleasable() {
                    return done;
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing");
        }
        if (failed[0] != null) {
            throw failed[0];
        }
    }
}
