package dev.mosaic.playbook;

import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.SourcePos;
import dev.mosaic.diag.Suggest;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Bound;
import dev.mosaic.resource.Capability;
import dev.mosaic.resource.Kinds;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.resource.SpecReader;
import dev.mosaic.yaml.YNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One namespace of resources: the playbook, or one call of a module ({@code module.kernel}, or
 * {@code module.a.module.b} for a module a module calls). A scope interpolates its own values
 * (the playbook with its variables, a module with its params only), calls its modules (each
 * alias once, when first needed: by a {@code ${module.ALIAS.OUTPUT}} or at the end), and turns
 * its resources into {@link ResourceDecl}s whose references hold playbook-wide ids. Making one
 * call (finding the module, checking its params, building its scope) is {@link ModuleCall}'s.
 */
final class Scope {

    /** What all scopes of one load share: kinds, schemas, module files, and module diagnostics. */
    static final class Loading {
        final Kinds kinds;
        final SchemaValidator schemas;
        final ModuleReader reader;
        /** Problems of module files themselves (YAML, schema, params): reported once per file. */
        final Diagnostics fileDiags = new Diagnostics();
        /** Values built from a sensitive one, by identity, across every scope (see {@link Interpolator#secrets}). */
        final Set<YNode> tainted = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        /** The resources any of whose fields holds such a value. */
        final Set<Address> sensitive = new LinkedHashSet<>();
        /** Problems found while instantiating a module, with the instances they were found in. */
        private final Map<Diagnostic, LinkedHashSet<String>> perInstance = new LinkedHashMap<>();
        /**
         * The modules being instantiated now, outermost first (their directories, by real path):
         * a call of one of them again would never end, so it is refused at the call.
         */
        final List<ModuleDef> calling = new ArrayList<>();
        /** The {@code ${kernel:…}} lookups of every scope. */
        final Lookups.Kernels kernels;

        Loading(Kinds kinds, SchemaValidator schemas, ModuleReader reader, KernelLookup kernelLookup) {
            this.kinds = kinds;
            this.schemas = schemas;
            this.reader = reader;
            this.kernels = new Lookups.Kernels(kernelLookup);
        }

        void report(String label, Diagnostics diags) {
            for (Diagnostic d : diags.sorted()) {
                perInstance.computeIfAbsent(d, k -> new LinkedHashSet<>()).add(label);
            }
        }

        /**
         * Hands everything found in module files to the playbook's diagnostics; a problem inside a
         * module says which calls it was found in: {@code (in module.a, module.b)}.
         */
        void flushInto(Diagnostics diags) {
            diags.addAll(fileDiags.sorted());
            List<Diagnostic> out = new ArrayList<>();
            perInstance.forEach((d, labels) -> out.add(new Diagnostic(d.severity(), d.pos(),
                    d.message() + " (in " + String.join(", ", labels) + ")")));
            diags.addAll(out);
            perInstance.clear();
        }

        /** Unknown kinds get their own message (with suggestions) instead of a schema enum error. */
        void checkTypes(YNode.Map root, Diagnostics diags) {
            if (!(root.get("resources") instanceof YNode.Map resources)) {
                return;
            }
            for (YNode.Entry e : resources.entries().values()) {
                if (e.value() instanceof YNode.Map body && body.get("type") != null
                        && !(body.get("type") instanceof YNode.Scalar)) {
                    diags.error(body.get("type").pos(), "resource '" + e.key() + "': field 'type' names a kind, got "
                            + body.get("type").kindName() + "; known types: " + String.join(", ", kinds.names()));
                } else if (e.value() instanceof YNode.Map body && body.get("type") instanceof YNode.Scalar t
                        && kinds.find(t.text()).isEmpty()) {
                    diags.error(t.pos(), "resource '" + e.key() + "': unknown type '" + t.text() + "'"
                            + Suggest.hint(t.text(), kinds.names()) + "; known types: " + String.join(", ", kinds.names()));
                }
            }
        }
    }

    /** A module called under an alias, with its param values applied. */
    record Instance(String alias, ModuleDef def, Scope scope, Map<String, YNode> outputs, List<ResourceDecl> decls) {
    }

    private final Loading loading;
    /** The aliases from the playbook down to this scope; empty for the playbook. */
    final List<String> prefix;
    /** The file this scope is written in, as messages show it. */
    final Path file;
    /** Where relative control-side paths of this scope's resources are read (absolute). */
    final Path baseDir;
    /** Problems in this scope's file; for a module, reported with the instance's label. */
    final Diagnostics diags;
    private final YNode.Map calls;
    private Interpolator interp;
    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private final LinkedHashSet<String> inProgress = new LinkedHashSet<>();

