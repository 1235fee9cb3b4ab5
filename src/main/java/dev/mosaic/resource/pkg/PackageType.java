package dev.mosaic.resource.pkg;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.Exec;
import dev.mosaic.host.Host;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.resource.SpecReader;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Debian packages installed on the machine, absent from it, or unpacked into a tree. */
public final class PackageType implements ResourceType<PackageSpec, PackageType.Observed> {

    /**
     * For installed/absent: the installed version (empty: not installed) and, when it must be
     * installed, the version apt would install. For unpacked: what {@link Unpacked} observed.
     */
    record Observed(Optional<String> installed, Optional<Apt.Candidate> candidate, Unpacked.State unpacked) {
    }

    @Override
    public String kind() {
        return "package";
    }

    @Override
    public String summary() {
        return "a Debian package installed on the machine, absent from it, or unpacked into a tree";
    }

    @Override
    public PackageSpec parse(SpecReader r) {
        String name = r.string("name");
        if (!name.matches("[a-z0-9][a-z0-9+.-]+")) {
            r.error("name", "'" + name + "' is not a Debian package name");
        }
        PackageSpec.State state = switch (r.word("state")) {
            case "absent" -> PackageSpec.State.ABSENT;
            case "unpacked" -> PackageSpec.State.UNPACKED;
            default -> PackageSpec.State.INSTALLED;
        };
        String dest = r.has("dest") ? r.absolutePath("dest") : "/";
        List<String> paths = new ArrayList<>();
        for (String p : r.stringList("paths")) {
            paths.add(p.endsWith("/") ? r.checkAbsolute("paths", p) + "/" : r.checkAbsolute("paths", p));
        }
        if (state != PackageSpec.State.UNPACKED && (r.has("dest") || r.has("paths"))) {
            r.error(r.has("dest") ? "dest" : "paths", "only a package with 'state: unpacked' has a destination");
        }
        return new PackageSpec(name, state, r.optString("version"), dest, paths);
    }

    @Override
    public Paths paths(PackageSpec spec) {
        if (spec.state() != PackageSpec.State.UNPACKED) {
            return Paths.NONE;
        }
        // What a package unpacks is known only from the .deb; the selected paths are its claim.
        Set<String> produces = new java.util.TreeSet<>();
        for (String p : spec.paths()) {
            String rel = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
            produces.add(dev.mosaic.resource.TargetPaths.normalize(spec.dest() + rel));
        }
        return new Paths(Set.of(), Set.of(), produces);
    }

    @Override
    public Observed observe(PackageSpec spec, Context ctx) throws IOException, ResourceException {
        Host host = ctx.host();
        if (spec.state() == PackageSpec.State.UNPACKED) {
            return new Observed(Optional.empty(), Optional.empty(), Unpacked.observe(spec, ctx));
        }
        if (host.isSandbox()) {
            throw new ResourceException("package " + spec.name() + " cannot be " + spec.state().name().toLowerCase()
                    + " in a sandbox root: dpkg manages the whole machine. Use 'state: unpacked' to put its files in the tree");
        }
        Optional<String> installed = Apt.installedVersion(host, spec.name());
        Optional<Apt.Candidate> candidate = Optional.empty();
        boolean needs = spec.state() == PackageSpec.State.INSTALLED
                && (installed.isEmpty() || spec.version().map(v -> !v.equals(installed.get())).orElse(false));
        if (needs) {
            candidate = Optional.of(Apt.candidate(host, spec));
        }
        return new Observed(installed, candidate, null);
    }

    @Override
    public Change diff(PackageSpec spec, Observed o) throws ResourceException {
        switch (spec.state()) {
            case UNPACKED:
                return Unpacked.diff(spec, o.unpacked());
            case ABSENT:
                return o.installed().isPresent()
                        ? new Change(Action.DELETE, List.of(new Diff.Field("version", o.installed().get(), null)))
                        : Change.NOOP;
            default:
                if (o.candidate().isEmpty()) {
                    return Change.NOOP;
                }
                String want = o.candidate().get().version();
                return o.installed().isEmpty()
                        ? new Change(Action.CREATE, List.of(new Diff.Field("version", null, want)))
                        : new Change(Action.UPDATE, List.of(new Diff.Field("version", o.installed().get(), want)));
        }
    }

    /** Packages to install or remove in the same wave go through one apt-get call each way. */
    @Override
    public String batchKey(PackageSpec spec) {
        return spec.state() == PackageSpec.State.UNPACKED ? null : "apt";
    }

    @Override
    public void applyBatch(List<PackageSpec> specs, List<Change> changes, Context ctx) throws IOException, ResourceException {
        List<String> install = specs.stream().filter(s -> s.state() == PackageSpec.State.INSTALLED)
                .map(PackageSpec::aptArgument).toList();
        List<String> remove = specs.stream().filter(s -> s.state() == PackageSpec.State.ABSENT)
                .map(PackageSpec::name).toList();
        if (!install.isEmpty()) {
            run(Apt.install(install), ctx);
        }
        if (!remove.isEmpty()) {
            run(Apt.remove(remove), ctx);
        }
    }

    private static void run(List<String> argv, Context ctx) throws IOException, ResourceException {
        Exec.Result r = ctx.host().exec(new Exec(argv, TargetPath.ROOT, Apt.ENV, Optional.empty(), Optional.empty(), ctx::output));
        if (!r.ok()) {
            throw new ResourceException(r.refusal() + String.join(" ", argv) + " failed (exit " + r.exitCode() + "):\n" + r.tailText());
        }
    }

    @Override
    public void apply(PackageSpec spec, Change change, Context ctx) throws IOException, ResourceException {
        if (spec.state() == PackageSpec.State.UNPACKED) {
            Unpacked.apply(spec, change, ctx);
            return;
        }
        run(spec.state() == PackageSpec.State.ABSENT ? Apt.remove(List.of(spec.name())) : Apt.install(List.of(spec.aptArgument())), ctx);
    }
}
