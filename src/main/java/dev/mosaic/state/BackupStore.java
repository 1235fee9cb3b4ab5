package dev.mosaic.state;

import dev.mosaic.base.AtomicFile;
import dev.mosaic.base.Sha256;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.LinkOption;
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

/**
 * The content-addressed copies of files Mosaic overwrote or deleted on a target
 * ({@code STATE/backups/<sha256>}), for {@code mosaic restore}. The same content is kept once.
 * The store is capped in size: {@link #trim()} removes the least recently stored copies first
 * until the total fits. Thread-safe (each copy is written to a temp file and renamed).
 */
public final class BackupStore {

    /** 256 MiB: a few kernels and initrds, and thousands of configuration files. */
    public static final long DEFAULT_CAP = 256L * 1024 * 1024;

    private final Path dir;
    private final long cap;

    public BackupStore(Path dir, long cap) {
        this.dir = dir;
        this.cap = cap;
    }

    /** The store of the target whose state lives in {@code stateDir}, with the default cap. */
    public static BackupStore of(Path stateDir) {
        return new BackupStore(stateDir.resolve("backups"), DEFAULT_CAP);
    }

    public Path dir() {
        return dir;
    }

    /**
     * Keeps {@code content} and returns its sha256 (hex). Storing what is already kept only renews
     * it. The copy is on disk when this returns ({@link AtomicFile}): the change it backs up is
     * made after, so a crash never leaves a change whose copy was lost.
     */
    public String put(InputStream content) throws IOException {
        StateDir.directory(dir);
        MessageDigest md = Sha256.digest();
        AtomicFile.Temp tmp = AtomicFile.stage(dir, "incoming", out -> content.transferTo(new DigestOutputStream(out, md)));
        String hex = HexFormat.of().formatHex(md.digest());
        Path file = dir.resolve(hex);
        Optional<BasicFileAttributes> kept = StateDir.lstat(file);
        if (kept.isPresent() && kept.get().isRegularFile()) {
            tmp.discard();
            // Renewed through the file itself, never through a link (lstat said it is none).
            Files.getFileAttributeView(file, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.fromMillis(System.currentTimeMillis()), null, null);
        } else {
            // Absent, or something else in the way (a link is replaced, never followed).
            tmp.publishAs(file);
        }
        return hex;
    }

    /** The kept content with that digest, if it is still kept (the cap may have removed it). */
    public Optional<byte[]> get(String sha256) throws IOException {
        if (!sha256.matches("[0-9a-f]{64}")) {
            return Optional.empty();
        }
        Optional<BasicFileAttributes> a = StateDir.lstat(dir.resolve(sha256));
        if (a.isEmpty() || !a.get().isRegularFile()) {
            return Optional.empty(); // a link there is not a copy Mosaic kept
        }
        Optional<byte[]> bytes = StateDir.read(dir.resolve(sha256));
        // A copy damaged on disk is not a copy.
        return bytes.filter(b -> HexFormat.of().formatHex(Sha256.digest().digest(b)).equals(sha256));
    }

    /** Removes the oldest copies until the store holds at most its cap. Returns how many went. */
    public synchronized int trim() throws IOException {
        if (StateDir.lstat(dir).isEmpty()) {
            return 0;
        }
        StateDir.directory(dir); // a link there is refused: never list nor delete through it
        record Kept(Path file, long size, long modified) {
        }
        List<Kept> kept = new ArrayList<>();
        long total = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "[0-9a-f]*")) {
            for (Path f : s) {
                Optional<BasicFileAttributes> a = StateDir.lstat(f);
                if (a.isPresent() && a.get().isRegularFile()) { // only copies Mosaic made: never a link's target
                    kept.add(new Kept(f, a.get().size(), a.get().lastModifiedTime().toMillis()));
                    total += a.get().size();
                }
            }
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

}
