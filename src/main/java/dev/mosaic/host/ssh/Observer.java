package dev.mosaic.host.ssh;

import dev.mosaic.base.Sha256;
import dev.mosaic.base.TargetPath;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.StatCache;
import dev.mosaic.host.TreeDigest;
import dev.mosaic.host.TreeEntry;
import dev.mosaic.host.TreeHasher;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * An {@link SshHost}'s reads of metadata and content digests, batched: {@link #prefetch} asks one
 * remote {@code find} for the metadata of every path a playbook touches, and the first hash
 * anybody needs fetches, in one remote {@code sha256sum}, every hash the control machine's stat
 * cache cannot answer. After that, {@code stat}, {@code sha256}, {@code walk} and
 * {@code digestTree} are answered from the {@link ProbeCache}, so a no-op plan costs a handful
 * of round trips whatever the number of resources. Thread-safe.
 */
final class Observer {

    private final RemoteRoot remote;
    private final ProbeCache cache;
    private final StatCache statCache;
    private final boolean saveStatCache;

    /** Whether the next prefetch also hashes the files it sees (see {@link #Observer}). */
    private volatile boolean hashWithProbe;

    /**
     * @param newStatCache this host's stat cache has never been written (a first run, or the
     *                     plan after a first apply, whose writes it cannot key): it knows no hash,
     *                     so the prefetch hashes the files it sees in the same round trip
     */
    Observer(RemoteRoot remote, ProbeCache cache, StatCache statCache, boolean saveStatCache, boolean newStatCache) {
        this.remote = remote;
        this.cache = cache;
        this.statCache = statCache;
        this.saveStatCache = saveStatCache;
        this.hashWithProbe = newStatCache;
    }

    /** See {@link SshHost#prefetch}. */
    void prefetch(Collection<String> paths, Collection<String> trees) throws IOException {
        // Only hints: a path no host accepts is left for the resource that names it to be refused.
        Set<String> all = new LinkedHashSet<>();
        paths.stream().filter(p -> TargetPath.problem(p) == null).forEach(p -> all.add(TargetPath.normalize(p)));
        Set<String> whole = new TreeSet<>();
        trees.stream().filter(t -> TargetPath.problem(t) == null).forEach(t -> whole.add(TargetPath.normalize(t)));
        all.addAll(whole);
        if (hashWithProbe) {
            hashWithProbe = false;
            probeAndHash(all);
        } else {
            probe(all, false);
        }
        // A tree inside another one comes with it; a tree that is a file or absent is known already.
        whole.removeIf(t -> !cache.known.get(t).stat().isDirectory()
                || whole.stream().anyMatch(o -> !o.equals(t) && (o.equals("/") || t.startsWith(o + "/"))));
        if (!whole.isEmpty()) {
            probe(whole, true);
        }
    }

    private void probe(Collection<String> paths, boolean recursive) throws IOException {
        List<String> remotes = new ArrayList<>();
        for (String p : paths) {
            remotes.add(remote.remote(p));
        }
        SshConnection conn = remote.conn();
        SshConnection.Result r = conn.run(Probe.statCommand(recursive), Probe.nulList(remotes));
        if (r.exitCode() == 127) {
            throw new IOException(remote.name() + " has no 'find' (GNU findutils is needed on the server)");
        }
        if (r.exitCode() != 0) {
            throw new IOException("probing files on " + conn.endpoint().describe() + " failed: " + r.stderr());
        }
        Probe.Seen seen = Probe.parseStats(r.stdout());
        for (Map.Entry<String, Probe.Entry> e : seen.entries().entrySet()) {
            if (remote.holds(e.getKey())) {
                cache.saw(remote.target(e.getKey()), e.getValue());
            }
        }
        for (String p : paths) {
            cache.asked(p, recursive);
        }
    }

