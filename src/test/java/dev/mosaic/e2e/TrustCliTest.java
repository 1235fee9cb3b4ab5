package dev.mosaic.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.testing.TreeSnapshot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Saved plans, removals, history and restore through the real command line, in a sandbox root. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TrustCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String PLAYBOOK = """
            name: trust
            vars:
              greeting: hello
            resources:
              a: { type: file, path: /etc/a.conf, content: "a ${greeting}\\n" }
              b: { type: file, path: /etc/b.conf, content: "b\\n", requires: [a] }
              motd: { type: file, path: /etc/motd, source: files/motd }
              old-kernel: { type: file, path: /srv/tftp/vmlinuz-old, content: "old kernel\\n" }
            """;

    @TempDir
    Path tmp;

    private Path root;
    private Path dir;
    private Path playbook;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        dir = Files.createDirectories(tmp.resolve("pb"));
        playbook = dir.resolve("site.yml");
        Files.writeString(playbook, PLAYBOOK);
        Files.createDirectories(dir.resolve("files"));
        Files.writeString(dir.resolve("files/motd"), "Welcome\n");
    }

    private Cli.Result run(String... args) {
        return Cli.in(dir).run(args);
    }

    private String rootFile(String path) throws IOException {
        return Files.readString(root.resolve(path));
    }

    @Test
    void a_saved_plan_applies_exactly_its_changes_and_refuses_a_resource_that_moved_since() throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/motd"), "Welcome\n"); // nothing to do: not in the plan
        Cli.Result plan = run("plan", "site.yml", "--root", root.toString(), "--var", "greeting=hi", "--out", "plan.mosaic");
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stderr()).as("%s", plan).contains("Saved the plan to plan.mosaic");
        assertThat(root.resolve("etc/a.conf")).doesNotExist();

        Files.writeString(root.resolve("etc/a.conf"), "hand-made\n");
        Files.writeString(root.resolve("etc/motd"), "drifted after the plan\n");
        Cli.Result apply = run("apply", "plan.mosaic", "--root", root.toString());

        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(3);
        assertThat(apply.stdout()).as("%s", apply)
                .contains("1 refused as stale")
                .contains("Refused (changed since the saved plan; make a new plan):")
                .contains("file[a]: changed since the plan, not applied: ")
                .contains("content: absent at plan time, now 10 B sha256:")
                .contains("file[b]: dependency file[a] is stale");
        assertThat(rootFile("etc/a.conf")).isEqualTo("hand-made\n");
        assertThat(root.resolve("etc/b.conf")).doesNotExist();
        assertThat(rootFile("srv/tftp/vmlinuz-old")).isEqualTo("old kernel\n");
        assertThat(rootFile("etc/motd")).isEqualTo("drifted after the plan\n");

        Files.delete(root.resolve("etc/a.conf"));
        Cli.Result fresh = run("plan", "site.yml", "--root", root.toString(), "--var", "greeting=hi", "--out", "plan.mosaic");
        assertThat(fresh.exitCode()).as("%s", fresh).isZero();
        Cli.Result again = run("apply", "plan.mosaic", "--root", root.toString());
        assertThat(again.exitCode()).as("%s", again).isZero();
        assertThat(rootFile("etc/a.conf")).isEqualTo("a hi\n"); // the plan's variables, not the playbook's default
        assertThat(rootFile("etc/motd")).isEqualTo("Welcome\n");
    }

    @Test
    void a_saved_plan_for_another_target_or_playbook_or_version_or_damaged_is_refused_and_touches_nothing() throws IOException {
        Cli.Result plan = run("plan", "site.yml", "--root", root.toString(), "--out", "plan.mosaic");
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        List<String> before = TreeSnapshot.of(root);
        Path other = Files.createDirectories(tmp.resolve("other-root"));
        String planText = Files.readString(dir.resolve("plan.mosaic"));

        Cli.Result otherRoot = run("apply", "plan.mosaic", "--root", other.toString());
        assertRefused(otherRoot, "it was made for root " + root + ", this run's root is " + other);

        Cli.Result withVar = run("apply", "plan.mosaic", "--root", root.toString(), "--var", "greeting=x");
        assertRefused(withVar, "--var is not allowed with a plan file");

        Cli.Result inventory = run("apply", "plan.mosaic", "--inventory", "hosts.yml");
        assertThat(inventory.exitCode()).as("%s", inventory).isEqualTo(1);
        assertThat(inventory.stderr()).as("%s", inventory).contains("a saved plan is for one target");

        Files.writeString(dir.resolve("files/motd"), "Changed source\n");
        assertRefused(run("apply", "plan.mosaic", "--root", root.toString()),
                "inputs of the playbook changed since the plan: " + dir.toRealPath().resolve("files/motd") + " (changed)");
        Files.writeString(dir.resolve("files/motd"), "Welcome\n");

        Files.writeString(playbook, PLAYBOOK.replace("b\\n", "B\\n"));
        assertRefused(run("apply", "plan.mosaic", "--root", root.toString()), "the playbook " + playbook.toRealPath()
                + " changed since the plan");
        Files.writeString(playbook, PLAYBOOK);

        Files.writeString(dir.resolve("plan.mosaic"), planText.substring(0, planText.length() / 3));
        Cli.Result truncated = run("apply", "plan.mosaic", "--root", root.toString());
        assertThat(truncated.exitCode()).as("%s", truncated).isEqualTo(1);
        assertThat(truncated.stderr()).as("%s", truncated).contains("plan.mosaic is damaged or truncated")
                .doesNotContain("Exception").doesNotContain("\tat ");

        Files.writeString(dir.resolve("plan.mosaic"), planText.replace("\"mosaicVersion\" : \"", "\"mosaicVersion\" : \"0."));
        Cli.Result edited = run("apply", "plan.mosaic", "--root", root.toString());
        assertThat(edited.stderr()).as("%s", edited).contains("checksum does not match");

        assertThat(TreeSnapshot.of(root)).as("nothing touched").isEqualTo(before);
    }

    private void assertRefused(Cli.Result r, String why) {
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stderr()).as("%s", r).contains("was not applied and nothing was touched").contains(why)
                .doesNotContain("\tat ");
    }

    @Test
    void a_resource_taken_out_of_the_playbook_is_planned_with_a_minus_and_deleted_only_with_allow_delete() throws IOException {
        Files.createDirectories(root.resolve("srv/tftp"));
        Files.writeString(root.resolve("srv/tftp/pxelinux.0"), "not Mosaic's\n");
        assertThat(run("apply", "site.yml", "--root", root.toString()).exitCode()).isZero();
        Files.writeString(playbook, PLAYBOOK.replace("  old-kernel: { type: file, path: /srv/tftp/vmlinuz-old, content: \"old kernel\\n\" }\n", ""));

        Cli.Result plan = run("plan", "site.yml", "--root", root.toString());
        assertThat(plan.stdout()).as("%s", plan)
                .contains("# file[old-kernel] will be deleted (removed from playbook)\n- file[old-kernel]\n    - file: /srv/tftp/vmlinuz-old\n")
                .contains("Plan: 0 to create, 0 to update, 0 to replace, 1 to delete")
                .contains("--allow-delete");
        JsonNode json = JSON.readTree(run("plan", "site.yml", "--root", root.toString(), "--json").stdout());
        assertThat(json.path("changes").get(0).path("action").asText()).isEqualTo("delete");
        assertThat(json.path("changes").get(0).path("cause").asText()).isEqualTo("removed from playbook");

        Cli.Result guarded = run("apply", "site.yml", "--root", root.toString());
        assertThat(guarded.exitCode()).as("%s", guarded).isZero();
        assertThat(guarded.stdout()).as("%s", guarded).contains("stays until apply --allow-delete");
        assertThat(root.resolve("srv/tftp/vmlinuz-old")).exists();

        Cli.Result deleted = run("apply", "site.yml", "--root", root.toString(), "--allow-delete");
        assertThat(deleted.exitCode()).as("%s", deleted).isZero();
        assertThat(deleted.stdout()).as("%s", deleted).contains("- file[old-kernel]: deleted (removed from playbook)");
        assertThat(root.resolve("srv/tftp/vmlinuz-old")).doesNotExist();
        assertThat(rootFile("srv/tftp/pxelinux.0")).isEqualTo("not Mosaic's\n");
        assertThat(run("plan", "site.yml", "--root", root.toString(), "--detailed-exitcode").exitCode()).isZero();
    }

    @Test
    void history_lists_each_apply_and_restore_puts_files_back_as_they_were_before_it() throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/motd"), "the old motd\n");
        assertThat(run("apply", "site.yml", "--root", root.toString()).exitCode()).isZero();
        assertThat(run("apply", "site.yml", "--root", root.toString()).exitCode()).isZero(); // nothing to do: no entry

        Cli.Result history = run("history", "--root", root.toString(), "--json");
        assertThat(history.exitCode()).as("%s", history).isZero();
        JsonNode applies = JSON.readTree(history.stdout()).path("applies");
        assertThat(applies).hasSize(1);
        String id = applies.get(0).path("id").asText();
        assertThat(applies.get(0).path("user").asText()).isEqualTo(System.getProperty("user.name"));
        assertThat(applies.get(0).path("outcome").asText()).isEqualTo("ok");
        assertThat(applies.get(0).path("changed").toString()).contains("~ file[motd]", "+ file[a]");
        assertThat(run("history", "--root", root.toString()).stdout()).contains(id + "  ").contains("  apply  ");

        Cli.Result one = run("restore", id, "file[motd]", "--root", root.toString());
        assertThat(one.exitCode()).as("%s", one).isZero();
        assertThat(rootFile("etc/motd")).isEqualTo("the old motd\n");
        assertThat(rootFile("etc/a.conf")).isEqualTo("a hello\n");

        Cli.Result all = run("restore", id, "--root", root.toString());
        assertThat(all.exitCode()).as("%s", all).isZero();
        assertThat(root.resolve("etc/a.conf")).doesNotExist();
        assertThat(root.resolve("srv")).doesNotExist();

        Cli.Result unknown = run("restore", "20000101-000000", "--root", root.toString());
        assertThat(unknown.exitCode()).as("%s", unknown).isEqualTo(1);
        assertThat(unknown.stderr()).as("%s", unknown).contains("no apply '20000101-000000'").doesNotContain("\tat ");

        Path journal = root.resolve("var/lib/mosaic/history/" + id + ".json");
        Files.writeString(journal, "{ damaged");
        Cli.Result damaged = run("history", "--root", root.toString());
        assertThat(damaged.exitCode()).as("%s", damaged).isZero();
        assertThat(damaged.stderr()).as("%s", damaged).contains("warning: history record").contains("rebuilt from its journal");
        assertThat(damaged.stdout()).as("%s", damaged).contains(id).contains("unknown (damaged record)");
    }

    @Test
    void on_remove_keep_is_a_valid_field_and_unknown_values_are_rejected() throws IOException {
        Files.writeString(playbook, PLAYBOOK.replace("content: \"b\\n\",", "content: \"b\\n\", on_remove: keep,"));
        assertThat(run("validate", "site.yml").exitCode()).isZero();
        Files.writeString(playbook, PLAYBOOK.replace("content: \"b\\n\",", "content: \"b\\n\", on_remove: maybe,"));
        Cli.Result bad = run("validate", "site.yml");
        assertThat(bad.exitCode()).as("%s", bad).isEqualTo(1);
        assertThat(bad.stderr()).as("%s", bad).contains("on_remove");
        assertThat(List.of(bad.stderr())).noneMatch(s -> s.contains("\tat "));
    }
}
