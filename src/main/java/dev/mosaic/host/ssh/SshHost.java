package dev.mosaic.host.ssh;

import dev.mosaic.base.Sha256;
import dev.mosaic.base.TargetPath;
import dev.mosaic.host.AtomicWriter;
import dev.mosaic.host.Exec;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.host.StatCache;
import dev.mosaic.host.TreeDigest;
import dev.mosaic.host.TreeEntry;
import dev.mosaic.host.TreeHasher;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHFsyncExtension;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Predicate;

/**
 * A lab server reached over SSH, optionally below a remote {@code root} directory (a prefix: a
 * remote absolute symlink is not re-rooted, unlike a local sandbox).
 *
 * <p>Observation is batched: {@link #prefetch} asks one remote {@code find} for the metadata of
 * every path a playbook touches, and the first hash anybody needs fetches, in one remote
 * {@code sha256sum}, every hash the control machine's stat cache cannot answer. After that,
 * {@code stat}, {@code sha256}, {@code walk} and {@code digestTree} are answered locally, so a
 * no-op plan costs a handful of round trips whatever the number of resources. A path this host
 * changes is forgotten (and asked again); a command that may change anything forgets everything.
 *
 * <p>Files are written through SFTP to a temp file in the same directory, flushed
 * ({@code fsync@openssh.com}) and renamed over the target ({@code posix-rename@openssh.com}):
 * a connection cut mid-write leaves the old file or the new one, never a mix.
 */
public final class SshHost implements Host, AutoCloseable {

    private static final int TAIL_LINES = 40;
    private static final int CHUNK = 32 * 1024;
    /** Exit code of the wrapper when a command's working directory does not exist. */
    private static final int NO_DIR = 201;

    private final String name;
    private final SshConnection conn;
    /** Remote prefix: "" for the whole machine, else e.g. {@code /srv/sandbox}. */
    private final String root;
    private final StatCache statCache;
    private final boolean saveStatCache;

    /** What probes saw, by target path; ABSENT entries are paths known not to exist. */
    private final NavigableMap<String, Probe.Entry> known = new ConcurrentSkipListMap<>();
    /** Directories whose whole subtree is in {@link #known}. */
    private final Set<String> listed = ConcurrentHashMap.newKeySet();
    /** Paths changed through this host since they were probed: they and what is below must be asked again. */
    private final Set<String> stale = ConcurrentHashMap.newKeySet();
    private final Map<String, String> hashes = new ConcurrentHashMap<>();
    private final Map<String, Optional<Integer>> ids = new ConcurrentHashMap<>();

