package dev.mosaic.graph;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.SourcePos;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.Ref;
import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.TargetPaths;
import org.jgrapht.Graph;
import org.jgrapht.alg.connectivity.KosarajuStrongConnectivityInspector;
import org.jgrapht.traverse.NotDirectedAcyclicGraphException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds the {@link ResourceGraph} of a playbook in small steps, each adding one sort of edge:
 * <ol>
 *   <li>explicit {@code requires} and {@code notify} edges, as the user wrote them;</li>
 *   <li>path conflicts: two resources managing one path is an error, found before edges that
 *       would hide it;</li>
 *   <li>parent edges: a path depends on the resource managing its nearest managed ancestor
 *       (Puppet's autorequire), so no one has to write "directory before file"; a directory
 *       filled (an archive's dest) depends on the resource managing it or its nearest ancestor;</li>
 *   <li>read edges: a resource reading a path depends on whoever produces that path, a path
 *       above it, or anything below it, and on whoever fills a directory overlapping it;</li>
 *   <li>modify edges: resources changing a tree in place are ordered with the producers,
 *       fillers and other modifiers of overlapping paths by declaration order, and before pure
 *       readers;</li>
 *   <li>the cycle check last, because a cycle may mix explicit and implicit edges: JGraphT's
 *       topological order, which the graph needs anyway, fails on a cycle, and only then are
 *       the cycles worked out for the report.</li>
 * </ol>
 * Problems are reported as diagnostics with positions; the graph is built only when there are none.
 */
public final class GraphBuilder {

    private GraphBuilder() {
    }

    public static ResourceGraph build(Playbook playbook, Diagnostics diags) {
        Graph<Address, Edge> g = ResourceGraph.newGraph();
        Map<Address, ResourceDecl> decls = new LinkedHashMap<>();
        Map<String, ResourceDecl> byId = new HashMap<>();
        for (ResourceDecl d : playbook.resources()) {
            g.addVertex(d.address());
            decls.put(d.address(), d);
            byId.put(d.id(), d);
        }
        addExplicit(g, playbook.resources(), byId);
        Map<Address, Paths> paths = new HashMap<>();
        playbook.resources().forEach(d -> paths.put(d.address(), d.bound().paths()));
        NavigableMap<String, ResourceDecl> producers = producers(playbook.resources(), paths, diags);
        if (diags.hasErrors()) {
            return null;
        }
        addParents(g, playbook.resources(), paths, producers);
        addReads(g, playbook.resources(), paths, producers);
        addModifies(g, playbook.resources(), paths);
        if (diags.hasErrors()) {
            return null;
        }
        try {
            return new ResourceGraph(g, decls); // its topological order is the cycle check
        } catch (NotDirectedAcyclicGraphException cyclic) {
            reportCycles(g, decls, diags);
            return null;
        }
    }

    private static void addExplicit(Graph<Address, Edge> g, List<ResourceDecl> decls, Map<String, ResourceDecl> byId) {
        for (ResourceDecl d : decls) {
            for (Ref r : d.requires()) {
                add(g, byId.get(r.id()).address(), d.address(), Edge.Kind.REQUIRES, "");
            }
            for (Ref r : d.notifies()) {
                add(g, d.address(), byId.get(r.id()).address(), Edge.Kind.NOTIFY, "");
            }
        }
    }

    private static NavigableMap<String, ResourceDecl> producers(List<ResourceDecl> decls, Map<Address, Paths> paths,
                                                                Diagnostics diags) {
        NavigableMap<String, ResourceDecl> producers = new TreeMap<>();
        for (ResourceDecl d : decls) {
            for (String p : paths.get(d.address()).produces()) {
                ResourceDecl other = producers.putIfAbsent(p, d);
                if (other != null) {
                    diags.error(d.pos(), "resource '" + d.id() + "' manages " + p + ", which resource '" + other.id()
                            + "' (" + other.pos().fileAndLine() + ") manages already; a path has one owner");
                }
            }
        }
        return producers;
    }

    private static void addParents(Graph<Address, Edge> g, List<ResourceDecl> decls, Map<Address, Paths> paths,
                                   NavigableMap<String, ResourceDecl> producers) {
        for (ResourceDecl d : decls) {
            for (String p : paths.get(d.address()).produces()) {
                parent(g, d, p, TargetPaths.parent(p), producers);
            }
            for (String f : paths.get(d.address()).fills()) {
                parent(g, d, f, f, producers);
            }
        }
    }

    /** An edge to {@code d} from the producer of {@code from} or of its nearest produced ancestor. */
    private static void parent(Graph<Address, Edge> g, ResourceDecl d, String p, String from,
                               NavigableMap<String, ResourceDecl> producers) {
        for (String dir = from; dir != null; dir = TargetPaths.parent(dir)) {
            ResourceDecl owner = producers.get(dir);
            if (owner != null) {
                if (owner != d) {
                    add(g, owner.address(), d.address(), Edge.Kind.PARENT,
                            p.equals(dir) ? d.id() + " fills " + p : p + " is under " + dir);
                }
                return;
            }
        }
    }

    private static void addReads(Graph<Address, Edge> g, List<ResourceDecl> decls, Map<Address, Paths> paths,
                                 NavigableMap<String, ResourceDecl> producers) {
        List<ResourceDecl> fillers = decls.stream().filter(d -> !paths.get(d.address()).fills().isEmpty()).toList();
        for (ResourceDecl d : decls) {
            for (String r : paths.get(d.address()).reads()) {
                // The producer of the path itself or of a directory above it…
                for (String p = r; p != null; p = TargetPaths.parent(p)) {
                    ResourceDecl owner = producers.get(p);
                    if (owner != null) {
                        if (owner != d) {
                            add(g, owner.address(), d.address(), Edge.Kind.READS,
                                    d.id() + " reads " + r + (p.equals(r) ? "" : ", under " + p));
                        }
                        break;
                    }
                }
                // …and of anything below it (a tree read as a whole).
                String from = r.equals("/") ? "/" : r + "/";
                for (ResourceDecl owner : producers.subMap(from, false, from + Character.MAX_VALUE, false).values()) {
                    if (owner != d) {
                        add(g, owner.address(), d.address(), Edge.Kind.READS, d.id() + " reads the tree " + r);
                    }
                }
                // …and of whatever fills a directory where it reads, unless what it reads there
                // has an owner of its own (a filler never writes into another's path).
                for (ResourceDecl filler : fillers) {
                    String filled = filler == d ? null : firstOverlap(r, paths.get(filler.address()).fills());
                    if (filled != null && !ownedBelow(r, filled, filler, producers)) {
                        add(g, filler.address(), d.address(), Edge.Kind.READS, d.id() + " reads " + r + ", which "
                                + filler.id() + " fills (" + filled + ")");
                    }
                }
            }
        }
    }

    /** Whether a resource other than {@code filler} produces {@code r} or a directory between {@code r} and {@code dir}. */
    private static boolean ownedBelow(String r, String dir, ResourceDecl filler, NavigableMap<String, ResourceDecl> producers) {
        for (String p = r; p != null && TargetPaths.isUnder(p, dir); p = TargetPaths.parent(p)) {
            ResourceDecl owner = producers.get(p);
            if (owner != null && owner != filler) {
                return true;
            }
        }
        return false;
    }

    private static void addModifies(Graph<Address, Edge> g, List<ResourceDecl> decls, Map<Address, Paths> paths) {
        for (int i = 0; i < decls.size(); i++) {
            ResourceDecl m = decls.get(i);
            for (String mp : paths.get(m.address()).modifies()) {
                for (int j = 0; j < decls.size(); j++) {
                    ResourceDecl other = decls.get(j);
                    if (other == m) {
                        continue;
                    }
                    Paths op = paths.get(other.address());
                    String written = firstOverlap(mp, op.produces(), op.modifies(), op.fills());
                    if (written != null) {
                        // Both change overlapping paths: the playbook's order is the recipe's order.
                        if (j < i) {
                            add(g, other.address(), m.address(), Edge.Kind.MODIFIES, m.id() + " modifies " + mp + " after " + other.id() + " wrote " + written);
                        } else {
                            add(g, m.address(), other.address(), Edge.Kind.MODIFIES, m.id() + " modifies " + mp + " before " + other.id() + " writes " + written);
                        }
                        continue;
                    }
                    String read = firstOverlap(mp, op.reads());
                    if (read != null) {
                        add(g, m.address(), other.address(), Edge.Kind.MODIFIES, other.id() + " reads " + read + ", which " + m.id() + " modifies");
                    }
                }
            }
        }
    }

    /** The first path of the sets that is equal to, above or below {@code p}, sorted for determinism. */
    @SafeVarargs
    private static String firstOverlap(String p, Set<String>... sets) {
        return java.util.Arrays.stream(sets).flatMap(Set::stream).sorted()
                .filter(q -> q.equals(p) || TargetPaths.isUnder(q, p) || TargetPaths.isUnder(p, q))
                .findFirst().orElse(null);
    }

    private static void add(Graph<Address, Edge> g, Address from, Address to, Edge.Kind kind, String reason) {
        if (from.equals(to) || g.containsEdge(from, to)) {
            return; // the first reason found is enough to explain the order
        }
        g.addEdge(from, to, new Edge(from, to, kind, reason));
    }

    /** Reports the shortest cycle of each strongly connected component, in order, with positions. */
    private static void reportCycles(Graph<Address, Edge> g, Map<Address, ResourceDecl> decls, Diagnostics diags) {
        List<Set<Address>> components = new KosarajuStrongConnectivityInspector<>(g).stronglyConnectedSets();
        List<Address> index = new ArrayList<>(decls.keySet());
        for (Set<Address> scc : components) {
            if (scc.size() < 2) {
                continue;
            }
            List<Edge> best = null;
            List<Address> starts = new ArrayList<>(scc);
            starts.sort(Comparator.comparingInt(index::indexOf));
            for (Address start : starts) {
                List<Edge> c = shortestCycle(g, start, scc);
                if (c != null && (best == null || c.size() < best.size())) {
                    best = c;
                }
            }
            StringBuilder b = new StringBuilder("dependency cycle of " + best.size() + " resources:");
            for (Edge e : best) {
                ResourceDecl from = decls.get(e.from());
                b.append("\n    ").append(e.from()).append(" (").append(from.pos().fileAndLine()).append(")")
                        .append("\n      -> before ").append(e.to()).append(" (").append(e.explain()).append(")");
            }
            b.append("\n    ").append(best.get(0).from()).append(" (back to the start)");
            SourcePos pos = decls.get(best.get(0).from()).pos();
            diags.error(pos, b.toString());
        }
    }

    private static List<Edge> shortestCycle(Graph<Address, Edge> g, Address start, Set<Address> scc) {
        Map<Address, Edge> via = new HashMap<>();
        ArrayDeque<Address> queue = new ArrayDeque<>(List.of(start));
        while (!queue.isEmpty()) {
            Address cur = queue.poll();
            List<Edge> out = new ArrayList<>(g.outgoingEdgesOf(cur));
            out.sort(Comparator.comparing(e -> e.to().toString()));
            for (Edge e : out) {
                Address next = e.to();
                if (!scc.contains(next)) {
                    continue;
                }
                if (next.equals(start)) {
                    List<Edge> cycle = new ArrayList<>(List.of(e));
                    for (Address a = cur; !a.equals(start); a = via.get(a).from()) {
                        cycle.add(0, via.get(a));
                    }
                    return cycle;
                }
                if (!via.containsKey(next)) {
                    via.put(next, e);
                    queue.add(next);
                }
            }
        }
        return null;
    }
}
