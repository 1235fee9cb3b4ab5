package dev.mosaic.resource;

/**
 * A resource cannot be observed or converged for a reason the user can act on (a path occupied by
 * something else, a missing source). Reported as that resource's failure, with this message.
 */
public class ResourceException extends Exception {

    public ResourceException(String message) {
        super(message);
    }

    public ResourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
