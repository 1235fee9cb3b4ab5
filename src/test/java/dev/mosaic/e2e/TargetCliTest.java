package dev.mosaic.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.testing.TreeSnapshot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code plan --target} and {@code apply --target} through the command line: only the selected
 * resources and what they require are planned and applied; what depends on them and the removal
 * of resources gone from the playbook wait for a run without it.
 */
class TargetCliTest {

    private static final String MODULE = """
            name: web
            params:
              dir: { type: string, default: /srv/web }
            resources:
              docroot:
                type: directory
                path: ${dir}
              index:
                type: file
                path: ${dir}/index.html
                content: "<p>lab</p>\\n"
            """;

    /** srv ← a ← b (b copies a), motd and old on their own, and a module. */
    private static final String PLAYBOOK = """
            name: lab
            vars:
              value: "1"
              motd: hello
            modules:
              web:
                source: web
            resources:
              srv:
                type: directory
                path: /srv
              a:
                type: file
                path: /srv/a.conf
                content: "value=${value}\\n"
              b:
                type: file
                path: /srv/b.conf
                source: /srv/a.conf
              motd:
                type: file
                path: /etc/motd
                content: "${motd}\\n"
            """;

    private static final String OLD = """
              old:
                type: file
                path: /etc/old
                content: "old\\n"
            """;

    @TempDir
    Path tmp;

    private Path root;
    private Path playbook;

    @BeforeEach
    void project() throws IOException {
        root = tmp.resolve("root");
        Files.createDirectories(root);
        write("modules/web/module.yml", MODULE);
        playbook = write("site.yml", PLAYBOOK + OLD);
    }

    private Path write(String relative, String text) throws IOException {
        Path p = tmp.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private Cli.Result mosaic(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--root", root.toString()));
        return Cli.inProcess(all.toArray(String[]::new));
    }

    /** Converged with the whole playbook, then the playbook edited: a, motd changed, old dropped. */
    private void convergedThenEdited() throws IOException {
        Cli.Result apply = mosaic("apply", playbook.toString());
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        Files.writeString(playbook, PLAYBOOK.replace("value: \"1\"", "value: \"2\"").replace("motd: hello", "motd: changed"));
    }

    @Test
    void plan_withTarget_plansOnlyTheTargetAndWhatItRequires_andSaysItIsPartial() {
        // The real launcher, in its own JVM, as a user runs it.
        Cli.Result r = Cli.in(tmp).run("plan", "site.yml", "--root", root.toString(), "--target", "file[a]");

        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdoutLines().get(0)).isEqualTo("warning: partial plan (--target file[a]): only the targets and what"
                + " they require are planned. What depends on them is not, nor the removal of resources gone from the"
                + " playbook: plan without --target to see everything.");
        assertThat(r.stdout()).containsOnlyOnce("partial plan")
                .contains("+ directory[srv]", "+ file[a]")
                .doesNotContain("file[b]", "file[motd]", "module.web", "file[old]")
                .contains("Plan: 2 to create, 0 to update, 0 to replace, 0 to delete, 0 to refresh, 0 unchanged.");
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void plan_withADependentTarget_bringsItsAncestorsAlong() {
        Cli.Result r = mosaic("plan", playbook.toString(), "--target", "b", "--target", "module.web.file[index]");

        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdoutLines().get(0)).startsWith("warning: partial plan (--target file[b], module.web.file[index]):");
        assertThat(r.stdout()).contains("+ directory[srv]", "+ file[a]", "? file[b]", "+ module.web.directory[docroot]",
                "+ module.web.file[index]").doesNotContain("file[motd]");
    }

