package dev.mosaic.resource.kconfig;

import dev.mosaic.base.TargetPath;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.host.Exec;
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
import dev.mosaic.resource.Source;
import dev.mosaic.resource.SpecReader;
import dev.mosaic.yaml.YNode;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** A kernel tree's {@code .config}: a base plus chosen options, resolved by Kconfig and verified. */
public final class KernelConfigType implements ResourceType<KernelConfigSpec, KernelConfigType.Observed> {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String MEMORY_KEY = "kernel_config";

    /** What the last apply produced: the base's digest and the resulting .config's digest. */
    /**
     * What the last apply produced: the base's digest, the resulting .config's digest, and the
     * digest of the tree's Kconfig files it was resolved against (null in older records).
     */
    public record Record(String base, String config, String kconfig) {
    }

    /** The current .config (null: none), the base's and the Kconfig files' digests now, and the last record. */
    record Observed(Map<String, String> config, String configDigest, String baseDigest, String kconfigDigest,
                    Optional<Record> last) {
    }

    /**
     * The files Kconfig reads: a patch that adds options changes one of them. Before 2.5 they are
     * {@code Config.in} in each directory and {@code arch/<arch>/config.in} at the top (what
     * {@code make oldconfig} hands to scripts/Configure).
     */
    static boolean isKconfig(String fileName) {
        return fileName.startsWith("Kconfig") || fileName.equals("Config.in") || fileName.equals("config.in");
    }

    private static String kconfigDigest(KernelConfigSpec spec, Context ctx) throws IOException {
        return ctx.host().digestTree(TargetPath.of(spec.dir()), KernelConfigType::isKconfig).sha256();
    }

    @Override
    public String kind() {
        return "kernel_config";
    }

    @Override
    public String summary() {
        return "the chosen options of a kernel tree's .config, resolved by Kconfig and verified";
    }

    @Override
    public KernelConfigSpec parse(SpecReader r) {
        String dir = r.absolutePath("dir");
        String base = r.string("base");
        if (!base.matches("[a-z0-9_]*config") && base.isEmpty()) {
            r.error("base", "give a make target such as defconfig or tinyconfig, or a config file");
        }
        if (base.startsWith("/")) {
            base = r.checkAbsolute("base", base);
        }
        Map<String, String> options = new TreeMap<>();
        if (r.raw("options") instanceof YNode.Map m) {
            for (YNode.Entry e : m.entries().values()) {
                String name = e.key();
                if (!name.matches("CONFIG_[A-Za-z0-9_]+")) {
                    r.error("options", "'" + name + "' is not a kernel option name (CONFIG_ followed by letters, digits, _)");
                    continue;
                }
                if (!(e.value() instanceof YNode.Scalar s) || s.kind() == YNode.Scalar.Kind.NULL) {
                    r.error("options", name + ": expected y, m, n, a number or a string");
                    continue;
                }
                String v = s.kind() == YNode.Scalar.Kind.BOOLEAN ? (s.asBoolean() ? "y" : "n") : s.text();
                options.put(name, v);
            }
        }
        checkRanges(r, options);
        String resolver = r.word("resolver");
        Map<String, String> env = new TreeMap<>();
        if (r.raw("env") instanceof YNode.Map m) {
            m.entries().values().forEach(e -> env.put(e.key(), e.value() instanceof YNode.Scalar s ? s.text() : ""));
        }
        return new KernelConfigSpec(dir, base, options, resolver, env, r.bool("network"));
    }

