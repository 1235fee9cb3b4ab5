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
              "array": {"type": "array"}
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
              "path": {"type": "string"}
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

    @Test
    void everyFieldAKindReadsWithADefaultOrAsAWord_hasOneInItsSchema() throws IOException {
        Kinds kinds = Kinds.installed();
        List<String> checked = new ArrayList<>();
        for (ResourceType<?, ?> kind : kinds.all()) {
            KindSchema s = KindSchema.of(kind.kind());
            Path dir = Path.of("src/main/java/" + kind.getClass().getPackageName().replace('.', '/'));
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = DEFAULTED.matcher(Files.readString(f));
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
        assertThat(checked).contains("file.ensure", "archive.format", "patch.fuzz", "service.state", "build.share");
    }

    @Test
    void theViewOfAKind_isReadOncePerProcess() {
        assertThat(KindSchema.of("archive")).isSameAs(KindSchema.of("archive"));
        assertThat(KindSchema.of("archive").defaultText("max_size")).isEqualTo("8GiB");
    }
}
