package dev.mosaic.playbook;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every YAML file Mosaic ships (playbooks, modules, examples) is clean for yamllint, with the
 * project's settings in {@code .yamllint}: what an admin's editor and CI linters say about them is
 * nothing. yamllint also reads them with PyYAML, a second YAML implementation, as plain YAML.
 */
class YamlLintTest {

    @TempDir
    Path tmp;

    private record Run(int exit, String output) {
    }

    private static Run yamllint(String... paths) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("yamllint", "--strict", "-f", "parsable", "-c", ".yamllint"));
        command.addAll(List.of(paths));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("yamllint is needed (bin/test installs it)", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("yamllint finished").isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void everyShippedYamlFile_isCleanForYamllint() throws Exception {
        Run r = yamllint("playbooks", "modules", "examples");
        assertThat(r.output()).as("yamllint's findings").isEmpty();
        assertThat(r.exit()).isZero();
    }

    @Test
    void theSettingsStillCatchWhatYamllintIsFor() throws Exception {
        Path bad = tmp.resolve("bad.yml");
        Files.writeString(bad, """
                resources:
                  motd:
                    type: file
                    path: /etc/motd
                    path: /etc/issue
                  pxe: {type: file,    path: /srv/tftp/x}
                """);
        Run r = yamllint(bad.toString());
        assertThat(r.exit()).isNotZero();
        assertThat(r.output()).contains("duplication of key \"path\"", "too many spaces after comma");
    }
}
