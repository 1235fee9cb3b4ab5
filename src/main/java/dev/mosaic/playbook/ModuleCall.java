package dev.mosaic.playbook;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.SourcePos;
import dev.mosaic.diag.Suggest;
import dev.mosaic.yaml.YNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One call of a module, made from its caller's scope: the module found and read, the call
 * refused when it would call a module being called already, its {@code with:} checked against
 * the module's params, then the module's own {@link Scope} built with those values, its modules
 * called in turn, its outputs and resources resolved. Problems of the call are the caller's
 * (reported at the call); problems inside the module are reported with the call's label.
 */
final class ModuleCall {

    private final Scope caller;
    private final Scope.Loading loading;
    private final YNode.Entry callEntry;
    /** The caller's diagnostics: a call's problems are reported where it is written. */
    private final Diagnostics diags;

    ModuleCall(Scope caller, Scope.Loading loading, YNode.Entry callEntry) {
        this.caller = caller;
        this.loading = loading;
        this.callEntry = callEntry;
        this.diags = caller.diags;
    }

    /** The call's instance; null when the call has problems (reported). */
    Scope.Instance instantiate() {
        String alias = callEntry.key();
        YNode.Map call = (YNode.Map) callEntry.value(); // its shape passed the schema
        YNode.Scalar source = (YNode.Scalar) call.get("source");
        Path dir = loading.reader.find(alias, source, caller.file, caller.prefix.isEmpty() ? null : caller.baseDir, diags);
        if (dir == null) {
            return null;
        }
        ModuleDef def = loading.reader.read(dir, loading.fileDiags);
        if (def == null) {
            return null;
        }
        if (cycle(def)) {
            return null;
        }
        Map<String, YNode> given = params(alias, def);
        if (given == null) {
            return null;
        }
        List<String> childPrefix = new ArrayList<>(caller.prefix);
        childPrefix.add(alias);
        Scope child = new Scope(loading, childPrefix, def.file(), def.dir(), new Diagnostics(), def.modules());
        Map<String, YNode> defaults = new LinkedHashMap<>();
        def.params().values().stream().filter(p -> !given.containsKey(p.name()))
                .forEach(p -> defaults.put(p.name(), p.defaultValue()));
        String note = "; a module sees its own params only"
                + (def.params().isEmpty() ? " (it declares none)" : " (" + String.join(", ", def.params().keySet()) + ")");
        child.interpolator(new Interpolator(defaults, given, child.diags, child::output, note).secrets(loading.tainted,
                def.params().values().stream().filter(ModuleParam::sensitive).map(ModuleParam::name)
                        .collect(java.util.stream.Collectors.toSet()), def.dir()).kernels(loading.kernels));

        // Defaults that use other params are checked with this call's values.
        for (ModuleParam p : def.params().values()) {
            if (!given.containsKey(p.name()) && ModuleReader.hasReference(p.defaultValue())) {
                YNode v = child.interp().value(p.name(), p.defaultValue().pos());
                String problem = v == null ? null : p.problem(v);
                if (problem != null) {
                    child.diags.error(p.defaultValue().pos(), "param '" + p.name() + "' (default) " + problem);
                }
            }
        }
        loading.calling.add(def);
        try {
            child.instantiateAll();
        } finally {
            loading.calling.remove(loading.calling.size() - 1);
        }
        Map<String, YNode> outputs = new LinkedHashMap<>();
        if (def.outputs() != null) {
            def.outputs().entries().values().forEach(e -> outputs.put(e.key(), child.interp().apply(e.value())));
        }
        List<ResourceDecl> own = List.of();
        if (def.resources() != null) {
            int before = child.diags.sorted().size();
            YNode.Map resolved = (YNode.Map) child.interp().applyResources(def.resources());
            if (child.diags.sorted().size() == before) {
                // The same checks as a playbook's resources get, on this call's values.
                LinkedHashMap<String, YNode.Entry> top = new LinkedHashMap<>();
                top.put("resources", new YNode.Entry("resources", resolved.pos(), resolved));
                YNode.Map wrapper = new YNode.Map(top, resolved.pos());
                Diagnostics shape = new Diagnostics();
                loading.checkTypes(wrapper, shape);
                loading.schemas.validate(wrapper, "playbook.schema.json", shape);
                child.diags.addAll(shape.sorted());
                if (!shape.hasErrors()) {
                    own = child.declare(resolved);
                }
            }
        }
        List<ResourceDecl> all = child.moduleResources();
        all.addAll(own);
        loading.report(child.label(), child.diags);
        return new Scope.Instance(alias, def, child, outputs, all);
    }

