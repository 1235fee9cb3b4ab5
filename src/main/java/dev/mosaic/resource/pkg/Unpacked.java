package dev.mosaic.resource.pkg;

import dev.mosaic.resource.Action;
import dev.mosaic.resource.Bound;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.ForwardingContext;
import dev.mosaic.resource.Memory;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.archive.ArchiveSpec;
import dev.mosaic.resource.archive.ArchiveType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A package unpacked into a tree: apt says which version and which .deb digest (from its signed
 * indexes, without downloading); the .deb is fetched with {@code apt-get download} into the
 * content-addressed cache on first need; the {@code archive} kind unpacks it as a root file system
 * and keeps the manifest that makes the next run a no-op.
 */
final class Unpacked {

    private static final ArchiveType ARCHIVE = new ArchiveType();

    private Unpacked() {
    }

    /**
     * The version apt offers, and what the archive kind sees for that .deb in the tree (bound to
     * the archive's spec: the archive kind's observation type is its own).
     */
    record State(Apt.Candidate candidate, ArchiveSpec archive, Bound.Seen<ArchiveSpec, ?> observed) {
    }

    static ArchiveSpec archive(PackageSpec spec, Context ctx, Apt.Candidate c) {
        return ArchiveSpec.deb("apt:" + spec.name() + "=" + c.version(), c.sha256(), spec.dest(), spec.paths());
    }

    /** The archive kind's notes live beside the package's own, under a key of their own. */
    static Context scoped(Context ctx) {
        Memory outer = ctx.memory();
        Memory inner = new Memory() {
            @Override
            public Optional<String> get(String key) throws IOException {
                return outer.get("archive." + key);
            }

            @Override
            public void put(String key, String value) throws IOException {
                outer.put("archive." + key, value);
            }
        };
        return new ForwardingContext(ctx) {
            @Override
            public Memory memory() {
                return inner;
            }
        };
    }

    static State observe(PackageSpec spec, Context ctx) throws IOException, ResourceException {
        Apt.Candidate c = Apt.controlCandidate(ctx, spec);
        ArchiveSpec a = archive(spec, ctx, c);
        return new State(c, a, new Bound<>(ARCHIVE, a).observe(scoped(ctx)));
    }

    static Change diff(PackageSpec spec, State s) throws ResourceException {
        Change inner = s.observed().diff();
        if (inner.isNoop()) {
            return Change.NOOP;
        }
        List<Diff> diffs = new ArrayList<>();
        diffs.add(new Diff.Field("version", null, s.candidate().version()));
        inner.diffs().stream().filter(d -> d instanceof Diff.Tree).forEach(diffs::add);
        return new Change(inner.action(), diffs, inner);
    }

    static void apply(PackageSpec spec, Change change, Context ctx) throws IOException, ResourceException {
        Apt.Candidate c = Apt.controlCandidate(ctx, spec);
        Debs.fetch(ctx, spec.name() + "=" + c.version(), c.sha256());
        ArchiveSpec a = archive(spec, ctx, c);
        Context inner = scoped(ctx);
        Change unpack = ARCHIVE.diff(a, ARCHIVE.observe(a, inner));
        if (!unpack.isNoop()) {
            ARCHIVE.apply(a, unpack, inner);
        }
    }
}
