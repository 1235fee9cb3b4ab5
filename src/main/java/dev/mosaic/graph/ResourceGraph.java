package dev.mosaic.graph;

import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.resource.Address;
import org.jgrapht.Graph;
import org.jgrapht.graph.builder.GraphTypeBuilder;
import org.jgrapht.traverse.NotDirectedAcyclicGraphException;
import org.jgrapht.traverse.TopologicalOrderIterator;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.Set;

/**
 * The acyclic dependency graph of a playbook's resources, with a deterministic order: dependencies
 * first, ties broken by declaration order, so plans are reproducible byte for byte. Immutable once
 * built (by {@link GraphBuilder}).
 */
public final class ResourceGraph {

    private final Graph<Address, Edge> graph;
    private final Map<Address, ResourceDecl> decls;
    private final List<Address> order;
    /** Each resource's direct dependencies and dependents, worked out once: the walks ask for them per resource. */
    private final Map<Address, Set<Address>> dependencies = new HashMap<>();
    private final Map<Address, Set<Address>> dependents = new HashMap<>();
    /** What {@code --target} selected, as {@link Targets} wrote it; empty for the whole playbook. */
    private final List<String> targets;
    /** The playbook's whole graph: this one, unless it is a {@link #restrictedTo} subgraph. */
    private final ResourceGraph whole;

    ResourceGraph(Graph<Address, Edge> graph, Map<Address, ResourceDecl> decls) {
        this(graph, decls, List.of(), null);
    }

    private ResourceGraph(Graph<Address, Edge> graph, Map<Address, ResourceDecl> decls, List<String> targets,
                          ResourceGraph whole) {
        this.graph = graph;
        this.decls = decls;
        this.targets = List.copyOf(targets);
        this.whole = whole == null ? this : whole;
        for (Address a : decls.keySet()) {
            dependencies.put(a, ends(graph.incomingEdgesOf(a), true));
            dependents.put(a, ends(graph.outgoingEdgesOf(a), false));
        }
        this.order = topologicalOrder();
    }

    private static Set<Address> ends(Set<Edge> edges, boolean from) {
        if (edges.isEmpty()) {
            return Set.of();
        }
        if (edges.size() == 1) { // most resources: one parent directory, no dependents
            Edge e = edges.iterator().next();
            return Set.of(from ? e.from() : e.to());
        }
        Set<Address> out = new LinkedHashSet<>();
        edges.forEach(e -> out.add(from ? e.from() : e.to()));
        return Collections.unmodifiableSet(out);
    }

    /**
     * Dependencies first; among resources whose dependencies are all placed, the one declared
     * first: JGraphT's Kahn order with the declaration index as the queue's priority. On a cycle
     * the iterator throws {@link NotDirectedAcyclicGraphException} once only the cycle's
     * resources (and what waits on them) are left; {@link GraphBuilder} reports them.
     */
    private List<Address> topologicalOrder() {
        Map<Address, Integer> declared = new HashMap<>();
        decls.keySet().forEach(a -> declared.put(a, declared.size()));
        List<Address> out = new ArrayList<>(declared.size());
        new TopologicalOrderIterator<>(graph, Comparator.comparingInt(declared::get)).forEachRemaining(out::add);
        return new IndexedList(out);
    }

    /** An immutable list whose {@code indexOf} is a map lookup: callers look up ranks in the order. */
    private static final class IndexedList extends AbstractList<Address> implements RandomAccess {
        private final Address[] items;
        private final Map<Address, Integer> index = new HashMap<>();

        IndexedList(List<Address> items) {
            this.items = items.toArray(new Address[0]);
            for (int i = 0; i < this.items.length; i++) {
                index.put(this.items[i], i);
            }
        }

        @Override
        public Address get(int i) {
            return items[i];
        }

        @Override
        public int size() {
            return items.length;
        }

        @Override
        public int indexOf(Object o) {
            Integer i = index.get(o);
            return i == null ? -1 : i;
        }

        @Override
        public int lastIndexOf(Object o) {
            return indexOf(o);
        }

        @Override
        public boolean contains(Object o) {
            return index.containsKey(o);
        }
    }

    static Graph<Address, Edge> newGraph() {
        return GraphTypeBuilder.<Address, Edge>directed().allowingMultipleEdges(false).allowingSelfLoops(false)
                .edgeClass(Edge.class).buildGraph();
    }

    /** Resources in apply order. */
    public List<Address> order() {
        return order;
    }

    public ResourceDecl decl(Address a) {
        return decls.get(a);
    }

    public List<ResourceDecl> decls() {
        return order.stream().map(decls::get).toList();
    }

    /** Direct dependencies of a resource (what must be done before it). */
    public Set<Address> dependencies(Address a) {
        return dependencies.get(a);
    }

    /** The edges into a resource, i.e. why each dependency comes first. */
    public Set<Edge> incoming(Address a) {
        return graph.incomingEdgesOf(a);
    }

    public Set<Address> dependents(Address a) {
        return dependents.get(a);
    }

    /** Every edge, sorted by source then target address. */
    public List<Edge> edges() {
        return graph.edgeSet().stream()
                .sorted(Comparator.comparing((Edge e) -> e.from().toString()).thenComparing(e -> e.to().toString()))
                .toList();
    }

    public int size() {
        return order.size();
    }

    /**
     * The subgraph of {@code keep} (which must hold everything its members require: see
     * {@link Targets}) with the edges among them, for {@code --target}: the walks of plan and
     * apply see only these resources, in the same relative order. {@code targets} is what the
     * user selected, as plans print it.
     */
    ResourceGraph restrictedTo(Set<Address> keep, List<String> targets) {
        Graph<Address, Edge> sub = newGraph();
        Map<Address, ResourceDecl> kept = new java.util.LinkedHashMap<>();
        decls.forEach((a, d) -> { // declaration order, which breaks the ties of the walk
            if (keep.contains(a)) {
                kept.put(a, d);
                sub.addVertex(a);
            }
        });
        for (Edge e : graph.edgeSet()) {
            if (keep.contains(e.from()) && keep.contains(e.to())) {
                sub.addEdge(e.from(), e.to(), e);
            }
        }
        return new ResourceGraph(sub, kept, targets, whole);
    }

    /** Whether this graph is part of the playbook's only ({@code --target}): then nothing outside it is planned, removals included. */
    public boolean partial() {
        return !targets.isEmpty();
    }

    /** What {@code --target} selected (addresses, or {@code module.NAME} for all of a module's resources); empty for the whole playbook. */
    public List<String> targets() {
        return targets;
    }

    /**
     * The playbook's whole graph (this one when not {@link #partial}): a resource changed under
     * {@code --target} still owes the refresh of a service it notifies outside the selection.
     */
    public ResourceGraph whole() {
        return whole;
    }
}
