package dev.mosaic.resource.pxe;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.cli.Main;
import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.UserError;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.PlaybookLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A label with several initrds (a node image shared by every server, then a small overlay built
 * on each): every loader loads them all, in the order written, and each must exist.
 */
class PxeInitrdsTest {

    @TempDir
    Path dir;

    private static final String LAYERED = """
            resources:
              boot:
                type: pxe
                root: /srv/tftp
                loaders: [pxelinux, ipxe, grub]
                labels:
                  - { name: node, kernel: vmlinuz, initrd: [images/node.img, overlay.img], append: "console=ttyS0 node={name}" }
                nodes:
                  - { name: n1, mac: "52:54:00:00:00:01" }
            """;

    private Playbook load(String playbook) throws IOException {
        Files.writeString(dir.resolve("site.yml"), playbook);
        return new PlaybookLoader(BuiltinKinds.create()).load(dir.resolve("site.yml"), Map.of());
    }

    private Map<String, String> files(String playbook) throws IOException {
        return Renderers.render((PxeSpec) load(playbook).byId("boot").orElseThrow().spec());
    }

    private List<String> errors(String playbook) {
        UserError e = catchThrowableOfType(() -> load(playbook), UserError.class);
        assertThat(e).as("the playbook is refused").isNotNull();
        return e.diagnostics().stream().map(Diagnostic::toString).toList();
    }

    @Test
    void pxelinux_namesEveryInitrdInOneCommaSeparatedInitrdArgument() throws IOException {
        assertThat(files(LAYERED).get("pxelinux.cfg/01-52-54-00-00-00-01")).isEqualTo("""
                # Managed by Mosaic: local edits are reverted.
                # node n1
                prompt 0
                timeout 0
                default node
                label node
                  kernel vmlinuz
                  append initrd=images/node.img,overlay.img console=ttyS0 node=n1
                """);
    }

    @Test
    void classicPxelinux_putsTheCommaSeparatedListAtTheEndOfAppend() throws IOException {
        String classic = LAYERED.replace("loaders: [pxelinux, ipxe, grub]", "style: classic");
        assertThat(files(classic).get("pxelinux.cfg/default")).isEqualTo("""
                prompt=0
                label node
                kernel vmlinuz
                append console=ttyS0 node=default initrd=images/node.img,overlay.img
                """);
    }

    @Test
    void ipxe_loadsEachInitrdOnALineOfItsOwn_andNamesEachOnTheKernelLine() throws IOException {
        assertThat(files(LAYERED).get("ipxe/52-54-00-00-00-01.ipxe")).isEqualTo("""
                #!ipxe
                # Managed by Mosaic: local edits are reverted.
                # node n1
                kernel /vmlinuz initrd=node.img initrd=overlay.img console=ttyS0 node=n1
                initrd /images/node.img
                initrd /overlay.img
                boot
                """);
    }

    @Test
    void grub_loadsEveryInitrdWithOneInitrdCommand() throws IOException {
        assertThat(files(LAYERED).get("grub/grub.cfg")).contains("""
                  menuentry "n1" {
                    linux /vmlinuz console=ttyS0 node=n1
                    initrd /images/node.img /overlay.img
                  }
                """);
    }

    @Test
    void templates_seeTheListAsInitrds_andThePxelinuxFormAsInitrd() throws IOException {
        Files.writeString(dir.resolve("node.j2"), """
                {% for i in label.initrds %}[{{ i }}]{% endfor %} {{ label.initrd }} {{ label.initrds | length }}
                """);
        Map<String, String> files = files(LAYERED.replace("loaders: [pxelinux, ipxe, grub]",
                "loaders: [pxelinux, ipxe, grub]\n    templates: { ipxe_node: node.j2 }"));

        assertThat(files.get("ipxe/52-54-00-00-00-01.ipxe")).isEqualTo("[images/node.img][overlay.img] images/node.img,overlay.img 2\n");
    }

    @Test
    void anEmptyList_orANameWithACommaOrSpace_isRefusedAtItsPosition() {
        assertThat(errors(LAYERED.replace("[images/node.img, overlay.img]", "[]")))
                .anyMatch(e -> e.contains("site.yml:7:48") && e.contains("'labels[0].initrd': must have at least 1 items"));
        assertThat(errors(LAYERED.replace("[images/node.img, overlay.img]", "[\"a.img,b.img\", \"c d.img\"]")))
                .anyMatch(e -> e.contains("initrd 'a.img,b.img' must be a non-empty file name without commas or spaces"))
                .anyMatch(e -> e.contains("initrd 'c d.img'"));
    }

    @Test
    void aKernelOrInitrdNameWithDotDot_isRefusedAtItsPosition_forNoFileAboveTheTftpRootIsLookedFor() {
        assertThat(errors(LAYERED.replace("kernel: vmlinuz", "kernel: ../vmlinuz")))
                .anyMatch(e -> e.contains("site.yml:7:") && e.contains("kernel '../vmlinuz' may not hold '..'"));
        assertThat(errors(LAYERED.replace("overlay.img]", "images/../../overlay.img]")))
                .anyMatch(e -> e.contains("initrd 'images/../../overlay.img' may not hold '..'"));
    }

    @Test
    void aSecondInitrdMissingFromTheTree_failsThePlan_namingIt() throws IOException {
        Path tftp = dir.resolve("root/srv/tftp");
        Files.createDirectories(tftp.resolve("images"));
        Files.writeString(tftp.resolve("vmlinuz"), "kernel");
        Files.writeString(tftp.resolve("images/node.img"), "image");
        Files.writeString(dir.resolve("site.yml"), LAYERED);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"plan", "--root", dir.resolve("root").toString(), dir.resolve("site.yml").toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));

        assertThat(code).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("names overlay.img, which is not in /srv/tftp and which no resource of the playbook produces")
                .doesNotContain("names images/node.img");
    }
}
