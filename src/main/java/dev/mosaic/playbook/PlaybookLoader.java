package dev.mosaic.playbook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.SourcePos;
import dev.mosaic.diag.Suggest;
import dev.mosaic.diag.UserError;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Digests;
import dev.mosaic.resource.Kinds;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.resource.SpecReader;
import dev.mosaic.yaml.YNode;
import dev.mosaic.yaml.YamlReader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns a playbook file into a {@link Playbook}: YAML with positions, variables, JSON Schema, each
 * kind's own checks, and references between resources. Every problem found is reported at once
 * as a {@link UserError}; nothing is touched on any target.
 */
public final class PlaybookLoader {

    /** Fields the engine owns on every resource; not part of a kind's configuration. */
    static final Set<String> ENGINE_FIELDS = Set.of("type", "requires", "notify", "description");

    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private final Kinds kinds;
    private final SchemaValidator schemas = new SchemaValidator();

    public PlaybookLoader(Kinds kinds) {
        this.kinds = kinds;
    }

    public Playbook load(Path file, Map<String, String> overrides) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UserError("cannot read playbook " + file + ": no such file");
        } catch (IOException e) {
            throw new UserError("cannot read playbook " + file + ": " + e.getMessage());
        }
        return load(file, text, overrides);
    }

    public Playbook load(Path file, String text, Map<String, String> overrides) {
        String name = file.toString();
        Diagnostics diags = new Diagnostics();
        YNode root = YamlReader.read(name, text, diags);
        diags.throwIfErrors();
        if (!(root instanceof YNode.Map top)) {
            throw new UserError(root == null ? new SourcePos(name, 1, 1) : root.pos(),
                    "a playbook is a mapping with 'resources' (and optionally 'name' and 'vars'); the file is "
                            + (root == null ? "empty" : (root.kindName().matches("[aeiou].*") ? "an " : "a ")
                            + root.kindName()));
        }

        Map<String, YNode> definitions = variables(top, overrides, diags);
        Interpolator vars = new Interpolator(definitions, diags);
        LinkedHashMap<String, YNode.Entry> resolvedTop = new LinkedHashMap<>();
        for (YNode.Entry e : top.entries().values()) {
            YNode value = e.key().equals("vars") ? e.value()
                    : e.key().equals("resources") ? vars.applyResources(e.value()) : vars.apply(e.value());
            resolvedTop.put(e.key(), new YNode.Entry(e.key(), e.keyPos(), value));
        }
        YNode.Map resolved = new YNode.Map(resolvedTop, top.pos());
        diags.throwIfErrors();

        checkTypes(resolved, diags);
        schemas.validate(resolved, "playbook.schema.json", diags);
        diags.throwIfErrors();

        Path baseDir = file.toAbsolutePath().getParent();
        List<ResourceDecl> decls = new ArrayList<>();
        YNode resources = resolved.get("resources");
        if (resources instanceof YNode.Map map) {
            for (YNode.Entry e : map.entries().values()) {
                ResourceDecl d = declare(e, baseDir, diags);
                if (d != null) {
                    decls.add(d);
                }
            }
        }
        checkReferences(decls, resources instanceof YNode.Map map ? map.entries().keySet() : Set.of(), diags);
        diags.throwIfErrors();

        Map<String, String> scalarVars = new TreeMap<>();
        for (String v : definitions.keySet()) {
            if (vars.value(v, SourcePos.NONE) instanceof YNode.Scalar s) {
                scalarVars.put(v, s.text());
            }
        }
        String title = resolved.get("name") instanceof YNode.Scalar s ? s.text()
                : file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        return new Playbook(file, title, baseDir, scalarVars, decls, Digests.sha256(text));
    }

    /** The playbook's variables with command-line overrides applied; unknown overrides are errors. */
    private static Map<String, YNode> variables(YNode.Map top, Map<String, String> overrides, Diagnostics diags) {
        Map<String, YNode> defs = new LinkedHashMap<>();
        YNode v = top.get("vars");
        if (v instanceof YNode.Map vm) {
            vm.entries().values().forEach(e -> defs.put(e.key(), e.value()));
        } else if (v != null && !(v instanceof YNode.Scalar s && s.kind() == YNode.Scalar.Kind.NULL)) {
            diags.error(v.pos(), "field 'vars': expected a mapping of names to values, got " + v.kindName());
        }
        for (Map.Entry<String, String> o : overrides.entrySet()) {
            if (!defs.containsKey(o.getKey())) {
                diags.error(SourcePos.NONE, "--var " + o.getKey() + ": the playbook has no variable '" + o.getKey() + "'"
                        + Suggest.hint(o.getKey(), defs.keySet()));
                continue;
            }
            String value = o.getValue();
            defs.put(o.getKey(), new YNode.Scalar(value, YamlReader.resolveKind(value, true), true,
                    new SourcePos("--var " + o.getKey(), 0, 0)));
        }
        return defs;
    }

    /** Unknown kinds get their own message (with suggestions) instead of a schema enum error. */
    private void checkTypes(YNode.Map root, Diagnostics diags) {
        if (!(root.get("resources") instanceof YNode.Map resources)) {
            return;
        }
        for (YNode.Entry e : resources.entries().values()) {
            if (e.value() instanceof YNode.Map body && body.get("type") instanceof YNode.Scalar t
                    && kinds.find(t.text()).isEmpty()) {
                diags.error(t.pos(), "resource '" + e.key() + "': unknown type '" + t.text() + "'"
                        + Suggest.hint(t.text(), kinds.names()) + "; known types: " + String.join(", ", kinds.names()));
            }
        }
    }

    private ResourceDecl declare(YNode.Entry entry, Path baseDir, Diagnostics diags) {
        String id = entry.key();
        YNode.Map body = (YNode.Map) entry.value();
        String typeName = ((YNode.Scalar) body.get("type")).text();
        ResourceType<?, ?> type = kinds.find(typeName).orElseThrow();
        SpecReader reader = new SpecReader(id, body, diags, baseDir);
        Object spec = type.parse(reader);
        if (reader.failed() || spec == null) {
            return null;
        }
        String description = body.get("description") instanceof YNode.Scalar s ? s.text() : "";
        return new ResourceDecl(Address.of(typeName, id), id, type, spec, entry.keyPos(),
                refs(body.get("requires")), refs(body.get("notify")), description, configDigest(body));
    }

    private static List<Ref> refs(YNode node) {
        List<Ref> out = new ArrayList<>();
        if (node instanceof YNode.Seq seq) {
            for (YNode item : seq.items()) {
                if (item instanceof YNode.Scalar s) {
                    out.add(new Ref(s.text(), s.pos()));
                }
            }
        }
        return out;
    }

    /**
     * {@code declared}: every resource id of the playbook, including those whose spec failed to
     * parse (already reported), so that a reference to them is not reported as missing.
     */
    private static void checkReferences(List<ResourceDecl> decls, Set<String> declared, Diagnostics diags) {
        Map<String, ResourceDecl> byId = new HashMap<>();
        decls.forEach(d -> byId.put(d.id(), d));
        for (ResourceDecl d : decls) {
            for (Ref r : d.requires()) {
                check(d, r, "requires", byId, declared, diags);
            }
            for (Ref r : d.notifies()) {
                ResourceDecl target = check(d, r, "notify", byId, declared, diags);
                if (target != null && !target.type().refreshable()) {
                    diags.error(r.pos(), "resource '" + d.id() + "' notifies '" + r.id() + "', but a "
                            + target.type().kind() + " has nothing to refresh; use 'requires' for ordering");
                }
            }
        }
    }

    private static ResourceDecl check(ResourceDecl d, Ref r, String field, Map<String, ResourceDecl> byId,
                                      Set<String> declared, Diagnostics diags) {
        if (r.id().equals(d.id())) {
            diags.error(r.pos(), "resource '" + d.id() + "' " + (field.equals("notify") ? "notifies" : field) + " itself");
            return null;
        }
        ResourceDecl target = byId.get(r.id());
        if (target == null && !declared.contains(r.id())) {
            List<String> others = declared.stream().filter(id -> !id.equals(d.id())).toList();
            diags.error(r.pos(), "resource '" + d.id() + "', field '" + field + "': no resource '" + r.id() + "'"
                    + Suggest.hint(r.id(), others));
        }
        return target;
    }

    /** sha256 of the resource's resolved fields, without the engine's, in canonical JSON. */
    private static String configDigest(YNode.Map body) {
        LinkedHashMap<String, YNode.Entry> own = new LinkedHashMap<>(body.entries());
        own.keySet().removeIf(k -> ENGINE_FIELDS.contains(k) && !k.equals("type"));
        JsonNode json = SchemaValidator.toJson(new YNode.Map(own, body.pos()));
        try {
            return Digests.sha256(CANONICAL.writeValueAsString(CANONICAL.treeToValue(json, Object.class)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
