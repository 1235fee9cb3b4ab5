package dev.mosaic.resource.initrd;

import dev.mosaic.base.TargetPath;
import com.fasterxml.jackson.databind.ObjectMapper;
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

import static dev.mosaic.resource.initrd.ImageEntries.imagePath;
import static dev.mosaic.resource.initrd.ImageEntries.maps;
import static dev.mosaic.resource.initrd.ImageEntries.octal;
import static dev.mosaic.resource.initrd.ImageEntries.opt;
import static dev.mosaic.resource.initrd.ImageEntries.text;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/** An initramfs image built in-process, byte for byte reproducible. */
public final class InitrdType implements ResourceType<InitrdSpec, InitrdType.Observed> {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String MEMORY_KEY = "initrd";

    /** The inputs' digest and the image digest of the last write. */
    public record Record(String inputs, String image) {
    }

    /**
     * What is at the path now ({@code current}, null when absent) and what should be there
     * ({@code desired}; null when the remembered inputs and image both still match, so the image
     * was not rebuilt).
     */
    record Observed(FileStat stat, Diff.Blob current, Diff.Blob desired, String inputs) {
    }

    @Override
    public String kind() {
        return "initrd";
    }

    @Override
    public String summary() {
        return "an initramfs (gzip'd newc cpio) built in-process from declared files, trees, links and an init script";
    }

    @Override
    public InitrdSpec parse(SpecReader r) {
        String path = r.absolutePath("path");
        List<InitrdSpec.FileEntry> files = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (YNode.Map m : maps(r, "files")) {
            String p = text(m, "path");
            Optional<String> content = opt(m, "content");
            Optional<String> source = opt(m, "source");
            if (content.isPresent() == source.isPresent()) {
                r.error("files", p + ": give either 'content' or 'source'");
            }
            boolean sensitive = opt(m, "sensitive").map(Boolean::parseBoolean)
                    .orElseGet(() -> r.schema().defaultBool("files.sensitive"));
            files.add(new InitrdSpec.FileEntry(imagePath(r, "files", p, seen), content, source, opt(m, "mode").map(t -> octal(r, "files", t)),
                    sensitive));
        }
        List<InitrdSpec.TreeEntry> trees = new ArrayList<>();
        for (YNode.Map m : maps(r, "trees")) {
            trees.add(new InitrdSpec.TreeEntry(imagePath(r, "trees", text(m, "path"), seen), text(m, "source")));
        }
        List<InitrdSpec.LinkEntry> links = new ArrayList<>();
        for (YNode.Map m : maps(r, "links")) {
            links.add(new InitrdSpec.LinkEntry(imagePath(r, "links", text(m, "path"), seen), text(m, "target")));
        }
        List<String> dirs = new ArrayList<>();
        for (String d : r.stringList("dirs")) {
            dirs.add(imagePath(r, "dirs", d, seen));
        }
        List<InitrdSpec.NodeEntry> nodes = new ArrayList<>();
        for (YNode.Map m : maps(r, "nodes")) {
            nodes.add(new InitrdSpec.NodeEntry(imagePath(r, "nodes", text(m, "path"), seen), "block".equals(text(m, "kind")),
                    number(r, "nodes", text(m, "major")), number(r, "nodes", text(m, "minor")),
                    octal(r, "nodes", opt(m, "mode").orElseGet(() -> r.schema().defaultText("nodes.mode")))));
        }
        if (files.stream().anyMatch(InitrdSpec.FileEntry::sensitive)) {
            // The image holds a secret: plans show no digest of it, backups keep none of it.
            r.markSensitive();
        }
        Optional<String> init = r.optString("init");
        if (init.isPresent() && seen.contains("/init")) {
            r.error("init", "'/init' is also declared among the entries");
        }
        String compression = r.word("compression");
        return new InitrdSpec(path, init, files, trees, links, dirs, nodes, compression.equals("gzip"));
    }

    /** A device number (major or minor), reported at {@code field} when it is not one. */
    private static int number(SpecReader r, String field, String s) {
        if (!s.trim().matches("[0-9]{1,7}")) {
            r.error(field, "expected a device number (0 to 9999999), got '" + s + "'");
            return 0;
        }
        return Integer.parseInt(s.trim());
    }

