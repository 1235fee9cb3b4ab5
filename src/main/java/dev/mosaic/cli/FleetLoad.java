package dev.mosaic.cli;

import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.UserError;
import dev.mosaic.playbook.Inventory;
import dev.mosaic.playbook.InventoryHost;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.PlaybookLoader;
import dev.mosaic.playbook.SchemaCache;
import dev.mosaic.session.Session;
import dev.mosaic.session.Settings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The playbook as each selected host of an inventory makes it, before any host is contacted. The
 * file is read and parsed once; then, for each host, what depends on its variables (interpolation,
 * modules, declarations, checks, the graph), on up to {@code --forks} threads but no more than the
 * machine has cores (the work is all computation). A resolved tree that one host's load validated
 * against its JSON Schema is not validated again for another host whose tree is the same
 * ({@link SchemaCache#inMemory}); a tree that differs is validated.
 *
 * <p>Problems are gathered in inventory order whatever order the loads finish in: a problem every
 * host has is reported once, as the playbook's; one that some hosts have names them.
 */
final class FleetLoad {

    private FleetLoad() {
    }

    /** One host's load: its member, or its problems. */
    private record Result(Fleet.Member member, List<Diagnostic> problems) {
    }

    static List<Fleet.Member> members(Path playbookFile, CommonOptions o, Inventory inventory, List<InventoryHost> hosts,
                                      int forks) {
        if (hosts.isEmpty()) {
            return List.of();
        }
        PlaybookLoader.Parsed parsed = PlaybookLoader.parse(playbookFile);
        SchemaCache validated = SchemaCache.inMemory();
        List<Result> results = loadAll(hosts, Math.min(forks, Runtime.getRuntime().availableProcessors()), h -> {
            try {
                Settings s = o.settings();
                Playbook p = Session.load(parsed, s, inventory.varsFor(h), validated);
                return new Result(new Fleet.Member(h, p, Session.graph(p, s)), List.of());
            } catch (UserError e) {
                return new Result(null, e.diagnostics());
            }
        });
        Map<Diagnostic, List<String>> problems = new LinkedHashMap<>();
        List<Fleet.Member> members = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            Result r = results.get(i);
            if (r.member() != null) {
                members.add(r.member());
            }
            String name = hosts.get(i).name();
            r.problems().forEach(d -> problems.computeIfAbsent(d, k -> new ArrayList<>()).add(name));
        }
        if (!problems.isEmpty()) {
            // A problem every host has is the playbook's; one some hosts have says which.
            Diagnostics diags = new Diagnostics();
            List<Diagnostic> out = new ArrayList<>();
            problems.forEach((d, names) -> out.add(names.size() == hosts.size() ? d
                    : new Diagnostic(d.severity(), d.pos(), d.message() + " (host" + (names.size() > 1 ? "s " : " ")
                    + String.join(", ", names) + ")")));
            diags.addAll(out);
            diags.throwIfErrors();
        }
        return members;
    }

    /** Each host's result, in the order of {@code hosts}; an unexpected exception is rethrown (the first host's). */
    private static List<Result> loadAll(List<InventoryHost> hosts, int threads,
                                        java.util.function.Function<InventoryHost, Result> load) {
        List<Result> results = new ArrayList<>();
        if (threads <= 1 || hosts.size() == 1) {
            hosts.forEach(h -> results.add(load.apply(h)));
            return results;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, hosts.size()), r -> {
            Thread th = new Thread(r, "mosaic-load");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<Result>> futures = new ArrayList<>();
            hosts.forEach(h -> futures.add(pool.submit(() -> load.apply(h))));
            for (Future<Result> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UserError("interrupted while loading the playbook for the inventory's hosts");
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
