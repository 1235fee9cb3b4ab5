package dev.mosaic.playbook;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.UserError;
import dev.mosaic.resource.file.FileSpec;
import dev.mosaic.yaml.YNode;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

/**
 * The inventory: hosts and groups read with positions, variable precedence, and {@code --limit}.
 * The inventory text is given inline; nothing is read from or written to disk.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class InventoryTest {

    private static final Path FILE = Path.of("/labs/inventory.yml");

    private static final String LABS = """
            groups:
              labs:
                vars: { tftp_root: /srv/tftp, nic: group-nic }
                hosts: [lab1, lab2]
              all-labs:
                vars: { tftp_root: /srv/all, motd: from-all-labs }
                hosts: [lab1, lab2, lab3]
              empty: {}
            hosts:
              lab1: { connection: local, root: /tmp/lab1, vars: { nic: eth1 } }
              lab2: { connection: ssh, address: 127.0.0.1, port: 2222, user: root, identity: keys/id_ed25519, vars: { nic: eth2 } }
              lab3: { connection: local, root: roots/lab3 }
              web.example.org: { connection: ssh }
            """;

    private static Inventory load(String yaml) {
        return new InventoryLoader().load(FILE, yaml);
    }

    private static List<String> errors(String yaml) {
        UserError e = catchThrowableOfType(() -> load(yaml), UserError.class);
        if (e == null) {
            fail("expected the inventory to be rejected:\n" + yaml);
        }
        return e.diagnostics().stream().map(Diagnostic::render).toList();
    }

    private static List<String> names(List<InventoryHost> hosts) {
        return hosts.stream().map(InventoryHost::name).toList();
    }

    private static Map<String, String> texts(Map<String, YNode> vars) {
        return vars.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> ((YNode.Scalar) e.getValue()).text(), (a, b) -> b, java.util.TreeMap::new));
    }

    // ------------------------------------------------------------------ the model

    @Test
    void hosts_keep_their_order_their_connection_settings_and_the_groups_that_list_them() {
        Inventory inv = load(LABS);
        assertThat(names(inv.hosts())).containsExactly("lab1", "lab2", "lab3", "web.example.org");
        InventoryHost lab1 = inv.hosts().get(0);
        assertThat(lab1.connection()).isEqualTo(InventoryHost.Connection.LOCAL);
        assertThat(lab1.root()).isEqualTo(Path.of("/tmp/lab1"));
        assertThat(lab1.groups()).containsExactly("all-labs", "labs");
        assertThat(lab1.pos().toString()).isEqualTo("/labs/inventory.yml:10:3");
        assertThat(lab1.describe()).isEqualTo("local, root /tmp/lab1");

        InventoryHost lab2 = inv.hosts().get(1);
        assertThat(lab2.connection()).isEqualTo(InventoryHost.Connection.SSH);
        assertThat(lab2.address()).isEqualTo("127.0.0.1");
        assertThat(lab2.port()).isEqualTo(2222);
        assertThat(lab2.user()).isEqualTo("root");
        assertThat(lab2.identity()).as("relative to the inventory").isEqualTo(Path.of("/labs/keys/id_ed25519"));
        assertThat(lab2.describe()).isEqualTo("ssh, root@127.0.0.1:2222");

        assertThat(inv.hosts().get(2).root()).as("relative to the inventory").isEqualTo(Path.of("/labs/roots/lab3"));
        InventoryHost web = inv.hosts().get(3);
        assertThat(web.address()).as("an ssh host's address defaults to its name").isEqualTo("web.example.org");
        assertThat(web.port()).isNull();
        assertThat(web.groups()).isEmpty();
        assertThat(inv.groups().keySet()).containsExactly("all-labs", "empty", "labs");
    }

    @Test
    void group_vars_apply_in_alphabetical_order_of_groups_and_host_vars_override_them() {
        Inventory inv = load(LABS);
        // all-labs comes before labs: labs' tftp_root wins; lab1's own nic wins over labs'.
        assertThat(texts(inv.varsFor(inv.hosts().get(0)))).containsExactly(
                Map.entry("motd", "from-all-labs"), Map.entry("nic", "eth1"), Map.entry("tftp_root", "/srv/tftp"));
        assertThat(texts(inv.varsFor(inv.hosts().get(2)))).containsExactly(
                Map.entry("motd", "from-all-labs"), Map.entry("tftp_root", "/srv/all"));
        assertThat(inv.varsFor(inv.hosts().get(3))).isEmpty();
    }

    @Test
    void playbook_vars_come_first_then_the_inventory_then_the_command_line() {
        Inventory inv = load(LABS);
        String playbook = """
                vars:
                  tftp_root: /srv/playbook
                  motd: from-the-playbook
                  nic: playbook-nic
                  owner: playbook
                resources:
                  f:
                    type: file
                    path: ${tftp_root}/${nic}
                    content: "${motd} ${owner}"
                """;
        PlaybookLoader loader = new PlaybookLoader(BuiltinKinds.create());
        Playbook p = loader.load(Path.of("site.yml"), playbook, Map.of("nic", "cli-nic"),
                inv.varsFor(inv.hosts().get(0)));
        FileSpec f = (FileSpec) p.resources().get(0).spec();
        assertThat(f.path()).isEqualTo("/srv/tftp/cli-nic");
        assertThat(new String(f.content().orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("from-all-labs playbook");
    }

    @Test
    void inventory_vars_may_add_variables_and_the_values_may_use_the_playbooks() {
        Inventory inv = load("""
                hosts:
                  lab1: { connection: local, vars: { nic: "eth-${suffix}" } }
                """);
        Playbook p = new PlaybookLoader(BuiltinKinds.create()).load(Path.of("site.yml"), """
                vars:
                  suffix: "1"
                resources:
                  f: { type: file, path: "/etc/${nic}", content: x }
                """, Map.of(), inv.varsFor(inv.hosts().get(0)));
        assertThat(((FileSpec) p.resources().get(0).spec()).path()).isEqualTo("/etc/eth-1");
    }

    @Test
    void a_var_override_that_neither_the_playbook_nor_the_host_has_is_an_error_with_a_suggestion() {
        Inventory inv = load(LABS);
        UserError e = catchThrowableOfType(() -> new PlaybookLoader(BuiltinKinds.create()).load(Path.of("site.yml"),
                "resources: {}\n", Map.of("nix", "x"), inv.varsFor(inv.hosts().get(0))), UserError.class);
        assertThat(e.diagnostics()).extracting(Diagnostic::render).containsExactly(
                "<input>: error: --var nix: the playbook has no variable 'nix', nor has the host in the inventory"
                        + " (did you mean 'nic'?)");
    }

    // ------------------------------------------------------------------ --limit

    @Test
    void limit_takes_host_names_group_names_and_globs_and_keeps_the_inventory_order() {
        Inventory inv = load(LABS);
        assertThat(names(inv.select(null))).containsExactly("lab1", "lab2", "lab3", "web.example.org");
        assertThat(names(inv.select("lab3,lab1"))).containsExactly("lab1", "lab3");
        assertThat(names(inv.select("labs"))).containsExactly("lab1", "lab2");
        assertThat(names(inv.select("*.org, lab2"))).containsExactly("lab2", "web.example.org");
        assertThat(names(inv.select("lab*"))).as("hosts and the groups 'labs' match").containsExactly("lab1", "lab2", "lab3");
        assertThat(names(inv.select("all-*"))).containsExactly("lab1", "lab2", "lab3");
        assertThat(names(inv.select("lab1,labs,lab1"))).as("each host once").containsExactly("lab1", "lab2");
    }

    @Test
    void limit_parts_that_match_nothing_are_errors_with_suggestions() {
        Inventory inv = load(LABS);
        UserError e = catchThrowableOfType(() -> inv.select("lab9,db*,empty"), UserError.class);
        String known = "; hosts: lab1, lab2, lab3, web.example.org; groups: all-labs, empty, labs";
        assertThat(e.diagnostics()).extracting(Diagnostic::render).containsExactly(
                "<input>: error: --limit: 'lab9' matches no host or group (did you mean 'lab1'?)" + known,
                "<input>: error: --limit: 'db*' matches no host or group" + known,
                "<input>: error: --limit: 'empty' matches only groups without hosts" + known);
    }

    // ------------------------------------------------------------------ errors, with positions

    @Test
    void a_group_listing_an_undeclared_host_or_named_like_a_host_is_an_error_at_its_position() {
        assertThat(errors("""
                groups:
                  labs:
                    hosts: [lab1, lab3]
                  lab1:
                    hosts: []
                hosts:
                  lab1: { connection: local }
                  lab2: { connection: local, root: /tmp/lab2 }
                """)).containsExactly(
                "/labs/inventory.yml:3:19: error: group 'labs': no host 'lab3' (did you mean 'lab1'?);"
                        + " hosts are declared under 'hosts:'",
                "/labs/inventory.yml:4:3: error: group 'lab1' has the name of a host (/labs/inventory.yml:7:3);"
                        + " --limit could not tell them apart");
    }

    @Test
    void ssh_settings_on_a_local_host_and_two_local_hosts_on_one_root_are_errors() {
        assertThat(errors("""
                hosts:
                  lab1: { connection: local, root: /tmp/lab, port: 22, user: root }
                  lab2: { connection: local, root: /tmp/lab/ }
                  lab3: { connection: local }
                  lab4: { connection: local, root: / }
                """)).containsExactly(
                "/labs/inventory.yml:2:46: error: host 'lab1': 'port' is an ssh setting, but the host has connection: local",
                "/labs/inventory.yml:2:56: error: host 'lab1': 'user' is an ssh setting, but the host has connection: local",
                "/labs/inventory.yml:3:30: error: host 'lab2': local host 'lab1' has the root /tmp/lab already;"
                        + " two hosts would manage the same files",
                "/labs/inventory.yml:5:30: error: host 'lab4': local host 'lab3' has the root / already;"
                        + " two hosts would manage the same files");
    }

    @Test
    void a_local_root_that_is_a_file_lies_below_one_or_has_too_long_a_name_is_an_error_at_its_position() {
        String longName = "x".repeat(256);
        assertThat(errors("""
                hosts:
                  lab1: { connection: local, root: /dev/null }
                  lab2: { connection: local, root: /dev/null/lab }
                  lab3: { connection: local, root: /tmp/%s }
                """.formatted(longName))).containsExactly(
                "/labs/inventory.yml:2:36: error: host 'lab1': the root /dev/null is not a directory",
                "/labs/inventory.yml:3:36: error: host 'lab2': the root /dev/null/lab lies below /dev/null, which is not a directory",
                "/labs/inventory.yml:4:36: error: host 'lab3': the root has a name longer than 255 bytes, which no Linux file system takes");
    }

    @Test
    void the_schema_requires_a_connection_and_checks_each_field() {
        assertThat(errors("""
                hosts:
                  lab1: { root: /tmp/lab1 }
                  lab2: { connection: telnet }
                  lab3: { connection: ssh, port: 70000, adress: x }
                groups:
                  g: { host: [lab1] }
                """)).containsExactly(
                "/labs/inventory.yml:2:3: error: field 'hosts.lab1': missing required field 'connection'",
                "/labs/inventory.yml:3:23: error: field 'hosts.lab2.connection': expected one of local, ssh, got 'telnet'",
                "/labs/inventory.yml:4:34: error: field 'hosts.lab3.port': must have a maximum value of 65535",
                "/labs/inventory.yml:4:41: error: field 'hosts.lab3': unknown field 'adress' (did you mean 'address'?);"
                        + " known fields: address, connection, description, identity, known_hosts, port, root, user, vars",
                "/labs/inventory.yml:6:8: error: field 'groups.g': unknown field 'host' (did you mean 'hosts'?);"
                        + " known fields: description, hosts, vars");
    }

    @Test
    void an_inventory_that_is_not_a_mapping_says_what_an_inventory_is() {
        assertThat(errors("- lab1\n")).containsExactly("/labs/inventory.yml:1:1: error: an inventory is a mapping with"
                + " 'hosts' (and optionally 'groups'); the file is an array");
    }
}
