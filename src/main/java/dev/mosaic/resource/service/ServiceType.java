package dev.mosaic.resource.service;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.Exec;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Capability;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.resource.Source;
import dev.mosaic.resource.SpecReader;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** A systemd service: its unit file or a drop-in, enabled at boot or not, running or stopped. */
public final class ServiceType implements ResourceType<ServiceSpec, ServiceType.Observed> {

    /** Unit types other than services, which this kind does not manage. */
    private static final Set<String> OTHER_UNIT_TYPES = Set.of("socket", "timer", "target", "mount", "automount",
            "path", "slice", "scope", "swap", "device");

    /**
     * How long a service that systemctl reported started is watched before it counts as running:
     * a {@code Type=simple} service is "started" as soon as its process is forked, so one that
     * dies of a bad option or a missing file is caught by looking again a moment later.
     */
    private static final long SETTLE_MILLIS = 300;

    /**
     * What the target holds: systemd's view of the unit (from its files only in a sandbox root,
     * {@code offline}), and the unit file and drop-in as they are and as they should be (null when
     * absent, or not managed).
     */
    record Observed(UnitStatus status, boolean offline, Diff.Blob unitNow, Diff.Blob unitWant,
                    Diff.Blob dropinNow, Diff.Blob dropinWant) {
    }

    /** What a {@code notify} does to the service. */
    enum Refresh { RELOAD, RESTART, NOTHING }

    @Override
    public String kind() {
        return "service";
    }

    @Override
    public String summary() {
        return "a systemd service: its unit file or a drop-in, enabled at boot or not, running or stopped";
    }

    @Override
    public ServiceSpec parse(SpecReader r) {
        String name = r.string("name");
        if (name.endsWith(".service")) {
            name = name.substring(0, name.length() - ".service".length());
        }
        int dot = name.lastIndexOf('.');
        if (dot >= 0 && OTHER_UNIT_TYPES.contains(name.substring(dot + 1))) {
            r.error("name", "'" + name + "' is a ." + name.substring(dot + 1) + " unit; the service kind manages services");
        } else if (!name.matches("[A-Za-z0-9:_.@\\\\-]{1,200}") || name.startsWith("-")) {
            r.error("name", "'" + name + "' is not a systemd unit name (letters, digits and : _ . @ - \\)");
        }
        Optional<String> unit = r.optString("unit");
        Optional<String> source = r.optString("source");
        if (unit.isPresent() && source.isPresent()) {
            r.error("source", "give either 'unit' or 'source', not both");
        }
        source = source.map(s -> s.startsWith("/") ? r.checkAbsolute("source", s) : s);
        source.filter(s -> !s.startsWith("/")).ifPresent(s -> r.pathText("source", s));
        Optional<Boolean> enabled = r.optBool("enabled");
        Optional<ServiceSpec.State> state = r.optWord("state")
                .map(w -> w.equals("running") ? ServiceSpec.State.RUNNING : ServiceSpec.State.STOPPED);
        Optional<ServiceSpec.OnNotify> onNotify = r.optWord("on_notify")
                .map(w -> w.equals("reload") ? ServiceSpec.OnNotify.RELOAD : ServiceSpec.OnNotify.RESTART);
        return new ServiceSpec(name, unit, source, r.optString("dropin"), enabled, state, onNotify);
    }

    @Override
    public Paths paths(ServiceSpec spec) {
        Set<String> produces = new TreeSet<>();
        if (spec.managesUnit()) {
            produces.add(spec.unitPath());
        }
        if (spec.dropin().isPresent()) {
            produces.add(spec.dropinPath());
        }
        Set<String> reads = spec.source().filter(s -> s.startsWith("/")).map(Set::of).orElse(Set.of());
        return new Paths(produces, reads);
    }

    /** One {@code systemctl show} for all the services of a running host (not a sandbox root: no systemd there). */
    @Override
    public void prefetch(List<ServiceSpec> specs, Host host) throws IOException {
        if (!host.isSandbox()) {
            Systemctl.prefetch(host, specs.stream().map(ServiceSpec::unitName).distinct().toList());
        }
    }

