package dev.mosaic.engine;

import dev.mosaic.testing.Canary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A resource's log ({@code STATE/logs/<address>.log}) is never written through a link. */
class ResourceLogLinkTest {

    @TempDir
    Path tmp;

    @Test
    void append_theLogIsALinkToAFileOutside_replacesTheLinkNeverItsTarget() throws Exception {
        Canary canary = Canary.plant(tmp.resolve("outside"));
        Path logs = Files.createDirectories(tmp.resolve("state/logs"));
        Files.createSymbolicLink(ResourceLog.file(logs, "build[x]"), canary.file());

        try (ResourceLog log = new ResourceLog(logs, "build[x]")) {
            log.append("compiling");
        }

        assertThat(Files.isSymbolicLink(ResourceLog.file(logs, "build[x]"))).isFalse();
        assertThat(ResourceLog.file(logs, "build[x]")).hasContent("compiling");
        canary.assertUntouched();
    }

    @Test
    void append_logsIsALinkToADirectoryOutside_writesNothingThere() throws Exception {
        Canary canary = Canary.plant(tmp.resolve("outside"));
        Path logs = tmp.resolve("state/logs");
        Files.createDirectories(logs.getParent());
        Files.createSymbolicLink(logs, canary.subdir());

        try (ResourceLog log = new ResourceLog(logs, "build[x]")) {
            log.append("compiling");
            assertThat(log.written()).as("a log is best effort: the resource goes on").isFalse();
        }

        canary.assertUntouched();
    }
}
