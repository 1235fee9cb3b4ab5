package dev.mosaic.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mosaic.diag.UserError;
import dev.mosaic.engine.Engine;
import dev.mosaic.engine.Events;
import dev.mosaic.engine.Outcome;
import dev.mosaic.engine.Plan;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.playbook.Inventory;
import dev.mosaic.playbook.InventoryHost;
import dev.mosaic.playbook.InventoryLoader;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.engine.SavedPlan;
import dev.mosaic.render.ConsoleEvents;
import dev.mosaic.render.FleetReport;
import dev.mosaic.render.TimelineEvents;
import dev.mosaic.render.JsonPlan;
import dev.mosaic.render.Recap;
import dev.mosaic.render.TextPlan;
import dev.mosaic.session.ApplyOptions;
import dev.mosaic.session.Session;
import dev.mosaic.session.Transport;
import dev.mosaic.state.ApplyLock;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A playbook run once per host of an inventory ({@code --inventory}, {@code --limit}). The
 * playbook is loaded for every selected host first, with that host's variables ({@link FleetLoad}:
 * parsed once, the hosts' loads in parallel), so bad input touches no host at all. Then hosts are
 * planned or applied, {@code --forks} at a time, each in its own section ({@code == host lab1 ==},
 * in inventory order), and a summary gives one line per host and the number of hosts ok / changed
 * / failed / unreachable. A host that cannot be reached or refuses us fails alone; the others
 * still run.
 */
final class Fleet {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A host with the playbook as its variables make it. */
    record Member(InventoryHost host, Playbook playbook, ResourceGraph graph) {
    }

    private final List<Member> members;
    private final CommonOptions options;
    private final InventoryOptions inventory;

    private final Path playbookFile;
    /** {@code -v}/{@code --debug}, for each host's section. */
    private Verbosity verbosity = Verbosity.QUIET;

    private Fleet(Path playbookFile, List<Member> members, CommonOptions options, InventoryOptions inventory) {
        this.playbookFile = playbookFile;
        this.members = members;
        this.options = options;
        this.inventory = inventory;
    }

    List<Member> members() {
        return members;
    }

    /** Each host's reasons and bookkeeping at this level. */
    Fleet verbosity(Verbosity v) {
        this.verbosity = v;
        return this;
    }

    /** The level for one host, printed in its section. */
    Verbosity verbosity(String host, PrintWriter err) {
        return verbosity.forHost(host, err::println);
    }

    static Fleet load(Path playbookFile, CommonOptions o, InventoryOptions inv) {
        return load(playbookFile, o, inv, null);
    }

    /** @param only the one host {@code --host} names, or null for the hosts {@code --limit} selects */
    static Fleet load(Path playbookFile, CommonOptions o, InventoryOptions inv, OneHost only) {
        if (o.root != null) {
            throw new UserError("--root and --inventory do not go together: give each local host its 'root:' in the inventory");
        }
        if (inv.forks < 1) {
            throw new UserError("--forks " + inv.forks + ": give at least 1");
        }
        PathChecks.inputFile("--inventory", inv.inventory);
        PathChecks.common(playbookFile, o);
        Inventory inventory = new InventoryLoader().load(inv.inventory);
        List<InventoryHost> hosts = only == null ? inventory.select(inv.limit) : List.of(only.find(inventory));
        List<Member> members = FleetLoad.members(playbookFile, o, inventory, hosts, inv.forks);
        return new Fleet(playbookFile, members, o, inv);
    }

    /** How a host's run ended, as the summary counts it. */
    enum Status {
        OK("ok"), CHANGED("changed"), FAILED("failed"), UNREACHABLE("unreachable");

        final String word;

        Status(String word) {
            this.word = word;
        }
    }

    /** One host's run: its section (text or JSON) and its summary line. */
    record HostRun(String name, String section, String errors, ObjectNode json, String summary,
                           Status status, boolean changes, boolean stale) {
    }

    /** The work of one host, writing its section to {@code out} and problems to {@code err}. */
    interface HostWork {
        HostRun run(Member m, PrintWriter out, PrintWriter err, boolean live) throws IOException, InterruptedException;
    }

