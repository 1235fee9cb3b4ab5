package dev.mosaic.testing;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Everything observable about a directory tree, one line per path: type, permission bits, owner,
 * size, mtime (nanoseconds), inode, and the content's sha256 or the link's target. Two equal
 * snapshots mean nothing below the directory was created, removed, rewritten, touched or chmod-ed.
 * Symlinks are recorded, never followed.
 */
public final class TreeSnapshot {

    private TreeSnapshot() {
    }

    /** The snapshot of {@code dir} (which is itself the line {@code "."}), sorted by path. */
    public static List<String> of(Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return lines;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                lines.add(describe(dir, d));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                lines.add(describe(dir, f));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                throw e;
            }
        });
        Collections.sort(lines);
        return lines;
    }

    /** The snapshots of several directories, each line prefixed with its directory's label. */
    public static List<String> of(Map<String, Path> dirs) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, Path> e : dirs.entrySet()) {
            for (String line : of(e.getValue())) {
                lines.add(e.getKey() + ":" + line);
            }
        }
        return lines;
    }

    /**
     * What a tree holds below {@code dir}, without when and by whom: one line per path with its type,
     * permission bits and content digest or link target. Two trees with equal shapes are copies of
     * each other (their top directories aside).
     */
    public static List<String> shape(Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : of(dir)) {
            if (line.startsWith(". ")) {
                continue;
            }
            lines.add(line.replaceAll(" owner=\\S+ size=\\S+ mtime=\\S+ ino=\\S+", ""));
        }
        return lines;
    }

    private static String describe(Path base, Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p,
                "unix:mode,ino,uid,gid,size,lastModifiedTime,isRegularFile,isDirectory,isSymbolicLink",
                LinkOption.NOFOLLOW_LINKS);
        String rel = base.relativize(p).toString();
        String type;
        String what = "";
        if ((Boolean) a.get("isSymbolicLink")) {
            type = "symlink";
            what = " -> " + Files.readSymbolicLink(p);
        } else if ((Boolean) a.get("isDirectory")) {
            type = "dir";
        } else if ((Boolean) a.get("isRegularFile")) {
            type = "file";
            what = " sha256=" + sha256(p);
        } else {
            type = "special";
        }
        long mtime = ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS);
        return String.format("%s %s mode=%04o owner=%d:%d size=%d mtime=%d ino=%d%s",
                rel.isEmpty() ? "." : rel, type, (Integer) a.get("mode") & 07777, (Integer) a.get("uid"),
                (Integer) a.get("gid"), (Long) a.get("size"), mtime, (Long) a.get("ino"), what);
    }

    private static String sha256(Path p) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
