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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

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
        return convert(fileName, root, diags, 0);
    }

    private static YNode convert(String file, Node node, Diagnostics diags, int depth) {
        SourcePos pos = pos(file, node.getStartMark());
        if (node instanceof ScalarNode s) {
            boolean plain = s.isPlain();
            return new YNode.Scalar(unshield(s.getValue()), kindOf(s.getTag(), plain), plain, pos);
        }
        if (node instanceof SequenceNode seq) {
            List<YNode> items = new ArrayList<>();
            for (Node item : seq.getValue()) {
                items.add(convert(file, item, diags, depth + 1));
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
            entries.put(key, new YNode.Entry(key, keyPos, convert(file, t.getValueNode(), diags, depth + 1)));
        }
        return new YNode.Map(entries, pos);
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
