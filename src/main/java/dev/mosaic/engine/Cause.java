package dev.mosaic.engine;

/**
 * Why a resource is in the plan, as Puppet distinguishes corrective changes from intended ones.
 */
public enum Cause {
    /** Mosaic has never converged this resource on this target. */
    NEW("new"),
    /** The playbook (or an input such as a source file) changed since the last converge. */
    CONFIG_CHANGED("config changed"),
    /** Same configuration as last time, but the target no longer matches: someone changed it. */
    DRIFT("drift"),
    /** Something it reads (a tree, a file another resource produces or modifies) will change first. */
    INPUT_CHANGED("input changed"),
    /** A resource it is notified by will change. */
    NOTIFIED("notified"),
    /** Mosaic created it on this target, and the playbook no longer declares it: a deletion. */
    REMOVED("removed from playbook"),
    /** Nothing to do. */
    NONE("");

    private final String word;

    Cause(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /** The cause a {@link #word()} names. */
    public static Cause ofWord(String word) {
        for (Cause c : values()) {
            if (c.word.equals(word)) {
                return c;
            }
        }
        throw new IllegalArgumentException("not a cause: " + word);
    }
}
