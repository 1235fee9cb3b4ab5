package dev.mosaic.engine;

import dev.mosaic.resource.Address;

/**
 * What the engine reports while it works; the CLI turns it into terminal lines, logs or JSON
 * events. Called from worker threads: implementations must be thread-safe. Nothing in the engine
 * prints by itself.
 */
public interface Events {

    Events NONE = new Events() { };

    /** A resource is about to be converged (it differs) or refreshed. */
    default void started(Address address, PlannedChange planned) {
    }

    /**
     * The same, with how long that resource's last change took here ({@code expectedMillis}, -1
     * when unknown), for a progress display. By default it calls the two-argument form.
     */
    default void started(Address address, PlannedChange planned, long expectedMillis) {
        started(address, planned);
    }

    default void finished(Outcome outcome) {
    }

    /** A line of output from a resource's work. */
    default void output(Address address, String line) {
    }

    default void warning(String message) {
    }

    /**
     * A step of Mosaic's own bookkeeping worth telling a user who asked ({@code --debug}): the
     * apply lock taken, and the like. Never a secret: the CLI prints it as it is.
     */
    default void debug(String message) {
    }
}
