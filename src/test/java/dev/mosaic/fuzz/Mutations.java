package dev.mosaic.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * Seeded mutations of YAML text, the way broken or hostile input looks: lines lost, doubled,
 * swapped or re-indented, a file cut short, values of the wrong type, unknown keys, odd
 * {@code ${…}} references, deep nesting, huge numbers, unicode and control characters, tabs,
 * anchors and aliases (including alias and variable bombs), tags, several documents. Every
 * mutation is a pure function of the text and the {@link Random}, so a case is reproduced from
 * its seed alone.
 */
final class Mutations {

    private Mutations() {
    }

    /** One mutation: a name for reports and the function. */
    record Mutation(String name, BiFunction<String, Random, String> apply) {
    }

    /** Values a scalar is flipped to: other types, edge numbers, YAML syntax, paths, tags. */
    static final List<String> VALUES = List.of(
            "123", "-1", "0", "0644", "0o777", "0x1F", "0b101", "1e400", "-1e400", ".inf", "-.inf", ".nan", "1_000",
            "99999999999999999999999999999999999999999999", "-9223372036854775809", "9223372036854775808",
            "2147483648", "3.14", "1e-400", "true", "false", "yes", "no", "on", "off", "null", "~", "", "''", "\"\"",
            "[]", "{}", "[a, b]", "{x: 1}", "[[[]]]", "[{a: [b, {c: d}]}]", "!!binary aGVsbG8=", "!!str 5",
            "!!int x", "!!float abc", "!!map {}", "!!set {a}", "!!omap [a: 1]", "!!timestamp 2001-12-14",
            "2001-12-14", "!custom x", "!!python/object:os.system ls", "!!java.io.File [/etc]", "*undefined_alias",
            "&anchor value", "|", ">", "|-", "\"\\x00\"", "\"\\uD800\"", "\"\\u202Eevil\"", "'\\'", "?", "-", "- a",
            ":", "# only a comment", "@x", "`x", "%x", "/", "//", "/a/../b", "/./x", "/srv/tftp/", "relative/path",
            "../../etc/passwd", "/etc/passwd", "/proc/self/mem", "/dev/zero", "a\tb", "\"a\\nb\"", "'it''s'",
            "${tftp_root}", "${kernel}", "${nodes}", "${module.boot.menu}", "\"${undefined}\"", "target:/x",
            "file:///etc/passwd", "http://127.0.0.1:1/x", "sha256:00", "0000000000000000000000000000000000000000",
            "[${nodes}, ${nodes}]", "{name: a, mac: zz}", "[{name: a}]");

    /** What {@code ${…}} injections look like. */
    static final List<String> REFERENCES = List.of(
            "${", "${}", "${ }", "${undefined}", "${a${b}}", "$${x}", "$$${x}", "${module.x.y}", "${module.}",
            "${module.boot}", "${0abc}", "${a-b}", "${a.b.c}", "${tftp_root", "}${", "${\"x\"}", "${env:HOME}",
            "${env:MOSAIC_FUZZ_UNSET_VARIABLE}", "${env:}", "${file:}", "${file:files/boot-messages}",
            "${file:/etc/hostname}", "${file:does-not-exist}", "${file:../../../../etc/passwd}", "${x}" + "}".repeat(5),
            "${" + "a".repeat(300) + "}", "${" + "${".repeat(60) + "x" + "}".repeat(60), "${\u00e9t\u00e9}",
            "${\uE000}", "\uE000\uE001", "${kernel}${kernel}${kernel}");

    /** Unicode and control characters that YAML readers and terminals trip over. */
    static final List<String> ODD_CHARS = List.of(
            "\u00e9", "\u4e2d\u6587", "\ud83d\ude00", "\u202e", "\u200b", "\ufeff", "\u2028", "\u2029", "\u0085",
            "\u0000", "\u0007", "\u001b[31m", "\u007f", "\t", "\r", "\r\n", "\u00a0", "\uE000", "\uE001", "\uFFFF",
            "\u0301", "\ud800", "\udfff");

