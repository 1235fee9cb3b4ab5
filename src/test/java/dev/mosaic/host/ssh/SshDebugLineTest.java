package dev.mosaic.host.ssh;

import dev.mosaic.diag.Sensitive;
import dev.mosaic.testing.SecretGrep;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code MOSAIC_SSH_DEBUG} prints remote commands past the CLI's scrubbing stream: it scrubs them itself. */
class SshDebugLineTest {

    @Test
    void debugLine_commandWithASecretInItsEnvAndScript_showsNoFormOfIt() {
        String secret = "ssh-d'ebug \"pw\"/ñ";
        Sensitive.register(secret);
        // As SshHost builds a command: env values and the script, each quoted for the remote shell.
        String script = "printf '%s\\n' " + Shell.quote(secret);
        String command = "cd -- '/work' 2>/dev/null || exit 200; exec env " + Shell.quote("TOKEN=" + secret)
                + " " + Shell.quote("MOSAIC_ROOT=/") + " sh -c " + Shell.quote(script);

        String line = SshConnection.debugLine(command);

        assertThat(line).startsWith("ssh-debug: ").contains("exec env");
        assertThat(SecretGrep.inText(line, secret)).isEmpty();
        assertThat(line).as("quoted for the shell").doesNotContain(secret.replace("'", "'\\''"));
    }

    @Test
    void debugLine_secretWithoutAQuote_isNotPrintedRawInsideTheQuotes() {
        String secret = "ssh-debug \"tok\"/é";
        Sensitive.register(secret);
        String command = "exec env " + Shell.quote("TOKEN=" + secret) + " sh -c " + Shell.quote("curl -H 'X: " + secret + "'");

        String line = SshConnection.debugLine(command);

        assertThat(SecretGrep.inText(command, secret)).as("the command holds it").isNotEmpty();
        assertThat(SecretGrep.inText(line, secret)).isEmpty();
    }
}