    /**
     * Whether calling {@code def} here would call a module that is being instantiated already (a
     * module calling itself, or a calling b calling a): reported at the call, with the chain, as
     * an error. Each module is known by its directory, so two aliases of one module are one.
     */
    private boolean cycle(ModuleDef def) {
        int from = -1;
        for (int i = 0; i < loading.calling.size() && from < 0; i++) {
            if (sameDir(loading.calling.get(i).dir(), def.dir())) {
                from = i;
            }
        }
        if (from < 0) {
            return false;
        }
        List<String> chain = new ArrayList<>();
        loading.calling.subList(from, loading.calling.size()).forEach(m -> chain.add(m.name()));
        chain.add(def.name());
        diags.error(callEntry.keyPos(), "module '" + callEntry.key() + "' calls a module that is already being called,"
                + " which would never end: module " + String.join(" \u2192 ", chain)
                + " (a module may not call itself, directly or through others)");
        return true;
    }

    private static boolean sameDir(Path a, Path b) {
        try {
            return a.toRealPath().equals(b.toRealPath());
        } catch (java.io.IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    /**
     * The values of a call's {@code with:}, interpolated here (in the caller's scope) and checked
     * against the module's declarations; null when any is wrong. Every message points at the call
     * and names where the param is declared.
     */
    private Map<String, YNode> params(String alias, ModuleDef def) {
        YNode.Map call = (YNode.Map) callEntry.value();
        YNode.Entry withEntry = call.entries().get("with");
        YNode.Map with = withEntry != null && withEntry.value() instanceof YNode.Map m ? m : null;
        Map<String, YNode> given = new LinkedHashMap<>();
        boolean ok = true;
        String who = "module '" + alias + "': ";
        if (with != null) {
            for (YNode.Entry e : with.entries().values()) {
                ModuleParam p = def.params().get(e.key());
                if (p == null) {
                    diags.error(e.keyPos(), who + "unknown param '" + e.key() + "'"
                            + Suggest.hint(e.key(), def.params().keySet())
                            + (def.params().isEmpty() ? "; module '" + def.name() + "' declares no params (" + def.file() + ")"
                            : "; params of " + def.name() + ": " + String.join(", ", def.params().keySet())
                            + " (declared at " + def.declaration() + ")"));
                    ok = false;
                    continue;
                }
                int before = diags.sorted().size();
                YNode v = caller.interp().apply(e.value());
                if (diags.sorted().size() != before) {
                    ok = false; // an undefined variable or the like, reported at the value
                    continue;
                }
                String problem = p.problem(v);
                if (problem != null) {
                    diags.error(e.keyPos(), who + "param '" + e.key() + "' " + problem + " (declared at " + p.pos() + ")");
                    ok = false;
                    continue;
                }
                YNode declared = asDeclared(p, v);
                if (p.sensitive() || caller.interp().isTainted(v)) {
                    Interpolator.markSensitive(declared, loading.tainted);
                }
                given.put(e.key(), declared);
            }
        }
        for (ModuleParam p : def.params().values()) {
            if (p.required() && (with == null || !with.has(p.name()))) {
                SourcePos at = withEntry != null ? withEntry.keyPos() : callEntry.keyPos();
                diags.error(at, who + "missing required param '" + p.name() + "'"
                        + (p.description().isEmpty() ? "" : " (" + p.description() + ")")
                        + " (declared at " + p.pos() + ")");
                ok = false;
            }
        }
        return ok ? given : null;
    }

    /** A string param stays a string when substituted whole into an unquoted value. */
    private static YNode asDeclared(ModuleParam p, YNode v) {
        if (p.type() == ModuleParam.Type.STRING && v instanceof YNode.Scalar s) {
            return new YNode.Scalar(s.text(), YNode.Scalar.Kind.STRING, s.plain(), s.pos());
        }
        return v;
    }
}
