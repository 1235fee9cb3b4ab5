package dev.mosaic.playbook;

import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.SourcePos;
import dev.mosaic.diag.Suggest;
import dev.mosaic.diag.UserError;
import dev.mosaic.resource.Digests;
import dev.mosaic.resource.Kinds;
import dev.mosaic.yaml.YNode;
import dev.mosaic.yaml.YamlReader;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns a playbook file into a {@link Playbook}: YAML with positions, variables, the modules it
 * calls (each a {@link Scope} of its own, see {@link ModuleReader}), JSON Schema, each kind's own
 * checks, and references between resources. Every problem found is reported at once as a
 * {@link UserError}; nothing is touched on any target.
 */
public final class PlaybookLoader {

    /** Fields the engine owns on every resource; not part of a kind's configuration. */
    static final Set<String> ENGINE_FIELDS = Set.of("type", "requires", "notify", "description", "on_remove");

    private final Kinds kinds;
    private final List<Path> moduleDirs;
    private final SchemaValidator schemas;
    private KernelLookup kernelLookup = KernelLookup.NONE;

    public PlaybookLoader(Kinds kinds) {
        this(kinds, List.of());
    }

    /** @param moduleDirs where modules are looked for after the playbook's own {@code modules/} directories */
    public PlaybookLoader(Kinds kinds, List<Path> moduleDirs) {
        this(kinds, moduleDirs, null);
    }

    /**
     * @param schemaCache trees known to pass their JSON Schema, which need no validation (null:
     *                    validate everything, as {@code mosaic validate} does)
     */
    public PlaybookLoader(Kinds kinds, List<Path> moduleDirs, SchemaCache schemaCache) {
        this.kinds = kinds;
        this.moduleDirs = List.copyOf(moduleDirs);
        this.schemas = new SchemaValidator(schemaCache);
    }

    /** Where {@code ${kernel:…}} is looked up (the session's apt); without it, the lookup is refused. */
    public PlaybookLoader kernels(KernelLookup lookup) {
        this.kernelLookup = lookup;
        return this;
    }

    public Playbook load(Path file, Map<String, String> overrides) {
        return load(file, overrides, Map.of());
    }

    /**
     * @param inventoryVars variables of an inventory host (group vars, then its own, merged):
     *                      they override the playbook's and may add new ones; {@code --var}
     *                      overrides them in turn
     */
    public Playbook load(Path file, Map<String, String> overrides, Map<String, YNode> inventoryVars) {
        return load(file, read(file), overrides, inventoryVars);
    }

    private static String read(Path file) {
        try {
            Diagnostics diags = new Diagnostics();
            String text = YamlReader.readFile(file, diags);
            diags.throwIfErrors();
            return text;
        } catch (NoSuchFileException e) {
            throw new UserError("cannot read playbook " + file + ": no such file");
        } catch (IOException e) {
            throw new UserError("cannot read playbook " + file + ": " + dev.mosaic.diag.IoProblems.reason(e));
        }
    }

    public Playbook load(Path file, String text, Map<String, String> overrides) {
        return load(file, text, overrides, Map.of());
    }

    public Playbook load(Path file, String text, Map<String, String> overrides, Map<String, YNode> inventoryVars) {
        return load(parse(file, text), overrides, inventoryVars);
    }

    /**
     * A playbook file read and parsed, once for all the hosts of an inventory: its YAML tree is
     * immutable, and what the parser found (warnings, or errors when {@code root} is null or
     * damaged) is reported again by each {@link #load(Parsed, Map, Map)}.
     */
    public record Parsed(Path file, YNode root, List<Diagnostic> problems, String digest) {
        public Parsed {
            problems = List.copyOf(problems);
        }
    }

    /** Reads and parses {@code file}; a file that cannot be read is a {@link UserError}. */
    public static Parsed parse(Path file) {
        return parse(file, read(file));
    }

