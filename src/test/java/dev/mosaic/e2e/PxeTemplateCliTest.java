package dev.mosaic.e2e;

import dev.mosaic.testing.TreeSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pxe} and {@code dnsmasq} resources with templates of their own, through the real command
 * line under {@code --root}: a menu with an entry per node, idempotence, a changed template as a
 * config change, and template problems at the template's {@code file:line:col} with nothing written.
 */
class PxeTemplateCliTest {

    @TempDir
    Path tmp;

    private Path project;
    private Path root;

    private static final String MENU = """
            UI menu.c32
            TIMEOUT {{ menu.timeout }}
            MENU TITLE {{ site }}
            {% for n in nodes %}
            LABEL {{ n.name }}
              KERNEL vmlinuz
              APPEND initrd=initrd.img {{ n.args }}
            {% endfor -%}
            """;

    private static final String PLAYBOOK = """
            vars:
              site: Lab netboot
              nodes:
                - { name: node1, mac: "52:54:00:00:00:01", ip: 10.0.2.21 }
                - { name: node2, mac: "52:54:00:00:00:02", ip: 10.0.2.22 }
                - { name: node3, mac: "52:54:00:00:00:03", ip: 10.0.2.23 }
            resources:
              boot:
                type: pxe
                root: /srv/tftp
                menu: { timeout: 30 }
                labels:
                  - { name: linux, kernel: %s, initrd: initrd.img, append: "console=ttyS0 node={name}" }
                nodes: ${nodes}
                templates:
                  pxelinux_default: templates/menu.j2
              dhcp:
                type: dnsmasq
                path: /etc/dnsmasq.d/netboot.conf
                tftp_root: /srv/tftp
                boot: pxelinux.0
                nodes: ${nodes}
                source: templates/dnsmasq.conf.j2
            """;

    private static final String DNSMASQ = """
            tftp-root={{ tftp_root }}
            dhcp-match=set:efi-x86_64,option:client-arch,7
            dhcp-boot=tag:efi-x86_64,grubx64.efi
            dhcp-boot=tag:!efi-x86_64,{{ boot }}
            {% for n in nodes -%}
            dhcp-host={{ n.mac }},{{ n.ip }},{{ n.name }}
            {% endfor -%}
            """;

    private void write(String name, String text) throws IOException {
        Path p = project.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private Cli.Result run(String command) {
        return Cli.in(project).run(command, "--root", root.toString(), "site.yml");
    }

    /** A project whose target already holds the kernel and initrd the label names. */
    private void project(String kernel) throws IOException {
        project = Files.createDirectories(tmp.resolve("project"));
        root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("srv/tftp"));
        Files.writeString(root.resolve("srv/tftp/vmlinuz"), "kernel");
        Files.writeString(root.resolve("srv/tftp/initrd.img"), "initrd");
        write("templates/menu.j2", MENU);
        write("templates/dnsmasq.conf.j2", DNSMASQ);
        write("site.yml", PLAYBOOK.formatted(kernel));
    }

    @Test
    void aMenuTemplateLoopingOverNodes_writesAnEntryPerNode_aSecondApplyChangesNothing_andAnEditedTemplateIsPlanned()
            throws IOException {
        project("vmlinuz");

        Cli.Result apply = run("apply");
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(apply.stdout()).contains("Apply complete: 2 changed");
        assertThat(Files.readString(root.resolve("srv/tftp/pxelinux.cfg/default"))).isEqualTo("""
                UI menu.c32
                TIMEOUT 30
                MENU TITLE Lab netboot

                LABEL node1
                  KERNEL vmlinuz
                  APPEND initrd=initrd.img console=ttyS0 node=node1

                LABEL node2
                  KERNEL vmlinuz
                  APPEND initrd=initrd.img console=ttyS0 node=node2

                LABEL node3
                  KERNEL vmlinuz
                  APPEND initrd=initrd.img console=ttyS0 node=node3
                """);
        // The per-node files are still the kind's own.
        assertThat(Files.readString(root.resolve("srv/tftp/pxelinux.cfg/01-52-54-00-00-00-02")))
                .contains("# node node2", "append initrd=initrd.img console=ttyS0 node=node2");
        assertThat(Files.readString(root.resolve("etc/dnsmasq.d/netboot.conf")))
                .contains("dhcp-match=set:efi-x86_64,option:client-arch,7", "dhcp-host=52:54:00:00:00:03,10.0.2.23,node3");

        Cli.Result again = run("apply");
        assertThat(again.exitCode()).as("%s", again).isZero();
        assertThat(again.stdout()).contains("Apply complete: 0 changed");

        write("templates/menu.j2", MENU.replace("MENU TITLE", "MENU TITLE Welcome to"));
        write("templates/dnsmasq.conf.j2", DNSMASQ.replace("grubx64.efi", "shimx64.efi"));
        Cli.Result plan = run("plan");
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stdout()).contains("~ pxe[boot]", "config changed", "-MENU TITLE Lab netboot",
                "+MENU TITLE Welcome to Lab netboot", "~ dnsmasq[dhcp]", "+dhcp-boot=tag:efi-x86_64,shimx64.efi");
        assertThat(run("apply").stdout()).contains("Apply complete: 2 changed");
        assertThat(run("apply").stdout()).contains("Apply complete: 0 changed");
    }

    /** Plan and apply refuse the playbook: exit 1, {@code expected} on stderr, the target untouched. */
    private void assertRefused(String template, String file, String... expected) throws IOException {
        project("vmlinuz");
        write(file, template);
        List<String> before = TreeSnapshot.of(root);
        for (String command : List.of("plan", "apply")) {
            Cli.Result r = run(command);
            assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
            assertThat(r.stderr()).as("%s", r).contains(expected).contains("site.yml:").doesNotContain("Exception", "\tat ");
        }
        assertThat(TreeSnapshot.of(root)).as("nothing written").isEqualTo(before);
    }

    @Test
    void anUndefinedVariableInTheMenuTemplate_isReportedAtItsLineAndColumn_andNothingIsWritten() throws IOException {
        assertRefused(MENU.replace("{{ site }}", "{{ sitename }}"), "templates/menu.j2",
                "templates/menu.j2:3:15", "undefined variable 'sitename'", "field 'templates.pxelinux_default'");
    }

    @Test
    void aLoopLeftOpenInTheDnsmasqTemplate_isReportedWhereTheTemplateEnds_andNothingIsWritten() throws IOException {
        assertRefused(DNSMASQ.replace("{% endfor -%}", ""), "templates/dnsmasq.conf.j2",
                "templates/dnsmasq.conf.j2:8:1", "looking for the \"endfor\" tag", "field 'source'");
    }

    @Test
    void aSyntaxErrorInTheMenuTemplate_isReportedAtItsLineAndColumn_andNothingIsWritten() throws IOException {
        assertRefused(MENU.replace("{{ n.args }}", "{{ n.args + }}"), "templates/menu.j2",
                "templates/menu.j2:7:40", "Unexpected token \"PRINT_END\" of value \"}}\"");
    }

    @Test
    void aKernelNobodyProduces_stillFailsThePlan_withATemplate() throws IOException {
        project("vmlinuz-missing");
        Cli.Result plan = run("plan");
        assertThat(plan.exitCode()).as("%s", plan).isEqualTo(1);
        assertThat(plan.stdout() + plan.stderr())
                .contains("names vmlinuz-missing, which is not in /srv/tftp and which no resource of the playbook produces");
    }
}
