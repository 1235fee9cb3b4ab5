package dev.mosaic.resource;

import java.util.Set;

/**
 * The target paths a resource touches, from which the graph derives the edges nobody writes:
 * <ul>
 *   <li>{@code produces}: paths it owns (one owner per path). Whatever lies below comes after it.</li>
 *   <li>{@code reads}: paths (files or trees) whose content it uses. It comes after whoever
 *       produces, modifies or fills them.</li>
 *   <li>{@code modifies}: trees it changes in place without owning them (a patch in a source
 *       tree). Among resources that produce, modify or fill overlapping paths, declaration order
 *       decides, as in the recipe the playbook was written from; pure readers come after them.</li>
 *   <li>{@code fills}: directories it writes into without owning them (an archive's dest). It
 *       comes after the producer of the directory or of a directory above it, as a produced path
 *       would, and before whoever reads or modifies what lies there; producers of paths below it
 *       are not ordered by it.</li>
 * </ul>
 */
public record Paths(Set<String> produces, Set<String> reads, Set<String> modifies, Set<String> fills) {

    public Paths {
        produces = Set.copyOf(produces);
        reads = Set.copyOf(reads);
        modifies = Set.copyOf(modifies);
        fills = Set.copyOf(fills);
    }

    public Paths(Set<String> produces, Set<String> reads, Set<String> modifies) {
        this(produces, reads, modifies, Set.of());
    }

    public Paths(Set<String> produces, Set<String> reads) {
        this(produces, reads, Set.of(), Set.of());
    }

    public static Paths produces(String path) {
        return new Paths(Set.of(path), Set.of());
    }

    public static final Paths NONE = new Paths(Set.of(), Set.of());
}
