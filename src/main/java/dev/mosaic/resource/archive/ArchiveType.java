package dev.mosaic.resource.archive;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Capability;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.resource.SpecReader;
import dev.mosaic.resource.TargetPaths;
import dev.mosaic.resource.archive.Sources.Located;
import dev.mosaic.resource.archive.Sources.Origin;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An archive fetched (or read from the control machine), verified and unpacked into a directory.
 * Where its bytes are: {@link Sources}; how it is unpacked: {@link Unpacking}; its fields:
 * {@link SpecParser}.
 */
public final class ArchiveType implements ResourceType<ArchiveSpec, ArchiveType.Observed> {

    /**
     * What observe found.
     *
     * @param guardedBy the {@code creates} path when it exists (nothing to do), else null
     * @param previous  the manifest of the last unpack, or null
     * @param added     manifest paths missing from the destination (labels, dirs with '/')
     * @param changed   manifest paths present but different
     * @param drifted   the relative paths of both, to rewrite
     */
    record Observed(String guardedBy, Located archive, Manifest previous, List<String> added, List<String> changed,
                    List<String> drifted, String overwrites) {
        Observed {
            added = List.copyOf(added);
            changed = List.copyOf(changed);
            drifted = List.copyOf(drifted);
        }

        static Observed guarded(String path) {
            return new Observed(path, null, null, List.of(), List.of(), List.of(), "");
        }
    }

    /** Shown as the digest to be while a fetch will tell (and pin) it. */
    static final String WILL_PIN = "(will pin sha256:…)";

    @Override
    public String kind() {
        return "archive";
    }

