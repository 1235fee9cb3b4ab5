package dev.mosaic.e2e;

import dev.mosaic.testing.Canary;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Mosaic's state directory inside the root is out of reach of what a playbook does not declare
 * there either: a copy purging {@code /var/lib}, an archive unpacking {@code var/lib/mosaic/...}
 * at {@code /}. The host refuses the write or the delete, naming the path; the state survives.
 */
class StateDirReachCliTest {

    @TempDir
    Path tmp;

    private Path root;
    private Path dir;
    private Path state;
    private Canary canary;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        dir = Files.createDirectories(tmp.resolve("pb"));
        state = root.resolve("var/lib/mosaic");
        canary = Canary.plant(tmp.resolve("outside"));
    }

    /** A first apply, so that the state directory holds a state and a history. */
    private List<String> seedState() throws IOException {
        Files.writeString(dir.resolve("site.yml"), """
                name: seed
                resources:
                  motd: { type: file, path: /etc/motd, content: "hi\\n" }
                """);
        Cli.Result r = Cli.inProcess("apply", dir.resolve("site.yml").toString(), "--root", root.toString());
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(state.resolve("state.json")).isRegularFile();
        try (var s = Files.list(state.resolve("history"))) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    private Cli.Result apply(String yaml) throws IOException {
        Files.writeString(dir.resolve("site.yml"), yaml);
        Cli.Result r = Cli.inProcess("apply", dir.resolve("site.yml").toString(), "--root", root.toString());
        assertThat(r.stdout() + r.stderr()).as("%s", r).doesNotContain("\tat ").doesNotContain("internal error");
        return r;
    }

    @Test
    void apply_copyPurgingTheStateDirectorysParent_failsNamingItAndTheStateSurvives() throws IOException {
        List<String> history = seedState();
        Files.createDirectories(dir.resolve("tree"));
        Files.writeString(dir.resolve("tree/other"), "other\n");

        Cli.Result r = apply("""
                name: purge
                resources:
                  motd: { type: file, path: /etc/motd, content: "hi\\n" }
                  lib: { type: copy, source: tree, dest: /var/lib, purge: true }
                """);

        assertThat(r.exitCode()).as("%s", r).isNotZero();
        assertThat(r.stdout() + r.stderr()).as("%s", r).contains("/var/lib/mosaic").contains("Mosaic's state directory");
        assertThat(state.resolve("state.json")).isRegularFile();
        try (var s = Files.list(state.resolve("history"))) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).as("the history kept").containsAll(history);
        }
        canary.assertUntouched();
    }

    @Test
    void apply_archiveUnpackingIntoTheStateDirectory_failsNamingThePathAndWritesNothingThere() throws IOException {
        seedState();
        byte[] before = Files.readAllBytes(state.resolve("state.json"));
        HostileWritesCliTest.tar(dir.resolve("x.tar"), "var/lib/mosaic/state.json", "{\"forged\": true}\n");

        Cli.Result r = apply("""
                name: unpack
                resources:
                  motd: { type: file, path: /etc/motd, content: "hi\\n" }
                  x: { type: archive, source: x.tar, dest: / }
                """);

        assertThat(r.exitCode()).as("%s", r).isNotZero();
        assertThat(r.stdout() + r.stderr()).as("%s", r).contains("/var/lib/mosaic/state.json is inside Mosaic's state directory");
        assertThat(Files.readString(state.resolve("state.json"))).doesNotContain("forged");
        assertThat(before).isNotEmpty();
        canary.assertUntouched();
    }
}
