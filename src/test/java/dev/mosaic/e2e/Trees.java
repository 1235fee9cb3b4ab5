package dev.mosaic.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** File-system helpers for the end-to-end tests: snapshots of trees, digests and raw metadata. */
final class Trees {

    private Trees() {
    }

    /** What {@code lstat} says about a path, plus a digest of its content or link target. */
    record Entry(String kind, int mode, long size, long mtimeNanos, long ctimeNanos, long inode, String content) {
    }

    static Entry entry(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p,
                    "unix:mode,ino,size,lastModifiedTime,ctime,isRegularFile,isDirectory,isSymbolicLink",
                    LinkOption.NOFOLLOW_LINKS);
            String kind = (Boolean) a.get("isSymbolicLink") ? "link"
                    : (Boolean) a.get("isRegularFile") ? "file"
                    : (Boolean) a.get("isDirectory") ? "dir" : "other";
            String content = switch (kind) {
                case "file" -> sha256(p);
                case "link" -> "-> " + Files.readSymbolicLink(p);
                default -> "";
            };
            return new Entry(kind, (Integer) a.get("mode") & 07777, (Long) a.get("size"),
                    nanos((FileTime) a.get("lastModifiedTime")), nanos((FileTime) a.get("ctime")),
                    (Long) a.get("ino"), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }

    /**
     * Every path below {@code root} (the root itself as "."), by relative path, with kind, mode,
     * size, mtime, ctime, inode and content digest: two equal snapshots mean nothing was touched.
     */
    static Map<String, Entry> snapshot(Path root) {
        Map<String, Entry> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.forEach(p -> {
                String rel = root.relativize(p).toString();
                out.put(rel.isEmpty() ? "." : rel, entry(p));
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static String sha256(Path file) {
        MessageDigest md = newSha256();
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) >= 0) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static int mode(Path p) {
        try {
            return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void setMode(Path p, int mode) {
        try {
            Files.setAttribute(p, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes {@code dir} and everything below it; nothing when it does not exist. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Target path {@code /a/b} below a sandbox root. */
    static Path under(Path root, String targetPath) {
        return root.resolve(targetPath.substring(1));
    }
}