    @Override
    public ArchiveSpec parse(SpecReader r) {
        return SpecParser.parse(r);
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.ONLY_THROUGH_HOST);
    }

    @Override
    public String summary() {
        return "an archive (tar, zip, .deb, gz, bz2, xz) fetched, verified and unpacked into a directory";
    }

    /**
     * Only {@code creates} is claimed. What an archive unpacks is not known before it is read, and
     * {@code dest} is shared: several archives may unpack into {@code /usr/src}, and a
     * {@code directory} resource may own it. So {@code dest} is filled, not produced: whoever reads
     * or modifies what lies there comes after the archive. See the package documentation.
     */
    @Override
    public Paths paths(ArchiveSpec spec) {
        java.util.Set<String> reads = spec.candidates().stream().filter(Location::onTarget).map(Location::path)
                .collect(java.util.stream.Collectors.toSet());
        java.util.Set<String> produces = new java.util.TreeSet<>();
        spec.creates().ifPresent(produces::add);
        // A single compressed file (the classic "bunzip2 openMosix-2.4.22-1.bz2") has one known result.
        String name = spec.source().fileName();
        ArchiveFormat format = spec.format() == ArchiveFormat.AUTO ? ArchiveFormat.byName(name) : spec.format();
        if (format != null && format.singleFile() && !ArchiveFormat.decompressedName(name).isEmpty()) {
            produces.add(TargetPaths.join(spec.dest(), ArchiveFormat.decompressedName(name)));
        }
        return new Paths(produces, reads, java.util.Set.of(), java.util.Set.of(spec.dest()));
    }

    /** Where the shared download cache keeps an archive with this digest. */
    public static Path cachedPath(Path cacheDir, String sha256) {
        return Fetcher.cached(cacheDir, sha256);
    }

    // ------------------------------------------------------------------ observe

    @Override
    public Observed observe(ArchiveSpec spec, Context ctx) throws IOException, ResourceException {
        Host host = ctx.host();
        // Right after this resource's apply: what the unpack saw after its last write (AfterApply).
        Optional<AfterApply.Observation> handed = AfterApply.take(ctx.memory());
        if (spec.creates().isPresent() && host.stat(TargetPath.of(spec.creates().get())).exists()) {
            return Observed.guarded(spec.creates().get());
        }
        Optional<String> text = ctx.memory().get(Manifest.KEY);
        handed = handed.filter(h -> h.current(text));
        Manifest previous = handed.map(AfterApply.Observation::manifest).or(() -> Manifest.parse(text)).orElse(null);
        Located archive = Sources.locate(spec, ctx);
        if (sameSettings(spec, previous) && (archive.digest() == null || archive.digest().equals(previous.archive()))) {
            Drift.Found f = handed.isPresent() ? handed.get().found() : Drift.compare(previous, spec.dest(), host);
            return new Observed(null, archive, previous, f.added(), f.changed(), f.drifted(), f.overwrites());
        }
        return new Observed(null, archive, previous, List.of(), List.of(), List.of(), Drift.NOTHING);
    }

    /** Whether the last unpack used the settings that shape the result (digest aside). */
    private static boolean sameSettings(ArchiveSpec spec, Manifest m) {
        return m != null && m.dest().equals(spec.dest()) && m.strip() == spec.stripComponents()
                && spec.format().word().equals(m.format());
    }

    // ------------------------------------------------------------------ diff

    @Override
    public Change diff(ArchiveSpec spec, Observed o) {
        if (o.guardedBy() != null) {
            return Change.NOOP;
        }
        Manifest prev = o.previous();
        String digest = o.archive().digest();
        boolean remote = o.archive().origin() == Origin.REMOTE;
        boolean sameArchive = sameSettings(spec, prev) && digest != null && digest.equals(prev.archive());
        List<Diff> diffs = new ArrayList<>();
        if (sameArchive) {
            if (o.drifted().isEmpty()) {
                return Change.NOOP;
            }
            diffs.add(new Diff.Tree("files", o.added(), o.changed(), List.of()));
            if (remote) {
                diffs.add(new Diff.Field("sha256", digest, digest + " (fetch)"));
            }
            return new Change(Action.UPDATE, diffs, o);
        }
        String before = prev == null ? null : prev.archive();
        if (digest == null) {
            diffs.add(new Diff.Field("sha256", before, WILL_PIN));
        } else if (!digest.equals(before) || remote) {
            diffs.add(new Diff.Field("sha256", before, digest + (remote ? " (fetch)" : "")));
        }
        if (prev != null) {
            if (!prev.dest().equals(spec.dest())) {
                diffs.add(new Diff.Field("dest", prev.dest(), spec.dest()));
            }
            if (prev.strip() != spec.stripComponents()) {
                diffs.add(new Diff.Field("strip_components", Integer.toString(prev.strip()),
                        Integer.toString(spec.stripComponents())));
            }
            if (!spec.format().word().equals(prev.format())) {
                diffs.add(new Diff.Field("format", prev.format(), spec.format().word()));
            }
            if (digest == null && !o.drifted().isEmpty()) {
                diffs.add(new Diff.Tree("files", o.added(), o.changed(), List.of()));
            }
        }
        return new Change(prev == null ? Action.CREATE : Action.UPDATE, diffs, o);
    }

    // ------------------------------------------------------------------ apply

    @Override
    public void apply(ArchiveSpec spec, Change change, Context ctx) throws IOException, ResourceException {
        Observed o = change.detail() instanceof Observed d ? d : observe(spec, ctx);
        if (o.guardedBy() != null) {
            return;
        }
        Host host = ctx.host();
        FileStat source = o.archive().origin() == Origin.LOCAL ? ctx.control().stat(TargetPath.of(o.archive().where())) : null;
        // A fetch verifies what it downloads; what observe found is verified while it is unpacked.
        boolean fetched = o.archive().origin() == Origin.REMOTE;
        Located archive = fetched ? Sources.obtain(spec, ctx) : o.archive();
        String digest = archive.digest();
        Manifest prev = o.previous();
        boolean driftOnly = sameSettings(spec, prev) && digest.equals(prev.archive());
        Set<String> only = driftOnly ? new HashSet<>(o.drifted()) : null;
        if (driftOnly && only.isEmpty()) {
            return; // the fetch only confirmed (and pinned) what is unpacked already
        }
        Unpacking.Result unpacked = Unpacking.run(spec, archive, fetched, only, ctx);
        if (source != null) {
            SourceDigest.remember(ctx.control(), archive.where(), source, digest, ctx.memory());
        }
        List<Manifest.Entry> entries = unpacked.entries();
        Unpacker.Layout layout = unpacked.layout();
        ArchiveFormat format = unpacked.format();
        // Recorded after the last write is on disk, with the identity each file has now. A drift
        // repair keeps the entries it did not rewrite as they were.
        Drift.Stamped seen = Drift.stamp(entries, spec.dest(), host, !driftOnly);
        List<Manifest.Entry> stamped = seen.entries();
        if (driftOnly) {
            java.util.Map<String, Manifest.Entry> all = new java.util.LinkedHashMap<>();
            prev.entries().forEach(e -> all.put(e.path(), e));
            stamped.forEach(e -> all.put(e.path(), e));
            stamped = new ArrayList<>(all.values());
        }
        AfterApply.write(new Manifest(Manifest.VERSION, digest, Sources.pinKey(spec), spec.dest(), spec.format().word(), spec.stripComponents(),
                stamped), seen.found(), ctx.memory());
        ctx.output((driftOnly ? "restored " : "unpacked ") + entries.size() + " of " + layout.items().size()
                + " entries (" + format.word() + ", " + Sizes.human(layout.totalBytes()) + ") into " + spec.dest());
        if (spec.creates().isPresent() && !host.stat(TargetPath.of(spec.creates().get())).exists()) {
            ctx.output("note: " + spec.creates().get() + " (creates) still does not exist after unpacking;"
                    + " the guard will not stop later runs");
        }
    }

    @Override
    public String inputDigest(ArchiveSpec spec, Observed observed) {
        return observed.archive() == null || observed.archive().digest() == null ? "" : observed.archive().digest();
    }

    /**
     * The content of the unpacked entries that drifted, which a restore of them overwrites. A
     * first unpack (or one of another archive) overwrites what the archive holds, known only once
     * it is read: a saved plan does not cover that.
     */
    @Override
    public String overwritesDigest(ArchiveSpec spec, Observed observed) {
        return observed.overwrites();
    }
}
