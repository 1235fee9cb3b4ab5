package dev.mosaic.netboot;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mosaic.testing.TreeSnapshot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.mosaic.netboot.MosaicCli.texts;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inventory of a netboot server as it changes: nodes come and go, the kernel is renamed, and
 * mistakes in the node list are caught before anything is written. One node list (a playbook
 * variable) feeds both the boot entries (pxe) and the DHCP configuration (dnsmasq); another list
 * is picked with {@code --var nodes=${rack_and_node3}} (an override may name another variable,
 * and a value that is exactly one reference takes that variable's list). No QEMU: the kernel and
 * initrd are stand-ins.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class NodeInventoryTest {

    static final String WITH_NODE3 = "nodes=${rack_and_node3}";
    static final List<String> NODE3_FILES = List.of(
            "pxelinux.cfg/01-52-54-00-00-00-03", "pxelinux.cfg/0A000210", "ipxe/52-54-00-00-00-03.ipxe");

    @TempDir
    Path tmp;

    Path root;
    Path playbook;

    @BeforeEach
    void copy_the_inventory_playbook() throws IOException, URISyntaxException {
        root = Files.createDirectories(tmp.resolve("root"));
        URL dir = NodeInventoryTest.class.getClassLoader().getResource("netboot/inventory");
        assertThat(dir).as("test resource netboot/inventory").isNotNull();
        Path from = Path.of(dir.toURI());
        Path to = tmp.resolve("playbook");
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        playbook = to.resolve("inventory.yml");
    }

    private MosaicCli.Result mosaic(String command, String... extra) {
        return MosaicCli.run(MosaicCli.args(command, root, playbook, extra));
    }

    private void apply(String... extra) {
        MosaicCli.Result r = mosaic("apply", extra);
        assertThat(r.exitCode()).as("%s", r).isZero();
    }

    private Path tftp() {
        return root.resolve("srv/tftp");
    }

    /** The pxe resource's tree diff ({@code added}, {@code changed}, {@code removed}) in a JSON plan. */
    private static JsonNode entryFiles(MosaicCli.Result plan) {
        JsonNode change = plan.change("pxe[entries]");
        assertThat(change).as("pxe[entries] in %s", plan).isNotNull();
        for (JsonNode d : change.path("diffs")) {
            if (d.path("field").asText().equals("files") && d.path("kind").asText().equals("tree")) {
                return d;
            }
        }
        throw new AssertionError("no tree diff of pxe[entries] in " + plan);
    }

    /** Each regular file below the TFTP root with everything about it (content, mode, mtime, inode). */
    private Map<String, String> files() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : TreeSnapshot.of(tftp())) {
            String[] f = line.split(" ", 3);
            if (f[1].equals("file")) {
                out.put(f[0], line);
            }
        }
        return out;
    }

    private String read(String name) throws IOException {
        return Files.readString(tftp().resolve(name));
    }

    // ------------------------------------------------------------------ nodes come and go

    @Test
    void adding_node3_through_a_var_plans_exactly_its_entry_files_as_added_and_apply_writes_only_those()
            throws IOException {
        apply();
        List<String> rootBefore = TreeSnapshot.of(root);
        Map<String, String> before = files();

        MosaicCli.Result plan = mosaic("plan", "--json", "--detailed-exitcode", "--var", WITH_NODE3);

        assertThat(plan.exitCode()).as("%s", plan).isEqualTo(2);
        assertThat(plan.changedAddresses()).as("%s", plan).containsExactlyInAnyOrder("pxe[entries]", "dnsmasq[dhcp]");
        JsonNode entries = entryFiles(plan);
        assertThat(texts(entries.path("added"))).as("%s", plan).containsExactlyInAnyOrderElementsOf(NODE3_FILES);
        assertThat(texts(entries.path("changed"))).as("one GRUB file branches on every MAC: %s", plan)
                .containsExactly("grub/grub.cfg");
        assertThat(texts(entries.path("removed"))).as("%s", plan).isEmpty();
        assertThat(plan.change("dnsmasq[dhcp]").toString()).as("%s", plan)
                .contains("+dhcp-host=52:54:00:00:00:03,10.0.2.16,node3");
        assertThat(TreeSnapshot.of(root)).as("a plan writes nothing").isEqualTo(rootBefore);

        apply("--var", WITH_NODE3);

        Map<String, String> after = files();
        assertThat(after.keySet()).containsExactlyInAnyOrderElementsOf(
                Stream.concat(before.keySet().stream(), NODE3_FILES.stream()).toList());
        before.forEach((name, line) -> {
            if (!name.equals("grub/grub.cfg")) {
                assertThat(after.get(name)).as("%s is left alone", name).isEqualTo(line);
            }
        });
        assertThat(read("pxelinux.cfg/01-52-54-00-00-00-03")).contains("node=node3").contains("kernel vmlinuz-6.1");
        assertThat(read("pxelinux.cfg/0A000210")).isEqualTo(read("pxelinux.cfg/01-52-54-00-00-00-03"));
        assertThat(read("ipxe/52-54-00-00-00-03.ipxe")).contains("kernel /vmlinuz-6.1 ").contains("node=node3");
        assertThat(read("grub/grub.cfg")).contains("\"52:54:00:00:00:03\"");
        MosaicCli.Result again = mosaic("plan", "--detailed-exitcode", "--var", WITH_NODE3);
        assertThat(again.exitCode()).as("%s", again).isZero();
    }

    @Test
    void removing_node3_again_plans_exactly_its_entry_files_as_removed_and_apply_deletes_them() throws IOException {
        apply("--var", WITH_NODE3);
        Map<String, String> before = files();

        MosaicCli.Result plan = mosaic("plan", "--json", "--detailed-exitcode");

        assertThat(plan.exitCode()).as("%s", plan).isEqualTo(2);
        JsonNode entries = entryFiles(plan);
        assertThat(texts(entries.path("removed"))).as("%s", plan).containsExactlyInAnyOrderElementsOf(NODE3_FILES);
        assertThat(texts(entries.path("added"))).as("%s", plan).isEmpty();
        assertThat(texts(entries.path("changed"))).as("%s", plan).containsExactly("grub/grub.cfg");

        apply();

        Map<String, String> after = files();
        assertThat(after.keySet()).containsExactlyInAnyOrderElementsOf(
                before.keySet().stream().filter(f -> !NODE3_FILES.contains(f)).toList());
        after.forEach((name, line) -> {
            if (!name.equals("grub/grub.cfg")) {
                assertThat(line).as("%s is left alone", name).isEqualTo(before.get(name));
            }
        });
        assertThat(read("grub/grub.cfg")).doesNotContain("52:54:00:00:00:03");
        assertThat(Files.readString(root.resolve("etc/dnsmasq.d/netboot.conf"))).doesNotContain("node3");
        MosaicCli.Result again = mosaic("plan", "--detailed-exitcode");
        assertThat(again.exitCode()).as("%s", again).isZero();
    }

    @Test
    void renaming_the_kernel_rewrites_every_entry_in_one_apply() throws IOException {
        apply();

        apply("--var", "kernel=vmlinuz-6.2");

        assertThat(tftp().resolve("vmlinuz-6.2")).exists();
        assertThat(tftp().resolve("vmlinuz-6.1")).as("purged: nothing declares it any more").doesNotExist();
        List<String> entries = files().keySet().stream()
                .filter(f -> f.startsWith("pxelinux.cfg/") || f.startsWith("ipxe/") || f.startsWith("grub/")).toList();
        assertThat(entries).hasSize(8);
        for (String entry : entries) {
            assertThat(read(entry)).as(entry).contains("vmlinuz-6.2").doesNotContain("vmlinuz-6.1");
        }
        MosaicCli.Result again = mosaic("plan", "--detailed-exitcode", "--var", "kernel=vmlinuz-6.2");
        assertThat(again.exitCode()).as("nothing left for a second apply: %s", again).isZero();
    }

    // ------------------------------------------------------------------ mistakes

    /** Writes the playbook with the first {@code from} replaced by {@code to}, as a user's edit would. */
    private String edit(String from, String to) throws IOException {
        String text = Files.readString(playbook);
        int at = text.indexOf(from);
        assertThat(at).as("'%s' in the playbook", from).isNotNegative();
        String edited = text.substring(0, at) + to + text.substring(at + from.length());
        Files.writeString(playbook, edited);
        return edited;
    }

    /** {@code FILE:LINE:COLUMN} of the {@code nth} (from 1) occurrence of {@code needle} in {@code text}. */
    private String at(String text, String needle, int nth) {
        int i = -1;
        for (int n = 0; n < nth; n++) {
            i = text.indexOf(needle, i + 1);
            assertThat(i).as("occurrence %d of '%s'", n + 1, needle).isNotNegative();
        }
        int line = (int) text.substring(0, i).chars().filter(c -> c == '\n').count() + 1;
        int column = i - (text.lastIndexOf('\n', i - 1) + 1) + 1;
        return playbook + ":" + line + ":" + column;
    }

    /** Both plan and apply refuse with exit code 1, saying {@code expected}, and the root is not touched. */
    private void refusedWithoutWriting(String... expected) throws IOException {
        List<String> before = managed();
        for (String command : List.of("plan", "apply")) {
            MosaicCli.Result r = mosaic(command);
            assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
            assertThat(r.stdout() + r.stderr()).as("%s", r).contains(expected);
            assertThat(managed()).as("nothing written by %s", command).isEqualTo(before);
        }
    }

    /**
     * The root without Mosaic's own state directory: an apply that fails a resource still takes
     * the target's lock and may record the attempt there; the managed tree must not move.
     */
    private List<String> managed() throws IOException {
        return TreeSnapshot.of(root).stream()
                .filter(l -> !l.startsWith("var/lib/mosaic") && !l.startsWith("var ") && !l.startsWith("var/lib "))
                .toList();
    }

    @Test
    void an_invalid_mac_is_an_error_at_its_position_and_nothing_is_written() throws IOException {
        apply();
        String text = edit("mac: \"52:54:00:00:00:02\"", "mac: \"52:54:00:00:0:02\"");
        String at = at(text, "\"52:54:00:00:0:02\"", 1);

        refusedWithoutWriting(
                at + ": error: resource 'entries': node 'node2': invalid MAC address '52:54:00:00:0:02'",
                at + ": error: resource 'dhcp': node 'node2': invalid MAC address '52:54:00:00:0:02'");
    }

    @Test
    void an_invalid_mac_in_a_fresh_root_leaves_the_root_empty() throws IOException {
        edit("mac: \"52:54:00:00:00:02\"", "mac: \"52-54-00-00-00\"");

        refusedWithoutWriting("node 'node2': invalid MAC address '52-54-00-00-00'");
        assertThat(TreeSnapshot.of(root)).hasSize(1); // the empty root itself
    }

    @Test
    void two_nodes_with_the_same_mac_are_an_error_at_the_second_naming_the_first_and_nothing_is_written()
            throws IOException {
        apply();
        String text = edit("mac: \"52:54:00:00:00:02\"", "mac: \"52:54:00:00:00:01\"");
        String first = at(text, "\"52:54:00:00:00:01\"", 1);
        String second = at(text, "\"52:54:00:00:00:01\"", 2);

        refusedWithoutWriting(
                second + ": error: resource 'entries': node 'node2': MAC 52:54:00:00:00:01 is already used by a node declared at " + first,
                second + ": error: resource 'dhcp': node 'node2': MAC 52:54:00:00:00:01 is already used by node 'node1'");
    }

    @Test
    void a_label_naming_a_kernel_that_nothing_provides_is_an_error_naming_the_label_and_its_position_and_nothing_is_written()
            throws IOException {
        apply();
        String text = edit("kernel: \"${kernel}\"", "kernel: vmlinuz-6.3");
        String label = at(text, "{ name: linux,", 1);

        refusedWithoutWriting("label 'linux' (" + label + ") names vmlinuz-6.3, which is not in /srv/tftp");
    }

    @Test
    void a_variable_in_a_tftp_tree_file_name_is_substituted_like_any_value() throws IOException {
        apply();
        edit("initrd.img: files/initrd.img", "initrd.img: files/initrd.img\n      initrd-${kernel}.img: files/initrd.img");

        apply();

        assertThat(root.resolve("srv/tftp/initrd-vmlinuz-6.1.img")).exists();
    }

    @Test
    void an_undefined_variable_in_a_tftp_tree_file_name_is_an_error_at_the_name() throws IOException {
        apply();
        String text = edit("initrd.img: files/initrd.img", "initrd-${nope}.img: files/initrd.img");
        String at = at(text, "${nope}", 1);

        refusedWithoutWriting(at + ": error: undefined variable 'nope'");
    }
}