    /** {@code ranges: {CONFIG_X: {min: 2, max: 10}}} bounds numeric options at plan time. */
    private static void checkRanges(SpecReader r, Map<String, String> options) {
        if (!(r.raw("ranges") instanceof YNode.Map ranges)) {
            return;
        }
        YNode.Map requested = r.raw("options") instanceof YNode.Map m ? m : null;
        for (YNode.Entry e : ranges.entries().values()) {
            String v = options.get(e.key());
            if (v == null || !(e.value() instanceof YNode.Map bounds)) {
                continue;
            }
            long value;
            try {
                value = Long.decode(v);
            } catch (NumberFormatException ex) {
                r.error("options", e.key() + " must be a number, got '" + v + "'");
                continue;
            }
            Long min = bound(bounds, "min");
            Long max = bound(bounds, "max");
            if ((min != null && value < min) || (max != null && value > max)) {
                // At the option's own value (often a ${variable} that --var set), not at 'options'.
                YNode at = requested == null ? null : requested.get(e.key());
                String message = e.key() + " = " + value + " is out of range "
                        + (min == null ? "" : min) + ".." + (max == null ? "" : max)
                        + (e.keyPos().isKnown() ? " (ranges, line " + e.keyPos().line() + ")" : "");
                if (at != null) {
                    r.errorAt(at.pos(), message);
                } else {
                    r.error("options", message);
                }
            }
        }
    }

    private static Long bound(YNode.Map bounds, String key) {
        return bounds.get(key) instanceof YNode.Scalar s ? Long.decode(s.text()) : null;
    }

