package dev.mosaic.resource.template;

import dev.mosaic.resource.Variables;
import dev.mosaic.yaml.YNode;
import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.error.AttributeNotFoundException;
import io.pebbletemplates.pebble.error.LoaderException;
import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.error.RootAttributeNotFoundException;
import io.pebbletemplates.pebble.loader.Loader;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders one template with Pebble (Jinja syntax), strictly: an undefined variable or attribute,
 * a syntax error, an unknown filter or iterating over what is not a list or mapping fails with
 * the template's {@code file:line:col}. Pebble reports the line; the column is found on that
 * line from what the error names (the variable, the filter, the token), see {@link #column}.
 *
 * <p>Output is a function of the template and the values only: mappings are iterated in key
 * order, nothing reads the clock, the locale is fixed, and output is not HTML-escaped.
 */
final class Renderer {

    /** More output than this is refused: a loop over {@code range(1, 1000000000)} must fail, not fill the memory. */
    static final int MAX_OUTPUT_CHARS = 64 * 1024 * 1024;

    /**
     * A template's text under the name messages show it by; what it includes is looked for in
     * {@code dir} (on the machine running Mosaic) and shown as if in {@code shownDir} (null: the
     * current directory).
     */
    record Template(String name, String text, Path dir, Path shownDir) {
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

    private Renderer() {
    }

    /**
     * @param main  the template to render
     * @param vars  the scope's variables
     * @param extra the resource's own {@code vars:}, over the scope's
     */
    static Result render(Template main, Variables vars, Map<String, YNode> extra) throws Failure {
        Sources sources = new Sources(main);
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
        Context context = new Context(vars, extra);
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
     * The templates one rendering may read: the main one, and what it includes, imports or
     * extends — relative names next to the including file, on the machine running Mosaic.
     * Names are kept as messages show them; {@code files} maps them to where they are.
     */
    private static final class Sources implements Loader<String> {
        private final Template main;
        private final Map<String, Path> files = new HashMap<>();
        private final Map<String, String> texts = new HashMap<>();

        Sources(Template main) {
            this.main = main;
            texts.put(main.name(), main.text());
        }

        boolean known(String name) {
            return texts.containsKey(name) || files.containsKey(name);
        }

        String text(String name) {
            return texts.get(name);
        }

        @Override
        public Reader getReader(String name) {
            String text = texts.get(name);
            if (text == null) {
                Path file = files.get(name);
                try {
                    text = Files.readString(file == null ? Path.of(name) : file, StandardCharsets.UTF_8);
                } catch (IOException | RuntimeException e) {
                    throw new LoaderException(e, "cannot read template " + name
                            + (e instanceof java.nio.file.NoSuchFileException ? ": no such file" : ": " + e.getMessage()));
                }
                texts.put(name, text);
            }
            return new StringReader(text);
        }

        @Override
        public String resolveRelativePath(String relative, String anchor) {
            boolean fromMain = anchor.equals(main.name());
            if (!fromMain && !files.containsKey(anchor)) {
                return relative;
            }
            Path dir = fromMain ? main.dir() : files.get(anchor).getParent();
            Path shownDir = fromMain ? main.shownDir() : Path.of(anchor).getParent();
            String name = Path.of(relative).isAbsolute() ? relative
                    : (shownDir == null ? Path.of(relative) : shownDir.resolve(relative)).normalize().toString();
            files.putIfAbsent(name, dir.resolve(relative).normalize());
            return name;
        }

        @Override
        public String createCacheKey(String name) {
            return name;
        }

        @Override
        public boolean resourceExists(String name) {
            return texts.containsKey(name) || (files.containsKey(name) && Files.isRegularFile(files.get(name)));
        }

        @Override
        public void setCharset(String charset) {
        }

        @Override
        public void setPrefix(String prefix) {
        }

        @Override
        public void setSuffix(String suffix) {
        }
    }

    /**
     * The variables a template sees, looked up as it asks for them: the resource's own
     * {@code vars:} over the scope's. Records which scope variables were read, so that a
     * template using a sensitive one makes its resource sensitive.
     */
    private static final class Context extends AbstractMap<String, Object> {
        private final Variables vars;
        private final Map<String, YNode> extra;
        private final Map<String, Object> converted = new HashMap<>();
        final Set<String> used = new LinkedHashSet<>();

        Context(Variables vars, Map<String, YNode> extra) {
            this.vars = vars;
            this.extra = extra;
        }

        @Override
        public boolean containsKey(Object key) {
            return extra.containsKey(key) || vars.names().contains(key);
        }

        @Override
        public Object get(Object key) {
            if (!(key instanceof String name) || !containsKey(name)) {
                return null;
            }
            if (converted.containsKey(name)) {
                return converted.get(name);
            }
            YNode v;
            if (extra.containsKey(name)) {
                v = extra.get(name);
            } else {
                used.add(name);
                v = vars.value(name);
            }
            Object o = v == null ? null : toJava(v);
            converted.put(name, o);
            return o;
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            // Only a template that lists its whole context (_context) gets here: it reads everything.
            Map<String, Object> all = new TreeMap<>();
            for (String n : vars.names()) {
                all.put(n, get(n));
            }
            for (String n : extra.keySet()) {
                all.put(n, get(n));
            }
            return all.entrySet();
        }
    }

    /**
     * A YAML value as a template works with it: strings, integers, decimals, booleans, null,
     * lists, and mappings iterated in key order (reproducible whatever order they were merged in).
     */
    static Object toJava(YNode node) {
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
