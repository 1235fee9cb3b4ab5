package dev.mosaic.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * Help that teaches: every command's {@code --help} ends with examples that work. Each example
 * ({@code "  mosaic …"} lines of the footer) must parse as a command line, name files that the
 * repository ships, and fit an 80-column terminal unwrapped.
 */
class HelpExamplesTest {

    /** Examples are the footer lines that start with this. */
    private static final String EXAMPLE = "  mosaic ";

    private static List<CommandSpec> commands() {
        CommandLine root = new CommandLine(new Main());
        List<CommandSpec> all = new ArrayList<>();
        all.add(root.getCommandSpec());
        root.getSubcommands().values().stream().map(CommandLine::getCommandSpec)
                .filter(s -> !s.name().equals("help"))
                .forEach(all::add);
        return all;
    }

    private static List<String> examples(CommandSpec spec) {
        return Arrays.stream(spec.usageMessage().footer()).filter(l -> l.startsWith(EXAMPLE)).toList();
    }

    /** A shell line as words: single quotes grouped, stopping at a pipe or a redirection. */
    private static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        for (String w : line.trim().split(" +")) {
            if (w.equals("|") || w.equals(">")) {
                break;
            }
            out.add(w.replace("'", ""));
        }
        return out.subList(1, out.size()); // without "mosaic"
    }

    @Test
    void everyCommand_hasOneToThreeExamplesInItsHelp() {
        for (CommandSpec spec : commands()) {
            assertThat(examples(spec)).as(spec.qualifiedName()).hasSizeBetween(1, 3);
            String help = new CommandLine(spec).getUsageMessage(CommandLine.Help.Ansi.OFF);
            assertThat(help).as(spec.qualifiedName()).contains("Example", examples(spec).get(0));
        }
    }

    @Test
    void theCommandsOfThisChange_putTheirExamplesUnderAHeading_soThatManPagesShowThem() {
        // picocli's man page generator renders a footer only under a footerHeading.
        for (CommandSpec spec : commands()) {
            if (List.of("mosaic", "validate", "plan", "apply", "explain", "graph", "module-schema", "logs").contains(spec.name())) {
                assertThat(spec.usageMessage().footerHeading()).as(spec.qualifiedName()).contains("Examples:");
            }
        }
    }

    @Test
    void everyExample_parsesAsThatCommandAndFitsEightyColumns() {
        for (CommandSpec spec : commands()) {
            for (String example : examples(spec)) {
                assertThat(example.length()).as(example).isLessThanOrEqualTo(78);
                List<String> args = words(example);
                assertThatCode(() -> new CommandLine(new Main()).parseArgs(args.toArray(String[]::new)))
                        .as(example).doesNotThrowAnyException();
            }
        }
    }

    @Test
    void everyExample_namesPlaybooksAndModulesThatShip() {
        List<String> named = new ArrayList<>();
        for (CommandSpec spec : commands()) {
            for (String example : examples(spec)) {
                for (String w : words(example)) {
                    if (w.startsWith("playbooks/") || w.startsWith("modules/")) {
                        named.add(w);
                        assertThat(Files.exists(Path.of(w))).as("%s in: %s", w, example).isTrue();
                    }
                }
            }
        }
        assertThat(named).as("examples use the shipped playbooks").contains("playbooks/starter.yml", "playbooks/lab-kernel.yml");
    }

    @Test
    void mainHelp_listsExplainAndTheExitStatus() {
        String help = new CommandLine(new Main()).getUsageMessage(CommandLine.Help.Ansi.OFF);

        assertThat(help).contains("  explain ", "Exit status:", "64   usage error");
    }
}
