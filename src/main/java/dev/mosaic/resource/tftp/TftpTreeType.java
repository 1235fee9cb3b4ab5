package dev.mosaic.resource.tftp;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.AtomicWriter;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.host.TreeEntry;
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
import dev.mosaic.yaml.YNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** The layout of a TFTP root: declared files from their sources, optionally nothing else. */
public final class TftpTreeType implements ResourceType<TftpTreeSpec, TftpTreeType.Observed> {

    /** One declared file: its source's blob and the current one (null: absent), and the current mode. */
    record FileState(Diff.Blob source, Diff.Blob current, int currentMode) {
    }

    record Observed(boolean rootExists, Map<String, FileState> files, List<String> extra, String sourcesDigest) {
    }

    @Override
    public String kind() {
        return "tftp_tree";
    }

    /** Containers only: what lies below is other resources' business. */
    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.FOLLOWS_INPUTS, Capability.CONTAINERS_ONLY, Capability.ONLY_THROUGH_HOST);
    }

    @Override
    public String summary() {
        return "the layout of a TFTP root: bootloaders, kernels and initrds from their sources, optionally nothing else";
    }

    @Override
    public TftpTreeSpec parse(SpecReader r) {
        String root = r.absolutePath("root");
        Map<String, TftpTreeSpec.Entry> files = new TreeMap<>();
        if (r.raw("files") instanceof YNode.Map m) {
            for (YNode.Entry e : m.entries().values()) {
                String name = TargetPaths.normalize("/" + e.key()).substring(1);
                if (name.isEmpty() || e.key().contains("..")) {
                    r.errorAt(e.keyPos(), "invalid file name '" + e.key() + "' in the TFTP tree");
                    continue;
                }
                if (e.key().contains("${")) {
                    // The loader substitutes variables in these names; one left here was not resolved.
                    r.errorAt(e.keyPos(), "file name '" + e.key() + "' holds an unresolved reference");
                    continue;
                }
                String source;
                int mode = Integer.parseInt(r.schema().defaultText("files.mode"), 8);
                if (e.value() instanceof YNode.Map fm) {
                    source = fm.get("source") instanceof YNode.Scalar s ? s.text() : "";
                    if (fm.get("mode") instanceof YNode.Scalar ms) {
                        mode = Integer.parseInt(ms.text().trim(), 8);
                    }
                } else {
                    source = e.value() instanceof YNode.Scalar s ? s.text() : "";
                }
                if (source.isEmpty()) {
                    r.errorAt(e.value().pos(), "file '" + e.key() + "' needs a source");
                    continue;
                }
                if (source.startsWith("/") && TargetPath.hasDotDot(source)) {
                    // a target path is never resolved through '..' (TargetPath); said here, at its position
                    r.errorAt(e.value().pos(), "file '" + e.key() + "': source '" + source + "' may not hold '..'");
                    continue;
                }
                files.put(name, new TftpTreeSpec.Entry(source, mode));
            }
        }
        return new TftpTreeSpec(root, files, r.bool("purge"));
    }

    @Override
    public Paths paths(TftpTreeSpec spec) {
        Set<String> produces = new TreeSet<>(List.of(spec.root()));
        Set<String> reads = new TreeSet<>();
        spec.files().forEach((name, e) -> {
            produces.add(TargetPaths.join(spec.root(), name));
            if (e.source().startsWith("/")) {
                reads.add(TargetPaths.normalize(e.source()));
            }
        });
        return new Paths(produces, reads);
    }

    private static Source source(String s, Context ctx) {
        return Source.of(s, ctx);
    }

    @Override
    public Observed observe(TftpTreeSpec spec, Context ctx) throws IOException, ResourceException {
        Host host = ctx.host();
        Map<String, FileState> files = new LinkedHashMap<>();
        MessageDigest all = Digests.newSha256();
        for (Map.Entry<String, TftpTreeSpec.Entry> e : spec.files().entrySet()) {
            Source src = source(e.getValue().source(), ctx);
            FileStat ss = src.host().stat(TargetPath.of(src.path()));
            if (!ss.exists()) {
                throw new ResourceException("source " + e.getValue().source() + " of " + e.getKey() + " does not exist");
            }
            Diff.Blob source = new Diff.Blob(src.host().stat(TargetPath.of(src.path())).isSymlink() ? -1 : ss.size(),
                    src.host().sha256(TargetPath.of(src.path())), null);
            String path = TargetPaths.join(spec.root(), e.getKey());
            FileStat ds = host.stat(TargetPath.of(path));
            Diff.Blob current = ds.isFile() ? new Diff.Blob(ds.size(), host.sha256(TargetPath.of(path)), null) : null;
            files.put(e.getKey(), new FileState(source, current, ds.mode()));
            all.update((e.getKey() + "\0" + source.sha256() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        List<String> extra = new ArrayList<>();
        FileStat rs = host.stat(TargetPath.of(spec.root()));
        if (spec.purge() && rs.exists()) {
            for (TreeEntry t : host.walk(TargetPath.of(spec.root()))) {
                String path = TargetPaths.join(spec.root(), t.relativePath());
                if (t.stat().isDirectory() || spec.files().containsKey(t.relativePath()) || ctx.managedByOther(path)
                        || AtomicWriter.isTemp(t.relativePath().substring(t.relativePath().lastIndexOf('/') + 1))) {
                    continue;
                }
                extra.add(t.relativePath());
            }
        }
        return new Observed(rs.exists(), files, extra, HexFormat.of().formatHex(all.digest()));
    }

    @Override
    public Change diff(TftpTreeSpec spec, Observed o) {
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<Diff> contents = new ArrayList<>();
        for (Map.Entry<String, FileState> e : o.files().entrySet()) {
            FileState f = e.getValue();
            int mode = spec.files().get(e.getKey()).mode();
            boolean same = f.current() != null && f.current().sha256().equals(f.source().sha256()) && f.currentMode() == mode;
            if (same) {
                continue;
            }
            (f.current() == null ? added : changed).add(e.getKey());
            contents.add(new Diff.Content(e.getKey(), f.current(),
                    new Diff.Blob(f.source().size() < 0 ? 0 : f.source().size(), f.source().sha256(), null)));
        }
        if (added.isEmpty() && changed.isEmpty() && o.extra().isEmpty() && o.rootExists()) {
            return Change.NOOP;
        }
        List<Diff> diffs = new ArrayList<>();
        diffs.add(new Diff.Tree("files", added, changed, o.extra()));
        diffs.addAll(contents);
        return new Change(o.rootExists() ? Action.UPDATE : Action.CREATE, diffs);
    }

    @Override
    public void apply(TftpTreeSpec spec, Change change, Context ctx) throws IOException {
        Host host = ctx.host();
        host.mkdirs(TargetPath.of(spec.root()), 0755);
        for (Diff d : change.diffs()) {
            if (d instanceof Diff.Content c) {
                TftpTreeSpec.Entry e = spec.files().get(c.field());
                Source src = source(e.source(), ctx);
                try (InputStream in = src.host().open(TargetPath.of(src.path()))) {
                    host.writeAtomic(TargetPath.of(spec.root()).join(c.field()), in, e.mode());
                }
            } else if (d instanceof Diff.Tree t) {
                for (String f : t.removed()) {
                    host.delete(TargetPath.of(spec.root()).join(f));
                }
            }
        }
    }

    @Override
    public String inputDigest(TftpTreeSpec spec, Observed observed) {
        return observed.sourcesDigest();
    }
}
