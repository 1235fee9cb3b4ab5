package dev.mosaic.graph;

import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.resource.Address;
import org.jgrapht.Graph;
import org.jgrapht.graph.AbstractBaseGraph;
import org.jgrapht.graph.DefaultGraphType;
import org.jgrapht.graph.builder.GraphTypeBuilder;
import org.jgrapht.traverse.TopologicalOrderIterator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The acyclic dependency graph of a playbook's resources, with a deterministic order: dependencies
 * first, ties broken by declaration order, so plans are reproducible byte for byte. Immutable once
 * built (by {@link GraphBuilder}).
 */
public final class ResourceGraph {

    private final Graph<Address, Edge> graph;
    private final Map<Address, ResourceDecl> decls;
    private final List<Address> order;

    ResourceGraph(Graph<Address, Edge> graph, Map<Address, ResourceDecl> decls) {
        this.graph = graph;
        this.decls = decls;
        Map<Address, Integer> index = new LinkedHashMap<>();
        decls.keySet().forEach(a -> index.put(a, index.size()));
        List<Address> o = new ArrayList<>();
        new TopologicalOrderIterator<>(graph, Comparator.comparing(index::get)).forEachRemaining(o::add);
        this.order = List.copyOf(o);
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
        return graph.incomingEdgesOf(a).stream().map(Edge::from).collect(Collectors.toSet());
    }

    /** The edges into a resource, i.e. why each dependency comes first. */
    public Set<Edge> incoming(Address a) {
        return graph.incomingEdgesOf(a);
    }

    public Set<Address> dependents(Address a) {
        return graph.outgoingEdgesOf(a).stream().map(Edge::to).collect(Collectors.toSet());
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
}
