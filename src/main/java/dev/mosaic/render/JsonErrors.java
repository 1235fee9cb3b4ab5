package dev.mosaic.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.SourcePos;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The error document every command prints with {@code --json} when it fails, described by
 * {@code schemas/errors.schema.json}: the same problems the text output reports, one object each,
 * on one line (so that it can also end the event stream of {@code apply --json}).
 *
 * <pre>{@code
 * {"format_version": "1", "errors": [{"file": "site.yml", "line": 4, "column": 7,
 *   "message": "unknown field 'pahts'", "hint": "did you mean 'paths'?"}]}
 * }</pre>
 *
 * A problem without a position (an option, the target, the state directory) has {@code file},
 * {@code line} and {@code column} null; a problem about a file as a whole has only {@code file}.
 */
public final class JsonErrors {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The two forms in which Mosaic's messages end with advice: {@code "; hint: …"} (YAML syntax)
     * and {@code " (did you mean 'x'?)"} (a misspelt name), the latter possibly followed by a list
     * of the known names. The advice becomes {@code hint}, the rest stays the message.
     */
    private static final Pattern HINT = Pattern.compile("; hint: (.*)$", Pattern.DOTALL);
    private static final Pattern DID_YOU_MEAN = Pattern.compile(" \\((did you mean '[^']*'\\?)\\)");

    private JsonErrors() {
    }

    /** The document for {@code diagnostics} (errors, and the warnings that came with them). */
    public static String render(List<Diagnostic> diagnostics) {
        List<Diagnostic> errors = diagnostics.stream().filter(Diagnostic::isError).toList();
        List<Diagnostic> warnings = diagnostics.stream().filter(d -> !d.isError()).toList();
        if (errors.isEmpty()) { // the command failed on them all the same: they are its errors
            errors = warnings;
            warnings = List.of();
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("format_version", JsonPlan.FORMAT_VERSION);
        ArrayNode e = root.putArray("errors");
        errors.forEach(d -> e.add(item(d.pos(), d.message(), null)));
        if (!warnings.isEmpty()) {
            ArrayNode w = root.putArray("warnings");
            warnings.forEach(d -> w.add(item(d.pos(), d.message(), null)));
        }
        return write(root);
    }

    /** The document for one problem without a source position, with the advice given apart (may be null). */
    public static String render(String message, String hint) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format_version", JsonPlan.FORMAT_VERSION);
        root.putArray("errors").add(item(SourcePos.NONE, message, hint));
        return write(root);
    }

    private static ObjectNode item(SourcePos pos, String message, String hint) {
        ObjectNode n = JSON.createObjectNode();
        boolean hasFile = !pos.file().isEmpty();
        n.put("file", hasFile ? pos.file() : null);
        if (pos.isKnown()) {
            n.put("line", pos.line());
            n.put("column", pos.column());
        } else {
            n.putNull("line");
            n.putNull("column");
        }
        String text = message;
        if (hint == null) {
            Matcher m = HINT.matcher(text);
            if (m.find()) {
                hint = m.group(1);
                text = text.substring(0, m.start());
            } else {
                Matcher d = DID_YOU_MEAN.matcher(text);
                if (d.find()) {
                    hint = d.group(1);
                    text = text.substring(0, d.start()) + text.substring(d.end());
                }
            }
        }
        n.put("message", text);
        if (hint != null && !hint.isEmpty()) {
            n.put("hint", hint);
        }
        return n;
    }

    private static String write(ObjectNode root) {
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
