package dev.mosaic.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mosaic.graph.Edge;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry of a saved plan file: the change object {@code plan --json} prints ({@link ChangeJson}),
 * with what only the file needs around it — the fingerprint apply checks ({@code seen}, null for
 * a deferred entry) and the {@code because} chain.
 */
final class SavedEntry {

    private SavedEntry() {
    }

    /** An entry as the file holds it: the change object of {@code plan --json}, what was seen, and why. */
    static ObjectNode written(PlannedChange c) {
        ObjectNode n = SavedPlan.Mappers.JSON.createObjectNode();
        n.set("change", ChangeJson.write(c, null));
        n.set("seen", c.status() == PlannedChange.Status.DEFERRED ? null : SavedPlan.Mappers.JSON.valueToTree(c.seen()));
        ArrayNode because = n.putArray("because");
        for (PlannedChange.Upstream u : c.because()) {
            ObjectNode up = because.addObject().put("address", u.address().toString());
            Edge e = u.edge();
            up.set("edge", e == null ? null : SavedPlan.Mappers.JSON.createObjectNode().put("from", e.from().toString())
                    .put("to", e.to().toString()).put("kind", e.kind().word()).put("reason", e.reason()));
        }
        return n;
    }

    /** The entry {@link #written} wrote; anything else is an {@link IllegalArgumentException} or {@link IOException}. */
    static PlannedChange read(JsonNode n) throws IOException {
        JsonNode change = n.get("change");
        if (change == null || !change.isObject()) {
            throw new IllegalArgumentException("an entry without its change");
        }
        JsonNode seen = n.get("seen");
        List<PlannedChange.Upstream> because = new ArrayList<>();
        for (JsonNode u : ChangeJson.array(n, "because")) {
            JsonNode e = u.get("edge");
            because.add(new PlannedChange.Upstream(ChangeJson.address(ChangeJson.text(u, "address")),
                    e == null || e.isNull() ? null : new Edge(ChangeJson.address(ChangeJson.text(e, "from")),
                            ChangeJson.address(ChangeJson.text(e, "to")), edgeKind(ChangeJson.text(e, "kind")),
                            e.get("reason") == null || e.get("reason").isNull() ? null : ChangeJson.text(e, "reason"))));
        }
        return ChangeJson.read(change, seen == null || seen.isNull() ? null : SavedPlan.Mappers.READ.treeToValue(seen, Fingerprint.class),
                because);
    }

    private static Edge.Kind edgeKind(String word) {
        for (Edge.Kind k : Edge.Kind.values()) {
            if (k.word().equals(word)) {
                return k;
            }
        }
        throw new IllegalArgumentException("not an edge kind: " + word);
    }
}
