package dev.mosaic.resource.build;

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
import dev.mosaic.resource.SpecReader;
import dev.mosaic.yaml.YNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** Runs commands when the fingerprint of their inputs changed or an output is missing or modified. */
public final class BuildType implements ResourceType<BuildSpec, BuildType.Observed> {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String MEMORY_KEY = "build";

    /** What the last successful run left: its fingerprint and each output's digest. */
    public record Record(String fingerprint, Map<String, String> outputs, long millis) {
    }

    /**
     * Today's fingerprint and outputs, the last run's record (absent: never built here), and the
     * host whose build of today's fingerprint the build cache holds, if any.
     */
    record Observed(String fingerprint, Map<String, String> outputs, Optional<Record> last, Optional<String> cachedFrom) {
    }

    @Override
    public String kind() {
        return "build";
    }

    @Override
    public String summary() {
        return "commands turning declared inputs into outputs, re-run only when the inputs' fingerprint changes";
    }

    @Override
    public BuildSpec parse(SpecReader r) {
        String dir = r.absolutePath("dir");
        List<String> commands = new ArrayList<>();
        if (r.has("command")) {
            commands.add(r.string("command"));
        }
        commands.addAll(r.stringList("commands"));
        if (commands.isEmpty()) {
            r.error("command", "give 'command' or 'commands'");
        }
        Map<String, String> env = new TreeMap<>();
        if (r.raw("env") instanceof YNode.Map m) {
            m.entries().values().forEach(e -> env.put(e.key(), e.value() instanceof YNode.Scalar s ? s.text() : ""));
        }
        Optional<Integer> jobs = r.optInteger("jobs").map(Long::intValue);
        List<String> inputs = r.stringList("inputs").stream().map(p -> r.checkAbsolute("inputs", p)).toList();
        List<String> outputs = r.stringList("outputs").stream().map(p -> r.checkAbsolute("outputs", p)).toList();
        List<String> toolchain = r.stringList("toolchain");
        Optional<Long> timeout = r.optInteger("timeout");
        return new BuildSpec(dir, commands, env, jobs, inputs, outputs, toolchain, timeout, r.optString("stdin"),
                r.bool("share"), r.bool("network"));
    }

    @Override
    public Paths paths(BuildSpec spec) {
        return new Paths(Set.copyOf(spec.outputs()), Set.copyOf(spec.inputs()));
    }

