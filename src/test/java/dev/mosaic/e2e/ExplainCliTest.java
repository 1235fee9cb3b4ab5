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
    void explain_savedPlan_explainsThePlanAsSaved_withoutReadingTheTarget() throws IOException {
        String saved = tmp.resolve("change.mosaic").toString();
        Cli.Result plan = Cli.inProcess("plan", playbook, "--root", root, "--var", "value=2", "--out", saved);
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        Cli.Result live = Cli.inProcess("explain", "copy[mirror]", playbook, "--root", root, "--var", "value=2");
        // After the plan was saved the target moves on: the saved plan still says what it will apply.
        Files.writeString(Path.of(root, "etc/app.conf"), "value=2\n");

        Cli.Result r = Cli.inProcess("explain", "mirror", saved, "--root", root);

        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdoutLines()).first().isEqualTo("copy[mirror] will be updated in place (input changed: file[conf])");
        assertThat(r.stdout())
                .contains("  copy[mirror] ← input changed: file[copy] ← input changed: file[conf] ← config changed: content (changed)\n")
                .contains("    after file[copy]: implicit: mirror reads the tree /srv/app\n");
        assertThat(live.stdoutLines()).first().isEqualTo(r.stdoutLines().get(0));
        Cli.Result json = Cli.inProcess("explain", "copy[mirror]", saved, "--root", root, "--json");
        assertThat(new ObjectMapper().readTree(json.stdout()).get("paths").get(0)).extracting(JsonNode::asText)
                .containsExactly("copy[mirror]", "file[copy]", "file[conf]");
    }

    @Test
    void explain_savedPlanChangedByHand_isRefusedInOneSentence() throws IOException {
        Path saved = tmp.resolve("change.mosaic");
        assertThat(Cli.inProcess("plan", playbook, "--root", root, "--var", "value=2", "--out", saved.toString()).exitCode())
                .isZero();
        Files.writeString(saved, Files.readString(saved).replaceFirst("\"action\" : \"update\"", "\"action\" : \"create\""));

        Cli.Result r = Cli.inProcess("explain", "copy[mirror]", saved.toString(), "--root", root);

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).contains("its checksum does not match its content").doesNotContain("Exception", "\tat ");
    }

    @Test
    void explain_savedPlanOfAnotherRoot_saysWhichRootItWasMadeFor() throws IOException {
        String saved = tmp.resolve("change.mosaic").toString();
        assertThat(Cli.inProcess("plan", playbook, "--root", root, "--var", "value=2", "--out", saved).exitCode()).isZero();

        Cli.Result r = Cli.inProcess("explain", "copy[mirror]", saved, "--root", tmp.resolve("other").toString());

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderr()).contains("it was made for root " + root);
    }

    @Test
    void explain_hostOfASavedInventoryPlan_readsThatHostsFile() throws IOException {
        Path inventory = Files.writeString(tmp.resolve("inventory.yml"), """
                hosts:
                  lab1: { connection: local, root: roots/lab1, vars: { value: "7" } }
                  lab2: { connection: local, root: roots/lab2 }
                """);
        Files.createDirectories(tmp.resolve("roots/lab1"));
        Files.createDirectories(tmp.resolve("roots/lab2"));
        String i = inventory.toString();
        String dir = tmp.resolve("fleet-plan").toString();
        Cli.Result plan = Cli.inProcess("plan", playbook, "-i", i, "--out", dir);
        assertThat(plan.exitCode()).as("%s", plan).isZero();

        Cli.Result r = Cli.inProcess("explain", "file[conf]", dir, "-i", i, "--host", "lab1");

        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdoutLines()).first().isEqualTo("file[conf] will be created (new)");
        Cli.Result none = Cli.inProcess("explain", "file[conf]", dir, "-i", i, "--host", "lab3");
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.stderr()).contains("no host lab3 in the inventory");
    }

    @Test
    void explain_missingPlaybook_isAUsageError() {
        Cli.Result r = Cli.inProcess("explain", "copy[mirror]");

        assertThat(r.exitCode()).isEqualTo(64);
        assertThat(r.stderr()).contains("Missing required parameter: 'PLAYBOOK'", "Try 'mosaic explain --help'.");
    }
}
