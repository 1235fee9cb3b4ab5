package dev.mosaic.host;

import dev.mosaic.base.Sha256;
import dev.mosaic.base.TargetPath;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local machine, optionally confined to a sandbox {@code root}. Target paths are resolved the
 * way {@code chroot} would: an absolute symlink inside the root points back into the root, and a
 * link's {@code ..} never climbs above it, so nothing is ever read or written outside the root.
 * A target path itself never holds a {@code ..} ({@link TargetPath}).
 */
public final class LocalHost implements Host {

    private static final int MAX_LINK_HOPS = 40;

    private final Path root;
    private final boolean confined;
    private final boolean fsync;
    /** Directories below the root known to be real directories (not symlinks), to save lstats. */
    private final Set<Path> plainDirs = ConcurrentHashMap.newKeySet();
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
        this.root = root.toAbsolutePath().normalize();
        this.confined = !this.root.equals(this.root.getRoot());
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
     * final component is followed only when {@code followLast}. A path that {@link TargetPath}
     * refuses (relative, or with a {@code ..}) is refused here, as by every host.
     */
    public Path resolve(String target, boolean followLast) throws IOException {
        String path = TargetPath.checked(target); // no '..' in it: only a link's text may climb
        if (!confined) {
            return Path.of(path);
        }
        List<String> todo = new ArrayList<>(List.of(path.substring(1).split("/")));
        Path cur = root;
        int hops = 0;
        while (!todo.isEmpty()) {
            String comp = todo.remove(0);
            if (comp.isEmpty() || comp.equals(".")) {
                continue;
            }
            if (comp.equals("..")) {
                cur = cur.equals(root) ? root : cur.getParent();
                continue;
            }
            Path next = cur.resolve(comp);
            boolean last = todo.stream().allMatch(c -> c.isEmpty() || c.equals("."));
            if ((last && !followLast) || plainDirs.contains(next)) {
                cur = next;
                continue;
            }
            if (Files.isSymbolicLink(next)) {
                if (++hops > MAX_LINK_HOPS) {
                    throw new IOException("too many levels of symbolic links: " + target);
                }
                String link = Files.readSymbolicLink(next).toString();
                List<String> linkParts = new ArrayList<>(List.of(link.split("/")));
                if (link.startsWith("/")) {
                    cur = root;
                }
                linkParts.addAll(todo);
                todo = linkParts;
                continue;
            }
            if (!last && Files.isDirectory(next, LinkOption.NOFOLLOW_LINKS)) {
                plainDirs.add(next);
            }
            cur = next;
        }
        return cur;
    }

    @Override
    public FileStat stat(String path) throws IOException {
        return statLocal(resolve(path, false));
    }

