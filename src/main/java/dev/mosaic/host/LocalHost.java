package dev.mosaic.host;

import dev.mosaic.base.TargetPath;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local machine, optionally confined to a sandbox {@code root}. Target paths are resolved the
 * way {@code chroot} would: an absolute symlink inside the root points back into the root, and a
 * link's {@code ..} never climbs above it, so nothing is ever read or written outside the root.
 * A target path itself never holds a {@code ..} ({@link TargetPath}).
 */
public final class LocalHost implements Host {

    private final RootPaths paths;
    private final Path root;
    private final boolean confined;
    private final boolean fsync;
    private final Map<String, Optional<Integer>> uidCache = new ConcurrentHashMap<>();
    private final Map<String, Optional<Integer>> gidCache = new ConcurrentHashMap<>();
    private final Path statCacheFile;
    private final boolean saveStatCache;
    private volatile StatCache statCache;

    /**
     * @param root          the sandbox root; {@code /} for the real machine
     * @param fsync         flush file data before each rename (durability across power loss;
     *                      process crashes are covered by the rename alone)
     * @param statCacheFile where tree digests remember file hashes (null: nowhere)
     * @param saveStatCache whether to write that file back; false for read-only runs like plan
     */
    public LocalHost(Path root, boolean fsync, Path statCacheFile, boolean saveStatCache) {
        this.paths = new RootPaths(root);
        this.root = paths.root();
        this.confined = paths.confined();
        this.fsync = fsync;
        this.statCacheFile = statCacheFile;
        this.saveStatCache = saveStatCache;
    }

    /** A host without a persistent stat cache (tree digests re-read every file once per process). */
    public LocalHost(Path root) {
        this(root, true, null, false);
    }

    public Path root() {
        return root;
    }

    @Override
    public boolean isSandbox() {
        return confined;
    }

    @Override
    public String name() {
        return "local";
    }

    /**
     * Maps a target path to a local path. Intermediate symlinks are followed inside the root; the
     * final component is followed only when {@code followLast}. A {@link TargetPath} holds no
     * {@code ..}: only a link's text may climb, and never above the root.
     */
    public Path resolve(TargetPath target, boolean followLast) throws IOException {
        return paths.resolve(target, followLast);
    }

    @Override
    public FileStat stat(TargetPath path) throws IOException {
        return LocalFiles.stat(resolve(path, false));
    }

    @Override
    public byte[] read(TargetPath path) throws IOException {
        try (FileChannel ch = openToRead(path)) {
            return Channels.newInputStream(ch).readAllBytes();
        }
    }

    @Override
    public InputStream open(TargetPath path) throws IOException {
        return Channels.newInputStream(openToRead(path));
    }

    @Override
    public String sha256(TargetPath path) throws IOException {
        try (FileChannel ch = openToRead(path)) {
            return LocalFiles.sha256Of(ch);
        }
    }

    /**
     * Opens a file to read, following a symlink in last position inside the root. Most files
     * are no symlinks: they are opened without following one ({@code O_NOFOLLOW}), which saves
     * the lstat that would look for one; only when that fails is the link resolved.
     */
    private FileChannel openToRead(TargetPath path) throws IOException {
        if (confined) {
            try {
                return FileChannel.open(resolve(path, false), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                throw e;
            } catch (java.nio.file.FileSystemException e) {
                // ELOOP: a symlink (or a failure the full resolution reports the same way)
            }
        }
        return FileChannel.open(resolve(path, true), StandardOpenOption.READ);
    }

    @Override
    public List<TreeEntry> walk(TargetPath dir) throws IOException {
        return LocalFiles.walk(resolve(dir, true));
    }

    @Override
    public void writeAtomic(TargetPath path, InputStream content, int mode) throws IOException {
        Path target = writable(path);
        AtomicWriter.write(target, content::transferTo, mode, fsync, remake(target.getParent()), null);
    }

    /**
     * Temp files written one after the other while up to {@link LocalWriteBatch#FLUSHERS} threads
     * flush them, renamed by {@code commit} or every {@link LocalWriteBatch#MAX_FILES} files:
     * concurrent flushes share the file system's journal commits (ext4 joins them), where one
     * flush per file waits for a commit of its own.
     */
    @Override
    public WriteBatch writes() {
        return new LocalWriteBatch(this, fsync);
    }

    /** A staging directory beside {@code dest}, filled in place, flushed once, renamed: {@link LocalNewTree}. */
    @Override
    public Optional<NewTree> newTree(TargetPath dest, int mode) throws IOException {
        return LocalNewTree.open(this, dest, mode, fsync);
    }

    /**
     * The local path a write of {@code path} replaces, its directory made (parents 0755) and
     * swept of the temp files a killed run left there.
     */
    Path writable(TargetPath path) throws IOException {
        Path target = paths.changeable(path, false);
        Path dir = paths.parentInRoot(path, target);
        if (!paths.isPlainDir(dir)) {
            LocalFiles.createParents(dir);
            paths.plainDir(dir);
        }
        sweep(dir);
        return target;
    }

    /** Makes {@code dir} again when it went away since this host saw it (a build's clean-up). */
    AtomicWriter.IoCall remake(Path dir) {
        return () -> {
            paths.changed(dir);
            LocalFiles.createParents(dir);
        };
    }

    /** Directories whose leftover temp files this host has removed, or is removing. */
    private final Map<Path, Sweep> swept = new ConcurrentHashMap<>();

    /** One directory's removal of leftovers, done once, before this host makes a temp file there. */
    private static final class Sweep {
        private boolean done;

        synchronized void ensure(Path dir) throws IOException {
            if (!done) {
                AtomicWriter.removeLeftovers(dir);
                done = true;
            }
        }
    }

    /**
     * Removes the temp files a killed run left in {@code dir} (their names are random, so no later
     * write reuses them), the first time this host writes there: every other write of this host
     * into {@code dir} waits for it, so it never takes a temp file being written.
     */
    private void sweep(Path dir) throws IOException {
        swept.computeIfAbsent(dir, d -> new Sweep()).ensure(dir);
    }

    @Override
    public void mkdirs(TargetPath path, int mode) throws IOException {
        Path p = paths.changeable(path, true);
        if (Files.isDirectory(p)) {
            return;
        }
        LocalFiles.createParents(p.getParent());
        try {
            Files.createDirectory(p);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(p)) {
                throw e;
            }
        }
        AtomicWriter.setMode(p, mode);
    }

