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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
final class TreeBuilder {

    /**
     * At most this many characters of text added by expanding aliases. {@link #MAX_VALUES}
     * alone lets 3,000 aliases of a 1 MB scalar through (3 GB of text for what follows, 41 s to
     * plan); this counts what they weigh. Text written out is bounded by {@link YamlReader#MAX_CHARS}.
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
    static final class Malformed extends MarkedYAMLException {
        Malformed(String context, Mark contextMark, String problem, Mark problemMark) {
            super(context, contextMark, problem, problemMark);
        }
    }

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

    TreeBuilder(String file, Parser parser, LoaderOptions options) {
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
        aliasPos = YamlReader.pos(file, event.getStartMark());
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
        SourcePos pos = YamlReader.pos(file, start.getStartMark());
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
                    tag != null ? ScalarKinds.kindOf(tag, plain) : plain ? ScalarKinds.kindOf(resolve(s), true) : YNode.Scalar.Kind.STRING,
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
        return ScalarKinds.resolve(s.getValue(), s.getImplicit().canOmitTagInPlainScalar());
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
            SourcePos keyPos = YamlReader.pos(file, parser.peekEvent().getStartMark());
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
