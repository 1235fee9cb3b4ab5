package dev.mosaic.engine;

import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Capability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The units apply walks: single resources, and batches — resources of one kind with the same
 * batch key at the same depth of the graph (a wave), converged in one call of the kind. Merging
 * resources of equal depth cannot make a cycle: a path between two of them would give them
 * different depths. A unit depends on every unit its members depend on.
 */
final class Batches implements Walker.Dag<Batches.Unit> {

    /** Resources converged together, in graph order. */
    record Unit(List<Address> members) {
    }

    private final List<Unit> order;
    private final Map<Unit, Set<Unit>> dependencies = new HashMap<>();
    private final Map<Unit, Set<Unit>> dependents = new HashMap<>();

    private Batches(List<Unit> order) {
        this.order = order;
    }

    static Batches of(ResourceGraph graph) {
        // Only kinds with a batch key (package) make batches: without any, every unit is one
        // resource, in graph order, and depths are not needed.
        Map<Address, Integer> depth = null;
        Map<String, List<Address>> groups = new LinkedHashMap<>();
        Map<Address, String> groupOf = new HashMap<>();
        for (Address a : graph.order()) {
            ResourceDecl d = graph.decl(a);
            String key = d.bound().batchKey();
            if (key != null && !d.type().has(Capability.REFRESHABLE)) {
                depth = depth == null ? depths(graph) : depth;
                String g = d.type().kind() + "\0" + key + "\0" + depth.get(a);
                groups.computeIfAbsent(g, k -> new ArrayList<>()).add(a);
                groupOf.put(a, g);
            }
        }
        Map<Address, Unit> unitOf = new HashMap<>();
        List<Unit> order = new ArrayList<>();
        for (Address a : graph.order()) {
            if (unitOf.containsKey(a)) {
                continue;
            }
            String g = groupOf.get(a);
            Unit u = new Unit(g == null ? List.of(a) : List.copyOf(groups.get(g)));
            u.members().forEach(m -> unitOf.put(m, u));
            order.add(u);
        }
        Batches b = new Batches(order);
        for (Unit u : order) {
            Set<Unit> deps = new LinkedHashSet<>();
            for (Address m : u.members()) {
                for (Address dep : graph.dependencies(m)) {
                    Unit du = unitOf.get(dep);
                    if (du != u) {
                        deps.add(du);
                    }
                }
            }
            b.dependencies.put(u, deps);
            b.dependents.putIfAbsent(u, new LinkedHashSet<>());
            for (Unit du : deps) {
                b.dependents.computeIfAbsent(du, k -> new LinkedHashSet<>()).add(u);
            }
        }
        b.dependencies.replaceAll((u, deps) -> compact(deps));
        b.dependents.replaceAll((u, deps) -> compact(deps));
        if (groups.isEmpty()) {
            return b; // graph order is an order of the units already
        }
        // A batch appears where its first member would; dependencies come first all the same,
        // since every member's dependencies lie at smaller depths.
        List<Unit> sorted = new ArrayList<>();
        Set<Unit> placed = new java.util.HashSet<>();
        for (Unit u : order) {
            place(u, b, placed, sorted);
        }
        b.order.clear();
        b.order.addAll(sorted);
        return b;
    }

    /** Most units have one dependency or none: an immutable small set holds that in a few bytes. */
    private static Set<Unit> compact(Set<Unit> units) {
        return units.size() <= 1 ? Set.copyOf(units) : units;
    }

    /** The length of the longest path of dependencies below each resource. */
    private static Map<Address, Integer> depths(ResourceGraph graph) {
        Map<Address, Integer> depth = new HashMap<>();
        for (Address a : graph.order()) {
            int d = 0;
            for (Address dep : graph.dependencies(a)) {
                d = Math.max(d, depth.get(dep) + 1);
            }
            depth.put(a, d);
        }
        return depth;
    }

    private static void place(Unit u, Batches b, Set<Unit> placed, List<Unit> out) {
        if (!placed.add(u)) {
            return;
        }
        for (Unit d : b.dependencies.get(u)) {
            place(d, b, placed, out);
        }
        out.add(u);
    }

    @Override
    public List<Unit> order() {
        return order;
    }

    @Override
    public Set<Unit> dependencies(Unit u) {
        return dependencies.get(u);
    }

    @Override
    public Set<Unit> dependents(Unit u) {
        return dependents.get(u);
    }
}
