package dev.mosaic.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's five-minute tutorial, run as written: each command of its shell block through the real
 * CLI (its sandbox root moved into a temporary directory), and the plan it shows compared line for
 * line with what the last command prints. A README that drifts from the tool fails here.
 */
class ReadmeTutorialTest {

    private static final String SANDBOX = "/tmp/lab";

    @TempDir
    Path tmp;

    @Test
    void the_tutorial_prints_what_the_readme_shows() throws IOException {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        String section = readme.substring(readme.indexOf("## A five-minute tutorial"));
        List<String> script = block(section, "```sh");
        String expected = String.join("\n", block(section.substring(section.indexOf("exits 2:")), "```"));

        Path root = tmp.resolve("lab");
        Cli.Result last = null;
        int lastExit = -1;
        for (String line : script) {
            String command = line.replaceFirst("\\s+#.*$", "").replace(SANDBOX, root.toString());
            for (String part : command.split(";\\s*")) {
                Matcher append = Pattern.compile("echo \"([^\"]*)\" >> (\\S+)").matcher(part);
                if (part.startsWith("bin/mosaic ")) {
                    last = Cli.inProcess(Arrays.stream(part.substring("bin/mosaic ".length()).trim().split("\\s+"))
                            .toArray(String[]::new));
                    lastExit = last.exitCode();
                } else if (append.matches()) {
                    Files.writeString(Path.of(append.group(2)), append.group(1) + "\n", StandardOpenOption.APPEND);
                } else {
                    assertThat(part).as("a step this test knows how to run").isEqualTo("echo \"exit $?\"");
                }
            }
        }
        assertThat(last).isNotNull();
        assertThat(lastExit).as("%s", last).isEqualTo(2);
        assertThat(last.stdout()).as("README's tutorial plan").contains(expected);
    }

    /** The lines of the first fenced block that opens with {@code fence} in {@code text}. */
    private static List<String> block(String text, String fence) {
        List<String> lines = text.lines().toList();
        int start = lines.indexOf(fence);
        assertThat(start).as("a block opening with %s", fence).isNotNegative();
        List<String> out = new ArrayList<>();
        for (String l : lines.subList(start + 1, lines.size())) {
            if (l.equals("```")) {
                return out;
            }
            out.add(l);
        }
        throw new AssertionError("unclosed block " + fence);
    }
}
