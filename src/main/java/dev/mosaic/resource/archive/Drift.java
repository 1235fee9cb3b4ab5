package dev.mosaic.resource.archive;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.resource.Digests;
import dev.mosaic.resource.TargetPaths;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * How the destination compares with the manifest of the last unpack, and how the manifest learns
 * the identity of what was written.
 *
 * <p>This is git's index and rsync's quick check: after an unpack, each file's identity as
 * {@code lstat} shows it (size, mtime in ns, inode) is kept in the manifest; a plan stats each
 * file and compares its identity only. A file whose identity differs (or was never trusted, see
 * {@link #stamped}) has its content compared, by CRC32C (or SHA-256 for a version 1 manifest).
 * Any write to a file changes its mtime, and a replacement its inode too, so an unchanged
 * identity means unchanged content; a no-op plan of an unpacked kernel tree reads no file.
 */
final class Drift {

    /** The overwrites digest of no drifted entry. */
    static final String NOTHING = HexFormat.of().formatHex(Digests.newSha256().digest());

    private Drift() {
    }

    /** What {@link #compare} found: labels for the plan, and the relative paths to rewrite. */
    record Found(List<String> added, List<String> changed, List<String> drifted, String overwrites) {
    }

    /** Compares each manifest entry with what the destination holds now. */
    static Found compare(Manifest previous, String dest, Host host) throws IOException {
        List<Manifest.Entry> entries = previous.entries();
        FileStat[] stats = new FileStat[entries.size()];
        TargetPath d = TargetPath.of(dest);
        for (int i = 0; i < stats.length; i++) {
            stats[i] = host.stat(d.join(entries.get(i).path()));
        }
        return found(entries, stats, dest, host);
    }

    /** {@link #compare}'s verdict on entries whose {@code lstat}s were taken already. */
    private static Found found(List<Manifest.Entry> entries, FileStat[] stats, String dest, Host host) throws IOException {
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> drifted = new ArrayList<>();
        // What restoring the drifted entries would overwrite, by content (see overwritesDigest).
        MessageDigest overwrites = Digests.newSha256();
        for (int i = 0; i < stats.length; i++) {
            Manifest.Entry e = entries.get(i);
            String p = TargetPaths.join(dest, e.path());
            FileStat s = stats[i];
            if (!s.exists()) {
                added.add(e.label());
                drifted.add(e.path());
            } else if (!matches(e, s, p, host)) {
                changed.add(e.label());
                drifted.add(e.path());
                overwrites.update(Digests.onTarget(host, p, s).getBytes(StandardCharsets.UTF_8));
            }
        }
        return new Found(added, changed, drifted, HexFormat.of().formatHex(overwrites.digest()));
    }

    private static boolean matches(Manifest.Entry e, FileStat s, String path, Host host) throws IOException {
        return switch (e.kind()) {
            // A symlink where the archive has a directory was put there on purpose; it is kept.
            case "dir" -> s.isSymlink() || (s.isDirectory() && s.mode() == e.mode());
            case "symlink" -> s.isSymlink() && Objects.equals(e.target(), s.linkTarget());
            default -> s.isFile() && s.mode() == e.mode() && s.size() == e.size()
                    && (sameIdentity(e, s) || sameContent(e, path, host));
        };
    }

    /**
     * Whether {@code lstat} shows the file as it was recorded. An mtime recorded in whole seconds
     * (a host that tells only seconds, as SFTP does) is compared in seconds; an inode of 0 was not
     * told and is not compared.
     */
    static boolean sameIdentity(Manifest.Entry e, FileStat s) {
        if (e.mtime() == null) {
            return false;
        }
        long recorded = e.mtime();
        boolean sameTime = recorded % 1_000_000_000L == 0
                ? Math.floorDiv(s.mtimeNanos(), 1_000_000_000L) == recorded / 1_000_000_000L
                : s.mtimeNanos() == recorded;
        long ino = e.inode() == null ? 0 : e.inode();
        return sameTime && (ino == 0 || s.inode() == 0 || s.inode() == ino);
    }

    private static boolean sameContent(Manifest.Entry e, String path, Host host) throws IOException {
        if (e.crc32c() != null) {
            try (InputStream in = host.open(TargetPath.of(path))) {
                return crc32c(in).equals(e.crc32c());
            }
        }
        return host.sha256(TargetPath.of(path)).equals(e.sha256());
    }

    /** The CRC32C of a stream, read to its end, as 8 hex digits. */
    static String crc32c(InputStream in) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = in.read(buf)) > 0; ) {
            crc.update(buf, 0, n);
        }
        return hex(crc);
    }

    static String hex(CRC32C crc) {
        return String.format("%08x", crc.getValue());
    }

    /**
     * The entries just written, each file with the identity {@code lstat} shows for it now. Git's
     * guard against the racy case: a file whose mtime is not older than the newest mtime seen here
     * (the file system's own clock, read after every write of the unpack) could still change
     * within the same timestamp tick without its identity changing, so it gets no identity and a
     * plan compares its content. Any later write gets an mtime at least that newest one, so an
     * older file's identity cannot stay the same through it.
     *
     * @param written the entries of this unpack, in archive order
     */
    static List<Manifest.Entry> stamped(List<Manifest.Entry> written, String dest, Host host) throws IOException {
        return stamp(written, dest, host, false).entries();
    }

    /**
     * {@link #stamped} entries, and with {@code compared} what {@link #compare} of them finds, from
     * the same {@code lstat}s (symlinks' too): taken after the unpack's last write, they are the
     * observation a compare would make right then.
     *
     * @param found {@link #compare}'s verdict, or null when not asked for
     */
    record Stamped(List<Manifest.Entry> entries, Found found) {
    }

    static Stamped stamp(List<Manifest.Entry> written, String dest, Host host, boolean compared) throws IOException {
        TargetPath d = TargetPath.of(dest);
        long newest = Math.max(host.stat(d).mtimeNanos(), d.parent() == null ? 0 : host.stat(d.parent()).mtimeNanos());
        FileStat[] stats = new FileStat[written.size()];
        for (int i = 0; i < stats.length; i++) {
            Manifest.Entry e = written.get(i);
            if (!e.kind().equals("symlink")) {
                stats[i] = host.stat(d.join(e.path()));
                newest = Math.max(newest, stats[i].mtimeNanos());
            } else if (compared) {
                stats[i] = host.stat(d.join(e.path()));
            }
        }
        List<Manifest.Entry> out = new ArrayList<>(written.size());
        for (int i = 0; i < stats.length; i++) {
            Manifest.Entry e = written.get(i);
            FileStat s = stats[i];
            if (!e.kind().equals("file")) {
                out.add(e);
                continue;
            }
            // A host that tells whole seconds only (SFTP) is compared in seconds: see sameIdentity.
            long limit = s.mtimeNanos() % 1_000_000_000L == 0 ? Math.floorDiv(newest, 1_000_000_000L) * 1_000_000_000L : newest;
            boolean trusted = s.isFile() && s.size() == e.size() && s.mode() == e.mode()
                    && s.mtimeNanos() < limit;
            out.add(trusted ? e.identified(s.mtimeNanos(), s.inode()) : e);
        }
        return new Stamped(out, compared ? found(out, stats, dest, host) : null);
    }
}
