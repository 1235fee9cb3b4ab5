package dev.mosaic.e2e;

import dev.mosaic.testing.SecretGrep;
import dev.mosaic.testing.TreeSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code template} kind through the real command line: files rendered from a node list, and
 * every template problem reported at the template's {@code file:line:col} before anything is
 * written.
 */
class TemplateCliTest {

    private static final int NODES = 50;

    @TempDir
    Path tmp;

    private Path project;
    private Path root;

    private Path write(String name, String text) throws IOException {
        Path p = project.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    private Cli.Result run(String... args) {
        return Cli.in(project).run(args);
    }

    private static String mac(int i) {
        return String.format("52:54:00:00:%02x:%02x", i / 256, i % 256);
    }

    /** A playbook whose {@code nodes} variable lists {@code n} nodes, then {@code resources}. */
    private static String playbook(int n, String resources) {
        StringBuilder b = new StringBuilder("vars:\n  domain: lab\n  tftp_root: /srv/tftp\n  nodes:\n");
        for (int i = 1; i <= n; i++) {
            b.append("    - { name: node").append(i).append(", mac: \"").append(mac(i))
                    .append("\", ip: 10.0.").append(i / 200).append('.').append(10 + i % 200).append(" }\n");
        }
        return b.append("resources:\n").append(resources).toString();
    }

    private void project() throws IOException {
        project = Files.createDirectories(tmp.resolve("project"));
        root = Files.createDirectories(tmp.resolve("root"));
    }

    @Test
    void fiftyNodes_renderEthersHostsAndPerNodePxeFiles_andASecondApplyChangesNothing() throws IOException {
        project();
        write("templates/ethers.j2", """
                {% for n in nodes -%}
                {{ n.mac }} {{ n.name }}
                {% endfor -%}
                """);
        write("templates/hosts.j2", """
                127.0.0.1 localhost
                {% for n in nodes -%}
                {{ n.ip }} {{ n.name }}.{{ domain }} {{ n.name }}
                {% endfor -%}
                """);
        // One file per node, each rendered from the same template and the node list.
        write("templates/node.cfg.j2", """
                {% set node = nodes[i] -%}
                default linux
                label linux
                  kernel vmlinuz
                  append initrd=initrd.img console=ttyS0 node={{ node.name }} ip={{ node.ip }}
                """);
        StringBuilder resources = new StringBuilder("""
                  ethers: { type: template, path: /etc/ethers, source: templates/ethers.j2 }
                  hosts: { type: template, path: /etc/hosts, source: templates/hosts.j2, mode: "0644" }
                """);
        for (int i = 0; i < NODES; i++) {
            resources.append("  pxe-").append(i + 1).append(": { type: template, path: \"${tftp_root}/pxelinux.cfg/01-")
                    .append(mac(i + 1).replace(':', '-')).append("\", source: templates/node.cfg.j2, vars: { i: ")
                    .append(i).append(" } }\n");
        }
        write("lab.yml", playbook(NODES, resources.toString()));

        Cli.Result plan = run("plan", "--root", root.toString(), "lab.yml");
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stdout()).contains("+ template[ethers]", "+ template[hosts]", "+ template[pxe-50]");

        Cli.Result apply = run("apply", "--root", root.toString(), "lab.yml");
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(apply.stdout()).contains("Apply complete: " + (NODES + 2) + " changed");

        List<String> ethers = Files.readAllLines(root.resolve("etc/ethers"));
        assertThat(ethers).hasSize(NODES).startsWith("52:54:00:00:00:01 node1").endsWith("52:54:00:00:00:32 node50");
        List<String> hosts = Files.readAllLines(root.resolve("etc/hosts"));
        assertThat(hosts).hasSize(NODES + 1).contains("127.0.0.1 localhost", "10.0.0.17 node7.lab node7");
        assertThat(Files.readString(root.resolve("srv/tftp/pxelinux.cfg/01-52-54-00-00-00-2a")))
                .contains("node=node42 ip=10.0.0.52");
        try (var files = Files.list(root.resolve("srv/tftp/pxelinux.cfg"))) {
            assertThat(files.count()).isEqualTo(NODES);
        }

        Cli.Result again = run("apply", "--root", root.toString(), "lab.yml");
        assertThat(again.exitCode()).as("%s", again).isZero();
        assertThat(again.stdout()).contains("Apply complete: 0 changed");

        // A changed node list is a config change of the files that use it, and only of those.
        write("lab.yml", playbook(NODES, resources.toString()).replace("ip: 10.0.0.17 }", "ip: 10.0.0.99 }"));
        Cli.Result changed = run("plan", "--root", root.toString(), "lab.yml");
        assertThat(changed.stdout()).as("%s", changed).contains("~ template[hosts]", "~ template[pxe-7]")
                .doesNotContain("template[ethers]", "template[pxe-8]");
    }