    @Override
    public Observed observe(ServiceSpec spec, Context ctx) throws IOException, ResourceException {
        Host host = ctx.host();
        String unit = spec.unitName();
        boolean offline = host.isSandbox();
        if (offline && spec.state().orElse(null) == ServiceSpec.State.RUNNING) {
            // No resource of the playbook can change this: not deferrable, the plan fails at once.
            throw new ResourceException(unit + " cannot be 'state: running' in a sandbox root: a root is a tree of files"
                    + " with no systemd running in it, so nothing can be started there. Enabling works offline"
                    + " ('enabled: true', done with systemctl --root as image builders do); drop 'state' or say"
                    + " 'state: stopped', and apply 'state: running' to the machine itself (locally or over SSH).", false);
        }
        Diff.Blob unitWant = spec.unit().isPresent() ? Diff.Blob.of(spec.unit().get().getBytes(StandardCharsets.UTF_8))
                : spec.source().isPresent() ? Diff.Blob.of(sourceBytes(spec, ctx)) : null;
        Diff.Blob dropinWant = spec.dropin().map(d -> Diff.Blob.of(d.getBytes(StandardCharsets.UTF_8))).orElse(null);
        Diff.Blob unitNow = unitWant == null ? null : current(host, spec.unitPath());
        Diff.Blob dropinNow = dropinWant == null ? null : current(host, spec.dropinPath());
        UnitStatus status = offline ? UnitStatus.offline(unit, Systemctl.unitFileStateOffline(host, unit))
                : Systemctl.status(host, unit);
        boolean wantsUnit = spec.enabled().orElse(false) || spec.state().orElse(null) == ServiceSpec.State.RUNNING;
        if (!status.exists() && unitWant == null && wantsUnit) {
            // Deferrable: a package installed upstream may bring the unit.
            throw new ResourceException("there is no unit " + unit + " on " + host.name() + " (systemd: " + status.loadState()
                    + "): install the package that provides it first (requires:), or give the unit with 'unit:' or 'source:'");
        }
        return new Observed(status, offline, unitNow, unitWant, dropinNow, dropinWant);
    }

    private static byte[] sourceBytes(ServiceSpec spec, Context ctx) throws IOException, ResourceException {
        Source src = Source.of(spec.source().orElseThrow(), ctx);
        if (!src.host().stat(TargetPath.of(src.path())).isFile()) {
            throw new ResourceException("source file " + spec.source().get() + " does not exist");
        }
        return src.host().read(TargetPath.of(src.path()));
    }

    /** A unit file or drop-in as it is: null when absent or not a regular file (a mask's link to /dev/null). */
    private static Diff.Blob current(Host host, String path) throws IOException, ResourceException {
        FileStat st = host.stat(TargetPath.of(path));
        if (st.isDirectory()) {
            throw new ResourceException(path + " is a directory; refusing to replace it with a unit file");
        }
        return st.isFile() ? Diff.Blob.of(host.read(TargetPath.of(path))) : null;
    }

    @Override
    public Change diff(ServiceSpec spec, Observed o) throws ResourceException {
        List<Diff> diffs = new ArrayList<>();
        if (o.unitWant() != null && (o.unitNow() == null || !o.unitNow().sha256().equals(o.unitWant().sha256()))) {
            diffs.add(new Diff.Content("unit", o.unitNow(), o.unitWant()));
        }
        if (o.dropinWant() != null && (o.dropinNow() == null || !o.dropinNow().sha256().equals(o.dropinWant().sha256()))) {
            diffs.add(new Diff.Content("dropin", o.dropinNow(), o.dropinWant()));
        }
        UnitStatus s = o.status();
        if (spec.enabled().isPresent() && spec.enabled().get() != s.enabled()) {
            if (!spec.enabled().get() && !s.canBeDisabled()) {
                throw new ResourceException(spec.unitName() + " is " + s.unitFileState() + " (no [Install] section of its own,"
                        + " or pulled in by another unit): systemctl cannot disable it; drop 'enabled: false', or mask it");
            }
            diffs.add(new Diff.Field("enabled", String.valueOf(s.enabled()), String.valueOf(spec.enabled().get())));
        }
        if (spec.state().isPresent()) {
            boolean want = spec.state().get() == ServiceSpec.State.RUNNING;
            if (want != s.running()) {
                diffs.add(new Diff.Field("state", word(s.running()), word(want)));
            }
        }
        if (diffs.isEmpty()) {
            return Change.NOOP;
        }
        Action action = o.unitWant() != null && o.unitNow() == null ? Action.CREATE : Action.UPDATE;
        return new Change(action, diffs, o);
    }

    private static String word(boolean running) {
        return running ? "running" : "stopped";
    }

    @Override
    public void apply(ServiceSpec spec, Change change, Context ctx) throws IOException, ResourceException {
        Host host = ctx.host();
        Observed o = (Observed) change.detail();
        String unit = spec.unitName();
        boolean files = change.touches("unit") || change.touches("dropin");
        if (change.touches("unit")) {
            byte[] content = spec.unit().isPresent() ? spec.unit().get().getBytes(StandardCharsets.UTF_8) : sourceBytes(spec, ctx);
            write(host, spec.unitPath(), content, o.unitWant());
        }
        if (change.touches("dropin")) {
            write(host, spec.dropinPath(), spec.dropin().orElseThrow().getBytes(StandardCharsets.UTF_8), o.dropinWant());
        }
        if (files && !o.offline()) {
            // Before enable and start: systemd must see the new unit first.
            run(host, Systemctl.verb("daemon-reload"), ctx, unit, false);
        }
        if (change.touches("enabled")) {
            run(host, Systemctl.enablement(spec.enabled().orElseThrow(), unit, o.offline()), ctx, unit, false);
        }
        if (change.touches("state")) {
            if (spec.state().orElseThrow() == ServiceSpec.State.RUNNING) {
                run(host, Systemctl.verb("start", unit), ctx, unit, true);
                checkRunning(host, unit, "start");
            } else {
                run(host, Systemctl.verb("stop", unit), ctx, unit, false);
            }
        } else if (restarts(spec, change)) {
            // A changed ExecStart= or Environment= takes effect only in a new process.
            run(host, Systemctl.verb("restart", unit), ctx, unit, true);
            checkRunning(host, unit, "restart");
        }
    }

