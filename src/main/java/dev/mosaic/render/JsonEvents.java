package dev.mosaic.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mosaic.engine.Events;
import dev.mosaic.engine.Outcome;
import dev.mosaic.engine.PlannedChange;
import dev.mosaic.resource.Address;

import java.io.PrintWriter;
import java.time.Instant;

/**
 * {@code apply --json}: one JSON object per line as things happen — {@code started},
 * {@code output} (a line of a resource's work: build output, download progress),
 * {@code finished} — and the apply document last, as a {@code summary} event. Described by
 * {@code schemas/events.schema.json}. Thread-safe: lines are written whole.
 */
public final class JsonEvents implements Events {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintWriter out;

    public JsonEvents(PrintWriter out) {
        this.out = out;
    }

    private ObjectNode event(String kind, Address address) {
        ObjectNode n = JSON.createObjectNode();
        n.put("event", kind);
        n.put("time", Instant.now().toString());
        if (address != null) {
            n.put("address", address.toString());
        }
        return n;
    }

    private synchronized void emit(ObjectNode n) {
        try {
            out.println(JSON.writeValueAsString(n));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    @Override
    public void started(Address address, PlannedChange planned, long expectedMillis) {
        ObjectNode n = event("started", address);
        n.put("action", planned.action().word());
        n.put("cause", planned.cause().word().isEmpty() ? null : planned.cause().word());
        if (expectedMillis >= 0) {
            n.put("expected_millis", expectedMillis);
        }
        emit(n);
    }

    @Override
    public void output(Address address, String line) {
        ObjectNode n = event("output", address);
        n.put("line", line);
        emit(n);
    }

    @Override
    public void finished(Outcome o) {
        if (o.status() == Outcome.Status.UNCHANGED) {
            return;
        }
        ObjectNode n = event("finished", o.address());
        n.put("status", o.status().word());
        n.put("action", o.change().action().word());
        n.put("cause", o.cause().word().isEmpty() ? null : o.cause().word());
        n.put("millis", o.millis());
        if (!o.message().isEmpty()) {
            n.put("message", o.message());
        }
        emit(n);
    }

    @Override
    public void warning(String message) {
        ObjectNode n = event("warning", null);
        n.put("message", message);
        emit(n);
    }

    /** The last line: the apply document of {@code schemas/apply.schema.json}, as a summary event. */
    public void summary(String applyDocument) {
        try {
            ObjectNode n = (ObjectNode) JSON.readTree(applyDocument);
            ObjectNode e = event("summary", null);
            e.setAll(n);
            emit(e);
        } catch (java.io.IOException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
