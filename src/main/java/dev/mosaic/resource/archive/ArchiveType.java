package dev.mosaic.resource.archive;

import dev.mosaic.diag.Sensitive;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.resource.SpecReader;
import dev.mosaic.resource.TargetPaths;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** An archive fetched (or read from the control machine), verified and unpacked into a directory. */
public final class ArchiveType implements ResourceType<ArchiveSpec, ArchiveType.Observed> {

    /** Where the archive's bytes are, as far as can be known without fetching anything. */
    enum Origin {
        /** In the download cache under its digest. */
        CACHED,
        /** A file on the target ({@code target:} sources). */
        TARGET,
        /** A file on the control machine. */
        LOCAL,
        /** Only over the network: apply has to fetch it. */
        REMOTE
    }

    /**
     * @param digest the archive's sha256; null when it is only remote and neither the playbook nor
     *               the lock file knows it yet
     * @param where  the cache file, the control-side path, or the URL to fetch first
     */
    record Located(Origin origin, String digest, String where) {
    }

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
    public boolean changesOnlyThroughHost() {
        return true;
    }

    @Override
    public String summary() {
        return "an archive (tar, zip, .deb, gz, bz2, xz) fetched, verified and unpacked into a directory";
    }

    // ------------------------------------------------------------------ parse

    @Override
    public ArchiveSpec parse(SpecReader r) {
        Location source = location(r, "source", r.string("source"));
        List<Location> mirrors = new ArrayList<>();
        for (String m : r.stringList("mirrors")) {
            Location l = location(r, "mirrors", m);
            if (l != null) {
                mirrors.add(l);
            }
        }
        Optional<String> sha256 = r.optString("sha256").map(s -> s.trim().toLowerCase(Locale.ROOT))
                .map(s -> s.startsWith("sha256:") ? s.substring(7) : s);
        if (sha256.isPresent() && !sha256.get().matches("[0-9a-f]{64}")) {
            r.error("sha256", "expected 64 hexadecimal digits, got '" + r.string("sha256", "") + "'");
        }
        String dest = r.absolutePath("dest");
        ArchiveFormat format = ArchiveFormat.ofWord(r.oneOf("format", "auto", ArchiveFormat.WORDS));
        long strip = r.integer("strip_components", 0);
        if (strip < 0 || strip > 1000) {
            r.error("strip_components", "expected a number of leading path parts to drop (0 or more), got " + strip);
        }
        if (strip > 0 && format.singleFile()) {
            r.error("strip_components", "a " + format.word() + " file holds one file, without paths to strip");
        }
        Optional<String> creates = r.optString("creates").map(p -> r.checkAbsolute("creates", p));
        boolean allowSetuid = r.bool("allow_setuid", false);
        long maxSize = ArchiveSpec.DEFAULT_MAX_SIZE;
        Optional<String> size = r.optString("max_size");
        if (size.isPresent()) {
            try {
                maxSize = Sizes.parse(size.get());
                if (maxSize <= 0) {
                    r.error("max_size", "must be more than 0");
                }
            } catch (IllegalArgumentException e) {
                r.error("max_size", e.getMessage());
            }
        }
        double maxRatio = ArchiveSpec.DEFAULT_MAX_RATIO;
        Optional<String> ratio = r.optString("max_ratio");
        if (ratio.isPresent()) {
            try {
                maxRatio = Double.parseDouble(ratio.get().trim());
            } catch (NumberFormatException e) {
                maxRatio = -1;
            }
            if (!(maxRatio > 0) || Double.isInfinite(maxRatio)) {
                r.error("max_ratio", "expected a positive number, got '" + ratio.get() + "'");
            }
        }
        long maxEntries = r.integer("max_entries", ArchiveSpec.DEFAULT_MAX_ENTRIES);
        if (maxEntries <= 0) {
            r.error("max_entries", "must be more than 0");
        }
        if (r.failed() || source == null) {
            return null;
        }
        List<String> include = r.stringList("include");
        return new ArchiveSpec(source, mirrors, sha256, dest, format, (int) strip, creates, allowSetuid,
                maxSize, maxRatio, maxEntries, include, r.bool("rootfs", false));
    }