    /** {@link #probe} of single paths that also hashes every regular file among them. */
    private void probeAndHash(Collection<String> paths) throws IOException {
        List<String> remotes = new ArrayList<>();
        for (String p : paths) {
            remotes.add(remote.remote(p));
        }
        SshConnection conn = remote.conn();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = conn.run(Probe.statAndHashCommand(), Probe.nulList(remotes), out, err, null);
        if (code == 127) {
            throw new IOException(remote.name() + " has no 'find' (GNU findutils is needed on the server)");
        }
        if (code != 0) {
            throw new IOException("probing files on " + conn.endpoint().describe() + " failed (exit " + code + ")");
        }
        Probe.Seen seen = Probe.parseStats(out.toByteArray());
        Map<String, String> hashes = Probe.parseHashLines(err.toByteArray(), 0);
        for (Map.Entry<String, Probe.Entry> e : seen.entries().entrySet()) {
            if (!remote.holds(e.getKey())) {
                continue;
            }
            String target = remote.target(e.getKey());
            cache.saw(target, e.getValue());
            String sha = e.getValue().stat().isFile() ? hashes.get(e.getKey()) : null;
            if (sha != null) {
                cache.hashes.put(target, sha);
                FileStat st = e.getValue().stat();
                statCache.record(e.getKey(), st.size(), st.mtimeNanos(), e.getValue().fileKey(), sha, seen.remoteNanos());
            }
        }
        for (String p : paths) {
            cache.asked(p, false);
        }
    }

    /**
     * Learns again, through one SFTP {@code lstat} (no process on the server), what this host just
     * made at {@code path}, and at its parents when they were just created too.
     */
    void learn(String path) throws IOException {
        for (String a = RemoteRoot.parent(path); a != null; a = RemoteRoot.parent(a)) {
            FileStat was = cache.cached(a);
            if (was == null || was.isDirectory()) {
                break; // unknown (asked when needed) or already a directory
            }
            learnOne(a);
        }
        learnOne(path);
    }