    @Override
    public void symlink(TargetPath path, String target) throws IOException {
        Path p = paths.changeable(path, false);
        Path dir = paths.parentInRoot(path, p);
        LocalFiles.createParents(dir);
        sweep(dir);
        // symlink(2) never follows nor replaces what is at the temp name: a fresh name, or failure
        Path tmp = dir.resolve(AtomicWriter.tempName(p.getFileName().toString()));
        Files.createSymbolicLink(tmp, Path.of(target));
        boolean renamed = false;
        try {
            Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            renamed = true;
        } finally {
            if (!renamed) {
                Files.deleteIfExists(tmp);
            }
        }
        paths.forgetDirs();
    }

    /**
     * Never through a symlink (Linux links have no mode of their own: changing "its" mode would
     * change what it points to, maybe outside the root). A file with other hard links is first
     * replaced by a copy of its own, so that the other names (maybe outside the root) keep theirs.
     */
    @Override
    public void chmod(TargetPath path, int mode) throws IOException {
        Inodes.chmod(paths.changeable(path, false), path.text(), mode, fsync);
    }

    /** Does not follow a final symlink ({@code lchown}); a hard-linked file is first unshared, as for chmod. */
    @Override
    public void chown(TargetPath path, int uid, int gid) throws IOException {
        Inodes.chown(paths.changeable(path, false), uid, gid, fsync);
    }

    @Override
    public void delete(TargetPath path) throws IOException {
        Path p = paths.changeable(path, false);
        try {
            Files.deleteIfExists(p);
        } catch (DirectoryNotEmptyException e) {
            throw new IOException("directory not empty: " + path);
        }
        paths.changed(p);
    }

    @Override
    public void deleteTree(TargetPath path) throws IOException {
        Path p = paths.changeable(path, false);
        paths.refuseHoldingState(path, p);
        LocalFiles.deleteTree(p);
        paths.forgetDirs();
    }

    /** How commands are confined below a root; tests put a missing bubblewrap here. */
    private volatile Sandbox sandbox = Sandbox.SYSTEM;

    /**
     * Commands run for a target with a root are confined ({@link Sandbox}): they may write only
     * below the root. Without a root (the machine itself) they run as they are.
     */
    @Override
    public boolean confinesCommands() {
        return confined;
    }

    /**
     * Marks {@code dir} (a local path) as Mosaic's state directory on this target: a write, mkdir,
     * symlink, chmod, chown or delete at or below it fails (a copy purging {@code /var/lib}, an
     * archive unpacking {@code var/lib/mosaic/...}, a link planted there), and commands may not
     * write it. The state code writes there itself, never through the host.
     */
    public void protectStateDir(Path dir) {
        paths.protect(dir);
    }

    void sandbox(Sandbox s) {
        sandbox = s;
    }

    @Override
    public Exec.Result exec(Exec exec) throws IOException {
        try {
            return Processes.run(exec, resolve(exec.dir(), true), root, confined ? sandbox : null, paths.stateDirs());
        } finally {
            // the process may have put a symlink where a directory was: look again
            paths.forgetDirs();
        }
    }

    @Override
    public TreeDigest digestTree(TargetPath dir) throws IOException {
        return digestTree(dir, null);
    }

    @Override
    public TreeDigest digestTree(TargetPath dir, java.util.function.Predicate<String> names) throws IOException {
        if (statCache == null) {
            synchronized (this) {
                if (statCache == null) {
                    statCache = StatCache.load(statCacheFile);
                }
            }
        }
        TreeDigest d = TreeHasher.digest(resolve(dir, true), statCache, names);
        if (saveStatCache) {
            statCache.save();
        }
        return d;
    }

    @Override
    public Optional<Integer> uidOf(String user) throws IOException {
        return lookup(user, uidCache, true);
    }

    @Override
    public Optional<Integer> gidOf(String group) throws IOException {
        return lookup(group, gidCache, false);
    }

    private Optional<Integer> lookup(String name, Map<String, Optional<Integer>> cache, boolean user) throws IOException {
        if (name.matches("\\d+")) {
            return Optional.of(Integer.parseUnsignedInt(name)); // ids above 2^31 - 1 are negative ints
        }
        Optional<Integer> cached = cache.get(name);
        if (cached != null) {
            return cached;
        }
        Optional<Integer> id = Accounts.lookup(user ? "passwd" : "group", name);
        cache.put(name, id);
        return id;
    }
}
