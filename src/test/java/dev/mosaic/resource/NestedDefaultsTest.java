package dev.mosaic.resource;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.PlaybookLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The nested half of {@link SchemaDefaultsTest}: a field of a nested object (a menu's, a list
 * item's, a map value's) left out gives the resource it gives when set to its schema default.
 * Every nested default the schemas declare must have its case here, so none goes unchecked.
 */
class NestedDefaultsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** kind, nested fields covered, the body without them, the body with each set to the schema's default. */
    private record Case(String kind, List<String> fields, String without, String with) {
    }

    private static final List<Case> CASES = List.of(
            new Case("pxe", List.of("menu.prompt", "menu.timeout"),
                    "type: pxe\nroot: /srv/tftp\nmenu: { default: a }\nlabels: [{ name: a, kernel: k }]\n",
                    "type: pxe\nroot: /srv/tftp\nmenu: { default: a, prompt: 0, timeout: 0 }\nlabels: [{ name: a, kernel: k }]\n"),
            new Case("initrd", List.of("files.sensitive", "nodes.mode"),
                    "type: initrd\npath: /i.img\nfiles: [{ path: /a, content: x }]\n"
                            + "nodes: [{ path: /dev/console, kind: char, major: 5, minor: 1 }]\n",
                    "type: initrd\npath: /i.img\nfiles: [{ path: /a, content: x, sensitive: false }]\n"
                            + "nodes: [{ path: /dev/console, kind: char, major: 5, minor: 1, mode: \"0600\" }]\n"),
            new Case("node_image", List.of("files.mode", "files.owner", "files.group", "files.sensitive"),
                    "type: node_image\npath: /n.img\npackages: [busybox]\nfiles: [{ path: /a, content: x }]\n",
                    "type: node_image\npath: /n.img\npackages: [busybox]\n"
                            + "files: [{ path: /a, content: x, mode: \"0644\", owner: 0, group: 0, sensitive: false }]\n"),
            new Case("tftp_tree", List.of("files.mode"),
                    "type: tftp_tree\nroot: /srv/tftp\nfiles: { pxelinux.0: { source: /usr/lib/PXELINUX/pxelinux.0 } }\n",
                    "type: tftp_tree\nroot: /srv/tftp\n"
                            + "files: { pxelinux.0: { source: /usr/lib/PXELINUX/pxelinux.0, mode: \"0644\" } }\n"));

    @TempDir
    Path tmp;

    @Test
    void aNestedFieldLeftOut_givesTheResourceItsSchemaDefaultGives() {
        for (Case c : CASES) {
            Object without = load(c.without()).spec();
            Object with = load(c.with()).spec();
            assertThat(with).as("%s with %s set to their defaults", c.kind(), c.fields())
                    .usingRecursiveComparison().isEqualTo(without);
            for (String f : c.fields()) {
                assertThat(KindSchema.of(c.kind()).hasDefault(f)).as("%s.%s has a default", c.kind(), f).isTrue();
            }
        }
    }

    @Test
    void everyNestedDefaultOfTheSchemas_hasItsCase() throws IOException {
        Map<?, ?> common = JSON.readValue(Path.of("schemas/common.schema.json").toFile(), Map.class);
        TreeSet<String> declared = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("schemas/resources"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".schema.json")).toList()) {
                String kind = p.getFileName().toString().replace(".schema.json", "");
                KindTableTest.fields(JSON.readValue(p.toFile(), Map.class), common).forEach((field, v) -> {
                    if (field.contains(".") && v[0] != null) {
                        declared.add(kind + "." + field);
                    }
                });
            }
        }
        TreeSet<String> covered = new TreeSet<>();
        CASES.forEach(c -> c.fields().forEach(f -> covered.add(c.kind() + "." + f)));
        assertThat(covered).isEqualTo(declared);
    }

    private dev.mosaic.playbook.ResourceDecl load(String body) {
        String text = "resources:\n  subject:\n" + body.indent(4);
        Playbook playbook = new PlaybookLoader(Kinds.installed()).load(tmp.resolve("playbook.yml"), text, Map.of());
        assertThat(playbook.resources()).hasSize(1);
        return playbook.resources().get(0);
    }
}
