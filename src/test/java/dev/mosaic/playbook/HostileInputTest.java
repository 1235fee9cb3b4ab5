package dev.mosaic.playbook;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.UserError;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Inputs the fuzz test ({@code dev.mosaic.fuzz.FuzzTest}) found crashing or hanging the loader:
 * each is now a positioned diagnostic.
 */
class HostileInputTest {

    private static final Path FILE = Path.of("site.yaml");

    private static List<String> errors(String yaml) {
        UserError e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> catchThrowableOfType(
                () -> new PlaybookLoader(BuiltinKinds.create()).load(FILE, yaml, Map.of()), UserError.class));
        assertThat(e).as("rejected").isNotNull();
        return e.diagnostics().stream().map(Diagnostic::render).toList();
    }

    @Test
    void typeThatIsAList_isAnError_notAClassCastException() {
        assertThat(errors("""
                resources:
                  motd:
                    type: [file]
                    path: /etc/motd
                """)).containsExactly("site.yaml:3:11: error: resource 'motd': field 'type' names a kind, got array;"
                + " known types: " + String.join(", ", BuiltinKinds.create().names()));
    }

    @Test
    void variablesThatDoubleAtEveryLevel_stopAtTheValueLimit() {
        StringBuilder vars = new StringBuilder("vars:\n  v0: \"hahahahahahahaha\"\n");
        for (int i = 1; i <= 40; i++) {
            vars.append("  v").append(i).append(": \"${v").append(i - 1).append("}${v").append(i - 1).append("}\"\n");
        }
        List<String> errors = errors(vars + """
                resources:
                  motd:
                    type: file
                    path: /etc/motd
                    content: "${v40}"
                """);
        assertThat(errors).containsExactly("site.yaml:23:8: error: the value grows beyond 16777216 characters as its"
                + " variables are substituted");
    }

    @Test
    void floatBeyondADouble_isRejectedByTheSchema_notANumberFormatException() {
        assertThat(errors("""
                resources:
                  motd:
                    type: 1e400
                    path: /etc/motd
                """)).singleElement().asString().startsWith("site.yaml:3:11: error: resource 'motd': unknown type '1e400'");
    }

    @Test
    void enormousNumbers_areRejectedQuickly() {
        assertThat(errors("resources:\n  motd:\n    type: 1e374418969\n    path: /etc/motd\n"))
                .singleElement().asString().startsWith("site.yaml:3:11: error: resource 'motd': unknown type");
        assertThat(errors("resources:\n  motd:\n    type: file\n    path: /etc/motd\n    mode: " + "7".repeat(200_000) + "\n"))
                .singleElement().asString().startsWith("site.yaml:5:11: error: resource 'motd', field 'mode': ");
    }
}