    private static Location location(SpecReader r, String field, String text) {
        Location l;
        try {
            l = Location.parse(text);
        } catch (IllegalArgumentException e) {
            r.error(field, e.getMessage());
            return null;
        }
        String where = l.network() ? text.split("[?#]", 2)[0] : text;
        if (!Sensitive.redact(where).equals(where)) {
            // The scheme, host and path of a source are printed in plans and errors and kept in
            // the lock file and the state; only a query ("?token=…") is taken out of them.
            r.error(field, "a sensitive value (a sensitive variable, module param, ${env:…} or ${file:…}) is used in"
                    + " the " + (l.network() ? "host or path of the URL" : "path") + "; these are shown in plans and"
                    + " stored in the lock file and the state, so they must not hold a secret. Pass a token in the"
                    + " URL's query instead (https://host/file.tgz?token=${env:TOKEN}), which is never stored");
            return null;
        }
        return l;
    }

    /**
     * The source as the lock file pins it and the manifest records it: sensitive values in its
     * query replaced by {@code (sensitive)} ({@link Sensitive#redact}), so that neither ever holds
     * a token. The same URL with another token is the same file: it keeps its pin.
     */
    static String pinKey(ArchiveSpec spec) {
        return Sensitive.redact(spec.source().written());
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
        if (spec.creates().isPresent() && host.stat(spec.creates().get()).exists()) {
            return Observed.guarded(spec.creates().get());
        }
        Manifest previous = Manifest.read(ctx.memory()).orElse(null);
        Located archive = locate(spec, ctx);
        if (sameSettings(spec, previous) && (archive.digest() == null || archive.digest().equals(previous.archive()))) {
            Drift.Found f = Drift.compare(previous, spec.dest(), host);
            return new Observed(null, archive, previous, f.added(), f.changed(), f.drifted(), f.overwrites());
        }
        return new Observed(null, archive, previous, List.of(), List.of(), List.of(), Drift.NOTHING);
    }

    /** Whether the last unpack used the settings that shape the result (digest aside). */
    private static boolean sameSettings(ArchiveSpec spec, Manifest m) {
        return m != null && m.dest().equals(spec.dest()) && m.strip() == spec.stripComponents()
                && spec.format().word().equals(m.format());
    }

    /**
     * Finds the archive without fetching anything: in the cache under its known digest, or as the
     * first source or mirror that is a file on the control machine (hashed), or else remote.
     */
    private static Located locate(ArchiveSpec spec, Context ctx) throws IOException, ResourceException {
        Optional<String> expected = expected(spec, ctx);
        if (expected.isPresent()) {
            Path cached = Fetcher.cached(ctx.cacheDir(), expected.get());
            if (Files.isRegularFile(cached)) {
                return new Located(Origin.CACHED, expected.get(), cached.toString());
            }
        }
        List<String> missing = new ArrayList<>();
        for (Location l : spec.candidates()) {
            if (l.network()) {
                return new Located(Origin.REMOTE, expected.orElse(null), l.written());
            }
            Optional<Located> local = local(spec, l, ctx);
            if (local.isPresent()) {
                return local.get();
            }
            missing.add(l.written());
        }
        throw new ResourceException("archive not found: " + String.join(", ", missing)
                + (missing.size() == 1 ? " does" : " do") + " not exist on the control machine");
    }

    /** The digest a fetch must have: the playbook's, else the lock file's pin of the source. */
    private static Optional<String> expected(ArchiveSpec spec, Context ctx) throws IOException {
        if (spec.sha256().isPresent()) {
            return spec.sha256();
        }
        return spec.anyNetwork() ? ctx.pins().sha256(pinKey(spec)) : Optional.empty();
    }

