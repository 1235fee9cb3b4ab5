package dev.mosaic.resource;

import java.util.Set;

/**
 * The target paths a resource touches, from which the graph derives the edges nobody writes:
 * <ul>
 *   <li>{@code produces}: paths it owns (one owner per path). Whatever lies below comes after it.</li>
 *   <li>{@code reads}: paths (files or trees) whose content it uses. It comes after whoever
 *       produces or modifies them.</li>
 *   <li>{@code modifies}: trees it changes in place without owning them (a patch in a source
 *       tree). Among resources that produce or modify overlapping paths, declaration order
 *       decides, as in the recipe the playbook was written from; pure readers come after them.</li>
 * </ul>
 */
public record Paths(Set<String> produces, Set<String> reads, Set<String> modifies) {

    public Paths {
        produces = Set.copyOf(produces);
        reads = Set.copyOf(reads);
        modifies = Set.copyOf(modifies);
    }

    public Paths(Set<String> produces, Set<String> reads) {
        this(produces, reads, Set.of());
    }

    public static Paths produces(String path) {
        return new Paths(Set.of(path), Set.of());
    }

    public static final Paths NONE = new Paths(Set.of(), Set.of());
}
