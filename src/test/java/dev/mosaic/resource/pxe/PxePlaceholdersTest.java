package dev.mosaic.resource.pxe;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.playbook.PlaybookLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code {name}}, {@code {mac}} and {@code {ip}} in {@code append}: filled in per node, and a
 * word naming a value the entry does not have is left out whole, for every loader. The default
 * entry is for every machine (it has no MAC or address of its own), and {@code ip=unknown} is a
 * kernel parameter the kernel would act on.
 */
class PxePlaceholdersTest {

    @TempDir
    Path dir;

    private Map<String, String> files() throws IOException {
        Files.writeString(dir.resolve("site.yml"), """
                resources:
                  boot:
                    type: pxe
                    root: /srv/tftp
                    loaders: [pxelinux, ipxe, grub]
                    labels:
                      - { name: node, kernel: vmlinuz, append: "console=ttyS0  node={name} ip={ip}:::255.255.255.0 BOOTIF=01-{mac} quiet" }
                    nodes:
                      - { name: n1, mac: "52:54:00:00:00:01", ip: 10.0.2.21 }
                      - { name: n2, mac: "52:54:00:00:00:02" }
                """);
        var spec = (PxeSpec) new PlaybookLoader(BuiltinKinds.create()).load(dir.resolve("site.yml"), Map.of()).byId("boot").orElseThrow().spec();
        return Renderers.render(spec);
    }

    @Test
    void theDefaultEntry_leavesOutTheWordsThatNameOneMachine_forEveryLoader() throws IOException {
        Map<String, String> files = files();
        for (String file : new String[] {"pxelinux.cfg/default", "ipxe/default.ipxe"}) {
            assertThat(files.get(file)).as(file)
                    .contains("console=ttyS0 node=default quiet")
                    .doesNotContain("unknown").doesNotContain("ip=").doesNotContain("BOOTIF");
        }
        assertThat(files.get("grub/grub.cfg")).doesNotContain("unknown");
    }

    @Test
    void aNodeWithAnAddress_getsEveryWordFilledIn_spacingAsWritten() throws IOException {
        assertThat(files().get("pxelinux.cfg/01-52-54-00-00-00-01"))
                .contains("console=ttyS0  node=n1 ip=10.0.2.21:::255.255.255.0 BOOTIF=01-52:54:00:00:00:01 quiet");
    }

    @Test
    void aNodeWithoutAnAddress_leavesOutOnlyTheAddressWord() throws IOException {
        assertThat(files().get("pxelinux.cfg/01-52-54-00-00-00-02"))
                .contains("console=ttyS0 node=n2 BOOTIF=01-52:54:00:00:00:02 quiet")
                .doesNotContain("unknown").doesNotContain("ip=");
    }
}