    @Override
    public Paths paths(KernelConfigSpec spec) {
        Set<String> reads = spec.baseOnTarget() ? Set.of(spec.base()) : Set.of();
        return new Paths(Set.of(spec.dotConfig()), reads);
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.FOLLOWS_INPUTS);
    }

    @Override
    public Observed observe(KernelConfigSpec spec, Context ctx) throws IOException, ResourceException {
        Host host = ctx.host();
        FileStat dir = host.stat(TargetPath.of(spec.dir()));
        if (!dir.isDirectory() && !dir.isSymlink()) {
            throw new ResourceException("kernel tree " + spec.dir() + " does not exist");
        }
        FileStat s = host.stat(TargetPath.of(spec.dotConfig()));
        Map<String, String> config = null;
        String configDigest = null;
        if (s.isFile()) {
            byte[] bytes = host.read(TargetPath.of(spec.dotConfig()));
            config = DotConfig.parse(new String(bytes, StandardCharsets.UTF_8));
            configDigest = Digests.sha256(bytes);
        }
        Optional<Record> last = ctx.memory().get(MEMORY_KEY).map(KernelConfigType::readRecord);
        return new Observed(config, configDigest, baseDigest(spec, ctx), kconfigDigest(spec, ctx), last);
    }

    private static String baseDigest(KernelConfigSpec spec, Context ctx) throws IOException, ResourceException {
        if (spec.baseIsTarget() && !spec.base().contains("/")) {
            return "make " + spec.base();
        }
        return Digests.sha256(baseBytes(spec, ctx));
    }

    private static byte[] baseBytes(KernelConfigSpec spec, Context ctx) throws IOException, ResourceException {
        Source src = Source.of(spec.base(), ctx);
        Host from = src.host();
        String path = src.path();
        if (!from.stat(TargetPath.of(path)).exists()) {
            throw new ResourceException("base config " + spec.base() + " does not exist");
        }
        return from.read(TargetPath.of(path));
    }

    @Override
    public Change diff(KernelConfigSpec spec, Observed o) {
        List<Diff> diffs = new ArrayList<>();
        if (o.config() == null) {
            diffs.add(new Diff.Field("base", null, spec.base()));
            spec.options().forEach((k, v) -> diffs.add(new Diff.Field(k, null, v)));
            return new Change(Action.CREATE, diffs);
        }
        if (o.last().isPresent() && !o.last().get().base().equals(o.baseDigest())) {
            diffs.add(new Diff.Field("base", "changed", spec.base()));
        } else if (o.last().isEmpty()) {
            diffs.add(new Diff.Field("base", "(not applied by Mosaic)", spec.base()));
        }
        if (o.last().isPresent() && o.last().get().kconfig() != null && !o.last().get().kconfig().equals(o.kconfigDigest())) {
            diffs.add(new Diff.Field("Kconfig", "changed in the tree", "resolved again"));
        }
        for (Map.Entry<String, String> opt : spec.options().entrySet()) {
            String now = DotConfig.valueOf(o.config(), opt.getKey());
            if (!now.equals(opt.getValue())) {
                diffs.add(new Diff.Field(opt.getKey(), now, opt.getValue()));
            }
        }
        if (diffs.isEmpty() && o.last().isPresent() && !o.last().get().config().equals(o.configDigest())) {
            diffs.add(new Diff.Field(".config", "edited outside Mosaic", "regenerated"));
        }
        return diffs.isEmpty() ? Change.NOOP : new Change(Action.UPDATE, diffs);
    }

    @Override
    public List<dev.mosaic.resource.Command> commands(KernelConfigSpec spec) {
        List<dev.mosaic.resource.Command> out = new ArrayList<>();
        if (spec.baseIsTarget() && !spec.base().contains("/")) {
            out.add(new dev.mosaic.resource.Command("make " + spec.base(), spec.dir(), spec.network()));
        }
        out.add(new dev.mosaic.resource.Command("make " + spec.resolver(), spec.dir(), spec.network()));
        return out;
    }

    @Override
    public void apply(KernelConfigSpec spec, Change change, Context ctx) throws IOException, ResourceException {
        Host host = ctx.host();
        String text;
        if (spec.baseIsTarget() && !spec.base().contains("/")) {
            make(spec, ctx, spec.base(), null);
            text = new String(host.read(TargetPath.of(spec.dotConfig())), StandardCharsets.UTF_8);
        } else {
            text = new String(baseBytes(spec, ctx), StandardCharsets.UTF_8);
        }
        host.writeAtomic(TargetPath.of(spec.dotConfig()), new ByteArrayInputStream(
                DotConfig.set(text, spec.options()).getBytes(StandardCharsets.UTF_8)), 0644);
        if (spec.resolver().equals("oldconfig")) {
            make(spec, ctx, "oldconfig", "\n".repeat(20000).getBytes(StandardCharsets.UTF_8));
        } else {
            make(spec, ctx, "olddefconfig", null);
        }
        byte[] result = host.read(TargetPath.of(spec.dotConfig()));
        Map<String, String> resolved = DotConfig.parse(new String(result, StandardCharsets.UTF_8));
        List<String> dropped = new ArrayList<>();
        for (Map.Entry<String, String> opt : spec.options().entrySet()) {
            String got = DotConfig.valueOf(resolved, opt.getKey());
            if (!got.equals(opt.getValue())) {
                dropped.add(opt.getKey() + ": requested " + opt.getValue() + ", Kconfig gave "
                        + (resolved.containsKey(opt.getKey()) ? got : "nothing (unknown symbol or unmet dependency)"));
            }
        }
        if (!dropped.isEmpty()) {
            throw new ResourceException("Kconfig did not keep every requested option in " + spec.dotConfig() + ":\n  "
                    + String.join("\n  ", dropped));
        }
        ctx.memory().put(MEMORY_KEY, JSON.writeValueAsString(new Record(baseDigest(spec, ctx), Digests.sha256(result), kconfigDigest(spec, ctx))));
    }

    /** The base file's content is an input: editing it is a change of configuration, not drift. */
    @Override
    public String inputDigest(KernelConfigSpec spec, Observed observed) {
        return observed.baseDigest() + ":" + observed.kconfigDigest();
    }

    private static void make(KernelConfigSpec spec, Context ctx, String target, byte[] stdin)
            throws IOException, ResourceException {
        Map<String, String> env = new LinkedHashMap<>(spec.env());
        Exec exec = new Exec(List.of("make", target), TargetPath.of(spec.dir()), env, Optional.ofNullable(stdin), Optional.empty(), ctx::output,
                spec.network());
        Exec.Result r = ctx.host().exec(exec);
        if (!r.ok()) {
            throw new ResourceException(r.refusal() + "make " + target + " failed in " + spec.dir() + " (exit " + r.exitCode() + "):\n"
                    + r.tailText());
        }
    }

    private static Record readRecord(String json) {
        try {
            return JSON.readValue(json, Record.class);
        } catch (IOException e) {
            return new Record("damaged", "damaged", null);
        }
    }
}