    static Parsed parse(Path file, String text) {
        Diagnostics diags = new Diagnostics();
        YNode root = YamlReader.read(file.toString(), text, diags);
        return new Parsed(file, root, diags.sorted(), Digests.sha256(text));
    }

    /** The parsed playbook with these variables: what depends on them is done again at each call. */
    public Playbook load(Parsed source, Map<String, String> overrides, Map<String, YNode> inventoryVars) {
        Path file = source.file();
        String name = file.toString();
        Diagnostics diags = new Diagnostics();
        diags.addAll(source.problems());
        YNode root = source.root();
        if (root == null) {
            diags.throwIfErrors(); // a syntax error: no tree to say more about
        }
        if (!(root instanceof YNode.Map top)) {
            throw new UserError(root == null ? new SourcePos(name, 1, 1) : root.pos(),
                    "a playbook is a mapping with 'resources' and/or 'modules' (and optionally 'name' and 'vars'); the file is "
                            + (root == null ? "empty" : (root.kindName().matches("[aeiou].*") ? "an " : "a ")
                            + root.kindName()));
        }
        // The module calls' shape first: a source is a name, never interpolated; 'with:' a mapping.
        if (top.has("modules")) {
            LinkedHashMap<String, YNode.Entry> only = new LinkedHashMap<>();
            only.put("modules", top.entries().get("modules"));
            schemas.validate(new YNode.Map(only, top.pos()), "module.schema.json", diags);
            diags.throwIfErrors();
        }

        Path baseDir = file.toAbsolutePath().getParent();
        Map<String, YNode> definitions = variables(top, overrides, inventoryVars, diags);
        Scope.Loading loading = new Scope.Loading(kinds, schemas, new ModuleReader(schemas, moduleDirs, file), kernelLookup);
        Scope scope = new Scope(loading, List.of(), file, baseDir, diags,
                top.get("modules") instanceof YNode.Map calls ? calls : null);
        Interpolator vars = new Interpolator(definitions, Map.of(), diags, scope::output, "")
                .secrets(loading.tainted, sensitiveNames(top, definitions, diags), baseDir).kernels(loading.kernels);
        scope.interpolator(vars);
        LinkedHashMap<String, YNode.Entry> resolvedTop = new LinkedHashMap<>();
        for (YNode.Entry e : top.entries().values()) {
            // vars are interpolated where they are used; modules' 'with:' values when they are called
            YNode value = e.key().equals("vars") || e.key().equals("modules") || e.key().equals("sensitive") ? e.value()
                    : e.key().equals("resources") ? vars.applyResources(e.value()) : vars.apply(e.value());
            resolvedTop.put(e.key(), new YNode.Entry(e.key(), e.keyPos(), value));
        }
        scope.instantiateAll();
        loading.flushInto(diags);
        YNode.Map resolved = new YNode.Map(resolvedTop, top.pos());

        if (!top.has("resources") && !top.has("modules")) {
            // Either may stand alone (a playbook of module calls needs no 'resources: {}').
            diags.error(top.pos(), "a playbook declares 'resources', 'modules' or both; this one has neither");
        }
        // All of a playbook's errors in one pass: a reference that failed is already an error, and
        // the value it left unresolved is no further news (a path "${typo}/x" is not absolute).
        Set<SourcePos> unresolved = diags.hasErrors() ? unresolved(resolved, new java.util.HashSet<>()) : Set.of();
        Diagnostics checks = new Diagnostics();
        loading.checkTypes(resolved, checks);
        schemas.validate(resolved, "playbook.schema.json", checks);
        diags.addAll(checks.sorted().stream().filter(d -> !unresolved.contains(d.pos())).toList());
        diags.throwIfErrors();

        List<ResourceDecl> decls = new ArrayList<>(scope.moduleResources());
        if (resolved.get("resources") instanceof YNode.Map resources) {
            decls.addAll(scope.declare(resources));
        }
        diags.throwIfErrors();

        Map<String, String> scalarVars = new TreeMap<>();
        Set<String> sensitiveVars = new TreeSet<>();
        for (String v : definitions.keySet()) {
            if (vars.value(v, SourcePos.NONE) instanceof YNode.Scalar s) {
                boolean sensitive = vars.isTainted(s);
                scalarVars.put(v, sensitive ? dev.mosaic.diag.Sensitive.SHOWN : s.text());
                if (sensitive) {
                    sensitiveVars.add(v);
                }
            }
        }
        String title = resolved.get("name") instanceof YNode.Scalar s ? s.text()
                : file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        return new Playbook(file, title, baseDir, scalarVars, decls, source.digest(), loading.sensitive, sensitiveVars,
                loading.kernels.found());
    }

