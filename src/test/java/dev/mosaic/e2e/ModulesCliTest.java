package dev.mosaic.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Modules and inventories through the command line (in-process {@code Main.run}): a playbook
 * calling a module, run on three local hosts with their own roots, an ssh host that cannot be
 * reached yet, {@code --limit}, {@code --json}, and {@code module-schema}.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ModulesCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String MODULE = """
            name: lab-pxe
            description: a TFTP tree with a PXE menu for one NIC
            params:
              tftp_root: { type: string, default: /srv/tftp }
              nic: { type: string, description: the NIC the nodes boot from }
              kernel: { type: string, default: vmlinuz }
            resources:
              tftp:
                type: directory
                path: ${tftp_root}
              menu:
                type: file
                path: ${tftp_root}/pxelinux.cfg/default
                content: |
                  default linux
                  label linux
                    kernel ${kernel}
                    append ip=dhcp nic=${nic}
              message:
                type: file
                path: ${tftp_root}/boot.msg
                source: files/boot.msg
            outputs:
              menu: ${tftp_root}/pxelinux.cfg/default
            """;

    private static final String PLAYBOOK = """
            name: lab
            vars:
              tftp_root: /srv/tftp
            modules:
              boot:
                source: lab-pxe
                with: { tftp_root: "${tftp_root}", nic: "${nic}" }
            resources:
              motd:
                type: file
                path: /etc/motd
                content: "menu at ${module.boot.menu} for ${nic}\\n"
                requires: [module.boot]
            """;

    private static final String INVENTORY = """
            groups:
              local-labs:
                vars: { tftp_root: /srv/labs }
                hosts: [lab1, lab2, lab3]
            hosts:
              lab1: { connection: local, root: roots/lab1, vars: { nic: eth1 } }
              lab2: { connection: local, root: roots/lab2, vars: { nic: eth2 } }
              lab3: { connection: local, root: roots/lab3, vars: { nic: eth3 } }
              lab4: { connection: ssh, address: 127.0.0.1, port: 9, user: root, vars: { nic: eth4 } }
            """;

    private static final String MENU = "srv/labs/pxelinux.cfg/default";

    @TempDir
    Path tmp;

    private Path project;
    private Path playbook;
    private Path inventory;

    @BeforeEach
    void createProject() throws IOException {
        project = tmp.resolve("project");
        write("modules/lab-pxe/module.yml", MODULE);
        write("modules/lab-pxe/files/boot.msg", "Booting the lab (from the module's own files)\n");
        playbook = write("playbooks/site.yml", PLAYBOOK);
        inventory = write("inventory.yml", INVENTORY);
    }

    private Path write(String relative, String text) throws IOException {
        Path p = project.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private Path root(String host) {
        return project.resolve("roots").resolve(host);
    }

    private String read(String host, String path) throws IOException {
        return Files.readString(root(host).resolve(path), StandardCharsets.UTF_8);
    }

    private Cli.Result mosaic(String... args) {
        return Cli.inProcess(args);
    }

    /** The lines of one host's section of the text output, header excluded. */
    private static List<String> section(Cli.Result r, String host) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String line : r.stdoutLines()) {
            if (line.startsWith("== ")) {
                in = line.equals("== host " + host + " ==");
                continue;
            }
            if (in) {
                out.add(line);
            }
        }
        return out;
    }

    private static List<String> summary(Cli.Result r) {
        List<String> lines = r.stdoutLines();
        return lines.subList(lines.indexOf("== summary ==") + 1, lines.size());
    }

    // ------------------------------------------------------------------ three local hosts

    @Test
    void each_of_three_local_hosts_gets_its_own_rendered_files_and_a_second_run_changes_nothing() throws IOException {
        Cli.Result first = mosaic("apply", playbook.toString(), "--inventory", inventory.toString(), "--limit", "local-labs");
        assertThat(first.exitCode()).as("%s", first).isZero();
        assertThat(first.stdoutLines()).filteredOn(l -> l.startsWith("== "))
                .containsExactly("== host lab1 ==", "== host lab2 ==", "== host lab3 ==", "== summary ==");
        assertThat(summary(first)).containsExactly(
                "lab1: 4 changed, 0 refreshed, 0 unchanged, 0 failed, 0 skipped.",
                "lab2: 4 changed, 0 refreshed, 0 unchanged, 0 failed, 0 skipped.",
                "lab3: 4 changed, 0 refreshed, 0 unchanged, 0 failed, 0 skipped.",
                "Hosts: 0 ok, 3 changed, 0 failed, 0 unreachable.");
        for (String host : List.of("lab1", "lab2", "lab3")) {
            String nic = "eth" + host.charAt(3);
            assertThat(read(host, MENU)).isEqualTo("default linux\nlabel linux\n  kernel vmlinuz\n  append ip=dhcp nic=" + nic + "\n");
            assertThat(read(host, "etc/motd")).isEqualTo("menu at /srv/labs/pxelinux.cfg/default for " + nic + "\n");
            assertThat(read(host, "srv/labs/boot.msg")).as("a module's relative source is read in the module")
                    .isEqualTo("Booting the lab (from the module's own files)\n");
            assertThat(root(host).resolve("var/lib/mosaic/state.json")).as("each host keeps its own state").isRegularFile();
        }
        assertThat(section(first, "lab2")).anyMatch(l -> l.startsWith("+ module.boot.file[menu]: created (new)"))
                .contains("Apply complete: 4 changed, 0 refreshed, 0 unchanged, 0 failed, 0 skipped.");

        Cli.Result second = mosaic("apply", playbook.toString(), "--inventory", inventory.toString(), "--limit", "local-labs");
        assertThat(second.exitCode()).as("%s", second).isZero();
        assertThat(summary(second)).containsExactly(
                "lab1: 0 changed, 0 refreshed, 4 unchanged, 0 failed, 0 skipped.",
                "lab2: 0 changed, 0 refreshed, 4 unchanged, 0 failed, 0 skipped.",
                "lab3: 0 changed, 0 refreshed, 4 unchanged, 0 failed, 0 skipped.",
                "Hosts: 3 ok, 0 changed, 0 failed, 0 unreachable.");

        Cli.Result plan = mosaic("plan", playbook.toString(), "--inventory", inventory.toString(), "--limit", "local-labs",
                "--detailed-exitcode");
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        for (String host : List.of("lab1", "lab2", "lab3")) {
            assertThat(section(plan, host)).as(host).first().asString()
                    .isEqualTo("No changes. " + host + " (local, root " + root(host) + ") matches playbook lab.");
        }
    }

    @Test
    void drift_on_one_host_shows_under_that_host_only() throws IOException {
        Cli.Result apply = mosaic("apply", playbook.toString(), "-i", inventory.toString(), "--limit", "lab1,lab2,lab3");
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        Files.writeString(root("lab2").resolve(MENU), "label rogue\n", StandardCharsets.UTF_8);

        Cli.Result plan = mosaic("plan", playbook.toString(), "-i", inventory.toString(), "--limit", "local-*",
                "--detailed-exitcode");
        assertThat(plan.exitCode()).as("%s", plan).isEqualTo(2);
        // motd requires the module, so it follows the drifted menu (requires carries data).
        assertThat(String.join("\n", section(plan, "lab2")))
                .contains("# module.boot.file[menu] will be updated in place (drift)", "-label rogue",
                        "# file[motd] will be updated in place (input changed: module.boot.file[menu])",
                        "Plan: 0 to create, 2 to update, 0 to replace, 0 to delete, 0 to refresh, 2 unchanged.");
        assertThat(String.join("\n", section(plan, "lab1"))).doesNotContain("drift").startsWith("No changes.");
        assertThat(String.join("\n", section(plan, "lab3"))).doesNotContain("drift").startsWith("No changes.");
        assertThat(summary(plan)).containsExactly(
                "lab1: 0 to create, 0 to update, 0 to replace, 0 to delete, 0 to refresh, 4 unchanged.",
                "lab2: 0 to create, 2 to update, 0 to replace, 0 to delete, 0 to refresh, 2 unchanged.",
                "lab3: 0 to create, 0 to update, 0 to replace, 0 to delete, 0 to refresh, 4 unchanged.",
                "Hosts: 2 ok, 1 changed, 0 failed, 0 unreachable.");
        assertThat(read("lab2", MENU)).as("a plan writes nothing").isEqualTo("label rogue\n");
    }

    @Test
    void limit_runs_the_selected_hosts_only() throws IOException {
        Cli.Result r = mosaic("apply", playbook.toString(), "-i", inventory.toString(), "--limit", "lab2");
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdoutLines()).filteredOn(l -> l.startsWith("== ")).containsExactly("== host lab2 ==", "== summary ==");
        assertThat(read("lab2", "etc/motd")).contains("eth2");
        assertThat(root("lab1")).doesNotExist();
        assertThat(root("lab3")).doesNotExist();

        Cli.Result none = mosaic("plan", playbook.toString(), "-i", inventory.toString(), "--limit", "lab9");
        assertThat(none.exitCode()).as("%s", none).isEqualTo(1);
        assertThat(none.stderrLines()).containsExactly("<input>: error: --limit: 'lab9' matches no host or group"
                + " (did you mean 'lab1'?); hosts: lab1, lab2, lab3, lab4; groups: local-labs");
    }

    @Test
    void an_unreachable_ssh_host_is_reported_and_fails_alone_while_the_others_are_applied() throws IOException {
        Cli.Result r = mosaic("apply", playbook.toString(), "-i", inventory.toString());
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stderrLines()).contains(
                "error: host lab4: cannot connect to 127.0.0.1:9: connection refused (ssh, root@127.0.0.1:9)");
        assertThat(section(r, "lab4")).containsExactly("not applied: cannot connect to 127.0.0.1:9: connection refused", "");
        assertThat(summary(r)).containsExactly(
                "lab1: 4 changed, 0 refreshed, 0 unchanged, 0 failed, 0 skipped.",
                "lab2: 4 changed, 0 refreshed, 0 unchanged, 0 failed, 0 skipped.",
                "lab3: 4 changed, 0 refreshed, 0 unchanged, 0 failed, 0 skipped.",
                "lab4: unreachable: cannot connect to 127.0.0.1:9: connection refused",
                "Hosts: 0 ok, 3 changed, 0 failed, 1 unreachable.");
        assertThat(read("lab3", "etc/motd")).contains("eth3");
    }

    @Test
    void json_plans_are_keyed_by_host() throws IOException {
        Cli.Result r = mosaic("plan", playbook.toString(), "-i", inventory.toString(), "--json");
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        JsonNode doc = JSON.readTree(r.stdout());
        assertThat(doc.fieldNames()).toIterable().containsExactly("hosts");
        assertThat(doc.get("hosts").fieldNames()).toIterable().containsExactly("lab1", "lab2", "lab3", "lab4");
        JsonNode lab1 = doc.at("/hosts/lab1");
        assertThat(lab1.get("target").asText()).isEqualTo("lab1 (local, root " + root("lab1") + ")");
        assertThat(lab1.get("changes").findValuesAsText("address")).containsExactly("module.boot.directory[tftp]",
                "module.boot.file[menu]", "module.boot.file[message]", "file[motd]");
        assertThat(lab1.at("/summary/create").asInt()).isEqualTo(4);
        assertThat(doc.at("/hosts/lab4/error").asText()).isEqualTo("cannot connect to 127.0.0.1:9: connection refused");
        assertThat(doc.at("/hosts/lab4/status").asText()).isEqualTo("unreachable");
        assertThat(lab1.get("status").asText()).isEqualTo("changed");
        assertThat(doc.at("/hosts/lab4/connection").asText()).isEqualTo("ssh");
    }

    @Test
    void a_playbook_problem_of_one_host_names_that_host_and_touches_no_host() throws IOException {
        write("inventory.yml", INVENTORY.replace("lab3: { connection: local, root: roots/lab3, vars: { nic: eth3 } }",
                "lab3: { connection: local, root: roots/lab3 }"));
        Cli.Result r = mosaic("apply", playbook.toString(), "-i", inventory.toString(), "--limit", "local-labs");
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        // The first problem of a value is reported; the output that needs the module is not tried further.
        assertThat(r.stderrLines()).containsExactly(playbook + ":7:45: error: undefined variable 'nic' (host lab3)");
        assertThat(project.resolve("roots")).doesNotExist();
    }

    @Test
    void validate_with_an_inventory_checks_the_playbook_for_every_selected_host_without_touching_any() {
        Cli.Result r = mosaic("validate", playbook.toString(), "-i", inventory.toString(), "--limit", "lab1,lab4");
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdoutLines()).containsExactly(
                playbook + ": ok for host lab1 (4 resources, 5 dependencies)",
                playbook + ": ok for host lab4 (4 resources, 5 dependencies)");
        assertThat(project.resolve("roots")).doesNotExist();
    }

    @Test
    void root_and_inventory_do_not_go_together() {
        Cli.Result r = mosaic("plan", playbook.toString(), "-i", inventory.toString(), "--root", tmp.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.stderrLines()).containsExactly("<input>: error: --root and --inventory do not go together:"
                + " give each local host its 'root:' in the inventory");
    }

    // ------------------------------------------------------------------ modules on the command line

    @Test
    void a_param_error_points_at_the_call_and_at_the_declaration() throws IOException {
        write("playbooks/site.yml", PLAYBOOK.replace("nic: \"${nic}\" }", "nic: 42 }"));
        Cli.Result r = mosaic("plan", playbook.toString(), "--root", tmp.resolve("r").toString());
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stderrLines()).containsExactly(playbook + ":7:40: error: module 'boot': param 'nic' expects a"
                + " string, got integer 42 (quote it to pass it as text) (declared at "
                + project.resolve("modules/lab-pxe/module.yml") + ":5:3)");
        assertThat(tmp.resolve("r")).doesNotExist();
    }

    @Test
    void modules_dirs_given_on_the_command_line_are_searched_after_the_playbooks_own() throws IOException {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Path moved = Files.writeString(elsewhere.resolve("site.yml"), PLAYBOOK.replace("${nic}", "eth9"));
        Cli.Result missing = mosaic("validate", moved.toString());
        assertThat(missing.exitCode()).as("%s", missing).isEqualTo(1);
        assertThat(missing.stderr()).contains("no module 'lab-pxe'");

        Cli.Result found = mosaic("validate", moved.toString(), "--modules", project.resolve("modules").toString());
        assertThat(found.exitCode()).as("%s", found).isZero();
        assertThat(found.stdoutLines()).containsExactly(moved + ": ok (4 resources, 5 dependencies)");
    }

    @Test
    void module_schema_prints_the_json_schema_of_a_modules_with_block() throws IOException {
        Cli.Result r = mosaic("module-schema", project.resolve("modules/lab-pxe").toString());
        assertThat(r.exitCode()).as("%s", r).isZero();
        JsonNode schema = JSON.readTree(r.stdout());
        assertThat(schema.get("title").asText()).isEqualTo("with: of module lab-pxe");
        assertThat(schema.get("additionalProperties").asBoolean()).isFalse();
        assertThat(schema.get("required")).extracting(JsonNode::asText).containsExactly("nic");
        assertThat(schema.get("properties").fieldNames()).toIterable().containsExactly("tftp_root", "nic", "kernel");
        assertThat(schema.at("/properties/tftp_root/default").asText()).isEqualTo("/srv/tftp");
        assertThat(schema.at("/properties/nic/description").asText()).isEqualTo("the NIC the nodes boot from");

        Cli.Result missing = mosaic("module-schema", project.resolve("modules/nope").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderrLines()).containsExactly("<input>: error: no module at " + project.resolve("modules/nope")
                + ": " + project.resolve("modules/nope/module.yml") + " does not exist");
    }
}