    /** Whether {@link #apply} restarts the service: its unit or drop-in changed while it runs, as it should. */
    private static boolean restarts(ServiceSpec spec, Change change) {
        Observed o = (Observed) change.detail();
        return (change.touches("unit") || change.touches("dropin")) && !o.offline()
                && spec.state().orElse(null) == ServiceSpec.State.RUNNING && o.status().running();
    }

    /**
     * A notify is still due after a change that neither started nor restarted the service (one
     * that only enabled it, say): the running process has not read what its notifiers changed.
     */
    @Override
    public boolean refreshAfter(ServiceSpec spec, Change change) {
        return !change.touches("state") && !restarts(spec, change);
    }

    /**
     * Writes a unit file or drop-in through the host's atomic write; the content must still be what
     * was observed (a source file edited since is refused rather than written unseen).
     */
    private static void write(Host host, String path, byte[] content, Diff.Blob observed) throws IOException, ResourceException {
        if (!Diff.Blob.of(content).sha256().equals(observed.sha256())) {
            throw new ResourceException("the content for " + path + " changed while it was applied; nothing written");
        }
        host.mkdirs(TargetPath.of(path.substring(0, path.lastIndexOf('/'))), 0755);
        host.writeAtomic(TargetPath.of(path), new ByteArrayInputStream(content), 0644);
    }

    /**
     * Runs one systemctl command; a failure fails the resource with the command's output and, for
     * a start or restart ({@code journal}), the last lines of the unit's journal.
     */
    private static void run(Host host, List<String> argv, Context ctx, String unit, boolean journal)
            throws IOException, ResourceException {
        Exec.Result r = Systemctl.run(host, argv, ctx::output);
        if (!r.ok()) {
            throw new ResourceException(r.refusal() + String.join(" ", argv) + " failed (exit " + r.exitCode() + "): "
                    + r.tailText().strip() + (journal ? "\nthe last lines of its journal:\n" + Systemctl.journalTail(host, unit) : ""));
        }
    }

    /** Fails with the journal when the service is not running after {@code verb}, or dies at once. */
    private static void checkRunning(Host host, String unit, String verb) throws IOException, ResourceException {
        UnitStatus s = Systemctl.status(host, unit);
        if (s.running()) {
            try {
                Thread.sleep(SETTLE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + unit + " to settle", e);
            }
            s = Systemctl.status(host, unit);
        }
        if (!s.running()) {
            throw new ResourceException(unit + " did not stay running after systemctl " + verb + " (" + s.activeState()
                    + "/" + s.subState() + "); the last lines of its journal:\n" + Systemctl.journalTail(host, unit));
        }
    }

    /** A changed source file reads as a config change, not drift. */
    @Override
    public String inputDigest(ServiceSpec spec, Observed observed) {
        return spec.source().isPresent() && observed.unitWant() != null ? observed.unitWant().sha256() : "";
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.REFRESHABLE);
    }

    /**
     * What a notify does: nothing to a service that does not run (a stopped service reads its
     * configuration when it starts); else what the playbook says, or a reload when the unit has
     * an {@code ExecReload=} and a restart when it has none.
     */
    static Refresh refreshFor(Optional<ServiceSpec.OnNotify> configured, UnitStatus s) {
        if (!s.running()) {
            return Refresh.NOTHING;
        }
        return switch (configured.orElse(s.canReload() ? ServiceSpec.OnNotify.RELOAD : ServiceSpec.OnNotify.RESTART)) {
            case RELOAD -> Refresh.RELOAD;
            case RESTART -> Refresh.RESTART;
        };
    }

    @Override
    public void refresh(ServiceSpec spec, Context ctx) throws IOException, ResourceException {
        Host host = ctx.host();
        String unit = spec.unitName();
        if (host.isSandbox()) {
            ctx.output("no systemd runs in a sandbox root: nothing to reload for " + unit);
            return;
        }
        switch (refreshFor(spec.onNotify(), Systemctl.status(host, unit))) {
            case RELOAD -> run(host, Systemctl.verb("reload", unit), ctx, unit, true);
            case RESTART -> {
                run(host, Systemctl.verb("restart", unit), ctx, unit, true);
                checkRunning(host, unit, "restart");
            }
            case NOTHING -> ctx.output(unit + " is not running: nothing to reload");
        }
    }
}
