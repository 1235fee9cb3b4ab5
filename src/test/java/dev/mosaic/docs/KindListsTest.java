package dev.mosaic.docs;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mosaic.playbook.SchemaValidator;
import dev.mosaic.resource.Kinds;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lists of kinds outside the kinds themselves are generated from the registry
 * ({@link Kinds#installed()}) and each kind's schema, so a new kind needs no hand edit there:
 * {@code schemas/playbook.schema.json}'s {@code type} enum and its if/then chain (which kind's
 * schema a resource is checked against, for editors), and README.md's table of kinds (fields from
 * the schema's properties, notes from its {@code x-readme}). Each test fails when the checked-in
 * file is out of date; {@code -Dmosaic.docs.update=true} rewrites it.
 */
class KindListsTest {

    private static final Path PLAYBOOK_SCHEMA = Path.of("schemas/playbook.schema.json");
    private static final Path README = Path.of("README.md");
    private static final String TABLE_START = "<!-- kinds table: generated from the registered kinds and their schemas"
            + " by KindListsTest (-Dmosaic.docs.update=true) -->\n";
    private static final String TABLE_END = "<!-- end of kinds table -->";
    /** Fields every resource takes, said once in the README rather than in each row. */
    private static final List<String> ENGINE_FIELDS = List.of("type", "description", "requires", "notify", "on_remove");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final List<String> KINDS = List.copyOf(Kinds.installed().names());

    /** The playbook schema as checked in, with its kind enum and if/then chain made from the registry. */
    static String playbookSchema() throws IOException {
        ObjectNode schema = (ObjectNode) JSON.readTree(PLAYBOOK_SCHEMA.toFile());
        ObjectNode resource = (ObjectNode) schema.path("$defs").path("resource");
        ArrayNode names = ((ObjectNode) resource.path("properties").path("type")).putArray("enum");
        ArrayNode chain = resource.putArray("allOf");
        for (String kind : KINDS) {
            names.add(kind);
            ObjectNode rule = chain.addObject();
            ObjectNode when = rule.putObject("if");
            when.putObject("properties").putObject("type").put("const", kind);
            when.putArray("required").add("type");
            rule.putObject("then").put("$ref", "resources/" + kind + ".schema.json");
        }
        // The file's own layout: two spaces, "key": value, one array item per line.
        DefaultIndenter indent = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(
                Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withObjectIndenter(indent).withArrayIndenter(indent);
        return JSON.writer(printer).writeValueAsString(schema) + "\n";
    }

    /** README.md with the table of kinds between its two markers made anew. */
    static String readme() throws IOException {
        String text = Files.readString(README);
        int start = text.indexOf(TABLE_START);
        int end = text.indexOf(TABLE_END);
        assertThat(start).as("README.md holds the kinds table's markers").isNotNegative().isLessThan(end);
        StringBuilder table = new StringBuilder("| kind | fields | notes |\n|---|---|---|\n");
        for (String kind : KINDS) {
            JsonNode schema = SchemaValidator.afterInterpolation(
                    JSON.readTree(Path.of("schemas/resources/" + kind + ".schema.json").toFile()));
            List<String> fields = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (ENGINE_FIELDS.contains(f.getKey())) {
                    continue;
                }
                List<String> values = new ArrayList<>();
                f.getValue().path("enum").forEach(v -> values.add(v.asText()));
                fields.add("`" + f.getKey() + (values.isEmpty() ? "" : ": " + String.join("|", values)) + "`");
            }
            table.append("| `").append(kind).append("` | ").append(cell(String.join(", ", fields))).append(" | ")
                    .append(cell(schema.path("x-readme").asText())).append(" |\n");
        }
        return text.substring(0, start + TABLE_START.length()) + table + text.substring(end);
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    @Test
    void playbookSchema_listsEveryRegisteredKindAndItsSchema() throws IOException {
        check(PLAYBOOK_SCHEMA, playbookSchema());
    }

    @Test
    void readmeKindsTable_hasARowPerRegisteredKind() throws IOException {
        for (String kind : KINDS) {
            JsonNode schema = JSON.readTree(Path.of("schemas/resources/" + kind + ".schema.json").toFile());
            assertThat(schema.path("x-readme").asText()).as("x-readme of the %s schema", kind).isNotBlank();
        }
        check(README, readme());
    }

    private static void check(Path file, String fresh) throws IOException {
        if (Boolean.getBoolean("mosaic.docs.update")) {
            Files.writeString(file, fresh);
        }
        assertThat(Files.readString(file)).as("%s is generated; rerun with -Dmosaic.docs.update=true", file)
                .isEqualTo(fresh);
    }
}