    static final List<Mutation> ALL = List.of(
            new Mutation("delete-line", Mutations::deleteLine),
            new Mutation("delete-lines", Mutations::deleteLines),
            new Mutation("duplicate-line", Mutations::duplicateLine),
            new Mutation("duplicate-block", Mutations::duplicateBlock),
            new Mutation("swap-lines", Mutations::swapLines),
            new Mutation("truncate", Mutations::truncate),
            new Mutation("delete-chars", Mutations::deleteChars),
            new Mutation("duplicate-chars", Mutations::duplicateChars),
            new Mutation("reindent", Mutations::reindent),
            new Mutation("tabs", Mutations::tabs),
            new Mutation("flip-scalar", Mutations::flipScalar),
            new Mutation("unknown-key", Mutations::unknownKey),
            new Mutation("rename-key", Mutations::renameKey),
            new Mutation("inject-reference", Mutations::injectReference),
            new Mutation("deep-nesting", Mutations::deepNesting),
            new Mutation("huge-number", Mutations::hugeNumber),
            new Mutation("odd-chars", Mutations::oddChars),
            new Mutation("anchors", Mutations::anchors),
            new Mutation("alias-bomb", Mutations::aliasBomb),
            new Mutation("variable-bomb", Mutations::variableBomb),
            new Mutation("documents", Mutations::documents),
            new Mutation("line-endings", Mutations::lineEndings),
            new Mutation("long-value", Mutations::longValue),
            new Mutation("keys", Mutations::oddKeys),
            new Mutation("module-call", Mutations::moduleCall));

    // ------------------------------------------------------------------ line mutations

    private static List<String> lines(String text) {
        return new ArrayList<>(Arrays.asList(text.split("\n", -1)));
    }

    private static String join(List<String> lines) {
        return String.join("\n", lines);
    }

    private static String deleteLine(String text, Random r) {
        List<String> l = lines(text);
        l.remove(r.nextInt(l.size()));
        return join(l);
    }

    private static String deleteLines(String text, Random r) {
        List<String> l = lines(text);
        int from = r.nextInt(l.size());
        int to = Math.min(l.size(), from + 1 + r.nextInt(8));
        l.subList(from, to).clear();
        return join(l);
    }

    private static String duplicateLine(String text, Random r) {
        List<String> l = lines(text);
        int i = r.nextInt(l.size());
        l.add(i, l.get(i));
        return join(l);
    }

    private static String duplicateBlock(String text, Random r) {
        List<String> l = lines(text);
        int from = r.nextInt(l.size());
        int to = Math.min(l.size(), from + 1 + r.nextInt(12));
        List<String> block = new ArrayList<>(l.subList(from, to));
        l.addAll(r.nextBoolean() ? to : r.nextInt(l.size() + 1), block);
        return join(l);
    }

    private static String swapLines(String text, Random r) {
        List<String> l = lines(text);
        int i = r.nextInt(l.size());
        int j = r.nextBoolean() ? Math.min(l.size() - 1, i + 1) : r.nextInt(l.size());
        String t = l.get(i);
        l.set(i, l.get(j));
        l.set(j, t);
        return join(l);
    }

    private static String reindent(String text, Random r) {
        List<String> l = lines(text);
        int from = r.nextInt(l.size());
        int to = Math.min(l.size(), from + 1 + (r.nextBoolean() ? 0 : r.nextInt(6)));
        int delta = r.nextInt(9) - 4;
        for (int i = from; i < to; i++) {
            String s = l.get(i);
            if (delta > 0) {
                s = " ".repeat(delta) + s;
            } else {
                int strip = 0;
                while (strip < -delta && strip < s.length() && s.charAt(strip) == ' ') {
                    strip++;
                }
                s = s.substring(strip);
            }
            l.set(i, s);
        }
        return join(l);
    }

    private static String tabs(String text, Random r) {
        List<String> l = lines(text);
        int i = r.nextInt(l.size());
        String s = l.get(i);
        int indent = 0;
        while (indent < s.length() && s.charAt(indent) == ' ') {
            indent++;
        }
        l.set(i, r.nextBoolean() ? "\t".repeat(Math.max(1, indent / 2)) + s.substring(indent)
                : insertAt(s, r.nextInt(s.length() + 1), "\t"));
        return join(l);
    }

    // ------------------------------------------------------------------ character mutations

    private static String insertAt(String s, int at, String what) {
        return s.substring(0, at) + what + s.substring(at);
    }

    private static String truncate(String text, Random r) {
        return text.substring(0, r.nextInt(text.length() + 1));
    }

    private static String deleteChars(String text, Random r) {
        if (text.isEmpty()) {
            return text;
        }
        int from = r.nextInt(text.length());
        int to = Math.min(text.length(), from + 1 + r.nextInt(8));
        return text.substring(0, from) + text.substring(to);
    }

    private static String duplicateChars(String text, Random r) {
        if (text.isEmpty()) {
            return text;
        }
        int from = r.nextInt(text.length());
        int to = Math.min(text.length(), from + 1 + r.nextInt(16));
        return insertAt(text, to, text.substring(from, to));
    }

    private static String oddChars(String text, Random r) {
        String c = pick(ODD_CHARS, r);
        if (r.nextInt(4) == 0) {
            return c + text; // at the very start: a BOM, a NUL, a stray CR
        }
        return insertAt(text, r.nextInt(text.length() + 1), c);
    }

