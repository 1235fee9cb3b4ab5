package dev.mosaic.diag;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mosaic.testing.SecretGrep;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** The scrubber finds a registered value in every form an output can give it. */
class SensitiveTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void scrub_secretPrintedInsideAJsonEvent_isReplacedInItsEscapedForm() throws Exception {
        String secret = "js\"on/ sécret-1f";
        Sensitive.register(secret);
        ObjectNode event = JSON.createObjectNode().put("event", "output").put("line", "token " + secret);
        String line = JSON.writeValueAsString(event);
        assertThat(SecretGrep.inText(line, secret)).as("the secret is there before").isNotEmpty();

        String shown = Sensitive.scrub(line);

        assertThat(SecretGrep.inText(shown, secret)).isEmpty();
        assertThat(JSON.readTree(shown).get("line").asText()).isEqualTo("token (sensitive)");
    }

    @Test
    void scrub_urlEncodedAndBase64AndShellQuotedForms_areReplaced() {
        String secret = "it's a/ \"tøken\"-2a";
        Sensitive.register(secret);
        String url = "https://host/x?t=" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        String header = "Authorization: Basic " + Base64.getEncoder().encodeToString(("user:" + secret).getBytes(StandardCharsets.UTF_8));
        String shell = "sh -c 'echo '" + "'" + secret.replace("'", "'\\''") + "'";
        for (String text : new String[] {url, header, shell, "1" + header, "12" + header}) {
            assertThat(SecretGrep.inText(Sensitive.scrub(text), secret)).as(text).isEmpty();
        }
    }

    @Test
    void scrub_leavesShortValuesAndUnrelatedTextAlone() {
        Sensitive.register("on");
        assertThat(Sensitive.scrub("turned on at boot")).isEqualTo("turned on at boot");
    }

    @Test
    void redact_replacesTheValueAsItEntered_butNotAValueBuiltFromIt() {
        String token = "redact-T0ken/3c";
        Sensitive.register(token);
        String url = "https://dist.example/linux.tar.gz?token=" + token;
        Sensitive.registerDerived(url);

        assertThat(Sensitive.scrub(url)).isEqualTo("(sensitive)");
        assertThat(Sensitive.redact(url)).isEqualTo("https://dist.example/linux.tar.gz?token=(sensitive)");
        assertThat(Sensitive.redact("https://dist.example/linux.tar.gz?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)))
                .isEqualTo("https://dist.example/linux.tar.gz?token=(sensitive)");
    }
}
