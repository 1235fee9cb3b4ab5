package dev.mosaic.e2e;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An inventory's hosts load the playbook in parallel ({@code --forks}) from one parse of the file,
 * and what each host gets, and the problems reported, are as if each had loaded it alone: a
 * problem of one host's variables names that host, one every host has is the playbook's, and no
 * host is touched when any has a problem.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class FleetLoadCliTest {

    private static final String PLAYBOOK = """
            name: labs
            vars:
              mode: "0644"
            resources:
              motd:
                type: file
                path: /etc/motd
                mode: ${mode}
                content: "lab ${n} of ${site}\\n"
            """;

    private static final String INVENTORY = """
            groups:
              labs:
                vars: { n: 0, site: north }
                hosts: [lab1, lab2, lab3, lab4, lab5, lab6]
            hosts:
              lab1: { connection: local, root: roots/lab1 }
              lab2: { connection: local, root: roots/lab2 }
              lab3: { connection: local, root: roots/lab3, vars: { n: 3 } }
              lab4: { connection: local, root: roots/lab4, vars: { n: 4, mode: "rwx" } }
              lab5: { connection: local, root: roots/lab5, vars: { n: 5 } }
              lab6: { connection: local, root: roots/lab6, vars: { n: 6, mode: "rwx" } }
            """;

    @TempDir
    Path tmp;

    private Path playbook;
    private Path inventory;

    @BeforeEach
    void createProject() throws IOException {
        playbook = write("site.yml", PLAYBOOK);
        inventory = write("inventory.yml", INVENTORY);
    }

    private Path write(String relative, String text) throws IOException {
        Path p = tmp.resolve(relative);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    @Test
    void hosts_whose_variables_make_the_tree_invalid_are_named_and_no_host_is_touched() {
        for (String forks : new String[] {"1", "6"}) {
            Cli.Result r = Cli.inProcess("apply", playbook.toString(), "-i", inventory.toString(), "--forks", forks);
            assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
            assertThat(r.stderrLines()).as("--forks %s", forks).hasSize(1).allMatch(l -> l.startsWith(playbook + ":8:"))
                    .allMatch(l -> l.contains("mode")).allMatch(l -> l.endsWith(" (hosts lab4, lab6)"));
            assertThat(r.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(tmp.resolve("roots")).doesNotExist();
        }
    }

    @Test
    void a_problem_every_host_has_is_reported_once_as_the_playbooks() throws IOException {
        write("site.yml", PLAYBOOK.replace("${site}", "${sight}"));
        Cli.Result r = Cli.inProcess("plan", playbook.toString(), "-i", inventory.toString(), "--limit", "lab1,lab2,lab3",
                "--forks", "3");
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stderrLines()).hasSize(1).allMatch(l -> l.startsWith(playbook + ":9:"))
                .allMatch(l -> l.contains("undefined variable 'sight'")).noneMatch(l -> l.contains("(host"));
        assertThat(tmp.resolve("roots")).doesNotExist();
    }

    @Test
    void each_host_gets_its_own_variables_whatever_order_the_loads_finish_in() throws IOException {
        Cli.Result r = Cli.inProcess("apply", playbook.toString(), "-i", inventory.toString(), "--limit", "lab1,lab2,lab3,lab5",
                "--forks", "4");
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdoutLines()).filteredOn(l -> l.startsWith("== host ")).containsExactly(
                "== host lab1 ==", "== host lab2 ==", "== host lab3 ==", "== host lab5 ==");
        for (String[] host : new String[][] {{"lab1", "0"}, {"lab2", "0"}, {"lab3", "3"}, {"lab5", "5"}}) {
            assertThat(tmp.resolve("roots/" + host[0] + "/etc/motd")).hasContent("lab " + host[1] + " of north\n");
        }
    }
}
