package dev.mosaic.resource.patch;

import dev.mosaic.base.TargetPath;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.host.Exec;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.resource.Action;
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

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String MEMORY_KEY = "patch";

    /** What the last apply left: the patch's digest and each touched file's sha256 ("absent": deleted). */
    public record Record(String patch, Map<String, String> files) {
    }

    /**
     * The state, the files the patch touches (apart: those it creates), the failed hunks when
     * conflicting, and the patch digest.
     */
    record Observed(State state, List<String> files, List<String> created, List<String> failedHunks, String digest) {
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
        source.filter(s -> !s.startsWith("/")).ifPresent(s -> r.pathText("source", s));
        long strip = r.integer("strip");
        long fuzz = r.integer("fuzz");
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

    /** GNU patch applying the diff it reads on its standard input (dry runs first: they change nothing). */
    @Override
    public List<dev.mosaic.resource.Command> commands(PatchSpec spec) {
        return List.of(new dev.mosaic.resource.Command(String.join(" ", argv(spec, false, false, spec.fuzz()))
                + " < " + spec.source().orElse("(the patch's content)"), spec.dir(), false));
    }

    private static byte[] patchBytes(PatchSpec spec, Context ctx) throws IOException, ResourceException {
        if (spec.content().isPresent()) {
            return spec.content().get().getBytes(StandardCharsets.UTF_8);
        }
        String source = spec.source().orElseThrow();
        Source src = Source.of(source, ctx);
        Host from = src.host();
        String path = src.path();
        if (!from.stat(TargetPath.of(path)).exists()) {
            throw new ResourceException("patch file " + source + " does not exist");
        }
        return from.read(TargetPath.of(path));
    }

    private static Exec patch(PatchSpec spec, byte[] diff, boolean reverse, boolean dryRun) throws IOException {
        return patch(spec, diff, reverse, dryRun, spec.fuzz());
    }

    private static Exec patch(PatchSpec spec, byte[] diff, boolean reverse, boolean dryRun, int fuzz) throws IOException {
        return new Exec(argv(spec, reverse, dryRun, fuzz), TargetPath.of(spec.dir()), Map.of("LC_ALL", "C"), Optional.of(diff),
                Optional.empty(), l -> { });
    }

    private static List<String> argv(PatchSpec spec, boolean reverse, boolean dryRun, int fuzz) {
        List<String> argv = new ArrayList<>(List.of("patch", "-p" + spec.strip(), "--fuzz=" + fuzz, "--force",
                "--no-backup-if-mismatch", "--reject-file=-", "--batch"));
        if (reverse) {
            argv.add("--reverse");
        }
        if (dryRun) {
            argv.add("--dry-run");
        }
        return argv;
    }

    /** GNU patch's whole output (a kernel patch touches hundreds of files) and how it ended. */
    private record Run(Exec.Result result, List<String> lines) {
        boolean ok() {
            return result.ok();
        }
    }

    private static Run run(Host host, Exec exec, java.util.function.Consumer<String> also) throws IOException {
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        Exec withOutput = exec.withOutput(l -> {
            lines.add(l);
            also.accept(l);
        });
        Exec.Result r = exec.argv().contains("--dry-run") ? host.query(withOutput) : host.exec(withOutput);
        return new Run(r, List.copyOf(lines));
    }

    @Override
    public Observed observe(PatchSpec spec, Context ctx) throws IOException, ResourceException {
        Host host = ctx.host();
        if (!host.stat(TargetPath.of(spec.dir())).exists()) {
            throw new ResourceException("directory " + spec.dir() + " does not exist");
        }
        byte[] diff = patchBytes(spec, ctx);
        String digest = Digests.sha256(diff);
        Optional<Record> last = ctx.memory().get(MEMORY_KEY).map(PatchType::readRecord)
                .filter(r -> r.patch().equals(digest));
        if (last.isPresent() && last.get().files().equals(digests(host, spec, last.get().files().keySet()))) {
            // The files are as this very patch left them when Mosaic applied it.
            return new Observed(State.APPLIED, List.copyOf(last.get().files().keySet()), List.of(), List.of(), digest);
        }
        // Both directions are tried: with fuzz, a patch adding lines amid repeated context (a table
        // of zeros, closing braces) still applies forward once applied, and a patch removing such
        // lines still applies in reverse before it is applied.
        Run reverse = run(host, patch(spec, diff, true, true), l -> { });
        Run forward = run(host, patch(spec, diff, false, true), l -> { });
        if (reverse.ok() && forward.ok()) {
            // Ambiguous: exact context decides; when it cannot either, a patch Mosaic applied here
            // before (and someone edited since) is applied, any other is not.
            boolean exactReverse = run(host, patch(spec, diff, true, true, 0), l -> { }).ok();
            boolean exactForward = run(host, patch(spec, diff, false, true, 0), l -> { }).ok();
            boolean applied = exactReverse != exactForward ? exactReverse : last.isPresent();
            return applied ? new Observed(State.APPLIED, files(reverse.lines()), List.of(), List.of(), digest)
                    : notApplied(host, spec, forward, digest);
        }
        if (reverse.ok()) {
            return new Observed(State.APPLIED, files(reverse.lines()), List.of(), List.of(), digest);
        }
        if (forward.ok()) {
            return notApplied(host, spec, forward, digest);
        }
        if (forward.result().exitCode() > 1) {
            throw new ResourceException("GNU patch could not read the patch: " + forward.result().tailText());
        }
        return new Observed(State.CONFLICTING, files(forward.lines()), List.of(), failedHunks(forward.lines()), digest);
    }

    /** The sha256 of each file (relative to the patch directory), "absent" for a missing one. */
    private static Map<String, String> digests(Host host, PatchSpec spec, java.util.Collection<String> files)
            throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        for (String f : files) {
            TargetPath p = TargetPath.of(spec.dir()).join(f);
            out.put(f, host.stat(p).isFile() ? host.sha256(p) : "absent");
        }
        return out;
    }

    private static Record readRecord(String json) {
        try {
            return JSON.readValue(json, Record.class);
        } catch (IOException e) {
            return new Record("damaged", Map.of());
        }
    }

    /** Not applied yet: the files it touches, those that do not exist yet (it creates them) apart. */
    private static Observed notApplied(Host host, PatchSpec spec, Run forward, String digest) throws IOException {
        List<String> changed = new ArrayList<>();
        List<String> created = new ArrayList<>();
        for (String f : files(forward.lines())) {
            (host.stat(TargetPath.of(spec.dir()).join(f)).exists() ? changed : created).add(f);
        }
        return new Observed(State.NOT_APPLIED, changed, created, List.of(), digest);
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

    /**
     * {@code file: hunk #2 failed at line 31} for each failed hunk, attributed to the file being
     * patched; a file GNU patch cannot find is named as the patch names it (a wrong strip level).
     */
    static List<String> failedHunks(List<String> output) {
        List<String> out = new ArrayList<>();
        String file = "?";
        for (int i = 0; i < output.size(); i++) {
            String t = output.get(i).trim();
            Matcher p = PATCHING.matcher(t);
            if (p.matches()) {
                file = p.group(1);
                continue;
            }
            Matcher f = FAILED.matcher(t);
            if (f.find()) {
                out.add(file + ": hunk #" + f.group(1) + " failed at line " + f.group(2));
            } else if (t.startsWith("can't find file to patch")) {
                file = namedInPatch(output, i + 1);
                out.add(file + ": " + t + " (no such file below the directory; is 'strip' right?)");
            } else if (t.contains("No such file")) {
                out.add(file + ": " + t);
            }
        }
        return out;
    }

    /**
     * The file named by the header GNU patch quotes after "can't find file to patch" ({@code |+++
     * b/x}, else {@code |--- a/x}), without its timestamp.
     */
    private static String namedInPatch(List<String> output, int from) {
        String minus = null;
        for (int i = from; i < output.size(); i++) {
            String t = output.get(i);
            if (t.startsWith("No file to patch") || PATCHING.matcher(t.trim()).matches()) {
                break;
            }
            if (t.startsWith("|+++ ") || t.startsWith("|--- ")) {
                String name = t.substring(5).split("\t")[0].trim();
                if (name.equals("/dev/null")) {
                    continue;
                }
                if (t.startsWith("|+++ ")) {
                    return name;
                }
                minus = name;
            }
        }
        return minus == null ? "?" : minus;
    }

    @Override
    public Change diff(PatchSpec spec, Observed o) throws ResourceException {
        return switch (o.state()) {
            case APPLIED -> Change.NOOP;
            case NOT_APPLIED -> new Change(Action.UPDATE, List.of(
                    new Diff.Field("state", "not applied", "applied"),
                    new Diff.Tree("files", o.created(), o.files(), List.of())));
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
        Map<String, Saved> backup = new LinkedHashMap<>();
        for (String f : files(dry.lines())) {
            String path = TargetPaths.normalize(TargetPaths.join(spec.dir(), f));
            FileStat s = host.stat(TargetPath.of(path));
            backup.put(path, s.isFile() ? new Saved(host.read(TargetPath.of(path)), s.mode()) : null);
        }
        Run real = run(host, patch(spec, diff, false, false), ctx::output);
        if (!real.ok()) {
            for (Map.Entry<String, Saved> e : backup.entrySet()) {
                if (e.getValue() == null) {
                    host.delete(TargetPath.of(e.getKey()));
                } else {
                    host.writeAtomic(TargetPath.of(e.getKey()), new ByteArrayInputStream(e.getValue().bytes()), e.getValue().mode());
                }
            }
            throw new ResourceException(real.result().refusal() + "GNU patch failed while applying; the touched files were restored:\n"
                    + real.result().tailText());
        }
        ctx.memory().put(MEMORY_KEY, JSON.writeValueAsString(new Record(Digests.sha256(diff),
                digests(host, spec, files(dry.lines())))));
    }

    /** A file's content and permission bits before patching. */
    private record Saved(byte[] bytes, int mode) {
    }

    @Override
    public String inputDigest(PatchSpec spec, Observed observed) {
        return observed.digest();
    }
}
