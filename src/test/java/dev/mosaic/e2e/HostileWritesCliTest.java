package dev.mosaic.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.testing.Canary;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hostile corpus of writes, through the command line: for each kind that writes a path (and
 * for {@code restore}), an attacker plants a link or a hard link at the path, at the temp name
 * Mosaic used to write it through, or at its directory, aimed at a canary outside the root. Apply
 * (or restore) must leave the canary as it was, and either converge (a plan then shows nothing
 * to do) or fail with a message naming the path, never a stack trace.
 */
class HostileWritesCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What writes {@code /etc/x}. */
    enum Writer { FILE, FILE_MODE_ONLY, COPY, ARCHIVE, LINK, DIRECTORY, RESTORE }

    /** What the attacker left at or around {@code ROOT/etc/x} before the run. */
    enum Plant {
        LINK_AT_FINAL_NAME_TO_FILE, LINK_AT_FINAL_NAME_TO_DIR, DANGLING_LINK_AT_FINAL_NAME, LINK_AT_TEMP_NAME_TO_FILE,
        DANGLING_LINK_AT_TEMP_NAME, PARENT_IS_LINK_OUT, HARD_LINK_AT_FINAL_NAME
    }

    @TempDir
    Path tmp;

    private Path root;
    private Path dir;
    private Canary canary;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        dir = Files.createDirectories(tmp.resolve("pb"));
        canary = Canary.plant(tmp.resolve("outside"));
    }

    static Stream<Arguments> corpus() {
        List<Arguments> cases = new ArrayList<>();
        for (Writer w : Writer.values()) {
            for (Plant p : Plant.values()) {
                cases.add(Arguments.of(w, p));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} over {1}")
    @MethodSource("corpus")
    void hostileEntryPlanted_applyOrRestore_leavesTheCanaryUntouched(Writer writer, Plant plant) throws IOException {
        Path playbook = dir.resolve("site.yml");
        Files.writeString(playbook, "name: hostile\nresources:\n" + resource(writer));
        Cli.Result run;
        if (writer == Writer.RESTORE) {
            Files.createDirectories(root.resolve("etc"));
            Files.writeString(root.resolve("etc/x"), "before\n");
            Cli.Result first = apply(playbook);
            assertThat(first.exitCode()).as("%s", first).isZero();
            String id = JSON.readTree(Cli.inProcess("history", "--root", root.toString(), "--json").stdout())
                    .path("applies").get(0).path("id").asText();
            plant(plant);
            run = Cli.inProcess("restore", id, "--root", root.toString());
        } else {
            plant(plant);
            run = apply(playbook);
        }

        canary.assertUntouched();
        String output = run.stdout() + run.stderr();
        assertThat(output).as("%s", run).doesNotContain("\tat ").doesNotContain("Exception");
        if (run.exitCode() == 0) {
            if (writer != Writer.RESTORE) {
                Cli.Result plan = Cli.inProcess("plan", "--detailed-exitcode", "--root", root.toString(), playbook.toString());
                assertThat(plan.exitCode()).as("converged, nothing left to do: %s", plan).isZero();
            }
        } else {
            assertThat(run.exitCode()).as("%s", run).isEqualTo(1);
            assertThat(output).as("the failure names the path: %s", run).containsPattern("/etc[/ ]");
        }
    }

    private Cli.Result apply(Path playbook) {
        return Cli.inProcess("apply", "--root", root.toString(), playbook.toString());
    }

    private String resource(Writer writer) throws IOException {
        return switch (writer) {
            case FILE, RESTORE -> "  x: { type: file, path: /etc/x, content: \"new\\n\", mode: \"0640\" }\n";
            case FILE_MODE_ONLY -> "  x: { type: file, path: /etc/x, content: " + JSON.writeValueAsString(Files.readString(canary.file()))
                    + ", mode: \"0600\" }\n";
            case COPY -> {
                Files.createDirectories(dir.resolve("tree"));
                Files.writeString(dir.resolve("tree/x"), "copied\n");
                yield "  x: { type: copy, source: tree, dest: /etc }\n";
            }
            case ARCHIVE -> {
                tar(dir.resolve("x.tar"), "x", "unpacked\n");
                yield "  x: { type: archive, source: x.tar, dest: /etc }\n";
            }
            case LINK -> "  x: { type: link, path: /etc/x, target: /srv/elsewhere }\n";
            case DIRECTORY -> "  x: { type: directory, path: /etc/x, mode: \"0700\" }\n";
        };
    }

    private void plant(Plant plant) throws IOException {
        Path etc = Files.createDirectories(root.resolve("etc"));
        Path x = etc.resolve("x");
        if (plant != Plant.LINK_AT_TEMP_NAME_TO_FILE && plant != Plant.DANGLING_LINK_AT_TEMP_NAME) {
            Files.deleteIfExists(x);
        }
        switch (plant) {
            case LINK_AT_FINAL_NAME_TO_FILE -> Files.createSymbolicLink(x, canary.file());
            case LINK_AT_FINAL_NAME_TO_DIR -> Files.createSymbolicLink(x, canary.subdir());
            case DANGLING_LINK_AT_FINAL_NAME -> Files.createSymbolicLink(x, canary.dir().resolve("planted"));
            case LINK_AT_TEMP_NAME_TO_FILE -> Files.createSymbolicLink(etc.resolve(".x.mosaic-tmp"), canary.file());
            case DANGLING_LINK_AT_TEMP_NAME -> Files.createSymbolicLink(etc.resolve(".x.mosaic-tmp"), canary.dir().resolve("planted"));
            case PARENT_IS_LINK_OUT -> {
                Files.move(etc, root.resolve("etc.real"));
                Files.createSymbolicLink(etc, canary.subdir());
            }
            case HARD_LINK_AT_FINAL_NAME -> Files.createLink(x, canary.file());
            default -> throw new IllegalStateException();
        }
    }

    static void tar(Path file, String name, String content) throws IOException {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(file); TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setSize(b.length);
            e.setMode(0100644);
            t.putArchiveEntry(e);
            t.write(b);
            t.closeArchiveEntry();
        }
    }

    /**
     * The attack in one playbook, run by the real command line: a {@code link} resource plants a
     * link at the name Mosaic used to write {@code /etc/motd} through, aimed at the canary, and
     * the file resource then writes {@code /etc/motd}.
     */
    @Test
    void playbookPlantsALinkAtTheTempNameOfAFileItWrites_applyLeavesTheCanaryUntouched() throws IOException {
        Path playbook = dir.resolve("site.yml");
        Files.writeString(playbook, """
                name: trap
                resources:
                  trap: { type: link, path: /etc/.motd.mosaic-tmp, target: %s }
                  dangling: { type: link, path: /etc/.issue.mosaic-tmp, target: %s }
                  motd: { type: file, path: /etc/motd, content: "Welcome\\n", mode: "0600", requires: [trap] }
                  issue: { type: file, path: /etc/issue, content: "Debian\\n", requires: [dangling] }
                """.formatted(canary.file(), canary.dir().resolve("planted")));
        Cli.Result apply = Cli.in(dir).run("apply", "--root", root.toString(), "site.yml");
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        canary.assertUntouched();
        assertThat(root.resolve("etc/motd")).hasContent("Welcome");
        assertThat(root.resolve("etc/issue")).hasContent("Debian");
        assertThat(Files.isSymbolicLink(root.resolve("etc/.motd.mosaic-tmp"))).as("the playbook's own link stays").isTrue();
        assertThat(Files.exists(root.resolve("etc/.issue.mosaic-tmp"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        Cli.Result again = Cli.in(dir).run("plan", "--detailed-exitcode", "--root", root.toString(), "site.yml");
        assertThat(again.exitCode()).as("%s", again).isZero();
        canary.assertUntouched();
    }

    @Test
    void reportWithALinkPlantedAtItsOldTempName_isWrittenWithoutFollowingIt() throws IOException {
        Path playbook = dir.resolve("site.yml");
        Files.writeString(playbook, "name: report\nresources:\n  x: { type: file, path: /etc/x, content: \"new\\n\" }\n");
        Path reports = Files.createDirectories(tmp.resolve("reports"));
        Files.createSymbolicLink(reports.resolve(".report.html.mosaic-tmp"), canary.file());
        Cli.Result apply = Cli.inProcess("apply", "--root", root.toString(), "--report", reports.resolve("report.html").toString(),
                playbook.toString());
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        canary.assertUntouched();
        assertThat(Files.readString(reports.resolve("report.html"))).contains("<html");
        try (Stream<Path> left = Files.list(reports)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("report.html", ".report.html.mosaic-tmp");
        }
    }
}
