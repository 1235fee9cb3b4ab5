package dev.mosaic.host.ssh;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.Exec;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.host.StatCache;
import dev.mosaic.host.TreeDigest;
import dev.mosaic.host.TreeEntry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A lab server reached over SSH, optionally below a remote {@code root} directory (a prefix: a
 * remote absolute symlink is not re-rooted, unlike a local sandbox). Target paths are refused or
 * normalized by {@link dev.mosaic.base.TargetPath}, as on every host.
 *
 * <p>Its parts: {@link RemoteRoot} (target paths to remote ones, Mosaic's own shell commands),
 * {@link Observer} (batched observation: one remote {@code find} for the metadata of every path a
 * playbook touches, one {@code sha256sum} for every hash the stat cache cannot answer, then
 * answers from the {@link ProbeCache}), {@link SftpFiles} (reads, and atomic writes through a
 * flushed temp file renamed over the target), {@link RemoteCommands} (a resource's processes).
 * Here are the changes made by a shell command of Mosaic's own (mkdir, symlink, chmod, chown,
 * delete). A path this host changes is forgotten (and asked again); a command that may change
 * anything forgets everything.
 */
public final class SshHost implements Host, AutoCloseable {

    private final RemoteRoot remote;
    private final ProbeCache cache = new ProbeCache();
    private final Observer observer;
    private final SftpFiles files;
    private final RemoteCommands commands;

    /**
     * @param root          the remote directory that stands for {@code /} ({@code /}: the machine)
     * @param statCacheFile on the control machine: remembered hashes of remote files
     */
    public SshHost(String name, SshConnection conn, String root, Path statCacheFile, boolean saveStatCache) {
        this.remote = new RemoteRoot(name, conn, root);
        this.observer = new Observer(remote, cache, StatCache.load(statCacheFile), saveStatCache,
                statCacheFile != null && java.nio.file.Files.notExists(statCacheFile));
        this.files = new SftpFiles(remote, cache, observer);
        this.commands = new RemoteCommands(remote);
    }

    @Override
    public String name() {
        return remote.name();
    }

    @Override
    public boolean isSandbox() {
        return remote.isSandbox();
    }

    public long roundTrips() {
        return remote.conn().roundTrips();
    }

    /**
     * Fetches the metadata of {@code paths}, and of everything below those of {@code trees} that
     * are directories, so that what resources observe next is answered without asking the server:
     * one round trip, two when some trees are directories.
     */
    public void prefetch(Collection<String> paths, Collection<String> trees) throws IOException {
        observer.prefetch(paths, trees);
    }

    @Override
    public long generation() {
        return cache.generation();
    }

    // ---------------------------------------------------------------- reading

    @Override
    public FileStat stat(TargetPath path) throws IOException {
        return observer.stat(path);
    }

    @Override
    public String sha256(TargetPath path) throws IOException {
        return observer.sha256(path);
    }

    @Override
    public List<TreeEntry> walk(TargetPath dir) throws IOException {
        return observer.walk(dir);
    }

    @Override
    public TreeDigest digestTree(TargetPath dir) throws IOException {
        return observer.digestTree(dir, null);
    }

    @Override
    public TreeDigest digestTree(TargetPath dir, Predicate<String> names) throws IOException {
        return observer.digestTree(dir, names);
    }

    @Override
    public byte[] read(TargetPath path) throws IOException {
        try (InputStream in = open(path)) {
            return in.readAllBytes();
        }
    }

    @Override
    public InputStream open(TargetPath path) throws IOException {
        return files.open(path);
    }

    // ---------------------------------------------------------------- writing

    @Override
    public void writeAtomic(TargetPath path, InputStream content, int mode) throws IOException {
        files.writeAtomic(path, content, mode);
    }

    @Override
    public void mkdirs(TargetPath path, int mode) throws IOException {
        String p = path.text();
        cache.forget(p);
        String r = Shell.quote(remote.remote(p));
        remote.shell("[ -d " + r + " ] || { umask 022 && mkdir -p -- " + r + " && chmod " + Integer.toOctalString(mode & 07777) + " -- " + r + "; }");
        observer.learn(p);
    }

    @Override
    public void symlink(TargetPath path, String target) throws IOException {
        String p = path.text();
        cache.forget(p);
        String dest = remote.remote(p);
        String dir = RemoteRoot.parent(dest);
        String tmp = RemoteRoot.tempBeside(dest);
        // ln -T: never into a directory (or a link to one) found at the temp name
        remote.shell("umask 022 && mkdir -p -- " + Shell.quote(dir) + " && ln -sT -- "
                + Shell.quote(target) + " " + Shell.quote(tmp) + " && mv -Tf -- " + Shell.quote(tmp) + " " + Shell.quote(dest));
        observer.learn(p);
    }

    /**
     * Never through a symlink (a link has no mode of its own: changing "its" mode would change what
     * it points to). A file with other hard links is first replaced by a copy of its own, so that
     * the other names keep theirs — as on a local root.
     */
    @Override
    public void chmod(TargetPath path, int mode) throws IOException {
        String p = path.text();
        cache.touch(p);
        String r = Shell.quote(remote.remote(p));
        remote.shell("if [ -L " + r + " ]; then echo " + Shell.quote("cannot change the mode of " + p + ": it is a symbolic link")
                + " >&2; exit 1; fi; " + unshare(p) + "chmod " + Integer.toOctalString(mode & 07777) + " -- " + r);
        observer.learnOne(p);
    }

    /**
     * The shell words that give a hard-linked regular file at {@code p} an inode of its own: a copy
     * (content, mode, owner, times) under a random temp name beside it, renamed over it.
     */
    private String unshare(String p) throws IOException {
        String dest = remote.remote(p);
        String r = Shell.quote(dest);
        String t = Shell.quote(RemoteRoot.tempBeside(dest));
        return "if [ ! -L " + r + " ] && [ -f " + r + " ] && [ \"$(stat -c %h -- " + r + ")\" -gt 1 ]; then cp -p -- " + r
                + " " + t + " && mv -f -- " + t + " " + r + " || { rm -f -- " + t + "; exit 1; }; fi; ";
    }

    @Override
    public void chown(TargetPath path, int uid, int gid) throws IOException {
        String p = path.text();
        if (uid == -1 && gid == -1) {
            return;
        }
        cache.touch(p);
        String owner = (uid != -1 ? Integer.toUnsignedString(uid) : "") + (gid != -1 ? ":" + Integer.toUnsignedString(gid) : "");
        remote.shell(unshare(p) + "chown -h " + owner + " -- " + Shell.quote(remote.remote(p)));
        observer.learnOne(p);
    }

    @Override
    public void delete(TargetPath path) throws IOException {
        String p = path.text();
        cache.forget(p);
        String r = Shell.quote(remote.remote(p));
        remote.shell("if [ -d " + r + " ] && [ ! -L " + r + " ]; then rmdir -- " + r + " 2>/dev/null || { echo 'directory not empty: "
                + p.replace("'", "") + "' >&2; exit 1; }; else rm -f -- " + r + "; fi");
        cache.gone(p);
    }

    @Override
    public void deleteTree(TargetPath path) throws IOException {
        String p = path.text();
        cache.forget(p);
        remote.shell("rm -rf -- " + Shell.quote(remote.remote(p)));
        cache.gone(p);
    }

    // ---------------------------------------------------------------- processes

    @Override
    public Exec.Result exec(Exec exec) throws IOException {
        try {
            return commands.run(exec);
        } finally {
            cache.forgetAll(); // a command may have changed anything
        }
    }

    @Override
    public Exec.Result query(Exec exec) throws IOException {
        return commands.run(exec);
    }

    @Override
    public Optional<Integer> uidOf(String user) throws IOException {
        return commands.lookup("passwd", user);
    }

    @Override
    public Optional<Integer> gidOf(String group) throws IOException {
        return commands.lookup("group", group);
    }

    /** Keeps the stat cache (when this run may write) and closes the connection. */
    @Override
    public void close() throws IOException {
        try {
            observer.save();
        } finally {
            remote.conn().close();
        }
    }
}
