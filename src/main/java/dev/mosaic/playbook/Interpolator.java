package dev.mosaic.playbook;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.Sensitive;
import dev.mosaic.diag.SourcePos;
import dev.mosaic.yaml.YNode;
import dev.mosaic.yaml.YamlReader;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replaces {@code ${name}} in every scalar with the value of a variable; {@code $${} stands for a
 * literal {@code ${}. Variables may use other variables. An undefined variable is an error at the
 * position of the reference, never an empty string. A scalar that is exactly one reference to a
 * list or mapping variable takes that structured value.
 *
 * <p>Unquoted scalars get their YAML type again after substitution ({@code jobs: ${n}} with
 * {@code n: 4} is the integer 4); quoted ones stay strings.
 *
 * <p>{@code ${module.ALIAS.OUTPUT}} is an output of a module the scope calls; it is looked up
 * through {@link Outputs}. Values given as already resolved (a module's params, passed by its
 * caller) are taken as they are, never interpolated again.
 */
final class Interpolator {

    static final String NAME_PATTERN = "[A-Za-z_][A-Za-z0-9_]*";
    /** A Debian package name (Debian Policy 5.6.1), for {@code ${kernel:…}}. */
    static final String PACKAGE_PATTERN = "[a-z0-9][a-z0-9+.-]+";
    /** A module alias: a variable name that may also hold '-'. */
    static final String ALIAS_PATTERN = "[A-Za-z_][A-Za-z0-9_-]*";
    /** What may stand between {@code ${} and {@code }}: a variable or a module's output. */
    static final String REFERENCE_PATTERN = NAME_PATTERN + "|module\\." + ALIAS_PATTERN + "\\." + NAME_PATTERN
            + "|env:" + NAME_PATTERN + "|file:[^}]+|kernel:" + PACKAGE_PATTERN;
    private static final java.util.regex.Pattern REFERENCE = java.util.regex.Pattern.compile(REFERENCE_PATTERN);
    /** A value that is one whole reference, which may carry a structured value. */
    private static final java.util.regex.Pattern WHOLE_REFERENCE =
            java.util.regex.Pattern.compile("\\$\\{(" + REFERENCE_PATTERN + ")}");

    /** Where {@code ${module.ALIAS.OUTPUT}} is looked up. */
    interface Outputs {
        /** The output's value, or null when there is none (reported at {@code pos}). */
        YNode output(String alias, String output, SourcePos pos);
    }

    /**
     * How long one value may grow by substitution, and how much text one scope may produce:
     * variables that use a variable twice double at every level (the "billion laughs" of
     * interpolation), which would otherwise fill the memory instead of failing.
     */
    static final int MAX_VALUE_CHARS = 16 * 1024 * 1024;
    static final long MAX_TOTAL_CHARS = 4L * MAX_VALUE_CHARS;

    private long produced;
    /** Values built from a sensitive one, by identity (shared by every scope of a load). */
    private Set<YNode> tainted = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Variables (or params) declared sensitive. */
    private Set<String> sensitiveNames = Set.of();

    /** Where {@code ${file:…}} paths are read from; null: not here. */
    private Path baseDir;
    /** What {@code ${kernel:…}} asks; by default, nothing may be asked. */
    private Lookups.Kernels kernels = new Lookups.Kernels(KernelLookup.NONE);
    private final Map<String, YNode> definitions;
    private final Diagnostics diags;
    private final Outputs outputs;
    private final String undefinedNote;
    private final Map<String, YNode> resolved = new HashMap<>();
    private final Deque<String> resolving = new ArrayDeque<>();

    Interpolator(Map<String, YNode> definitions, Diagnostics diags) {
        this(definitions, Map.of(), diags, null, "");
    }

    /**
     * @param definitions   values interpolated in this scope when first used
     * @param given         values resolved elsewhere, used as they are
     * @param outputs       module outputs, or null when the scope calls no modules
     * @param undefinedNote appended to "undefined variable" messages (e.g. what a module sees)
     */
    Interpolator(Map<String, YNode> definitions, Map<String, YNode> given, Diagnostics diags, Outputs outputs,
                 String undefinedNote) {
        this.definitions = new java.util.LinkedHashMap<>(definitions);
        given.forEach((k, v) -> {
            this.definitions.put(k, v);
            this.resolved.put(k, v);
        });
        this.diags = diags;
        this.outputs = outputs;
        this.undefinedNote = undefinedNote;
    }

    /**
     * Secrets: {@code names} are sensitive, so is what {@code ${env:…}} and {@code ${file:…}}
     * (read below {@code baseDir}) return, and so is every value built from one; such values are
     * added to {@code tainted} and registered with {@link Sensitive}.
     */
    Interpolator secrets(Set<YNode> tainted, Set<String> names, Path baseDir) {
        this.tainted = tainted;
        this.sensitiveNames = Set.copyOf(names);
        this.baseDir = baseDir;
        for (Map.Entry<String, YNode> e : resolved.entrySet()) {
            if (sensitiveNames.contains(e.getKey())) {
                markSensitive(e.getValue(), tainted);
            }
        }
        return this;
    }

    /** Where {@code ${kernel:…}} is looked up: one {@link Lookups.Kernels} for all scopes of a load. */
    Interpolator kernels(Lookups.Kernels shared) {
        this.kernels = shared;
        return this;
    }

    /** Marks a value and everything in it as sensitive. */
    static void markSensitive(YNode node, Set<YNode> tainted) {
        tainted.add(node);
        if (node instanceof YNode.Scalar s) {
            Sensitive.register(s.text());
        } else if (node instanceof YNode.Seq seq) {
            seq.items().forEach(i -> markSensitive(i, tainted));
        } else if (node instanceof YNode.Map map) {
            map.entries().values().forEach(e -> markSensitive(e.value(), tainted));
        }
    }

    boolean isTainted(YNode node) {
        return tainted.contains(node);
    }

    /** Whether a value or anything in it was built from a sensitive one. */
    static boolean holdsTainted(YNode node, Set<YNode> tainted) {
        if (tainted.contains(node)) {
            return true;
        }
        if (node instanceof YNode.Seq seq) {
            return seq.items().stream().anyMatch(i -> holdsTainted(i, tainted));
        }
        return node instanceof YNode.Map map && map.entries().values().stream().anyMatch(e -> holdsTainted(e.value(), tainted));
    }

    /**
     * This scope's variables as a template sees them, each resolved on first use (a problem in
     * its definition is reported there; {@code usedAt} stands for the use when a cycle is found).
     */
    dev.mosaic.resource.Variables variables(SourcePos usedAt) {
        return new dev.mosaic.resource.Variables() {
            @Override
            public Set<String> names() {
                return java.util.Collections.unmodifiableSet(definitions.keySet());
            }

            @Override
            public YNode value(String name) {
                return definitions.containsKey(name) ? Interpolator.this.value(name, usedAt) : null;
            }

            @Override
            public boolean isSensitive(YNode value) {
                return holdsTainted(value, tainted);
            }
        };
    }

    YNode apply(YNode node) {
        return apply(node, false);
    }

    /**
     * The resources section: ids and field names stay as written; the keys of maps inside fields
     * (file names of a TFTP tree, environment names, kernel options) take variables too.
     */
    YNode applyResources(YNode resources) {
        if (!(resources instanceof YNode.Map ids)) {
            return apply(resources);
        }
        LinkedHashMap<String, YNode.Entry> out = new LinkedHashMap<>();
        for (YNode.Entry id : ids.entries().values()) {
            YNode body = id.value();
            if (body instanceof YNode.Map fields) {
                LinkedHashMap<String, YNode.Entry> f = new LinkedHashMap<>();
                for (YNode.Entry e : fields.entries().values()) {
                    f.put(e.key(), new YNode.Entry(e.key(), e.keyPos(), apply(e.value(), true)));
                }
                body = new YNode.Map(f, fields.pos());
            } else {
                body = apply(body);
            }
            out.put(id.key(), new YNode.Entry(id.key(), id.keyPos(), body));
        }
        return new YNode.Map(out, ids.pos());
    }

    private YNode apply(YNode node, boolean keys) {
        if (node instanceof YNode.Scalar s) {
            return scalar(s);
        }
        if (node instanceof YNode.Seq seq) {
            return new YNode.Seq(seq.items().stream().map(i -> apply(i, keys)).toList(), seq.pos());
        }
        YNode.Map map = (YNode.Map) node;
        LinkedHashMap<String, YNode.Entry> out = new LinkedHashMap<>();
        for (YNode.Entry e : map.entries().values()) {
            String key = e.key();
            if (keys && key.contains("${")) {
                YNode k = scalar(new YNode.Scalar(key, YNode.Scalar.Kind.STRING, false, e.keyPos().shift(-1)));
                key = k instanceof YNode.Scalar ks ? ks.text() : key;
                if (out.containsKey(key)) {
                    diags.error(e.keyPos(), "key '" + e.key() + "' becomes '" + key + "', which the same mapping has already");
                    continue;
                }
            }
            out.put(key, new YNode.Entry(key, e.keyPos(), apply(e.value(), keys)));
        }
        return new YNode.Map(out, map.pos());
    }

    /** The fully interpolated value of a variable, or null when undefined or cyclic. */
    YNode value(String name, SourcePos refPos) {
        if (name.startsWith("env:") || name.startsWith("file:")) {
            return external(name, refPos);
        }
        if (name.startsWith("kernel:")) { // a fact of the archive, not a secret: never tainted
            String release = kernels.release(name.substring(7), refPos, diags);
            return release == null ? null : new YNode.Scalar(release, YNode.Scalar.Kind.STRING, false, refPos);
        }
        if (name.startsWith("module.") && name.indexOf('.', 7) > 0) {
            int dot = name.indexOf('.', 7);
            String alias = name.substring(7, dot);
            if (outputs == null) {
                diags.error(refPos, "'${" + name + "}': no module '" + alias + "' is called here"
                        + " (declare it under 'modules:')");
                return null;
            }
            return outputs.output(alias, name.substring(dot + 1), refPos);
        }
        YNode done = resolved.get(name);
        if (done != null) {
            return done;
        }
        YNode def = definitions.get(name);
        if (def == null) {
            diags.error(refPos, "undefined variable '" + name + "'" + dev.mosaic.diag.Suggest.hint(name, definitions.keySet())
                    + undefinedNote);
            return null;
        }
        if (resolving.contains(name)) {
            List<String> chain = new java.util.ArrayList<>(resolving);
            java.util.Collections.reverse(chain);
            diags.error(refPos, "variable '" + name + "' refers to itself: "
                    + String.join(" -> ", chain) + " -> " + name);
            return null;
        }
        resolving.push(name);
        YNode v = apply(def);
        resolving.pop();
        if (sensitiveNames.contains(name)) {
            markSensitive(v, tainted);
        }
        resolved.put(name, v);
        return v;
    }

    /**
     * {@code ${env:…}} or {@code ${file:…}} (see {@link Lookups}), read once per scope. Both are
     * sensitive; a missing one is an error at the reference, never an empty string.
     */
    private YNode external(String name, SourcePos refPos) {
        YNode done = resolved.get(name);
        if (done != null) {
            return done;
        }
        String value = Lookups.text(name, refPos, baseDir, diags);
        if (value == null) {
            return null;
        }
        YNode v = new YNode.Scalar(value, YNode.Scalar.Kind.STRING, false, refPos);
        markSensitive(v, tainted);
        resolved.put(name, v);
        return v;
    }

    private YNode scalar(YNode.Scalar s) {
        String text = s.text();
        if (!text.contains("$")) {
            return s;
        }
        // A single whole reference may carry a structured value.
        if (WHOLE_REFERENCE.matcher(text).matches()) {
            YNode v = value(text.substring(2, text.length() - 1), s.pos());
            if (v == null) {
                return s;
            }
            if (v instanceof YNode.Scalar vs) {
                YNode.Scalar.Kind kind = s.plain() ? vs.kind() : YNode.Scalar.Kind.STRING;
                YNode.Scalar out = new YNode.Scalar(vs.text(), kind, s.plain(), s.pos());
                if (tainted.contains(v)) {
                    tainted.add(out);
                }
                return out;
            }
            return v;
        }
        StringBuilder out = new StringBuilder();
        boolean substituted = false;
        boolean sensitive = false;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '$' && text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
                substituted = true;
                continue;
            }
            if (c == '$' && text.startsWith("${", i)) {
                int end = text.indexOf('}', i + 2);
                SourcePos at = positionInside(s, i);
                if (end < 0) {
                    diags.error(at, "unterminated '${' (write '$${' for a literal '${')");
                    return s;
                }
                String name = text.substring(i + 2, end);
                if (!REFERENCE.matcher(name).matches()) {
                    diags.error(at, "invalid variable name '" + name + "' in '${" + name + "}'"
                            + " (for a literal '${', as in shell parameter expansion, write '$${')");
                    return s;
                }
                YNode v = value(name, at);
                if (v == null) {
                    return s;
                }
                if (!(v instanceof YNode.Scalar vs)) {
                    diags.error(at, "variable '" + name + "' is " + (v instanceof YNode.Seq ? "a list" : "a mapping")
                            + "; only a whole value '${" + name + "}' can take it");
                    return s;
                }
                out.append(vs.text());
                sensitive |= tainted.contains(v);
                if (out.length() > MAX_VALUE_CHARS || produced + out.length() > MAX_TOTAL_CHARS) {
                    diags.error(s.pos(), out.length() > MAX_VALUE_CHARS
                            ? "the value grows beyond " + MAX_VALUE_CHARS + " characters as its variables are substituted"
                            : "the variables expand to more than " + MAX_TOTAL_CHARS + " characters in all");
                    return s;
                }
                substituted = true;
                i = end + 1;
                continue;
            }
            out.append(c);
            i++;
        }
        if (!substituted) {
            return s;
        }
        String result = out.toString();
        produced += result.length();
        YNode.Scalar.Kind kind = s.plain() ? YamlReader.resolveKind(result, true) : YNode.Scalar.Kind.STRING;
        YNode.Scalar done = new YNode.Scalar(result, kind, s.plain(), s.pos());
        if (sensitive) {
            // Built from a secret: scrubbed like one, but a URL keeps its other parts (Sensitive.redact).
            tainted.add(done);
            Sensitive.registerDerived(result);
        }
        return done;
    }

    /** Points inside a one-line scalar; multi-line ones are pointed at as a whole. */
    private static SourcePos positionInside(YNode.Scalar s, int offset) {
        if (s.text().indexOf('\n') >= 0) {
            return s.pos();
        }
        return s.pos().shift(offset + (s.plain() ? 0 : 1));
    }
}
