package dev.mosaic.resource.copy;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.host.TreeEntry;
import dev.mosaic.host.WriteBatch;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Capability;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.Digests;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.resource.Source;
import dev.mosaic.resource.SpecReader;
import dev.mosaic.resource.TargetPaths;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A directory tree synchronised from a source tree. */
public final class CopyType implements ResourceType<CopySpec, CopyType.Observed> {

    /**
     * The comparison of both trees: what to write and remove, and a digest of the source tree
     * (paths, kinds, modes, contents) so a changed source reads as an input change, not drift.
     */
    record Observed(CopyPlan plan, String sourceDigest, String overwrites) {
    }

    @Override
    public String kind() {
        return "copy";
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.FOLLOWS_INPUTS, Capability.ONLY_THROUGH_HOST);
    }

    @Override
    public String summary() {
        return "a directory tree synchronised from a source tree";
    }

    @Override
    public CopySpec parse(SpecReader r) {
        String source = r.string("source");
        if (source.startsWith("/")) {
            source = r.checkAbsolute("source", source);
        } else if (source.isEmpty()) {
            r.error("source", "must not be empty");
        } else {
            r.pathText("source", source);
        }
        return new CopySpec(source, r.absolutePath("dest"), r.bool("purge"));
    }

    @Override
    public Paths paths(CopySpec spec) {
        return new Paths(Set.of(spec.dest()), spec.sourceOnTarget() ? Set.of(spec.source()) : Set.of());
    }

    private static Host sourceHost(CopySpec spec, Context ctx) {
        return Source.of(spec.source(), ctx).host();
    }

    private static String sourceRoot(CopySpec spec, Context ctx) {
        return Source.of(spec.source(), ctx).path();
    }

    @Override
    public Observed observe(CopySpec spec, Context ctx) throws IOException, ResourceException {
        Host src = sourceHost(spec, ctx);
        Host dst = ctx.host();
        String srcRoot = sourceRoot(spec, ctx);
        FileStat srcStat = src.stat(TargetPath.of(srcRoot));
        if (!srcStat.isDirectory() && !srcStat.isSymlink()) {
            throw new ResourceException("source " + spec.source() + " is not a directory"
                    + (srcStat.exists() ? " (it is a " + srcStat.kindWord() + ")" : " (it does not exist)"));
        }
        FileStat destStat = dst.stat(TargetPath.of(spec.dest()));
        if (destStat.exists() && !destStat.isDirectory()) {
            throw new ResourceException("destination " + spec.dest() + " is a " + destStat.kindWord() + ", not a directory");
        }
        List<TreeEntry> source = src.walk(TargetPath.of(srcRoot));
        Map<String, FileStat> dest = new HashMap<>();
        if (destStat.exists()) {
            for (TreeEntry e : dst.walk(TargetPath.of(spec.dest()))) {
                dest.put(e.relativePath(), e.stat());
            }
        }
        MessageDigest tree = Digests.newSha256();
        List<CopyPlan.Item> write = new ArrayList<>();
        for (TreeEntry e : source) {
            String rel = e.relativePath();
            FileStat s = e.stat();
            FileStat d = dest.remove(rel);
            String contentId = "";
            boolean differs;
            switch (s.kind()) {
                case DIRECTORY -> differs = d == null || !d.isDirectory() || d.mode() != s.mode();
                case SYMLINK -> {
                    contentId = s.linkTarget();
                    differs = d == null || !d.isSymlink() || !d.linkTarget().equals(s.linkTarget());
                }
                case FILE -> {
                    contentId = src.sha256(TargetPath.of(srcRoot).join(rel));
                    differs = d == null || !d.isFile() || d.size() != s.size() || d.mode() != s.mode()
                            || !dst.sha256(TargetPath.of(spec.dest()).join(rel)).equals(contentId);
                }
                default -> throw new ResourceException("source " + spec.source() + "/" + rel
                        + " is a special file (device, fifo or socket); copy handles files, directories and symlinks only");
            }
            tree.update((rel + '\0' + s.kindWord() + '\0' + Integer.toOctalString(s.mode()) + '\0' + contentId + '\n')
                    .getBytes(StandardCharsets.UTF_8));
            if (differs) {
                write.add(new CopyPlan.Item(rel, s, d != null));
            }
        }
        List<String> remove = new ArrayList<>();
        for (CopyPlan.Item item : write) {
            // A destination directory replaced by a file or link goes with everything inside it,
            // purge or not: say so in the plan.
            FileStat was = destStat.exists() ? dst.stat(TargetPath.of(spec.dest()).join(item.relativePath())) : FileStat.ABSENT;
            if (was.isDirectory() && !item.source().isDirectory()) {
                String prefix = item.relativePath() + "/";
                dest.keySet().stream().filter(k -> k.startsWith(prefix)).forEach(remove::add);
            }
        }
        if (spec.purge()) {
            remove.addAll(dest.keySet());
        }
        remove = new ArrayList<>(new java.util.TreeSet<>(remove));
        remove.sort(Comparator.reverseOrder()); // children before their directories
        java.util.Set<String> removedDirs = new java.util.HashSet<>();
        for (String r : remove) {
            FileStat d = dest.get(r);
            if (d != null && d.isDirectory()) {
                removedDirs.add(r);
            }
        }
        // What the change would overwrite or remove, by content: a saved plan is stale when it moved.
        MessageDigest overwrites = Digests.newSha256();
        for (CopyPlan.Item item : write) {
            if (item.replaces()) {
                String p = TargetPaths.join(spec.dest(), item.relativePath());
                overwrites.update(Digests.onTarget(dst, p, dst.stat(TargetPath.of(p))).getBytes(StandardCharsets.UTF_8));
            }
        }
        for (String r : remove) {
            String p = TargetPaths.join(spec.dest(), r);
            overwrites.update(Digests.onTarget(dst, p, dst.stat(TargetPath.of(p))).getBytes(StandardCharsets.UTF_8));
        }
        return new Observed(new CopyPlan(!destStat.exists(), write, remove, removedDirs), HexFormat.of().formatHex(tree.digest()),
                HexFormat.of().formatHex(overwrites.digest()));
    }

    @Override
    public Change diff(CopySpec spec, Observed o) {
        CopyPlan plan = o.plan();
        if (!plan.createDest() && plan.write().isEmpty() && plan.remove().isEmpty()) {
            return Change.NOOP;
        }
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (CopyPlan.Item item : plan.write()) {
            (item.replaces() ? changed : added).add(label(item));
        }
        Diff.Tree tree = new Diff.Tree("files", added, changed,
                plan.remove().stream().sorted().map(r -> plan.removedDirs().contains(r) ? r + "/" : r).toList());
        return new Change(plan.createDest() ? Action.CREATE : Action.UPDATE, List.of(tree), plan);
    }

    private static String label(CopyPlan.Item item) {
        return item.source().isDirectory() ? item.relativePath() + "/" : item.relativePath();
    }

    @Override
    public void apply(CopySpec spec, Change change, Context ctx) throws IOException {
        CopyPlan plan = (CopyPlan) change.detail();
        Host src = sourceHost(spec, ctx);
        Host dst = ctx.host();
        String srcRoot = sourceRoot(spec, ctx);
        if (plan.createDest()) {
            dst.mkdirs(TargetPath.of(spec.dest()), 0755);
        }
        for (String rel : plan.remove()) {
            String path = TargetPaths.join(spec.dest(), rel);
            if (dst.stat(TargetPath.of(path)).isDirectory()) {
                dst.deleteTree(TargetPath.of(path));
            } else {
                dst.delete(TargetPath.of(path));
            }
        }
        List<CopyPlan.Item> dirs = new ArrayList<>();
        // Files go through one batch of the target: flushed together, each still old or new after a kill.
        try (WriteBatch files = dst.writes()) {
            for (CopyPlan.Item item : plan.write()) {
                String to = TargetPaths.join(spec.dest(), item.relativePath());
                FileStat s = item.source();
                FileStat existing = dst.stat(TargetPath.of(to));
                if (existing.exists() && existing.kind() != s.kind()) {
                    if (existing.isDirectory()) {
                        dst.deleteTree(TargetPath.of(to));
                    } else {
                        dst.delete(TargetPath.of(to));
                    }
                }
                switch (s.kind()) {
                    case DIRECTORY -> {
                        dst.mkdirs(TargetPath.of(to), s.mode());
                        dirs.add(item);
                    }
                    case SYMLINK -> dst.symlink(TargetPath.of(to), s.linkTarget());
                    default -> {
                        try (InputStream in = src.open(TargetPath.of(srcRoot).join(item.relativePath()))) {
                            files.write(TargetPath.of(to), in, s.mode());
                        }
                    }
                }
            }
            // Before directory modes are set: a read-only directory takes no rename.
            files.commit();
        }
        for (CopyPlan.Item dir : dirs) {
            dst.chmod(TargetPath.of(spec.dest()).join(dir.relativePath()), dir.source().mode());
        }
    }

    @Override
    public String inputDigest(CopySpec spec, Observed observed) {
        return observed.sourceDigest();
    }

    @Override
    public String overwritesDigest(CopySpec spec, Observed observed) {
        return observed.overwrites();
    }
}
