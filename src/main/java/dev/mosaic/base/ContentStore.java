package dev.mosaic.base;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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

    /** How old a temp file must be, besides older than this run, for {@link #sweepOnce} to take it. */
    static final Duration LEFTOVER_AGE = Duration.ofHours(1);
    /** The directories this process swept already. */
    private static final Set<Path> SWEPT = ConcurrentHashMap.newKeySet();

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

    /** Writes content and returns the sha256 (hex) of exactly what it wrote, hashed its own way (a system tool for a large file). */
    @FunctionalInterface
    public interface HashedContent {
        String writeTo(OutputStream out) throws IOException;
    }

    /**
     * Keeps {@code content} and returns its sha256 (hex); on disk when this returns. Storing what
     * is already kept only renews its time (what {@link #trim} removes last).
     */
    public String put(InputStream content) throws IOException {
        try (Incoming in = receive(out -> {
            MessageDigest md = Sha256.digest();
            content.transferTo(new DigestOutputStream(out, md));
            return HexFormat.of().formatHex(md.digest());
        })) {
            in.keep();
            return in.digest();
        }
    }

    /**
     * Writes {@code content} whole into the store's directory and forces it to disk, not yet kept:
     * the caller checks {@link Incoming#digest} (the one its writer returned) against what it
     * expects, then {@link Incoming#keep}s it. Closed without that, nothing is left. A writer that
     * returns a wrong digest files content under a wrong name, which every checked read refuses.
     */
    public Incoming receive(HashedContent content) throws IOException {
        sweepOnce();
        String[] digest = new String[1];
        AtomicFile.Temp tmp = AtomicFile.stage(dir, "incoming", out -> digest[0] = content.writeTo(out));
        if (digest[0] == null || !isDigest(digest[0])) {
            tmp.discard();
            throw new IOException("not a sha256 digest: " + digest[0]);
        }
        return new Incoming(tmp, digest[0]);
    }

    /** Content written and forced, under its digest, not yet kept ({@link #receive}). */
    public final class Incoming implements AutoCloseable {
        private final AtomicFile.Temp tmp;
        private final String digest;
        private boolean done;

        private Incoming(AtomicFile.Temp tmp, String digest) {
            this.tmp = tmp;
            this.digest = digest;
        }

        /** The sha256 (hex) its writer gave. */
        public String digest() {
            return digest;
        }

        /** Keeps the content under its digest and returns that file. */
        public Path keep() throws IOException {
            done = true;
            return publish(tmp, digest);
        }

        /** Removes the content unless it was kept. */
        @Override
        public void close() throws IOException {
            if (!done) {
                done = true;
                tmp.discard();
            }
        }
    }

    /**
     * Keeps a regular file that another program wrote in this store's directory (or a directory
     * below it, on the same file system), whose sha256 the caller computed ({@link #sha256Of}):
     * forced to disk and renamed, never copied. Returns the kept file.
     */
    public Path adopt(Path file, String sha256) throws IOException {
        if (!isDigest(sha256)) {
            throw new IOException("not a sha256 digest: " + sha256);
        }
        sweepOnce();
        AtomicFile.forceFile(file); // a link is refused here, never moved in
        return publish(new AtomicFile.Temp(file), sha256);
    }

    /**
     * At the first write of this process into this directory: removes the temp files that killed
     * writes left ({@link AtomicFile#sweep}), those last modified before this run started and an
     * hour ago — a store may be shared by concurrent runs (the download cache, by the applies of
     * several targets), and another run's download that stalled before this one began is no leftover.
     */
    private void sweepOnce() {
        if (SWEPT.add(dir.toAbsolutePath().normalize())) {
            Instant hourAgo = Instant.now().minus(LEFTOVER_AGE);
            AtomicFile.sweep(dir, 1, hourAgo.isBefore(AtomicFile.RUN_START) ? hourAgo : AtomicFile.RUN_START);
        }
    }

    /** Renames {@code tmp} to the digest's name, or drops it when that content is kept already (renewing its time). */
    private Path publish(AtomicFile.Temp tmp, String hex) throws IOException {
        Path file = dir.resolve(hex);
        if (kept(file).isPresent()) {
            tmp.discard();
            // Renewed through the file itself, never through a link (kept() said it is none).
            Files.getFileAttributeView(file, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.fromMillis(System.currentTimeMillis()), null, null);
        } else {
            tmp.publishAs(file); // absent, or something else in the way: a link is replaced, never followed
        }
        return file;
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
     * The file holding the content of that digest, when it is kept and still holds it, checked by
     * streaming it (for files too large to hold in memory). A copy damaged on disk is removed, so
     * that its content can be stored again, and is none.
     */
    public Optional<Path> checked(String sha256) throws IOException {
        Optional<Path> file = path(sha256);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            if (sha256Of(file.get()).equals(sha256)) {
                return file;
            }
        } catch (NoSuchFileException e) {
            return Optional.empty(); // trimmed meanwhile
        }
        Files.deleteIfExists(file.get());
        return Optional.empty();
    }

    /** The sha256 (hex) of a file's content, streamed; a link is not followed (reading one fails). */
    public static String sha256Of(Path file) throws IOException {
        MessageDigest md = Sha256.digest();
        try (SeekableByteChannel ch = Files.newByteChannel(file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
             InputStream in = Channels.newInputStream(ch)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
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
