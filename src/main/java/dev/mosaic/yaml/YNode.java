package dev.mosaic.yaml;

import dev.mosaic.diag.SourcePos;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML value with the position it was read from. Mosaic keeps its own small tree instead of plain
 * maps so that every later check (schema, semantics, graph) can point at {@code file:line:col}.
 * Immutable.
 */
public sealed interface YNode permits YNode.Scalar, YNode.Seq, YNode.Map {

    SourcePos pos();

    /** A JSON-like kind name for messages: string, integer, number, boolean, null, array, object. */
    String kindName();

    /**
     * A scalar. {@code text} is the source text after interpolation; {@code kind} is the resolved
     * YAML type; {@code plain} tells whether it was written unquoted (only plain scalars get an
     * implicit type).
     */
    record Scalar(String text, Kind kind, boolean plain, SourcePos pos) implements YNode {
        public enum Kind { STRING, INTEGER, NUMBER, BOOLEAN, NULL }

        @Override
        public String kindName() {
            return kind.name().toLowerCase();
        }

        public boolean asBoolean() {
            return text.equalsIgnoreCase("true") || text.equalsIgnoreCase("yes") || text.equalsIgnoreCase("on");
        }
    }

    record Seq(List<YNode> items, SourcePos pos) implements YNode {
        public Seq {
            items = List.copyOf(items);
        }

        @Override
        public String kindName() {
            return "array";
        }
    }

    /** A mapping; keys keep their own positions so "unknown field" can point at the key itself. */
    record Map(LinkedHashMap<String, Entry> entries, SourcePos pos) implements YNode {
        public Map {
            entries = new LinkedHashMap<>(entries);
        }

        @Override
        public String kindName() {
            return "object";
        }

        public YNode get(String key) {
            Entry e = entries.get(key);
            return e == null ? null : e.value();
        }

        public boolean has(String key) {
            return entries.containsKey(key);
        }

        public java.util.Map<String, Entry> view() {
            return java.util.Collections.unmodifiableMap(entries);
        }
    }

    record Entry(String key, SourcePos keyPos, YNode value) {
    }
}
