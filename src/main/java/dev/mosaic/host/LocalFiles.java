package dev.mosaic.host;

import dev.mosaic.base.Sha256;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * What {@link LocalHost} and its trees do with local paths once a target path is resolved: stat,
 * hash, walk, make parents, delete a tree. None of these resolves anything or follows a symlink
 * it was not told to; confinement is {@link LocalHost#resolve}'s.
 */
final class LocalFiles {

    private LocalFiles() {
    }

    /** {@code lstat} of a local path; {@link FileStat#ABSENT} when nothing (or no directory on the way) is there. */
    static FileStat stat(Path p) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, "unix:mode,ino,uid,gid,size,lastModifiedTime,isRegularFile,isDirectory,isSymbolicLink",
                    LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return FileStat.ABSENT;
        } catch (java.nio.file.FileSystemException e) {
            if (e.getMessage() != null && e.getMessage().contains("Not a directory")) {
                return FileStat.ABSENT;
            }
            throw e;
        }
        FileStat.Kind kind = (Boolean) a.get("isSymbolicLink") ? FileStat.Kind.SYMLINK
                : (Boolean) a.get("isRegularFile") ? FileStat.Kind.FILE
                : (Boolean) a.get("isDirectory") ? FileStat.Kind.DIRECTORY
                : FileStat.Kind.OTHER;
        FileTime mtime = (FileTime) a.get("lastModifiedTime");
        long nanos = mtime.to(java.util.concurrent.TimeUnit.NANOSECONDS);
        String linkTarget = kind == FileStat.Kind.SYMLINK ? Files.readSymbolicLink(p).toString() : null;
        return new FileStat(kind, (Long) a.get("size"), nanos, (Long) a.get("ino"),
                (Integer) a.get("mode") & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"), linkTarget);
    }

    static String sha256Of(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            return sha256Of(ch);
        }
    }

    /**
     * One read buffer per thread for {@link #sha256Of(FileChannel)}: a new one per file was
     * zeroed for nothing (most managed files are a few bytes), 6 % of a no-op apply's samples.
     */
    private static final ThreadLocal<ByteBuffer> HASH_BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocate(16 * 1024));

    static String sha256Of(FileChannel ch) throws IOException {
        MessageDigest md = Sha256.digest();
        ByteBuffer buf = HASH_BUFFER.get().clear();
        while (ch.read(buf) >= 0) {
            buf.flip();
            md.update(buf);
            buf.clear();
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** The entries below the directory {@code base}, sorted by path, never following a symlink. */
    static List<TreeEntry> walk(Path base) throws IOException {
        List<TreeEntry> out = new ArrayList<>();
        if (!Files.isDirectory(base)) {
            return out;
        }
        Files.walkFileTree(base, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (!d.equals(base)) {
                    out.add(new TreeEntry(relative(base, d), stat(d)));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                out.add(new TreeEntry(relative(base, f), stat(f)));
                return FileVisitResult.CONTINUE;
            }
        });
        out.sort(Comparator.comparing(TreeEntry::relativePath));
        return out;
    }

    private static String relative(Path base, Path p) {
        return base.relativize(p).toString().replace('\\', '/');
    }

    /** {@code mkdir -p} with mode 0755 for each directory it creates, whatever the umask. */
    static void createParents(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        createParents(dir.getParent());
        try {
            Files.createDirectory(dir);
            AtomicWriter.setMode(dir, 0755);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }

    /**
     * Removes {@code top} and everything below it, never following a symlink (a link is removed,
     * not what it points to); nothing when absent. A directory its owner may not write or search
     * (an archive's read-only directory) is opened to its owner first: it goes anyway, as its
     * content does.
     */
    static void deleteTree(Path top) throws IOException {
        if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                int mode = (Integer) Files.getAttribute(d, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                if ((mode & 0300) != 0300) {
                    AtomicWriter.setMode(d, (mode & 07777) | 0700);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
