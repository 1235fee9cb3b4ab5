package dev.mosaic.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.diag.UserError;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.PlaybookLoader;
import dev.mosaic.playbook.ResourceDecl;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A default is written in two places: the schema says it ({@code "default": 200}, for editors and
 * docs/resources.md) and the kind's parse uses it when the field is absent. This test ties them:
 * for every schema default (a property's own, or that of the common definition it refers to),
 * each contract fixture of the kind is loaded twice without the field — as it is, and with the
 * field set to the schema's default — and both must give the same resource. A fixture that
 * cannot do without its value of the field (another field depends on it) is passed over, and the
 * resources of the kind's documented example (its package-info) serve as well; at least one must
 * serve for each defaulted field, so no default goes unchecked.
 */
class SchemaDefaultsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Kinds KINDS = Kinds.installed();
    private static final Pattern EXAMPLE = Pattern.compile("<pre>\\{@code\\n(.*?)}</pre>", Pattern.DOTALL);

    @TempDir
    Path tmp;

    /** One argument per (kind, field with a default): the kind, the field and the default as JSON. */
    static Stream<Arguments> defaults() throws IOException {
        JsonNode common = JSON.readTree(Path.of("schemas/common.schema.json").toFile());
        List<Arguments> out = new ArrayList<>();
        for (String kind : KINDS.names()) {
            JsonNode schema = JSON.readTree(Path.of("schemas/resources/" + kind + ".schema.json").toFile());
            for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                JsonNode p = field.getValue();
                String ref = p.path("$ref").asText();
                JsonNode value = p.has("default") ? p.get("default")
                        : ref.startsWith("../common.schema.json#/$defs/")
                        ? common.path("$defs").path(ref.substring(ref.lastIndexOf('/') + 1)).get("default") : null;
                if (value != null) {
                    out.add(Arguments.of(kind, field.getKey(), JSON.writeValueAsString(value)));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}.{1}: {2}")
    @MethodSource("defaults")
    void aFieldSetToItsSchemaDefault_givesTheResourceItGivesWhenAbsent(String kind, String field, String value)
            throws IOException {
        // The field's own line, when its value is written on it (a nested value would leave lines behind).
        Pattern line = Pattern.compile("(?m)^" + Pattern.quote(field) + ":[^\\n]*\\n(?![ \\t-])");
        int checked = 0;
        int tried = 0;
        for (ResourceContractTest.Fixture f : candidates(kind)) {
            if (Pattern.compile("(?m)^" + Pattern.quote(field) + ":").matcher(f.body()).find()
                    && !line.matcher(f.body()).find()) {
                continue;
            }
            Path dir = Files.createDirectories(tmp.resolve("candidate" + ++tried));
            Path root = Files.createDirectories(dir.resolve("root"));
            Path control = Files.createDirectories(dir.resolve("control"));
            f.setup().prepare(root, control);
            String without = line.matcher(f.body()).replaceFirst("");
            ResourceDecl absent;
            try {
                absent = load(control, without);
            } catch (UserError e) {
                continue; // the fixture needs its value of the field (another field depends on it)
            }
            // JSON is YAML: the default is written as the schema spells it.
            ResourceDecl given = load(control, without + field + ": " + value + "\n");
            assertThat(given.spec()).as("%s with %s: %s", f, field, value)
                    .usingRecursiveComparison().isEqualTo(absent.spec());
            assertThat(given.keepOnRemove()).as("on_remove of %s", f).isEqualTo(absent.keepOnRemove());
            checked++;
        }
        assertThat(checked).as("contract fixtures of kind %s leaving '%s' to its default", kind, field).isPositive();
    }

    /** The kind's contract fixtures, then the resources of its documented example (with nothing prepared). */
    private static List<ResourceContractTest.Fixture> candidates(String kind) throws IOException {
        List<ResourceContractTest.Fixture> out = new ArrayList<>(
                ResourceContractTest.allFixtures().stream().filter(f -> f.kind().equals(kind)).toList());
        String packageInfo = "src/main/java/" + KINDS.find(kind).orElseThrow().getClass().getPackageName().replace('.', '/')
                + "/package-info.java";
        Matcher example = EXAMPLE.matcher(Files.readString(Path.of(packageInfo)));
        if (example.find()) {
            // The example is a map of resources by id: each body is the indented lines below an id.
            String yaml = example.group(1).replaceAll("(?m)^ \\* ?", "").replaceAll("\\$\\{[^}]*}", "x");
            for (String resource : yaml.split("(?m)^(?=\\S)")) {
                String body = resource.substring(resource.indexOf('\n') + 1).stripTrailing().stripIndent() + "\n";
                if (body.contains("type: " + kind + "\n")) {
                    out.add(new ResourceContractTest.Fixture(kind, "documented example", body, (root, control) -> { }));
                }
            }
        }
        return out;
    }

    private static ResourceDecl load(Path control, String body) {
        String text = "resources:\n  subject:\n" + body.indent(4);
        Playbook playbook = new PlaybookLoader(KINDS).load(control.resolve("playbook.yml"), text, Map.of());
        assertThat(playbook.resources()).hasSize(1);
        return playbook.resources().get(0);
    }
}
