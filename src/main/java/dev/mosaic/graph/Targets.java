package dev.mosaic.graph;

import dev.mosaic.diag.Suggest;
import dev.mosaic.diag.UserError;
import dev.mosaic.resource.Address;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code --target ADDRESS}: the part of a graph that a plan or apply is limited to — the selected
 * resources and, transitively, everything they require (their ancestors), as Terraform's
 * {@code -target} does. What depends on a selected resource is left out: selecting a file does not
 * restart the service it notifies (the refresh stays owed, see {@link ResourceGraph#whole}).
 *
 * <p>An address is written as plans print it ({@code file[pxe-menu]},
 * {@code module.kernel.build[bzImage]}), as a bare id when one resource alone has it
 * ({@code pxe-menu}), or as a module instance ({@code module.kernel}) for all of its resources.
 */
public final class Targets {

    private Targets() {
    }

    /**
     * {@code graph} itself when {@code typed} is empty, else its subgraph for those addresses.
     *
     * @throws UserError naming the first address nothing matches, with the closest one
     */
    public static ResourceGraph select(ResourceGraph graph, List<String> typed) {
        if (typed.isEmpty()) {
            return graph;
        }
        Set<Address> chosen = new LinkedHashSet<>();
        List<String> written = new ArrayList<>();
        for (String t : typed) {
            List<Address> matched = match(t.strip(), graph.order());
            chosen.addAll(matched);
            String w = isModule(t.strip()) ? t.strip() : matched.get(0).toString();
            if (!written.contains(w)) {
                written.add(w);
            }
        }
        return graph.restrictedTo(withAncestors(graph, chosen), written);
    }

    /** The resources one typed address selects: one resource, or all of a module instance's. */
    static List<Address> match(String typed, List<Address> known) {
        if (isModule(typed)) {
            List<String> aliases = aliases(typed);
            List<Address> in = known.stream().filter(a -> a.modules().size() >= aliases.size()
                    && a.modules().subList(0, aliases.size()).equals(aliases)).toList();
            if (!in.isEmpty()) {
                return in;
            }
            throw unknown(typed, known);
        }
        for (Address a : known) {
            if (a.toString().equals(typed)) {
                return List.of(a);
            }
        }
        List<Address> byId = known.stream().filter(a -> a.id().equals(typed)).sorted().toList();
        if (byId.size() > 1) {
            throw new UserError("--target " + typed + ": '" + typed + "' is the id of " + byId.size() + " resources: "
                    + String.join(", ", byId.stream().map(Address::toString).toList()) + "; give the whole address");
        }
        if (byId.isEmpty()) {
            throw unknown(typed, known);
        }
        return byId;
    }

    /** {@code module.a} or {@code module.a.module.b}: a module instance, not one resource. */
    private static boolean isModule(String typed) {
        return typed.matches("module\\.[^.\\[\\]]+(\\.module\\.[^.\\[\\]]+)*");
    }

    private static List<String> aliases(String module) {
        List<String> out = new ArrayList<>();
        String[] parts = module.split("\\.");
        for (int i = 1; i < parts.length; i += 2) {
            out.add(parts[i]);
        }
        return out;
    }

    /** Nothing matches: the closest address or module instance, and what there is. */
    private static UserError unknown(String typed, List<Address> known) {
        TreeSet<String> names = new TreeSet<>();
        TreeSet<String> modules = new TreeSet<>();
        for (Address a : known) {
            names.add(a.toString());
            StringBuilder m = new StringBuilder();
            for (String alias : a.modules()) {
                m.append(m.length() == 0 ? "" : ".").append("module.").append(alias);
                modules.add(m.toString());
            }
        }
        List<String> candidates = new ArrayList<>(names);
        candidates.addAll(modules);
        String hint = Suggest.hint(typed, candidates);
        if (hint.isEmpty()) { // a misspelt bare id: the whole address of the closest id
            hint = Suggest.closest(typed, known.stream().map(Address::id).toList())
                    .flatMap(id -> known.stream().filter(a -> a.id().equals(id)).map(Address::toString).sorted().findFirst())
                    .map(a -> " (did you mean '" + a + "'?)").orElse("");
        }
        List<String> shown = new ArrayList<>(names).subList(0, Math.min(12, names.size()));
        return new UserError("--target " + typed + ": no resource or module instance " + typed + " in this playbook" + hint
                + (names.isEmpty() ? "" : "; its resources: " + String.join(", ", shown)
                + (names.size() > shown.size() ? ", … (mosaic graph lists them all)" : ""))
                + ". Nothing was planned or changed.");
    }

    /** {@code chosen} and, transitively, everything they require. */
    private static Set<Address> withAncestors(ResourceGraph graph, Set<Address> chosen) {
        Set<Address> keep = new LinkedHashSet<>(chosen);
        Deque<Address> todo = new ArrayDeque<>(chosen);
        while (!todo.isEmpty()) {
            for (Address d : graph.dependencies(todo.pop())) {
                if (keep.add(d)) {
                    todo.push(d);
                }
            }
        }
        return keep;
    }
}
