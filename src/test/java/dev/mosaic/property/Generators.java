package dev.mosaic.property;

import dev.mosaic.property.Model.Drift;
import dev.mosaic.property.Model.Edit;
import dev.mosaic.property.Model.Entry;
import dev.mosaic.property.Model.Scenario;
import dev.mosaic.property.Model.Slot;
import dev.mosaic.property.Model.Unit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * jqwik arbitraries for {@link Model}: small playbooks of every kind the convergence properties
 * cover. Sizes are kept small on purpose — the properties are about how resources interact, and
 * each try runs the real engine two or three times.
 */
final class Generators {

    private Generators() {
    }

    /** Text with the characters that need care in YAML (quotes, '#', ':', braces), a tab, newlines and a non-ASCII one. */
    static Arbitrary<String> text() {
        return Arbitraries.strings().withChars("ab z\n\t\u00e9#:'\"-{}[]").ofMaxLength(12);
    }

    static Arbitrary<String> mode() {
        return Arbitraries.of("0644", "0600", "0755", "0640");
    }

    private static Arbitrary<Integer> ref() {
        return Arbitraries.integers().between(0, Model.MAX_SLOTS - 1);
    }

    /** Paths of a source tree or an archive: a fixed pool, so a file never sits where another needs a directory. */
    private static final List<String> TREE_PATHS = List.of("a", "b.txt", "sub/c", "sub/d", "sub/deeper/e");

    static Arbitrary<List<Entry>> tree() {
        Arbitrary<Entry> entry = Combinators.combine(Arbitraries.of(TREE_PATHS), text(), mode()).as(Entry::new);
        // One entry per path (the first wins), in the pool's order: a tree is a set of paths.
        return entry.list().ofMinSize(1).ofMaxSize(4).map(list -> {
            Map<String, Entry> byPath = new LinkedHashMap<>();
            list.forEach(e -> byPath.putIfAbsent(e.path(), e));
            return byPath.values().stream().sorted(java.util.Comparator.comparing(e -> TREE_PATHS.indexOf(e.path()))).toList();
        });
    }

    static Arbitrary<Unit> unit() {
        Arbitrary<Unit> file = Combinators.combine(text(), mode(), Arbitraries.of(false, true), ref(), ref())
                .as(Unit.File::new);
        Arbitrary<Unit> dir = mode().map(Unit.Dir::new);
        Arbitrary<Unit> link = Combinators.combine(ref(), Arbitraries.of(false, true)).as(Unit.Link::new);
        Arbitrary<Unit> copy = Combinators.combine(tree(), Arbitraries.of(false, true)).as(Unit.Copy::new);
        Arbitrary<Unit> archive = tree().map(Unit.Archive::new);
        Arbitrary<Unit> build = Combinators.combine(ref(), Arbitraries.of(false, true)).as(Unit.Build::new);
        Arbitrary<Unit> module = Combinators.combine(text(), mode()).as(Unit.Module::new);
        // Files, directories and links are what most playbooks hold; builds run a process, so fewer.
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, file), net.jqwik.api.Tuple.of(2, dir), net.jqwik.api.Tuple.of(2, link),
                net.jqwik.api.Tuple.of(2, copy), net.jqwik.api.Tuple.of(2, archive), net.jqwik.api.Tuple.of(2, build),
                net.jqwik.api.Tuple.of(1, module));
    }

    /** A unit of the same kind as {@code u} with other fields: the same address, a changed configuration. */
    static Arbitrary<Unit> sameKind(Unit u) {
        return unit().filter(other -> other.getClass() == u.getClass());
    }

    static Arbitrary<Slot> slot() {
        return unit().injectNull(0.15).flatMap(v1 -> {
            if (v1 == null) {
                return unit().map(v2 -> new Slot(null, v2));
            }
            // Version 2 mostly keeps the unit as it is, or changes it; sometimes it drops it or
            // puts a unit of another kind in the slot (a removal and a creation).
            return Arbitraries.frequencyOf(
                    net.jqwik.api.Tuple.of(4, Arbitraries.just(new Slot(v1, v1))),
                    net.jqwik.api.Tuple.of(3, sameKind(v1).map(v2 -> new Slot(v1, v2))),
                    net.jqwik.api.Tuple.of(1, Arbitraries.just(new Slot(v1, null))),
                    net.jqwik.api.Tuple.of(1, unit().map(v2 -> new Slot(v1, v2))));
        });
    }

    static Arbitrary<Drift> drift() {
        return Combinators.combine(ref(), Arbitraries.of(Edit.class)).as(Drift::new);
    }

    /** A scenario with drift between the two versions. */
    static Arbitrary<Scenario> scenarios() {
        return Combinators.combine(slot().list().ofMinSize(1).ofMaxSize(Model.MAX_SLOTS), drift().list().ofMaxSize(3))
                .as(Scenario::new);
    }

    /** A scenario without drift: the second version applied over the first as it was left. */
    static Arbitrary<Scenario> undisturbed() {
        return slot().list().ofMinSize(1).ofMaxSize(Model.MAX_SLOTS).map(s -> new Scenario(new ArrayList<>(s), List.of()));
    }
}