    @Override
    public Paths paths(InitrdSpec spec) {
        Set<String> reads = new HashSet<>();
        spec.files().forEach(f -> f.source().filter(s -> s.startsWith("/")).ifPresent(reads::add));
        spec.trees().stream().map(InitrdSpec.TreeEntry::source).filter(s -> s.startsWith("/")).forEach(reads::add);
        return new Paths(Set.of(spec.path()), reads);
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.FOLLOWS_INPUTS);
    }

    @Override
    public Observed observe(InitrdSpec spec, Context ctx) throws IOException, ResourceException {
        Host host = ctx.host();
        FileStat stat = host.stat(TargetPath.of(spec.path()));
        Diff.Blob current = stat.isFile() ? new Diff.Blob(stat.size(), host.sha256(TargetPath.of(spec.path())), null) : null;
        String inputs = inputsDigest(spec, ctx);
        Optional<Record> last = ctx.memory().get(MEMORY_KEY).map(InitrdType::readRecord);
        if (current != null && last.isPresent() && last.get().inputs().equals(inputs) && last.get().image().equals(current.sha256())) {
            return new Observed(stat, current, null, inputs);
        }
        byte[] image = build(spec, ctx);
        return new Observed(stat, current, new Diff.Blob(image.length, Digests.sha256(image), null), inputs);
    }

    @Override
    public Change diff(InitrdSpec spec, Observed o) throws ResourceException {
        if (o.desired() == null || (o.current() != null && o.current().sha256().equals(o.desired().sha256()))) {
            return Change.NOOP;
        }
        if (o.stat().exists() && !o.stat().isFile()) {
            throw new ResourceException(spec.path() + " is a " + o.stat().kindWord() + "; refusing to replace it with an initrd");
        }
        List<Diff> diffs = new ArrayList<>(List.of(new Diff.Content("image", o.current(), o.desired())));
        if (!spec.secrets().isEmpty()) {
            diffs.add(new Diff.Field(Diff.WARNING, null, "holds secrets (" + String.join(", ", spec.secrets()) + "): whoever can fetch "
                    + spec.path() + " reads them"));
        }
        return new Change(o.current() == null ? Action.CREATE : Action.UPDATE, diffs);
    }

    @Override
    public void apply(InitrdSpec spec, Change change, Context ctx) throws IOException, ResourceException {
        byte[] image = build(spec, ctx);
        ctx.host().writeAtomic(TargetPath.of(spec.path()), new ByteArrayInputStream(image), 0644);
        ctx.memory().put(MEMORY_KEY, JSON.writeValueAsString(new Record(inputsDigest(spec, ctx), Digests.sha256(image))));
    }

    @Override
    public String inputDigest(InitrdSpec spec, Observed observed) {
        return observed.inputs();
    }

    /** A digest of the spec and of every source's content, cheap thanks to the stat cache. */
    private static String inputsDigest(InitrdSpec spec, Context ctx) throws IOException, ResourceException {
        MessageDigest md = Digests.newSha256();
        md.update(spec.toString().getBytes(StandardCharsets.UTF_8));
        for (InitrdSpec.FileEntry f : spec.files()) {
            if (f.source().isPresent()) {
                Source s = source(f.source().get(), ctx);
                if (!s.host().stat(TargetPath.of(s.path())).exists()) {
                    throw new ResourceException("source " + f.source().get() + " of " + f.path() + " does not exist");
                }
                md.update(s.host().sha256(TargetPath.of(s.path())).getBytes(StandardCharsets.UTF_8));
            }
        }
        for (InitrdSpec.TreeEntry t : spec.trees()) {
            Source s = source(t.source(), ctx);
            if (!s.host().stat(TargetPath.of(s.path())).exists()) {
                throw new ResourceException("source tree " + t.source() + " of " + t.path() + " does not exist");
            }
            md.update(s.host().digestTree(TargetPath.of(s.path())).sha256().getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static Source source(String source, Context ctx) {
        return Source.of(source, ctx);
    }

    static byte[] build(InitrdSpec spec, Context ctx) throws IOException, ResourceException {
        Cpio cpio = new Cpio();
        for (String d : spec.dirs()) {
            cpio.dir(d, 0755);
        }
        for (InitrdSpec.TreeEntry t : spec.trees()) {
            Source s = source(t.source(), ctx);
            cpio.dir(t.path(), 0755);
            for (TreeEntry e : s.host().walk(TargetPath.of(s.path()))) {
                String to = TargetPaths.join(t.path(), e.relativePath());
                switch (e.stat().kind()) {
                    case DIRECTORY -> cpio.dir(to, e.stat().mode() & 07777);
                    case SYMLINK -> cpio.symlink(to, e.stat().linkTarget());
                    case FILE -> cpio.file(to, s.host().read(TargetPath.of(s.path()).join(e.relativePath())), e.stat().mode() & 07777);
                    default -> throw new ResourceException("source tree " + t.source() + " holds a special file: " + e.relativePath());
                }
            }
        }
        for (InitrdSpec.FileEntry f : spec.files()) {
            if (f.content().isPresent()) {
                cpio.file(f.path(), f.content().get().getBytes(StandardCharsets.UTF_8), f.mode().orElse(0644));
            } else {
                Source s = source(f.source().orElseThrow(), ctx);
                FileStat st = s.host().stat(TargetPath.of(s.path()));
                if (!st.exists()) {
                    throw new ResourceException("source " + f.source().get() + " of " + f.path() + " does not exist");
                }
                cpio.file(f.path(), s.host().read(TargetPath.of(s.path())), f.mode().orElse(st.isFile() ? st.mode() & 07777 : 0644));
            }
        }
        for (InitrdSpec.LinkEntry l : spec.links()) {
            cpio.symlink(l.path(), l.target());
        }
        for (InitrdSpec.NodeEntry n : spec.nodes()) {
            cpio.node(n.path(), n.block(), n.major(), n.minor(), n.mode());
        }
        if (spec.init().isPresent()) {
            cpio.file("/init", spec.init().get().getBytes(StandardCharsets.UTF_8), 0755);
        }
        byte[] raw = cpio.toBytes();
        if (!spec.compress()) {
            return raw;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) { // Java writes no timestamp or name
            gz.write(raw);
        }
        return out.toByteArray();
    }

    private static Record readRecord(String json) {
        try {
            return JSON.readValue(json, Record.class);
        } catch (IOException e) {
            return new Record("damaged", "damaged");
        }
    }
}
