package dev.mosaic.resource;

import java.util.Set;

/**
 * The target paths a resource manages ({@code produces}) and the ones it reads ({@code reads}). The
 * graph derives implicit edges from them: a path under a managed directory depends on that
 * directory's resource, and a reader depends on the producer of what it reads.
 */
public record Paths(Set<String> produces, Set<String> reads) {

    public Paths {
        produces = Set.copyOf(produces);
        reads = Set.copyOf(reads);
    }

    public static Paths produces(String path) {
        return new Paths(Set.of(path), Set.of());
    }

    public static final Paths NONE = new Paths(Set.of(), Set.of());
}
