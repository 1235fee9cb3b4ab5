package dev.mosaic.resource.dnsmasq;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.UserError;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.PlaybookLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A {@code dnsmasq} resource with a template of its own: the shipped one
 * ({@code examples/templates/dnsmasq/dnsmasq.conf.j2}) is the built-in rendering byte for byte,
 * and a custom one sees the fields as parsed and the playbook's variables.
 */
class DnsmasqTemplateTest {

    private static final Path EXAMPLE = Path.of("examples/templates/dnsmasq/dnsmasq.conf.j2").toAbsolutePath();

    private static final Map<String, String> CASES = Map.of(
            "everything", """
                    interface: eth1
                    listen_address: 10.0.0.1
                    dns_port: 5353
                    tftp_root: /srv/tftp
                    range: 10.0.0.100,10.0.0.200,12h
                    boot: pxelinux.0
                    ipxe_boot: boot.ipxe
                    nodes:
                      - { name: node1, mac: "52:54:00:00:00:01", ip: 10.0.0.11 }
                      - { mac: "52-54-00-00-00-0B", ip: 10.0.0.12 }
                      - { name: node3, mac: "52:54:00:00:00:03" }
                    extra: ["log-dhcp", "dhcp-option=3,10.0.0.1"]
                    """,
            "pxe-only", """
                    tftp_root: /srv/tftp
                    boot: pxelinux.0
                    """,
            "ipxe-only", """
                    range: 10.0.0.100,10.0.0.200
                    ra_only: ""
                    ipxe_boot: boot.ipxe
                    nodes: [{ name: n, mac: "aa:bb:cc:dd:ee:ff" }]
                    """,
            "http-boot", """
                    range: 10.0.0.100,10.0.0.200,12h
                    ra_only: "fd00:0:0:2::"
                    boot: pxelinux.0
                    ipxe_boot: http://10.0.0.1/boot.ipxe
                    """,
            "nothing", "");

    @TempDir
    Path dir;

    private Playbook load(String fields) throws IOException {
        Path site = dir.resolve("site.yml");
        Files.writeString(site, "vars:\n  domain: lab\nresources:\n  dhcp:\n    type: dnsmasq\n    path: /etc/dnsmasq.d/netboot.conf\n"
                + fields.indent(4));
        return new PlaybookLoader(BuiltinKinds.create()).load(site, Map.of());
    }

    private DnsmasqType.Spec spec(String fields) throws IOException {
        return (DnsmasqType.Spec) load(fields).byId("dhcp").orElseThrow().spec();
    }

