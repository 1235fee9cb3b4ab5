package dev.mosaic.resource.archive;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.Host;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.archive.Sources.FileInput;
import dev.mosaic.resource.archive.Sources.Located;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How an apply unpacks an archive it has located: a new destination of its own in one pass
 * straight from the system's decoder, the archive verified on the way
 * ({@link Extraction#singlePass}); anything else (a destination that exists or that another
 * resource also writes into, a drift repair, a format without a native decoder, an archive the
 * decoder could not read) verified first, then checked whole, then written ({@link #twoPasses}).
 */
final class Unpacking {

    /** What was unpacked: the format it was read as, the checked entries, the manifest entries written. */
    record Result(ArchiveFormat format, Unpacker.Layout layout, List<Manifest.Entry> entries) {
    }

    private Unpacking() {
    }

    /**
     * Unpacks {@code archive} (already verified when {@code verified}, as a fetch is) into the
     * spec's destination: every entry, or only those in {@code only} (a drift repair).
     */
    static Result run(ArchiveSpec spec, Located archive, boolean verified, Set<String> only, Context ctx)
            throws IOException, ResourceException {
        Host host = ctx.host();
        String digest = archive.digest();
        ArchiveReader.Input input = Sources.input(archive, ctx);
        String name = spec.source().fileName();
        ArchiveFormat format = spec.format() == ArchiveFormat.AUTO ? ArchiveReader.detect(name, input) : spec.format();
        String single = ArchiveFormat.decompressedName(name);
        if (format.singleFile() && single.isEmpty()) {
            throw new ResourceException("cannot name the file " + spec.source().written() + " decompresses to: the source"
                    + " has no file name; give a source path or URL that ends in a name");
        }
        Unpacker.Limits limits = new Unpacker.Limits(spec.maxSize(), spec.maxRatio(), spec.maxEntries(),
                spec.allowSetuid(), spec.rootfs(), spec::selects);
        if (only == null && !ctx.sharedWithOther(spec.dest()) && NativeDecoder.streams(format)
                && !host.stat(TargetPath.of(spec.dest())).exists()) {
            // A new destination of its own: checked and written in one pass, verified on the way.
            ArchiveReader.checkMagic(format, input);
            Optional<NativeDecoder.Stream> stream = NativeDecoder.stream(format, input);
            if (stream.isPresent()) {
                try (NativeDecoder.Stream s = stream.get()) {
                    Unpacker unpacker = new Unpacker(ArchiveFormat.TAR, input, single, spec.stripComponents(),
                            spec.dest(), spec.source().written());
                    Optional<Extraction.Unpacked> done = new Extraction(unpacker).singlePass(s, limits, digest, host,
                            actual -> Sources.mismatchAfterRead(archive, actual, ctx));
                    if (done.isPresent()) {
                        return new Result(format, done.get().layout(), done.get().entries());
                    }
                }
            }
        }
        Extraction.Unpacked done = twoPasses(spec, format, archive, verified, single, limits, only, ctx);
        return new Result(format, done.layout(), done.entries());
    }

    /**
     * The check pass over the whole archive, then the write pass: for a destination that exists
     * (or another resource writes into), a drift repair, and whatever the single pass could not
     * read. Decompressed once into a spool where the system has the tool; an archive not yet
     * verified ({@code verified} false: not just fetched) is hashed on its way into the spool and
     * refused on a mismatch before its first entry is read, else (no spool) verified first.
     */
    private static Extraction.Unpacked twoPasses(ArchiveSpec spec, ArchiveFormat format, Located archive, boolean verified,
                                                 String single, Unpacker.Limits limits, Set<String> only, Context ctx)
            throws IOException, ResourceException {
        String digest = archive.digest();
        ArchiveReader.Input input = Sources.input(archive, ctx);
        Optional<NativeDecoder.Spool> spool;
        try {
            spool = spool(spec, format, input, !verified, ctx);
        } catch (ResourceException notThatFormat) {
            if (!verified) {
                Sources.verify(archive, ctx); // a damaged or changed archive is said to be so first
            }
            throw notThatFormat;
        }
        if (!verified && spool.isPresent()) {
            Optional<String> actual = spool.get().digest();
            if (actual.isEmpty()) { // the feed did not finish: verified by a read of its own
                spool.get().delete();
                spool = Optional.empty();
            } else if (!actual.get().equals(digest)) {
                spool.get().delete();
                throw Sources.mismatchAfterRead(archive, actual.get(), ctx);
            }
        }
        if (!verified && spool.isEmpty()) {
            input = Sources.input(Sources.verify(archive, ctx), ctx);
        }
        if (format == ArchiveFormat.ZIP && input.file() == null) {
            try (InputStream in = input.open()) {
                input = new FileInput(Fetcher.stage(in, digest, ctx.cacheDir(), spec.source().written()), -1);
            }
        }
        try {
            Unpacker unpacker = spool.isPresent()
                    ? new Unpacker(ArchiveFormat.TAR, new FileInput(spool.get().tar(), input.size()), single, spec.stripComponents(),
                            spec.dest(), spec.source().written())
                    : new Unpacker(format, input, single, format.singleFile() ? 0 : spec.stripComponents(),
                            spec.dest(), spec.source().written());
            Unpacker.Layout layout = unpacker.check(limits);
            new Obstacles(spec.dest(), spec.source().written()).check(layout, only, ctx.host());
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
     * The archive decompressed by the system's tool into a plain tar on the control machine, when
     * its format has one there (see {@link NativeDecoder}); empty: Java's decoders read it. The
     * first bytes are checked against the format first, as the Java reader would.
     */
    private static Optional<NativeDecoder.Spool> spool(ArchiveSpec spec, ArchiveFormat format, ArchiveReader.Input input,
                                                       boolean hash, Context ctx) throws IOException, ResourceException {
        if (format != ArchiveFormat.TAR_XZ && format != ArchiveFormat.TAR_GZ && format != ArchiveFormat.TAR_BZ2
                && format != ArchiveFormat.DEB) {
            return Optional.empty();
        }
        ArchiveReader.checkMagic(format, input);
        double byRatio = Math.max(Budget.RATIO_GRACE, spec.maxRatio() * Math.max(input.size(), 1));
        long maxBytes = (long) Math.min(spec.maxSize(), Math.min(byRatio, (double) Long.MAX_VALUE));
        return NativeDecoder.spool(format, input, NativeDecoder.spoolDir(ctx.cacheDir()), maxBytes, spec.maxEntries(), hash);
    }

}
