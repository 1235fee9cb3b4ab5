package dev.mosaic.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a kind's JSON Schema ({@code schemas/resources/KIND.schema.json}) says of its top-level
 * fields that {@link SpecReader} needs: each field's default and its allowed words (an
 * {@code enum}, also one inside an {@code anyOf} beside the editors' {@code ${…}} choice, or
 * that of a list's {@code items}),
 * following {@code $ref}s into {@code common.schema.json#/$defs/…} and the file's own
 * {@code #/$defs/…}. The schema is the one place a default or a word is written: parse reads
 * them from here. Read from the jar once per kind per process ({@link #of}); immutable.
 */
public final class KindSchema {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, KindSchema> BY_KIND = new ConcurrentHashMap<>();
    private static final String COMMON = "../common.schema.json#/$defs/";
    private static final String OWN = "#/$defs/";

    private record Field(JsonNode defaultValue, List<String> words) {
    }

    private final String kind;
    private final Map<String, Field> fields;

    private KindSchema(String kind, Map<String, Field> fields) {
        this.kind = kind;
        this.fields = Map.copyOf(fields);
    }

    /** The view of kind {@code kind}'s schema file, read on the first call for that kind. */
    public static KindSchema of(String kind) {
        return BY_KIND.computeIfAbsent(kind, k -> read(k, file("resources/" + k + ".schema.json"), Common.FILE));
    }

    /** common.schema.json, read on the first kind's view. */
    private static final class Common {
        static final JsonNode FILE = file("common.schema.json");
    }

    /** The view of {@code schema}, whose {@code ../common.schema.json} references point into {@code common}. */
    static KindSchema read(String kind, JsonNode schema, JsonNode common) {
        Map<String, Field> fields = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            JsonNode[] defaultValue = {null};
            List<String> words = new ArrayList<>();
            collect(p.getValue(), schema, common, defaultValue, words, 0);
            if (defaultValue[0] != null || !words.isEmpty()) {
                fields.put(p.getKey(), new Field(defaultValue[0], List.copyOf(words)));
            }
        }
        return new KindSchema(kind, fields);
    }

    /** The default and the words of {@code node}: its own first, then those of what it refers to. */
    private static void collect(JsonNode node, JsonNode schema, JsonNode common, JsonNode[] defaultValue,
                                List<String> words, int depth) {
        if (depth > 8 || !node.isObject()) {
            return;
        }
        if (defaultValue[0] == null && node.has("default")) {
            defaultValue[0] = node.get("default");
        }
        if (words.isEmpty() && node.path("enum").isArray()) {
            node.get("enum").forEach(w -> words.add(w.asText()));
        }
        if (node.has("items")) {
            collect(node.get("items"), schema, common, new JsonNode[1], words, depth + 1); // a list's words: its items'
        }
        for (JsonNode choice : node.path("anyOf")) {
            collect(choice, schema, common, defaultValue, words, depth + 1);
        }
        String ref = node.path("$ref").asText("");
        JsonNode target = ref.startsWith(COMMON) ? common.path("$defs").path(ref.substring(COMMON.length()))
                : ref.startsWith(OWN) ? schema.path("$defs").path(ref.substring(OWN.length())) : null;
        if (target != null) {
            collect(target, schema, common, defaultValue, words, depth + 1);
        }
    }

    private static JsonNode file(String name) {
        try (InputStream in = KindSchema.class.getResourceAsStream("/schemas/" + name)) {
            if (in == null) {
                throw new IllegalStateException("schema missing from the jar: " + name);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String kind() {
        return kind;
    }

    /** The words the field allows (its {@code enum}, or its items' for a list); empty when it has none. */
    public List<String> words(String field) {
        Field f = fields.get(field);
        return f == null ? List.of() : f.words();
    }

    /** Whether the schema declares a default for the field. */
    public boolean hasDefault(String field) {
        Field f = fields.get(field);
        return f != null && f.defaultValue() != null;
    }

    /** The field's default as YAML would read its text: {@code present}, {@code 200}, {@code false}. */
    public String defaultText(String field) {
        return defaultNode(field).asText();
    }

    public boolean defaultBool(String field) {
        JsonNode d = defaultNode(field);
        if (!d.isBoolean()) {
            throw wrong(field, "a boolean");
        }
        return d.booleanValue();
    }

    public long defaultInteger(String field) {
        JsonNode d = defaultNode(field);
        if (!d.isIntegralNumber()) {
            throw wrong(field, "an integer");
        }
        return d.longValue();
    }

    public List<String> defaultList(String field) {
        JsonNode d = defaultNode(field);
        if (!d.isArray()) {
            throw wrong(field, "a list");
        }
        List<String> out = new ArrayList<>();
        d.forEach(item -> out.add(item.asText()));
        return List.copyOf(out);
    }

    /** The field's default; a kind reading a default its schema does not declare is a bug, told at once. */
    private JsonNode defaultNode(String field) {
        if (!hasDefault(field)) {
            throw new IllegalStateException("kind '" + kind + "' reads field '" + field + "' with a default, but "
                    + "schemas/resources/" + kind + ".schema.json declares none: declare it there");
        }
        return fields.get(field).defaultValue();
    }

    /** Says that the field has no words to check against, a bug of the kind's parse, told at once. */
    IllegalStateException noWords(String field) {
        return new IllegalStateException("kind '" + kind + "' reads field '" + field + "' as a word, but "
                + "schemas/resources/" + kind + ".schema.json declares no enum for it");
    }

    private IllegalStateException wrong(String field, String what) {
        return new IllegalStateException("the default of field '" + field + "' in schemas/resources/" + kind
                + ".schema.json is not " + what + ": " + fields.get(field).defaultValue());
    }

    /** An empty view, for a body without a kind: every default or word read from it fails at once. */
    static KindSchema none() {
        return new KindSchema("(none)", Map.of());
    }
}