    /** Applies a playbook whose template is wrong: exit 1, the message at {@code where}, nothing written. */
    private void assertRefused(String template, String where, String message) throws IOException {
        project();
        write("templates/t.j2", template);
        write("lab.yml", playbook(3, """
                  before: { type: file, path: /etc/motd, content: "hello\\n" }
                  conf: { type: template, path: /etc/lab.conf, source: templates/t.j2 }
                """));
        List<String> before = TreeSnapshot.of(root);
        for (String command : List.of("plan", "apply")) {
            Cli.Result r = run(command, "--root", root.toString(), "lab.yml");
            assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
            assertThat(r.stderr()).as("%s", r).contains(where, message, "resource 'conf'", "lab.yml:")
                    .doesNotContain("Exception", "\tat ");
        }
        assertThat(TreeSnapshot.of(root)).as("nothing written").isEqualTo(before);
    }

    @Test
    void anUndefinedVariable_isReportedAtItsLineAndColumn_andNothingIsWritten() throws IOException {
        assertRefused("""
                # lab
                {% for n in nodes -%}
                {{ n.ip }} {{ n.name }}.{{ domian }}
                {% endfor -%}
                """, "templates/t.j2:3:28", "undefined variable 'domian'");
    }

    @Test
    void aMissingAttributeOfANode_isReportedAtItsLineAndColumn() throws IOException {
        assertRefused("{% for n in nodes %}{{ n.hostname }}{% endfor %}\n", "templates/t.j2:1:26", "no attribute 'hostname'");
    }

    @Test
    void aSyntaxError_isReportedAtItsLineAndColumn_andNothingIsWritten() throws IOException {
        assertRefused("""
                {% for n in nodes %}
                {{ n.ip + }}
                {% endfor %}
                """, "templates/t.j2:2:11", "Unexpected token");
    }

    @Test
    void aLoopOverAString_isATypeError_reportedAtItsLineAndColumn_andNothingIsWritten() throws IOException {
        assertRefused("""
                header
                  {% for c in domain %}{{ c }}{% endfor %}
                """, "templates/t.j2:2:15", "'for' needs a list or a mapping");
    }

    @Test
    void anUnknownFilter_isReportedAtItsLineAndColumn_andNothingIsWritten() throws IOException {
        assertRefused("{{ domain | shout }}\n", "templates/t.j2:1:13", "Filter [shout] does not exist");
    }

    @Test
    void anInlineTemplateError_pointsIntoThePlaybook() throws IOException {
        project();
        write("lab.yml", playbook(2, """
                  conf:
                    type: template
                    path: /etc/lab.conf
                    template: |
                      first line
                      {{ nodes[0].name }} {{ missing }}
                """));
        Cli.Result r = run("plan", "--root", root.toString(), "lab.yml");
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        // Line 13 of the playbook; the block's indentation (6) + column 24 of the template's line 2.
        assertThat(r.stderr()).as("%s", r).contains("lab.yml:13:30", "undefined variable 'missing'");
    }

    @Test
    void aSensitiveVariableUsedInATemplate_neverShowsInPlanOrApplyOutput() throws IOException {
        project();
        String secret = "s3cret-Passw0rd-for-the-bmc";
        write("templates/bmc.j2", "user admin\npassword {{ password }}\nshouted {{ password | upper }}\n");
        write("lab.yml", """
                vars:
                  password: %s
                sensitive: [password]
                resources:
                  bmc: { type: template, path: /etc/bmc.conf, source: templates/bmc.j2, mode: "0600" }
                  motd: { type: template, path: /etc/motd, template: "welcome\\n" }
                """.formatted(secret));
        Cli.Result plan = run("plan", "--root", root.toString(), "lab.yml");
        Cli.Result apply = run("apply", "--root", root.toString(), "lab.yml");
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(Files.readString(root.resolve("etc/bmc.conf"))).contains(secret, secret.toUpperCase());
        Files.writeString(root.resolve("etc/bmc.conf"), "password old-Passw0rd-drifted\n");
        Cli.Result drift = run("plan", "--root", root.toString(), "lab.yml");
        for (Cli.Result r : List.of(plan, apply, drift)) {
            for (String s : List.of(secret, secret.toUpperCase(), "old-Passw0rd-drifted")) {
                assertThat(SecretGrep.inText(r.stdout() + r.stderr(), s)).as("%s", r).isEmpty();
            }
        }
        assertThat(plan.stdout()).contains("(sensitive)");
        // A template that uses no sensitive variable is shown as usual.
        assertThat(plan.stdout()).contains("welcome");
    }
}
