package dev.mosaic.resource;

import java.io.IOException;

/**
 * One kind of resource ({@code file}, {@code directory}, …): what its spec is and how to converge it.
 *
 * <p>The contract is three verbs and no flags. The engine, never the kind, decides between a dry
 * run and a real one:
 * <ol>
 *   <li>{@link #observe} reads the target and changes nothing;</li>
 *   <li>{@link #diff} is pure: the same spec and observation always give the same {@link Change},
 *       listing field by field what differs;</li>
 *   <li>{@link #apply} converges in one call. Afterwards the engine observes again and expects
 *       {@link Action#NOOP}; anything else is reported as a bug in the kind.</li>
 * </ol>
 * Implementations are stateless and thread-safe: the engine calls them for many resources at once.
 *
 * @param <S> the parsed, immutable spec
 * @param <O> the immutable observed state
 */
public interface ResourceType<S, O> {

    /** The name used as {@code type:} in playbooks. */
    String kind();

    /** One line saying what the kind manages, for docs and {@code --help}. */
    String summary();

    /**
     * Builds the typed spec from a resource's YAML body, which already passed the kind's JSON
     * Schema. Semantic problems are reported through the reader; return null when there were any.
     */
    S parse(SpecReader reader);

    /** The target paths the resource manages and reads, for implicit graph edges. */
    default Paths paths(S spec) {
        return Paths.NONE;
    }

    O observe(S spec, Context ctx) throws IOException, ResourceException;

    Change diff(S spec, O observed) throws ResourceException;

    void apply(S spec, Change change, Context ctx) throws IOException, ResourceException;

    /**
     * A digest of inputs that live outside the playbook text (a source file's content, a source
     * tree), so that a change of them is reported as a config change rather than drift.
     */
    default String inputDigest(S spec, O observed) {
        return "";
    }

    /**
     * A digest of what the change would overwrite or remove on the target, as observed: for a
     * kind whose diff names paths without their content (a tree's "changed" and "removed" lists),
     * the content of each (see {@link Digests#onTarget}). A saved plan keeps it, so a file in the
     * change list edited by hand after the plan was reviewed makes the plan stale rather than
     * being overwritten. Kinds whose diffs carry the before-side already (a file's content digest,
     * a field's value) keep the default, empty.
     */
    default String overwritesDigest(S spec, O observed) {
        return "";
    }

    /** What the kind declares about itself for the engine (see {@link Capability}); none by default. */
    default java.util.Set<Capability> capabilities() {
        return java.util.Set.of();
    }

    /** Whether the kind declares {@code capability}. */
    default boolean has(Capability capability) {
        return capabilities().contains(capability);
    }

    /**
     * Resources of this kind with the same key whose dependencies are done at the same point of
     * the graph (the same wave) are converged in one {@link #applyBatch} call — one apt-get for
     * all the packages of a wave. Null (the default): each resource on its own.
     */
    default String batchKey(S spec) {
        return null;
    }

    /** Converges several resources of one batch at once; by default one after the other. */
    default void applyBatch(java.util.List<S> specs, java.util.List<Change> changes, Context ctx)
            throws IOException, ResourceException {
        for (int i = 0; i < specs.size(); i++) {
            apply(specs.get(i), changes.get(i), ctx);
        }
    }

    /**
     * The commands converging (or refreshing) this resource runs, for the plan to show; none by
     * default. What runs depends on the spec only, so a plan can say it before anything runs.
     */
    default java.util.List<Command> commands(S spec) {
        return java.util.List.of();
    }

    /** Re-runs the resource's effect (rebuild, reload) after a notifier changed; {@link Capability#REFRESHABLE} kinds only. */
    default void refresh(S spec, Context ctx) throws IOException, ResourceException {
        throw new UnsupportedOperationException(kind() + " cannot be refreshed");
    }

    /**
     * Before a run on a remote host: one look for all the resources of this kind, so that a kind
     * asking the host one question per resource asks once for all (a round trip per resource
     * saved). What it learns serves each resource's first observation only. Nothing by default.
     */
    default void prefetch(java.util.List<S> specs, dev.mosaic.host.Host host) throws IOException {
    }

    /**
     * Whether a refresh owed to a notified resource is still due after {@code change} converged
     * it in the same run. By default not: converging anew (a rebuild) takes in what changed
     * upstream. A service that was only enabled still runs with its old configuration.
     */
    default boolean refreshAfter(S spec, Change change) {
        return false;
    }
}
