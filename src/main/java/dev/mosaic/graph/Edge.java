package dev.mosaic.graph;

import dev.mosaic.resource.Address;

/**
 * A dependency: {@code to} comes after {@code from}. Explicit edges come from {@code requires} and
 * {@code notify}; implicit ones from paths ({@code reason} says which).
 */
public record Edge(Address from, Address to, Kind kind, String reason) {

    public enum Kind {
        REQUIRES(true, "requires"),
        NOTIFY(true, "notify"),
        PARENT(false, "parent directory"),
        READS(false, "reads"),
        MODIFIES(false, "modifies");

        private final boolean explicit;
        private final String word;

        Kind(boolean explicit, String word) {
            this.explicit = explicit;
            this.word = word;
        }

        public boolean explicit() {
            return explicit;
        }

        public String word() {
            return word;
        }
    }

    /**
     * From the two ends only (whose hash codes {@link Address} keeps): the graph looks edges up by
     * hash on every step of a walk, and a graph holds at most one edge between two resources.
     * Equal edges still have equal hash codes, so this agrees with the record's {@code equals}.
     */
    @Override
    public int hashCode() {
        return 31 * from.hashCode() + to.hashCode();
    }

    /** Whether a change upstream can change what the downstream resource sees (not a mere order). */
    public boolean carriesData() {
        return kind == Kind.REQUIRES || kind == Kind.READS || kind == Kind.MODIFIES;
    }

    /**
     * The edge as a sentence that reads in its direction ({@code from} comes before {@code to}):
     * {@code explicit: b requires a}, {@code explicit: a notifies b}, or {@code implicit: <reason>}.
     */
    public String explain() {
        return switch (kind) {
            case REQUIRES -> "explicit: " + name(to) + " requires " + name(from);
            case NOTIFY -> "explicit: " + name(from) + " notifies " + name(to);
            default -> "implicit: " + reason;
        };
    }

    /** The id a playbook's resource is known by; the whole address for a module's. */
    private static String name(Address a) {
        return a.modules().isEmpty() ? a.id() : a.toString();
    }

    /** {@code requires}, {@code notify}, or {@code implicit: /srv/tftp/x is under /srv/tftp}. */
    public String label() {
        return kind.explicit() ? kind.word() : "implicit: " + reason;
    }
}
