package dev.mosaic.resource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The registry of resource kinds by their YAML name, and the one place where the engine's untyped
 * specs meet the kinds' typed methods.
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

    // The casts below are safe: a spec object is only ever created by its own kind's parse().

    @SuppressWarnings("unchecked")
    private static <S, O> ResourceType<S, O> typed(ResourceType<?, ?> type) {
        return (ResourceType<S, O>) type;
    }

    public static Paths paths(ResourceType<?, ?> type, Object spec) {
        return typed(type).paths(spec);
    }

    public static Object observe(ResourceType<?, ?> type, Object spec, Context ctx) throws IOException, ResourceException {
        return typed(type).observe(spec, ctx);
    }

    public static Change diff(ResourceType<?, ?> type, Object spec, Object observed) throws ResourceException {
        return typed(type).diff(spec, observed);
    }

    public static void apply(ResourceType<?, ?> type, Object spec, Change change, Context ctx)
            throws IOException, ResourceException {
        typed(type).apply(spec, change, ctx);
    }

    public static String inputDigest(ResourceType<?, ?> type, Object spec, Object observed) {
        return typed(type).inputDigest(spec, observed);
    }

    public static String overwritesDigest(ResourceType<?, ?> type, Object spec, Object observed) {
        return typed(type).overwritesDigest(spec, observed);
    }

    public static String batchKey(ResourceType<?, ?> type, Object spec) {
        return typed(type).batchKey(spec);
    }

    public static void applyBatch(ResourceType<?, ?> type, List<Object> specs, List<Change> changes, Context ctx)
            throws IOException, ResourceException {
        typed(type).applyBatch(specs, changes, ctx);
    }

    public static List<Command> commands(ResourceType<?, ?> type, Object spec) {
        return typed(type).commands(spec);
    }

    public static void refresh(ResourceType<?, ?> type, Object spec, Context ctx) throws IOException, ResourceException {
        typed(type).refresh(spec, ctx);
    }

    public static void prefetch(ResourceType<?, ?> type, java.util.List<Object> specs, dev.mosaic.host.Host host)
            throws IOException {
        typed(type).prefetch(specs, host);
    }

    public static boolean refreshAfter(ResourceType<?, ?> type, Object spec, Change change) {
        return typed(type).refreshAfter(spec, change);
    }
}
