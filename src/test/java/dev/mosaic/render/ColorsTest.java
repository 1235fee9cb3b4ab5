package dev.mosaic.render;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Colors by the shape of a line: the palette, and a colored text that reads the same without its escapes. */
class ColorsTest {

    @Test
    void resourcesAreColoredByTheirSymbol() {
        assertThat(Colors.line("+ file[motd]")).isEqualTo(Colors.GREEN + "+ file[motd]" + Colors.RESET);
        assertThat(Colors.line("- link[old]: deleted (removed) in 3 ms")).startsWith(Colors.RED);
        assertThat(Colors.line("~ directory[tftp-root]")).startsWith(Colors.YELLOW);
        assertThat(Colors.line("-/+ build[kernel]")).startsWith(Colors.YELLOW);
        assertThat(Colors.line("! service[munge]: failed: exit 1")).startsWith(Colors.RED);
        assertThat(Colors.line("* service[dnsmasq]: refreshed (notified) in 12 ms")).startsWith(Colors.CYAN);
    }

    @Test
    void fieldsAndDiffLinesOfAPlanBlockAreColored() {
        assertThat(Colors.line("    ~ mode: 0600 -> 0644")).startsWith(Colors.YELLOW);
        assertThat(Colors.line("    + content: sha256:ab12")).startsWith(Colors.GREEN);
        assertThat(Colors.line("        -timeout 300")).startsWith(Colors.RED);
        assertThat(Colors.line("        +timeout 30")).startsWith(Colors.GREEN);
        assertThat(Colors.line("        @@ -1,10 +1,10 @@")).startsWith(Colors.CYAN);
        assertThat(Colors.line("        --- file[pxe-menu] (current)")).startsWith(Colors.BOLD);
        assertThat(Colors.line("         prompt 0")).as("a context line").isEqualTo("         prompt 0");
    }

    @Test
    void diagnosticsAndSummariesAreColored() {
        assertThat(Colors.line("site.yml:3:5: error: unknown field 'pth'")).startsWith(Colors.RED);
        assertThat(Colors.line("mosaic: error: no such file")).startsWith(Colors.RED);
        assertThat(Colors.line("warning: file[key] holds secrets")).startsWith(Colors.YELLOW);
        assertThat(Colors.line("Plan: 1 to create, 0 to update")).startsWith(Colors.BOLD);
        assertThat(Colors.line("Apply failed: 0 changed, 1 failed")).startsWith(Colors.BOLD + Colors.RED);
        assertThat(Colors.line("  path: /srv/tftp")).isEqualTo("  path: /srv/tftp");
        assertThat(Colors.line("")).isEmpty();
    }

    @Test
    void everyGoldenPlanReadsTheSameWithoutItsColors() throws IOException {
        try (Stream<Path> plans = Files.walk(Path.of("src/test/resources/plans"))) {
            for (Path p : plans.filter(f -> f.getFileName().toString().equals("expected.txt")).toList()) {
                for (String line : Files.readAllLines(p)) {
                    assertThat(Colors.line(line).replaceAll("\u001b\\[[0-9;]*m", "")).as("%s", p).isEqualTo(line);
                }
            }
        }
    }

    @Test
    void colorIsWantedOnATerminalOnly_andNeverWithNoColor() {
        assertThat(Colors.wanted(true, null, "xterm", false)).isTrue();
        assertThat(Colors.wanted(true, "", "xterm", false)).as("NO_COLOR empty counts as unset").isTrue();
        assertThat(Colors.wanted(true, "1", "xterm", false)).isFalse();
        assertThat(Colors.wanted(true, null, "dumb", false)).isFalse();
        assertThat(Colors.wanted(true, null, "xterm", true)).isFalse();
        assertThat(Colors.wanted(false, null, "xterm", false)).isFalse();
    }
}
