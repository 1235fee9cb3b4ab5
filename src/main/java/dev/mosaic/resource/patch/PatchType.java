package dev.mosaic.resource.patch;

import dev.mosaic.host.Exec;
import dev.mosaic.host.Host;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.Digests;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.resource.SpecReader;
import dev.mosaic.resource.TargetPaths;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A unified diff applied with GNU patch; detects applied / not applied / conflicting. */
public final class PatchType implements ResourceType<PatchSpec, PatchType.Observed> {

    enum State { APPLIED, NOT_APPLIED, CONFLICTING }

    /** The state, the files the patch touches, the failed hunks when conflicting, and the patch digest. */
    record Observed(State state, List<String> files, List<String> failedHunks, String digest) {
    }

    private static final Pattern PATCHING = Pattern.compile("^(?:checking|patching) file '?(.+?)'?$");
    private static final Pattern FAILED = Pattern.compile("^Hunk #(\\d+) FAILED at (\\d+)");

    @Override
    public String kind() {
        return "patch";
    }

    @Override
    public String summary() {
        return "a unified diff applied to a tree with GNU patch, all hunks or none";
    }

    @Override
    public PatchSpec parse(SpecReader r) {
        String dir = r.absolutePath("dir");
        Optional<String> content = r.optString("content");
        Optional<String> source = r.optString("source");
        if (content.isPresent() == source.isPresent()) {
            r.error(content.isPresent() ? "source" : "content", "give either 'content' or 'source'");
        }
        source = source.map(s -> s.startsWith("/") ? r.checkAbsolute("source", s) : s);
        long strip = r.integer("strip", 1);
        long fuzz = r.integer("fuzz", 2);
        if (strip < 0 || fuzz < 0) {
            r.error(strip < 0 ? "strip" : "fuzz", "must not be negative");
        }
        return new PatchSpec(dir, content, source, (int) strip, (int) fuzz);
    }

    @Override
    public Paths paths(PatchSpec spec) {
        Set<String> reads = spec.source().filter(s -> s.startsWith("/")).map(Set::of).orElse(Set.of());
        return new Paths(Set.of(), reads, Set.of(spec.dir()));
    }

    private static byte[] patchBytes(PatchSpec spec, Context ctx) throws IOException, ResourceException {
        if (spec.content().isPresent()) {
            return spec.content().get().getBytes(StandardCharsets.UTF_8);
        }
        String source = spec.source().orElseThrow();
        Host from = source.startsWith("/") ? ctx.host() : ctx.control();
        String path = source.startsWith("/") ? source : ctx.baseDir().resolve(source).toAbsolutePath().normalize().toString();
        if (!from.stat(path).exists()) {
            throw new ResourceException("patch file " + source + " does not exist");
        }
        return from.read(path);
    }

    private static Exec patch(PatchSpec spec, byte[] diff, boolean reverse, boolean dryRun) {
        return patch(spec, diff, reverse, dryRun, spec.fuzz());
    }

    private static Exec patch(PatchSpec spec, byte[] diff, boolean reverse, boolean dryRun, int fuzz) {
        List<String> argv = new ArrayList<>(List.of("patch", "-p" + spec.strip(), "--fuzz=" + fuzz, "--force",
                "--no-backup-if-mismatch", "--reject-file=-", "--batch"));
        if (reverse) {
            argv.add("--reverse");
        }
        if (dryRun) {
            argv.add("--dry-run");
        }
        return new Exec(argv, spec.dir(), Map.of("LC_ALL", "C"), Optional.of(diff), Optional.empty(), l -> { });
    }

    /** GNU patch's whole output (a kernel patch touches hundreds of files) and how it ended. */
    private record Run(Exec.Result result, List<String> lines) {
        boolean ok() {
            return result.ok();
        }
    }

    private static Run run(Host host, Exec exec, java.util.function.Consumer<String> also) throws IOException {
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        Exec.Result r = host.exec(exec.withOutput(l -> {
            lines.add(l);
            also.accept(l);
        }));
        return new Run(r, List.copyOf(lines));
    }