    @Override
    public List<dev.mosaic.resource.Command> commands(BuildSpec spec) {
        return spec.commands().stream().map(c -> new dev.mosaic.resource.Command(c, spec.dir(), spec.network())).toList();
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.FOLLOWS_INPUTS, Capability.REFRESHABLE);
    }

    @Override
    public Observed observe(BuildSpec spec, Context ctx) throws IOException, ResourceException {
        Optional<Record> last = ctx.memory().get(MEMORY_KEY).map(BuildType::readRecord);
        String fingerprint = fingerprint(spec, ctx);
        Optional<String> cached = Optional.empty();
        if (shared(spec, ctx) && !last.map(Record::fingerprint).orElse("").equals(fingerprint)) {
            cached = new BuildCache(ctx.cacheDir(), cacheKey(spec, fingerprint)).manifest().map(BuildCache.Manifest::builtOn);
        }
        return new Observed(fingerprint, outputs(spec, ctx.host()), last, cached);
    }

    @Override
    public Change diff(BuildSpec spec, Observed o) {
        List<Diff> diffs = new ArrayList<>();
        for (Map.Entry<String, String> out : o.outputs().entrySet()) {
            String before = o.last().map(r -> r.outputs().get(out.getKey())).orElse(null);
            if (out.getValue() == null) {
                diffs.add(new Diff.Field(out.getKey(), "missing", "built"));
            } else if (o.last().isPresent() && !out.getValue().equals(before)) {
                diffs.add(new Diff.Field(out.getKey(), "modified since the last build", "rebuilt"));
            }
        }
        if (o.last().isEmpty()) {
            diffs.add(0, new Diff.Field("fingerprint", null, short12(o.fingerprint())));
            o.cachedFrom().ifPresent(h -> diffs.add(new Diff.Field("build", null, "will copy from cache (built on " + h + ")")));
            return new Change(o.outputs().values().stream().allMatch(v -> v == null) && !o.outputs().isEmpty()
                    ? Action.CREATE : Action.UPDATE, diffs);
        }
        if (!o.last().get().fingerprint().equals(o.fingerprint())) {
            diffs.add(0, new Diff.Field("fingerprint", short12(o.last().get().fingerprint()), short12(o.fingerprint())));
            o.cachedFrom().ifPresent(h -> diffs.add(new Diff.Field("build", null, "will copy from cache (built on " + h + ")")));
        }
        return diffs.isEmpty() ? Change.NOOP : new Change(Action.UPDATE, diffs);
    }

    @Override
    public void apply(BuildSpec spec, Change change, Context ctx) throws IOException, ResourceException {
        Optional<Record> last = ctx.memory().get(MEMORY_KEY).map(BuildType::readRecord);
        String before = fingerprint(spec, ctx);
        if (!shared(spec, ctx) || last.map(Record::fingerprint).orElse("").equals(before)) {
            run(spec, ctx); // outputs to repair on a host that built this very fingerprint: build again
            return;
        }
        // Build once: hosts of one run with the same fingerprint wait for the first one's build,
        // then receive its outputs.
        String key = cacheKey(spec, before);
        BuildCache cache = new BuildCache(ctx.cacheDir(), key);
        java.util.concurrent.locks.ReentrantLock lock = BuildCache.lock(ctx.cacheDir(), key);
        lock.lock();
        try {
            Optional<BuildCache.Manifest> hit = cache.manifest();
            if (hit.isPresent()) {
                long start = System.nanoTime();
                cache.copyTo(ctx.host(), hit.get());
                ctx.output("copied " + hit.get().items().size() + " output file(s) from the build cache (built on "
                        + hit.get().builtOn() + "), each verified by its sha256");
                record(spec, ctx, outputs(spec, ctx.host()), start);
                return;
            }
            run(spec, ctx);
            cache.store(ctx.host(), spec.outputs());
        } finally {
            lock.unlock();
        }
    }

    /** Whether this build's outputs go through the build cache: declared outputs, not opted out. */
    private static boolean shared(BuildSpec spec, Context ctx) {
        return spec.share() && !spec.outputs().isEmpty() && ctx.cacheDir() != null;
    }

    /** The fingerprint before a run, with the outputs' paths: what a cached build is found by. */
    private static String cacheKey(BuildSpec spec, String fingerprint) {
        MessageDigest md = Digests.newSha256();
        update(md, "fingerprint", fingerprint);
        spec.outputs().forEach(o -> update(md, "output", o));
        return HexFormat.of().formatHex(md.digest());
    }

    @Override
    public void refresh(BuildSpec spec, Context ctx) throws IOException, ResourceException {
        run(spec, ctx);
    }

    @Override
    public String inputDigest(BuildSpec spec, Observed observed) {
        return observed.fingerprint();
    }

    private void run(BuildSpec spec, Context ctx) throws IOException, ResourceException {
        Host host = ctx.host();
        if (!host.stat(TargetPath.of(spec.dir())).exists()) {
            // Else the process start fails with "cannot run sh", naming the wrong culprit.
            throw new ResourceException("directory " + spec.dir() + " does not exist; the commands run there");
        }
        long start = System.nanoTime();
        Map<String, String> env = new LinkedHashMap<>(spec.env());
        spec.jobs().ifPresent(j -> env.put("MAKEFLAGS", "-j" + j));
        for (String command : spec.commands()) {
            Exec exec = new Exec(List.of("sh", "-e", "-c", command), TargetPath.of(spec.dir()), env,
                    spec.stdin().map(t -> t.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                    spec.timeoutSeconds().map(Duration::ofSeconds), ctx::output, spec.network());
            Exec.Result r = host.exec(exec);
            if (r.timedOut()) {
                throw new ResourceException("'" + command + "' did not finish within " + spec.timeoutSeconds().get()
                        + " s and was stopped; last output:\n" + r.tailText());
            }
            if (!r.ok()) {
                throw new ResourceException(r.refusal() + "'" + command + "' failed with exit code " + r.exitCode()
                        + "; the previous outputs are left in place. Last output:\n" + r.tailText());
            }
        }
        Map<String, String> outputs = outputs(spec, host);
        for (Map.Entry<String, String> e : outputs.entrySet()) {
            if (e.getValue() == null) {
                throw new ResourceException("the commands succeeded but did not produce " + e.getKey());
            }
        }
        record(spec, ctx, outputs, start);
    }

    private static void record(BuildSpec spec, Context ctx, Map<String, String> outputs, long start) throws IOException {
        Record record = new Record(fingerprint(spec, ctx), outputs, (System.nanoTime() - start) / 1_000_000);
        ctx.memory().put(MEMORY_KEY, JSON.writeValueAsString(record));
    }

    /** Digest of everything that determines the outputs. */
    private static String fingerprint(BuildSpec spec, Context ctx) throws IOException {
        Host host = ctx.host();
        MessageDigest md = Digests.newSha256();
        update(md, "dir", spec.dir());
        spec.commands().forEach(c -> update(md, "command", c));
        spec.stdin().ifPresent(t -> update(md, "stdin", t));
        spec.env().forEach((k, v) -> update(md, "env", k + "=" + v));
        spec.jobs().ifPresent(j -> update(md, "jobs", Integer.toString(j)));
        for (String probe : spec.toolchain()) {
            String version;
            try {
                version = host.query(Exec.of(TargetPath.ROOT, "sh", "-c", probe + " 2>&1 | head -n 1")).tailText();
            } catch (IOException e) {
                // Nothing runs on a target whose root does not exist yet (a fresh --root): the plan
                // says "new" instead of failing, and the run, once the root exists, probes for real.
                version = "(not probed: " + e.getMessage() + ")";
            }
            update(md, "toolchain", probe + "=" + version);
        }
        for (String in : spec.inputs()) {
            FileStat s = host.stat(TargetPath.of(in));
            String digest = switch (s.kind()) {
                case ABSENT -> "absent";
                case FILE -> "file:" + host.sha256(TargetPath.of(in));
                case SYMLINK -> "link:" + s.linkTarget() + (host.stat(TargetPath.of(in)).exists() ? ":" + host.digestTree(TargetPath.of(in)).sha256() : "");
                default -> "tree:" + host.digestTree(TargetPath.of(in)).sha256();
            };
            update(md, "input", in + "=" + digest);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void update(MessageDigest md, String label, String value) {
        md.update((label + '\0' + value + '\n').getBytes(StandardCharsets.UTF_8));
    }

    /** Each declared output's digest (file content or tree), null when missing. */
    private static Map<String, String> outputs(BuildSpec spec, Host host) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String o : spec.outputs()) {
            FileStat s = host.stat(TargetPath.of(o));
            out.put(o, switch (s.kind()) {
                case ABSENT -> null;
                case FILE -> host.sha256(TargetPath.of(o));
                case DIRECTORY -> host.digestTree(TargetPath.of(o)).sha256();
                default -> s.kindWord() + ":" + s.linkTarget();
            });
        }
        return out;
    }

    private static Record readRecord(String json) {
        try {
            return JSON.readValue(json, Record.class);
        } catch (IOException e) {
            return new Record("damaged", Map.of(), 0); // a damaged note means "rebuild", never a crash
        }
    }

    private static String short12(String digest) {
        return "sha256:" + digest.substring(0, Math.min(12, digest.length()));
    }
}
