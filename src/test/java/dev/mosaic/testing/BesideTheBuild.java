package dev.mosaic.testing;

import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code @TempDir(factory = BesideTheBuild.class)}: a test directory below {@code target/}, not
 * {@code /tmp}. Commands confined for a {@code --root} target get a private {@code /tmp}, so a
 * directory outside the root but below the real {@code /tmp} would not even be visible to them:
 * a test of what they may not write must put its canaries elsewhere ({@code /var/tmp} when the
 * checkout itself lies below {@code /tmp}). JUnit deletes the directory after the test.
 */
public final class BesideTheBuild implements TempDirFactory {

    @Override
    public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws IOException {
        Path build = Path.of("target").toAbsolutePath();
        if (build.startsWith("/tmp")) { // a checkout below /tmp: its target/ is hidden from commands too
            return Files.createTempDirectory(Path.of("/var/tmp"), "mosaic-test-");
        }
        Path base = Files.createDirectories(build.resolve("tests-beside-the-build"));
        return Files.createTempDirectory(base, "case-");
    }
}
