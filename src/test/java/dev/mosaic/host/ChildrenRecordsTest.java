package dev.mosaic.host;

import dev.mosaic.testing.Canary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The records of running commands ({@code STATE/running/}) are never read or written through a link. */
class ChildrenRecordsTest {

    @TempDir
    Path tmp;

    @Test
    void stopLeftovers_aRecordIsALinkToAFileOutside_isRemovedUnreadWithAWarning() throws Exception {
        Canary canary = Canary.plant(tmp.resolve("outside"));
        Path running = Files.createDirectories(tmp.resolve("state/running"));
        Files.createSymbolicLink(running.resolve("4242"), canary.file());
        List<String> warnings = new ArrayList<>();

        Children.stopLeftovers(running, warnings::add);

        assertThat(warnings).singleElement().asString().contains("not a record Mosaic wrote");
        assertThat(running).isEmptyDirectory();
        canary.assertUntouched();
    }

    @Test
    void stopLeftovers_anEmptyRecordLeftByAKillBeforeItsWrite_isRemovedQuietly_aGarbledOneWithAWarning() throws Exception {
        Path running = Files.createDirectories(tmp.resolve("state/running"));
        Files.createFile(running.resolve("4242")); // created, then the kill came before its one write
        Files.writeString(running.resolve("4343"), "not a number\n");
        List<String> warnings = new ArrayList<>();

        Children.stopLeftovers(running, warnings::add);

        assertThat(warnings).singleElement().asString().contains("damaged record").contains("4343");
        assertThat(running).isEmptyDirectory();
    }

    @Test
    void startedAndStopLeftovers_runningIsALinkToADirectoryOutside_isRefusedNamingIt() throws Exception {
        Canary canary = Canary.plant(tmp.resolve("outside"));
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path running = Files.createDirectories(tmp.resolve("state")).resolve("running");
        Files.createSymbolicLink(running, canary.subdir());
        Children.track(root, running);
        Process p = new ProcessBuilder("true").start();
        try {
            assertThatThrownBy(() -> Children.started(root, p)).hasMessageContaining(running + " is a symbolic link");
        } finally {
            p.waitFor();
        }
        assertThatThrownBy(() -> Children.stopLeftovers(running, w -> { }))
                .hasMessageContaining(running + " is a symbolic link");
        canary.assertUntouched();
    }
}
