package dev.mosaic.resource.pxe;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.PlaybookLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The templates shipped in {@code examples/templates/pxe/} are the kind's built-in rendering:
 * each, given the same resource, writes every file byte for byte as the kind does without it.
 * Covers both styles, all loaders, labels with no, one or several initrds, with and without append, nodes with and
 * without IP, label and append of their own, and no nodes at all.
 */
class PxeExampleTemplatesTest {

    private static final Path EXAMPLES = Path.of("examples/templates/pxe").toAbsolutePath();

    private static final String TEMPLATES = """
                templates:
                  pxelinux_default: %1$s/pxelinux-default.j2
                  pxelinux_node: %1$s/pxelinux-node.j2
                  ipxe_boot: %1$s/ipxe-boot.j2
                  ipxe_default: %1$s/ipxe-default.j2
                  ipxe_node: %1$s/ipxe-node.j2
                  grub: %1$s/grub.j2
            """;

    private static final Map<String, String> CASES = Map.of(
            "modern", """
                root: /srv/tftp
                loaders: [pxelinux, ipxe, grub]
                menu: { prompt: 1, timeout: 55, default: linux }
                labels:
                  - { name: rescue, kernel: /boot/rescue }
                  - { name: linux, kernel: vmlinuz, initrd: images/initrd.img, append: "console=ttyS0 node={name} ip={ip}" }
                  - { name: bare, kernel: vmlinuz, initrd: initrd.img }
                  - { name: layered, kernel: vmlinuz, initrd: [images/node.img, /overlay.img], append: "node={name}" }
                nodes:
                  - { name: node1, mac: "52:54:00:00:00:01" }
                  - { name: node2, mac: "52-54-00-00-00-0A", ip: 10.0.2.22, append: "quiet mac={mac}" }
                  - { name: node3, mac: "52:54:00:00:00:03", ip: 10.0.2.23, label: rescue, append: single }
                  - { name: node4, mac: "52:54:00:00:00:04", label: bare }
                  - { name: node5, mac: "52:54:00:00:00:05", label: layered }
            """,
            "classic", """
                root: /tftpboot
                style: classic
                loaders: [pxelinux, ipxe, grub]
                menu: { prompt: 0 }
                labels:
                  - { name: linux, kernel: bzImage-2.4.22-openmosix-2, initrd: initrd-2.4.22-openmosix-2.gz, append: init=/linuxrc rw root=/dev/ram0 }
                  - { name: plain, kernel: bzImage }
                  - { name: noargs, kernel: bzImage, initrd: initrd.gz }
                  - { name: layered, kernel: bzImage, initrd: [initrd.gz, overlay.gz] }
                nodes:
                  - { name: node1, mac: "52:54:00:00:00:01", ip: 10.0.0.11 }
                  - { name: node2, mac: "52:54:00:00:00:02", label: plain, append: "nodename={name}" }
                  - { name: node3, mac: "52:54:00:00:00:03", label: noargs }
                  - { name: node4, mac: "52:54:00:00:00:04", label: layered, append: "nodename={name}" }
            """,
            "no-nodes", """
                root: /srv/tftp
                loaders: [pxelinux, ipxe, grub]
                labels:
                  - { name: only, kernel: vmlinuz, append: console=ttyS0 }
                  - { name: other, kernel: vmlinuz-old, initrd: /initrd.old }
            """);

    @TempDir
    Path dir;

    private PxeSpec load(String fields) throws IOException {
        Path site = dir.resolve("site.yml");
        Files.writeString(site, "resources:\n  boot:\n    type: pxe\n" + fields.replaceAll("(?m)^ {16}", "    "));
        Playbook p = new PlaybookLoader(BuiltinKinds.create()).load(site, Map.of());
        return (PxeSpec) p.byId("boot").orElseThrow().spec();
    }

    @ParameterizedTest
    @ValueSource(strings = {"modern", "classic", "no-nodes"})
    void theShippedTemplates_renderEveryFileExactlyAsTheBuiltInRendering(String name) throws IOException {
        PxeSpec builtIn = load(CASES.get(name));
        String relative = dir.relativize(EXAMPLES).toString();
        PxeSpec templated = load(CASES.get(name) + TEMPLATES.formatted(relative));

        assertThat(builtIn.custom()).isEmpty();
        Map<String, String> expected = Renderers.builtIn(builtIn);
        assertThat(templated.custom()).as("every file comes from a template").containsOnlyKeys(expected.keySet());
        expected.forEach((file, text) -> assertThat(templated.custom().get(file)).as(file).isEqualTo(text));
    }
}
