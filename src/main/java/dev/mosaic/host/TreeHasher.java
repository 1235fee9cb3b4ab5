package dev.mosaic.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Digests a directory tree through a {@link StatCache}: one {@code lstat} per entry, and content
 * hashing (in parallel) only for files whose metadata changed.
 */
public final class TreeHasher {

    private TreeHasher() {
    }

    private static final class Item {
        final String rel;
        final char kind;
        final boolean exec;
        final Path path;
        final BasicFileAttributes attrs;
        String content;

        Item(String rel, char kind, boolean exec, Path path, BasicFileAttributes attrs) {
            this.rel = rel;
            this.kind = kind;
            this.exec = exec;
            this.path = path;
            this.attrs = attrs;
        }
    }

    /** @param names when not null, only regular files whose name it accepts count */
    static TreeDigest digest(Path base, StatCache cache, java.util.function.Predicate<String> names) throws IOException {
        List<Item> items = new ArrayList<>();
        if (Files.isDirectory(base)) {
            Files.walkFileTree(base, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                    if (!d.equals(base) && names == null) {
                        items.add(new Item(rel(base, d), 'd', false, d, a));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    char kind = a.isSymbolicLink() ? 'l' : a.isRegularFile() ? 'f' : 'o';
                    if (names != null && (kind != 'f' || !names.test(f.getFileName().toString()))) {
                        return FileVisitResult.CONTINUE;
                    }
                    boolean exec = a instanceof PosixFileAttributes p && p.permissions().contains(PosixFilePermission.OWNER_EXECUTE);
                    Item item = new Item(rel(base, f), kind, exec, f, a);
                    if (kind == 'l') {
                        item.content = Files.readSymbolicLink(f).toString();
                    }
                    items.add(item);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        AtomicInteger rehashed = new AtomicInteger();
        List<Item> toHash = new ArrayList<>();
        for (Item it : items) {
            if (it.kind != 'f') {
                continue;
            }
            String key = String.valueOf(it.attrs.fileKey());
            long mtime = it.attrs.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
            it.content = cache.lookup(it.path.toString(), it.attrs.size(), mtime, key);
            if (it.content == null) {
                toHash.add(it);
            }
        }
        try {
            toHash.parallelStream().forEach(it -> {
                try {
                    it.content = LocalFiles.sha256Of(it.path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                rehashed.incrementAndGet();
                cache.record(it.path.toString(), it.attrs.size(),
                        it.attrs.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS),
                        String.valueOf(it.attrs.fileKey()), it.content);
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        items.sort(Comparator.comparing(i -> i.rel));
        MessageDigest md = dev.mosaic.base.Sha256.digest();
        int files = 0;
        for (Item it : items) {
            update(md, it.rel, it.kind, it.exec, it.content);
            if (it.kind == 'f') {
                files++;
            }
        }
        return new TreeDigest(HexFormat.of().formatHex(md.digest()), files, rehashed.get());
    }

    /**
     * Adds one entry to a tree digest: every host computes tree digests this way, so that equal
     * trees on two machines have equal digests. Entries go in in path order.
     *
     * @param kind    {@code f} file, {@code d} directory, {@code l} symlink, {@code o} other
     * @param content a file's sha256, a symlink's target, or null
     */
    public static void update(MessageDigest md, String rel, char kind, boolean exec, String content) {
        md.update((rel + '\0' + kind + (exec ? 'x' : '-') + '\0' + (content == null ? "" : content) + '\n')
                .getBytes(StandardCharsets.UTF_8));
    }

    private static String rel(Path base, Path p) {
        return base.relativize(p).toString();
    }
}
