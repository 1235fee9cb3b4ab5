package dev.mosaic.playbook;

import dev.mosaic.diag.SourcePos;
import dev.mosaic.diag.Suggest;
import dev.mosaic.yaml.YNode;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * One parameter a module declares under {@code params:}: its type, default (null: required),
 * allowed values, numeric range, description, and whether it is sensitive (messages leave its
 * value out, and resources built from it show {@code (sensitive)} in plans; see
 * {@link Interpolator#secrets}). {@code pos} is the position of its name in {@code module.yml}.
 */
public record ModuleParam(String name, Type type, YNode defaultValue, List<YNode> allowed, YNode.Scalar min,
                          YNode.Scalar max, String description, boolean sensitive, SourcePos pos) {

    public ModuleParam {
        allowed = List.copyOf(allowed);
    }

    /** What a param holds, as written in {@code module.yml}; YAML's own types, never coerced. */
    public enum Type {
        STRING("a string"), INTEGER("an integer"), NUMBER("a number"), BOOLEAN("a boolean"),
        LIST("a list"), MAP("a map");

        private final String article;

        Type(String article) {
            this.article = article;
        }

        /** {@code an integer}, {@code a map}: for messages. */
        public String article() {
            return article;
        }

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Type of(String word) {
            return valueOf(word.toUpperCase(Locale.ROOT));
        }

        boolean accepts(YNode v) {
            return switch (this) {
                case STRING -> v instanceof YNode.Scalar s && s.kind() == YNode.Scalar.Kind.STRING;
                case INTEGER -> v instanceof YNode.Scalar s && s.kind() == YNode.Scalar.Kind.INTEGER && decimal(s) != null;
                case NUMBER -> v instanceof YNode.Scalar s && (s.kind() == YNode.Scalar.Kind.INTEGER
                        || s.kind() == YNode.Scalar.Kind.NUMBER) && decimal(s) != null;
                case BOOLEAN -> v instanceof YNode.Scalar s && s.kind() == YNode.Scalar.Kind.BOOLEAN;
                case LIST -> v instanceof YNode.Seq;
                case MAP -> v instanceof YNode.Map;
            };
        }

        boolean numeric() {
            return this == INTEGER || this == NUMBER;
        }
    }

    public boolean required() {
        return defaultValue == null;
    }

    /**
     * What is wrong with {@code value} for this param, phrased to follow {@code param 'x'}:
     * {@code expects an integer, got string 'six'}, {@code = 12 is out of range 2..10},
     * {@code = 'classik' is not one of classic, modern}; null when the value is fine.
     */
    String problem(YNode value) {
        if (!type.accepts(value)) {
            String got = sensitive ? kindName(value) : describe(value);
            String hint = type == Type.STRING && value instanceof YNode.Scalar s && s.kind() != YNode.Scalar.Kind.NULL
                    ? " (quote it to pass it as text)" : "";
            return "expects " + type.article + ", got " + got + hint;
        }
        if (!allowed.isEmpty() && allowed.stream().noneMatch(a -> same(a, value))) {
            List<String> words = allowed.stream().map(ModuleParam::text).toList();
            String hint = value instanceof YNode.Scalar s && !sensitive ? Suggest.hint(s.text(), words) : "";
            return "= " + shown(value) + " is not one of " + String.join(", ", words) + hint;
        }
        if (type.numeric() && value instanceof YNode.Scalar s) {
            BigDecimal v = decimal(s);
            boolean low = min != null && v.compareTo(decimal(min)) < 0;
            boolean high = max != null && v.compareTo(decimal(max)) > 0;
            if (low || high) {
                String range = min != null && max != null ? "out of range " + min.text() + ".." + max.text()
                        : low ? "below the minimum " + min.text() : "above the maximum " + max.text();
                return "= " + shown(value) + " is " + range;
            }
        }
        return null;
    }

    /** The value as messages show it; a sensitive value is never shown. */
    String shown(YNode value) {
        if (sensitive) {
            return "(sensitive)";
        }
        if (value instanceof YNode.Scalar s) {
            return s.kind() == YNode.Scalar.Kind.STRING ? "'" + s.text() + "'" : s.text();
        }
        return kindName(value);
    }

    /** {@code string 'six'}, {@code integer 6}, {@code null}, {@code a list}. */
    static String describe(YNode v) {
        if (v instanceof YNode.Scalar s) {
            return switch (s.kind()) {
                case NULL -> "null";
                case STRING -> "string '" + s.text() + "'";
                default -> s.kindName() + " " + s.text();
            };
        }
        return kindName(v);
    }

    static String kindName(YNode v) {
        if (v instanceof YNode.Seq) {
            return "a list";
        }
        if (v instanceof YNode.Map) {
            return "a map";
        }
        return ((YNode.Scalar) v).kindName();
    }

    private static String text(YNode v) {
        return v instanceof YNode.Scalar s ? s.text() : kindName(v);
    }

    /** Equal values: numbers by value (4 = 4.0), everything else as JSON. */
    static boolean same(YNode a, YNode b) {
        if (a instanceof YNode.Scalar x && b instanceof YNode.Scalar y && decimal(x) != null && decimal(y) != null
                && x.kind() != YNode.Scalar.Kind.STRING && y.kind() != YNode.Scalar.Kind.STRING) {
            return decimal(x).compareTo(decimal(y)) == 0;
        }
        return SchemaValidator.toJson(a).equals(SchemaValidator.toJson(b));
    }

    /** A YAML integer or float as a number, or null (hexadecimal, .inf, text). */
    static BigDecimal decimal(YNode.Scalar s) {
        if (s.kind() != YNode.Scalar.Kind.INTEGER && s.kind() != YNode.Scalar.Kind.NUMBER) {
            return null;
        }
        try {
            return new BigDecimal(s.text().replace("_", "").replaceFirst("^\\+", ""));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
