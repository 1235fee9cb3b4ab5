package dev.mosaic.resource;

import java.io.IOException;
import java.util.Optional;

/**
 * The playbook's lock file ({@code mosaic.lock} next to it): the sha256 recorded by the first
 * successful fetch of each URL, which every later fetch, on any server, must match.
 */
public interface Pins {

    Optional<String> sha256(String url) throws IOException;

    void pin(String url, String sha256) throws IOException;
}
