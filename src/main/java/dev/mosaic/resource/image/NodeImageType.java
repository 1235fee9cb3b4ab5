package dev.mosaic.resource.image;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.Exec;
import dev.mosaic.host.FileStat;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Capability;
import dev.mosaic.resource.BuiltOnce;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.Digests;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.resource.Source;
import dev.mosaic.resource.SpecReader;
import dev.mosaic.resource.pkg.Debs;
import dev.mosaic.yaml.YNode;
import org.apache.commons.io.file.PathUtils;

import static dev.mosaic.resource.initrd.ImageEntries.hasDotDot;
import static dev.mosaic.resource.initrd.ImageEntries.imagePath;
import static dev.mosaic.resource.initrd.ImageEntries.maps;
import static dev.mosaic.resource.initrd.ImageEntries.octal;
import static dev.mosaic.resource.initrd.ImageEntries.opt;
import static dev.mosaic.resource.initrd.ImageEntries.text;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.GZIPOutputStream;

/**
 * A node's root file system built on the control machine from Debian packages and declared
 * files, cached by the digest of its inputs and copied to the target.
 */
public final class NodeImageType implements ResourceType<NodeImageSpec, NodeImageType.Observed> {

    static final String MEMORY_KEY = "node_image";
    /** More changed packages than this are summed up in one line of the plan. */
    private static final int MAX_PACKAGE_LINES = 40;

    /**
     * The image at the path now ({@code current}, null when absent), the resolved packages, the
     * digest of every input, the cache's entry for those inputs if built already, and the record
     * of the last write on this target.
     */
    record Observed(FileStat stat, Diff.Blob current, List<Debs.Deb> debs, Map<String, String> declared, String inputs,
                    Optional<ImageCache.Manifest> cached, Optional<ImageRecord> last) {
    }

    @Override
    public String kind() {
        return "node_image";
    }

    @Override
    public String summary() {
        return "a node's root file system from Debian packages and their dependencies, packed reproducibly as a cpio initramfs or a squashfs";
    }

    @Override
    public NodeImageSpec parse(SpecReader r) {
        String path = r.absolutePath("path");
        NodeImageSpec.Format format = r.word("format").equals("squashfs")
                ? NodeImageSpec.Format.SQUASHFS : NodeImageSpec.Format.CPIO;
        List<String> packages = new ArrayList<>();
        for (String p : r.stringList("packages")) {
            if (!p.matches("[a-z0-9][a-z0-9+.-]+")) {
                r.error("packages", "'" + p + "' is not a Debian package name");
            }
            packages.add(p);
        }
        if (packages.isEmpty()) {
            r.error("packages", "a node image needs at least one package");
        }
        List<String> exclude = new ArrayList<>();
        for (String g : r.stringList("exclude")) {
            if (!g.startsWith("/") || hasDotDot(g)) {
                r.error("exclude", "'" + g + "' must be an absolute pattern inside the image, without '..'");
            }
            exclude.add(g);
        }
        Set<String> seen = new HashSet<>();
        List<NodeImageSpec.FileEntry> files = new ArrayList<>();
        for (YNode.Map m : maps(r, "files")) {
            String p = imagePath(r, "files", text(m, "path"), seen);
            Optional<String> content = opt(m, "content");
            Optional<String> source = opt(m, "source");
            if (content.isPresent() == source.isPresent()) {
                r.error("files", p + ": give either 'content' or 'source'");
            }
            int mode = octal(r, "files", opt(m, "mode").orElseGet(() -> r.schema().defaultText("files.mode")));
            int uid = id(r, "owner", opt(m, "owner").orElseGet(() -> r.schema().defaultText("files.owner")));
            int gid = id(r, "group", opt(m, "group").orElseGet(() -> r.schema().defaultText("files.group")));
            boolean sensitive = opt(m, "sensitive").map(Boolean::parseBoolean)
                    .orElseGet(() -> r.schema().defaultBool("files.sensitive"));
            files.add(new NodeImageSpec.FileEntry(p, content, source, mode, uid, gid, sensitive));
        }
        List<NodeImageSpec.LinkEntry> links = new ArrayList<>();
        for (YNode.Map m : maps(r, "links")) {
            links.add(new NodeImageSpec.LinkEntry(imagePath(r, "links", text(m, "path"), seen), text(m, "target")));
        }
        List<String> dirs = new ArrayList<>();
        for (String d : r.stringList("dirs")) {
            dirs.add(imagePath(r, "dirs", d, seen));
        }
        long epoch = r.integer("epoch");
        if (epoch < 0 || epoch > 0xFFFFFFFFL) {
            r.error("epoch", "expected seconds since 1970 between 0 and 4294967295, got " + epoch);
        }
        if (files.stream().anyMatch(NodeImageSpec.FileEntry::sensitive)) {
            // The image holds a secret: plans show no digest of it, backups keep none of it.
            r.markSensitive();
        }
        return new NodeImageSpec(path, format, List.copyOf(packages), List.copyOf(exclude), files, links, dirs, epoch);
    }

