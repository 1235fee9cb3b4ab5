package dev.mosaic.resource;

import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.yaml.YNode;
import dev.mosaic.yaml.YamlReader;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The view of a kind's schema that {@link SpecReader} takes defaults and words from: a default
 * of the property itself or of the common definition it refers to, words of an {@code enum}
 * (also inside an {@code anyOf} beside the editors' {@code ${…}} choice), and a loud failure for
 * a default the schema does not declare. Over every kind, each field its parse reads with a
 * default or as a word has one in the kind's schema.
 */
class KindSchemaTest {

    private static final String COMMON = """
            {"$defs": {
              "interpolation": {"type": "string", "pattern": "\\\\$\\\\{"},
              "ensure": {"anyOf": [{"$ref": "#/$defs/interpolation"}, {"enum": ["present", "absent"]}], "default": "present"},
              "boolean": {"anyOf": [{"$ref": "#/$defs/interpolation"}, {"type": "boolean"}]},
              "integer": {"anyOf": [{"$ref": "#/$defs/interpolation"}, {"type": "integer"}]},
              "array": {"type": "array"},
              "object": {"anyOf": [{"type": "string"}, {"type": "object"}]},
              "mode": {"type": ["string", "integer"]}
            }}""";

    private static final String SCHEMA = """
            {"properties": {
              "ensure": {"$ref": "../common.schema.json#/$defs/ensure"},
              "style": {"anyOf": [{"$ref": "../common.schema.json#/$defs/interpolation"}, {"enum": ["modern", "classic"]}],
                        "default": "modern"},
              "state": {"anyOf": [{"$ref": "../common.schema.json#/$defs/interpolation"}, {"enum": ["running", "stopped"]}]},
              "force": {"$ref": "../common.schema.json#/$defs/boolean", "default": false},
              "fuzz": {"$ref": "../common.schema.json#/$defs/integer", "default": 2},
              "ratio": {"type": "number", "default": 200},
              "loaders": {"$ref": "../common.schema.json#/$defs/array", "default": ["pxelinux"],
                          "items": {"anyOf": [{"$ref": "../common.schema.json#/$defs/interpolation"}, {"enum": ["pxelinux", "grub"]}]}},
              "kind": {"$ref": "#/$defs/word"},
              "path": {"type": "string"},
              "menu": {"$ref": "../common.schema.json#/$defs/object",
                       "properties": {"prompt": {"$ref": "../common.schema.json#/$defs/integer", "default": 0}}},
              "labels": {"$ref": "../common.schema.json#/$defs/array",
                         "items": {"properties": {"append": {"type": "string"}, "boot": {"enum": ["a", "b"], "default": "a"}}}},
              "files": {"additionalProperties": {"oneOf": [{"type": "string"},
                        {"type": "object", "properties": {"mode": {"$ref": "../common.schema.json#/$defs/mode", "default": "0644"}}}]}}
            },
            "$defs": {"word": {"enum": ["a", "b"], "default": "b"}}}""";

    private static KindSchema view() throws IOException {
        return KindTableTest.view("demo", SCHEMA, COMMON);
    }

    @Test
    void aDefault_isTheFieldsOwn_orThatOfTheDefinitionItRefersTo() throws IOException {
        KindSchema s = view();
        assertThat(s.defaultText("ensure")).isEqualTo("present");
        assertThat(s.defaultText("style")).isEqualTo("modern");
        assertThat(s.defaultBool("force")).isFalse();
        assertThat(s.defaultInteger("fuzz")).isEqualTo(2);
        assertThat(s.defaultText("ratio")).isEqualTo("200");
        assertThat(s.defaultList("loaders")).containsExactly("pxelinux");
        assertThat(s.defaultText("kind")).isEqualTo("b");
    }

    @Test
    void words_areTheEnum_besideTheInterpolationChoice_orBehindAReference() throws IOException {
        KindSchema s = view();
        assertThat(s.words("ensure")).containsExactly("present", "absent");
        assertThat(s.words("style")).containsExactly("modern", "classic");
        assertThat(s.words("state")).containsExactly("running", "stopped");
        assertThat(s.words("kind")).containsExactly("a", "b");
        assertThat(s.words("loaders")).as("a list's words are its items'").containsExactly("pxelinux", "grub");
        assertThat(s.words("path")).isEmpty();
    }

    @Test
    void aNestedField_isNamedByItsPath_throughAListsItemsAndAMapsValues() throws IOException {
        KindSchema s = view();
        assertThat(s.defaultInteger("menu.prompt")).isZero();
        assertThat(s.words("labels.boot")).containsExactly("a", "b");
        assertThat(s.defaultText("labels.boot")).isEqualTo("a");
        assertThat(s.defaultText("files.mode")).isEqualTo("0644");
        assertThat(s.hasDefault("labels.append")).isFalse();
        assertThatThrownBy(() -> s.defaultText("labels.append")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("kind 'demo' reads field 'labels.append' with a default");
        assertThat(KindSchema.of("pxe").defaultInteger("menu.timeout")).isZero();
        assertThat(KindSchema.of("tftp_tree").defaultText("files.mode")).isEqualTo("0644");
    }

    @Test
    void aDefaultTheSchemaDoesNotDeclare_failsLoudly_namingTheKindAndField() throws IOException {
        KindSchema s = view();
        assertThat(s.hasDefault("state")).isFalse();
        assertThatThrownBy(() -> s.defaultText("state")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("kind 'demo' reads field 'state' with a default")
                .hasMessageContaining("schemas/resources/demo.schema.json declares none");
        assertThatThrownBy(() -> s.defaultBool("path")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> s.defaultBool("fuzz")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is not a boolean");
    }

    @Test
    void theReader_takesAbsentFieldsFromTheSchema_andRefusesAWordOutsideItsEnumAtTheField() {
        Diagnostics diags = new Diagnostics();
        YNode.Map body = (YNode.Map) YamlReader.read("p.yml", "type: link\npath: /a\ntarget: /b\n", diags);
        SpecReader r = new SpecReader("l", body, diags, Path.of("."));
        assertThat(r.word("ensure")).isEqualTo("present");
        assertThat(r.bool("force")).isFalse();
        assertThat(diags.hasErrors()).isFalse();

        YNode.Map bad = (YNode.Map) YamlReader.read("p.yml", "type: link\npath: /a\nensure: gone\n", diags);
        SpecReader r2 = new SpecReader("l", bad, diags, Path.of("."));
        assertThat(r2.word("ensure")).isEqualTo("present");
        assertThat(r2.failed()).isTrue();
        assertThat(diags.sorted()).map(Diagnostic::render)
                .containsExactly("p.yml:3:9: error: resource 'l', field 'ensure': expected one of present, absent, got 'gone'");
        assertThatThrownBy(() -> r2.word("path")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("declares no enum");
        assertThatThrownBy(() -> r2.integer("target")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("declares none");
    }

    /** {@code r.word("ensure")}, {@code r.bool("force")}… in a kind's source: reads that take the schema's default. */
    private static final Pattern DEFAULTED = Pattern.compile("\\br\\.(word|bool|integer|optWord)\\(\"([a-z_]+)\"\\)");

    /** {@code r.schema().defaultInteger("menu.prompt")}, {@code r.schema().words("loaders")}: a kind's own reads of the view. */
    private static final Pattern VIEWED = Pattern.compile("\\bschema\\(\\)\\.(default[A-Z][a-z]+|words)\\(\"([a-z_.]+)\"\\)");

    @Test
    void everyFieldAKindReadsWithADefaultOrAsAWord_hasOneInItsSchema() throws IOException {
        Kinds kinds = Kinds.installed();
        List<String> checked = new ArrayList<>();
        for (ResourceType<?, ?> kind : kinds.all()) {
            KindSchema s = KindSchema.of(kind.kind());
            // The loader reads on_remove of every kind as a word (playbook.Scope).
            assertThat(s.words("on_remove")).as(kind.kind() + ".on_remove").containsExactly("delete", "keep");
            assertThat(s.defaultText("on_remove")).as(kind.kind() + ".on_remove").isEqualTo("delete");
            Path dir = Path.of("src/main/java/" + kind.getClass().getPackageName().replace('.', '/'));
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String source = Files.readString(f);
                    Matcher v = VIEWED.matcher(source);
                    while (v.find()) {
                        String where = f + ": schema()." + v.group(1) + "(\"" + v.group(2) + "\")";
                        if (v.group(1).equals("words")) {
                            assertThat(s.words(v.group(2))).as(where + " needs an enum").isNotEmpty();
                        } else {
                            assertThat(s.hasDefault(v.group(2))).as(where + " needs a default").isTrue();
                        }
                        checked.add(kind.kind() + "." + v.group(2));
                    }
                    Matcher m = DEFAULTED.matcher(source);
                    while (m.find()) {
                        String field = m.group(2);
                        String where = f + ": r." + m.group(1) + "(\"" + field + "\")";
                        if (m.group(1).endsWith("Word") || m.group(1).equals("word")) {
                            assertThat(s.words(field)).as(where + " needs an enum").isNotEmpty();
                        }
                        if (!m.group(1).startsWith("opt")) {
                            assertThat(s.hasDefault(field)).as(where + " needs a default").isTrue();
                        }
                        checked.add(kind.kind() + "." + field);
                    }
                }
            }
        }
        assertThat(checked).contains("file.ensure", "archive.format", "patch.fuzz", "service.state", "build.share",
                "pxe.menu.prompt", "pxe.menu.timeout", "pxe.loaders", "initrd.files.sensitive", "initrd.nodes.mode",
                "node_image.files.mode", "node_image.files.owner", "node_image.files.group", "tftp_tree.files.mode");
    }

    @Test
    void theViewOfAKind_isReadOncePerProcess() {
        assertThat(KindSchema.of("archive")).isSameAs(KindSchema.of("archive"));
        assertThat(KindSchema.of("archive").defaultText("max_size")).isEqualTo("8GiB");
    }
}
