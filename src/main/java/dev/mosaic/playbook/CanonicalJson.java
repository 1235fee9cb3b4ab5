package dev.mosaic.playbook;

import dev.mosaic.yaml.YNode;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A YAML tree as canonical JSON text: keys sorted, no spaces, YAML's implicit scalar types as
 * {@link SchemaValidator#toJson} reads them. The text config digests are taken of, so it must
 * stay byte for byte what it was when written through Jackson (an object mapper ordering map
 * entries by key): a different text would read as "config changed" for every resource of every
 * target. Written directly because it is computed for every resource of every load.
 */
final class CanonicalJson {

    private CanonicalJson() {
    }

    static String of(YNode node) {
        StringBuilder b = new StringBuilder(256);
        write(node, b);
        return b.toString();
    }

    private static void write(YNode node, StringBuilder b) {
        if (node instanceof YNode.Scalar s) {
            scalar(s, b);
        } else if (node instanceof YNode.Seq seq) {
            b.append('[');
            for (int i = 0; i < seq.items().size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                write(seq.items().get(i), b);
            }
            b.append(']');
        } else {
            List<YNode.Entry> entries = new ArrayList<>(((YNode.Map) node).entries().values());
            entries.sort((x, y) -> x.key().compareTo(y.key()));
            b.append('{');
            for (int i = 0; i < entries.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                string(entries.get(i).key(), b);
                b.append(':');
                write(entries.get(i).value(), b);
            }
            b.append('}');
        }
    }

    /** The same reading of a scalar as {@link SchemaValidator#toJson}. */
    private static void scalar(YNode.Scalar s, StringBuilder b) {
        switch (s.kind()) {
            case NULL -> b.append("null");
            case BOOLEAN -> b.append(s.asBoolean());
            case INTEGER -> {
                String digits = null;
                if (s.text().length() <= SchemaValidator.MAX_DIGITS) {
                    try {
                        digits = new BigInteger(s.text().replace("_", "")).toString();
                    } catch (NumberFormatException e) {
                        digits = null; // 0x1f, 0o17…: kept as text
                    }
                }
                if (digits != null) {
                    b.append(digits);
                } else {
                    string(s.text(), b);
                }
            }
            case NUMBER -> {
                double d;
                try {
                    d = Double.parseDouble(s.text());
                } catch (NumberFormatException e) {
                    d = Double.NaN;
                }
                if (Double.isFinite(d)) {
                    b.append(d);
                } else {
                    string(s.text(), b);
                }
            }
            default -> string(s.text(), b);
        }
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** A JSON string as Jackson writes it: quote, backslash and control characters escaped, nothing else. */
    private static void string(String s, StringBuilder b) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\f' -> b.append("\\f");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20) {
                        b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
