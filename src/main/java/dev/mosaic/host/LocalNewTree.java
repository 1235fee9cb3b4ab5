package dev.mosaic.host;

import dev.mosaic.base.TargetPath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * {@link LocalHost}'s {@link NewTree}: a staging directory {@code .<name>.<16 random hex>.mosaic-tmp}
 * beside the destination (the temp names of {@link AtomicWriter}, which listings skip), filled
 * in place, flushed, renamed to the destination.
 *
 * <p>Flushed as {@link LocalWriteBatch} does, each file handed to the shared flushing threads as
 * soon as it is written (the disk works while the next files are written), every directory once
 * at the end, then the rename and the parent; a tree of more than {@link #SYNCFS_ABOVE} files
 * (an unpacked kernel: 80,000) flushes its first ones so, then the whole file system once by
 * {@code syncfs} ({@code sync -f DIR}) before the rename. Either way every file and directory of
 * the tree is on disk before the rename that makes it appear, so a power loss shows the tree
 * whole or not at all; a kill needs no flush for that (the rename alone). Why not {@code syncfs}
 * for small trees: it waits for what every other process wrote to the file system too, which a
 * tree of a few files must not pay for (round 2 measured 10,000 files: 3.4–4.5 s by the threads,
 * 8.3–31.9 s by one syncfs with other jobs writing), whereas for 80,000 files the one call cost
 * 2 s against 14 s by the threads (bench/README.md, "Unpacking the kernel chain", round 5).
 *
 * <p>Confinement: the destination is resolved as every write of the host is (inside the root, its
 * final name never followed); the staging directory is made with {@code mkdir}, mode 0700, and
 * every path inside it is reached only through directories this tree made (a symlink of the
 * archive is never on the way: {@link #inside} refuses it), each file created with
 * {@code O_CREAT|O_EXCL|O_NOFOLLOW}. The final rename replaces nothing: a destination that
 * appeared meanwhile stops the commit.
 */
final class LocalNewTree implements NewTree {

    private final Path target;
    private final Path staging;
    private final TargetPath dest;
    private final boolean fsync;
    private final Set<Path> dirs = new HashSet<>();
    private final Set<Path> files = new HashSet<>();
    private final int mode;
    /** Flushes under way, oldest first; at most {@link #IN_FLIGHT}, each holding its file open. */
    private final java.util.ArrayDeque<java.util.concurrent.Future<?>> flushing = new java.util.ArrayDeque<>();
    private boolean committed;

    /** Files whose flush may be under way at once: bounded descriptors, many more than the threads. */
    static final int IN_FLIGHT = 256;
    /**
     * Past this many files, the rest are not flushed one by one: {@link #commit} flushes the
     * whole file system once ({@code syncfs}), which covers every file and directory of the tree.
     */
    static final int SYNCFS_ABOVE = 1_000;
    /** Files written; past {@link #SYNCFS_ABOVE}, the tree is flushed by one {@code syncfs}. */
    private int written;

    private LocalNewTree(Path target, Path staging, TargetPath dest, int mode, boolean fsync) {
        this.target = target;
        this.staging = staging;
        this.dest = dest;
        this.mode = mode;
        this.fsync = fsync;
        dirs.add(staging);
    }

    /** A tree for {@code dest}, or empty when something is there already (or it is {@code /}, the root itself). */
    static Optional<NewTree> open(LocalHost host, TargetPath dest, int mode, boolean fsync) throws IOException {
        if (dest.isRoot()) {
            return Optional.empty(); // the root has no directory beside it to stage in
        }
        Path target = host.writable(dest);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Path parent = target.getParent();
        String name = AtomicWriter.tempName(target.getFileName().toString());
        removeLeftovers(parent, name);
        Path staging = parent.resolve(name);
        Files.createDirectory(staging, PosixFilePermissions.asFileAttribute(AtomicWriter.permissions(0700)));
        return Optional.of(new LocalNewTree(target, staging, dest, mode, fsync));
    }

    /**
     * Removes the staging directories that trees of the same destination name left when they were
     * killed: directories named like {@code fresh} but for the random part (another name's are
     * another resource's, maybe being written now). Their content is deleted without following
     * any link in it.
     */
    private static void removeLeftovers(Path parent, String fresh) throws IOException {
        String prefix = fresh.substring(0, fresh.length() - AtomicWriter.SUFFIX.length() - 16);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && n.length() == fresh.length() && AtomicWriter.isTemp(n);
        })) {
            for (Path p : entries) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    LocalFiles.deleteTree(p);
                }
            }
        }
    }

    /** The staging path of a target path below the destination; its parents made when asked. */
    private Path inside(TargetPath path, boolean makeParents) throws IOException {
        if (!path.isUnder(dest)) {
            throw new IOException(path + " is not below " + dest + ", the tree being written");
        }
        Path p = staging;
        String[] parts = path.relativeTo(dest).split("/"); // plain names: a TargetPath is normalized
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (i == parts.length - 1) {
                return p.resolve(part);
            }
            p = p.resolve(part);
            if (!dirs.contains(p)) {
                if (!makeParents) {
                    throw new NoSuchFileException(path.text());
                }
                // mkdir(2) never follows a link at its name: what is there already and was not made
                // as a directory by this tree (a symlink of the archive, a file) stops the write.
                Files.createDirectory(p);
                dirs.add(p);
            }
        }
        throw new IOException("refusing " + path + ": not a plain path below " + dest);
    }

    @Override
    public void mkdir(TargetPath path, int mode) throws IOException {
        Path p = inside(path, true);
        if (dirs.contains(p)) {
            return;
        }
        Files.createDirectory(p, PosixFilePermissions.asFileAttribute(AtomicWriter.permissions(mode | 0700)));
        dirs.add(p);
    }

    @Override
    public void write(TargetPath path, InputStream content, int mode) throws IOException {
        Path p = inside(path, true);
        if (!files.add(p)) {
            Files.delete(p); // an archive's later copy of one file wins
        }
        boolean atCreation = AtomicWriter.modeAtCreation(mode);
        FileChannel ch = FileChannel.open(p, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(AtomicWriter.permissions(atCreation ? mode : 0600)));
        try {
            content.transferTo(Channels.newOutputStream(ch));
            if (!atCreation) {
                AtomicWriter.setMode(p, mode);
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (!fsync || ++written > SYNCFS_ABOVE) {
            ch.close(); // flushed at the commit by one syncfs, if at all
            return;
        }
        if (flushing.size() >= IN_FLIGHT) {
            LocalWriteBatch.await(java.util.List.of(flushing.removeFirst()));
        }
        flushing.add(LocalWriteBatch.FLUSH.submit(() -> {
            try (ch) {
                ch.force(true);
            }
            return null;
        }));
    }

    /**
     * Every file's flush done, then every directory's (its entries), the tree's own included. A
     * tree of more than {@link #SYNCFS_ABOVE} files is flushed by one {@code syncfs} of its file
     * system instead, which returns once every dirty page and inode there is on disk (since Linux
     * 5.8 it reports a write-back error too): the same "all of the tree on disk before its rename"
     * as the flushes one by one, at one call. Should {@code sync -f} be missing or fail, each file
     * written since is flushed as the first ones were.
     */
    private void flush() throws IOException {
        LocalWriteBatch.await(new java.util.ArrayList<>(flushing));
        flushing.clear();
        if (written > SYNCFS_ABOVE && syncfs(staging)) {
            return;
        }
        java.util.List<java.util.concurrent.Future<?>> flushes = new java.util.ArrayList<>(dirs.size());
        if (written > SYNCFS_ABOVE) {
            for (Path file : files) {
                flushes.add(LocalWriteBatch.FLUSH.submit(() -> {
                    if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                        try (FileChannel f = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                            f.force(true);
                        }
                    }
                    return null;
                }));
            }
        }
        for (Path dir : dirs) {
            flushes.add(LocalWriteBatch.FLUSH.submit(() -> {
                try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                    d.force(true);
                }
                return null;
            }));
        }
        LocalWriteBatch.await(flushes);
    }

    /**
     * {@code syncfs(2)} of the file system holding {@code dir}, by {@code sync -f} (Java has no
     * call for it); whether it succeeded. Measured on this project's shared virtio disk right after
     * the 80,000 files of a kernel tree were written (bench/README.md, "Round 5"): one
     * {@code sync -f} 2 s, an fsync of each file by 16 threads 14 s.
     */
    static boolean syncfs(Path dir) throws IOException {
        boolean[] ok = {false};
        AtomicWriter.blocking(() -> {
            try {
                Process p = new ProcessBuilder("sync", "-f", dir.toString())
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .start();
                ok[0] = p.waitFor() == 0;
            } catch (IOException e) {
                ok[0] = false; // no sync(1) here: flushed file by file
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while flushing " + dir);
            }
        });
        return ok[0];
    }

    @Override
    public void symlink(TargetPath path, String linkTarget) throws IOException {
        Path p = inside(path, true);
        if (dirs.contains(p)) {
            throw new IOException("refusing " + path + ": a directory of the tree being written");
        }
        if (!files.add(p)) {
            Files.delete(p);
        }
        Files.createSymbolicLink(p, Path.of(linkTarget));
    }

    @Override
    public InputStream open(TargetPath path) throws IOException {
        Path p = inside(path, false);
        if (!files.contains(p) || Files.isSymbolicLink(p)) {
            throw new NoSuchFileException(path + " (not a file this tree wrote)");
        }
        return Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public void chmod(TargetPath path, int mode) throws IOException {
        Path p = inside(path, false);
        if (!dirs.contains(p)) {
            throw new IOException("refusing to change the mode of " + path + ": not a directory this tree made");
        }
        AtomicWriter.setMode(p, mode);
    }

    @Override
    public void commit() throws IOException {
        AtomicWriter.setMode(staging, mode);
        if (fsync) {
            flush();
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("cannot put the unpacked tree at " + dest + ": something appeared there meanwhile");
        }
        // rename(2) of a directory never writes through a link at its new name (it fails).
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        committed = true;
        if (fsync) {
            try (FileChannel d = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
                AtomicWriter.blocking(() -> d.force(true));
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            LocalWriteBatch.await(new java.util.ArrayList<>(flushing)); // each lets go of its file
        } catch (IOException e) {
            // the tree is removed anyway
        }
        flushing.clear();
        if (!committed && Files.isDirectory(staging, LinkOption.NOFOLLOW_LINKS)) {
            LocalFiles.deleteTree(staging); // its read-only directories too
        }
    }
}
