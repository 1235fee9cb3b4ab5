package dev.mosaic.engine;

import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.resource.Address;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Walks a resource graph with up to {@code jobs} resources at once, each starting when all its
 * dependencies are done. A resource whose dependency {@linkplain Step#blocks() blocks} is not run:
 * it and its own dependents get the skip result instead. Results come back in graph order, so
 * whatever is printed from them is deterministic whatever the timing.
 */
final class Walker {

    /** The result of one resource's task. */
    interface Step {
        /** Whether dependents must not run (the resource failed or was skipped). */
        boolean blocks();
    }

    private Walker() {
    }

    /**
     * @param task  runs one resource; gets the results of everything finished so far (its
     *              dependencies included)
     * @param skip  the result for a resource not run because {@code cause} blocked
     */
    static <R extends Step> Map<Address, R> walk(ResourceGraph graph, int jobs,
                                                   Function<Address, R> task,
                                                   java.util.function.BiFunction<Address, Address, R> skip) {
        Map<Address, R> results = new java.util.concurrent.ConcurrentHashMap<>();
        Map<Address, Integer> waiting = new HashMap<>();
        Map<Address, Address> blockedBy = new HashMap<>();
        Map<Address, Integer> rank = new HashMap<>();
        ArrayDeque<Address> ready = new ArrayDeque<>();
        for (Address a : graph.order()) {
            rank.put(a, rank.size());
            int n = graph.dependencies(a).size();
            waiting.put(a, n);
            if (n == 0) {
                ready.add(a);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, jobs), r -> {
            Thread t = new Thread(r, "mosaic-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            CompletionService<Address> done = new ExecutorCompletionService<>(pool);
            int running = 0;
            int remaining = graph.size();
            while (remaining > 0) {
                while (!ready.isEmpty()) {
                    Address a = ready.poll();
                    Address cause = blockedBy.get(a);
                    if (cause != null) {
                        results.put(a, skip.apply(a, cause));
                        remaining--;
                        release(graph, a, cause, waiting, blockedBy, rank, ready);
                        continue;
                    }
                    done.submit(() -> {
                        results.put(a, task.apply(a));
                        return a;
                    });
                    running++;
                }
                if (remaining == 0) {
                    break;
                }
                if (running == 0) {
                    throw new IllegalStateException("graph walk stalled: is the graph acyclic?");
                }
                Future<Address> f = done.take();
                Address a = f.get();
                running--;
                remaining--;
                release(graph, a, results.get(a).blocks() ? a : null, waiting, blockedBy, rank, ready);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("bug: a resource task threw", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        Map<Address, R> ordered = new LinkedHashMap<>();
        graph.order().forEach(a -> ordered.put(a, results.get(a)));
        return ordered;
    }

    /**
     * A resource blocked by several failures names the first of them in graph order, not the first
     * to finish, so that what is printed does not depend on timing.
     */
    private static void release(ResourceGraph graph, Address finished, Address blocker, Map<Address, Integer> waiting,
                                Map<Address, Address> blockedBy, Map<Address, Integer> rank, ArrayDeque<Address> ready) {
        for (Address d : sortedDependents(graph, finished)) {
            if (blocker != null) {
                blockedBy.merge(d, blockedBy.getOrDefault(finished, blocker),
                        (old, now) -> rank.get(old) <= rank.get(now) ? old : now);
            }
            if (waiting.merge(d, -1, Integer::sum) == 0) {
                ready.add(d);
            }
        }
    }

    private static List<Address> sortedDependents(ResourceGraph graph, Address a) {
        Set<Address> deps = new HashSet<>(graph.dependents(a));
        return deps.stream().sorted().toList();
    }
}