    private List<String> errors(String fields) {
        UserError e = catchThrowableOfType(() -> load(fields), UserError.class);
        assertThat(e).as("the playbook is refused").isNotNull();
        return e.diagnostics().stream().map(Diagnostic::toString).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"everything", "pxe-only", "ipxe-only", "http-boot", "nothing"})
    void theShippedTemplate_rendersExactlyAsTheBuiltInRendering(String name) throws IOException {
        DnsmasqType.Spec builtIn = spec(CASES.get(name));
        DnsmasqType.Spec templated = spec(CASES.get(name) + "source: " + dir.relativize(EXAMPLE) + "\n");

        assertThat(builtIn.templated()).isFalse();
        assertThat(templated.templated()).isTrue();
        assertThat(templated.text()).isEqualTo(builtIn.text());
    }

    @Test
    void anHttpIpxeBoot_andRaOnly_writeTheUrlAndRouterAdvertisementsWithoutDhcpv6() throws IOException {
        assertThat(spec("""
                range: 10.0.2.100,10.0.2.200,12h
                ra_only: "fd00:0:0:2::"
                boot: pxelinux.0
                ipxe_boot: http://10.0.2.2/boot.ipxe
                """).text()).isEqualTo("""
                # Managed by Mosaic: local edits are reverted.
                port=0
                dhcp-range=10.0.2.100,10.0.2.200,12h
                enable-ra
                dhcp-range=fd00:0:0:2::,ra-only
                dhcp-match=set:ipxe,175
                dhcp-boot=tag:!ipxe,pxelinux.0
                dhcp-boot=tag:ipxe,http://10.0.2.2/boot.ipxe
                """);
        assertThat(spec("ra_only: \"\"\n").text()).as("empty is none").doesNotContain("ra");
    }

    @Test
    void anInlineTemplate_writesUefiTags_fromTheParsedNodesAndThePlaybooksVariables() throws IOException {
        DnsmasqType.Spec s = spec("""
                tftp_root: /srv/tftp
                nodes:
                  - { name: node1, mac: "52-54-00-00-00-0A", ip: 10.0.0.11 }
                template: |
                  enable-tftp
                  tftp-root={{ tftp_root }}
                  dhcp-match=set:efi-x86_64,option:client-arch,7
                  dhcp-boot=tag:efi-x86_64,grubx64.efi
                  dhcp-boot=tag:!efi-x86_64,pxelinux.0
                  {% for n in nodes -%}
                  dhcp-host={{ n.mac }},{{ n.ip }},{{ n.name }}.{{ domain }}
                  {% endfor -%}
                """);
        assertThat(s.text()).isEqualTo("""
                enable-tftp
                tftp-root=/srv/tftp
                dhcp-match=set:efi-x86_64,option:client-arch,7
                dhcp-boot=tag:efi-x86_64,grubx64.efi
                dhcp-boot=tag:!efi-x86_64,pxelinux.0
                dhcp-host=52:54:00:00:00:0a,10.0.0.11,node1.lab
                """);
    }

    @Test
    void theShippedUefiExample_tagsUefiClients_andKeepsBiosAndIpxeApart() throws IOException {
        Path example = Path.of("examples/templates/dnsmasq/dnsmasq-uefi.conf.j2").toAbsolutePath();
        DnsmasqType.Spec s = spec(CASES.get("everything") + "source: " + dir.relativize(example) + "\n");
        assertThat(s.text()).isEqualTo("""
                # Managed by Mosaic: local edits are reverted.
                interface=eth1
                bind-interfaces
                port=5353
                enable-tftp
                tftp-root=/srv/tftp
                dhcp-range=10.0.0.100,10.0.0.200,12h
                dhcp-match=set:efi-x86_64,option:client-arch,7
                dhcp-match=set:efi-x86_64,option:client-arch,9
                dhcp-match=set:ipxe,175
                dhcp-boot=tag:ipxe,boot.ipxe
                dhcp-boot=tag:!ipxe,tag:efi-x86_64,grubx64.efi
                dhcp-boot=tag:!ipxe,tag:!efi-x86_64,pxelinux.0
                dhcp-host=52:54:00:00:00:01,10.0.0.11,node1
                dhcp-host=52:54:00:00:00:0b,10.0.0.12
                dhcp-host=52:54:00:00:00:03,node3
                """);
    }

    @Test
    void anUndefinedVariableInAnInlineTemplate_pointsIntoThePlaybook() {
        // site.yml: line 7 is "template: |", the template's line 2 is line 9, indented by 6 (+ column 15).
        assertThat(errors("""
                template: |
                  port=0
                  dhcp-range={{ rnage }}
                """)).singleElement().asString()
                .contains("site.yml:9:21", "undefined variable 'rnage'", "field 'template'");
    }

    @Test
    void theKindsOwnChecks_stillHoldWithATemplate() {
        assertThat(errors("""
                nodes: [{ name: n, mac: "not-a-mac" }]
                template: "{{ undefined_but_never_rendered }}"
                """)).singleElement().asString().contains("invalid MAC address 'not-a-mac'");
    }

    @Test
    void sourceAndTemplateTogether_areRefused() {
        assertThat(errors("""
                source: a.j2
                template: "x"
                """)).isNotEmpty().allSatisfy(e -> assertThat(e).contains("site.yml:"));
    }
}
