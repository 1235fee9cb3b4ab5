package dev.mosaic.resource.file;

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
import dev.mosaic.resource.Source;
import dev.mosaic.resource.SpecReader;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A regular file: content (inline or from a source), mode, owner, group; or its absence. */
public final class FileType implements ResourceType<FileSpec, FileObserved> {

    @Override
    public String kind() {
        return "file";
    }

    /** Follows its inputs: a file copied from a target path follows that path's producer (e.g. a kernel image). */
    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.FOLLOWS_INPUTS, Capability.ONLY_THROUGH_HOST);
    }

    @Override
    public String summary() {
        return "a regular file with its content, mode and ownership";
    }

    @Override
    public FileSpec parse(SpecReader r) {
        String path = r.absolutePath("path");
        boolean present = r.word("ensure").equals("present");
        Optional<byte[]> content = r.optString("content").map(s -> s.getBytes(StandardCharsets.UTF_8));
        Optional<String> source = r.optString("source");
        if (content.isPresent() && source.isPresent()) {
            r.error("source", "give either 'content' or 'source', not both");
        }
        if (!present && (content.isPresent() || source.isPresent())) {
            r.error("ensure", "a file that must be absent cannot have 'content' or 'source'");
        }
        source = source.map(s -> s.startsWith("/") ? r.checkAbsolute("source", s) : s);
        source.filter(s -> !s.startsWith("/")).ifPresent(s -> r.pathText("source", s));
        return new FileSpec(path, present, content, source, r.mode("mode"), r.account("owner"), r.account("group"));
    }

    @Override
    public Paths paths(FileSpec spec) {
        Set<String> reads = spec.source().filter(s -> s.startsWith("/")).map(Set::of).orElse(Set.of());
        return new Paths(Set.of(spec.path()), reads);
    }

    @Override
    public FileObserved observe(FileSpec spec, Context ctx) throws IOException, ResourceException {
        Host host = ctx.host();
        FileStat stat = host.stat(TargetPath.of(spec.path()));
        Diff.Blob desired = spec.present() && spec.managesContent() ? desiredBlob(spec, ctx) : null;
        Diff.Blob current = null;
        if (stat.isFile() && desired != null) {
            // Same size: the digest decides, and the content is read only if it differs (for the
            // diff). A host that batches its probes answers the digest without a round trip.
            String sha = stat.size() == desired.size() || stat.size() > Diff.Blob.MAX_TEXT ? host.sha256(TargetPath.of(spec.path())) : null;
            if (desired.sha256().equals(sha)) {
                current = desired;
            } else {
                current = stat.size() <= Diff.Blob.MAX_TEXT
                        ? Diff.Blob.of(host.read(TargetPath.of(spec.path())))
                        : new Diff.Blob(stat.size(), sha, null);
            }
        }
        return new FileObserved(stat, current, desired,
                Ownership.uid(host, spec.owner()), Ownership.gid(host, spec.group()));
    }

    private static Diff.Blob desiredBlob(FileSpec spec, Context ctx) throws IOException, ResourceException {
        if (spec.content().isPresent()) {
            return Diff.Blob.of(spec.content().get());
        }
        String source = spec.source().orElseThrow();
        Source src = Source.of(source, ctx);
        Host from = src.host();
        String where = src.path();
        FileStat s = from.stat(TargetPath.of(where));
        if (!s.exists()) {
            throw new ResourceException("source file " + source + " does not exist");
        }
        long size = from.stat(TargetPath.of(where)).size();
        return size <= Diff.Blob.MAX_TEXT ? Diff.Blob.of(from.read(TargetPath.of(where))) : new Diff.Blob(size, from.sha256(TargetPath.of(where)), null);
    }

    @Override
    public Change diff(FileSpec spec, FileObserved o) throws ResourceException {
        FileStat stat = o.stat();
        if (!spec.present()) {
            if (stat.isDirectory()) {
                throw new ResourceException(spec.path() + " is a directory; a file resource will not delete it");
            }
            return stat.exists()
                    ? new Change(Action.DELETE, List.of(new Diff.Field("ensure", "present", "absent")))
                    : Change.NOOP;
        }
        List<Diff> diffs = new ArrayList<>();
        switch (stat.kind()) {
            case ABSENT -> {
                if (o.desired() != null) {
                    diffs.add(new Diff.Content("content", null, o.desired()));
                }
                Ownership.created(spec.mode(), FileSpec.DEFAULT_MODE, o.wantUid(), o.wantGid(), diffs);
                return new Change(Action.CREATE, diffs);
            }
            case DIRECTORY -> throw new ResourceException(spec.path() + " is a directory; refusing to replace it with a file");
            case SYMLINK, OTHER -> {
                diffs.add(new Diff.Field("type", stat.kindWord(), "file"));
                if (o.desired() != null) {
                    diffs.add(new Diff.Content("content", null, o.desired()));
                }
                Ownership.created(spec.mode(), FileSpec.DEFAULT_MODE, o.wantUid(), o.wantGid(), diffs);
                return new Change(Action.REPLACE, diffs);
            }
            case FILE -> {
                if (o.desired() != null && !o.desired().sha256().equals(o.current().sha256())) {
                    diffs.add(new Diff.Content("content", o.current(), o.desired()));
                }
                Ownership.diff(stat, spec.mode(), o.wantUid(), o.wantGid(), diffs);
                return Change.of(Action.UPDATE, diffs);
            }
            default -> throw new IllegalStateException();
        }
    }

    @Override
    public void apply(FileSpec spec, Change change, Context ctx) throws IOException, ResourceException {
        Host host = ctx.host();
        String path = spec.path();
        if (change.action() == Action.DELETE) {
            host.delete(TargetPath.of(path));
            return;
        }
        boolean rewrite = change.action() != Action.UPDATE || change.touches("content");
        // A create follows an observation that found nothing there: no need to look again.
        FileStat before = change.action() == Action.CREATE ? FileStat.ABSENT : host.stat(TargetPath.of(path));
        int uid = Ownership.uid(host, spec.owner());
        int gid = Ownership.gid(host, spec.group());
        if (rewrite) {
            int mode = spec.mode().orElse(change.action() == Action.UPDATE ? before.mode() : FileSpec.DEFAULT_MODE);
            try (InputStream in = contentStream(spec, ctx)) {
                host.writeAtomic(TargetPath.of(path), in, mode);
            }
            // The new file belongs to whoever runs Mosaic: give it back the owner it had, unless
            // the playbook says otherwise.
            if (before.isFile()) {
                uid = uid != -1 ? uid : before.uid();
                gid = gid != -1 ? gid : before.gid();
                FileStat now = host.stat(TargetPath.of(path));
                uid = now.uid() == uid ? -1 : uid;
                gid = now.gid() == gid ? -1 : gid;
            }
        }
        if (!rewrite || uid != -1 || gid != -1) {
            Ownership.converge(host, path, spec.mode(), uid, gid);
        }
    }

    private static InputStream contentStream(FileSpec spec, Context ctx) throws IOException {
        if (spec.content().isPresent()) {
            return new ByteArrayInputStream(spec.content().get());
        }
        if (spec.source().isPresent()) {
            Source src = Source.of(spec.source().get(), ctx);
            return src.host().open(TargetPath.of(src.path()));
        }
        return new ByteArrayInputStream(new byte[0]);
    }

    @Override
    public String inputDigest(FileSpec spec, FileObserved observed) {
        return spec.source().isPresent() && observed.desired() != null ? observed.desired().sha256() : "";
    }
}
