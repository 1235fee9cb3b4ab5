package dev.mosaic.engine;

import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.resource.Address;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Walks a resource graph with up to {@code jobs} resources at once (more while some wait on the
 * disk, see {@link #pool}), each starting when all its dependencies are done; many resources
 * ready together go to the workers in chunks. A resource whose dependency
 * {@linkplain Step#blocks() blocks} is not run: it and its own dependents get the skip result
 * instead. Results come back in graph order, so
 * whatever is printed from them is deterministic whatever the timing.
 */
final class Walker {

    /** The result of one resource's task. */
    interface Step {
        /** Whether dependents must not run (the resource failed or was skipped). */
        boolean blocks();
    }

    /** What the walk needs of a graph: an order (dependencies first) and the edges both ways. */
    interface Dag<N> {
        List<N> order();

        Set<N> dependencies(N n);

        Set<N> dependents(N n);

        static Dag<Address> of(ResourceGraph g) {
            return new Dag<>() {
                public List<Address> order() {
                    return g.order();
                }

                public Set<Address> dependencies(Address a) {
                    return g.dependencies(a);
                }

                public Set<Address> dependents(Address a) {
                    return g.dependents(a);
                }
            };
        }
    }

    /** At most this many ready resources go to one pool task. */
    static final int MAX_CHUNK = 64;

    /** Workers the pool may add while others wait on the disk. */
    static final int IO_SPARES = 8;

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
        return walk(Dag.of(graph), jobs, task, skip);
    }

    static <N, R extends Step> Map<N, R> walk(Dag<N> graph, int jobs, Function<N, R> task,
                                              java.util.function.BiFunction<N, N, R> skip) {
        Map<N, R> results = new java.util.concurrent.ConcurrentHashMap<>();
        Map<N, Integer> waiting = new HashMap<>();
        Map<N, N> blockedBy = new HashMap<>();
        Map<N, Integer> rank = new HashMap<>();
        ArrayDeque<N> ready = new ArrayDeque<>();
        for (N a : graph.order()) {
            rank.put(a, rank.size());
            int n = graph.dependencies(a).size();
            waiting.put(a, n);
            if (n == 0) {
                ready.add(a);
            }
        }
        ExecutorService pool = pool(jobs);
        try {
            CompletionService<List<N>> done = new ExecutorCompletionService<>(pool);
            int running = 0;
            int remaining = graph.order().size();
            List<N> batch = new ArrayList<>();
            while (remaining > 0) {
                // Resources ready together are handed out in chunks when there are many (a
                // thousand files in one directory): a pool task per resource costs more than
                // observing an unchanged file. Each chunk runs its resources one after the other.
                int chunk = Math.max(1, Math.min(MAX_CHUNK, ready.size() / (4 * Math.max(1, jobs))));
                while (!ready.isEmpty()) {
                    N a = ready.poll();
                    N cause = blockedBy.get(a);
                    if (cause != null) {
                        results.put(a, skip.apply(a, cause));
                        remaining--;
                        release(graph, a, cause, waiting, blockedBy, rank, ready);
                        continue;
                    }
                    batch.add(a);
                    if (batch.size() >= chunk || ready.isEmpty()) {
                        running += submit(done, batch, task, results);
                    }
                }
                running += submit(done, batch, task, results);
                if (remaining == 0) {
                    break;
                }
                if (running == 0) {
                    throw new IllegalStateException("graph walk stalled: is the graph acyclic?");
                }
                Future<List<N>> f = done.take();
                running--;
                for (N a : f.get()) {
                    remaining--;
                    release(graph, a, results.get(a).blocks() ? a : null, waiting, blockedBy, rank, ready);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("bug: a resource task threw", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        Map<N, R> ordered = new LinkedHashMap<>();
        graph.order().forEach(a -> ordered.put(a, results.get(a)));
        return ordered;
    }

    /**
     * {@code jobs} workers, and up to {@link #IO_SPARES} more while workers wait on the disk: a
     * host's fsync is a {@link ForkJoinPool#managedBlock managed block}, during which the pool
     * starts another task. Writing thousands of small files is mostly waiting for their fsyncs,
     * and waits overlap; what uses a core stays at {@code jobs} at once.
     */
    private static ExecutorService pool(int jobs) {
        int n = Math.max(1, jobs);
        ForkJoinPool.ForkJoinWorkerThreadFactory threads = p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("mosaic-worker-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        };
        return new ForkJoinPool(n, threads, null, false, 0, n + IO_SPARES, 1, busy -> true, 30, TimeUnit.SECONDS);
    }

    /** Hands {@code batch} to the pool as one task and empties it; the number of tasks submitted. */
    private static <N, R> int submit(CompletionService<List<N>> done, List<N> batch, Function<N, R> task,
                                     Map<N, R> results) {
        if (batch.isEmpty()) {
            return 0;
        }
        List<N> mine = List.copyOf(batch);
        batch.clear();
        done.submit(() -> {
            for (N n : mine) {
                results.put(n, task.apply(n));
            }
            return mine;
        });
        return 1;
    }

    /**
     * A resource blocked by several failures names the first of them in graph order, not the first
     * to finish, so that what is printed does not depend on timing.
     */
    private static <N> void release(Dag<N> graph, N finished, N blocker, Map<N, Integer> waiting,
                                    Map<N, N> blockedBy, Map<N, Integer> rank, ArrayDeque<N> ready) {
        List<N> next = graph.dependents(finished).stream().sorted(java.util.Comparator.comparing(rank::get)).toList();
        for (N d : next) {
            if (blocker != null) {
                blockedBy.merge(d, blockedBy.getOrDefault(finished, blocker),
                        (old, now) -> rank.get(old) <= rank.get(now) ? old : now);
            }
            if (waiting.merge(d, -1, Integer::sum) == 0) {
                ready.add(d);
            }
        }
    }

}