    /** A control-side file: hashed, and checked against the playbook's sha256 (never pinned). */
    private static Optional<Located> local(ArchiveSpec spec, Location l, Context ctx) throws IOException, ResourceException {
        Host where = l.onTarget() ? ctx.host() : ctx.control();
        String path = l.onTarget() ? l.path() : l.controlPath(ctx.baseDir());
        FileStat s = where.stat(path);
        if (!s.exists()) {
            return Optional.empty();
        }
        if (s.isDirectory()) {
            throw new ResourceException("archive " + l.written() + " is a directory; use a copy resource for trees");
        }
        String digest = l.onTarget() ? where.sha256(path) : SourceDigest.of(where, path, s, ctx.memory());
        if (spec.sha256().isPresent() && !spec.sha256().get().equals(digest)) {
            throw mismatch(l.written(), spec.sha256().get(), digest);
        }
        return Optional.of(new Located(l.onTarget() ? Origin.TARGET : Origin.LOCAL, digest, path));
    }

    private static ResourceException mismatch(String what, String expected, String actual) {
        return new ResourceException("sha256 mismatch for " + what + ": expected sha256:" + expected
                + ", got sha256:" + actual + "; nothing was unpacked");
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
        FileStat source = o.archive().origin() == Origin.LOCAL ? ctx.control().stat(o.archive().where()) : null;
        // A fetch verifies what it downloads; what observe found is verified below, once.
        boolean fetched = o.archive().origin() == Origin.REMOTE;
        Located archive = fetched ? obtain(spec, ctx) : o.archive();
        String digest = archive.digest();
        Manifest prev = o.previous();
        boolean driftOnly = sameSettings(spec, prev) && digest.equals(prev.archive());
        Set<String> only = driftOnly ? new HashSet<>(o.drifted()) : null;
        if (driftOnly && only.isEmpty()) {
            return; // the fetch only confirmed (and pinned) what is unpacked already
        }
        ArchiveReader.Input input = input(archive, ctx);
        String name = spec.source().fileName();
        ArchiveFormat format = spec.format() == ArchiveFormat.AUTO ? ArchiveReader.detect(name, input) : spec.format();
        String single = ArchiveFormat.decompressedName(name);
        if (format.singleFile() && single.isEmpty()) {
            throw new ResourceException("cannot name the file " + spec.source().written() + " decompresses to: the source"
                    + " has no file name; give a source path or URL that ends in a name");
        }
        Unpacker.Limits limits = new Unpacker.Limits(spec.maxSize(), spec.maxRatio(), spec.maxEntries(),
                spec.allowSetuid(), spec.rootfs(), spec::selects);
        Optional<Extraction.Unpacked> unpacked = Optional.empty();
        if (only == null && !ctx.sharedWithOther(spec.dest()) && NativeDecoder.streams(format)
                && !host.stat(spec.dest()).exists()) {
            // A new destination of its own: checked and written in one pass, verified on the way.
            ArchiveReader.checkMagic(format, input);
            Optional<NativeDecoder.Stream> stream = NativeDecoder.stream(format, input);
            if (stream.isPresent()) {
                try (NativeDecoder.Stream s = stream.get()) {
                    Unpacker unpacker = new Unpacker(ArchiveFormat.TAR, input, single, spec.stripComponents(),
                            spec.dest(), spec.source().written());
                    Located verified = archive;
                    unpacked = new Extraction(unpacker).singlePass(s, limits, digest, host,
                            actual -> mismatchAfterRead(verified, actual, ctx));
                }
            }
        }
        if (unpacked.isEmpty()) {
            if (!fetched) {
                archive = verify(archive, ctx);
                input = input(archive, ctx);
            }
            unpacked = Optional.of(twoPasses(spec, format, input, digest, single, limits, only, ctx));
        }
        if (source != null) {
            SourceDigest.remember(ctx.control(), archive.where(), source, digest, ctx.memory());
        }
        List<Manifest.Entry> entries = unpacked.get().entries();
        Unpacker.Layout layout = unpacked.get().layout();
        // Recorded after the last write is on disk, with the identity each file has now. A drift
        // repair keeps the entries it did not rewrite as they were.
        List<Manifest.Entry> stamped = Drift.stamped(entries, spec.dest(), host);
        if (driftOnly) {
            java.util.Map<String, Manifest.Entry> all = new java.util.LinkedHashMap<>();
            prev.entries().forEach(e -> all.put(e.path(), e));
            stamped.forEach(e -> all.put(e.path(), e));
            stamped = new ArrayList<>(all.values());
        }
        new Manifest(Manifest.VERSION, digest, pinKey(spec), spec.dest(), spec.format().word(), spec.stripComponents(),
                stamped).write(ctx.memory());
        ctx.output((driftOnly ? "restored " : "unpacked ") + entries.size() + " of " + layout.items().size()
                + " entries (" + format.word() + ", " + Sizes.human(layout.totalBytes()) + ") into " + spec.dest());
        if (spec.creates().isPresent() && !host.stat(spec.creates().get()).exists()) {
            ctx.output("note: " + spec.creates().get() + " (creates) still does not exist after unpacking;"
                    + " the guard will not stop later runs");
        }
    }