    Scope(Loading loading, List<String> prefix, Path file, Path baseDir, Diagnostics diags, YNode.Map calls) {
        this.loading = loading;
        this.prefix = List.copyOf(prefix);
        this.file = file;
        this.baseDir = baseDir;
        this.diags = diags;
        this.calls = calls;
    }

    void interpolator(Interpolator interp) {
        this.interp = interp;
    }

    Interpolator interp() {
        return interp;
    }

    /** {@code module.a.module.b}, as addresses print it; empty for the playbook. */
    String label() {
        StringBuilder b = new StringBuilder();
        for (String m : prefix) {
            b.append(b.length() == 0 ? "" : ".").append("module.").append(m);
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ module calls

    /** Calls every module of this scope that was not called yet, in the order written. */
    void instantiateAll() {
        if (calls != null) {
            calls.entries().keySet().forEach(alias -> instance(alias, calls.entries().get(alias).keyPos()));
        }
    }

    /** {@code ${module.ALIAS.OUTPUT}} as seen from this scope. */
    YNode output(String alias, String output, SourcePos pos) {
        if (calls == null || !calls.has(alias)) {
            diags.error(pos, "'${module." + alias + "." + output + "}': no module '" + alias + "' is called here"
                    + (calls == null ? " (declare it under 'modules:')" : Suggest.hint(alias, calls.entries().keySet())));
            return null;
        }
        Instance inst = instance(alias, pos);
        if (inst == null) {
            return null; // its problem is reported where it is
        }
        YNode v = inst.outputs().get(output);
        if (v == null) {
            Set<String> names = inst.def().outputs() == null ? Set.of() : inst.def().outputs().entries().keySet();
            diags.error(pos, "module '" + alias + "' (" + inst.def().name() + ") has no output '" + output + "'"
                    + Suggest.hint(output, names)
                    + (names.isEmpty() ? "; it declares no outputs" : "; its outputs: " + String.join(", ", names)));
        }
        return v;
    }

    /** The instance of a call, made on first use; null when the call has problems (reported). */
    private Instance instance(String alias, SourcePos usedAt) {
        if (instances.containsKey(alias)) {
            return instances.get(alias);
        }
        if (inProgress.contains(alias)) {
            List<String> chain = new ArrayList<>(inProgress);
            chain = chain.subList(chain.indexOf(alias), chain.size());
            diags.error(usedAt, "module '" + alias + "': its outputs are used to set up its own params ("
                    + String.join(" -> ", chain) + " -> " + alias + ")");
            return null;
        }
        inProgress.add(alias);
        Instance inst = new ModuleCall(this, loading, calls.entries().get(alias)).instantiate();
        inProgress.remove(alias);
        instances.put(alias, inst);
        return inst;
    }

    // ------------------------------------------------------------------ resources

    /** Every resource of this scope's modules (depth first, in call order) for the flat list. */
    List<ResourceDecl> moduleResources() {
        List<ResourceDecl> out = new ArrayList<>();
        instances.values().stream().filter(i -> i != null).forEach(i -> out.addAll(i.decls()));
        return out;
    }

    /**
     * The scope's resources, parsed by their kinds, with references checked here (ids are local
     * to the scope; {@code module.ALIAS} stands for every resource of a module this scope calls)
     * and rewritten to playbook-wide ids. The resources passed the schema already.
     */
    List<ResourceDecl> declare(YNode.Map resources) {
        List<ResourceDecl> drafts = new ArrayList<>();
        for (YNode.Entry e : resources.entries().values()) {
            ResourceDecl d = declareOne(e);
            if (d != null) {
                drafts.add(d);
            }
        }
        Set<String> declared = resources.entries().keySet();
        Map<String, ResourceDecl> byId = new HashMap<>();
        drafts.forEach(d -> byId.put(d.address().id(), d));
        List<ResourceDecl> out = new ArrayList<>();
        for (ResourceDecl d : drafts) {
            List<Ref> requires = new ArrayList<>();
            for (Ref r : d.requires()) {
                requires.addAll(resolve(d, r, "requires", byId, declared));
            }
            List<Ref> notifies = new ArrayList<>();
            for (Ref r : d.notifies()) {
                List<Ref> targets = resolve(d, r, "notify", byId, declared);
                ResourceDecl target = byId.get(r.id());
                if (target != null && !targets.isEmpty() && !target.type().has(Capability.REFRESHABLE)) {
                    diags.error(r.pos(), "resource '" + local(d) + "' notifies '" + r.id() + "', but a "
                            + target.type().kind() + " has nothing to refresh; use 'requires' for ordering");
                }
                notifies.addAll(targets);
            }
            out.add(new ResourceDecl(d.address(), d.id(), d.bound(), d.pos(), requires, notifies,
                    d.description(), d.configDigest(), d.baseDir(), d.keepOnRemove()));
        }
        return out;
    }

    private ResourceDecl declareOne(YNode.Entry entry) {
        String id = entry.key();
        YNode.Map body = (YNode.Map) entry.value();
        String typeName = ((YNode.Scalar) body.get("type")).text();
        ResourceType<?, ?> type = loading.kinds.find(typeName).orElseThrow();
        SpecReader reader = new SpecReader(id, body, diags, baseDir, interp.variables(body.pos()));
        Bound<?, ?> bound = Bound.parse(type, reader);
        // An engine field, but its words and default are those of the kind's schema (common's onRemove).
        boolean keepOnRemove = reader.word("on_remove").equals("keep");
        if (reader.failed() || bound == null) {
            return null;
        }
        String description = body.get("description") instanceof YNode.Scalar s ? s.text() : "";
        Address address = new Address(prefix, typeName, id);
        if (holdsTainted(body) || reader.sensitive()) {
            loading.sensitive.add(address);
        }
        return new ResourceDecl(address, prefix.isEmpty() ? id : address.toString(), bound, entry.keyPos(),
                refs(body.get("requires")), refs(body.get("notify")), description,
                PlaybookLoader.configDigest(body), prefix.isEmpty() ? null : baseDir,
                keepOnRemove);
    }

    /** Whether a resource's resolved body holds a value built from a sensitive one, anywhere. */
    private boolean holdsTainted(YNode node) {
        return Interpolator.holdsTainted(node, loading.tainted);
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

    private static String local(ResourceDecl d) {
        return d.address().id();
    }

    /**
     * The playbook-wide ids a reference stands for: one resource of this scope, or every resource
     * of a module this scope calls ({@code module.kernel}, {@code module.a.module.b}). Empty after
     * reporting a reference to nothing. {@code declared}: every id of the scope, including those
     * whose spec failed to parse (already reported), so that they are not reported as missing.
     */
    private List<Ref> resolve(ResourceDecl d, Ref r, String field, Map<String, ResourceDecl> byId, Set<String> declared) {
        String self = local(d);
        if (r.id().equals(self)) {
            diags.error(r.pos(), "resource '" + self + "' " + (field.equals("notify") ? "notifies" : field) + " itself");
            return List.of();
        }
        ResourceDecl target = byId.get(r.id());
        if (target != null) {
            return List.of(new Ref(target.id(), r.pos()));
        }
        if (declared.contains(r.id())) {
            return List.of(); // failed to parse: reported already
        }
        if (r.id().startsWith("module.") && calls != null) {
            Instance inst = module(r.id());
            if (inst != null || moduleFailed(r.id())) {
                if (field.equals("notify")) {
                    diags.error(r.pos(), "resource '" + self + "', field 'notify': '" + r.id()
                            + "' is a module; a module can be required, not notified");
                    return List.of();
                }
                return inst == null ? List.of() : inst.decls().stream().map(x -> new Ref(x.id(), r.pos())).toList();
            }
        }
        List<String> others = new ArrayList<>(declared.stream().filter(id -> !id.equals(self)).toList());
        if (calls != null) {
            calls.entries().keySet().forEach(a -> others.add("module." + a));
        }
        String hint = Suggest.hint(r.id(), others);
        if (r.id().startsWith("module.") && hint.isEmpty()) {
            hint = calls == null ? " (no modules are called here)"
                    : "; modules called here: " + String.join(", ", calls.entries().keySet().stream().map(a -> "module." + a).toList())
                    + " (a whole module can be required, not a resource inside it)";
        }
        diags.error(r.pos(), "resource '" + self + "', field '" + field + "': no resource '" + r.id() + "'" + hint);
        return List.of();
    }

    /** The instance a {@code module.a} or {@code module.a.module.b} reference names, or null. */
    private Instance module(String ref) {
        Scope s = this;
        Instance inst = null;
        for (String alias : aliases(ref)) {
            if (s == null || s.calls == null || !s.calls.has(alias)) {
                return null;
            }
            inst = s.instances.get(alias);
            s = inst == null ? null : inst.scope();
        }
        return inst;
    }

    /** Whether a module reference names a call that exists but failed (its problems are reported). */
    private boolean moduleFailed(String ref) {
        Scope s = this;
        for (String alias : aliases(ref)) {
            if (s == null) {
                return true;
            }
            if (s.calls == null || !s.calls.has(alias)) {
                return false;
            }
            Instance inst = s.instances.get(alias);
            s = inst == null ? null : inst.scope();
        }
        return s == null;
    }

    /** {@code module.a.module.b} → [a, b]; an empty list for anything else. */
    private static List<String> aliases(String ref) {
        String[] parts = ref.split("\\.", -1);
        if (parts.length % 2 != 0) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < parts.length; i += 2) {
            if (!parts[i].equals("module") || !parts[i + 1].matches(Interpolator.ALIAS_PATTERN)) {
                return List.of();
            }
            out.add(parts[i + 1]);
        }
        return out;
    }
}
