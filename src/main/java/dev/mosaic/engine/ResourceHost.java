package dev.mosaic.engine;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.host.NewTree;
import dev.mosaic.host.TreeEntry;
import dev.mosaic.host.WriteBatch;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The target as one resource sees it during apply. It watches the writes that go through it:
 * <ul>
 *   <li>each path the resource creates (absent before: the file, and every missing parent a
 *       {@code mkdir -p} makes) is noted in {@link #created()}, what a later deletion may remove;
 *       a path it deletes leaves that list;</li>
 *   <li>before a path is overwritten, re-moded or deleted, {@link Backups} keeps what it held
 *       (when a run records history).</li>
 * </ul>
 * Work done by processes ({@code exec}: make, tar, apt) is not seen here; the engine adds what
 * the kind declares it produces. Thread-safe.
 */
final class ResourceHost extends ForwardingHost {

    private final String address;
    private final Backups backups;
    private final SortedSet<String> created = new ConcurrentSkipListSet<>();
    private final Set<String> deleted = new ConcurrentSkipListSet<>();

    /** @param backups where to keep what is overwritten (null: nothing is kept) */
    ResourceHost(Host inner, String address, Backups backups) {
        super(inner);
        this.address = address;
        this.backups = backups;
    }

    /** The paths this resource created through this host, minus those it deleted again. */
    SortedSet<String> created() {
        return created;
    }

    /** The paths (and trees) this resource deleted through this host. */
    Set<String> deleted() {
        return deleted;
    }

    private void before(TargetPath path) throws IOException {
        if (backups != null) {
            backups.before(inner, address, path);
        }
    }

    /** Notes {@code path} and its missing parents, before they are made. */
    private void creating(TargetPath path) throws IOException {
        creating(path, inner.stat(path));
    }

    /** The same, knowing what {@code path} is now. */
    private void creating(TargetPath path, FileStat now) throws IOException {
        TargetPath p = path;
        FileStat st = now;
        while (p != null && !p.isRoot() && !st.exists()) {
            created.add(p.text());
            before(p, st); // absent: a restore removes it again
            p = p.parent();
            if (p != null && !p.isRoot()) {
                st = inner.stat(p);
            }
        }
    }

    private void before(TargetPath path, FileStat now) throws IOException {
        if (backups != null) {
            backups.before(inner, address, path, now);
        }
    }

    @Override
    public void writeAtomic(TargetPath path, InputStream content, int mode) throws IOException {
        FileStat now = inner.stat(path); // one look serves the backup and the record of what is created
        before(path, now);
        creating(path, now);
        inner.writeAtomic(path, content, mode);
        if (backups != null) {
            backups.rewritten(path); // what it holds now decides whether a later backup may keep it
        }
    }

    /**
     * The inner host's batch, with the same bookkeeping as {@link #writeAtomic} before each write.
     * A path stops being sensitive only once its rename is done (after {@code commit}); a
     * sensitive resource marks it before, since the inner host may rename before {@code commit}.
     */
    @Override
    public WriteBatch writes() {
        WriteBatch batch = inner.writes();
        List<TargetPath> written = new ArrayList<>();
        return new WriteBatch() {
            @Override
            public void write(TargetPath path, InputStream content, int mode) throws IOException {
                FileStat now = inner.stat(path);
                before(path, now);
                creating(path, now);
                if (backups != null && backups.isForSensitive()) {
                    backups.rewritten(path);
                }
                batch.write(path, content, mode);
                written.add(path);
            }

            @Override
            public void commit() throws IOException {
                batch.commit();
                if (backups != null && !backups.isForSensitive()) {
                    for (TargetPath p : written) {
                        backups.rewritten(p);
                    }
                }
                written.clear();
            }

            @Override
            public void close() throws IOException {
                batch.close();
            }
        };
    }

    /**
     * The inner host's new tree, with the same bookkeeping: the destination (and its missing
     * parents) before the tree is made, then each path written below it, all absent before.
     */
    @Override
    public Optional<NewTree> newTree(TargetPath dest, int mode) throws IOException {
        FileStat now = inner.stat(dest);
        if (now.exists()) {
            return Optional.empty();
        }
        Optional<NewTree> inside = inner.newTree(dest, mode);
        if (inside.isEmpty()) {
            return inside;
        }
        creating(dest, now); // before the commit makes it appear
        NewTree tree = inside.get();
        Set<TargetPath> noted = new HashSet<>();
        List<TargetPath> written = new ArrayList<>();
        return Optional.of(new NewTree() {
            /** A path below dest and its parents up to dest: nothing was there, no stat needed. */
            private void noting(TargetPath path) throws IOException {
                for (TargetPath p = path; p != null && !p.equals(dest) && noted.add(p); p = p.parent()) {
                    created.add(p.text());
                    before(p, FileStat.ABSENT);
                }
            }

            @Override
            public void mkdir(TargetPath path, int mode) throws IOException {
                noting(path);
                tree.mkdir(path, mode);
            }

            @Override
            public void write(TargetPath path, InputStream content, int mode) throws IOException {
                noting(path);
                if (backups != null && backups.isForSensitive()) {
                    backups.rewritten(path);
                }
                tree.write(path, content, mode);
                written.add(path);
            }

            @Override
            public void symlink(TargetPath path, String target) throws IOException {
                noting(path);
                tree.symlink(path, target);
            }

            @Override
            public InputStream open(TargetPath path) throws IOException {
                return tree.open(path);
            }

            @Override
            public void chmod(TargetPath path, int mode) throws IOException {
                tree.chmod(path, mode);
            }

            @Override
            public void commit() throws IOException {
                tree.commit();
                if (backups != null && !backups.isForSensitive()) {
                    for (TargetPath p : written) {
                        backups.rewritten(p);
                    }
                }
            }

            @Override
            public void close() throws IOException {
                tree.close();
            }
        });
    }

    @Override
    public void mkdirs(TargetPath path, int mode) throws IOException {
        creating(path);
        inner.mkdirs(path, mode);
    }

    @Override
    public void symlink(TargetPath path, String target) throws IOException {
        before(path);
        creating(path);
        inner.symlink(path, target);
    }

    @Override
    public void chmod(TargetPath path, int mode) throws IOException {
        before(path);
        inner.chmod(path, mode);
    }

    @Override
    public void chown(TargetPath path, int uid, int gid) throws IOException {
        before(path);
        inner.chown(path, uid, gid);
    }

    @Override
    public void delete(TargetPath path) throws IOException {
        before(path);
        inner.delete(path);
        gone(path);
    }

    @Override
    public void deleteTree(TargetPath path) throws IOException {
        FileStat st = inner.stat(path);
        if (st.isDirectory() && backups != null) {
            for (TreeEntry e : inner.walk(path)) {
                before(path.join(e.relativePath()));
            }
        }
        before(path);
        inner.deleteTree(path);
        gone(path);
    }

    private void gone(TargetPath target) {
        String path = target.text();
        deleted.add(path);
        created.remove(path);
        created.removeIf(p -> p.startsWith(path + "/"));
    }
}