    @Override
    public Observed observe(PatchSpec spec, Context ctx) throws IOException, ResourceException {
        Host host = ctx.host();
        if (!host.stat(spec.dir()).exists()) {
            throw new ResourceException("directory " + spec.dir() + " does not exist");
        }
        byte[] diff = patchBytes(spec, ctx);
        String digest = Digests.sha256(diff);
        // An exact reverse match first: with fuzz, a patch that only adds lines applies forward
        // again on a tree where it is already applied (its context still matches, fuzzily).
        Run exactReverse = run(host, patch(spec, diff, true, true, 0), l -> { });
        if (exactReverse.ok()) {
            return new Observed(State.APPLIED, files(exactReverse.lines()), List.of(), digest);
        }
        Run forward = run(host, patch(spec, diff, false, true), l -> { });
        List<String> files = files(forward.lines());
        if (forward.ok()) {
            return new Observed(State.NOT_APPLIED, files, List.of(), digest);
        }
        Run reverse = run(host, patch(spec, diff, true, true), l -> { });
        if (reverse.ok()) {
            return new Observed(State.APPLIED, files(reverse.lines()), List.of(), digest);
        }
        if (forward.result().exitCode() > 1) {
            throw new ResourceException("GNU patch could not read the patch: " + forward.result().tailText());
        }
        return new Observed(State.CONFLICTING, files, failedHunks(forward.lines()), digest);
    }

    static List<String> files(List<String> output) {
        List<String> files = new ArrayList<>();
        for (String line : output) {
            Matcher m = PATCHING.matcher(line.trim());
            if (m.matches() && !files.contains(m.group(1))) {
                files.add(m.group(1));
            }
        }
        return files;
    }

    /** {@code file: hunk #2 failed at line 31} for each failed hunk, attributed to the file being patched. */
    static List<String> failedHunks(List<String> output) {
        List<String> out = new ArrayList<>();
        String file = "?";
        for (String line : output) {
            String t = line.trim();
            Matcher p = PATCHING.matcher(t);
            if (p.matches()) {
                file = p.group(1);
                continue;
            }
            Matcher f = FAILED.matcher(t);
            if (f.find()) {
                out.add(file + ": hunk #" + f.group(1) + " failed at line " + f.group(2));
            } else if (t.startsWith("can't find file to patch") || t.contains("No such file")) {
                out.add(file + ": " + t);
            }
        }
        return out;
    }

    @Override
    public Change diff(PatchSpec spec, Observed o) throws ResourceException {
        return switch (o.state()) {
            case APPLIED -> Change.NOOP;
            case NOT_APPLIED -> new Change(Action.UPDATE, List.of(
                    new Diff.Field("state", "not applied", "applied"),
                    new Diff.Tree("files", List.of(), o.files(), List.of())));
            case CONFLICTING -> throw new ResourceException("the patch does not apply to " + spec.dir()
                    + " (and is not already applied); the tree is left as it is. Failed hunks:\n  "
                    + (o.failedHunks().isEmpty() ? "(GNU patch named none)" : String.join("\n  ", o.failedHunks())));
        };
    }

    @Override
    public void apply(PatchSpec spec, Change change, Context ctx) throws IOException, ResourceException {
        Host host = ctx.host();
        byte[] diff = patchBytes(spec, ctx);
        Run dry = run(host, patch(spec, diff, false, true), l -> { });
        if (!dry.ok()) {
            throw new ResourceException("the patch no longer applies to " + spec.dir() + ":\n  "
                    + String.join("\n  ", failedHunks(dry.lines())));
        }
        // All hunks or none: keep what GNU patch will touch, to put it back if it fails midway.
        Map<String, byte[]> backup = new LinkedHashMap<>();
        for (String f : files(dry.lines())) {
            String path = TargetPaths.normalize(TargetPaths.join(spec.dir(), f));
            backup.put(path, host.stat(path).isFile() ? host.read(path) : null);
        }
        Run real = run(host, patch(spec, diff, false, false), ctx::output);
        if (!real.ok()) {
            for (Map.Entry<String, byte[]> e : backup.entrySet()) {
                if (e.getValue() == null) {
                    host.delete(e.getKey());
                } else {
                    host.writeAtomic(e.getKey(), new ByteArrayInputStream(e.getValue()), host.stat(e.getKey()).exists()
                            ? host.stat(e.getKey()).mode() : 0644);
                }
            }
            throw new ResourceException("GNU patch failed while applying; the touched files were restored:\n"
                    + real.result().tailText());
        }
    }

    @Override
    public String inputDigest(PatchSpec spec, Observed observed) {
        return observed.digest();
    }
}