    /**
     * The check pass over the whole archive, then the write pass: for a destination that exists
     * (or another resource writes into), a drift repair, and whatever the single pass could not
     * read. Decompressed once into a spool where the system has the tool.
     */
    private static Extraction.Unpacked twoPasses(ArchiveSpec spec, ArchiveFormat format, ArchiveReader.Input input,
                                                 String digest, String single, Unpacker.Limits limits, Set<String> only, Context ctx)
            throws IOException, ResourceException {
        if (format == ArchiveFormat.ZIP && input.file() == null) {
            try (InputStream in = input.open()) {
                input = new FileInput(Fetcher.stage(in, digest, ctx.cacheDir(), spec.source().written()), -1);
            }
        }
        Optional<NativeDecoder.Spool> spool = spool(spec, format, input, ctx);
        try {
            Unpacker unpacker = spool.isPresent()
                    ? new Unpacker(ArchiveFormat.TAR, new FileInput(spool.get().tar(), input.size()), single, spec.stripComponents(),
                            spec.dest(), spec.source().written())
                    : new Unpacker(format, input, single, format.singleFile() ? 0 : spec.stripComponents(),
                            spec.dest(), spec.source().written());
            Unpacker.Layout layout = unpacker.check(limits);
            unpacker.checkTarget(layout, only, ctx.host());
            // A tree of its own only where no other resource's work can meet it.
            return new Extraction.Unpacked(layout,
                    new Extraction(unpacker).extract(layout, only, ctx.host(), !ctx.sharedWithOther(spec.dest())));
        } finally {
            if (spool.isPresent()) {
                spool.get().delete();
            }
        }
    }

    /**
     * Gets a remote archive: from the cache when another run fetched it meanwhile, else from the
     * first source or mirror that delivers. A digest mismatch stops at once; an unavailable URL
     * moves on to the next. Without a known digest, the first fetch pins one in mosaic.lock.
     */
    private static Located obtain(ArchiveSpec spec, Context ctx) throws IOException, ResourceException {
        Optional<String> expected = expected(spec, ctx);
        if (expected.isPresent() && Files.isRegularFile(Fetcher.cached(ctx.cacheDir(), expected.get()))) {
            return verify(new Located(Origin.CACHED, expected.get(),
                    Fetcher.cached(ctx.cacheDir(), expected.get()).toString()), ctx);
        }
        List<String> failures = new ArrayList<>();
        for (Location l : spec.candidates()) {
            if (!l.network()) {
                Optional<Located> local = local(spec, l, ctx);
                if (local.isPresent()) {
                    return local.get();
                }
                failures.add(l.written() + ": no such file");
                continue;
            }
            try {
                String digest = Fetcher.fetch(l.written(), expected, spec.maxSize(), ctx);
                if (expected.isEmpty()) {
                    // Another resource with the same URL may have pinned it meanwhile.
                    Optional<String> pinned = ctx.pins().sha256(pinKey(spec));
                    if (pinned.isPresent() && !pinned.get().equals(digest)) {
                        throw mismatch(l.written(), pinned.get(), digest);
                    }
                    ctx.pins().pin(pinKey(spec), digest);
                    ctx.output("pinned " + pinKey(spec) + " to sha256:" + digest + " in the lock file");
                }
                return new Located(Origin.CACHED, digest, Fetcher.cached(ctx.cacheDir(), digest).toString());
            } catch (Fetcher.Unavailable e) {
                failures.add(l.written() + ": " + e.getMessage());
                ctx.output("could not fetch " + l.written() + ": " + e.getMessage());
            }
        }
        throw new ResourceException("could not fetch the archive: " + String.join("; ", failures));
    }

