package dev.mosaic.resource.pxe;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.base.TargetPath;
import dev.mosaic.diag.SourcePos;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Capability;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.Digests;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.resource.SpecReader;
import dev.mosaic.resource.TargetPaths;
import dev.mosaic.yaml.YNode;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** PXE boot entries rendered for PXELINUX, iPXE and GRUB. */
public final class PxeType implements ResourceType<PxeSpec, PxeType.Observed> {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String MEMORY_KEY = "files";

    /** Current text of each file to render (null: absent) and files rendered before, no longer declared. */
    record Observed(Map<String, String> current, Map<String, String> desired, List<String> stale) {
    }

    @Override
    public String kind() {
        return "pxe";
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.ONLY_THROUGH_HOST);
    }

    @Override
    public String summary() {
        return "PXE boot entries (menu, labels, per-node by MAC or IP) rendered for PXELINUX, iPXE and GRUB";
    }

    @Override
    public PxeSpec parse(SpecReader r) {
        String root = r.absolutePath("root");
        List<String> loaders = r.stringList("loaders");
        List<String> known = r.schema().words("loaders");
        for (String l : loaders) {
            if (!known.contains(l)) {
                r.error("loaders", "unknown loader '" + l + "'; known: " + String.join(", ", known));
            }
        }
        boolean classic = r.word("style").equals("classic");
        for (String field : List.of("menu", "labels", "nodes")) {
            oneLine(r, r.raw(field));
        }
        YNode.Map menu = r.raw("menu") instanceof YNode.Map m ? m : null;
        int prompt = intOf(menu, "prompt", r.schema().defaultInteger("menu.prompt"));
        int timeout = intOf(menu, "timeout", r.schema().defaultInteger("menu.timeout"));

        List<PxeSpec.Label> labels = new ArrayList<>();
        Map<String, SourcePos> labelPos = new HashMap<>();
        if (r.raw("labels") instanceof YNode.Seq seq) {
            for (YNode item : seq.items()) {
                if (!(item instanceof YNode.Map m)) {
                    continue;
                }
                String name = text(m, "name", "");
                SourcePos at = m.pos();
                if (labelPos.containsKey(name)) {
                    r.errorAt(at, "duplicate label '" + name + "' (first declared at " + labelPos.get(name) + ")");
                    continue;
                }
                labelPos.put(name, at);
                String kernel = text(m, "kernel", "");
                if (TargetPath.hasDotDot(kernel)) {
                    r.errorAt(m.get("kernel").pos(), "label '" + name + "': kernel '" + kernel + "' " + NO_DOT_DOT);
                }
                labels.add(new PxeSpec.Label(name, kernel, initrds(r, m, name), text(m, "append", ""), at));
            }
        }
        if (labels.isEmpty()) {
            r.error("labels", "declare at least one label");
        }
        String defaultLabel = menu != null && menu.get("default") instanceof YNode.Scalar s ? s.text()
                : labels.isEmpty() ? "" : labels.get(0).name();
        if (!labels.isEmpty() && !labelPos.containsKey(defaultLabel)) {
            r.errorAt(menu.get("default").pos(), "menu default '" + defaultLabel + "' is not a label"
                    + dev.mosaic.diag.Suggest.hint(defaultLabel, labelPos.keySet()));
        }

        List<PxeSpec.Node> nodes = new ArrayList<>();
        Map<String, SourcePos> macs = new HashMap<>();
        Set<String> names = new HashSet<>();
        if (r.raw("nodes") instanceof YNode.Seq seq) {
            for (YNode item : seq.items()) {
                if (!(item instanceof YNode.Map m)) {
                    continue;
                }
                String name = text(m, "name", "");
                String rawMac = text(m, "mac", "");
                SourcePos macPos = m.get("mac") != null ? m.get("mac").pos() : m.pos();
                if (!rawMac.matches("([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}")) {
                    r.errorAt(macPos, "node '" + name + "': invalid MAC address '" + rawMac + "' (expected six hex pairs like 52:54:00:12:34:56)");
                    continue;
                }
                String mac = rawMac.toLowerCase().replace('-', ':');
                if (macs.containsKey(mac)) {
                    r.errorAt(macPos, "node '" + name + "': MAC " + mac + " is already used by a node declared at " + macs.get(mac));
                    continue;
                }
                macs.put(mac, macPos);
                if (!names.add(name)) {
                    r.errorAt(m.pos(), "duplicate node name '" + name + "'");
                }
                Optional<String> ip = opt(m, "ip");
                if (ip.isPresent() && !ip.get().matches("(\\d{1,3})(\\.\\d{1,3}){3}")) {
                    r.errorAt(m.get("ip").pos(), "node '" + name + "': invalid IPv4 address '" + ip.get() + "'");
                }
                String label = text(m, "label", defaultLabel);
                if (!labelPos.containsKey(label)) {
                    r.errorAt(m.get("label") != null ? m.get("label").pos() : m.pos(),
                            "node '" + name + "' boots label '" + label + "', which is not declared"
                                    + dev.mosaic.diag.Suggest.hint(label, labelPos.keySet()));
                }
                nodes.add(new PxeSpec.Node(name, mac, ip, label, text(m, "append", ""), m.pos()));
            }
        }
        PxeSpec spec = new PxeSpec(root, loaders, classic, prompt, timeout, defaultLabel, labels, nodes, Map.of());
        if (r.failed() || !r.has("templates")) {
            return spec; // templates see the fields as parsed: only once they are right
        }
        return spec.withCustom(PxeTemplates.render(r, spec));
    }

    /**
     * Refuses, at its position, any text below {@code node} that could not stay on its line of a
     * rendered PXELINUX, iPXE or GRUB file: a newline in a label's {@code append} would add
     * commands of its own to every loader's configuration.
     */
    private static void oneLine(SpecReader r, YNode node) {
        if (node instanceof YNode.Scalar s && SpecReader.lineProblem(s.text()) != null) {
            r.errorAt(s.pos(), "a menu, label or node field " + SpecReader.lineProblem(s.text()));
        } else if (node instanceof YNode.Seq seq) {
            seq.items().forEach(item -> oneLine(r, item));
        } else if (node instanceof YNode.Map m) {
            m.entries().values().forEach(e -> oneLine(r, e.value()));
        }
    }

    /**
     * A label's {@code initrd}: one file or a list of them, loaded in that order. A name may hold
     * neither a comma nor a space: PXELINUX splits its {@code initrd=} on commas and every loader
     * splits a line on spaces, so such a name would silently become two files.
     */
    private static List<String> initrds(SpecReader r, YNode.Map m, String label) {
        YNode node = m.get("initrd");
        List<YNode.Scalar> items = new ArrayList<>();
        if (node == null || node instanceof YNode.Scalar s && s.kind() == YNode.Scalar.Kind.NULL) {
            return List.of();
        } else if (node instanceof YNode.Scalar s) {
            items.add(s);
        } else if (node instanceof YNode.Seq seq && !seq.items().isEmpty()) {
            for (YNode item : seq.items()) {
                if (item instanceof YNode.Scalar s && s.kind() != YNode.Scalar.Kind.NULL) {
                    items.add(s);
                } else {
                    r.errorAt(item.pos(), "label '" + label + "': each initrd is a file name");
                }
            }
        } else {
            r.errorAt(node.pos(), "label '" + label + "': initrd is a file name or a non-empty list of them");
        }
        List<String> names = new ArrayList<>();
        for (YNode.Scalar s : items) {
            if (s.text().isBlank() || s.text().matches(".*[,\\s].*")) {
                r.errorAt(s.pos(), "label '" + label + "': initrd '" + s.text()
                        + "' must be a non-empty file name without commas or spaces (loaders split on them)");
            } else if (TargetPath.hasDotDot(s.text())) {
                r.errorAt(s.pos(), "label '" + label + "': initrd '" + s.text() + "' " + NO_DOT_DOT);
            }
            names.add(s.text());
        }
        return names;
    }

    /** A nested integer (the menu's), else {@code fallback}: the schema's default. */
    private static int intOf(YNode.Map m, String key, long fallback) {
        if (m != null && m.get(key) instanceof YNode.Scalar s) {
            try {
                return Integer.parseInt(s.text().trim());
            } catch (NumberFormatException e) {
                return (int) fallback;
            }
        }
        return (int) fallback;
    }

    private static String text(YNode.Map m, String key, String fallback) {
        return m.get(key) instanceof YNode.Scalar s && s.kind() != YNode.Scalar.Kind.NULL ? s.text() : fallback;
    }

    private static Optional<String> opt(YNode.Map m, String key) {
        return m.get(key) instanceof YNode.Scalar s && s.kind() != YNode.Scalar.Kind.NULL ? Optional.of(s.text()) : Optional.empty();
    }

    /** Boot files are named inside the TFTP root, never above it: TFTP servers refuse a '..' too. */
    private static final String NO_DOT_DOT = "may not hold '..': boot files are named from the TFTP root, inside it";

    @Override
    public Paths paths(PxeSpec spec) {
        Set<String> produces = new TreeSet<>();
        Renderers.render(spec).keySet().forEach(f -> produces.add(TargetPaths.join(spec.root(), f)));
        Set<String> reads = new TreeSet<>();
        for (PxeSpec.Label l : spec.labels()) {
            reads.add(bootFile(spec, l.kernel()));
            l.initrds().forEach(i -> reads.add(bootFile(spec, i)));
        }
        return new Paths(produces, reads);
    }

    private static String bootFile(PxeSpec spec, String name) {
        return TargetPaths.normalize(TargetPaths.join(spec.root(), name.startsWith("/") ? name.substring(1) : name));
    }

    /**
     * What the user's templates rendered: a changed template (or a variable it uses) is a config
     * change, though the resource's fields did not move. Nothing without templates.
     */
    @Override
    public String inputDigest(PxeSpec spec, Observed observed) {
        if (spec.custom().isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        new TreeMap<>(spec.custom()).forEach((f, text) -> b.append(f).append('\0').append(Digests.sha256(text.getBytes(StandardCharsets.UTF_8))).append('\n'));
        return Digests.sha256(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Observed observe(PxeSpec spec, Context ctx) throws IOException, ResourceException {
        Host host = ctx.host();
        List<String> missing = new ArrayList<>();
        boolean produced = true;
        for (PxeSpec.Label l : spec.labels()) {
            List<String> named = new ArrayList<>(List.of(l.kernel()));
            named.addAll(l.initrds());
            for (String n : named) {
                String file = bootFile(spec, n);
                if (!host.stat(TargetPath.of(file)).exists()) {
                    boolean someoneMakesIt = ctx.producedByOther(file);
                    produced &= someoneMakesIt;
                    missing.add("label '" + l.name() + "' (" + l.pos() + ") names " + n + ", which is not in " + spec.root()
                            + (someoneMakesIt ? "" : " and which no resource of the playbook produces"));
                }
            }
        }
        if (!missing.isEmpty()) {
            // When no resource will produce the file, waiting for upstream changes cannot help:
            // the plan fails now rather than after apply wrote the rest of the tree.
            throw new ResourceException(String.join("\n", missing)
                    + "\nadd it to the TFTP tree, or declare the resource that produces it", produced);
        }
        Map<String, String> desired = Renderers.render(spec);
        Map<String, String> current = new TreeMap<>();
        for (String f : desired.keySet()) {
            String path = TargetPaths.join(spec.root(), f);
            FileStat s = host.stat(TargetPath.of(path));
            current.put(f, s.isFile() ? new String(host.read(TargetPath.of(path)), StandardCharsets.UTF_8) : null);
        }
        List<String> stale = new ArrayList<>();
        for (String f : previous(ctx)) {
            if (!desired.containsKey(f) && host.stat(TargetPath.of(spec.root()).join(f)).exists()) {
                stale.add(f);
            }
        }
        return new Observed(current, desired, stale);
    }

    private static List<String> previous(Context ctx) throws IOException {
        Optional<String> json = ctx.memory().get(MEMORY_KEY);
        if (json.isEmpty()) {
            return List.of();
        }
        try {
            return JSON.readValue(json.get(), new TypeReference<List<String>>() { });
        } catch (IOException e) {
            return List.of();
        }
    }

    @Override
    public Change diff(PxeSpec spec, Observed o) {
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<Diff> contents = new ArrayList<>();
        for (Map.Entry<String, String> e : o.desired().entrySet()) {
            String now = o.current().get(e.getKey());
            if (e.getValue().equals(now)) {
                continue;
            }
            (now == null ? added : changed).add(e.getKey());
            contents.add(new Diff.Content(e.getKey(), now == null ? null : Diff.Blob.of(now.getBytes(StandardCharsets.UTF_8)),
                    Diff.Blob.of(e.getValue().getBytes(StandardCharsets.UTF_8))));
        }
        if (added.isEmpty() && changed.isEmpty() && o.stale().isEmpty()) {
            return Change.NOOP;
        }
        List<Diff> diffs = new ArrayList<>();
        diffs.add(new Diff.Tree("files", added, changed, o.stale()));
        diffs.addAll(contents);
        boolean creating = changed.isEmpty() && o.stale().isEmpty() && o.current().values().stream().allMatch(v -> v == null);
        return new Change(creating ? Action.CREATE : Action.UPDATE, diffs);
    }

    @Override
    public void apply(PxeSpec spec, Change change, Context ctx) throws IOException {
        Host host = ctx.host();
        Map<String, String> desired = Renderers.render(spec);
        for (Diff d : change.diffs()) {
            if (d instanceof Diff.Content c) {
                host.writeAtomic(TargetPath.of(spec.root()).join(c.field()),
                        new ByteArrayInputStream(desired.get(c.field()).getBytes(StandardCharsets.UTF_8)), 0644);
            } else if (d instanceof Diff.Tree t) {
                for (String f : t.removed()) {
                    host.delete(TargetPath.of(spec.root()).join(f));
                }
            }
        }
        ctx.memory().put(MEMORY_KEY, JSON.writeValueAsString(new ArrayList<>(desired.keySet())));
    }
}
