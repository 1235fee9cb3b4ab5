package dev.mosaic.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class MistypedCommandTest {

    private record Run(int code, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void a_mistyped_command_is_named_with_the_command_it_likely_meant() {
        Run r = run("aply", "playbook.yml");
        assertThat(r.code()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("'aply'").contains("Did you mean 'apply'?").doesNotContain("Exception");
        assertThat(run("histroy").err()).contains("Did you mean 'history'?");
    }

    @Test
    void a_mistyped_option_is_named_with_the_option_of_that_command() {
        assertThat(run("apply", "--alow-delete", "p.yml").err()).contains("Did you mean '--allow-delete'?");
        assertThat(run("apply", "--invetory=hosts.yml", "p.yml").err()).contains("Did you mean '--inventory'?");
    }

    @Test
    void a_word_near_no_name_gets_no_guess() {
        assertThat(run("zzz").err()).doesNotContain("Did you mean");
    }
}