    void learnOne(String path) throws IOException {
        SshConnection conn = remote.conn();
        SftpClient sftp = conn.sftp();
        String r = remote.remote(path);
        SftpClient.Attributes a;
        try {
            conn.count(1);
            a = sftp.lstat(r);
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                cache.learnedAbsent(path);
                return;
            }
            throw remote.sftpError(e, path);
        } catch (RuntimeException e) {
            throw remote.failed(path, e);
        }
        FileStat.Kind kind = a.isSymbolicLink() ? FileStat.Kind.SYMLINK : a.isRegularFile() ? FileStat.Kind.FILE
                : a.isDirectory() ? FileStat.Kind.DIRECTORY : FileStat.Kind.OTHER;
        String link = null;
        if (kind == FileStat.Kind.SYMLINK) {
            conn.count(1);
            link = sftp.readLink(r);
        }
        long mtime = a.getModifyTime() == null ? 0 : a.getModifyTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
        // SFTP gives seconds and no inode: good for the plan, not for the stat cache (no file key).
        cache.learned(path, new Probe.Entry(new FileStat(kind, a.getSize(), mtime, 0, a.getPermissions() & 07777,
                a.getUserId(), a.getGroupId(), link), ""));
    }

    FileStat stat(TargetPath path) throws IOException {
        String p = path.text();
        FileStat s = cache.cached(p);
        if (s == null) {
            probe(List.of(p), false);
            s = cache.known.get(p).stat();
        }
        return s;
    }

    String sha256(TargetPath path) throws IOException {
        String p = path.text();
        FileStat s = stat(path);
        if (!s.isFile()) {
            if (!s.exists()) {
                throw new java.nio.file.NoSuchFileException(p);
            }
            // A symlink (followed, as a local read would) or something else: ask directly.
            Probe.Hashes h = hash(List.of(remote.remote(p)));
            String sha = h.byPath().get(remote.remote(p));
            if (sha == null) {
                throw new IOException("cannot hash " + path + " on " + remote.name());
            }
            return sha;
        }
        String sha = hashOf(p);
        if (sha != null) {
            return sha;
        }
        hashPending(p);
        sha = cache.hashes.get(p);
        if (sha == null) {
            throw new java.nio.file.NoSuchFileException(p);
        }
        return sha;
    }

    /** The hash of a probed file when this run or the stat cache already knows it. */
    private String hashOf(String p) throws IOException {
        String sha = cache.hashes.get(p);
        if (sha != null) {
            return sha;
        }
        Probe.Entry e = cache.known.get(p);
        if (e == null || !e.stat().isFile()) {
            return null;
        }
        sha = statCache.lookup(remote.remote(p), e.stat().size(), e.stat().mtimeNanos(), e.fileKey());
        if (sha != null) {
            cache.hashes.put(p, sha);
        }
        return sha;
    }

    /**
     * Hashes, in one round trip, {@code first} and every probed file whose hash is not known yet:
     * whoever needs one hash now will most likely need the others soon.
     */
    private synchronized void hashPending(String first) throws IOException {
        if (cache.hashes.containsKey(first)) {
            return;
        }
        List<String> todo = new ArrayList<>();
        todo.add(first);
        for (Map.Entry<String, Probe.Entry> e : cache.known.entrySet()) {
            if (e.getValue().stat().isFile() && !e.getKey().equals(first) && !cache.isStale(e.getKey()) && hashOf(e.getKey()) == null) {
                todo.add(e.getKey());
            }
        }
        hashAll(todo);
    }

    private void hashAll(List<String> paths) throws IOException {
        List<String> remotes = new ArrayList<>();
        for (String p : paths) {
            remotes.add(remote.remote(p));
        }
        Probe.Hashes h = hash(remotes);
        for (String p : paths) {
            String sha = h.byPath().get(remote.remote(p));
            Probe.Entry e = cache.known.get(p);
            if (sha == null || e == null) {
                continue;
            }
            cache.hashes.put(p, sha);
            statCache.record(remote.remote(p), e.stat().size(), e.stat().mtimeNanos(), e.fileKey(), sha, h.remoteNanos());
        }
    }

    private Probe.Hashes hash(List<String> remotePaths) throws IOException {
        SshConnection conn = remote.conn();
        SshConnection.Result r = conn.run(Probe.hashCommand(), Probe.nulList(remotePaths));
        if (r.exitCode() != 0) {
            throw new IOException("hashing files on " + conn.endpoint().describe() + " failed: " + r.stderr());
        }
        return Probe.parseHashes(r.stdout());
    }

    List<TreeEntry> walk(TargetPath dir) throws IOException {
        String d = dir.text();
        ensureListed(d);
        List<TreeEntry> out = new ArrayList<>();
        Probe.Entry base = cache.known.get(d);
        if (base == null || !base.stat().isDirectory()) {
            return out;
        }
        String prefix = d.equals("/") ? "/" : d + "/";
        for (Map.Entry<String, Probe.Entry> e : cache.below(d).entrySet()) {
            if (e.getValue().stat().exists()) {
                out.add(new TreeEntry(e.getKey().substring(prefix.length()), e.getValue().stat()));
            }
        }
        out.sort(java.util.Comparator.comparing(TreeEntry::relativePath));
        return out;
    }

    private void ensureListed(String d) throws IOException {
        boolean complete = !cache.isStale(d) && cache.stale.stream().noneMatch(s -> s.startsWith(d + "/"));
        if (complete) {
            for (String p = d; p != null; p = RemoteRoot.parent(p)) {
                if (cache.listed.contains(p)) {
                    return;
                }
            }
        }
        probe(List.of(d), true);
    }

    TreeDigest digestTree(TargetPath dir, Predicate<String> names) throws IOException {
        String d = dir.text();
        List<TreeEntry> entries = walk(dir);
        String prefix = d.equals("/") ? "/" : d + "/";
        List<String> missing = new ArrayList<>();
        for (TreeEntry e : entries) {
            if (e.stat().isFile() && counts(e, names) && hashOf(prefix + e.relativePath()) == null) {
                missing.add(prefix + e.relativePath());
            }
        }
        if (!missing.isEmpty()) {
            hashAll(missing);
        }
        MessageDigest md = Sha256.digest();
        int files = 0;
        for (TreeEntry e : entries) {
            if (!counts(e, names)) {
                continue;
            }
            FileStat s = e.stat();
            char kind = switch (s.kind()) {
                case FILE -> 'f';
                case DIRECTORY -> 'd';
                case SYMLINK -> 'l';
                default -> 'o';
            };
            String content = switch (kind) {
                case 'f' -> {
                    String sha = cache.hashes.get(prefix + e.relativePath());
                    if (sha == null) {
                        throw new IOException("file vanished while hashing: " + prefix + e.relativePath() + " on " + remote.name());
                    }
                    yield sha;
                }
                case 'l' -> s.linkTarget();
                default -> null;
            };
            TreeHasher.update(md, e.relativePath(), kind, kind != 'd' && (s.mode() & 0100) != 0, content);
            if (kind == 'f') {
                files++;
            }
        }
        save();
        return new TreeDigest(HexFormat.of().formatHex(md.digest()), files, missing.size());
    }

    private static boolean counts(TreeEntry e, Predicate<String> names) {
        if (names == null) {
            return true;
        }
        String rel = e.relativePath();
        return e.stat().isFile() && names.test(rel.substring(rel.lastIndexOf('/') + 1));
    }

    /** Keeps the stat cache, when this run may write. */
    void save() throws IOException {
        if (saveStatCache) {
            statCache.save();
        }
    }
}
