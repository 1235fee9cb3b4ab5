package dev.mosaic.engine;

import dev.mosaic.resource.Address;
import dev.mosaic.resource.Change;

/**
 * What apply did to one resource. {@code change} is what was converged (NOOP when nothing);
 * {@code message} explains a failure or a skip.
 */
public record Outcome(Address address, Status status, Change change, Cause cause, String message, long millis) {

    public enum Status {
        UNCHANGED("ok"), CHANGED("changed"), REFRESHED("refreshed"), FAILED("failed"), SKIPPED("skipped"),
        /** A saved plan's change refused: the resource moved since the plan (message: what). */
        STALE("stale");

        private final String word;

        Status(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    public boolean failed() {
        return status == Status.FAILED;
    }
}
