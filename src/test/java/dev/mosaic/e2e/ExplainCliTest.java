package dev.mosaic.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mosaic explain} through the command line, on a target converged by {@code apply}: a
 * variable changes a file, a second file reads it and a copy mirrors the second one's tree.
 */
class ExplainCliTest {

    @TempDir
    Path tmp;

    private String root;
    private String playbook;

    @BeforeEach
    void converge() throws IOException {
        Files.writeString(tmp.resolve("site.yml"), """
                vars:
                  value: "1"
                resources:
                  conf:
                    type: file
                    path: /etc/app.conf
                    content: "value=${value}\\n"
                  copy:
                    type: file
                    path: /srv/app/app.conf
                    source: /etc/app.conf
                  mirror:
                    type: copy
                    source: /srv/app
                    dest: /backup/app
                  motd:
                    type: file
                    path: /etc/motd
                    content: "hello\\n"
                """);
        root = tmp.resolve("root").toString();
        playbook = tmp.resolve("site.yml").toString();
        Cli.Result apply = Cli.inProcess("apply", "--root", root, playbook);
        assertThat(apply.exitCode()).as("%s", apply).isZero();
    }

    @Test
    void explain_afterAVariableChanged_printsTheChainFromTheCopyBackToTheVariable() {
        Cli.Result r = Cli.inProcess("explain", "copy[mirror]", playbook, "--root", root, "--var", "value=2");

        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdoutLines()).first().isEqualTo("copy[mirror] will be updated in place (input changed: file[conf])");
        assertThat(r.stdout())
                .contains("  copy[mirror] ← input changed: file[copy] ← input changed: file[conf] ← config changed: content (changed)\n")
                .contains("          -value=1\n          +value=2\n")
                .contains("    after file[copy]: implicit: mirror reads the tree /srv/app\n");
    }

    @Test
    void explain_convergedResource_isUpToDate() {
        Cli.Result r = Cli.inProcess("explain", "mirror", playbook, "--root", root);

        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdout()).isEqualTo("copy[mirror]: no change planned: up to date\n");
    }

    @Test
    void explain_handEditedFile_isDrift() throws IOException {
        Files.writeString(Path.of(root, "etc/motd"), "edited\n");

        Cli.Result r = Cli.inProcess("explain", "file[motd]", playbook, "--root", root);

        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdout()).contains("file[motd] ← drift: content (changed)",
                "drift: same configuration as the last apply, but the target was changed since");
    }

    @Test
    void explain_unknownAddress_failsWithDidYouMean() {
        Cli.Result r = Cli.inProcess("explain", "copy[miror]", playbook, "--root", root);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).contains("no resource copy[miror] in this playbook or its plan (did you mean 'copy[mirror]'?)");
    }

    @Test
    void explain_json_isOneDocumentWithThePathsAndTheirSentences() throws IOException {
        Cli.Result r = Cli.inProcess("explain", "copy[mirror]", playbook, "--root", root, "--var", "value=2", "--json");

        assertThat(r.exitCode()).as("%s", r).isZero();
        JsonNode doc = new ObjectMapper().readTree(r.stdout());
        assertThat(doc.get("target").asText()).isEqualTo("local (root " + root + ")");
        assertThat(doc.get("paths").get(0)).extracting(JsonNode::asText)
                .containsExactly("copy[mirror]", "file[copy]", "file[conf]");
        assertThat(doc.get("why").get(0).asText()).endsWith("← config changed: content (changed)");
    }

    @Test
    void explain_missingPlaybook_isAUsageError() {
        Cli.Result r = Cli.inProcess("explain", "copy[mirror]");

        assertThat(r.exitCode()).isEqualTo(64);
        assertThat(r.stderr()).contains("Missing required parameter: 'PLAYBOOK'", "Try 'mosaic explain --help'.");
    }
}