    /** A numeric owner or group: the image has no account database of the control machine's to look names up in. */
    private static int id(SpecReader r, String what, String s) {
        if (!s.trim().matches("[0-9]{1,9}")) {
            r.error("files", "expected a numeric " + what + " (uid or gid inside the image), got '" + s + "'");
            return 0;
        }
        return Integer.parseInt(s.trim());
    }

    @Override
    public Paths paths(NodeImageSpec spec) {
        Set<String> reads = new HashSet<>();
        spec.files().forEach(f -> f.source().filter(s -> s.startsWith("/")).ifPresent(reads::add));
        return new Paths(Set.of(spec.path()), reads);
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.FOLLOWS_INPUTS);
    }

    @Override
    public Observed observe(NodeImageSpec spec, Context ctx) throws IOException, ResourceException {
        FileStat stat = ctx.host().stat(TargetPath.of(spec.path()));
        Diff.Blob current = stat.isFile() ? new Diff.Blob(stat.size(), ctx.host().sha256(TargetPath.of(spec.path())), null) : null;
        List<Debs.Deb> debs = Debs.closure(ctx.control(), spec.packages());
        Map<String, String> declared = declared(spec, ctx);
        String inputs = inputsDigest(spec, debs, declared);
        Optional<ImageRecord> last = ctx.memory().get(MEMORY_KEY).map(ImageRecord::read);
        return new Observed(stat, current, debs, declared, inputs, new ImageCache(ctx.cacheDir()).manifest(inputs), last);
    }

    @Override
    public Change diff(NodeImageSpec spec, Observed o) throws ResourceException {
        // The image these inputs give: the cache knows it, or this target's record does.
        Optional<String> desired = o.cached().map(ImageCache.Manifest::sha256)
                .or(() -> o.last().filter(l -> l.inputs().equals(o.inputs())).map(ImageRecord::image));
        if (o.current() != null && desired.isPresent() && desired.get().equals(o.current().sha256())) {
            return Change.NOOP;
        }
        if (o.stat().exists() && !o.stat().isFile()) {
            throw new ResourceException(spec.path() + " is a " + o.stat().kindWord() + "; refusing to replace it with a node image");
        }
        List<Diff> diffs = new ArrayList<>();
        if (o.cached().isPresent()) {
            ImageCache.Manifest m = o.cached().get();
            diffs.add(new Diff.Content("image", o.current(), new Diff.Blob(m.size(), m.sha256(), null)));
            diffs.add(new Diff.Field("build", null, "copied from the control machine's cache (built for " + m.builtFor() + ")"));
        } else {
            diffs.add(new Diff.Field("image", o.current() == null ? null : "sha256:" + o.current().sha256().substring(0, 12),
                    "built at apply from " + count(o.debs().size())));
        }
        diffs.addAll(packageDiffs(o.last().map(ImageRecord::packages).orElse(List.of()), names(o.debs())));
        o.last().map(l -> declaredDiff(l.declared(), o.declared())).filter(t -> !t.isEmpty()).ifPresent(diffs::add);
        if (!spec.secrets().isEmpty()) {
            diffs.add(new Diff.Field(Diff.WARNING, null, exposure(spec)));
        }
        return new Change(o.current() == null ? Action.CREATE : Action.UPDATE, diffs);
    }

    /** The plan's warning for an image holding secrets: who can read them. */
    static String exposure(NodeImageSpec spec) {
        return "holds secrets (" + String.join(", ", spec.secrets()) + "): whoever can fetch " + spec.path()
                + " reads them — every machine on the boot network";
    }

    private static List<String> names(List<Debs.Deb> debs) {
        return debs.stream().map(d -> d.name() + " " + d.version()).toList();
    }

    /** One field per package added, removed or at another version since the last write here. */
    static List<Diff> packageDiffs(List<String> before, List<String> after) {
        Map<String, String> was = versions(before);
        Map<String, String> now = versions(after);
        List<Diff> out = new ArrayList<>();
        Set<String> all = new java.util.TreeSet<>(was.keySet());
        all.addAll(now.keySet());
        for (String name : all) {
            String a = was.get(name);
            String b = now.get(name);
            if (a == null || !a.equals(b)) {
                out.add(new Diff.Field("package " + name, a, b));
            }
        }
        if (!was.isEmpty() && out.size() > MAX_PACKAGE_LINES || was.isEmpty()) {
            long added = now.keySet().stream().filter(n -> !was.containsKey(n)).count();
            return List.of(new Diff.Field("packages", was.isEmpty() ? null : count(was.size()),
                    count(now.size()) + (was.isEmpty() ? "" : " (" + out.size() + " differ, " + added + " new)")));
        }
        return out;
    }

    private static String count(int n) {
        return n + (n == 1 ? " package" : " packages");
    }

    private static Map<String, String> versions(List<String> lines) {
        Map<String, String> out = new TreeMap<>();
        for (String l : lines) {
            int sp = l.indexOf(' ');
            out.put(sp < 0 ? l : l.substring(0, sp), sp < 0 ? "" : l.substring(sp + 1));
        }
        return out;
    }

    @Override
    public void apply(NodeImageSpec spec, Change change, Context ctx) throws IOException, ResourceException {
        List<Debs.Deb> debs = Debs.closure(ctx.control(), spec.packages());
        Map<String, String> declared = declared(spec, ctx);
        String inputs = inputsDigest(spec, debs, declared);
        ImageCache cache = new ImageCache(ctx.cacheDir());
        ReentrantLock lock = BuiltOnce.lock(ctx.cacheDir(), "node-images/" + inputs);
        lock.lock();
        ImageCache.Manifest m;
        try {
            Optional<ImageCache.Manifest> hit = cache.manifest(inputs);
            if (hit.isPresent()) {
                m = hit.get();
                ctx.output("copying the image from the control machine's cache (built for " + m.builtFor() + ")");
            } else {
                m = build(spec, debs, inputs, cache, ctx);
            }
        } finally {
            lock.unlock();
        }
        BuiltOnce.copy(cache.image(inputs), ctx.host(), spec.path(), 0644, m.sha256());
        ctx.memory().put(MEMORY_KEY, new ImageRecord(inputs, m.sha256(), names(debs), declared).json());
    }

    @Override
    public String inputDigest(NodeImageSpec spec, Observed observed) {
        return observed.inputs();
    }

    /** The files, links and directories the playbook puts in the image, by path: what each is, as a digest. */
    static Map<String, String> declared(NodeImageSpec spec, Context ctx) throws IOException, ResourceException {
        Map<String, String> out = new TreeMap<>();
        for (NodeImageSpec.FileEntry f : spec.files()) {
            String sha;
            if (f.content().isPresent()) {
                sha = Digests.sha256(f.content().get());
            } else {
                Source s = Source.of(f.source().orElseThrow(), ctx);
                if (!s.host().stat(TargetPath.of(s.path())).isFile()) {
                    throw new ResourceException("source " + f.source().get() + " of " + f.path() + " is not a file");
                }
                sha = s.host().sha256(TargetPath.of(s.path()));
            }
            out.put(f.path(), Digests.sha256("file " + Integer.toOctalString(f.mode()) + " " + f.uid() + ":" + f.gid() + " " + sha));
        }
        for (NodeImageSpec.LinkEntry l : spec.links()) {
            out.put(l.path(), Digests.sha256("link " + l.target()));
        }
        for (String d : spec.dirs()) {
            out.put(d, Digests.sha256("dir"));
        }
        return out;
    }

    /** Which declared entries were added, changed or removed since the last write here (paths only). */
    static Diff.Tree declaredDiff(Map<String, String> before, Map<String, String> after) {
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (var e : after.entrySet()) {
            String was = before.get(e.getKey());
            if (was == null) {
                added.add(e.getKey());
            } else if (!was.equals(e.getValue())) {
                changed.add(e.getKey());
            }
        }
        List<String> removed = before.keySet().stream().filter(k -> !after.containsKey(k)).toList();
        return new Diff.Tree("declared", added, changed, removed);
    }

    /**
     * Everything the image's bytes depend on: the spec but its path, each resolved package's
     * version and .deb digest, and what the playbook declares in it (sources by content). Two
     * targets with equal digests get equal images.
     */
    static String inputsDigest(NodeImageSpec spec, List<Debs.Deb> debs, Map<String, String> declared) {
        MessageDigest md = Digests.newSha256();
        // Where the image goes on the target is no input of its bytes: two paths share one build.
        NodeImageSpec content = new NodeImageSpec("", spec.format(), spec.packages(), spec.exclude(), spec.files(), spec.links(),
                spec.dirs(), spec.epoch());
        md.update(("node_image 1\n" + content).getBytes(StandardCharsets.UTF_8));
        for (Debs.Deb d : debs) {
            md.update(("\n" + d.name() + " " + d.version() + " " + d.arch() + " " + d.sha256()).getBytes(StandardCharsets.UTF_8));
        }
        declared.forEach((path, digest) -> md.update(("\n" + path + " " + digest).getBytes(StandardCharsets.UTF_8)));
        return HexFormat.of().formatHex(md.digest());
    }

    /** Builds the image in a staging directory of the cache and stores it there. */
    private static ImageCache.Manifest build(NodeImageSpec spec, List<Debs.Deb> debs, String inputs, ImageCache cache, Context ctx)
            throws IOException, ResourceException {
        long start = System.nanoTime();
        Path staging = cache.staging();
        try {
            RootFs fs = new RootFs(staging, new Globs(spec.exclude()));
            Path tar = staging.resolve("data.tar");
            Debs.fetchAll(ctx, debs);
            for (Debs.Deb d : debs) {
                Path deb = Debs.cached(ctx, d.sha256());
                // dpkg-deb decompresses at native speed; the tar it writes is read here, entry by
                // entry, never unpacked by a tool that would trust its paths.
                Exec.Result r = ctx.control().exec(new Exec(List.of("sh", "-c", "exec dpkg-deb --fsys-tarfile \"$1\" > \"$2\"", "sh",
                        deb.toString(), tar.toString()), TargetPath.of(staging.toString()), Map.of("LC_ALL", "C"), Optional.empty(), Optional.empty(),
                        ctx::output));
                if (!r.ok()) {
                    throw new ResourceException("dpkg-deb --fsys-tarfile " + deb + " (" + d.name() + " " + d.version() + ") failed (exit "
                            + r.exitCode() + "):\n" + r.tailText());
                }
                fs.addTar(tar, d.name());
                Files.delete(tar);
            }
            for (String dir : spec.dirs()) {
                fs.addDir(dir);
            }
            for (NodeImageSpec.FileEntry f : spec.files()) {
                byte[] content;
                if (f.content().isPresent()) {
                    content = f.content().get().getBytes(StandardCharsets.UTF_8);
                } else {
                    Source s = Source.of(f.source().orElseThrow(), ctx);
                    content = s.host().read(TargetPath.of(s.path()));
                }
                fs.addFile(f.path(), content, f.mode(), f.uid(), f.gid());
            }
            for (NodeImageSpec.LinkEntry l : spec.links()) {
                fs.addLink(l.path(), l.target());
            }
            Path image = staging.resolve("image");
            if (spec.format() == NodeImageSpec.Format.CPIO) {
                try (OutputStream out = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(image)), 1 << 16)) {
                    fs.writeCpio(out, spec.epoch()); // Java's gzip header has no timestamp and no name
                }
            } else {
                Squashfs.pack(fs, staging, image, spec.epoch(), ctx);
            }
            ImageCache.Manifest m = new ImageCache.Manifest(Debs.sha256(image), Files.size(image), ctx.host().name(), names(debs));
            cache.store(inputs, image, m);
            ctx.output("built " + spec.path() + ": " + debs.size() + " packages, " + fs.nodes().size() + " entries, "
                    + m.size() + " bytes, sha256 " + m.sha256() + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
            return m;
        } finally {
            PathUtils.delete(staging); // the image's own symlinks are removed, never followed
        }
    }
}
