package dev.mosaic.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.graph.GraphBuilder;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.PlaybookLoader;
import dev.mosaic.playbook.SchemaValidator;
import dev.mosaic.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/resources.md is generated from the kinds' JSON Schemas and the YAML examples in their
 * package-info.java; this test fails when it is out of date ({@code -Dmosaic.docs.update=true}
 * rewrites it) and loads every example as a playbook, so no example in the docs is wrong.
 */
class ResourceDocsTest {

    private static final Path DOCS = Path.of("docs/resources.md");
    private static final Path KINDS_SRC = Path.of("src/main/java/dev/mosaic/resource");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern EXAMPLE = Pattern.compile("<pre>\\{@code\\n(.*?)}</pre>", Pattern.DOTALL);
    private static final Pattern TYPE = Pattern.compile("(?m)^\\s+type:\\s*(\\w+)");

    /** Each kind's example, taken from the package-info whose example declares that type. */
    static Map<String, String> examples() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(KINDS_SRC)) {
            for (Path p : files.filter(f -> f.getFileName().toString().equals("package-info.java")).sorted().toList()) {
                Matcher m = EXAMPLE.matcher(Files.readString(p));
                if (!m.find()) {
                    continue;
                }
                String yaml = m.group(1).lines().map(l -> l.replaceFirst("^ \\* ?", "")).reduce("", (a, b) -> a + b + "\n")
                        .stripTrailing() + "\n";
                Matcher t = TYPE.matcher(yaml);
                if (t.find()) {
                    out.putIfAbsent(t.group(1), yaml);
                }
            }
        }
        return out;
    }

    static String generate() throws IOException {
        Map<String, String> examples = examples();
        StringBuilder b = new StringBuilder("""
                # Resource kinds

                Generated from `schemas/resources/*.schema.json` and the examples in each kind's
                `package-info.java` by `ResourceDocsTest` (`mvn test -Dtest=ResourceDocsTest -Dmosaic.docs.update=true`).
                Every resource also takes the engine fields `description`, `requires: [ids]`, `notify: [ids]` and
                `on_remove: keep` (what Mosaic created for it stays once the playbook drops it; by default it is deleted by `apply --allow-delete`).
                Any field may be written as a `${…}` reference; the types below are those of the value it becomes.

                """);
        List<ResourceType<?, ?>> kinds = new ArrayList<>(BuiltinKinds.create().all());
        kinds.sort(java.util.Comparator.comparing(ResourceType::kind));
        for (ResourceType<?, ?> kind : kinds) {
            b.append("- [`").append(kind.kind()).append("`](#").append(kind.kind().replace("_", "")).append(") — ")
                    .append(kind.summary()).append('\n');
        }
        for (ResourceType<?, ?> kind : kinds) {
            // Fields as Mosaic checks them: the ${…} every typed field also takes (for editors) is said once, above.
            JsonNode schema = SchemaValidator.afterInterpolation(
                    JSON.readTree(Path.of("schemas/resources/" + kind.kind() + ".schema.json").toFile()));
            b.append("\n## ").append(kind.kind()).append("\n\n").append(schema.path("description").asText()).append("\n\n");
            b.append("| field | type | default | |\n|---|---|---|---|\n");
            java.util.Set<String> required = new TreeSet<>();
            schema.path("required").forEach(n -> required.add(n.asText()));
            for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (List.of("type", "description", "requires", "notify", "on_remove").contains(f.getKey())) {
                    continue;
                }
                JsonNode p = f.getValue();
                b.append("| `").append(f.getKey()).append('`').append(required.contains(f.getKey()) ? " (required)" : "")
                        .append(" | ").append(typeOf(p)).append(" | ")
                        .append(p.has("default") ? "`" + p.get("default") + "`" : "").append(" | ")
                        .append(describe(p).replace("|", "\\|").replace("\n", " ")).append(" |\n");
            }
            String example = examples.get(kind.kind());
            if (example != null) {
                b.append("\n```yaml\n").append(example).append("```\n");
            }
        }
        return b.toString();
    }

    private static String typeOf(JsonNode p) {
        if (p.has("enum")) {
            List<String> v = new ArrayList<>();
            p.get("enum").forEach(n -> v.add(n.asText()));
            return String.join(" \\| ", v);
        }
        if (p.has("$ref")) {
            String ref = p.get("$ref").asText();
            return ref.substring(ref.lastIndexOf('/') + 1);
        }
        if (p.has("type")) {
            return p.get("type").isArray() ? p.get("type").toString().replaceAll("[\\[\\]\"]", "").replace(",", " or ")
                    : p.get("type").asText();
        }
        return p.has("oneOf") ? "see schema" : "";
    }

    private static String describe(JsonNode p) {
        return p.path("description").asText("");
    }

    @Test
    void docsResourcesMd_isUpToDateWithTheSchemasAndExamples() throws IOException {
        String fresh = generate();
        if (Boolean.getBoolean("mosaic.docs.update")) {
            Files.createDirectories(DOCS.getParent());
            Files.writeString(DOCS, fresh);
        }
        assertThat(Files.exists(DOCS)).as("docs/resources.md exists").isTrue();
        assertThat(Files.readString(DOCS)).as("docs/resources.md is generated; rerun with -Dmosaic.docs.update=true")
                .isEqualTo(fresh);
    }

    @Test
    void everyRegisteredKind_hasADocumentedExample() throws IOException {
        Map<String, String> examples = examples();
        for (ResourceType<?, ?> kind : BuiltinKinds.create().all()) {
            assertThat(examples).as("example of kind %s", kind.kind()).containsKey(kind.kind());
        }
    }

    static Stream<String> kinds() throws IOException {
        return examples().keySet().stream();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void theDocumentedExample_isAValidPlaybook(String kind) throws IOException {
        String example = examples().get(kind);
        // Variables the example uses get a value, as a playbook would give them.
        java.util.Set<String> vars = new TreeSet<>();
        Matcher m = Pattern.compile("(?<!\\$)\\$\\{([A-Za-z_][A-Za-z0-9_]*)}").matcher(example);
        while (m.find()) {
            vars.add(m.group(1));
        }
        StringBuilder yaml = new StringBuilder();
        if (!vars.isEmpty()) {
            yaml.append("vars:\n");
            vars.forEach(v -> yaml.append("  ").append(v).append(": x\n"));
        }
        yaml.append("resources:\n").append(example.indent(2));
        Playbook p = new PlaybookLoader(BuiltinKinds.create()).load(Path.of("example.yml"), yaml.toString(), Map.of());
        Diagnostics diags = new Diagnostics();
        GraphBuilder.build(p, diags);
        assertThat(diags.sorted()).as("graph of the %s example", kind).isEmpty();
        assertThat(p.resources()).anyMatch(d -> d.type().kind().equals(kind));
    }
}