    /**
     * The variables named under {@code sensitive:}; each must be a variable of the playbook (or
     * of the host, with an inventory). Their values never show in plans, logs or messages.
     */
    private static Set<String> sensitiveNames(YNode.Map top, Map<String, YNode> definitions, Diagnostics diags) {
        Set<String> names = new java.util.LinkedHashSet<>();
        if (top.get("sensitive") instanceof YNode.Seq seq) {
            for (YNode item : seq.items()) {
                if (item instanceof YNode.Scalar s && definitions.containsKey(s.text())) {
                    names.add(s.text());
                } else if (item instanceof YNode.Scalar s) {
                    diags.error(s.pos(), "field 'sensitive': no variable '" + s.text() + "'"
                            + Suggest.hint(s.text(), definitions.keySet()));
                }
            }
        }
        return names;
    }

    /**
     * The playbook's variables, then the inventory's, then command-line overrides; an override of
     * a variable neither defines is an error.
     */
    private static Map<String, YNode> variables(YNode.Map top, Map<String, String> overrides,
                                                Map<String, YNode> inventoryVars, Diagnostics diags) {
        Map<String, YNode> defs = new LinkedHashMap<>();
        YNode v = top.get("vars");
        if (v instanceof YNode.Map vm) {
            vm.entries().values().forEach(e -> defs.put(e.key(), e.value()));
        } else if (v != null && !(v instanceof YNode.Scalar s && s.kind() == YNode.Scalar.Kind.NULL)) {
            diags.error(v.pos(), "field 'vars': expected a mapping of names to values, got " + v.kindName());
        }
        defs.putAll(inventoryVars);
        for (Map.Entry<String, String> o : overrides.entrySet()) {
            if (!defs.containsKey(o.getKey())) {
                diags.error(SourcePos.NONE, "--var " + o.getKey() + ": the playbook has no variable '" + o.getKey() + "'"
                        + (inventoryVars.isEmpty() ? "" : ", nor has the host in the inventory")
                        + Suggest.hint(o.getKey(), defs.keySet()));
                continue;
            }
            String value = o.getValue();
            defs.put(o.getKey(), new YNode.Scalar(value, YamlReader.resolveKind(value, true), true,
                    new SourcePos("--var " + o.getKey(), 0, 0)));
        }
        return defs;
    }

    /** sha256 of the resource's resolved fields, without the engine's, in canonical JSON. */
    static String configDigest(YNode.Map body) {
        LinkedHashMap<String, YNode.Entry> own = new LinkedHashMap<>(body.entries());
        own.keySet().removeIf(k -> ENGINE_FIELDS.contains(k) && !k.equals("type"));
        return Digests.sha256(CanonicalJson.of(new YNode.Map(own, body.pos())));
    }

    /** Where the tree still holds a reference: a value whose interpolation failed. */
    private static Set<SourcePos> unresolved(YNode node, Set<SourcePos> out) {
        if (node instanceof YNode.Scalar sc && sc.text().contains("${")) {
            out.add(sc.pos());
        } else if (node instanceof YNode.Seq seq) {
            seq.items().forEach(n -> unresolved(n, out));
        } else if (node instanceof YNode.Map map) {
            map.entries().values().forEach(e -> unresolved(e.value(), out));
        }
        return out;
    }
}
