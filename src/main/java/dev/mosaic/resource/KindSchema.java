package dev.mosaic.resource;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a kind's JSON Schema ({@code schemas/resources/KIND.schema.json}) says of its fields that
 * {@link SpecReader} and the kind's parse need: each field's default and its allowed words (an
 * {@code enum}, also one inside an {@code anyOf} beside the editors' {@code ${…}} choice, or
 * that of a list's {@code items}), following {@code $ref}s into {@code common.schema.json#/$defs/…}
 * and the file's own {@code #/$defs/…}. A nested field is named by its path, a list's items and
 * a map's values passed through: {@code menu.prompt}, {@code labels.append}, {@code files.mode}.
 * The schema is the one place a default or a word is written; a run reads them from
 * {@link KindTable}, generated from the schemas and tied to them by {@code KindTableTest}, so that
 * no run opens the jar or parses JSON for them. Immutable.
 */
public final class KindSchema {

    private static final Map<String, KindSchema> BY_KIND = new ConcurrentHashMap<>();

    /** A field's default (String, Long, Double, Boolean or List, as JSON wrote it; null: none) and words. */
    record Field(Object defaultValue, List<String> words) {
    }

    private final String kind;
    private final Map<String, Field> fields;

    KindSchema(String kind, Map<String, Field> fields) {
        this.kind = kind;
        this.fields = Map.copyOf(fields);
    }

    /** The view of kind {@code kind}'s schema. */
    public static KindSchema of(String kind) {
        return BY_KIND.computeIfAbsent(kind, k -> {
            Map<String, Field> fields = KindTable.fields(k);
            if (fields == null) {
                throw new IllegalStateException("no schema for kind '" + k + "': schemas/resources/" + k + ".schema.json");
            }
            return new KindSchema(k, fields);
        });
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
