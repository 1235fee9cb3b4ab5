package dev.mosaic.ssh;

import dev.mosaic.e2e.Cli;
import dev.mosaic.testing.TreeSnapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --target} with an inventory: each host, one over a real OpenSSH server on loopback and
 * one local below its {@code root:}, plans and applies only the selection and what it requires
 * (and {@code -v} gives each host's reasons).
 */
class TargetFleetTest {

    private static final String PLAYBOOK = """
            name: lab
            vars:
              greeting: hello
            resources:
              srv:
                type: directory
                path: /srv
              menu:
                type: file
                path: /srv/menu
                content: "${greeting} ${nic}\\n"
              motd:
                type: file
                path: /etc/motd
                content: "${greeting}\\n"
            """;

    @TempDir
    static Path servers;
    static SshServers lab;
    static Sshd sshd;
    static Path userKey;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() throws Exception {
        lab = SshServers.start(servers, "lab1");
        sshd = lab.first();
        userKey = lab.userKey();
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (lab != null) {
            lab.close();
        }
    }

    private Path write(String relative, String text) throws IOException {
        Path p = tmp.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private Path root(String host) {
        return tmp.resolve("roots").resolve(host);
    }

    @Test
    void planAndApply_withTargetAndAnInventory_touchOnlyTheSelectionOnEveryHost() throws IOException {
        Path playbook = write("site.yml", PLAYBOOK);
        write("known_hosts", sshd.knownHostsLine() + "\n");
        Path inventory = write("inventory.yml", "hosts:\n"
                + "  lab1: { connection: ssh, address: 127.0.0.1, port: " + sshd.port() + ", user: "
                + System.getProperty("user.name") + ", identity: " + userKey + ", known_hosts: known_hosts, root: "
                + root("lab1") + ", vars: { nic: eth1 } }\n"
                + "  local1: { connection: local, root: " + root("local1") + ", vars: { nic: eth0 } }\n");
        Files.createDirectories(root("lab1"));
        Files.createDirectories(root("local1"));
        List<String> common = List.of("-i", inventory.toString(), "--state-dir", tmp.resolve("state").toString(),
                "--cache-dir", tmp.resolve("cache").toString(), "--target", "file[menu]");

        Cli.Result unknown = Cli.inProcess(args(List.of("apply", playbook.toString()), common.subList(0, 6),
                List.of("--target", "file[mneu]")));
        assertThat(unknown.exitCode()).as("%s", unknown).isEqualTo(1);
        assertThat(unknown.stderr()).as("said once, for every host").containsOnlyOnce("--target file[mneu]: no resource")
                .contains("(did you mean 'file[menu]'?)");
        assertThat(root("lab1")).isEmptyDirectory();
        assertThat(root("local1")).isEmptyDirectory();

        Cli.Result plan = Cli.inProcess(args(List.of("plan", playbook.toString()), common));
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stdout().split("warning: partial plan \\(--target file\\[menu]\\)", -1)).as("once per host").hasSize(3);
        assertThat(plan.stdout()).contains("+ directory[srv]", "+ file[menu]").doesNotContain("file[motd]");

        Cli.Result apply = Cli.inProcess(args(List.of("apply", playbook.toString(), "-v"), common));
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(apply.stderr()).contains("reason: lab1: file[menu]: create, new", "reason: local1: file[menu]: create, new")
                .doesNotContain("file[motd]");
        for (String h : List.of("lab1", "local1")) {
            assertThat(root(h).resolve("srv/menu")).as(h).hasContent("hello " + (h.equals("lab1") ? "eth1" : "eth0"));
            assertThat(root(h).resolve("etc/motd")).as("not targeted on %s", h).doesNotExist();
            assertThat(apply.stderr()).contains("warning: " + h + ": --target file[menu]: a partial apply, 2 of the"
                    + " playbook's 3 resources");
        }

        // A host section is what it was: nothing outside the selection, after a whole apply either.
        Cli.Result whole = Cli.inProcess(args(List.of("apply", playbook.toString()), common.subList(0, 6)));
        assertThat(whole.exitCode()).as("%s", whole).isZero();
        Map<String, Path> roots = Map.of("lab1", root("lab1").resolve("srv"), "local1", root("local1").resolve("srv"));
        List<String> before = TreeSnapshot.of(roots);
        Files.writeString(playbook, PLAYBOOK.replace("greeting: hello", "greeting: bye"));
        Cli.Result again = Cli.inProcess(args(List.of("apply", playbook.toString()), common.subList(0, 6)
                .stream().toList(), List.of("--target", "motd")));
        assertThat(again.exitCode()).as("%s", again).isZero();
        assertThat(TreeSnapshot.of(roots)).as("the menu (not targeted) is untouched on both hosts").isEqualTo(before);
        for (String h : List.of("lab1", "local1")) {
            assertThat(root(h).resolve("etc/motd")).as(h).hasContent("bye");
        }
    }

    @SafeVarargs
    private static String[] args(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> p : parts) {
            all.addAll(p);
        }
        return all.toArray(String[]::new);
    }
}
