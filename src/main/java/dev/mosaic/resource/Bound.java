package dev.mosaic.resource;

import dev.mosaic.host.Host;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A parsed spec bound to the kind that parsed it. The pair is made once, where the spec is made
 * ({@link #parse}), by generic capture: from then on every call of the kind ({@link #observe},
 * {@link #apply}, {@link #paths}, …) gets the spec with its own type, and what it observed travels
 * as a {@link Seen} of the same binding, so nothing between the playbook and the kind casts.
 *
 * <p>The one place types meet at run time is a batch ({@link #applyBatch}, {@link #prefetch}): its
 * members are bindings of one kind, known as the same kind object ({@code ==}), whose specs go to
 * the kind in one list (see {@link #specOf}).
 *
 * @param <S> the kind's parsed spec
 * @param <O> the kind's observed state
 */
public record Bound<S, O>(ResourceType<S, O> type, S spec) {

    public Bound {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(spec, "spec");
    }

    /**
     * The kind's spec for a resource body, bound to it; null when the kind made none (it
     * reported why through the reader).
     */
    public static <S, O> Bound<S, O> parse(ResourceType<S, O> type, SpecReader reader) {
        S spec = type.parse(reader);
        return spec == null ? null : new Bound<>(type, spec);
    }

    /** The kind's name, as {@code type:} in playbooks. */
    public String kind() {
        return type.kind();
    }

    public boolean has(Capability capability) {
        return type.has(capability);
    }

    public Paths paths() {
        return type.paths(spec);
    }

    /** What the target looks like now, kept with this binding for {@link Seen#diff} and the digests. */
    public Seen<S, O> observe(Context ctx) throws IOException, ResourceException {
        return new Seen<>(this, type.observe(spec, ctx));
    }

    public void apply(Change change, Context ctx) throws IOException, ResourceException {
        type.apply(spec, change, ctx);
    }

    public String batchKey() {
        return type.batchKey(spec);
    }

    public List<Command> commands() {
        return type.commands(spec);
    }

    public void refresh(Context ctx) throws IOException, ResourceException {
        type.refresh(spec, ctx);
    }

    public boolean refreshAfter(Change change) {
        return type.refreshAfter(spec, change);
    }

    /**
     * Converges {@code members} (this binding's kind, each with its change, in order) in one call
     * of the kind.
     *
     * @throws IllegalArgumentException when a member is of another kind: the engine's bug
     */
    public void applyBatch(List<? extends Bound<?, ?>> members, List<Change> changes, Context ctx)
            throws IOException, ResourceException {
        type.applyBatch(specsOf(members), changes, ctx);
    }

    /**
     * One look at {@code host} for all {@code members} (this binding's kind) before a remote run.
     *
     * @throws IllegalArgumentException when a member is of another kind: the engine's bug
     */
    public void prefetch(List<? extends Bound<?, ?>> members, Host host) throws IOException {
        type.prefetch(specsOf(members), host);
    }

    private List<S> specsOf(List<? extends Bound<?, ?>> members) {
        List<S> specs = new ArrayList<>(members.size());
        for (Bound<?, ?> m : members) {
            specs.add(specOf(m));
        }
        return specs;
    }

    /**
     * Another binding's spec, as this kind's: the one conversion of the binding. Two bindings
     * of the same kind object hold the same spec type — a class implements {@link ResourceType}
     * for one {@code S} only, and the record's constructor pairs a kind with a spec of its own
     * {@code S} — but two wildcard captures cannot say so to the compiler. The check is by
     * identity; no {@code Class<S>} exists to check the spec itself without adding a method to
     * every kind, and a spec type may be generic, which a class cannot check anyway.
     */
    private S specOf(Bound<?, ?> other) {
        if (other.type != type) {
            throw new IllegalArgumentException("a batch of " + type.kind() + " resources holds a "
                    + other.type.kind() + " (" + other.type.getClass().getName() + ")");
        }
        @SuppressWarnings("unchecked") // same kind object, hence the same S (see above)
        S same = (S) other.spec;
        return same;
    }

    /**
     * What a binding's kind observed, kept with the binding: the change and the digests are the
     * kind's, computed from its own spec and observation.
     */
    public record Seen<S, O>(Bound<S, O> bound, O state) {

        public Seen {
            Objects.requireNonNull(bound, "bound");
        }

        /** The change that would converge the target, field by field (pure). */
        public Change diff() throws ResourceException {
            return bound.type.diff(bound.spec, state);
        }

        /** See {@link ResourceType#inputDigest}. */
        public String inputDigest() {
            return bound.type.inputDigest(bound.spec, state);
        }

        /** See {@link ResourceType#overwritesDigest}. */
        public String overwritesDigest() {
            return bound.type.overwritesDigest(bound.spec, state);
        }
    }
}
