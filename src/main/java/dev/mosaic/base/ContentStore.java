package dev.mosaic.base;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Files named by the SHA-256 of what they hold ({@code DIR/<64 hex>}), on the control machine: the
 * same content is kept once, a file appears whole or not at all ({@link AtomicFile}), and what is
 * read back is checked against its name. Nothing is ever followed through a link: an entry that is
 * not a regular file is not content this store kept — it is replaced by {@link #put}, ignored by
 * {@link #get} and {@link #trim}. The caller makes sure {@code DIR} is a directory it trusts.
 */
public final class ContentStore {

    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");

    private final Path dir;

    public ContentStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** Whether {@code name} is a digest this store could name a file by. */
    public static boolean isDigest(String name) {
        return DIGEST.matcher(name).matches();
    }

    /**
     * Keeps {@code content} and returns its sha256 (hex); on disk when this returns. Storing what
     * is already kept only renews its time (what {@link #trim} removes last).
     */
    public String put(InputStream content) throws IOException {
        MessageDigest md = Sha256.digest();
        AtomicFile.Temp tmp = AtomicFile.stage(dir, "incoming", out -> content.transferTo(new DigestOutputStream(out, md)));
        String hex = HexFormat.of().formatHex(md.digest());
        Path file = dir.resolve(hex);
        if (kept(file).isPresent()) {
            tmp.discard();
            // Renewed through the file itself, never through a link (kept() said it is none).
            Files.getFileAttributeView(file, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.fromMillis(System.currentTimeMillis()), null, null);
        } else {
            tmp.publishAs(file); // absent, or something else in the way: a link is replaced, never followed
        }
        return hex;
    }

    /** The file holding the content of that digest, when it is kept (not checked: see {@link #get}). */
    public Optional<Path> path(String sha256) throws IOException {
        if (!isDigest(sha256)) {
            return Optional.empty();
        }
        Path file = dir.resolve(sha256);
        return kept(file).map(a -> file);
    }

    /** The content of that digest, when it is kept and still holds it (a copy damaged on disk is none). */
    public Optional<byte[]> get(String sha256) throws IOException {
        Optional<Path> file = path(sha256);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes;
        try (SeekableByteChannel ch = Files.newByteChannel(file.get(), Set.of(StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS)); InputStream in = Channels.newInputStream(ch)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            bytes = out.toByteArray();
        } catch (NoSuchFileException e) {
            return Optional.empty(); // trimmed meanwhile
        }
        return Sha256.hex(bytes).equals(sha256) ? Optional.of(bytes) : Optional.empty();
    }

    /**
     * Removes the least recently stored files until the store holds at most {@code cap} bytes.
     * Returns how many went. Only regular files named by a digest count: never a link's target.
     */
    public int trim(long cap) throws IOException {
        record Kept(Path file, long size, long modified) {
        }
        List<Kept> kept = new ArrayList<>();
        long total = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, p -> isDigest(p.getFileName().toString()))) {
            for (Path f : s) {
                Optional<BasicFileAttributes> a = kept(f);
                if (a.isPresent()) {
                    kept.add(new Kept(f, a.get().size(), a.get().lastModifiedTime().toMillis()));
                    total += a.get().size();
                }
            }
        } catch (NoSuchFileException e) {
            return 0;
        }
        kept.sort(Comparator.comparingLong(Kept::modified).thenComparing(k -> k.file().getFileName().toString()));
        int removed = 0;
        for (Kept k : kept) {
            if (total <= cap) {
                break;
            }
            Files.deleteIfExists(k.file());
            total -= k.size();
            removed++;
        }
        return removed;
    }

    /** The attributes of {@code file} when it is a regular file (a link is not followed); else empty. */
    private static Optional<BasicFileAttributes> kept(Path file) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? Optional.of(a) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }
}