    /**
     * @param root          the remote directory that stands for {@code /} ({@code /}: the machine)
     * @param statCacheFile on the control machine: remembered hashes of remote files
     */
    public SshHost(String name, SshConnection conn, String root, Path statCacheFile, boolean saveStatCache) {
        this.name = name;
        this.conn = conn;
        this.root = root.equals("/") ? "" : root.replaceAll("/+$", "");
        this.statCache = StatCache.load(statCacheFile);
        this.saveStatCache = saveStatCache;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isSandbox() {
        return !root.isEmpty();
    }

    public long roundTrips() {
        return conn.roundTrips();
    }

    private String remote(String path) throws IOException {
        String norm = normalize(path);
        return root.isEmpty() ? norm : norm.equals("/") ? root : root + norm;
    }

    private String target(String remotePath) {
        if (root.isEmpty()) {
            return remotePath;
        }
        String t = remotePath.substring(root.length());
        return t.isEmpty() ? "/" : t;
    }

    /** {@link TargetPath#checked}: refused (relative, a {@code ..} in it) as on a local root, never collapsed. */
    private static String normalize(String path) throws IOException {
        return TargetPath.checked(path);
    }

    /** A fresh random temp name in the directory of the remote path {@code dest} (see {@link AtomicWriter#tempName}). */
    private static String tempBeside(String dest) {
        String dir = parent(dest);
        return (dir.equals("/") ? "" : dir) + "/" + AtomicWriter.tempName(dest.substring(dest.lastIndexOf('/') + 1));
    }

    private static String parent(String path) {
        if (path.equals("/")) {
            return null;
        }
        int i = path.lastIndexOf('/');
        return i == 0 ? "/" : path.substring(0, i);
    }

    // ---------------------------------------------------------------- batched observation

    /**
     * Fetches the metadata of {@code paths}, and of everything below those of {@code trees} that
     * are directories, so that what resources observe next is answered without asking the server:
     * one round trip, two when some trees are directories.
     */
    public void prefetch(Collection<String> paths, Collection<String> trees) throws IOException {
        // Only hints: a path no host accepts is left for the resource that names it to be refused.
        Set<String> all = new LinkedHashSet<>();
        paths.stream().filter(p -> TargetPath.problem(p) == null).forEach(p -> all.add(TargetPath.normalize(p)));
        Set<String> whole = new TreeSet<>();
        trees.stream().filter(t -> TargetPath.problem(t) == null).forEach(t -> whole.add(TargetPath.normalize(t)));
        all.addAll(whole);
        probe(all, false);
        // A tree inside another one comes with it; a tree that is a file or absent is known already.
        whole.removeIf(t -> !known.get(t).stat().isDirectory()
                || whole.stream().anyMatch(o -> !o.equals(t) && (o.equals("/") || t.startsWith(o + "/"))));
        if (!whole.isEmpty()) {
            probe(whole, true);
        }
    }

    private void probe(Collection<String> paths, boolean recursive) throws IOException {
        List<String> remotes = new ArrayList<>();
        for (String p : paths) {
            remotes.add(remote(p));
        }
        SshConnection.Result r = conn.run(Probe.statCommand(recursive), Probe.nulList(remotes));
        if (r.exitCode() == 127) {
            throw new IOException(name + " has no 'find' (GNU findutils is needed on the server)");
        }
        if (r.exitCode() != 0) {
            throw new IOException("probing files on " + conn.endpoint().describe() + " failed: " + r.stderr());
        }
        Probe.Seen seen = Probe.parseStats(r.stdout());
        for (Map.Entry<String, Probe.Entry> e : seen.entries().entrySet()) {
            if (root.isEmpty() || e.getKey().equals(root) || e.getKey().startsWith(root + "/")) {
                String t = target(e.getKey());
                known.put(t, e.getValue());
                hashes.remove(t);
            }
        }
        for (String p : paths) {
            known.putIfAbsent(p, new Probe.Entry(FileStat.ABSENT, ""));
            stale.remove(p);
            if (recursive) {
                listed.add(p);
                stale.removeIf(s -> s.startsWith(p + "/"));
            }
        }
    }

    private boolean isStale(String path) {
        if (stale.isEmpty()) {
            return false;
        }
        for (String p = path; p != null; p = parent(p)) {
            if (stale.contains(p)) {
                return true;
            }
        }
        return false;
    }

    /** What the probes say about {@code path}, or null when they cannot tell. */
    private FileStat cached(String path) {
        if (isStale(path)) {
            return null;
        }
        Probe.Entry e = known.get(path);
        if (e != null) {
            return e.stat();
        }
        for (String p = parent(path); p != null; p = parent(p)) {
            Probe.Entry pe = known.get(p);
            if (pe != null && pe.stat().isSymlink()) {
                return null; // the path goes through a symlink: only the server can resolve it
            }
            if (listed.contains(p)) {
                return FileStat.ABSENT;
            }
        }
        return null;
    }

    /** Bumped by every change this host makes: see {@link #generation}. */
    private final java.util.concurrent.atomic.AtomicLong generation = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public long generation() {
        return generation.get();
    }

    /** {@code p}: a normalized target path. */
    private void forget(String p) {
        generation.incrementAndGet();
        known.remove(p);
        hashes.remove(p);
        known.subMap(p + "/", p + "0").clear();
        hashes.keySet().removeIf(k -> k.startsWith(p + "/"));
        listed.removeIf(l -> l.equals(p) || l.startsWith(p + "/"));
        stale.add(p);
    }

    private void forgetAll() {
        generation.incrementAndGet();
        known.clear();
        hashes.clear();
        listed.clear();
        stale.clear();
    }

    /**
     * Learns again, through one SFTP {@code lstat} (no process on the server), what this host just
     * made at {@code path}, and at its parents when they were just created too.
     */
    private void learn(String path) throws IOException {
        for (String a = parent(path); a != null; a = parent(a)) {
            FileStat was = cached(a);
            if (was == null || was.isDirectory()) {
                break; // unknown (asked when needed) or already a directory
            }
            learnOne(a);
        }
        learnOne(path);
    }

    private void learnOne(String path) throws IOException {
        SftpClient sftp = conn.sftp();
        String r = remote(path);
        SftpClient.Attributes a;
        try {
            conn.count(1);
            a = sftp.lstat(r);
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                known.put(path, new Probe.Entry(FileStat.ABSENT, ""));
                stale.remove(path);
                return;
            }
            throw sftpError(e, path);
        } catch (RuntimeException e) {
            throw conn.isOpen() ? new IOException(path + " on " + name + ": " + e.getMessage(), e) : conn.lost();
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
        known.put(path, new Probe.Entry(new FileStat(kind, a.getSize(), mtime, 0, a.getPermissions() & 07777,
                a.getUserId(), a.getGroupId(), link), ""));
        stale.remove(path);
        hashes.remove(path);
    }

    /** What this host just removed: nothing there any more, nor below. */
    private void gone(String path) {
        known.subMap(path + "/", path + "0").clear();
        hashes.keySet().removeIf(k -> k.equals(path) || k.startsWith(path + "/"));
        listed.removeIf(l -> l.startsWith(path + "/"));
        stale.removeIf(x -> x.equals(path) || x.startsWith(path + "/"));
        known.put(path, new Probe.Entry(FileStat.ABSENT, ""));
        listed.add(path);
    }

    @Override
    public FileStat stat(String path) throws IOException {
        String p = normalize(path);
        FileStat s = cached(p);
        if (s == null) {
            probe(List.of(p), false);
            s = known.get(p).stat();
        }
        return s;
    }

    @Override
    public String sha256(String path) throws IOException {
        String p = normalize(path);
        FileStat s = stat(p);
        if (!s.isFile()) {
            if (!s.exists()) {
                throw new java.nio.file.NoSuchFileException(path);
            }
            // A symlink (followed, as a local read would) or something else: ask directly.
            Probe.Hashes h = hash(List.of(remote(p)));
            String sha = h.byPath().get(remote(p));
            if (sha == null) {
                throw new IOException("cannot hash " + path + " on " + name);
            }
            return sha;
        }
        String sha = hashOf(p);
        if (sha != null) {
            return sha;
        }
        hashPending(p);
        sha = hashes.get(p);
        if (sha == null) {
            throw new java.nio.file.NoSuchFileException(path);
        }
        return sha;
    }

    /** The hash of a probed file when this run or the stat cache already knows it. */
    private String hashOf(String p) throws IOException {
        String sha = hashes.get(p);
        if (sha != null) {
            return sha;
        }
        Probe.Entry e = known.get(p);
        if (e == null || !e.stat().isFile()) {
            return null;
        }
        sha = statCache.lookup(remote(p), e.stat().size(), e.stat().mtimeNanos(), e.fileKey());
        if (sha != null) {
            hashes.put(p, sha);
        }
        return sha;
    }

    /**
     * Hashes, in one round trip, {@code first} and every probed file whose hash is not known yet:
     * whoever needs one hash now will most likely need the others soon.
     */
    private synchronized void hashPending(String first) throws IOException {
        if (hashes.containsKey(first)) {
            return;
        }
        List<String> todo = new ArrayList<>();
        todo.add(first);
        for (Map.Entry<String, Probe.Entry> e : known.entrySet()) {
            if (e.getValue().stat().isFile() && !e.getKey().equals(first) && !isStale(e.getKey()) && hashOf(e.getKey()) == null) {
                todo.add(e.getKey());
            }
        }
        hashAll(todo);
    }

    private void hashAll(List<String> paths) throws IOException {
        List<String> remotes = new ArrayList<>();
        for (String p : paths) {
            remotes.add(remote(p));
        }
        Probe.Hashes h = hash(remotes);
        for (String p : paths) {
            String sha = h.byPath().get(remote(p));
            Probe.Entry e = known.get(p);
            if (sha == null || e == null) {
                continue;
            }
            hashes.put(p, sha);
            statCache.record(remote(p), e.stat().size(), e.stat().mtimeNanos(), e.fileKey(), sha, h.remoteNanos());
        }
    }

    private Probe.Hashes hash(List<String> remotePaths) throws IOException {
        SshConnection.Result r = conn.run(Probe.hashCommand(), Probe.nulList(remotePaths));
        if (r.exitCode() != 0) {
            throw new IOException("hashing files on " + conn.endpoint().describe() + " failed: " + r.stderr());
        }
        return Probe.parseHashes(r.stdout());
    }

    @Override
    public List<TreeEntry> walk(String dir) throws IOException {
        String d = normalize(dir);
        ensureListed(d);
        List<TreeEntry> out = new ArrayList<>();
        Probe.Entry base = known.get(d);
        if (base == null || !base.stat().isDirectory()) {
            return out;
        }
        String prefix = d.equals("/") ? "/" : d + "/";
        for (Map.Entry<String, Probe.Entry> e : below(d).entrySet()) {
            if (e.getValue().stat().exists()) {
                out.add(new TreeEntry(e.getKey().substring(prefix.length()), e.getValue().stat()));
            }
        }
        out.sort(java.util.Comparator.comparing(TreeEntry::relativePath));
        return out;
    }

    private NavigableMap<String, Probe.Entry> below(String d) {
        return d.equals("/") ? known.tailMap("/", false) : known.subMap(d + "/", true, d + "0", false);
    }

    private void ensureListed(String d) throws IOException {
        boolean complete = !isStale(d) && stale.stream().noneMatch(s -> s.startsWith(d + "/"));
        if (complete) {
            for (String p = d; p != null; p = parent(p)) {
                if (listed.contains(p)) {
                    return;
                }
            }
        }
        probe(List.of(d), true);
    }

    @Override
    public TreeDigest digestTree(String dir) throws IOException {
        return digestTree(dir, null);
    }

    @Override
    public TreeDigest digestTree(String dir, Predicate<String> names) throws IOException {
        String d = normalize(dir);
        List<TreeEntry> entries = walk(d);
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
                    String sha = hashes.get(prefix + e.relativePath());
                    if (sha == null) {
                        throw new IOException("file vanished while hashing: " + prefix + e.relativePath() + " on " + name);
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

    // ---------------------------------------------------------------- reading

    @Override
    public byte[] read(String path) throws IOException {
        try (InputStream in = open(path)) {
            return in.readAllBytes();
        }
    }

    @Override
    public InputStream open(String path) throws IOException {
        SftpClient sftp = conn.sftp();
        conn.count(2);
        try {
            return sftp.read(remote(path));
        } catch (SftpException e) {
            throw sftpError(e, path);
        } catch (RuntimeException e) {
            throw conn.isOpen() ? new IOException(path + " on " + name + ": " + e.getMessage(), e) : conn.lost();
        }
    }

    private IOException sftpError(SftpException e, String path) {
        if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
            return new java.nio.file.NoSuchFileException(path);
        }
        if (e.getStatus() == SftpConstants.SSH_FX_PERMISSION_DENIED) {
            return new java.nio.file.AccessDeniedException(path, null, "permission denied on " + name);
        }
        return new IOException(path + " on " + name + ": " + e.getMessage(), e);
    }

    // ---------------------------------------------------------------- writing

    @Override
    public void writeAtomic(String path, InputStream content, int mode) throws IOException {
        String p = normalize(path);
        forget(p);
        String dest = remote(p);
        String dir = parent(dest);
        String tmp = tempBeside(dest);
        SftpClient sftp = conn.sftp();
        if (parent(p) != null) {
            sweep(parent(p));
        }
        SftpClient.CloseableHandle h;
        try {
            h = openForWrite(sftp, tmp);
        } catch (RuntimeException e) {
            throw conn.isOpen() ? new IOException(path + " on " + name + ": " + e.getMessage(), e) : conn.lost();
        } catch (SftpException e) {
            if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                throw sftpError(e, path);
            }
            mkdirsRemote(dir);
            try {
                h = openForWrite(sftp, tmp);
            } catch (SftpException again) {
                throw sftpError(again, path);
            }
        }
        boolean done = false;
        try {
            MessageDigest md = Sha256.digest();
            try (SftpClient.CloseableHandle handle = h) {
                byte[] buf = new byte[CHUNK];
                long offset = 0;
                for (int n; (n = content.readNBytes(buf, 0, CHUNK)) > 0; ) {
                    conn.count(1);
                    sftp.write(handle, offset, buf, 0, n);
                    md.update(buf, 0, n);
                    offset += n;
                }
                conn.count(1);
                sftp.setStat(handle, new SftpClient.Attributes().perms(mode & 07777));
                OpenSSHFsyncExtension fsync = sftp.getExtension(OpenSSHFsyncExtension.class);
                if (fsync.isSupported()) {
                    conn.count(1);
                    fsync.fsync(handle);
                }
                conn.count(1);
            }
            rename(sftp, tmp, dest);
            done = true;
            learn(p);
            hashes.put(p, HexFormat.of().formatHex(md.digest()));
        } catch (SftpException e) {
            throw sftpError(e, path);
        } catch (IOException | RuntimeException e) {
            if (!conn.isOpen()) {
                throw conn.lost();
            }
            throw e instanceof IOException io ? io : new IOException(path + " on " + name + ": " + e.getMessage(), e);
        } finally {
            if (!done && conn.isOpen()) {
                try {
                    conn.count(1);
                    sftp.remove(tmp);
                } catch (IOException ignored) {
                    // the temp file may not exist; a later write into this directory removes it
                }
            }
        }
    }

    /**
     * Creates the temp file with {@code SSH_FXF_EXCL} ({@code O_CREAT|O_EXCL} on the server): a
     * new file or failure, never through a symlink someone planted at that name.
     */
    private SftpClient.CloseableHandle openForWrite(SftpClient sftp, String tmp) throws IOException {
        conn.count(1);
        return sftp.open(tmp, EnumSet.of(SftpClient.OpenMode.Write, SftpClient.OpenMode.Create, SftpClient.OpenMode.Exclusive));
    }

    /** Directories (target paths) whose leftover temp files this host has removed, or is removing. */
    private final Map<String, Sweep> swept = new ConcurrentHashMap<>();

    /** One directory's removal of leftovers, done once, before this host makes a temp file there. */
    private final class Sweep {
        private boolean done;

        synchronized void ensure(String dir) throws IOException {
            if (done) {
                return;
            }
            SftpClient sftp = conn.sftp();
            String r = remote(dir);
            List<String> temps = new ArrayList<>();
            try {
                conn.count(1);
                for (SftpClient.DirEntry e : sftp.readDir(r)) {
                    if (AtomicWriter.isTemp(e.getFilename())) {
                        temps.add(e.getFilename());
                    }
                }
                for (String t : temps) {
                    conn.count(1);
                    sftp.remove((r.equals("/") ? "" : r) + "/" + t);
                    gone((dir.equals("/") ? "" : dir) + "/" + t);
                }
            } catch (IOException | RuntimeException e) {
                if (!conn.isOpen()) {
                    throw conn.lost();
                }
                // best effort: a missing directory has none, and a stray temp file harms nobody
            }
            done = true;
        }
    }

    /**
     * Removes the temp files a cut connection left in {@code dir} (their names are random, so no
     * later write reuses them), the first time this host writes there: one listing per directory.
     * Every other write of this host into {@code dir} waits for it, so it never takes a temp file
     * being written.
     */
    private void sweep(String dir) throws IOException {
        swept.computeIfAbsent(dir, d -> new Sweep()).ensure(dir);
    }

    private void rename(SftpClient sftp, String from, String to) throws IOException {
        OpenSSHPosixRenameExtension posix = sftp.getExtension(OpenSSHPosixRenameExtension.class);
        if (posix.isSupported()) {
            conn.count(1);
            posix.posixRename(from, to);
        } else {
            shell("mv -f -- " + Shell.quote(from) + " " + Shell.quote(to));
        }
    }

    private void mkdirsRemote(String remoteDir) throws IOException {
        shell("umask 022 && mkdir -p -- " + Shell.quote(remoteDir));
    }

    /** Runs a small command of Mosaic's own; its error output becomes the exception's message. */
    private void shell(String command) throws IOException {
        SshConnection.Result r = conn.run(command, null);
        if (r.exitCode() != 0) {
            throw new IOException(r.stderr().isEmpty() ? "'" + command + "' failed on " + name : r.stderr() + " (on " + name + ")");
        }
    }

    @Override
    public void mkdirs(String path, int mode) throws IOException {
        String p = normalize(path);
        forget(p);
        String r = Shell.quote(remote(p));
        shell("[ -d " + r + " ] || { umask 022 && mkdir -p -- " + r + " && chmod " + Integer.toOctalString(mode & 07777) + " -- " + r + "; }");
        learn(p);
    }

    @Override
    public void symlink(String path, String target) throws IOException {
        String p = normalize(path);
        forget(p);
        String dest = remote(p);
        String dir = parent(dest);
        String tmp = tempBeside(dest);
        // ln -T: never into a directory (or a link to one) found at the temp name
        shell("umask 022 && mkdir -p -- " + Shell.quote(dir) + " && ln -sT -- "
                + Shell.quote(target) + " " + Shell.quote(tmp) + " && mv -Tf -- " + Shell.quote(tmp) + " " + Shell.quote(dest));
        learn(p);
    }

    /**
     * Never through a symlink (a link has no mode of its own: changing "its" mode would change what
     * it points to). A file with other hard links is first replaced by a copy of its own, so that
     * the other names keep theirs — as on a local root.
     */
    @Override
    public void chmod(String path, int mode) throws IOException {
        String p = normalize(path);
        generation.incrementAndGet();
        stale.add(p);
        String r = Shell.quote(remote(p));
        shell("if [ -L " + r + " ]; then echo " + Shell.quote("cannot change the mode of " + p + ": it is a symbolic link")
                + " >&2; exit 1; fi; " + unshare(p) + "chmod " + Integer.toOctalString(mode & 07777) + " -- " + r);
        learnOne(p);
    }

    /**
     * The shell words that give a hard-linked regular file at {@code p} an inode of its own: a copy
     * (content, mode, owner, times) under a random temp name beside it, renamed over it.
     */
    private String unshare(String p) throws IOException {
        String dest = remote(p);
        String r = Shell.quote(dest);
        String t = Shell.quote(tempBeside(dest));
        return "if [ ! -L " + r + " ] && [ -f " + r + " ] && [ \"$(stat -c %h -- " + r + ")\" -gt 1 ]; then cp -p -- " + r
                + " " + t + " && mv -f -- " + t + " " + r + " || { rm -f -- " + t + "; exit 1; }; fi; ";
    }

    @Override
    public void chown(String path, int uid, int gid) throws IOException {
        String p = normalize(path); // refused before anything else, as on a local root
        if (uid == -1 && gid == -1) {
            return;
        }
        generation.incrementAndGet();
        stale.add(p);
        String owner = (uid != -1 ? Integer.toUnsignedString(uid) : "") + (gid != -1 ? ":" + Integer.toUnsignedString(gid) : "");
        shell(unshare(p) + "chown -h " + owner + " -- " + Shell.quote(remote(p)));
        learnOne(p);
    }

    @Override
    public void delete(String path) throws IOException {
        String p = normalize(path);
        forget(p);
        String r = Shell.quote(remote(p));
        shell("if [ -d " + r + " ] && [ ! -L " + r + " ]; then rmdir -- " + r + " 2>/dev/null || { echo 'directory not empty: "
                + p.replace("'", "") + "' >&2; exit 1; }; else rm -f -- " + r + "; fi");
        gone(p);
    }

    @Override
    public void deleteTree(String path) throws IOException {
        String p = normalize(path);
        forget(p);
        shell("rm -rf -- " + Shell.quote(remote(p)));
        gone(p);
    }

    // ---------------------------------------------------------------- processes

    @Override
    public Exec.Result exec(Exec exec) throws IOException {
        try {
            return run(exec);
        } finally {
            forgetAll(); // a command may have changed anything
        }
    }

    @Override
    public Exec.Result query(Exec exec) throws IOException {
        return run(exec);
    }

    private Exec.Result run(Exec exec) throws IOException {
        String dir = remote(exec.dir());
        StringBuilder cmd = new StringBuilder();
        cmd.append("cd -- ").append(Shell.quote(dir)).append(" 2>/dev/null || exit ").append(NO_DIR).append("; exec env");
        exec.env().forEach((k, v) -> cmd.append(' ').append(Shell.quote(k + "=" + v)));
        cmd.append(' ').append(Shell.quote("MOSAIC_ROOT=" + (root.isEmpty() ? "/" : root)));
        if (exec.timeout().isPresent()) {
            cmd.append(" timeout -k 10 ").append(Math.max(1, exec.timeout().get().toSeconds()));
        }
        cmd.append(' ').append(Shell.join(exec.argv())).append(" 2>&1");
        Lines lines = new Lines(exec);
        int code = conn.run(cmd.toString(), exec.stdin().orElse(null), lines, lines, null);
        lines.flush();
        if (code == NO_DIR) {
            throw new IOException("cannot run " + exec.argv().get(0) + ": no directory " + exec.dir() + " on " + name);
        }
        boolean timedOut = exec.timeout().isPresent() && code == 124;
        return new Exec.Result(timedOut ? -1 : code, timedOut, lines.tail());
    }

    /** A command's output split into lines as it arrives, the last ones kept. */
    private static final class Lines extends OutputStream {
        private final Exec exec;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private final Deque<String> tail = new ArrayDeque<>();

        Lines(Exec exec) {
            this.exec = exec;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                emit();
            } else {
                line.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        private void emit() {
            String s = line.toString(StandardCharsets.UTF_8);
            line.reset();
            tail.addLast(s);
            if (tail.size() > TAIL_LINES) {
                tail.removeFirst();
            }
            exec.output().accept(s);
        }

        @Override
        public synchronized void flush() {
            if (line.size() > 0) {
                emit();
            }
        }

        synchronized List<String> tail() {
            return new ArrayList<>(tail);
        }
    }

    @Override
    public Optional<Integer> uidOf(String user) throws IOException {
        return lookup("passwd", user);
    }

    @Override
    public Optional<Integer> gidOf(String group) throws IOException {
        return lookup("group", group);
    }

    private Optional<Integer> lookup(String database, String id) throws IOException {
        if (id.matches("\\d+")) {
            return Optional.of(Integer.parseUnsignedInt(id)); // ids above 2^31 - 1 are negative ints
        }
        Optional<Integer> cached = ids.get(database + ":" + id);
        if (cached != null) {
            return cached;
        }
        SshConnection.Result r = conn.run("getent " + database + " " + Shell.quote(id), null);
        String[] fields = new String(r.stdout(), StandardCharsets.UTF_8).trim().split(":");
        Optional<Integer> found = r.exitCode() == 0 && fields.length > 2 ? Optional.of(Integer.parseInt(fields[2])) : Optional.empty();
        ids.put(database + ":" + id, found);
        return found;
    }

    private void save() throws IOException {
        if (saveStatCache) {
            statCache.save();
        }
    }

    /** Keeps the stat cache (when this run may write) and closes the connection. */
    @Override
    public void close() throws IOException {
        try {
            save();
        } finally {
            conn.close();
        }
    }
}
