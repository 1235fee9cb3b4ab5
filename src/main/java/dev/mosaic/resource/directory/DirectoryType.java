package dev.mosaic.resource.directory;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Capability;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.Ownership;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.resource.SpecReader;

import java.util.Set;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** A directory: mode, owner, group; or its absence. */
public final class DirectoryType implements ResourceType<DirectorySpec, DirectoryType.Observed> {

    /**
     * The path's metadata, the numeric ids the spec asks for (-1: not managed) and, when the
     * directory must go, what is inside it.
     */
    /** @param overwrites what a forced deletion would remove, entry by entry (see {@link #overwritesDigest}) */
    record Observed(FileStat stat, int wantUid, int wantGid, List<String> contents, String overwrites) {
    }

    @Override
    public String kind() {
        return "directory";
    }

    /** Containers only: what lies below is other resources' business. */
    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.CONTAINERS_ONLY, Capability.ONLY_THROUGH_HOST);
    }

    @Override
    public String summary() {
        return "a directory with its mode and ownership";
    }

    @Override
    public DirectorySpec parse(SpecReader r) {
        return new DirectorySpec(r.absolutePath("path"),
                r.word("ensure").equals("present"),
                r.mode("mode"), r.account("owner"), r.account("group"), r.bool("force"));
    }

    @Override
    public Paths paths(DirectorySpec spec) {
        return Paths.produces(spec.path());
    }

    @Override
    public Observed observe(DirectorySpec spec, Context ctx) throws IOException, ResourceException {
        Host host = ctx.host();
        FileStat stat = host.stat(TargetPath.of(spec.path()));
        List<String> contents = new ArrayList<>();
        java.security.MessageDigest overwrites = dev.mosaic.resource.Digests.newSha256();
        if (!spec.present() && stat.isDirectory()) {
            for (dev.mosaic.host.TreeEntry e : host.walk(TargetPath.of(spec.path()))) {
                FileStat s = e.stat();
                contents.add(s.isDirectory() ? e.relativePath() + "/" : e.relativePath());
                overwrites.update((e.relativePath() + '\0' + s.kindWord() + ' ' + Integer.toOctalString(s.mode()) + ' '
                        + s.size() + ' ' + s.mtimeNanos() + '\n').getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return new Observed(stat, Ownership.uid(host, spec.owner()), Ownership.gid(host, spec.group()), contents,
                contents.isEmpty() ? "" : java.util.HexFormat.of().formatHex(overwrites.digest()));
    }

    @Override
    public Change diff(DirectorySpec spec, Observed o) throws ResourceException {
        FileStat stat = o.stat();
        if (!spec.present()) {
            if (!stat.exists()) {
                return Change.NOOP;
            }
            if (!stat.isDirectory()) {
                throw new ResourceException(spec.path() + " is a " + stat.kindWord() + ", not a directory; refusing to delete it");
            }
            if (!o.contents().isEmpty() && !spec.force()) {
                throw new ResourceException(spec.path() + " is not empty (" + o.contents().size()
                        + " entries); set 'force: true' to delete it with its content");
            }
            List<Diff> diffs = new ArrayList<>(List.of(new Diff.Field("ensure", "present", "absent")));
            if (!o.contents().isEmpty()) {
                diffs.add(new Diff.Tree("contents", List.of(), List.of(), o.contents()));
            }
            return new Change(Action.DELETE, diffs);
        }
        List<Diff> diffs = new ArrayList<>();
        if (!stat.exists()) {
            Ownership.created(spec.mode(), DirectorySpec.DEFAULT_MODE, o.wantUid(), o.wantGid(), diffs);
            return new Change(Action.CREATE, diffs);
        }
        if (!stat.isDirectory()) {
            throw new ResourceException(spec.path() + " is a " + stat.kindWord() + "; refusing to replace it with a directory");
        }
        Ownership.diff(stat, spec.mode(), o.wantUid(), o.wantGid(), diffs);
        return Change.of(Action.UPDATE, diffs);
    }

    @Override
    public void apply(DirectorySpec spec, Change change, Context ctx) throws IOException, ResourceException {
        Host host = ctx.host();
        if (change.action() == Action.DELETE) {
            if (spec.force()) {
                host.deleteTree(TargetPath.of(spec.path()));
            } else if (!host.walk(TargetPath.of(spec.path())).isEmpty()) {
                throw new ResourceException(spec.path() + " is not empty; set 'force: true' to delete it with its content");
            } else {
                host.delete(TargetPath.of(spec.path()));
            }
            return;
        }
        if (change.action() == Action.CREATE) {
            host.mkdirs(TargetPath.of(spec.path()), spec.mode().orElse(DirectorySpec.DEFAULT_MODE));
        }
        Ownership.converge(host, spec.path(), spec.mode(), Ownership.uid(host, spec.owner()), Ownership.gid(host, spec.group()));
    }

    /**
     * A forced deletion names the entries it removes by path only: their kind, mode, size and
     * modification time tell a saved plan that one was changed after the review.
     */
    @Override
    public String overwritesDigest(DirectorySpec spec, Observed observed) {
        return observed.overwrites();
    }
}