    /** @param saveTo where to save each host's plan ({@link FleetPlans}), or null */
    int plan(PrintWriter out, PrintWriter err, boolean detailedExitCode, Path saveTo) throws IOException, InterruptedException {
        List<HostRun> runs = runAll(out, err, (m, o, e, live) -> planOne(m, o, e, saveTo));
        boolean failed = runs.stream().anyMatch(r -> r.status() == Status.FAILED || r.status() == Status.UNREACHABLE);
        boolean changes = runs.stream().anyMatch(HostRun::changes);
        if (failed) {
            return Main.ERROR;
        }
        return detailedExitCode && changes ? Main.CHANGES : Main.OK;
    }

    private HostRun planOne(Member m, PrintWriter out, PrintWriter err, Path saveTo) throws IOException {
        String name = m.host().name();
        Session t;
        try {
            t = open(m, false);
        } catch (Transport.Unavailable u) {
            if (saveTo != null) { // applying the directory then fails this host, not an older plan of it
                java.nio.file.Files.deleteIfExists(saveTo.resolve(m.host().name() + FleetPlans.SUFFIX));
            }
            return unavailable(m, u, false, out, err);
        }
        try (t) {
            Verbosity v = verbosity(name, err);
            v.session(t, options.moduleDirs);
            Plan plan = t.plan(w -> err.println("warning: " + name + ": " + w));
            v.reasons(plan, t);
            if (saveTo != null) {
                FleetPlans.save(saveTo, m.host(), t, plan, playbookFile, options);
            }
            ObjectNode json = null;
            if (options.json) {
                json = (ObjectNode) tree(JsonPlan.render(plan));
            } else {
                out.print(TextPlan.render(plan));
            }
            Status status = plan.hasErrors() ? Status.FAILED : plan.hasChanges() ? Status.CHANGED : Status.OK;
            String line = name + ": " + TextPlan.summary(plan).substring("Plan: ".length()) + trips(t);
            if (json != null) {
                json.put("status", status.word);
                addTrips(json, t);
            }
            return new HostRun(name, "", "", json, line, status, plan.hasChanges(), false);
        }
    }

    /** Applies every host ({@link FleetApply}). */
    int apply(PrintWriter out, PrintWriter err, ApplyOptions how, FleetApply.SavedFor saved, Path report)
            throws IOException, InterruptedException {
        return new FleetApply(this, options).apply(out, err, how, saved, report);
    }

    /** The host's session, through the transport its {@code connection:} names. */
    Session open(Member m, boolean writes) throws Transport.Unavailable {
        return Transport.of(m.host().connection()).open(m.host(), m.playbook(), m.graph(), options.settings(), writes);
    }

    /** {@code (ssh: 4 round trips)} after an ssh host's summary line. */
    static String trips(Session t) {
        return t.roundTrips().map(n -> " (ssh: " + n + " round trip" + (n == 1 ? "" : "s") + ")").orElse("");
    }

    static void addTrips(ObjectNode json, Session t) {
        t.roundTrips().ifPresent(n -> json.put("round_trips", n));
    }

