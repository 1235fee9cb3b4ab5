package dev.mosaic.playbook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON Schema of a module's {@code with:} block, generated from its params: for editors
 * (point a YAML language server at it) and for checking calls outside Mosaic. It says what the
 * loader checks: each param's type (YAML's own, never coerced), {@code enum}, {@code min}/{@code
 * max} as {@code minimum}/{@code maximum}, params without a default as {@code required}, and no
 * other keys. A sensitive param is marked {@code writeOnly}. Values are described as they are
 * after interpolation: a {@code ${var}} of the caller is not a number yet.
 */
public final class ModuleSchema {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModuleSchema() {
    }

    public static ObjectNode of(ModuleDef def) {
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.put("$id", SchemaValidator.BASE + "modules/" + def.name() + ".with.schema.json");
        root.put("title", "with: of module " + def.name());
        if (!def.description().isEmpty()) {
            root.put("description", def.description());
        }
        root.put("type", "object");
        root.put("additionalProperties", false);
        ArrayNode required = JSON.createArrayNode();
        ObjectNode properties = JSON.createObjectNode();
        for (ModuleParam p : def.params().values()) {
            properties.set(p.name(), param(p));
            if (p.required()) {
                required.add(p.name());
            }
        }
        if (!required.isEmpty()) {
            root.set("required", required);
        }
        root.set("properties", properties);
        return root;
    }

    public static String render(ModuleDef def) {
        try {
            return JSON.writeValueAsString(of(def)) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode param(ModuleParam p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", switch (p.type()) {
            case STRING -> "string";
            case INTEGER -> "integer";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case LIST -> "array";
            case MAP -> "object";
        });
        if (!p.description().isEmpty()) {
            n.put("description", p.description());
        }
        if (!p.allowed().isEmpty()) {
            ArrayNode values = n.putArray("enum");
            p.allowed().forEach(v -> values.add(SchemaValidator.toJson(v)));
        }
        if (p.min() != null) {
            n.set("minimum", SchemaValidator.toJson(p.min()));
        }
        if (p.max() != null) {
            n.set("maximum", SchemaValidator.toJson(p.max()));
        }
        // A default that uses other params is not a value yet; only plain ones are shown.
        if (p.defaultValue() != null && !ModuleReader.hasReference(p.defaultValue())) {
            n.set("default", SchemaValidator.toJson(p.defaultValue()));
        }
        if (p.sensitive()) {
            n.put("writeOnly", true);
        }
        return n;
    }
}
