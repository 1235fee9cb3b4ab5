package dev.mosaic.resource.archive;

import dev.mosaic.base.TargetPath;
import dev.mosaic.diag.Sensitive;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.ResourceException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where an archive's bytes are and what their digest is: found without fetching anything for a
 * plan ({@link #locate}), fetched or verified for an apply ({@link #obtain}, {@link #verify}), and
 * read as an {@link ArchiveReader.Input}.
 */
final class Sources {

    private Sources() {
    }

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
     * The source as the lock file pins it and the manifest records it: sensitive values in its
     * query replaced by {@code (sensitive)} ({@link Sensitive#redact}), so that neither ever holds
     * a token. The same URL with another token is the same file: it keeps its pin.
     */
    static String pinKey(ArchiveSpec spec) {
        return Sensitive.redact(spec.source().written());
    }

    /**
     * Finds the archive without fetching anything: in the cache under its known digest, or as the
     * first source or mirror that is a file on the control machine (hashed), or else remote.
     */
    static Located locate(ArchiveSpec spec, Context ctx) throws IOException, ResourceException {
        Optional<String> expected = expected(spec, ctx);
        if (expected.isPresent()) {
            Optional<Path> cached = Fetcher.store(ctx.cacheDir()).path(expected.get()); // never through a link
            if (cached.isPresent()) {
                return new Located(Origin.CACHED, expected.get(), cached.get().toString());
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
        FileStat s = where.stat(TargetPath.of(path));
        if (!s.exists()) {
            return Optional.empty();
        }
        if (s.isDirectory()) {
            throw new ResourceException("archive " + l.written() + " is a directory; use a copy resource for trees");
        }
        String digest = l.onTarget() ? where.sha256(TargetPath.of(path)) : SourceDigest.of(where, path, s, ctx.memory());
        if (spec.sha256().isPresent() && !spec.sha256().get().equals(digest)) {
            throw mismatch(l.written(), spec.sha256().get(), digest);
        }
        return Optional.of(new Located(l.onTarget() ? Origin.TARGET : Origin.LOCAL, digest, path));
    }

    private static ResourceException mismatch(String what, String expected, String actual) {
        return new ResourceException("sha256 mismatch for " + what + ": expected sha256:" + expected
                + ", got sha256:" + actual + "; nothing was unpacked");
    }

    /**
     * Gets a remote archive: from the cache when another run fetched it meanwhile, else from the
     * first source or mirror that delivers. A digest mismatch stops at once; an unavailable URL
     * moves on to the next. Without a known digest, the first fetch pins one in mosaic.lock.
     */
    static Located obtain(ArchiveSpec spec, Context ctx) throws IOException, ResourceException {
        Optional<String> expected = expected(spec, ctx);
        Optional<Path> cached = expected.isPresent() ? Fetcher.store(ctx.cacheDir()).path(expected.get()) : Optional.empty();
        if (cached.isPresent()) {
            return verify(new Located(Origin.CACHED, expected.get(), cached.get().toString()), ctx);
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
    static Located verify(Located archive, Context ctx) throws IOException, ResourceException {
        String actual;
        if (archive.origin() == Origin.TARGET) {
            actual = ctx.host().sha256(TargetPath.of(archive.where()));
        } else if (archive.origin() == Origin.LOCAL) {
            actual = SourceDigest.of(ctx.control(), archive.where(), ctx.control().stat(TargetPath.of(archive.where())));
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
    static ResourceException mismatchAfterRead(Located archive, String actual, Context ctx) throws IOException {
        if (archive.origin() == Origin.CACHED) {
            Files.deleteIfExists(Path.of(archive.where()));
            return new ResourceException("the cached archive " + archive.where() + " is damaged (sha256:" + actual
                    + "); it was removed, the next run fetches it again; nothing was unpacked");
        }
        return new ResourceException(archive.where() + " changed since it was observed (sha256:" + archive.digest()
                + " then, sha256:" + actual + " now); nothing was unpacked");
    }

    static ArchiveReader.Input input(Located archive, Context ctx) {
        if (archive.origin() == Origin.CACHED) {
            return new FileInput(Path.of(archive.where()), -1);
        }
        Host control = archive.origin() == Origin.TARGET ? ctx.host() : ctx.control();
        String path = archive.where();
        return new ArchiveReader.Input() {
            @Override
            public InputStream open() throws IOException {
                return control.open(TargetPath.of(path));
            }

            @Override
            public long size() throws IOException {
                return control.stat(TargetPath.of(path)).size();
            }

            @Override
            public Path file() {
                return null;
            }
        };
    }

    /**
     * A local file read as an archive. A spooled tar gives the size of the archive it came from
     * ({@code archiveSize}), which max_ratio is about; -1: the file's own size.
     */
    record FileInput(Path file, long archiveSize) implements ArchiveReader.Input {
        @Override
        public InputStream open() throws IOException {
            return Files.newInputStream(file);
        }

        @Override
        public long size() throws IOException {
            return archiveSize >= 0 ? archiveSize : Files.size(file);
        }
    }
}
