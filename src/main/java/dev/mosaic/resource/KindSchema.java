package dev.mosaic.resource;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

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

    /** Jackson's streaming parser only: the view needs no data binding, whose start-up costs more than the files. */
    private static final JsonFactory JSON = new JsonFactory();
    private static final Map<String, KindSchema> BY_KIND = new ConcurrentHashMap<>();
    private static final String COMMON = "../common.schema.json#/$defs/";
    private static final String OWN = "#/$defs/";

    /** A field's default (String, Long, Double, Boolean or List, as JSON wrote it; null: none) and words. */
    private record Field(Object defaultValue, List<String> words) {
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
        static final Map<?, ?> FILE = file("common.schema.json");
    }

    /** The view of {@code schema}, whose {@code ../common.schema.json} references point into {@code common}. */
    static KindSchema read(String kind, Map<?, ?> schema, Map<?, ?> common) {
        Map<String, Field> fields = new HashMap<>();
        for (Map.Entry<?, ?> p : map(schema.get("properties")).entrySet()) {
            Object[] defaultValue = {null};
            List<String> words = new ArrayList<>();
            collect(p.getValue(), schema, common, defaultValue, words, 0);
            if (defaultValue[0] != null || !words.isEmpty()) {
                fields.put((String) p.getKey(), new Field(defaultValue[0], List.copyOf(words)));
            }
        }
        return new KindSchema(kind, fields);
    }

    /** The default and the words of {@code node}: its own first, then those of what it refers to. */
    private static void collect(Object value, Map<?, ?> schema, Map<?, ?> common, Object[] defaultValue,
                                List<String> words, int depth) {
        if (depth > 8 || !(value instanceof Map<?, ?> node)) {
            return;
        }
        if (defaultValue[0] == null && node.get("default") != null) {
            defaultValue[0] = node.get("default");
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
        String ref = node.get("$ref") instanceof String r ? r : "";
        Object target = ref.startsWith(COMMON) ? map(common.get("$defs")).get(ref.substring(COMMON.length()))
                : ref.startsWith(OWN) ? map(schema.get("$defs")).get(ref.substring(OWN.length())) : null;
        collect(target, schema, common, defaultValue, words, depth + 1);
    }

    private static Map<?, ?> map(Object o) {
        return o instanceof Map<?, ?> m ? m : Map.of();
    }

    /** A JSON text as maps, lists, strings, numbers (Long or Double), booleans and nulls. */
    static Map<?, ?> parse(InputStream in) throws IOException {
        try (JsonParser p = JSON.createParser(in)) {
            p.nextToken();
            return map(value(p));
        }
    }

    private static Object value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    m.put(name, value(p));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return p.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return p.getBooleanValue();
            }
            default -> {
                return null;
            }
        }
    }

    private static Map<?, ?> file(String name) {
        try {
            Path jar = Jar.PATH;
            if (jar != null) {
                // Straight from the jar Mosaic runs from: the class loader's lookup by URL costs more
                // on its first call (≈ 20 ms of a no-op's start) than reading every view.
                try (JarFile in = new JarFile(jar.toFile())) {
                    JarEntry e = in.getJarEntry("schemas/" + name);
                    if (e != null) {
                        return parse(in.getInputStream(e));
                    }
                } catch (IOException e) {
                    // not a jar after all: the class loader finds the file below
                }
            }
            try (InputStream in = KindSchema.class.getResourceAsStream("/schemas/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("schema missing from the jar: " + name);
                }
                return parse(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The jar Mosaic runs from ({@code java -jar}: the class path is that jar alone); null otherwise (tests). */
    private static final class Jar {
        static final Path PATH = find(System.getProperty("java.class.path", ""));

        private static Path find(String classPath) {
            return classPath.endsWith(".jar") && !classPath.contains(java.io.File.pathSeparator) ? Path.of(classPath) : null;
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
        return String.valueOf(defaultValue(field));
    }

    public boolean defaultBool(String field) {
        if (!(defaultValue(field) instanceof Boolean b)) {
            throw wrong(field, "a boolean");
        }
        return b;
    }

    public long defaultInteger(String field) {
        if (!(defaultValue(field) instanceof Long n)) {
            throw wrong(field, "an integer");
        }
        return n;
    }

    public List<String> defaultList(String field) {
        if (!(defaultValue(field) instanceof List<?> l)) {
            throw wrong(field, "a list");
        }
        return l.stream().map(String::valueOf).toList();
    }

    /** The field's default; a kind reading a default its schema does not declare is a bug, told at once. */
    private Object defaultValue(String field) {
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
