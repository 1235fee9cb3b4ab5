package dev.mosaic.resource;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The registry of resource kinds by their YAML name. A spec is bound to its kind where it is
 * parsed ({@link Bound}); the engine calls the kind through that binding.
 */
public final class Kinds {

    // Sorted by name: the order of all() is the same whichever order the kinds were registered in.
    private final Map<String, ResourceType<?, ?>> byName = new TreeMap<>();

    /**
     * The kinds registered through {@link ServiceLoader}: each kind's class named on one line of
     * {@code META-INF/services/dev.mosaic.resource.ResourceType}. The loader reads that list and
     * instantiates each class by its public no-argument constructor; nothing scans the class path,
     * so start-up pays only for the kinds themselves.
     */
    public static Kinds installed() {
        List<ResourceType<?, ?>> found = new ArrayList<>();
        for (ResourceType<?, ?> kind : ServiceLoader.load(ResourceType.class, Kinds.class.getClassLoader())) {
            found.add(kind);
        }
        return new Kinds(found);
    }

    public Kinds(List<ResourceType<?, ?>> kinds) {
        for (ResourceType<?, ?> k : kinds) {
            if (byName.put(k.kind(), k) != null) {
                throw new IllegalArgumentException("kind registered twice: " + k.kind());
            }
        }
    }

    public Optional<ResourceType<?, ?>> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<String> names() {
        return new TreeSet<>(byName.keySet());
    }

    public Collection<ResourceType<?, ?>> all() {
        return byName.values();
    }
}
