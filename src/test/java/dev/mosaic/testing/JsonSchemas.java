package dev.mosaic.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Validates a JSON output against one of the checkout's {@code schemas/} files, as a user's
 * validator would: networknt's, draft 2020-12, formats asserted, the schemas read under a made-up
 * base address so that their relative {@code $ref}s resolve between the files, offline.
 *
 * <pre>{@code
 * JsonSchemas.assertValid("plan.schema.json", r.stdout(), r.toString());
 * }</pre>
 */
public final class JsonSchemas {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASE = "https://schemas.invalid/mosaic/";
    private static final Path SCHEMAS = Path.of("schemas");

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            b -> b.schemaLoaders(l -> l.schemas((String iri) -> iri.startsWith(BASE) ? read(iri.substring(BASE.length())) : null)));
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    /** Compiled once per test JVM: compiling costs more than validating. */
    private static final Map<String, JsonSchema> COMPILED = new ConcurrentHashMap<>();

    private JsonSchemas() {
    }

    /** Fails, showing every violation and the document, unless {@code json} is one valid document of {@code schema}. */
    public static void assertValid(String schema, String json, String what) {
        JsonNode doc = parse(json);
        JsonSchema s = COMPILED.computeIfAbsent(schema, n -> FACTORY.getSchema(SchemaLocation.of(BASE + n), CONFIG));
        Set<ValidationMessage> problems = s.validate(doc);
        assertThat(problems).as("%s against %s:\n%s", what, schema, json).isEmpty();
    }

    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private static String read(String name) {
        try {
            return Files.readString(SCHEMAS.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