    private static String lineEndings(String text, Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> text.replace("\n", "\r\n");
            case 1 -> text.replace("\n", "\r");
            default -> text.replace("\n", "\u0085");
        };
    }

    // ------------------------------------------------------------------ value and key mutations

    /** Index of a line that holds {@code key: value} (or {@code - value}), or -1. */
    private static int valueLine(List<String> l, Random r) {
        for (int tries = 0; tries < 20; tries++) {
            int i = r.nextInt(l.size());
            String s = l.get(i).trim();
            if (!s.startsWith("#") && (s.contains(": ") || s.startsWith("- "))) {
                return i;
            }
        }
        return -1;
    }

    /** Replaces the value of a {@code key: value} line; the rest of the line goes. */
    private static String replaceValue(String text, Random r, String value) {
        List<String> l = lines(text);
        int i = valueLine(l, r);
        if (i < 0) {
            return text + "\nx: " + value;
        }
        String s = l.get(i);
        int colon = s.indexOf(": ");
        int dash = s.indexOf("- ");
        int at = colon >= 0 ? colon + 2 : dash + 2;
        l.set(i, s.substring(0, at) + value);
        return join(l);
    }

    private static String flipScalar(String text, Random r) {
        return replaceValue(text, r, pick(VALUES, r));
    }

    private static String hugeNumber(String text, Random r) {
        String n = switch (r.nextInt(6)) {
            case 0 -> "9".repeat(1 + r.nextInt(5000));
            case 1 -> "-" + "9".repeat(1 + r.nextInt(400));
            case 2 -> "1e" + (r.nextBoolean() ? "" : "-") + (1 + r.nextInt(1_000_000_000));
            case 3 -> "0." + "0".repeat(r.nextInt(2000)) + "1";
            case 4 -> String.valueOf(r.nextLong());
            default -> "0x" + "f".repeat(1 + r.nextInt(100));
        };
        return replaceValue(text, r, n);
    }

    private static String longValue(String text, Random r) {
        return replaceValue(text, r, "\"" + "x".repeat(1000 + r.nextInt(200_000)) + "\"");
    }

    private static String indentOf(String s) {
        int i = 0;
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '-')) {
            i++;
        }
        return " ".repeat(i);
    }

    private static String unknownKey(String text, Random r) {
        List<String> l = lines(text);
        int i = r.nextInt(l.size());
        String key = pick(List.of("bogus", "contnet", "pathh", "Type", "requires", "notify", "vars", "resources",
                "sensitive", "with", "source", "type", "modules", "outputs", "params", "hosts", "groups", "connection",
                "root", "_", "x-y", "0"), r);
        l.add(i + 1, indentOf(l.get(i)) + key + ": " + pick(VALUES, r));
        return join(l);
    }

    private static String renameKey(String text, Random r) {
        List<String> l = lines(text);
        int i = valueLine(l, r);
        if (i < 0) {
            return text;
        }
        String s = l.get(i);
        int colon = s.indexOf(':');
        if (colon < 0) {
            return text;
        }
        String indent = indentOf(s);
        String key = s.substring(Math.min(indent.length(), colon), colon);
        String renamed = switch (r.nextInt(4)) {
            case 0 -> key.isEmpty() ? "k" : key.substring(1);
            case 1 -> key.isEmpty() ? "kk" : key + key.charAt(key.length() - 1);
            case 2 -> key.toUpperCase();
            default -> key + "${x}";
        };
        l.set(i, s.substring(0, Math.min(indent.length(), colon)) + renamed + s.substring(colon));
        return join(l);
    }

    private static String oddKeys(String text, Random r) {
        List<String> l = lines(text);
        int i = r.nextInt(l.size());
        String key = pick(List.of("? [a, b]", "? {a: 1}", "~", "null", "1", "1.5", "true", "\"\"", "''",
                "<<", "\"a\\nb\"", "\"${tftp_root}\"", "&k key", "*undefined", "!!binary aGk=", "? |\n  multi\n"), r);
        l.add(i + 1, indentOf(l.get(i)) + key + ": value");
        return join(l);
    }

    private static String injectReference(String text, Random r) {
        String ref = pick(REFERENCES, r);
        List<String> l = lines(text);
        int i = valueLine(l, r);
        if (i < 0 || r.nextInt(4) == 0) {
            return insertAt(text, r.nextInt(text.length() + 1), ref);
        }
        l.set(i, l.get(i) + ref);
        return join(l);
    }

    // ------------------------------------------------------------------ structure bombs

    private static String deepNesting(String text, Random r) {
        int n = 20 + r.nextInt(r.nextBoolean() ? 200 : 20_000);
        String nested = switch (r.nextInt(4)) {
            case 0 -> "[".repeat(n) + "]".repeat(n);
            case 1 -> "{a: ".repeat(n) + "x" + "}".repeat(n);
            case 2 -> "[".repeat(n); // unclosed
            default -> null;
        };
        if (nested != null) {
            return replaceValue(text, r, nested);
        }
        StringBuilder b = new StringBuilder(text).append("\nnest:\n");
        int depth = Math.min(n, 3000);
        for (int d = 1; d <= depth; d++) {
            b.append(" ".repeat(d)).append("k:\n");
        }
        return b.append(" ".repeat(depth + 1)).append("v\n").toString();
    }

    /** Anchors and aliases used (and misused) where values are expected. */
    private static String anchors(String text, Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> "x: &a {type: file, path: /x}\n" + text.replace("type: file", "<<: *a\n    type: file");
            case 1 -> replaceValue(text, r, "&self [*self]");
            case 2 -> replaceValue(text, r, "*nowhere");
            case 3 -> "a: &r\n  b: *r\n" + text;
            default -> replaceValue(text, r, "&v " + pick(VALUES, r)) + "\nagain: *v";
        };
    }

    /** The billion laughs: every level refers to the one before many times. */
    private static String aliasBomb(String text, Random r) {
        int levels = 3 + r.nextInt(12);
        int fan = 2 + r.nextInt(9);
        StringBuilder b = new StringBuilder("lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i <= levels; i++) {
            b.append("lol").append(i).append(": &l").append(i).append(" [");
            for (int j = 0; j < fan; j++) {
                b.append(j == 0 ? "" : ", ").append("*l").append(i - 1);
            }
            b.append("]\n");
        }
        String bomb = b.toString();
        if (r.nextBoolean()) {
            return bomb + text; // as unknown top-level keys
        }
        // inside vars, so that the variables pass the bomb on
        String indented = bomb.lines().map(s -> "  " + s).reduce((x, y) -> x + "\n" + y).orElse("") + "\n";
        int vars = text.indexOf("\nvars:\n");
        return vars < 0 ? "vars:\n" + indented + text : text.substring(0, vars + 7) + indented + text.substring(vars + 7);
    }

    /** Variables that double at every level: the interpolation's billion laughs. */
    private static String variableBomb(String text, Random r) {
        int levels = 10 + r.nextInt(40);
        StringBuilder b = new StringBuilder("  v0: \"" + "ha".repeat(8) + "\"\n");
        for (int i = 1; i <= levels; i++) {
            b.append("  v").append(i).append(": \"${v").append(i - 1).append("}${v").append(i - 1).append("}\"\n");
        }
        String use = "${v" + levels + "}";
        int vars = text.indexOf("\nvars:\n");
        String withVars = vars < 0 ? "vars:\n" + b + text
                : text.substring(0, vars + 7) + b + text.substring(vars + 7);
        return replaceValue(withVars, r, "\"" + use + "\"");
    }

    /** A call of a shipped module (from a module: maybe of itself, or a cycle through another). */
    private static String moduleCall(String text, Random r) {
        String name = pick(List.of("pxe-boot", "pxe-classic", "ltsp-server", "openmosix-kernel", "../pxe-boot",
                "./", "..", "/", "modules/x", "nowhere"), r);
        String call = "  again:\n    source: " + name + "\n" + (r.nextBoolean() ? "" : "    with: { kernel: k, mirror: m }\n");
        int at = text.indexOf("\nmodules:\n");
        return at < 0 ? text + "\nmodules:\n" + call : text.substring(0, at + 10) + call + text.substring(at + 10);
    }

    private static String documents(String text, Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> "---\n" + text + "\n---\nother: doc\n";
            case 1 -> "%YAML 1.1\n---\n" + text;
            case 2 -> "%TAG ! tag:example.com,2000:\n---\n" + text;
            default -> text + "\n...\n";
        };
    }

    private static <T> T pick(List<T> items, Random r) {
        return items.get(r.nextInt(items.size()));
    }

    /** Byte-level damage after encoding: text that is no longer valid UTF-8. */
    static byte[] breakEncoding(byte[] bytes, Random r) {
        byte[][] bad = {{(byte) 0xff}, {(byte) 0xc3}, {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}};
        byte[] b = bad[r.nextInt(bad.length)];
        int at = r.nextInt(bytes.length + 1);
        byte[] out = new byte[bytes.length + b.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(b, 0, out, at, b.length);
        System.arraycopy(bytes, at, out, at + b.length, bytes.length - at);
        return out;
    }

    /** Encodes text as UTF-8 the way an editor would; lone surrogates become '?'. */
    static byte[] encode(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
