package dev.mosaic.resource.directory;

import java.util.Optional;

/** A desired directory; {@code force} allows removing a non-empty one when absent. */
public record DirectorySpec(String path, boolean present, Optional<Integer> mode, Optional<String> owner,
                            Optional<String> group, boolean force) {

    static final int DEFAULT_MODE = 0755;
}
