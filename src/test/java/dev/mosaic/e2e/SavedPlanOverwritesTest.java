package dev.mosaic.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A saved plan covers the content it would overwrite: a file listed in a copy's change list (its
 * diff names it by path only) and edited by hand after the plan was reviewed makes the copy stale
 * (exit 3) instead of being overwritten with what nobody reviewed it against.
 */
class SavedPlanOverwritesTest {

    @TempDir
    Path tmp;

    @Test
    void applyPlan_fileInTheCopysChangeListEditedAfterThePlan_isRefusedAsStale() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("site"));
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(dir.resolve("tree"));
        Files.writeString(dir.resolve("tree/a.conf"), "from the playbook\n");
        Files.writeString(dir.resolve("tree/b.conf"), "b\n");
        Files.writeString(dir.resolve("site.yml"), """
                name: overwrite
                resources:
                  tree: { type: copy, source: tree, dest: /srv/tree }
                """);
        Files.createDirectories(root.resolve("srv/tree"));
        Files.writeString(root.resolve("srv/tree/a.conf"), "what the reviewer saw\n");
        Cli cli = Cli.in(dir);

        Cli.Result plan = cli.run("plan", "site.yml", "--root", root.toString(), "--out", "plan.mosaic");
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stdout()).as("%s", plan).contains("copy[tree]").contains("a.conf");
        Files.writeString(root.resolve("srv/tree/a.conf"), "edited by hand after the review\n");

        Cli.Result apply = cli.run("apply", "plan.mosaic", "--root", root.toString());

        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(3);
        assertThat(apply.stdout()).as("%s", apply).contains("copy[tree]: changed since the plan, not applied")
                .contains("a file it would overwrite or remove was changed since the plan");
        assertThat(Files.readString(root.resolve("srv/tree/a.conf"))).isEqualTo("edited by hand after the review\n");
        assertThat(root.resolve("srv/tree/b.conf")).doesNotExist();

        // Untouched since the plan: the plan applies.
        Cli.Result again = cli.run("plan", "site.yml", "--root", root.toString(), "--out", "plan.mosaic");
        assertThat(again.exitCode()).as("%s", again).isZero();
        Cli.Result applied = cli.run("apply", "plan.mosaic", "--root", root.toString());
        assertThat(applied.exitCode()).as("%s", applied).isZero();
        assertThat(Files.readString(root.resolve("srv/tree/a.conf"))).isEqualTo("from the playbook\n");
    }

    @Test
    void applyPlan_fileInsideADirectoryToDeleteEditedAfterThePlan_isRefusedAsStale() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("site"));
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(dir.resolve("site.yml"), """
                name: gone
                resources:
                  old: { type: directory, path: /srv/old, ensure: absent, force: true }
                """);
        Files.createDirectories(root.resolve("srv/old"));
        Files.writeString(root.resolve("srv/old/notes.txt"), "nothing of value\n");
        Cli cli = Cli.in(dir);

        Cli.Result plan = cli.run("plan", "site.yml", "--root", root.toString(), "--out", "plan.mosaic");
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        Files.writeString(root.resolve("srv/old/notes.txt"), "an hour of work, written after the review\n");

        Cli.Result apply = cli.run("apply", "plan.mosaic", "--root", root.toString());

        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(3);
        assertThat(apply.stdout()).as("%s", apply).contains("directory[old]: changed since the plan, not applied");
        assertThat(Files.readString(root.resolve("srv/old/notes.txt"))).startsWith("an hour of work");
    }

    @Test
    void applyPlan_planEditedWithARecomputedPlainChecksum_isRefusedAndTouchesNothing() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("site"));
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(dir.resolve("site.yml"), """
                name: edited
                resources:
                  motd: { type: file, path: /etc/motd, content: "reviewed\\n" }
                """);
        Cli cli = Cli.in(dir);
        Cli.Result plan = cli.run("plan", "site.yml", "--root", root.toString(), "--out", "plan.mosaic");
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        Path key = root.resolve("var/lib/mosaic/plan.key");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                .isEqualTo("rw-------");
        assertThat(plan.stdout() + plan.stderr()).doesNotContain(Files.readString(key).strip());

        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode file =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(dir.resolve("plan.mosaic").toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) file.get("plan").get("target")).put("name", "forged");
        file.put("checksum", "sha256:" + dev.mosaic.resource.Digests.sha256(json.writeValueAsString(file.get("plan"))));
        Files.writeString(dir.resolve("plan.mosaic"), json.writeValueAsString(file));

        Cli.Result apply = cli.run("apply", "plan.mosaic", "--root", root.toString());

        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(1);
        assertThat(apply.stderr()).as("%s", apply).contains("checksum does not match");
        assertThat(root.resolve("etc/motd")).doesNotExist();
    }
}
