package dev.mosaic.packaging;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shell completion and man pages that {@code mvn package} generates from the CLI's own
 * definitions: one of each per command, naming every subcommand and option, usable by bash, zsh
 * and man as they are.
 */
class DocsIT {

    private static final Path COMPLETION = Built.dir().resolve("docs/completion/mosaic.bash");
    private static final Path ZSH = Path.of("packaging/completion/_mosaic");
    private static final Path MAN = Built.dir().resolve("docs/man");

    private static Built.Result bash(String script) {
        return Built.run(List.of("bash", "-c", script));
    }

    @Test
    void completionScript_namesEverySubcommandAndOption() throws IOException {
        String script = Files.readString(COMPLETION);
        for (CommandSpec spec : Built.commands()) {
            assertThat(script).as("command %s", spec.qualifiedName()).contains(spec.name());
            for (OptionSpec o : spec.options()) {
                assertThat(script).as("%s of %s", o.longestName(), spec.qualifiedName()).contains(o.longestName());
            }
        }
    }

    @Test
    void completionScript_registersWithBash_andCompletesCommandsAndOptions() {
        String source = "source '" + COMPLETION.toAbsolutePath() + "'; ";
        Built.Result spec = bash(source + "complete -p mosaic");
        Built.Result commands = bash(source + "COMP_WORDS=(mosaic ex); COMP_CWORD=1; _complete_mosaic; printf '%s\\n' \"${COMPREPLY[@]}\"");
        Built.Result options = bash(source + "COMP_WORDS=(mosaic explain --ro); COMP_CWORD=2; _complete_mosaic; printf '%s\\n' \"${COMPREPLY[@]}\"");

        assertThat(spec.exitCode()).as("%s", spec).isZero();
        assertThat(spec.stdout()).contains("-F _complete_mosaic").endsWith(" mosaic\n");
        assertThat(commands.stdout().lines()).as("%s", commands).containsExactly("explain");
        assertThat(options.stdout().lines()).as("%s", options).containsExactly("--root");
    }

    @Test
    void zshCompletion_runsTheBashOneThroughBashcompinit() {
        assumeTrue(Built.onPath("zsh"), "zsh is not installed");
        Built.Result syntax = Built.run(List.of("zsh", "-n", ZSH.toString()));
        Built.Result bound = Built.run(List.of("zsh", "-f", "-c", "autoload -U compinit && compinit -u -D; source '"
                + COMPLETION.toAbsolutePath() + "'; print -r -- ${_comps[mosaic]}"));

        assertThat(syntax.exitCode()).as("%s", syntax).isZero();
        assertThat(Files.exists(ZSH)).isTrue();
        assertThat(bound.stdout()).as("%s", bound).contains("_bash_complete -F _complete_mosaic");
    }

    @Test
    void manPages_onePerCommand_gzippedToo_eachNamingItsOptions() throws IOException {
        for (CommandSpec spec : Built.commands()) {
            Path page = MAN.resolve(Built.manName(spec) + ".1");
            assertThat(page).as(spec.qualifiedName()).exists();
            assertThat(MAN.resolve(Built.manName(spec) + ".1.gz")).exists();
            // roff escapes dashes: --root is \-\-root.
            String roff = Files.readString(page).replace("\\-", "-");
            assertThat(roff).contains(".TH \"" + Built.manName(spec).toUpperCase() + "\" \"1\"");
            for (OptionSpec o : spec.options()) {
                assertThat(roff).as("%s in %s", o.longestName(), page).contains(o.longestName());
            }
        }
        String top = Files.readString(MAN.resolve("mosaic.1"));
        for (CommandSpec spec : Built.commands().subList(1, Built.commands().size())) {
            assertThat(top.replace("\\-", "-")).as("mosaic(1) lists %s", spec.name()).contains(spec.name());
        }
    }

    @Test
    void manPages_renderWithoutWarnings_andShowVersionAndExamples() {
        assumeTrue(Built.onPath("man"), "man is not installed (man-db)");
        for (CommandSpec spec : Built.commands()) {
            Path page = MAN.resolve(Built.manName(spec) + ".1");
            Built.Result r = Built.run(List.of("man", "--warnings", "-l", page.toString()), Map.of("MANWIDTH", "100", "MANPAGER", "cat"));
            assertThat(r.exitCode()).as("%s", r).isZero();
            assertThat(r.stderr()).as("%s", r).isEmpty();
            if (spec.version().length > 0) { // not picocli's own help command
                assertThat(r.stdout()).contains("mosaic " + Built.version());
            }
            if (spec.usageMessage().footerHeading().contains("Examples")) {
                String examples = Arrays.stream(spec.usageMessage().footer()).filter(l -> l.startsWith("  mosaic "))
                        .findFirst().orElseThrow().trim();
                assertThat(r.stdout()).as("%s shows its examples", page).contains("EXAMPLES", examples);
            }
        }
    }

    @Test
    void manPages_sayTheFilesAndEnvironment_pointToEachOther_andDescribeThePlaybookFormat() {
        assumeTrue(Built.onPath("man"), "man is not installed (man-db)");
        Map<String, String> env = Map.of("MANWIDTH", "100", "MANPAGER", "cat");
        Built.Result top = Built.run(List.of("man", "--warnings", "-l", MAN.resolve("mosaic.1").toString()), env);
        assertThat(top.stderr()).as("%s", top).isEmpty();
        assertThat(top.stdout()).contains("FILES", "/var/lib/mosaic/", "ENVIRONMENT", "NO_COLOR", "MOSAIC_CACHE_DIR",
                "SEE ALSO", "mosaic-playbook(5)");
        for (CommandSpec spec : Built.commands().subList(1, Built.commands().size())) {
            Built.Result r = Built.run(List.of("man", "-l", MAN.resolve(Built.manName(spec) + ".1").toString()), env);
            assertThat(r.stdout()).as("%s", spec.name()).contains("SEE ALSO", "mosaic(1)", "mosaic-playbook(5)");
        }

        Path playbook = MAN.resolve("mosaic-playbook.5");
        assertThat(MAN.resolve("mosaic-playbook.5.gz")).exists();
        Built.Result format = Built.run(List.of("man", "--warnings", "-l", playbook.toString()), env);
        assertThat(format.exitCode()).as("%s", format).isZero();
        assertThat(format.stderr()).as("%s", format).isEmpty();
        assertThat(format.stdout()).contains("MOSAIC-PLAYBOOK(5)", "TOP-LEVEL KEYS", "requires", "${env:NAME}", "INVENTORIES",
                "mosaic " + Built.version());
        // Every kind the CLI knows is named in the format's page.
        for (String kind : dev.mosaic.cli.BuiltinKinds.create().names()) {
            assertThat(format.stdout()).as("kind %s", kind).contains(kind);
        }
    }
}
