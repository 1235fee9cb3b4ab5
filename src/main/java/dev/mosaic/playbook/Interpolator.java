package dev.mosaic.playbook;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.SourcePos;
import dev.mosaic.yaml.YNode;
import dev.mosaic.yaml.YamlReader;

import java.util.ArrayDeque;
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
 */
final class Interpolator {

    static final String NAME_PATTERN = "[A-Za-z_][A-Za-z0-9_]*";

    private final Map<String, YNode> definitions;
    private final Diagnostics diags;
    private final Map<String, YNode> resolved = new HashMap<>();
    private final Deque<String> resolving = new ArrayDeque<>();

    Interpolator(Map<String, YNode> definitions, Diagnostics diags) {
        this.definitions = definitions;
        this.diags = diags;
    }

    YNode apply(YNode node) {
        if (node instanceof YNode.Scalar s) {
            return scalar(s);
        }
        if (node instanceof YNode.Seq seq) {
            return new YNode.Seq(seq.items().stream().map(this::apply).toList(), seq.pos());
        }
        YNode.Map map = (YNode.Map) node;
        LinkedHashMap<String, YNode.Entry> out = new LinkedHashMap<>();
        for (YNode.Entry e : map.entries().values()) {
            out.put(e.key(), new YNode.Entry(e.key(), e.keyPos(), apply(e.value())));
        }
        return new YNode.Map(out, map.pos());
    }

    /** The fully interpolated value of a variable, or null when undefined or cyclic. */
    YNode value(String name, SourcePos refPos) {
        YNode done = resolved.get(name);
        if (done != null) {
            return done;
        }
        YNode def = definitions.get(name);
        if (def == null) {
            diags.error(refPos, "undefined variable '" + name + "'" + dev.mosaic.diag.Suggest.hint(name, definitions.keySet()));
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
        resolved.put(name, v);
        return v;
    }

    private YNode scalar(YNode.Scalar s) {
        String text = s.text();
        if (!text.contains("$")) {
            return s;
        }
        // A single whole reference may carry a structured value.
        if (text.matches("\\$\\{" + NAME_PATTERN + "}")) {
            YNode v = value(text.substring(2, text.length() - 1), s.pos());
            if (v == null) {
                return s;
            }
            if (v instanceof YNode.Scalar vs) {
                YNode.Scalar.Kind kind = s.plain() ? vs.kind() : YNode.Scalar.Kind.STRING;
                return new YNode.Scalar(vs.text(), kind, s.plain(), s.pos());
            }
            return v;
        }
        StringBuilder out = new StringBuilder();
        boolean substituted = false;
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
                if (!name.matches(NAME_PATTERN)) {
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
        YNode.Scalar.Kind kind = s.plain() ? YamlReader.resolveKind(result, true) : YNode.Scalar.Kind.STRING;
        return new YNode.Scalar(result, kind, s.plain(), s.pos());
    }

    /** Points inside a one-line scalar; multi-line ones are pointed at as a whole. */
    private static SourcePos positionInside(YNode.Scalar s, int offset) {
        if (s.text().indexOf('\n') >= 0) {
            return s.pos();
        }
        return s.pos().shift(offset + (s.plain() ? 0 : 1));
    }
}