    /**
     * Re-hashes an archive found by observe. A damaged cache entry is removed so that the next run
     * fetches it again; a control-side file that changed since the plan is reported.
     */
    private static Located verify(Located archive, Context ctx) throws IOException, ResourceException {
        String actual;
        if (archive.origin() == Origin.TARGET) {
            actual = ctx.host().sha256(archive.where());
        } else if (archive.origin() == Origin.LOCAL) {
            actual = SourceDigest.of(ctx.control(), archive.where(), ctx.control().stat(archive.where()));
        } else {
            Path cached = Path.of(archive.where());
            Optional<String> fast = Files.size(cached) >= NativeDigest.NATIVE_FROM ? NativeDigest.ofFile(cached) : Optional.empty();
            actual = fast.isPresent() ? fast.get() : Fetcher.sha256(cached);
        }
        if (actual.equals(archive.digest())) {
            return archive;
        }
        throw mismatchAfterRead(archive, actual, ctx);
    }

    /** The refusal for an archive read with another digest than observe's; a damaged cache entry is removed. */
    private static ResourceException mismatchAfterRead(Located archive, String actual, Context ctx) throws IOException {
        if (archive.origin() == Origin.CACHED) {
            Files.deleteIfExists(Path.of(archive.where()));
            return new ResourceException("the cached archive " + archive.where() + " is damaged (sha256:" + actual
                    + "); it was removed, the next run fetches it again; nothing was unpacked");
        }
        return new ResourceException(archive.where() + " changed since it was observed (sha256:" + archive.digest()
                + " then, sha256:" + actual + " now); nothing was unpacked");
    }

    private static ArchiveReader.Input input(Located archive, Context ctx) {
        if (archive.origin() == Origin.CACHED) {
            return new FileInput(Path.of(archive.where()), -1);
        }
        Host control = archive.origin() == Origin.TARGET ? ctx.host() : ctx.control();
        String path = archive.where();
        return new ArchiveReader.Input() {
            @Override
            public InputStream open() throws IOException {
                return control.open(path);
            }

            @Override
            public long size() throws IOException {
                return control.stat(path).size();
            }

            @Override
            public Path file() {
                return null;
            }
        };
    }

    /**
     * The archive decompressed by the system's tool into a plain tar on the control machine, when
     * its format has one there (see {@link NativeDecoder}); empty: Java's decoders read it. The
     * first bytes are checked against the format first, as the Java reader would.
     */
    private static Optional<NativeDecoder.Spool> spool(ArchiveSpec spec, ArchiveFormat format, ArchiveReader.Input input, Context ctx)
            throws IOException, ResourceException {
        if (format != ArchiveFormat.TAR_XZ && format != ArchiveFormat.TAR_GZ && format != ArchiveFormat.TAR_BZ2
                && format != ArchiveFormat.DEB) {
            return Optional.empty();
        }
        ArchiveReader.checkMagic(format, input);
        double byRatio = Math.max(Unpacker.RATIO_GRACE, spec.maxRatio() * Math.max(input.size(), 1));
        long maxBytes = (long) Math.min(spec.maxSize(), Math.min(byRatio, (double) Long.MAX_VALUE));
        return NativeDecoder.spool(format, input, NativeDecoder.spoolDir(ctx.cacheDir()), maxBytes, spec.maxEntries());
    }

    /**
     * A local file read as an archive. A spooled tar gives the size of the archive it came from
     * ({@code archiveSize}), which max_ratio is about; -1: the file's own size.
     */
    private record FileInput(Path file, long archiveSize) implements ArchiveReader.Input {
        @Override
        public InputStream open() throws IOException {
            return Files.newInputStream(file);
        }

        @Override
        public long size() throws IOException {
            return archiveSize >= 0 ? archiveSize : Files.size(file);
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
