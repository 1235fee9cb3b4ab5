package dev.mosaic.resource;

import java.io.IOException;
import java.util.Optional;

/**
 * A resource's own persistent notes on its target (a build's input fingerprint, an archive's
 * manifest), kept in Mosaic's state for that target. Written atomically per key. Read it in
 * {@code observe}, write it only in {@code apply}.
 */
public interface Memory {

    Optional<String> get(String key) throws IOException;

    void put(String key, String value) throws IOException;

    /** A memory that keeps nothing, for contexts without state. */
    Memory NONE = new Memory() {
        @Override
        public Optional<String> get(String key) {
            return Optional.empty();
        }

        @Override
        public void put(String key, String value) {
        }
    };
}
