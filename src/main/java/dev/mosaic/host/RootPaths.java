package dev.mosaic.host;

import dev.mosaic.base.TargetPath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@link LocalHost}'s confinement: target paths mapped to local paths below a root the way
 * {@code chroot} would (an absolute symlink inside the root points back into the root, a link's
 * {@code ..} never climbs above it), and Mosaic's state directory kept out of reach of every
 * change. A target path is a {@link TargetPath}, checked where it was made: it never holds a
 * {@code ..}. Thread-safe.
 */
final class RootPaths {

    private static final int MAX_LINK_HOPS = 40;

    private final Path root;
    private final boolean confined;
    /** Directories below the root known to be real directories (not symlinks), to save lstats. */
    private final Set<Path> plainDirs = ConcurrentHashMap.newKeySet();
    /**
     * Target directories whose every component is in {@link #plainDirs}, by their (normalized)
     * target path: the local path {@link #resolve} would walk to, one component after another,
     * with no lstat. Emptied whenever a directory leaves {@link #plainDirs}, so that it never
     * answers what a walk would not (a directory replaced by a symlink is walked again). An
     * archive's 80,000 entries lie in ≈ 5,000 directories: each entry's parent is found once.
     */
    private final Map<String, Path> plainParents = new ConcurrentHashMap<>();
    private static final int MAX_PLAIN_PARENTS = 65_536;
    /** Counts the times {@link #plainParents} was emptied: a note made meanwhile is dropped. */
    private final java.util.concurrent.atomic.AtomicLong forgotten = new java.util.concurrent.atomic.AtomicLong();
    /**
     * Mosaic's state directory when it lies below the root (local paths): no host call changes
     * anything at or below it, and confined commands may not write it either.
     */
    private final List<Path> stateDirs = new CopyOnWriteArrayList<>();

    RootPaths(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.confined = !this.root.equals(this.root.getRoot());
    }

    Path root() {
        return root;
    }

    /** Whether the root is a directory below {@code /} rather than the machine's own. */
    boolean confined() {
        return confined;
    }

    /** See {@link LocalHost#resolve}. */
    Path resolve(TargetPath target, boolean followLast) throws IOException {
        String path = target.text(); // normalized, no '..' in it: only a link's text may climb
        if (!confined) {
            return Path.of(path);
        }
        int slash = path.lastIndexOf('/');
        Path parent = slash > 0 ? plainParents.get(path.substring(0, slash)) : null;
        if (parent != null) {
            // Every directory on the way is a plain one: the walk below would take each as it is.
            Path next = parent.resolve(path.substring(slash + 1));
            if (!followLast || plainDirs.contains(next)) {
                return next;
            }
        }
        Path resolved = walk(path, followLast);
        if (slash > 0 && parent == null) {
            rememberPlainParent(path.substring(0, slash));
        }
        return resolved;
    }

    /** Notes a target directory whose every component (normalized, no link) is a plain directory. */
    private void rememberPlainParent(String dir) {
        long before = forgotten.get();
        Path local = root;
        for (String comp : dir.substring(1).split("/")) {
            local = local.resolve(comp);
            if (!plainDirs.contains(local)) {
                return;
            }
        }
        if (plainParents.size() >= MAX_PLAIN_PARENTS) {
            plainParents.clear();
        }
        plainParents.put(dir, local);
        if (forgotten.get() != before) {
            plainParents.remove(dir); // a directory left plainDirs while this one was checked
        }
    }

    private Path walk(String path, boolean followLast) throws IOException {
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
            boolean last = onlyDots(todo);
            if ((last && !followLast) || plainDirs.contains(next)) {
                cur = next;
                continue;
            }
            if (Files.isSymbolicLink(next)) {
                if (++hops > MAX_LINK_HOPS) {
                    throw new IOException("too many levels of symbolic links: " + path);
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

    /** Whether nothing but empty and {@code .} components is left. */
    private static boolean onlyDots(List<String> components) {
        for (String c : components) {
            if (!c.isEmpty() && !c.equals(".")) {
                return false;
            }
        }
        return true;
    }

    /** {@link #resolve}, refused when the local path is at or below a {@linkplain #protect state directory}. */
    Path changeable(TargetPath path, boolean followLast) throws IOException {
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

    /** Refuses a tree delete at {@code p} (resolved from {@code path}) when a state directory lies below it. */
    void refuseHoldingState(TargetPath path, Path p) throws IOException {
        for (Path state : stateDirs) {
            if (state.startsWith(p)) {
                throw insideState(path + " holds Mosaic's state directory " + state);
            }
        }
    }

    private static IOException insideState(String what) {
        return new IOException(what + ": Mosaic keeps its history, backups and lock there, and no resource may"
                + " change them. Choose another destination, or keep the state elsewhere with --state-dir.");
    }

    /**
     * The directory a write of {@code path} makes its temp file in: never above the root, where
     * {@code /} would put it.
     */
    Path parentInRoot(TargetPath path, Path resolved) throws IOException {
        Path dir = resolved.getParent();
        if (dir == null || (confined && !dir.startsWith(root))) {
            throw new IOException("cannot replace " + path + ": it is the root directory");
        }
        return dir;
    }

    /** See {@link LocalHost#protectStateDir}. */
    void protect(Path dir) {
        stateDirs.add(dir.toAbsolutePath().normalize());
    }

    List<Path> stateDirs() {
        return stateDirs;
    }

    boolean isPlainDir(Path dir) {
        return plainDirs.contains(dir);
    }

    void plainDir(Path dir) {
        plainDirs.add(dir);
    }

    /** {@code p} changed: it may be no directory any more. */
    void changed(Path p) {
        if (plainDirs.remove(p)) {
            forgotten.incrementAndGet();
            plainParents.clear();
        }
    }

    /** Something (a link, a command) may have put a symlink where a directory was: look again. */
    void forgetDirs() {
        plainDirs.clear();
        forgotten.incrementAndGet();
        plainParents.clear();
    }
}
