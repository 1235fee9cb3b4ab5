package dev.mosaic.resource.pxe;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.UserError;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.PlaybookLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** What a {@code pxe} resource's own templates see and write, checked in-process through the loader. */
class PxeTemplatesTest {

    @TempDir
    Path dir;

    private static final String NODES = """
            vars:
              domain: lab
              nodes:
                - { name: node1, mac: "52-54-00-00-00-0A", ip: 10.0.2.21 }
                - { name: node2, mac: "52:54:00:00:00:02", label: rescue }
            resources:
              boot:
                type: pxe
                root: /srv/tftp
                menu: { timeout: 50, default: linux }
                labels:
                  - { name: linux, kernel: vmlinuz, initrd: initrd.img, append: "console=ttyS0 node={name}" }
                  - { name: rescue, kernel: rescue/vmlinuz }
                nodes: ${nodes}
            """;

    private void write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private Playbook load(String playbook) throws IOException {
        write("site.yml", playbook);
        return new PlaybookLoader(BuiltinKinds.create()).load(dir.resolve("site.yml"), Map.of());
    }

    private PxeSpec spec(String playbook) throws IOException {
        return (PxeSpec) load(playbook).byId("boot").orElseThrow().spec();
    }

    private List<String> errors(String playbook) {
        UserError e = catchThrowableOfType(() -> load(playbook), UserError.class);
        assertThat(e).as("the playbook is refused").isNotNull();
        return e.diagnostics().stream().map(Diagnostic::toString).toList();
    }

    @Test
    void theShippedMenuC32Example_writesAMenuEntryPerNode() throws IOException {
        write("menu.j2", Files.readString(Path.of("examples/templates/pxe/menu-c32.j2")));
        PxeSpec s = spec(NODES + "    templates: { pxelinux_default: menu.j2 }\n");

        assertThat(Renderers.render(s).get("pxelinux.cfg/default")).isEqualTo("""
                # Managed by Mosaic: local edits are reverted.
                UI menu.c32
                PROMPT 0
                TIMEOUT 50
                MENU TITLE Netboot: 2 nodes
                DEFAULT linux

                LABEL linux
                  MENU LABEL linux (any machine)
                  KERNEL vmlinuz
                  INITRD initrd.img
                  APPEND console=ttyS0 node=default

                LABEL rescue
                  MENU LABEL rescue (any machine)
                  KERNEL rescue/vmlinuz

                MENU SEPARATOR

                LABEL node1
                  MENU LABEL node1 (52:54:00:00:00:0a, 10.0.2.21)
                  KERNEL vmlinuz
                  INITRD initrd.img
                  APPEND console=ttyS0 node=node1

                LABEL node2
                  MENU LABEL node2 (52:54:00:00:00:02)
                  KERNEL rescue/vmlinuz
                """);
        // Only the menu is the template's: the per-node files are still the built-in ones.
        assertThat(s.custom()).containsOnlyKeys("pxelinux.cfg/default");
        assertThat(Renderers.render(s)).containsKeys("pxelinux.cfg/01-52-54-00-00-00-0a", "pxelinux.cfg/0A000215");
    }

    @Test
    void aPerNodeTemplate_seesTheNodeItsLabelAndTheScopesVariables_andWritesEveryFileOfTheNode() throws IOException {
        write("node.j2", """
                # {{ node.name }}.{{ domain }} boots {{ label.name }} ({{ label.kernel }}); {{ nodes | length }} nodes
                append {{ node.args }}
                """);
        PxeSpec s = spec(NODES + "    templates: { pxelinux_node: node.j2 }\n");

        String node1 = "# node1.lab boots linux (vmlinuz); 2 nodes\nappend console=ttyS0 node=node1\n";
        assertThat(s.custom()).containsOnly(
                Map.entry("pxelinux.cfg/01-52-54-00-00-00-0a", node1),
                Map.entry("pxelinux.cfg/0A000215", node1),
                Map.entry("pxelinux.cfg/01-52-54-00-00-00-02", "# node2.lab boots rescue (rescue/vmlinuz); 2 nodes\nappend \n"));
    }

    @Test
    void theKindsFields_areWhatTheTemplateSees_overTheScopesVariablesOfTheSameName() throws IOException {
        // The scope's nodes wrote "52-54-00-00-00-0A"; the kind's are normalised and complete.
        write("menu.j2", "{% for n in nodes %}{{ n.mac }} {{ n.label }} {{ n.pxelinux_file }} {{ n.hex_ip }}\n{% endfor %}");
        PxeSpec s = spec(NODES + "    templates: { pxelinux_default: menu.j2 }\n");

        assertThat(s.custom().get("pxelinux.cfg/default")).isEqualTo("""
                52:54:00:00:00:0a linux 01-52-54-00-00-00-0a 0A000215
                52:54:00:00:00:02 rescue 01-52-54-00-00-00-02\s
                """);
    }

    @Test
    void anUndefinedVariableInAPerNodeTemplate_isReportedOnce_atTheTemplatesLineAndColumn_withTheCallSite() throws IOException {
        write("t/node.j2", "label {{ label.name }}\n  append {{ node.args }} {{ node.hostname }}\n");
        assertThat(errors(NODES + "    templates: { pxelinux_node: t/node.j2 }\n")).singleElement().asString()
                .contains("t/node.j2:2:34", "no attribute 'hostname'", "field 'templates.pxelinux_node'", "site.yml:15:");
    }

    @Test
    void aTemplateForALoaderNotListed_isRefusedAtItsField() {
        assertThat(errors(NODES + "    templates: { grub: grub.j2 }\n")).singleElement().asString()
                .contains("site.yml:15:", "a template for grub files, which is not among the loaders (pxelinux)");
    }

    @Test
    void aMissingTemplateFile_isRefusedAtItsField() {
        assertThat(errors(NODES + "    templates: { pxelinux_default: none.j2 }\n")).singleElement().asString()
                .contains("site.yml:15:", "field 'templates.pxelinux_default': no such template file");
    }

    @Test
    void aTemplateUsingASensitiveVariable_makesTheResourceSensitive() throws IOException {
        write("menu.j2", "MENU PASSWD {{ menu_password }}\n");
        Playbook p = load(NODES.replace("vars:\n", "sensitive: [menu_password]\nvars:\n  menu_password: s3cret\n")
                + "    templates: { pxelinux_default: menu.j2 }\n");
        assertThat(p.isSensitive(p.byId("boot").orElseThrow().address())).isTrue();
    }
}
