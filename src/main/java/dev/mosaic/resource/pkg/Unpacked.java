package dev.mosaic.resource.pkg;

import dev.mosaic.host.Exec;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.ForwardingContext;
import dev.mosaic.resource.Memory;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.archive.ArchiveSpec;
import dev.mosaic.resource.archive.ArchiveType;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

    /** The version apt offers, and what the archive kind sees for that .deb in the tree. */
    record State(Apt.Candidate candidate, ArchiveSpec archive, Object observed) {
    }

    static Path debPath(Context ctx, String sha256) {
        return ArchiveType.cachedPath(ctx.cacheDir(), sha256);
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
        Apt.Candidate c = Apt.candidate(ctx.control(), spec);
        ArchiveSpec a = archive(spec, ctx, c);
        return new State(c, a, dev.mosaic.resource.Kinds.observe(ARCHIVE, a, scoped(ctx)));
    }

    static Change diff(PackageSpec spec, State s) throws ResourceException {
        Change inner;
        {
            inner = dev.mosaic.resource.Kinds.diff(ARCHIVE, s.archive(), s.observed());
        }
        if (inner.isNoop()) {
            return Change.NOOP;
        }
        List<Diff> diffs = new ArrayList<>();
        diffs.add(new Diff.Field("version", null, s.candidate().version()));
        inner.diffs().stream().filter(d -> d instanceof Diff.Tree).forEach(diffs::add);
        return new Change(inner.action(), diffs, inner);
    }

    static void apply(PackageSpec spec, Change change, Context ctx) throws IOException, ResourceException {
        Apt.Candidate c = Apt.candidate(ctx.control(), spec);
        Path deb = debPath(ctx, c.sha256());
        if (!Files.exists(deb)) {
            download(spec, c, deb, ctx);
        }
        ArchiveSpec a = archive(spec, ctx, c);
        Context inner = scoped(ctx);
        Change unpack = dev.mosaic.resource.Kinds.diff(ARCHIVE, a, dev.mosaic.resource.Kinds.observe(ARCHIVE, a, inner));
        if (!unpack.isNoop()) {
            ARCHIVE.apply(a, unpack, inner);
        }
    }

    /** {@code apt-get download} in a private directory of the cache, verified, then renamed into place. */
    private static void download(PackageSpec spec, Apt.Candidate c, Path deb, Context ctx) throws IOException, ResourceException {
        Files.createDirectories(deb.getParent());
        Path work = Files.createTempDirectory(deb.getParent(), ".download-");
        try {
            String arg = spec.name() + "=" + c.version();
            Exec.Result r = ctx.control().exec(new Exec(Apt.download(arg), work.toString(), Apt.ENV, Optional.empty(),
                    Optional.empty(), ctx::output));
            if (!r.ok()) {
                throw new ResourceException("apt-get download " + arg + " failed (exit " + r.exitCode() + "):\n" + r.tailText());
            }
            Path got;
            try (var files = Files.list(work)) {
                got = files.filter(f -> f.getFileName().toString().endsWith(".deb")).findFirst()
                        .orElseThrow(() -> new ResourceException("apt-get download " + arg + " produced no .deb"));
            }
            String sha;
            try (InputStream in = Files.newInputStream(got)) {
                java.security.MessageDigest md = dev.mosaic.resource.Digests.newSha256();
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
                sha = java.util.HexFormat.of().formatHex(md.digest());
            }
            if (!sha.equals(c.sha256())) {
                throw new ResourceException("the downloaded " + got.getFileName() + " has sha256 " + sha
                        + " but apt's index says " + c.sha256() + "; nothing was unpacked");
            }
            Files.move(got, deb, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            try (var files = Files.list(work)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(work);
        }
    }
}
