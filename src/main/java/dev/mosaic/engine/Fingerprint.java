package dev.mosaic.engine;

import dev.mosaic.resource.Change;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.Digests;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a plan saw of one resource, small enough to keep in a saved plan: for each field that
 * differs from the playbook, what the target held ({@code observed}, in words), the digest of
 * the resource's inputs outside the playbook text, and the digest of the content the change would
 * overwrite or remove ({@code overwrites}: the before-side of a tree's change list, which the
 * diff names by path only — the files the reviewer saw listed). The playbook side is fixed by the
 * plan's playbook digest, so a diff is a function of what was observed: two observations give the
 * same fingerprint exactly when they differ from the playbook in the same way over the same
 * content.
 *
 * <p>For a planned deletion, {@code observed} maps each path to delete to its kind, size and
 * modification time.
 */
public record Fingerprint(String action, Map<String, String> observed, String inputs, String overwrites) {

    public Fingerprint {
        observed = java.util.Collections.unmodifiableMap(new TreeMap<>(observed));
        inputs = inputs == null ? "" : inputs;
        overwrites = overwrites == null ? "" : overwrites;
    }

    public Fingerprint(String action, Map<String, String> observed, String inputs) {
        this(action, observed, inputs, "");
    }

    /** The fingerprint of an observation that gave {@code change}. */
    public static Fingerprint of(Change change, String inputs) {
        return of(change, inputs, "");
    }

    /** The same, with the digest of what the change would overwrite ({@code ResourceType.overwritesDigest}). */
    public static Fingerprint of(Change change, String inputs, String overwrites) {
        Map<String, String> seen = new TreeMap<>();
        for (Diff d : change.diffs()) {
            seen.merge(d.field(), seen(d), (a, b) -> a + "; " + b);
        }
        return new Fingerprint(change.action().word(), seen, inputs, change.isNoop() ? "" : overwrites);
    }

    private static String seen(Diff d) {
        if (d instanceof Diff.Field f) {
            return f.before() == null ? "absent" : f.before();
        }
        if (d instanceof Diff.Content c) {
            return c.before() == null ? "absent" : c.before().size() + " B sha256:" + c.before().sha256();
        }
        Diff.Tree t = (Diff.Tree) d;
        // The lists can be long; their digest tells two observations apart just as well.
        return t.added().size() + " missing, " + t.changed().size() + " differing, " + t.removed().size()
                + " extra (lists sha256:" + Digests.sha256(String.join("\n", t.added()) + "\0"
                + String.join("\n", t.changed()) + "\0" + String.join("\n", t.removed())).substring(0, 16) + ")";
    }

    /** sha256 of the canonical text of this fingerprint: what a saved plan compares. */
    public String digest() {
        StringBuilder b = new StringBuilder(action).append('\n');
        observed.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        b.append("inputs=").append(inputs);
        if (!overwrites.isEmpty()) {
            b.append("\noverwrites=").append(overwrites);
        }
        return Digests.sha256(b.toString());
    }

    /**
     * What moved between {@code planned} (this resource at plan time) and {@code now}, in words:
     * {@code mode: 0600 at plan time, now 0640}. Empty when they are the same.
     */
    public static List<String> changes(Fingerprint planned, Fingerprint now) {
        List<String> out = new ArrayList<>();
        if (now.action().equals("no-op")) {
            out.add("it now matches the playbook already (the plan would " + planned.action() + " it)");
            return out;
        }
        if (!planned.action().equals(now.action())) {
            out.add("the plan would " + planned.action() + " it, it would now " + now.action() + " it");
        }
        java.util.Set<String> fields = new java.util.TreeSet<>(planned.observed().keySet());
        fields.addAll(now.observed().keySet());
        for (String f : fields) {
            String was = planned.observed().get(f);
            String is = now.observed().get(f);
            if (was == null) {
                out.add(f + ": matched the playbook at plan time, now " + is);
            } else if (is == null) {
                out.add(f + ": now matches the playbook (was " + was + " at plan time)");
            } else if (!was.equals(is)) {
                out.add(f + ": " + was + " at plan time, now " + is);
            }
        }
        if (!planned.inputs().equals(now.inputs())) {
            out.add("its inputs (source files or trees) changed");
        }
        if (!planned.overwrites().equals(now.overwrites()) && out.isEmpty()) {
            out.add("a file it would overwrite or remove was changed since the plan (its content, mode or kind)");
        }
        return out;
    }
}
