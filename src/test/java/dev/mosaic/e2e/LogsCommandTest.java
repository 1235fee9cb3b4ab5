package dev.mosaic.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class LogsCommandTest {

    @TempDir
    Path tmp;

    @Test
    void logs_showsTheOutputOfAResourcesLastRun_andSuggestsAddressesItHasNot() throws IOException {
        Files.createDirectories(tmp.resolve("root/work"));
        Files.writeString(tmp.resolve("site.yml"), """
                resources:
                  greet:
                    type: build
                    dir: /work
                    command: for i in 1 2 3 4 5; do echo "line $i"; done; touch done
                    outputs: [/work/done]
                    toolchain: []
                """);
        String root = tmp.resolve("root").toString();
        assertThat(Cli.inProcess("apply", "--root", root, "--cache-dir", tmp.resolve("cache").toString(),
                tmp.resolve("site.yml").toString()).exitCode()).isZero();

        Cli.Result all = Cli.inProcess("logs", "build[greet]", "--root", root);
        Cli.Result last = Cli.inProcess("logs", "build[greet]", "--root", root, "--tail", "2");
        Cli.Result typo = Cli.inProcess("logs", "build[gret]", "--root", root);

        assertThat(all.exitCode()).as("%s", all).isZero();
        assertThat(all.stdoutLines()).containsExactly("line 1", "line 2", "line 3", "line 4", "line 5");
        assertThat(last.stdoutLines()).containsExactly("line 4", "line 5");
        assertThat(typo.exitCode()).isEqualTo(1);
        assertThat(typo.stderr()).contains("no log for build[gret]", "(did you mean 'build.greet'?)");
        assertThat(Cli.inProcess("logs", "build.greet", "--root", root).stdoutLines()).as("the file's own name")
                .containsExactly("line 1", "line 2", "line 3", "line 4", "line 5");
    }
}
