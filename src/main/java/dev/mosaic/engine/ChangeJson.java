package dev.mosaic.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Command;
import dev.mosaic.resource.Diff;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One plan entry as JSON, written and read by this class alone: the {@code change} object of
 * {@code plan --json} ({@code schemas/plan.schema.json#/$defs/change}) is what {@link #write}
 * makes, and a saved plan file holds exactly that object for each of its changes
 * ({@link SavedPlan}), so the two documents cannot drift apart. {@link #read} is its inverse for
 * the saved file.
 *
 * <p>What the object does not keep: the text of content diffs (only size and digest; {@code plan
 * --json} adds a unified diff made from it, through {@link Unified}), and what belongs to one
 * document only (the saved file adds the fingerprint and the {@code because} chain around it).
 */
public final class ChangeJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /**
     * The unified diff of a text content change ({@code before} null: new content), as
     * {@code plan --json} shows it; the rendering is the renderer's, so it is handed in.
     */
    @FunctionalInterface
    public interface Unified {
        String of(Address address, String field, String before, String after);
    }

    private ChangeJson() {
    }

    /** The change object of {@code c}; with {@code unified} null, content diffs carry no unified text. */
    public static ObjectNode write(PlannedChange c, Unified unified) {
        ObjectNode n = NODES.objectNode();
        n.put("address", c.address().toString());
        n.put("type", c.kind());
        n.put("id", c.address().id());
        n.put("status", c.status().name().toLowerCase(Locale.ROOT));
        n.put("action", c.action().word());
        // A refresh is always for a notification; no cause is null, not "" (plan.schema.json).
        n.put("cause", c.action() == Action.REFRESH ? Cause.NOTIFIED.word() : c.cause() == Cause.NONE ? null : c.cause().word());
        if (!c.description().isEmpty()) {
            n.put("description", c.description());
        }
        if (!c.after().isEmpty()) {
            ArrayNode after = n.putArray("after");
            c.after().stream().map(Address::toString).forEach(after::add);
        }
        if (!c.error().isEmpty()) {
            n.put("message", c.error());
        }
        if (!c.paths().isEmpty()) {
            ArrayNode paths = n.putArray("paths");
            c.paths().forEach(paths::add);
        }
        if (!c.commands().isEmpty()) {
            ArrayNode commands = n.putArray("commands");
            for (Command k : c.commands()) {
                commands.addObject().put("command", k.line()).put("dir", k.dir()).put("confined", k.confined())
                        .put("network", k.network());
            }
        }
        ArrayNode diffs = n.putArray("diffs");
        for (Diff d : c.diffs()) {
            diffs.add(diff(c.address(), d, unified));
        }
        return n;
    }

    private static ObjectNode diff(Address address, Diff d, Unified unified) {
        ObjectNode n = NODES.objectNode();
        n.put("field", d.field());
        if (d instanceof Diff.Field f) {
            n.put("kind", "value");
            n.put("before", f.before());
            n.put("after", f.after());
        } else if (d instanceof Diff.Content c) {
            n.put("kind", "content");
            n.set("before", blob(c.before()));
            n.set("after", blob(c.after()));
            if (unified != null && c.after() != null && c.after().text() != null
                    && (c.before() == null || c.before().text() != null)) {
                n.put("unified", unified.of(address, c.field(), c.before() == null ? null : c.before().text(),
                        c.after().text()));
            }
        } else if (d instanceof Diff.Tree t) {
            n.put("kind", "tree");
            t.added().forEach(n.putArray("added")::add);
            t.changed().forEach(n.putArray("changed")::add);
            t.removed().forEach(n.putArray("removed")::add);
        }
        return n;
    }

    private static ObjectNode blob(Diff.Blob b) {
        return b == null ? null : NODES.objectNode().put("size", b.size()).put("sha256", b.sha256());
    }

    /**
     * The entry a change object stands for, with {@code seen} and {@code because} from around it.
     * Anything that is not a change object this class writes is an {@link IllegalArgumentException}.
     */
    public static PlannedChange read(JsonNode n, Fingerprint seen, List<PlannedChange.Upstream> because) {
        List<Command> commands = new ArrayList<>();
        for (JsonNode k : array(n, "commands")) {
            commands.add(new Command(text(k, "command"), text(k, "dir"), bool(k, "network"), bool(k, "confined")));
        }
        List<Diff> diffs = new ArrayList<>();
        for (JsonNode d : array(n, "diffs")) {
            diffs.add(diff(d));
        }
        String cause = n.path("cause").isNull() ? null : text(n, "cause");
        return new PlannedChange(address(text(n, "address")), text(n, "type"), optional(n, "description"),
                Action.ofWord(text(n, "action")), cause == null ? Cause.NONE : Cause.ofWord(cause), diffs,
                strings(n, "after").stream().map(ChangeJson::address).toList(), status(text(n, "status")),
                optional(n, "message"), seen, commands, strings(n, "paths"), because, null);
    }

    private static Diff diff(JsonNode d) {
        String field = text(d, "field");
        return switch (text(d, "kind")) {
            case "value" -> new Diff.Field(field, nullable(d, "before"), nullable(d, "after"));
            case "content" -> new Diff.Content(field, blob(d.get("before")), blob(d.get("after")));
            case "tree" -> new Diff.Tree(field, strings(d, "added"), strings(d, "changed"), strings(d, "removed"));
            default -> throw new IllegalArgumentException("not a diff kind: " + d.get("kind"));
        };
    }

    private static Diff.Blob blob(JsonNode b) {
        if (b == null || b.isNull()) {
            return null;
        }
        if (!b.path("size").canConvertToLong()) {
            throw new IllegalArgumentException("not a size: " + b.get("size"));
        }
        return new Diff.Blob(b.get("size").longValue(), text(b, "sha256"), null);
    }

    private static PlannedChange.Status status(String word) {
        for (PlannedChange.Status s : PlannedChange.Status.values()) {
            if (s.name().toLowerCase(Locale.ROOT).equals(word)) {
                return s;
            }
        }
        throw new IllegalArgumentException("not a status: " + word);
    }

    static Address address(String text) {
        return Address.parse(text).orElseThrow(() -> new IllegalArgumentException("not an address: " + text));
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("'" + field + "' is not a string");
        }
        return v.textValue();
    }

    private static String optional(JsonNode n, String field) {
        return n.has(field) ? text(n, field) : "";
    }

    private static String nullable(JsonNode n, String field) {
        return n.path(field).isNull() || n.path(field).isMissingNode() ? null : text(n, field);
    }

    private static boolean bool(JsonNode n, String field) {
        if (!n.path(field).isBoolean()) {
            throw new IllegalArgumentException("'" + field + "' is not a boolean");
        }
        return n.get(field).booleanValue();
    }

    static List<JsonNode> array(JsonNode n, String field) {
        JsonNode a = n.get(field);
        if (a == null) {
            return List.of();
        }
        if (!a.isArray()) {
            throw new IllegalArgumentException("'" + field + "' is not an array");
        }
        List<JsonNode> out = new ArrayList<>();
        a.forEach(out::add);
        return out;
    }

    private static List<String> strings(JsonNode n, String field) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : array(n, field)) {
            if (!s.isTextual()) {
                throw new IllegalArgumentException("'" + field + "' holds a non-string");
            }
            out.add(s.textValue());
        }
        return out;
    }
}
