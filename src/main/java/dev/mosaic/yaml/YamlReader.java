package dev.mosaic.yaml;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.SourcePos;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.events.SequenceStartEvent;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.resolver.Resolver;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads YAML text into a {@link YNode} tree with positions. Uses SnakeYAML's parser events (no
 * object construction, so no arbitrary types can be instantiated) and reports duplicate keys,
 * anchors misuse and syntax errors as diagnostics.
 */
public final class YamlReader {

    private static final Resolver RESOLVER = new Resolver();

    private YamlReader() {
    }

    /**
     * The message for a syntax error at the brace of an unquoted {@code ${…}} inside a flow
     * collection, where YAML (every YAML tool, not only Mosaic) reads the brace as the start of a
     * mapping; null when the error is elsewhere.
     */
    /**
     * What usually causes a parser's complaint, said in the user's terms: most malformed playbooks
     * are a line indented off its siblings, a tab, a colon in an unquoted value, or a quote left open.
     */
    static String hint(String problem, String text, Mark m) {
        String p = String.valueOf(problem);
        String line = "";
        String previous = "";
        if (m != null) {
            List<String> lines = text.lines().toList();
            line = m.getLine() < lines.size() ? lines.get(m.getLine()) : "";
            for (int i = Math.min(m.getLine(), lines.size()) - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank() && !lines.get(i).trim().startsWith("#")) {
                    previous = lines.get(i);
                    break;
                }
            }
        }
        if (p.contains("'\\t'") || p.contains("\t") || line.startsWith("\t")) {
            return "; hint: YAML indents with spaces only, replace the tab";
        }
        if (p.contains("mapping values are not allowed")) {
            int indent = indent(line);
            return indent > indent(previous) && !previous.trim().endsWith(":")
                    ? "; hint: this line is indented deeper than the one before it (column " + (indent(previous) + 1)
                    + "); the keys of one mapping start in the same column"
                    : "; hint: a value that holds ': ' must be quoted, as in key: \"a: b\"";
        }
        if (p.contains("expected <block end>") || p.contains("did not find expected key")
                || p.contains("did not find expected '-'")) {
            return "; hint: check this line's indentation against the lines above it: the keys of one mapping,"
                    + " and the items of one list, start in the same column";
        }
        if (p.contains("could not find expected ':'")) {
            return "; hint: a key lacks its ': ', or a quote opened earlier is never closed";
        }
        if (p.contains("while scanning a quoted scalar") || p.contains("end of stream")) {
            return "; hint: a quote is opened and never closed";
        }
        return "";
    }

    private static int indent(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    private static String unquotedReference(String text, Mark m) {
        if (m == null || m.getIndex() < 1 || m.getIndex() > text.codePointCount(0, text.length()) - 1) {
            return null;
        }
        int at = text.offsetByCodePoints(0, m.getIndex());
        if (text.charAt(at) != '{' || text.charAt(at - 1) != '$') {
            return null;
        }
        int end = text.indexOf('}', at);
        int eol = text.indexOf('\n', at);
        String ref = end > 0 && (eol < 0 || end < eol) && end - at < 200 ? text.substring(at - 1, end + 1) : "${…}";
        return "malformed YAML: " + ref + " inside [ ] or { } must be quoted, since YAML reads its braces as a mapping:"
                + " quote the whole value, as in [\"/lib/" + ref + "/x\"] or { key: \"" + ref + "\" } (outside [ ] and"
                + " { }, no quotes are needed)";
    }

    /**
     * A file's bytes as UTF-8 text; null when they are not valid UTF-8, reported at the line and
     * column of the first bad byte (a file saved in Latin-1, a binary file given by mistake).
     */
    public static String text(String fileName, byte[] bytes, Diagnostics diags) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            decoder.flush(out);
            return out.flip().toString();
        }
        int bad = in.position();
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < bad; i++) {
            if (bytes[i] == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        int column = new String(bytes, lineStart, bad - lineStart, StandardCharsets.UTF_8).length() + 1;
        diags.error(new SourcePos(fileName, line, column), String.format(
                "the file is not UTF-8 text: byte 0x%02x cannot be read here (save it as UTF-8)", bytes[bad] & 0xff));
        return null;
    }

    /**
     * A YAML file of Mosaic (playbook, module, inventory, a {@code ${file:…}} read as YAML) has
     * at most this many characters; a longer one is refused before it is parsed.
     */
    public static final int MAX_CHARS = 64 * 1024 * 1024;

    /**
     * A file's text (see {@link #text}), refused before it is read when it is bigger than
     * {@link #MAX_CHARS} bytes could hold (UTF-8 has at least one byte per character, and more
     * bytes than that cannot be fewer characters than the limit only for non-ASCII text: such a
     * file is still refused after decoding, by {@link #read}). Null when refused (see diags).
     *
     * @throws IOException when the file cannot be read (the caller names it)
     */
    public static String readFile(java.nio.file.Path file, Diagnostics diags) throws IOException {
        if (java.nio.file.Files.isDirectory(file)) {
            throw new IOException("it is a directory");
        }
        if (java.nio.file.Files.exists(file) && !java.nio.file.Files.isRegularFile(file)) {
            throw new IOException("it is not a regular file"); // a FIFO or a device could be read forever
        }
        long size = java.nio.file.Files.size(file);
        if (size > 4L * MAX_CHARS) {
            diags.error(new SourcePos(file.toString(), 1, 1), tooLong(size + " bytes"));
            return null;
        }
        return text(file.toString(), java.nio.file.Files.readAllBytes(file), diags);
    }

    private static String tooLong(String size) {
        return "the file is too long (" + size + "); a YAML file of Mosaic has at most " + MAX_CHARS
                + " characters (64 Mi)";
    }

    /** Returns the document's root, or null when the text is empty or has errors (see diags). */
    public static YNode read(String fileName, String text, Diagnostics diags) {
        if (text.length() > MAX_CHARS) { // before any parsing: a length is all it takes
            diags.error(new SourcePos(fileName, 1, 1), tooLong(text.length() + " characters"));
            return null;
        }
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true); // detected below, with both positions
        options.setMaxAliasesForCollections(50);
        options.setNestingDepthLimit(100);
        options.setCodePointLimit(MAX_CHARS);
        TextReader reader = new TextReader(fileName, text);
        int bad = reader.firstNonPrintable();
        if (bad >= 0) {
            diags.error(position(fileName, text, text.offsetByCodePoints(0, bad)), String.format(
                    "malformed YAML: the character U+%04X cannot appear in a YAML file (write it as an escape"
                            + " in a double-quoted string, e.g. \"\\x07\")", reader.codePointAt(bad)));
            return null;
        }
        Builder builder = new Builder(fileName, new ParserImpl(reader, options), options);
        YNode root;
        try {
            root = builder.document();
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            SourcePos pos = m == null ? new SourcePos(fileName, 1, 1) : pos(fileName, m);
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String context = e.getContext() != null ? " (" + oneLine(e.getContext()) + ")" : "";
            String reference = unquotedReference(text, e.getProblemMark());
            if (reference != null) { // at its $
                pos = new SourcePos(pos.file(), pos.line(), pos.column() - 1);
            }
            diags.error(pos, reference != null ? reference : "malformed YAML: " + oneLine(problem) + context
                    + hint(problem, text, e.getProblemMark()));
            return null;
        } catch (RuntimeException e) {
            diags.error(new SourcePos(fileName, 1, 1), "malformed YAML: " + oneLine(String.valueOf(e.getMessage())));
            return null;
        }
        // Problems of the tree count only for a document that parsed: a syntax error says it all.
        diags.addAll(builder.found.sorted());
        // A tree whose only faults are ignored keys (a duplicate, a merge key) may still be read
        // on, so that one pass reports the rest of the file's errors too; one that hit a limit
        // (an alias bomb, a recursive alias) is not, as going on would cost what the limit spares.
        return builder.stopped || builder.recursive ? null : root;
    }

    /** The line and column of the character at {@code offset} (a char index) of {@code text}. */
    private static SourcePos position(String fileName, String text, int offset) {
        int line = 1;
        int lineStart = 0;
        for (int i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
            line++;
            lineStart = i + 1;
        }
        return new SourcePos(fileName, line, text.codePointCount(lineStart, offset) + 1);
    }

    /**
     * At most this many characters of text added by expanding aliases. {@link #MAX_VALUES}
     * alone lets 3,000 aliases of a 1 MB scalar through (3 GB of text for what follows, 41 s to
     * plan); this counts what they weigh. Text written out is bounded by {@link #MAX_CHARS}.
     */
    static final long MAX_ALIAS_CHARS = 16L * 1024 * 1024;

    /**
     * At most this many values added by expanding aliases. SnakeYAML limits how many aliases a
     * document uses, but a few aliases of aliases still multiply (the "billion laughs"). Values
     * written out are not limited (the text's length bounds them): a playbook of 50,000 files
     * has some 250,000.
     */
    static final int MAX_VALUES = 200_000;

    /** A problem SnakeYAML's composer would report, with the same text and position. */
    private static final class Malformed extends MarkedYAMLException {
        Malformed(String context, Mark contextMark, String problem, Mark problemMark) {
            super(context, contextMark, problem, problemMark);
        }
    }

    /**
     * Builds the {@link YNode} tree straight from SnakeYAML's parser events, checking what its
     * composer checks (undefined aliases, aliases of collections, nesting depth, global tags, a
     * single document) with the same messages, without composing SnakeYAML's own node graph first.
     *
     * <p>An alias is its anchor's value: the tree is immutable, so the value is shared, not
     * copied, but counted as often as it is used. A recursive alias (an anchor used inside its
     * own value) and a document that grows beyond {@link #MAX_VALUES} are reported instead of
     * expanded without end.
     */
    private static final class Builder {
        /** An anchor's value, or null while that value is being read (an alias to it is recursive). */
        private record Anchored(YNode node, int values, long chars, SourcePos pos) {
        }

        private final String file;
        private final Parser parser;
        private final LoaderOptions options;
        private final Map<String, Anchored> anchors = new HashMap<>();
        /** One string per distinct key: thousands of resources repeat "type", "path"… */
        private final Map<String, String> keys = new HashMap<>();
        /** What the tree itself gets wrong (duplicate keys, recursive aliases…), kept until the parse succeeds. */
        final Diagnostics found = new Diagnostics();
        private Diagnostics diags = found;
        /** Values read so far, aliases expanded: what an anchor's value counts for each alias of it. */
        private int values;
        /** Values added by aliases so far. */
        private int expanded;
        /** Characters of scalar text read so far, aliases expanded (as {@link #values}). */
        private long chars;
        /** Characters added by aliases so far. */
        private long expandedChars;
        boolean stopped;
        /** An alias of a value met inside that value. */
        boolean recursive;
        /** Where the last alias read is written. */
        private SourcePos aliasPos;
        private int depth;
        private int collectionAliases;

        Builder(String file, Parser parser, LoaderOptions options) {
            this.file = file;
            this.parser = parser;
            this.options = options;
        }

        /** The single document's root; null for an empty stream. */
        YNode document() {
            parser.getEvent(); // stream start
            YNode root = null;
            Mark start = null;
            if (!parser.checkEvent(Event.ID.StreamEnd)) {
                start = parser.getEvent().getStartMark(); // document start
                root = node();
                parser.getEvent(); // document end
                anchors.clear();
            }
            if (!parser.checkEvent(Event.ID.StreamEnd)) {
                Event extra = parser.getEvent();
                throw new Malformed("expected a single document in the stream", start,
                        "but found another document", extra.getStartMark());
            }
            parser.getEvent();
            return root;
        }

        /** A value; what an alias repeats is counted towards {@link #MAX_VALUES} each time. */
        private YNode node() {
            if (parser.checkEvent(Event.ID.Alias)) {
                Anchored a = alias();
                values += a.values;
                expanded += a.values;
                chars += a.chars;
                expandedChars += a.chars;
                if (expanded > MAX_VALUES && !stopped) {
                    stopped = true;
                    diags.error(a.pos, "the document has more than " + MAX_VALUES
                            + " values once its aliases are expanded; write the values out instead of aliasing aliases");
                } else if (expandedChars > MAX_ALIAS_CHARS && !stopped) {
                    stopped = true;
                    diags.error(aliasPos, "the aliases of the document add more than " + MAX_ALIAS_CHARS
                            + " characters of text (16 Mi) once expanded; write big values once, not aliased over and over");
                }
                if (a.node == null) {
                    recursive = true;
                    diags.error(a.pos, "the value anchored here contains an alias of itself; a recursive structure has no end");
                    return new YNode.Scalar("", YNode.Scalar.Kind.NULL, true, a.pos);
                }
                return a.node;
            }
            values++;
            return composed();
        }

        private Anchored alias() {
            AliasEvent event = (AliasEvent) parser.getEvent();
            aliasPos = pos(file, event.getStartMark());
            String anchor = event.getAnchor();
            if (!anchors.containsKey(anchor)) {
                throw new Malformed(null, null, "found undefined alias " + anchor, event.getStartMark());
            }
            Anchored a = anchors.get(anchor);
            if (!(a.node instanceof YNode.Scalar)
                    && ++collectionAliases > options.getMaxAliasesForCollections()) {
                throw new Malformed(null, null, "more than " + options.getMaxAliasesForCollections()
                        + " aliases of lists or mappings (values once its aliases are expanded could grow without end);"
                        + " write the values out", event.getStartMark());
            }
            return a;
        }

        /** A scalar, sequence or mapping (not an alias), registered under its anchor if it has one. */
        private YNode composed() {
            if (depth > options.getNestingDepthLimit()) {
                throw new Malformed(null, null, "Nesting Depth exceeded max " + options.getNestingDepthLimit()
                        + " (lists and mappings inside each other)", parser.peekEvent().getStartMark());
            }
            depth++;
            NodeEvent start = (NodeEvent) parser.getEvent();
            SourcePos pos = pos(file, start.getStartMark());
            String anchor = start.getAnchor();
            int before = values;
            long charsBefore = chars;
            YNode node;
            if (start instanceof ScalarEvent s) {
                Tag tag = tag(s.getTag(), s.getStartMark());
                boolean plain = s.isPlain();
                int half = loneSurrogate(s.getValue());
                if (half >= 0) { // only an escape makes one (a "\uD800"): no file name or text can hold it
                    throw new Malformed(null, null, String.format("the escape \\u%04X is half of a surrogate pair, not a"
                            + " character: write the character itself or its \\U00XXXXXX escape", (int) s.getValue().charAt(half)),
                            s.getStartMark());
                }
                // Only a plain scalar has an implicit type: quoted ones are strings, unresolved.
                node = new YNode.Scalar(s.getValue(),
                        tag != null ? kindOf(tag, plain) : plain ? kindOf(resolve(s), true) : YNode.Scalar.Kind.STRING,
                        plain, pos);
                chars += s.getValue().length();
            } else {
                tag(((CollectionStartEvent) start).getTag(), start.getStartMark());
                Anchored inProgress = anchor == null ? null : new Anchored(null, 0, 0, pos);
                if (anchor != null) {
                    anchors.put(anchor, inProgress);
                }
                node = start instanceof SequenceStartEvent ? sequence(pos) : mapping(pos);
                // An anchor redefined inside the value keeps its new value, as in SnakeYAML.
                if (anchor != null && anchors.get(anchor) != inProgress) {
                    anchor = null;
                }
            }
            if (anchor != null) {
                anchors.put(anchor, new Anchored(node, values - before + 1, chars - charsBefore, pos));
            }
            depth--;
            return node;
        }

        /** An explicit tag, refused when it names a global tag; null when the tag is implicit. */
        private Tag tag(String tag, Mark at) {
            if (tag == null || tag.equals("!")) {
                return null;
            }
            Tag t = new Tag(tag);
            if (t.isCustomGlobal() && !options.getTagInspector().isGlobalTagAllowed(t)) {
                throw new Malformed(null, null, "Global tag is not allowed: " + tag, at);
            }
            return t;
        }

        /** The index of the first surrogate that is not half of a pair, or -1. */
        private static int loneSurrogate(String v) {
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (Character.isHighSurrogate(c) && i + 1 < v.length() && Character.isLowSurrogate(v.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    return i;
                }
            }
            return -1;
        }

        private static Tag resolve(ScalarEvent s) {
            return YamlReader.resolve(s.getValue(), s.getImplicit().canOmitTagInPlainScalar());
        }

        private YNode sequence(SourcePos pos) {
            List<YNode> items = new ArrayList<>();
            while (!parser.checkEvent(Event.ID.SequenceEnd)) {
                items.add(node());
            }
            parser.getEvent();
            return new YNode.Seq(items, pos);
        }

        private YNode mapping(SourcePos pos) {
            LinkedHashMap<String, YNode.Entry> entries = new LinkedHashMap<>();
            while (!parser.checkEvent(Event.ID.MappingEnd)) {
                SourcePos keyPos = pos(file, parser.peekEvent().getStartMark());
                String key = key();
                if (key == null) {
                    diags.error(keyPos, "keys must be plain strings");
                    ignoredValue();
                    continue;
                }
                if (key.equals(MERGE)) {
                    diags.error(keyPos, "merge keys ('<<') are not supported; write the fields out");
                    ignoredValue();
                    continue;
                }
                YNode.Entry previous = entries.get(key);
                if (previous != null) {
                    diags.error(keyPos, "duplicate key '" + key + "' (first defined at " + previous.keyPos() + ")");
                    ignoredValue();
                    continue;
                }
                entries.put(key, new YNode.Entry(key, keyPos, node()));
            }
            parser.getEvent();
            return new YNode.Map(entries, pos);
        }

        /** Stands for a merge key ({@code <<}) among keys; no text can hold it. */
        private static final String MERGE = "\u0000<<";

        /** A key's text, {@link #MERGE} for a merge key, or null for a key that is no scalar. Not counted. */
        private String key() {
            int before = values;
            int beforeExpanded = expanded;
            long charsBefore = chars;
            long beforeExpandedChars = expandedChars;
            boolean wasStopped = stopped;
            try {
                if (parser.checkEvent(Event.ID.Alias)) {
                    return alias().node instanceof YNode.Scalar s ? s.text() : null;
                }
                if (parser.peekEvent() instanceof ScalarEvent s) {
                    // Only a plain '<<' or an explicit !!merge resolves to a merge key: other
                    // keys need no resolving (their YAML type does not matter, a key is text).
                    Tag explicit = tag(s.getTag(), s.getStartMark());
                    boolean merge = explicit != null ? explicit.equals(Tag.MERGE)
                            : s.getValue().equals("<<") && resolve(s).equals(Tag.MERGE);
                    YNode.Scalar text = (YNode.Scalar) composed();
                    return merge ? MERGE : keys.computeIfAbsent(text.text(), k -> k);
                }
                ignored();
                return null;
            } finally {
                values = before;
                expanded = beforeExpanded;
                chars = charsBefore;
                expandedChars = beforeExpandedChars;
                stopped = wasStopped;
            }
        }

        private void ignoredValue() {
            int before = values;
            int beforeExpanded = expanded;
            long charsBefore = chars;
            long beforeExpandedChars = expandedChars;
            boolean wasStopped = stopped;
            ignored();
            values = before;
            expanded = beforeExpanded;
            chars = charsBefore;
            expandedChars = beforeExpandedChars;
            stopped = wasStopped;
        }

        /** Reads a value that is not kept: its anchors count, its problems do not. */
        private void ignored() {
            Diagnostics kept = diags;
            diags = new Diagnostics();
            try {
                node();
            } finally {
                diags = kept;
            }
        }
    }

    /** The implicit YAML type of an unquoted text, the way it would be read from a file. */
    public static YNode.Scalar.Kind resolveKind(String text, boolean plain) {
        return kindOf(resolve(text, plain), plain);
    }

    /** YAML 1.1's booleans and nulls: the only plain scalars starting with a letter that are not strings. */
    private static final java.util.Set<String> BOOLEANS = java.util.Set.of("yes", "Yes", "YES", "no", "No", "NO",
            "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF");
    private static final java.util.Set<String> NULLS = java.util.Set.of("null", "Null", "NULL", "~");

    /**
     * The tag SnakeYAML's resolver gives a scalar, without its regular expressions for the plain
     * scalars that start with a letter (ids, kinds, words: most of a playbook), whose only
     * non-string readings are the words above; anything else goes to SnakeYAML.
     */
    private static Tag resolve(String text, boolean plain) {
        if (plain && !text.isEmpty() && (Character.isLetter(text.charAt(0)) || text.charAt(0) == '~'
                || text.charAt(0) == '/' || text.charAt(0) == '$' || text.charAt(0) == '_')) {
            return BOOLEANS.contains(text) ? Tag.BOOL : NULLS.contains(text) ? Tag.NULL : Tag.STR;
        }
        return RESOLVER.resolve(org.yaml.snakeyaml.nodes.NodeId.scalar, text, plain);
    }

    private static YNode.Scalar.Kind kindOf(Tag tag, boolean plain) {
        if (!plain) {
            return YNode.Scalar.Kind.STRING;
        }
        if (tag.equals(Tag.INT)) {
            return YNode.Scalar.Kind.INTEGER;
        }
        if (tag.equals(Tag.FLOAT)) {
            return YNode.Scalar.Kind.NUMBER;
        }
        if (tag.equals(Tag.BOOL)) {
            return YNode.Scalar.Kind.BOOLEAN;
        }
        if (tag.equals(Tag.NULL)) {
            return YNode.Scalar.Kind.NULL;
        }
        return YNode.Scalar.Kind.STRING;
    }

    static SourcePos pos(String file, Mark m) {
        return new SourcePos(file, m.getLine() + 1, m.getColumn() + 1);
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*\\n\\s*", " ").trim();
    }
}
