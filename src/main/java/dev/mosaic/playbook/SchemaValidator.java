package dev.mosaic.playbook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.SourcePos;
import dev.mosaic.diag.Suggest;
import dev.mosaic.yaml.YNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a YAML tree against Mosaic's JSON Schemas (the files of {@code schemas/}, shipped in the
 * jar) and turns each violation into a diagnostic at the offending value or key.
 *
 * <p>The files describe a playbook as an editor sees it, before interpolation: a typed field also
 * takes a {@code ${…}} reference (an {@code anyOf} offering common.schema.json's
 * {@code interpolation} or {@code reference}). Mosaic validates after interpolation, where such a
 * value is a mistake (a literal {@code $${x}} is not a path), so it reads the files without those
 * choices ({@link #afterInterpolation}): the schemas it checks are the plain typed ones, with
 * their messages.
 */
public final class SchemaValidator {

    /**
     * The name the schemas are loaded under; they carry no {@code $id} (so that editors resolve
     * their relative {@code $ref}s against the files), and nothing is fetched from this address:
     * every schema under it is read from the jar.
     */
    public static final String BASE = "https://mosaic.dev/schemas/";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Integers longer than this are kept as text: BigInteger parses in quadratic time. */
    static final int MAX_DIGITS = 1000;

    /**
     * The validator library's factory, made on the first validation: a run whose trees all
     * passed before ({@link SchemaCache}) never loads the library.
     */
    private static final class Factory {
        static final JsonSchemaFactory INSTANCE = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                b -> b.schemaLoaders(l -> l.schemas((String iri) -> iri.startsWith(BASE)
                        ? load(iri.substring(BASE.length())).toString() : null)));
    }

    /** The editor's choices that Mosaic drops: values still to be interpolated. */
    private static final Set<String> EDITOR_ONLY = Set.of("interpolation", "reference");

    /** The schema files as Mosaic checks them ({@link #afterInterpolation}), by name. */
    private static final Map<String, JsonNode> FILES = new ConcurrentHashMap<>();

    /**
     * The schemas, read and compiled once per process: they are files of the jar, and compiling
     * playbook.schema.json with every kind's schema costs more than validating a playbook.
     * A compiled {@link JsonSchema} may be used by several threads.
     */
    private static final Map<String, JsonSchema> COMPILED = new ConcurrentHashMap<>();

    /** Trees known to pass (null: every tree is validated). */
    private final SchemaCache cache;

    /** A validator that validates every tree it is given. */
    public SchemaValidator() {
        this(null);
    }

    /** @param cache trees that passed before and need no validation (null: none) */
    SchemaValidator(SchemaCache cache) {
        this.cache = cache;
    }

    /** Validates {@code root} against the schema at {@code schemaName} (e.g. playbook.schema.json). */
    public void validate(YNode root, String schemaName, Diagnostics diags) {
        String key = cache == null ? null : cache.key(schemaName, root);
        if (key != null && cache.passed(key)) {
            return;
        }
        JsonSchema schema = COMPILED.computeIfAbsent(schemaName, n -> Factory.INSTANCE.getSchema(SchemaLocation.of(BASE + n)));
        Set<ValidationMessage> messages = schema.validate(toJson(root));
        Set<String> seen = new TreeSet<>();
        for (ValidationMessage m : messages) {
            Report r = report(root, m);
            if (r != null && seen.add(r.pos + r.message)) {
                diags.error(r.pos, r.message);
            }
        }
        if (key != null && seen.isEmpty()) {
            cache.remember(key);
        }
    }

    private record Report(SourcePos pos, String message) {
    }

    private Report report(YNode root, ValidationMessage m) {
        List<Object> path = segments(m.getInstanceLocation());
        YNode node = find(root, path);
        SourcePos pos = node == null ? root.pos() : node.pos();
        String where = describe(path);
        String type = m.getType();
        switch (type) {
            case "additionalProperties": {
                String field = m.getProperty();
                if (node instanceof YNode.Map map && map.entries().containsKey(field)) {
                    pos = map.entries().get(field).keyPos();
                }
                List<String> known = knownProperties(m);
                return new Report(pos, prefix(where) + "unknown field '" + field + "'" + Suggest.hint(field, known)
                        + (known.isEmpty() ? "" : "; known fields: " + String.join(", ", known)));
            }
            case "required": {
                // Point at the key naming the incomplete object (the resource id), not its first field.
                if (!path.isEmpty() && find(root, path.subList(0, path.size() - 1)) instanceof YNode.Map parent
                        && path.get(path.size() - 1) instanceof String key && parent.entries().containsKey(key)) {
                    pos = parent.entries().get(key).keyPos();
                }
                return new Report(pos, prefix(where) + "missing required field '" + m.getProperty() + "'");
            }
            case "type": {
                String expected = m.getSchemaNode().isArray() ? join(m.getSchemaNode()) : m.getSchemaNode().asText();
                if (node instanceof YNode.Scalar s && expected.contains("string") && s.kind() != YNode.Scalar.Kind.NULL) {
                    return null; // any scalar reads as text where text is expected
                }
                String actual = node == null ? "nothing" : node.kindName();
                return new Report(pos, prefix(where) + "expected " + expected.replace(",", " or ") + ", got " + actual
                        + (node instanceof YNode.Scalar s ? " '" + s.text() + "'" : ""));
            }
            case "enum":
            case "const": {
                if (path.size() == 3 && "resources".equals(path.get(0)) && "type".equals(path.get(2))) {
                    return null; // reported by the loader, with the list of kinds
                }
                String allowed = m.getSchemaNode().isArray() ? join(m.getSchemaNode()) : m.getSchemaNode().toString();
                String got = node instanceof YNode.Scalar s ? "'" + s.text() + "'" : node == null ? "nothing" : node.kindName();
                return new Report(pos, prefix(where) + "expected one of " + allowed.replace(",", ", ") + ", got " + got);
            }
            case "propertyNames": {
                return new Report(pos, prefix(where) + "invalid name: " + stripLocation(m.getMessage()));
            }
            case "pattern": {
                if (path.size() >= 2 && "resources".equals(path.get(0)) && path.size() == 2) {
                    return new Report(pos, "invalid resource id '" + path.get(1) + "': use letters, digits, '_', '-' and '.'");
                }
                if (node instanceof YNode.Scalar s) {
                    return new Report(pos, prefix(where) + patternMessage(m, s.text()));
                }
                return new Report(pos, prefix(where) + stripLocation(m.getMessage()));
            }
            case "if-then-else":
            case "allOf":
                return null; // the branch's own messages say what is wrong
            default:
                return new Report(pos, prefix(where) + stripLocation(m.getMessage()));
        }
    }

    private static String patternMessage(ValidationMessage m, String value) {
        String pattern = m.getSchemaNode().asText();
        if (pattern.equals("^/")) {
            return "must be an absolute path, got '" + value + "'";
        }
        if (pattern.contains("[0-7]")) {
            return "expected an octal mode like \"0644\", got '" + value + "'";
        }
        return "'" + value + "' does not match " + pattern;
    }

    /** The property names the object's schema declares, for "did you mean" and the known list. */
    private List<String> knownProperties(ValidationMessage m) {
        try {
            SchemaLocation loc = m.getSchemaLocation();
            String doc = loc.getAbsoluteIri().toString();
            JsonNode schemaDoc = load(doc.substring(BASE.length()));
            String fragment = loc.getFragment().toString();
            String parent = fragment.substring(0, Math.max(0, fragment.lastIndexOf('/')));
            JsonNode props = schemaDoc.at(parent.replaceFirst("^#", "") + "/properties");
            List<String> names = new ArrayList<>();
            props.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            return names;
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** The schema file {@code name} of the jar, as Mosaic checks it. */
    private static JsonNode load(String name) {
        return FILES.computeIfAbsent(name, n -> {
            try (InputStream in = SchemaValidator.class.getResourceAsStream("/schemas/" + n)) {
                if (in == null) {
                    throw new IllegalStateException("schema missing from the jar: " + n);
                }
                return afterInterpolation(JSON.readTree(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * The schema without its editor-only choices: in every {@code anyOf} that offers
     * common.schema.json's {@code interpolation} or {@code reference}, that choice goes, and the
     * one left takes the place of the {@code anyOf} ({@code {"anyOf": [interpolation, {"type":
     * "integer"}], "minimum": 1}} becomes {@code {"type": "integer", "minimum": 1}}).
     *
     * @throws IllegalStateException when the choice left and the {@code anyOf}'s own object both
     *                               set a keyword, or more than one choice is left: a schema
     *                               file written otherwise than this reads it
     */
    public static JsonNode afterInterpolation(JsonNode schema) {
        JsonNode copy = schema.deepCopy();
        strip(copy);
        return copy;
    }

    private static void strip(JsonNode node) {
        node.forEach(SchemaValidator::strip);
        if (!(node instanceof ObjectNode obj) || !obj.path("anyOf").isArray()) {
            return;
        }
        List<JsonNode> kept = new ArrayList<>();
        boolean editorOnly = false;
        for (JsonNode choice : obj.get("anyOf")) {
            String ref = choice.path("$ref").asText("");
            if (EDITOR_ONLY.stream().anyMatch(d -> ref.endsWith("#/$defs/" + d))) {
                editorOnly = true;
            } else {
                kept.add(choice);
            }
        }
        if (!editorOnly) {
            return;
        }
        if (kept.size() != 1) {
            throw new IllegalStateException("an anyOf with a ${…} choice must have exactly one other: " + obj);
        }
        obj.remove("anyOf");
        for (Iterator<Map.Entry<String, JsonNode>> it = kept.get(0).fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (obj.has(e.getKey())) {
                throw new IllegalStateException("'" + e.getKey() + "' both beside and inside an anyOf: " + obj);
            }
            obj.set(e.getKey(), e.getValue());
        }
    }

    private static String prefix(String where) {
        return where.isEmpty() ? "" : where + ": ";
    }

    /** {@code resource 'x', field 'mode'} or {@code field 'vars.y'}. */
    static String describe(List<Object> path) {
        if (path.isEmpty()) {
            return "";
        }
        if ("resources".equals(path.get(0)) && path.size() >= 2) {
            String res = "resource '" + path.get(1) + "'";
            if (path.size() == 2) {
                return res;
            }
            return res + ", field '" + dotted(path.subList(2, path.size())) + "'";
        }
        return "field '" + dotted(path) + "'";
    }

    private static String dotted(List<Object> parts) {
        StringBuilder b = new StringBuilder();
        for (Object p : parts) {
            if (p instanceof Integer i) {
                b.append('[').append(i).append(']');
            } else {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(p);
            }
        }
        return b.toString();
    }

    private static String stripLocation(String message) {
        return message.replaceFirst("^\\$[^:]*: ", "");
    }

    private static String join(JsonNode array) {
        List<String> parts = new ArrayList<>();
        array.forEach(n -> parts.add(n.isTextual() ? n.asText() : n.toString()));
        return String.join(",", parts);
    }

    static List<Object> segments(JsonNodePath p) {
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < p.getNameCount(); i++) {
            out.add(p.getElement(i));
        }
        return out;
    }

    static YNode find(YNode root, List<Object> path) {
        YNode cur = root;
        for (Object seg : path) {
            if (cur instanceof YNode.Map map && seg instanceof String key) {
                cur = map.get(key);
            } else if (cur instanceof YNode.Seq seq && seg instanceof Integer i && i < seq.items().size()) {
                cur = seq.items().get(i);
            } else {
                return cur;
            }
            if (cur == null) {
                return null;
            }
        }
        return cur;
    }

    /** The YAML tree as JSON, with YAML's implicit scalar types. */
    public static JsonNode toJson(YNode node) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (node instanceof YNode.Scalar s) {
            switch (s.kind()) {
                case NULL:
                    return f.nullNode();
                case BOOLEAN:
                    return f.booleanNode(s.asBoolean());
                case INTEGER:
                    if (s.text().length() > MAX_DIGITS) {
                        return f.textNode(s.text()); // no field takes such a number; parsing it would take long
                    }
                    try {
                        return f.numberNode(new BigInteger(s.text().replace("_", "")));
                    } catch (NumberFormatException e) {
                        return f.textNode(s.text()); // 0x1f, 0o17…: keep the text, fields read it as such
                    }
                case NUMBER:
                    try {
                        double d = Double.parseDouble(s.text());
                        // 1e400 overflows a double, and JSON has no infinity: no field takes it as a number.
                        return Double.isFinite(d) ? f.numberNode(d) : f.textNode(s.text());
                    } catch (NumberFormatException e) {
                        return f.textNode(s.text());
                    }
                default:
                    return f.textNode(s.text());
            }
        }
        if (node instanceof YNode.Seq seq) {
            var arr = f.arrayNode();
            seq.items().forEach(i -> arr.add(toJson(i)));
            return arr;
        }
        ObjectNode obj = f.objectNode();
        for (Iterator<YNode.Entry> it = ((YNode.Map) node).entries().values().iterator(); it.hasNext(); ) {
            YNode.Entry e = it.next();
            obj.set(e.key(), toJson(e.value()));
        }
        return obj;
    }
}