    static FileStat statLocal(Path p) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, "unix:mode,ino,uid,gid,size,lastModifiedTime,isRegularFile,isDirectory,isSymbolicLink",
                    LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return FileStat.ABSENT;
        } catch (java.nio.file.FileSystemException e) {
            if (e.getMessage() != null && e.getMessage().contains("Not a directory")) {
                return FileStat.ABSENT;
            }
            throw e;
        }
        FileStat.Kind kind = (Boolean) a.get("isSymbolicLink") ? FileStat.Kind.SYMLINK
                : (Boolean) a.get("isRegularFile") ? FileStat.Kind.FILE
                : (Boolean) a.get("isDirectory") ? FileStat.Kind.DIRECTORY
                : FileStat.Kind.OTHER;
        FileTime mtime = (FileTime) a.get("lastModifiedTime");
        long nanos = mtime.to(java.util.concurrent.TimeUnit.NANOSECONDS);
        String linkTarget = kind == FileStat.Kind.SYMLINK ? Files.readSymbolicLink(p).toString() : null;
        return new FileStat(kind, (Long) a.get("size"), nanos, (Long) a.get("ino"),
                (Integer) a.get("mode") & 07777, (Integer) a.get("uid"), (Integer) a.get("gid"), linkTarget);
    }

    @Override
    public byte[] read(String path) throws IOException {
        try (FileChannel ch = openToRead(path)) {
            return Channels.newInputStream(ch).readAllBytes();
        }
    }

    @Override
    public InputStream open(String path) throws IOException {
        return Channels.newInputStream(openToRead(path));
    }

    @Override
    public String sha256(String path) throws IOException {
        try (FileChannel ch = openToRead(path)) {
            return sha256Of(ch);
        }
    }

    /**
     * Opens a file to read, following a symlink in last position inside the root. Most files
     * are no symlinks: they are opened without following one ({@code O_NOFOLLOW}), which saves
     * the lstat that would look for one; only when that fails is the link resolved.
     */
    private FileChannel openToRead(String path) throws IOException {
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

    static String sha256Of(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            return sha256Of(ch);
        }
    }

    /**
     * One read buffer per thread for {@link #sha256Of(FileChannel)}: a new one per file was
     * zeroed for nothing (most managed files are a few bytes), 6 % of a no-op apply's samples.
     */
    private static final ThreadLocal<java.nio.ByteBuffer> HASH_BUFFER =
            ThreadLocal.withInitial(() -> java.nio.ByteBuffer.allocate(16 * 1024));

    private static String sha256Of(FileChannel ch) throws IOException {
        MessageDigest md = sha256();
        java.nio.ByteBuffer buf = HASH_BUFFER.get().clear();
        while (ch.read(buf) >= 0) {
            buf.flip();
            md.update(buf);
            buf.clear();
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static MessageDigest sha256() {
        return Sha256.digest();
    }

    @Override
    public List<TreeEntry> walk(String dir) throws IOException {
        Path base = resolve(dir, true);
        List<TreeEntry> out = new ArrayList<>();
        if (!Files.isDirectory(base)) {
            return out;
        }
        Files.walkFileTree(base, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (!d.equals(base)) {
                    out.add(new TreeEntry(relative(base, d), statLocal(d)));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                out.add(new TreeEntry(relative(base, f), statLocal(f)));
                return FileVisitResult.CONTINUE;
            }
        });
        out.sort(java.util.Comparator.comparing(TreeEntry::relativePath));
        return out;
    }

    private static String relative(Path base, Path p) {
        return base.relativize(p).toString().replace('\\', '/');
    }

    @Override
    public void writeAtomic(String path, InputStream content, int mode) throws IOException {
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
    public Optional<NewTree> newTree(String dest, int mode) throws IOException {
        return LocalNewTree.open(this, dest, mode, fsync);
    }

    /**
     * The local path a write of {@code path} replaces, its directory made (parents 0755) and
     * swept of the temp files a killed run left there.
     */
    Path writable(String path) throws IOException {
        Path target = changeable(path, false);
        Path dir = parentInRoot(path, target);
        if (!plainDirs.contains(dir)) {
            createParents(dir);
            plainDirs.add(dir);
        }
        sweep(dir);
        return target;
    }

    /** Makes {@code dir} again when it went away since this host saw it (a build's clean-up). */
    AtomicWriter.IoCall remake(Path dir) {
        return () -> {
            plainDirs.remove(dir);
            createParents(dir);
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
    public void mkdirs(String path, int mode) throws IOException {
        Path p = changeable(path, true);
        if (Files.isDirectory(p)) {
            return;
        }
        createParents(p.getParent());
        try {
            Files.createDirectory(p);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(p)) {
                throw e;
            }
        }
        AtomicWriter.setMode(p, mode);
    }

    /**
     * The directory a write of {@code path} makes its temp file in: never above the root, where
     * {@code /} or {@code /etc/..} would put it.
     */
    private Path parentInRoot(String path, Path resolved) throws IOException {
        Path dir = resolved.getParent();
        if (dir == null || (confined && !dir.startsWith(root))) {
            throw new IOException("cannot replace " + path + ": it is the root directory");
        }
        return dir;
    }

    @Override
    public void symlink(String path, String target) throws IOException {
        Path p = changeable(path, false);
        Path dir = parentInRoot(path, p);
        createParents(dir);
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
        plainDirs.clear();
    }

    /** {@code mkdir -p} with mode 0755 for each directory it creates, whatever the umask. */
    private static void createParents(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        createParents(dir.getParent());
        try {
            Files.createDirectory(dir);
            AtomicWriter.setMode(dir, 0755);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }

    /**
     * Never through a symlink (Linux links have no mode of their own: changing "its" mode would
     * change what it points to, maybe outside the root). A file with other hard links is first
     * replaced by a copy of its own, so that the other names (maybe outside the root) keep theirs.
     */
    @Override
    public void chmod(String path, int mode) throws IOException {
        Path p = changeable(path, false);
        Map<String, Object> a = inodeOf(p);
        if ((Boolean) a.get("isSymbolicLink")) {
            throw new IOException("cannot change the mode of " + path + ": it is a symbolic link");
        }
        if (isShared(a)) {
            unshare(p, a, mode, -1, -1);
        } else if ((Boolean) a.get("isRegularFile") || (Boolean) a.get("isDirectory")) {
            AtomicWriter.setMode(p, mode);
        } else {
            // a fifo, socket or device: opening it to fchmod could block; chmod by name, as it is no link
            Files.setAttribute(p, "unix:mode", mode & 07777);
        }
    }

    /** Does not follow a final symlink ({@code lchown}); a hard-linked file is first unshared, as for chmod. */
    @Override
    public void chown(String path, int uid, int gid) throws IOException {
        Path p = changeable(path, false);
        Map<String, Object> a = inodeOf(p);
        if (isShared(a)) {
            unshare(p, a, (Integer) a.get("mode") & 07777, uid, gid);
            return;
        }
        if (uid != -1) { // -1: unchanged; larger ids than 2^31 - 1 are negative ints
            Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        }
        if (gid != -1) {
            Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        }
    }

    private static Map<String, Object> inodeOf(Path p) throws IOException {
        return Files.readAttributes(p, "unix:nlink,mode,uid,gid,lastModifiedTime,isRegularFile,isDirectory,isSymbolicLink",
                LinkOption.NOFOLLOW_LINKS);
    }

    /** A regular file with more names than this one: its inode is not only ours to change. */
    private static boolean isShared(Map<String, Object> a) {
        return (Boolean) a.get("isRegularFile") && (Integer) a.get("nlink") > 1;
    }

    /**
     * Replaces a hard-linked file by a copy (same content, owner, group and mtime) that has the
     * given mode and owner, through the atomic writer: the rename gives this name an inode of
     * its own and leaves the other names' inode as it was.
     */
    private void unshare(Path p, Map<String, Object> a, int mode, int uid, int gid) throws IOException {
        int newUid = uid != -1 ? uid : (Integer) a.get("uid");
        int newGid = gid != -1 ? gid : (Integer) a.get("gid");
        FileTime mtime = (FileTime) a.get("lastModifiedTime");
        try (FileChannel in = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            AtomicWriter.write(p, out -> Channels.newInputStream(in).transferTo(out), mode, fsync, null, tmp -> {
                Files.setAttribute(tmp, "unix:uid", newUid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(tmp, "unix:gid", newGid, LinkOption.NOFOLLOW_LINKS);
                Files.getFileAttributeView(tmp, java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(mtime, null, null);
            });
        }
    }

    @Override
    public void delete(String path) throws IOException {
        Path p = changeable(path, false);
        try {
            Files.deleteIfExists(p);
        } catch (DirectoryNotEmptyException e) {
            throw new IOException("directory not empty: " + path);
        }
        plainDirs.remove(p);
    }

    @Override
    public void deleteTree(String path) throws IOException {
        Path p = changeable(path, false);
        for (Path state : stateDirs) {
            if (state.startsWith(p)) {
                throw insideState(path + " holds Mosaic's state directory " + state);
            }
        }
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
        plainDirs.clear();
    }

    /** How commands are confined below a root; tests put a missing bubblewrap here. */
    private volatile Sandbox sandbox = Sandbox.SYSTEM;
    /**
     * Mosaic's state directory when it lies below the root (local paths): no host call changes
     * anything at or below it, and confined commands may not write it either.
     */
    private final List<Path> stateDirs = new java.util.concurrent.CopyOnWriteArrayList<>();

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
        stateDirs.add(dir.toAbsolutePath().normalize());
    }

    /** {@link #resolve}, refused when the local path is at or below a {@linkplain #protectStateDir state directory}. */
    private Path changeable(String path, boolean followLast) throws IOException {
        Path p = resolve(path, followLast);
        Path abs = p.toAbsolutePath().normalize();
        for (Path state : stateDirs) {
            if (abs.startsWith(state)) {
                throw insideState(path + (abs.equals(state) ? " is" : " is inside") + " Mosaic's state directory"
                        + (confined ? " (" + state + ")" : ""));
            }
        }
        return p;
    }

    private static IOException insideState(String what) {
        return new IOException(what + ": Mosaic keeps its history, backups and lock there, and no resource may"
                + " change them. Choose another destination, or keep the state elsewhere with --state-dir.");
    }

    void sandbox(Sandbox s) {
        sandbox = s;
    }

    @Override
    public Exec.Result exec(Exec exec) throws IOException {
        try {
            return Processes.run(exec, resolve(exec.dir(), true), root, confined ? sandbox : null, stateDirs);
        } finally {
            // the process may have put a symlink where a directory was: look again
            plainDirs.clear();
        }
    }

    @Override
    public TreeDigest digestTree(String dir) throws IOException {
        return digestTree(dir, null);
    }

    @Override
    public TreeDigest digestTree(String dir, java.util.function.Predicate<String> names) throws IOException {
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