    /**
     * Runs every host: one after the other with live output when {@code --forks 1}, else up to
     * {@code --forks} at once, each host's section kept until it is done and printed in inventory
     * order. Then the summary, one line per host and the totals.
     */
    List<HostRun> runAll(PrintWriter out, PrintWriter err, HostWork work) throws IOException, InterruptedException {
        ObjectNode hosts = JSON.createObjectNode();
        List<String> summary = new ArrayList<>();
        List<HostRun> runs = new ArrayList<>();
        int forks = Math.max(1, Math.min(inventory.forks, members.size()));
        if (forks == 1) {
            for (Member m : members) {
                header(out, m.host().name());
                HostRun r = work.run(m, out, err, true);
                runs.add(r);
                out.flush();
            }
        } else {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(forks, r -> {
                Thread th = new Thread(r, "mosaic-host");
                th.setDaemon(true);
                return th;
            });
            try {
                List<java.util.concurrent.Future<HostRun>> futures = new ArrayList<>();
                for (Member m : members) {
                    futures.add(pool.submit(() -> {
                        java.io.StringWriter o = new java.io.StringWriter();
                        java.io.StringWriter e = new java.io.StringWriter();
                        try (PrintWriter po = new PrintWriter(o); PrintWriter pe = new PrintWriter(e)) {
                            HostRun r = work.run(m, po, pe, false);
                            po.flush();
                            pe.flush();
                            return new HostRun(r.name(), o.toString(), e.toString(), r.json(), r.summary(), r.status(), r.changes(),
                                    r.stale());
                        }
                    }));
                }
                for (int i = 0; i < members.size(); i++) {
                    HostRun r;
                    try {
                        r = futures.get(i).get();
                    } catch (java.util.concurrent.ExecutionException ex) {
                        Throwable cause = ex.getCause();
                        if (cause instanceof IOException io) {
                            throw io;
                        }
                        if (cause instanceof RuntimeException re) {
                            throw re;
                        }
                        throw new IOException(cause);
                    }
                    header(out, r.name());
                    out.print(r.section());
                    err.print(r.errors());
                    out.flush();
                    err.flush();
                    runs.add(r);
                }
            } finally {
                pool.shutdownNow();
            }
        }
        for (HostRun r : runs) {
            summary.add(r.summary());
            if (r.json() != null) {
                hosts.set(r.name(), r.json());
            }
        }
        finish(out, hosts, summary, runs);
        return runs;
    }

    /** {@code 3 changed, 0 refreshed, 5 unchanged, 0 failed, 0 skipped.} */
    static String counts(Engine.ApplyResult result) {
        var c = result.counts();
        return c.getOrDefault(Outcome.Status.CHANGED, 0L) + " changed, "
                + c.getOrDefault(Outcome.Status.REFRESHED, 0L) + " refreshed, "
                + c.getOrDefault(Outcome.Status.UNCHANGED, 0L) + " unchanged, "
                + c.getOrDefault(Outcome.Status.FAILED, 0L) + " failed, "
                + c.getOrDefault(Outcome.Status.SKIPPED, 0L) + " skipped.";
    }

    private void header(PrintWriter out, String name) {
        if (!options.json) {
            if (!members.get(0).host().name().equals(name)) {
                out.println();
            }
            out.println("== host " + name + " ==");
        }
    }

    /** A host its transport cannot reach or that refused us: reported, and the others go on. */
    HostRun unavailable(Member m, Transport.Unavailable u, boolean writes, PrintWriter out, PrintWriter err) {
        InventoryHost h = m.host();
        Status status = u.unreachable() ? Status.UNREACHABLE : Status.FAILED;
        err.println("error: host " + h.name() + ": " + u.getMessage() + " (" + h.describe() + ")");
        ObjectNode json = null;
        if (options.json) {
            json = JSON.createObjectNode();
            json.put("connection", h.connection().word());
            json.put("status", status.word);
            json.put("error", u.getMessage());
        } else {
            out.println("not " + (writes ? "applied" : "planned") + ": " + u.getMessage());
        }
        String word = u.unreachable() ? "unreachable" : "error";
        return new HostRun(h.name(), "", "", json, h.name() + ": " + word + ": " + u.getMessage(), status, false, false);
    }

    private void finish(PrintWriter out, ObjectNode hosts, List<String> summary, List<HostRun> runs) {
        if (options.json) {
            ObjectNode root = JSON.createObjectNode();
            root.set("hosts", hosts);
            try {
                out.println(JSON.writeValueAsString(root));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            if (!members.isEmpty()) {
                out.println();
            }
            out.println("== summary ==");
            if (summary.isEmpty()) {
                out.println("no hosts selected");
            }
            summary.forEach(out::println);
            if (!runs.isEmpty()) {
                Map<Status, Long> by = new java.util.EnumMap<>(Status.class);
                runs.forEach(r -> by.merge(r.status(), 1L, Long::sum));
                StringBuilder sb = new StringBuilder("Hosts: ");
                for (Status st : Status.values()) {
                    sb.append(st == Status.OK ? "" : ", ").append(by.getOrDefault(st, 0L)).append(' ').append(st.word);
                }
                out.println(sb.append('.'));
            }
        }
        out.flush();
    }

    static com.fasterxml.jackson.databind.JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
