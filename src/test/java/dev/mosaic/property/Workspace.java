package dev.mosaic.property;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a property class's tries write: one temp directory per class (jqwik has no {@code @TempDir}),
 * a fresh subdirectory per try, deleted after it; whatever an interrupted try left (a shrinking
 * timeout stops a try midway) goes with the class's directory in {@code @AfterContainer}.
 */
final class Workspace {

    private Path base;

    synchronized Path newTry() throws IOException {
        if (base == null) {
            base = Files.createTempDirectory("mosaic-props-");
        }
        return Files.createTempDirectory(base, "try-");
    }

    synchronized void deleteAll() throws IOException {
        if (base != null) {
            Project.deleteTree(base);
            base = null;
        }
    }
}
