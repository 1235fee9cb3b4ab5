package dev.mosaic.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A run of one command builds that command alone, and it is the same command as in the whole CLI. */
class OneCommandLineTest {

    private static final List<Class<?>> ANNOTATED = Arrays.stream(Main.class.getAnnotation(Command.class).subcommands())
            .filter(c -> c != CommandLine.HelpCommand.class).toList();

    private static String name(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

    @Test
    void command_everySubcommandOfMain_isMadeByItsName() {
        assertThat(ANNOTATED).hasSize(9);
        for (Class<?> c : ANNOTATED) {
            assertThat(Main.command(name(c))).as(name(c)).isExactlyInstanceOf(c);
        }
        assertThat(Main.command("help")).isNull();
        assertThat(Main.command("aply")).isNull();
    }

    @Test
    void commandLine_aCommandAfterMosaicsFlags_holdsThatCommandAlone() {
        assertThat(Main.commandLine(new String[] {"apply", "p.yml", "--root", "/tmp/x"}).getSubcommands().keySet())
                .containsExactly("apply");
        assertThat(Main.commandLine(new String[] {"-v", "--debug", "--no-color", "plan", "p.yml"}).getSubcommands().keySet())
                .containsExactly("plan");
    }

    @Test
    void commandLine_helpVersionMistypedOrNoCommand_holdsEveryCommand() {
        Set<String> all = new CommandLine(new Main()).getSubcommands().keySet();
        assertThat(all).hasSize(10);
        for (String[] args : List.of(new String[] {}, new String[] {"--help"}, new String[] {"help", "apply"},
                new String[] {"--version"}, new String[] {"aply", "p.yml"}, new String[] {"-vh", "apply"},
                new String[] {"--", "apply"}, new String[] {"p.yml", "apply"})) {
            assertThat(Main.commandLine(args).getSubcommands().keySet()).as(String.join(" ", args)).isEqualTo(all);
        }
    }

    @Test
    void commandLine_oneCommand_hasTheHelpAndOptionsItHasInTheWholeCli() {
        CommandLine whole = new CommandLine(new Main());
        for (Class<?> c : ANNOTATED) {
            CommandLine alone = Main.commandLine(new String[] {name(c)}).getSubcommands().get(name(c));
            assertThat(alone.getUsageMessage(CommandLine.Help.Ansi.OFF)).as(name(c))
                    .isEqualTo(whole.getSubcommands().get(name(c)).getUsageMessage(CommandLine.Help.Ansi.OFF));
            assertThat(alone.getCommandSpec().options().stream().map(o -> o.longestName()).sorted().toList()).as(name(c))
                    .isEqualTo(whole.getSubcommands().get(name(c)).getCommandSpec().options().stream()
                            .map(o -> o.longestName()).sorted().toList());
        }
    }
}
