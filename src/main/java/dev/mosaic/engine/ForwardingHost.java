package dev.mosaic.engine;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.Exec;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.host.TreeDigest;
import dev.mosaic.host.TreeEntry;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A host that passes every call to another one. The engine's decorators (the backup store, the
 * record of what a resource created, the record of what a plan read on the control machine)
 * override the calls they watch and keep the rest. Thread-safe when the inner host is.
 */
class ForwardingHost implements Host {

    protected final Host inner;

    ForwardingHost(Host inner) {
        this.inner = inner;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public boolean isSandbox() {
        return inner.isSandbox();
    }

    @Override
    public long generation() {
        return inner.generation();
    }

    @Override
    public FileStat stat(TargetPath path) throws IOException {
        return inner.stat(path);
    }

    @Override
    public byte[] read(TargetPath path) throws IOException {
        return inner.read(path);
    }

    @Override
    public InputStream open(TargetPath path) throws IOException {
        return inner.open(path);
    }

    @Override
    public String sha256(TargetPath path) throws IOException {
        return inner.sha256(path);
    }

    @Override
    public List<TreeEntry> walk(TargetPath dir) throws IOException {
        return inner.walk(dir);
    }

    @Override
    public void writeAtomic(TargetPath path, InputStream content, int mode) throws IOException {
        inner.writeAtomic(path, content, mode);
    }

    @Override
    public java.util.Optional<dev.mosaic.host.NewTree> newTree(TargetPath dest, int mode) throws IOException {
        return inner.newTree(dest, mode);
    }

    @Override
    public void mkdirs(TargetPath path, int mode) throws IOException {
        inner.mkdirs(path, mode);
    }

    @Override
    public void symlink(TargetPath path, String target) throws IOException {
        inner.symlink(path, target);
    }

    @Override
    public void chmod(TargetPath path, int mode) throws IOException {
        inner.chmod(path, mode);
    }

    @Override
    public void chown(TargetPath path, int uid, int gid) throws IOException {
        inner.chown(path, uid, gid);
    }

    @Override
    public void delete(TargetPath path) throws IOException {
        inner.delete(path);
    }

    @Override
    public void deleteTree(TargetPath path) throws IOException {
        inner.deleteTree(path);
    }

    @Override
    public Exec.Result exec(Exec exec) throws IOException {
        return inner.exec(exec);
    }

    @Override
    public Exec.Result query(Exec exec) throws IOException {
        return inner.query(exec);
    }

    @Override
    public boolean confinesCommands() {
        return inner.confinesCommands();
    }

    @Override
    public TreeDigest digestTree(TargetPath dir) throws IOException {
        return inner.digestTree(dir);
    }

    @Override
    public TreeDigest digestTree(TargetPath dir, Predicate<String> names) throws IOException {
        return inner.digestTree(dir, names);
    }

    @Override
    public Optional<Integer> uidOf(String user) throws IOException {
        return inner.uidOf(user);
    }

    @Override
    public Optional<Integer> gidOf(String group) throws IOException {
        return inner.gidOf(group);
    }
}
