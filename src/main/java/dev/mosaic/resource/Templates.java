package dev.mosaic.resource;

import dev.mosaic.diag.SourcePos;
import dev.mosaic.yaml.YNode;
import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.error.AttributeNotFoundException;
import io.pebbletemplates.pebble.error.LoaderException;
import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.error.RootAttributeNotFoundException;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Templates with Jinja syntax (Pebble), shared by the kinds that render one: {@code template},
 * and {@code pxe} and {@code dnsmasq} when given a template of their own. A kind reads its
 * template with {@link #read} (a file beside the playbook) or {@link #inline}, and renders it with
 * {@link #render} when its spec is parsed, so that every template problem stops the plan before
 * anything is touched; problems are reported on the {@link SpecReader}.
 *
 * <p>Renders one template strictly: an undefined variable or attribute,
 * a syntax error, an unknown filter or iterating over what is not a list or mapping fails with
 * the template's {@code file:line:col}. Pebble reports the line; the column is found on that
 * line from what the error names (the variable, the filter, the token), see {@link #column}.
 *
 * <p>Output is a function of the template and the values only: mappings are iterated in key
 * order, nothing reads the clock, the locale is fixed, and output is not HTML-escaped.
 */
public final class Templates {

    /** More output than this is refused: a loop over {@code range(1, 1000000000)} must fail, not fill the memory. */
    static final int MAX_OUTPUT_CHARS = 64 * 1024 * 1024;

    /**
     * A template's text under the name messages show it by; what it includes is looked for in
     * {@code dir} (on the machine running Mosaic) and shown as if in {@code shownDir} (null: the
     * current directory). {@code field} names it in the playbook, at {@code callSite}; an
     * {@code inline} template's errors point into the playbook itself.
     */
    public record Template(String name, String text, Path dir, Path shownDir, String field, SourcePos callSite,
                           boolean inline) {
    }

    /**
     * The template file {@code source} names, relative to the playbook (or the module) on the
     * machine running Mosaic; shown relative to the playbook as written. A problem is reported at
     * {@code field}, and null returned.
     */
    public static Template read(SpecReader r, String field, String source) {
        return read(r, field, r.pos(field), source);
    }

    /** {@link #read(SpecReader, String, String)} for a field inside another (named {@code a.b}), at {@code callSite}. */
    public static Template read(SpecReader r, String field, SourcePos callSite, String source) {
        if (source.startsWith("/")) {
            r.errorAt(callSite, "field '" + field + "': a template is read on the machine running Mosaic: give its path relative to the playbook"
                    + " (or the module), not an absolute path");
            return null;
        }
        Path file = r.baseDir().resolve(source).normalize();
        Path shown = callSite.file().isEmpty() ? Path.of(source) : Path.of(callSite.file()).resolveSibling(source).normalize();
        try {
            byte[] bytes = Files.readAllBytes(file);
            String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            return new Template(shown.toString(), text, file.getParent(), shown.getParent(), field, callSite, false);
        } catch (java.nio.file.NoSuchFileException e) {
            r.errorAt(callSite, "field '" + field + "': no such template file " + shown);
        } catch (java.nio.charset.CharacterCodingException e) {
            r.errorAt(callSite, "field '" + field + "': the template " + shown + " is not UTF-8 text");
        } catch (IOException e) {
            r.errorAt(callSite, "field '" + field + "': cannot read the template " + shown + ": " + e.getMessage());
        }
        return null;
    }

    /** A template written in the playbook, as the value of {@code field}. */
    public static Template inline(SpecReader r, String field, String text) {
        SourcePos callSite = r.pos(field);
        Path shownDir = callSite.file().isEmpty() ? null : Path.of(callSite.file()).getParent();
        return new Template("template of '" + r.id() + "'", text, r.baseDir(), shownDir, field, callSite, true);
    }

    /**
     * Renders {@code template} over the scope's variables with {@code extra} on top (a kind's own
     * fields, as Java values: strings, numbers, booleans, null, lists and maps). A failure is
     * reported at the template's {@code file:line:col} with the call site, and null returned; a
     * template that used a sensitive variable marks the resource sensitive.
     */
    public static String render(SpecReader r, Template template, Map<String, Object> extra) {
        Result result;
        try {
            result = render(template, r.variables(), extra);
        } catch (Failure f) {
            SourcePos at = template.inline() && f.template.equals(template.name())
                    ? inlinePos(template.callSite(), template.text(), f.line, f.column)
                    : new SourcePos(f.template, Math.max(f.line, 1), f.column);
            r.errorAt(at, f.getMessage() + " (in the template " + (template.inline() ? "" : template.name() + " ")
                    + "of field '" + template.field() + "' at " + template.callSite() + ")");
            return null;
        }
        if (result.sensitive()) {
            r.markSensitive();
        }
        return result.text();
    }

    /**
     * Where line {@code line}, column {@code column} of an inline template is in the playbook: a
     * block scalar ({@code template: |}) starts on the next line, at the block's indentation;
     * a one-line value where it is written. Falls back to the value's position.
     */
    static SourcePos inlinePos(SourcePos value, String text, int line, int column) {
        List<String> yaml;
        try {
            yaml = Files.readAllLines(Path.of(value.file()), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return value;
        }
        if (!value.isKnown() || value.line() > yaml.size()) {
            return value;
        }
        String at = yaml.get(value.line() - 1);
        String rest = value.column() - 1 < at.length() ? at.substring(value.column() - 1) : "";
        if (rest.startsWith("|") || rest.startsWith(">")) {
            int l = value.line() + line;
            if (l > yaml.size()) {
                return value;
            }
            String body = yaml.get(l - 1);
            int indent = body.length() - body.stripLeading().length();
            return new SourcePos(value.file(), l, indent + column);
        }
        if (line == 1 && text.indexOf('\n') < 0) {
            boolean quoted = rest.startsWith("\"") || rest.startsWith("'");
            return value.shift(column - 1 + (quoted ? 1 : 0));
        }
        return value;
    }

    /** What a rendering gave, and whether it used a sensitive variable. */
    record Result(String text, boolean sensitive) {
    }

    /** A template that cannot be rendered: where (line and column in {@code template}) and why. */
    static final class Failure extends Exception {
        final String template;
        final int line;
        final int column;

        Failure(String template, int line, int column, String message) {
            super(message);
            this.template = template;
            this.line = line;
            this.column = column;
        }
    }

    private Templates() {
    }

    /**
     * @param main  the template to render
     * @param vars  the scope's variables
     * @param extra the resource's own values (a template's {@code vars:}, a kind's fields), over the scope's
     */
    static Result render(Template main, Variables vars, Map<String, Object> extra) throws Failure {
        TemplateSources sources = new TemplateSources(main);
        PebbleEngine engine = new PebbleEngine.Builder()
                .loader(sources)
                .strictVariables(true)
                .autoEscaping(false)
                // Jinja2's own default (no trim_blocks): what follows a tag stays; '-' trims.
                .newLineTrimming(false)
                .cacheActive(false)
                .defaultLocale(Locale.ROOT)
                .maxRenderedSize(MAX_OUTPUT_CHARS)
                .build();
        TemplateContext context = new TemplateContext(vars, extra);
        StringWriter out = new StringWriter();
        try {
            engine.getTemplate(main.name()).evaluate(out, context);
        } catch (PebbleException e) {
            String name = e.getFileName() != null && sources.known(e.getFileName()) ? e.getFileName() : main.name();
            int line = e.getLineNumber() == null ? 0 : e.getLineNumber();
            String text = sources.text(name);
            throw new Failure(name, line, column(lineOf(text, line), e), message(e));
        } catch (StackOverflowError e) {
            throw new Failure(main.name(), 1, 1, "the template includes itself or calls a macro without end");
        } catch (IOException | RuntimeException e) {
            // Pebble wraps what it knows; anything else (a filter given a value it cannot take)
            // is still the template's problem, reported at its start.
            throw new Failure(main.name(), 1, 1, e.getMessage() == null ? e.toString() : e.getMessage());
        }
        boolean sensitive = false;
        for (String name : context.used) {
            YNode v = vars.value(name);
            sensitive |= v != null && vars.isSensitive(v);
        }
        return new Result(out.toString(), sensitive);
    }

    /** Pebble's message, in the words of a playbook author. */
    private static String message(PebbleException e) {
        String m = e.getPebbleMessage();
        if (e instanceof RootAttributeNotFoundException r) {
            return "undefined variable '" + r.getAttributeName() + "'";
        }
        if (e instanceof AttributeNotFoundException a) {
            return "no attribute '" + a.getAttributeName() + "'";
        }
        if (e instanceof LoaderException) {
            return m;
        }
        if (m.startsWith("Not an iterable object")) {
            // Pebble's message quotes the value, which may be a secret.
            return "'for' needs a list or a mapping; this value is neither (a string or a number?)";
        }
        return m.replace(" and strict variables is set to true", "");
    }

    private static String lineOf(String text, int line) {
        if (text == null || line < 1) {
            return "";
        }
        String[] lines = text.split("\n", -1);
        return line <= lines.length ? lines[line - 1] : "";
    }

    private static final Pattern TAG = Pattern.compile("\\{[{%#].*?(?:[}%#]}|$)");
    private static final Pattern FILTER = Pattern.compile("Filter \\[(.+)] does not exist.*");
    private static final Pattern FUNCTION = Pattern.compile("Function or Macro \\[(.+)] does not exist.*");
    private static final Pattern TOKEN = Pattern.compile("Unexpected token .*of value \"(.*?)\".*", Pattern.DOTALL);
    private static final Pattern END_TAG = Pattern.compile(".*looking for the \"end(\\w+)\" tag.*", Pattern.DOTALL);

    /**
     * The 1-based column on {@code line} that an error names: the undefined variable, the
     * missing attribute, the unknown filter or function, the list of a {@code for} over
     * something else, the unexpected token, the tag left open — its first occurrence inside a
     * tag. Otherwise the line's first tag; otherwise 1.
     */
    static int column(String line, PebbleException e) {
        String m = e.getPebbleMessage() == null ? "" : e.getPebbleMessage();
        Pattern p = null;
        Matcher x;
        if (e instanceof RootAttributeNotFoundException r) {
            p = Pattern.compile("(?<![\\w.])(" + Pattern.quote(r.getAttributeName()) + ")(?!\\w)");
        } else if (e instanceof AttributeNotFoundException a) {
            p = Pattern.compile("(?:\\.\\s*|\\[\\s*['\"])(" + Pattern.quote(a.getAttributeName()) + ")(?!\\w)");
        } else if ((x = FILTER.matcher(m)).matches()) {
            p = Pattern.compile("\\|\\s*(" + Pattern.quote(x.group(1)) + ")(?!\\w)");
        } else if ((x = FUNCTION.matcher(m)).matches()) {
            p = Pattern.compile("(?<![\\w.])(" + Pattern.quote(x.group(1)) + ")\\s*\\(");
        } else if (m.startsWith("Not an iterable object")) {
            p = Pattern.compile("\\{%-?\\s*for\\s.*?\\sin\\s+(\\S)");
        } else if ((x = END_TAG.matcher(m)).matches()) {
            p = Pattern.compile("(\\{%-?\\s*" + Pattern.quote(x.group(1)) + ")(?!\\w)");
        } else if ((x = TOKEN.matcher(m)).matches() && !x.group(1).isEmpty()) {
            p = Pattern.compile("(" + Pattern.quote(x.group(1)) + ")");
        }
        Matcher tags = TAG.matcher(line);
        int firstTag = -1;
        while (tags.find()) {
            firstTag = firstTag < 0 ? tags.start() : firstTag;
            if (p != null) {
                Matcher in = p.matcher(line).region(tags.start(), tags.end());
                if (in.find()) {
                    return in.start(1) + 1;
                }
            }
        }
        return firstTag < 0 ? 1 : firstTag + 1;
    }

    /**
     * A YAML value as a template works with it: strings, integers, decimals, booleans, null,
     * lists, and mappings iterated in key order (reproducible whatever order they were merged in).
     */
    public static Object toJava(YNode node) {
        if (node instanceof YNode.Seq seq) {
            List<Object> out = new ArrayList<>();
            seq.items().forEach(i -> out.add(toJava(i)));
            return out;
        }
        if (node instanceof YNode.Map map) {
            Map<String, Object> out = new TreeMap<>();
            map.entries().values().forEach(e -> out.put(e.key(), toJava(e.value())));
            return out;
        }
        YNode.Scalar s = (YNode.Scalar) node;
        try {
            return switch (s.kind()) {
                case NULL -> null;
                case BOOLEAN -> s.asBoolean();
                case INTEGER -> {
                    BigInteger big = new BigInteger(s.text().trim().replace("_", "").replaceFirst("^\\+", ""));
                    yield big.bitLength() < 64 ? (Object) big.longValue() : big;
                }
                case NUMBER -> new BigDecimal(s.text().trim());
                case STRING -> s.text();
            };
        } catch (NumberFormatException e) {
            return s.text(); // 0x1F, 0o17, .inf: YAML numbers Java does not read; the text is what was written
        }
    }
}