    @Test
    void plan_withAModuleInstance_plansAllOfItsResources() {
        Cli.Result r = mosaic("plan", playbook.toString(), "--target", "module.web");

        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdout()).contains("(--target module.web)", "+ module.web.directory[docroot]", "+ module.web.file[index]")
                .as("/srv/web's parent directory comes along").contains("+ directory[srv]")
                .doesNotContain("file[a]", "file[motd]");
    }

    @Test
    void apply_withTarget_changesOnlyTheTargetAndWhatItRequires_andDeletesNothing() throws IOException {
        convergedThenEdited();
        Map<String, Path> untouched = Map.of("etc", root.resolve("etc"), "b", root.resolve("srv/b.conf"),
                "web", root.resolve("srv/web"));
        List<String> before = TreeSnapshot.of(untouched);

        Cli.Result r = mosaic("apply", playbook.toString(), "--target", "file[a]", "--allow-delete");

        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(root.resolve("srv/a.conf")).hasContent("value=2");
        assertThat(TreeSnapshot.of(untouched)).as("b (which reads a), motd, the module and the dropped /etc/old")
                .isEqualTo(before);
        assertThat(r.stderr()).containsOnlyOnce("warning: --target file[a]: a partial apply, 2 of the playbook's 6 resources"
                + " (the targets and what they require); what depends on them, and the removal of resources gone from the"
                + " playbook, wait for an apply without --target");
        assertThat(r.stdout()).doesNotContain("file[b]", "file[motd]", "file[old]");

        Cli.Result again = mosaic("plan", playbook.toString(), "--target", "file[a]");
        assertThat(again.stdout()).contains("\nNo changes. local (root " + root + ") matches the targeted part of playbook lab.\n");

        // What was left out is still planned by a plan of the whole playbook.
        Cli.Result rest = mosaic("plan", playbook.toString());
        assertThat(rest.stdout()).doesNotContain("partial").contains("~ file[b]", "~ file[motd]", "- file[old]")
                .doesNotContain("~ file[a]");
    }

    @Test
    void planAndApply_withAnUnknownTarget_sayWhatWasMeantAndTouchNothing() throws IOException {
        convergedThenEdited();
        List<String> before = TreeSnapshot.of(root);

        Cli.Result plan = Cli.in(tmp).run("plan", "site.yml", "--root", root.toString(), "--target", "file[mtod]");
        Cli.Result apply = mosaic("apply", playbook.toString(), "--target", "file[a]", "--target", "module.webb");

        assertThat(plan.exitCode()).as("%s", plan).isEqualTo(1);
        assertThat(plan.stdout()).isEmpty();
        assertThat(plan.stderr()).contains("error: --target file[mtod]: no resource or module instance file[mtod] in"
                + " this playbook (did you mean 'file[motd]'?)").doesNotContain("Exception", "\tat ");
        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(1);
        assertThat(apply.stderr()).contains("--target module.webb: ", "(did you mean 'module.web'?)",
                "Nothing was planned or changed.");
        assertThat(TreeSnapshot.of(root)).isEqualTo(before);
    }

    @Test
    void plan_withTargetAsJson_namesTheTargets() throws IOException {
        Cli.Result r = mosaic("plan", playbook.toString(), "--target", "a", "--json");

        assertThat(r.exitCode()).as("%s", r).isZero();
        JsonNode plan = new ObjectMapper().readTree(r.stdout());
        assertThat(plan.get("targets").toString()).isEqualTo("[\"file[a]\"]");
        assertThat(plan.get("changes")).extracting(c -> c.get("address").asText()).containsExactly("directory[srv]", "file[a]");

        Cli.Result whole = mosaic("plan", playbook.toString(), "--json");
        assertThat(new ObjectMapper().readTree(whole.stdout()).has("targets")).isFalse();
    }

    @Test
    void savedPlan_madeWithTarget_appliesOnlyItsChanges_andRefusesAnotherTarget() throws IOException {
        convergedThenEdited();
        Path saved = tmp.resolve("a.mosaic");
        Cli.Result plan = mosaic("plan", playbook.toString(), "--target", "file[a]", "--out", saved.toString());
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        List<String> before = TreeSnapshot.of(root);

        Cli.Result refused = mosaic("apply", saved.toString(), "--target", "file[motd]");
        assertThat(refused.exitCode()).as("%s", refused).isEqualTo(1);
        assertThat(refused.stderr()).contains("--target does not go with a saved plan, and nothing was touched");
        assertThat(TreeSnapshot.of(root)).isEqualTo(before);

        Cli.Result apply = mosaic("apply", saved.toString(), "--allow-delete");
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(root.resolve("srv/a.conf")).hasContent("value=2");
        assertThat(root.resolve("srv/b.conf")).hasContent("value=1");
        assertThat(root.resolve("etc/motd")).hasContent("hello");
        assertThat(root.resolve("etc/old")).as("removals are not part of a targeted plan").exists();
    }
}
