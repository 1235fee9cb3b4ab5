package dev.mosaic.resource;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code KindTable.java} is generated from the kinds' schemas ({@code schemas/resources/*.schema.json}
 * and {@code schemas/common.schema.json}): this test fails when it is out of date
 * ({@code -Dmosaic.docs.update=true} rewrites it), so a default or a word is still written only
 * in a schema, while a run reads none of them (a no-op of 1,107 resources spent about 60 ms of
 * CPU opening the jar and parsing the files). What a field's entry is: the property's own {@code "default"}/{@code "enum"},
 * else one inside its {@code anyOf} beside the {@code ${…}} choice, its {@code items}' words for a
 * list, or those of the {@code $defs} entry its {@code $ref} names (in the file or in common). The
 * fields of a nested object are entries too, named by their path ({@code menu.prompt}), a list's
 * items and a map's values passed through ({@code labels.append}, {@code files.mode}).
 */
class KindTableTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path TABLE = Path.of("src/main/java/dev/mosaic/resource/KindTable.java");
    private static final String COMMON = "../common.schema.json#/$defs/";
    private static final String OWN = "#/$defs/";

    /** The view of {@code schema} (JSON text), whose {@code ../common.schema.json} references point into {@code common}. */
    static KindSchema view(String kind, String schema, String common) throws IOException {
        Map<String, KindSchema.Field> fields = new LinkedHashMap<>();
        fields(JSON.readValue(schema, Map.class), JSON.readValue(common, Map.class)).forEach((f, v) ->
                fields.put(f, new KindSchema.Field(v[0], List.copyOf(words(v[1])))));
        return new KindSchema(kind, fields);
    }

    @SuppressWarnings("unchecked")
    private static List<String> words(Object o) {
        return (List<String>) o;
    }

    /** Each field with a default or words, by path: {default (null: none), words}. */
    static Map<String, Object[]> fields(Map<?, ?> schema, Map<?, ?> common) {
        Map<String, Object[]> out = new TreeMap<>();
        properties(map(schema.get("properties")), "", schema, common, out, 0);
        return out;
    }

    private static void properties(Map<?, ?> properties, String prefix, Map<?, ?> schema, Map<?, ?> common,
                                   Map<String, Object[]> out, int depth) {
        for (Map.Entry<?, ?> p : properties.entrySet()) {
            String path = prefix + p.getKey();
            Object[] defaultValue = {null};
            List<String> words = new ArrayList<>();
            collect(p.getValue(), schema, common, defaultValue, words, 0);
            if (defaultValue[0] != null || !words.isEmpty()) {
                out.put(path, new Object[] {defaultValue[0], List.copyOf(words)});
            }
            if (depth < 4) {
                properties(nested(p.getValue(), schema, common, 0), path + ".", schema, common, out, depth + 1);
            }
        }
    }

    /** The default and the words of {@code node}: its own first, then those of what it refers to. */
    private static void collect(Object value, Map<?, ?> schema, Map<?, ?> common, Object[] defaultValue,
                                List<String> words, int depth) {
        if (depth > 8 || !(value instanceof Map<?, ?> node)) {
            return;
        }
        if (defaultValue[0] == null && node.get("default") != null) {
            defaultValue[0] = node.get("default") instanceof Integer i ? Long.valueOf(i) : node.get("default");
        }
        if (words.isEmpty() && node.get("enum") instanceof List<?> e) {
            e.forEach(w -> words.add(String.valueOf(w)));
        }
        if (node.containsKey("items")) {
            collect(node.get("items"), schema, common, new Object[1], words, depth + 1); // a list's words: its items'
        }
        if (node.get("anyOf") instanceof List<?> choices) {
            for (Object choice : choices) {
                collect(choice, schema, common, defaultValue, words, depth + 1);
            }
        }
        collect(target(node, schema, common), schema, common, defaultValue, words, depth + 1);
    }

    /** The properties of the object {@code node} is, or holds as a list's items or a map's values. */
    private static Map<?, ?> nested(Object value, Map<?, ?> schema, Map<?, ?> common, int depth) {
        if (depth > 8 || !(value instanceof Map<?, ?> node)) {
            return Map.of();
        }
        if (node.get("properties") instanceof Map<?, ?> p) {
            return p;
        }
        List<Object> next = new ArrayList<>();
        next.add(node.get("items"));
        next.add(node.get("additionalProperties"));
        for (String choices : List.of("anyOf", "oneOf")) {
            if (node.get(choices) instanceof List<?> l) {
                next.addAll(l);
            }
        }
        next.add(target(node, schema, common));
        for (Object n : next) {
            Map<?, ?> found = nested(n, schema, common, depth + 1);
            if (!found.isEmpty()) {
                return found;
            }
        }
        return Map.of();
    }

    private static Object target(Map<?, ?> node, Map<?, ?> schema, Map<?, ?> common) {
        String ref = node.get("$ref") instanceof String r ? r : "";
        return ref.startsWith(COMMON) ? map(common.get("$defs")).get(ref.substring(COMMON.length()))
                : ref.startsWith(OWN) ? map(schema.get("$defs")).get(ref.substring(OWN.length())) : null;
    }

    private static Map<?, ?> map(Object o) {
        return o instanceof Map<?, ?> m ? m : Map.of();
    }

    /** KindTable.java as the schemas make it. */
    static String generate() throws IOException {
        Map<?, ?> common = JSON.readValue(Path.of("schemas/common.schema.json").toFile(), Map.class);
        List<Path> schemas;
        try (Stream<Path> files = Files.list(Path.of("schemas/resources"))) {
            schemas = files.filter(f -> f.toString().endsWith(".schema.json")).sorted().toList();
        }
        StringBuilder b = new StringBuilder("""
                package dev.mosaic.resource;

                import java.util.List;
                import java.util.Map;

                /**
                 * Generated from schemas/resources/*.schema.json and schemas/common.schema.json by KindTableTest
                 * (mvn test -Dtest=KindTableTest -Dmosaic.docs.update=true): edit the schemas, not this file.
                 * Per kind, each field with a default or words (a nested one by its path, such as menu.prompt):
                 * f(field, default or null, words...).
                 */
                final class KindTable {

                    private KindTable() {
                    }

                    /** The kind's fields; null for a kind without a schema. */
                    static Map<String, KindSchema.Field> fields(String kind) {
                        return switch (kind) {
                """);
        for (Path p : schemas) {
            String kind = p.getFileName().toString().replace(".schema.json", "");
            Map<String, Object[]> fields = fields(JSON.readValue(p.toFile(), Map.class), common);
            b.append("            case ").append(literal(kind)).append(" -> Map.ofEntries(");
            String sep = "\n";
            for (Map.Entry<String, Object[]> f : fields.entrySet()) {
                b.append(sep).append("                    f(").append(literal(f.getKey())).append(", ")
                        .append(literal(f.getValue()[0]));
                words(f.getValue()[1]).forEach(w -> b.append(", ").append(literal(w)));
                b.append(')');
                sep = ",\n";
            }
            b.append(");\n");
        }
        b.append("""
                            default -> null;
                        };
                    }

                    private static Map.Entry<String, KindSchema.Field> f(String field, Object defaultValue, String... words) {
                        return Map.entry(field, new KindSchema.Field(defaultValue, List.of(words)));
                    }
                }
                """);
        return b.toString();
    }

    /** A default or a word as Java writes it: Long, Double, Boolean, String, a List of them, or null. */
    private static String literal(Object v) {
        if (v == null || v instanceof Boolean) {
            return String.valueOf(v);
        }
        if (v instanceof Integer || v instanceof Long) {
            return v + "L";
        }
        if (v instanceof Number n) {
            return Double.toString(n.doubleValue());
        }
        if (v instanceof List<?> l) {
            List<String> items = new ArrayList<>();
            l.forEach(i -> items.add(literal(i)));
            return "List.of(" + String.join(", ", items) + ")";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : String.valueOf(v).toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    @Test
    void kindTableJava_isUpToDateWithTheSchemas() throws IOException {
        String fresh = generate();
        if (Boolean.getBoolean("mosaic.docs.update")) {
            Files.writeString(TABLE, fresh);
        }
        assertThat(Files.readString(TABLE)).as("KindTable.java is generated; rerun with -Dmosaic.docs.update=true")
                .isEqualTo(fresh);
    }
}
