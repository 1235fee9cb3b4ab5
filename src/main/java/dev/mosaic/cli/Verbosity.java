package dev.mosaic.cli;

import dev.mosaic.engine.Events;
import dev.mosaic.engine.Outcome;
import dev.mosaic.engine.Plan;
import dev.mosaic.engine.PlannedChange;
import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Diff;
import dev.mosaic.session.Session;
import dev.mosaic.state.StateStore;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code -v} and {@code --debug}: Mosaic's own reasoning, on stderr, so that stdout (a plan, a
 * JSON document) stays what it is. {@code -v} gives the reasons: per resource that changes, why
 * (its cause, the fields that differ, the configuration digest recorded at the last apply against
 * the playbook's, the upstream change that reached it). {@code --debug} adds the bookkeeping: the
 * configuration files read, where modules are searched and where each one came from, the
 * target's root and state directory, the apply lock, and the resources that do not change.
 *
 * <p>Every line goes through the CLI's scrubbing stderr like any other; besides, a sensitive
 * resource's configuration digest is not printed (a digest of a short secret can be guessed), and
 * the values of fields are only those the plan shows (sensitive ones replaced), short ones only.
 */
final class Verbosity {

    enum Level { QUIET, VERBOSE, DEBUG }

    private final Level level;
    /** Where a line goes: stderr, or the live view's own way to it (which clears its status line first). */
    private final java.util.function.Consumer<String> sink;
    /** {@code "lab1: "} for an inventory host's lines, as its warnings say it; else empty. */
    private final String host;

    /** Nothing asked for: prints nothing. */
    static final Verbosity QUIET = new Verbosity(Level.QUIET, line -> { }, "");

    Verbosity(Level level, PrintWriter err) {
        this(level, err::println, "");
    }

    private Verbosity(Level level, java.util.function.Consumer<String> sink, String host) {
        this.level = level;
        this.sink = sink;
        this.host = host;
    }

    /** The same level, its lines printed by {@code sink} ({@code ConsoleEvents::note} during a live apply). */
    Verbosity through(java.util.function.Consumer<String> sink) {
        return new Verbosity(level, sink, host);
    }

    /** The same, each line naming an inventory host and printed by {@code sink} (the host's section). */
    Verbosity forHost(String name, java.util.function.Consumer<String> sink) {
        return new Verbosity(level, sink, name + ": ");
    }

    /** The level {@code -v}/{@code --debug} set for this run, printing to the command's stderr. */
    static Verbosity of(picocli.CommandLine.Model.CommandSpec spec) {
        Object root = spec.root().userObject();
        return new Verbosity(root instanceof Root r ? r.level : Level.QUIET, spec.commandLine().getErr());
    }

    boolean verbose() {
        return level != Level.QUIET;
    }

    boolean debug() {
        return level == Level.DEBUG;
    }

    void debug(String line) {
        if (debug()) {
            sink.accept("debug: " + host + line);
        }
    }

    private void reason(String line) {
        if (verbose()) {
            sink.accept("reason: " + host + line);
        }
    }

    /** The configuration files, each read or absent ({@code --debug}). */
    void configFiles(List<Path> files) {
        if (files.isEmpty()) {
            debug("configuration: none (MOSAIC_CONFIG is empty)");
        }
        for (Path f : files) {
            debug("configuration: " + f + (Files.isRegularFile(f) ? " (read)" : " (absent)"));
        }
    }

    /**
     * The target and where the playbook's modules came from ({@code --debug}).
     *
     * @param searched the module directories given by {@code --modules}
     */
    void session(Session t, List<Path> searched) {
        if (!debug()) {
            return;
        }
        debug("target " + t.name() + ": state directory " + t.state().dir());
        if (t.playbook().file() != null) {
            Path dir = t.playbook().file().toAbsolutePath().normalize().getParent();
            List<String> roots = new ArrayList<>(List.of(dir.resolve("modules").toString(),
                    dir.resolve("..").resolve("modules").normalize().toString()));
            searched.forEach(p -> roots.add(p.toAbsolutePath().normalize().toString()));
            for (String p : System.getProperty("mosaic.modules", "").split(java.io.File.pathSeparator)) {
                if (!p.isBlank()) {
                    roots.add(p);
                }
            }
            debug("modules are searched in: " + String.join(", ", roots));
        }
        Map<String, Path> modules = new TreeMap<>();
        for (ResourceDecl d : t.playbook().resources()) {
            if (!d.address().modules().isEmpty() && d.baseDir() != null) {
                modules.putIfAbsent(d.address().modules().stream().map(m -> "module." + m)
                        .collect(Collectors.joining(".")), d.baseDir());
            }
        }
        modules.forEach((m, dir) -> debug(m + ": from " + dir));
        if (t.graph().partial()) {
            debug("--target " + String.join(", ", t.graph().targets()) + " selects " + t.graph().order().stream()
                    .map(Address::toString).collect(Collectors.joining(", ")));
        }
    }

    /** Why each resource of a plan is there ({@code -v}; {@code --debug} also the unchanged ones). */
    void reasons(Plan plan, Session t) {
        if (!verbose()) {
            return;
        }
        for (PlannedChange c : plan.entries()) {
            if (c.status() == PlannedChange.Status.PLANNED && c.action() == Action.NOOP) {
                debug(c.address() + ": no change: the target matches the playbook" + digests(t, c.address(), false));
                continue;
            }
            reason(c.address() + ": " + why(c, t));
        }
    }

    private static String why(PlannedChange c, Session t) {
        return switch (c.status()) {
            case DEFERRED -> "deferred: it is observed once " + join(c.after()) + " changed (" + c.error() + ")";
            case FAILED -> "cannot be planned: " + c.error();
            case SKIPPED -> "skipped: " + c.error();
            case PLANNED -> c.action().word() + ", " + cause(c, t);
        };
    }

    private static String cause(PlannedChange c, Session t) {
        String fields = fields(c.diffs());
        return switch (c.cause()) {
            case NEW -> "new: no apply recorded it on this target yet" + digests(t, c.address(), true) + fields;
            case CONFIG_CHANGED -> "config changed: the playbook's configuration differs from the one last applied"
                    + digests(t, c.address(), true) + fields;
            case DRIFT -> "drift: the playbook did not change since the last apply, the target did" + fields;
            case INPUT_CHANGED -> "input changed: " + join(c.after()) + " change" + (c.after().size() == 1 ? "s" : "")
                    + " upstream, and it reads what they make";
            case NOTIFIED -> "notified by " + join(c.after());
            case REMOVED -> "removed from the playbook; Mosaic created " + c.paths().size() + " path(s) for it"
                    + (c.paths().isEmpty() ? "" : " that still exist");
            case NONE -> "no cause recorded" + fields;
        };
    }

    /** {@code (configuration sha256:… last applied, sha256:… now)}: short digests, none for a sensitive resource. */
    private static String digests(Session t, Address a, boolean whenNew) {
        ResourceDecl d = t.graph().decl(a);
        if (d == null) {
            return "";
        }
        if (t.playbook().isSensitive(a)) {
            return " (configuration digests not shown: the resource is sensitive)";
        }
        Optional<StateStore.Entry> last = t.state().get(a.toString());
        if (last.isEmpty()) {
            return whenNew ? " (configuration " + shortDigest(d.configDigest()) + ")" : "";
        }
        return " (configuration " + shortDigest(last.get().config()) + " last applied, "
                + shortDigest(d.configDigest()) + " now)";
    }

    private static String shortDigest(String digest) {
        return digest.length() > 19 ? digest.substring(0, 19) + "…" : digest;
    }

    private static String fields(List<Diff> diffs) {
        if (diffs.isEmpty()) {
            return "";
        }
        return "; differs in " + diffs.stream().map(Verbosity::field).distinct().collect(Collectors.joining(", "));
    }

    /**
     * A field's name, with its values when they are short words (a build's fingerprint before and
     * after, "will copy from cache (built on lab1)", a mode) — as the plan shows them, sensitive
     * ones already replaced.
     */
    private static String field(Diff d) {
        if (d instanceof Diff.Tree tree) {
            return tree.field() + " (" + tree.added().size() + " added, " + tree.changed().size() + " changed, "
                    + tree.removed().size() + " removed)";
        }
        if (d instanceof Diff.Field f && isShort(f.after()) && (f.before() == null || isShort(f.before()))) {
            return f.field() + " (" + (f.before() == null ? "" : f.before() + " ") + "→ " + f.after() + ")";
        }
        return d instanceof Diff.Content c ? c.field() : ((Diff.Field) d).field();
    }

    private static boolean isShort(String value) {
        return value != null && value.length() <= 60 && value.lines().count() <= 1;
    }

    private static String join(List<Address> addresses) {
        return addresses.stream().map(Address::toString).collect(Collectors.joining(", "));
    }

    /**
     * {@code events}, and besides, at {@code -v} why each resource is converged as apply starts it
     * (as {@link #reasons} says it of a plan) and why one failed or was skipped, and at
     * {@code --debug} the engine's own bookkeeping and the resources left unchanged.
     */
    Events events(Events events, Session t) {
        if (!verbose()) {
            return events;
        }
        return new Events() {
            @Override
            public void started(Address address, PlannedChange planned, long expectedMillis) {
                reason(address + ": " + why(planned, t));
                events.started(address, planned, expectedMillis);
            }

            @Override
            public void finished(Outcome o) {
                switch (o.status()) {
                    case FAILED, SKIPPED, STALE -> reason(o.address() + ": " + o.status().word() + ": " + o.message());
                    case UNCHANGED -> Verbosity.this.debug(o.address() + ": unchanged");
                    case CHANGED, REFRESHED -> { } // its reason was given when it started
                }
                events.finished(o);
            }

            @Override
            public void output(Address address, String line) {
                events.output(address, line);
            }

            @Override
            public void warning(String message) {
                events.warning(message);
            }

            @Override
            public void debug(String message) {
                events.debug(message);
                Verbosity.this.debug(message);
            }
        };
    }
}
