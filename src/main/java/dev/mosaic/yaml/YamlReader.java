package dev.mosaic.yaml;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.SourcePos;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.parser.ParserImpl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads YAML text into a {@link YNode} tree with positions. Uses SnakeYAML's parser events (no
 * object construction, so no arbitrary types can be instantiated) and reports duplicate keys,
 * anchors misuse and syntax errors as diagnostics.
 *
 * <p>This class holds what comes before and after the parse: decoding, the file's limits, and
 * syntax errors said in the user's terms. {@link TreeBuilder} turns the events into the tree (and
 * counts what aliases expand to); {@link ScalarKinds} gives an unquoted value its YAML type.
 */
public final class YamlReader {

    private YamlReader() {
    }

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

    /**
     * The message for a syntax error at the brace of an unquoted {@code ${…}} inside a flow
     * collection, where YAML (every YAML tool, not only Mosaic) reads the brace as the start of a
     * mapping; null when the error is elsewhere.
     */
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
        TreeBuilder builder = new TreeBuilder(fileName, new ParserImpl(reader, options), options);
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

    /** The implicit YAML type of an unquoted text, the way it would be read from a file. */
    public static YNode.Scalar.Kind resolveKind(String text, boolean plain) {
        return ScalarKinds.kindOf(ScalarKinds.resolve(text, plain), plain);
    }

    static SourcePos pos(String file, Mark m) {
        return new SourcePos(file, m.getLine() + 1, m.getColumn() + 1);
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*\\n\\s*", " ").trim();
    }
}
