package dev.mosaic.yaml;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.SourcePos;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * Reads YAML text into a {@link YNode} tree with positions. Uses SnakeYAML's composer (no object
 * construction, so no arbitrary types can be instantiated) and reports duplicate keys, anchors
 * misuse and syntax errors as diagnostics.
 */
public final class YamlReader {

    private static final Resolver RESOLVER = new Resolver();

    private YamlReader() {
    }

    /** Returns the document's root, or null when the text is empty or has errors (see diags). */
    /** Stand-ins for the braces of {@code ${…}}, so that YAML's flow syntax does not see them. */
    private static final char OPEN = '\uE000';
    private static final char CLOSE = '\uE001';

    /**
     * Hides the braces of every {@code ${…}} reference behind private-use characters of the same
     * length, so that {@code [ /lib/${kver}/x ]} or {@code { source: ${src} }} need no quotes
     * (YAML would read the braces as flow mappings). Positions are unchanged.
     */
    static String shieldReferences(String text) {
        StringBuilder b = new StringBuilder(text);
        for (int i = text.indexOf("${"); i >= 0; i = text.indexOf("${", i + 2)) {
            int end = -1;
            for (int j = i + 2; j < text.length() && j < i + 256; j++) {
                char c = text.charAt(j);
                if (c == '}') {
                    end = j;
                    break;
                }
                if (c == '{' || c == '\n' || c == '[' || c == ']' || c == ',' || c == ' ') {
                    break;
                }
            }
            if (end > 0) {
                b.setCharAt(i + 1, OPEN);
                b.setCharAt(end, CLOSE);
            }
        }
        return b.toString();
    }

    private static String unshield(String s) {
        return s.indexOf(OPEN) < 0 && s.indexOf(CLOSE) < 0 ? s : s.replace(OPEN, '{').replace(CLOSE, '}');
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

    public static YNode read(String fileName, String text, Diagnostics diags) {
        text = shieldReferences(text);
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true); // detected below, with both positions
        options.setMaxAliasesForCollections(50);
        options.setNestingDepthLimit(100);
        options.setCodePointLimit(64 * 1024 * 1024);
        Yaml yaml = new Yaml(options);
        Node root;
        try {
            root = yaml.compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            SourcePos pos = m == null ? new SourcePos(fileName, 1, 1) : pos(fileName, m);
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String context = e.getContext() != null ? " (" + oneLine(e.getContext()) + ")" : "";
            diags.error(pos, "malformed YAML: " + unshield(oneLine(problem) + context));
            return null;
        } catch (RuntimeException e) {
            diags.error(new SourcePos(fileName, 1, 1), "malformed YAML: " + oneLine(String.valueOf(e.getMessage())));
            return null;
        }
        if (root == null) {
            return null;
        }
        return new Converter(fileName, diags).convert(root);
    }

    /**
     * At most this many values once aliases are expanded. SnakeYAML limits how many aliases a
     * document uses, but a few aliases of aliases still multiply (the "billion laughs"); the
     * shipped playbooks have a few thousand values.
     */
    static final int MAX_VALUES = 200_000;

    /**
     * SnakeYAML's node graph as a {@link YNode} tree: each alias becomes a copy of its anchor's
     * value. A recursive alias (an anchor used inside its own value) and a document that grows
     * beyond {@link #MAX_VALUES} are reported instead of expanded without end.
     */
    private static final class Converter {
        private final String file;
        private final Diagnostics diags;
        private final Set<Node> ancestors = Collections.newSetFromMap(new IdentityHashMap<>());
        private int values;
        private boolean stopped;

        Converter(String file, Diagnostics diags) {
            this.file = file;
            this.diags = diags;
        }

        YNode convert(Node node) {
            SourcePos pos = pos(file, node.getStartMark());
            if (stopped) {
                return new YNode.Scalar("", YNode.Scalar.Kind.NULL, true, pos);
            }
            if (++values > MAX_VALUES) {
                stopped = true;
                diags.error(pos, "the document has more than " + MAX_VALUES
                        + " values once its aliases are expanded; write the values out instead of aliasing aliases");
                return new YNode.Scalar("", YNode.Scalar.Kind.NULL, true, pos);
            }
            if (!ancestors.add(node)) {
                diags.error(pos, "the value anchored here contains an alias of itself; a recursive structure has no end");
                return new YNode.Scalar("", YNode.Scalar.Kind.NULL, true, pos);
            }
            try {
                return value(node, pos);
            } finally {
                ancestors.remove(node);
            }
        }

        private YNode value(Node node, SourcePos pos) {
            if (node instanceof ScalarNode s) {
                boolean plain = s.isPlain();
                return new YNode.Scalar(unshield(s.getValue()), kindOf(s.getTag(), plain), plain, pos);
            }
            if (node instanceof SequenceNode seq) {
                List<YNode> items = new ArrayList<>();
                for (Node item : seq.getValue()) {
                    items.add(convert(item));
                }
                return new YNode.Seq(items, pos);
            }
            MappingNode map = (MappingNode) node;
            LinkedHashMap<String, YNode.Entry> entries = new LinkedHashMap<>();
            for (NodeTuple t : map.getValue()) {
                Node k = t.getKeyNode();
                SourcePos keyPos = pos(file, k.getStartMark());
                if (!(k instanceof ScalarNode ks)) {
                    diags.error(keyPos, "keys must be plain strings");
                    continue;
                }
                if (ks.getTag().equals(Tag.MERGE)) {
                    diags.error(keyPos, "merge keys ('<<') are not supported; write the fields out");
                    continue;
                }
                String key = unshield(ks.getValue());
                YNode.Entry previous = entries.get(key);
                if (previous != null) {
                    diags.error(keyPos, "duplicate key '" + key + "' (first defined at " + previous.keyPos() + ")");
                    continue;
                }
                entries.put(key, new YNode.Entry(key, keyPos, convert(t.getValueNode())));
            }
            return new YNode.Map(entries, pos);
        }
    }

    /** The implicit YAML type of an unquoted text, the way it would be read from a file. */
    public static YNode.Scalar.Kind resolveKind(String text, boolean plain) {
        return kindOf(RESOLVER.resolve(org.yaml.snakeyaml.nodes.NodeId.scalar, text, plain), plain);
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
