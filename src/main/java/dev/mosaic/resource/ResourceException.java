package dev.mosaic.resource;

/**
 * A resource cannot be observed or converged for a reason the user can act on (a path occupied by
 * something else, a missing source). Reported as that resource's failure, with this message.
 */
public class ResourceException extends Exception {

    private final boolean deferrable;

    public ResourceException(String message) {
        this(message, true);
    }

    /**
     * @param deferrable whether a plan may treat the problem as "known after apply" when something
     *                   upstream changes first; false when no resource of the playbook could fix it
     */
    public ResourceException(String message, boolean deferrable) {
        super(message);
        this.deferrable = deferrable;
    }

    public boolean deferrable() {
        return deferrable;
    }

    public ResourceException(String message, Throwable cause) {
        super(message, cause);
        this.deferrable = true;
    }
}
