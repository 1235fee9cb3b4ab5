package dev.mosaic.render;

import dev.mosaic.diag.Suggest;
import dev.mosaic.diag.UserError;
import dev.mosaic.engine.Plan;
import dev.mosaic.engine.PlannedChange;
import dev.mosaic.graph.Edge;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Address;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Why one resource is in a plan ({@code mosaic explain}): its planned change and, through the
 * graph, the changes upstream that put it there, back to the root causes (resources that change
 * for a reason of their own: new, config changed, drift, or that cannot be planned).
 *
 * <p>The chain is the plan's own: each entry carries the upstream entries that caused it, as the
 * engine recorded them when it planned ({@link PlannedChange#because()}) — for a resource whose
 * input changed, its neighbours through edges that carry data from a changing resource; for a
 * refreshed one, the resources that notify it; for a deferred one, the changing dependencies it
 * waits for; for a skipped one, the resource that could not be planned. A plan is a DAG, so every
 * walk ends. Pure: built from a {@link Plan} alone, nothing is derived again; rendered by
 * {@link ExplainText} and {@link ExplainJson}.
 */
public final class Explain {

    /** More paths than this are counted, not listed: a change to a kernel tree reaches a lot. */
    static final int MAX_PATHS = 10;

    /**
     * One resource of the explanation: its planned change, and the upstream resources that
     * caused it, each with the edge it came through ({@code null} when the two are not
     * neighbours, as a skipped resource and the failure that skipped it may not be).
     */
    public record Node(PlannedChange change, List<Because> because) {

        public Address address() {
            return change.address();
        }

        /** Changes for a reason of its own (or cannot be planned): where a chain ends. */
        public boolean isRoot() {
            return because.isEmpty();
        }
    }

    /** An upstream resource that caused a change, and the edge between the two. */
    public record Because(Node upstream, Edge edge) {
    }

    /** The explanation of {@code node.address()} in the plan of {@code playbook} on {@code target}. */
    public record Explanation(String playbook, String target, Node node) {

        /** Whether the resource is up to date: planned, and nothing to do. */
        public boolean upToDate() {
            return node.change().status() == PlannedChange.Status.PLANNED && node.change().action() == Action.NOOP;
        }

        /**
         * Every path from the resource to a root cause, the resource first, in a stable order; at
         * most {@link #MAX_PATHS} of them (see {@link #pathCount()}).
         */
        public List<List<Node>> paths() {
            List<List<Node>> out = new ArrayList<>();
            collect(node, new ArrayList<>(), out);
            return out;
        }

        /** How many paths lead to a root cause in all, listed or not. */
        public long pathCount() {
            return count(node, new HashMap<>());
        }

        /** The resources of the explanation, each once, root causes first (the order of the plan). */
        public List<Node> nodes() {
            Map<Address, Node> seen = new LinkedHashMap<>();
            visit(node, seen);
            Map<Address, Integer> depths = new HashMap<>();
            List<Node> all = new ArrayList<>(seen.values());
            all.sort(Comparator.comparingInt((Node n) -> depth(n, depths)).thenComparing(Node::address));
            return all;
        }

        private static void collect(Node n, List<Node> path, List<List<Node>> out) {
            if (out.size() >= MAX_PATHS) {
                return;
            }
            path.add(n);
            if (n.isRoot()) {
                out.add(List.copyOf(path));
            }
            for (Because b : n.because()) {
                collect(b.upstream(), path, out);
            }
            path.remove(path.size() - 1);
        }

        private static long count(Node n, Map<Address, Long> memo) {
            if (n.isRoot()) {
                return 1;
            }
            Long known = memo.get(n.address());
            if (known != null) {
                return known;
            }
            long c = 0;
            for (Because b : n.because()) {
                c += count(b.upstream(), memo);
            }
            memo.put(n.address(), c);
            return c;
        }

        private static void visit(Node n, Map<Address, Node> seen) {
            if (seen.putIfAbsent(n.address(), n) != null) {
                return;
            }
            n.because().forEach(b -> visit(b.upstream(), seen));
        }

        /** The longest way from {@code n} to a root cause: roots are 0. */
        private static int depth(Node n, Map<Address, Integer> memo) {
            Integer known = memo.get(n.address());
            if (known != null) {
                return known;
            }
            int d = 0;
            for (Because b : n.because()) {
                d = Math.max(d, 1 + depth(b.upstream(), memo));
            }
            memo.put(n.address(), d);
            return d;
        }
    }

    private Explain() {
    }

    /**
     * The address a user typed among {@code known} ones: the exact address, or a bare id that only
     * one resource has ({@code pxe-menu} for {@code file[pxe-menu]}).
     *
     * @throws UserError when the bare id belongs to several resources
     */
    public static Optional<Address> find(String typed, Collection<Address> known) {
        for (Address a : known) {
            if (a.toString().equals(typed)) {
                return Optional.of(a);
            }
        }
        List<Address> byId = known.stream().filter(a -> a.id().equals(typed)).sorted().toList();
        if (byId.size() > 1) {
            throw new UserError("'" + typed + "' is the id of " + byId.size() + " resources: "
                    + String.join(", ", byId.stream().map(Address::toString).toList()) + "; give the whole address");
        }
        return byId.stream().findFirst();
    }

    /** The error for an address nothing matches, with the closest one ("did you mean"). */
    public static UserError unknown(String typed, Collection<Address> known) {
        List<String> names = known.stream().map(Address::toString).sorted().toList();
        String hint = Suggest.hint(typed, names);
        if (hint.isEmpty()) {
            // A misspelt bare id: suggest the whole address of the closest id.
            hint = Suggest.closest(typed, known.stream().map(Address::id).toList())
                    .flatMap(id -> known.stream().filter(a -> a.id().equals(id)).map(Address::toString).sorted().findFirst())
                    .map(a -> " (did you mean '" + a + "'?)").orElse("");
        }
        String list = names.isEmpty() ? "" : "; its resources: " + String.join(", ", names.size() > 12 ? names.subList(0, 12) : names)
                + (names.size() > 12 ? ", … (mosaic graph lists them all)" : "");
        return new UserError("no resource " + typed + " in this playbook or its plan" + hint + list);
    }

    /** Explains why {@code address} (an entry of {@code plan}) is, or is not, in it. */
    public static Explanation of(Plan plan, Address address) {
        Map<Address, PlannedChange> entries = plan.byAddress();
        if (!entries.containsKey(address)) {
            throw new IllegalArgumentException(address + " is not in the plan");
        }
        return new Explanation(plan.playbook(), plan.target(), node(address, entries, new HashMap<>()));
    }

    /** The entry of {@code a} with the chain its plan recorded, each upstream entry explained once. */
    private static Node node(Address a, Map<Address, PlannedChange> entries, Map<Address, Node> memo) {
        Node known = memo.get(a);
        if (known != null) {
            return known;
        }
        PlannedChange c = entries.get(a);
        List<Because> because = new ArrayList<>();
        for (PlannedChange.Upstream u : c.because()) {
            if (entries.containsKey(u.address())) {
                because.add(new Because(node(u.address(), entries, memo), u.edge()));
            }
        }
        Node n = new Node(c, List.copyOf(because));
        memo.put(a, n);
        return n;
    }
}
