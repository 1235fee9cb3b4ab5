package dev.mosaic.resource;

import java.util.ArrayList;
import java.util.List;

/**
 * One thing that differs between the desired and the observed state of a resource. Renderers
 * decide how each is shown; resources only say what differs.
 */
public sealed interface Diff permits Diff.Field, Diff.Content, Diff.Tree {

    String field();

    /**
     * The name of a field that warns rather than compares (who can read a secret an image holds):
     * it names paths only, never a value, so it is shown as it is even for a sensitive resource.
     */
    String WARNING = "warning";

    /** A scalar field: {@code mode: 0600 -> 0644}. {@code null} means absent. */
    record Field(String field, String before, String after) implements Diff {
    }

    /**
     * The content of a file. Text is kept only when small and valid UTF-8, so a renderer can show a
     * unified diff; otherwise only size and digest are shown.
     */
    record Content(String field, Blob before, Blob after) implements Diff {
    }

    /** A directory tree: relative paths of files to add, change and remove. */
    record Tree(String field, List<String> added, List<String> changed, List<String> removed) implements Diff {
        public Tree {
            added = List.copyOf(added);
            changed = List.copyOf(changed);
            removed = List.copyOf(removed);
        }

        public boolean isEmpty() {
            return added.isEmpty() && changed.isEmpty() && removed.isEmpty();
        }
    }

    /**
     * The diffs of a resource built from a sensitive value, as plans, events and saved plans show
     * them: values and contents become {@code (sensitive)}, and {@code (sensitive, changed)} where a
     * value existed before and its digest differs now; neither text, size nor digest is shown (a
     * digest of a short password can be brute-forced). Tree diffs (paths only) are kept.
     */
    static List<Diff> sensitive(List<Diff> diffs) {
        String shown = "(sensitive)";
        String changed = "(sensitive, changed)";
        List<Diff> out = new ArrayList<>();
        for (Diff d : diffs) {
            if (d instanceof Field f && f.field().equals(WARNING)) {
                out.add(f);
            } else if (d instanceof Field f) {
                out.add(new Field(f.field(), f.before() == null ? null : shown,
                        f.after() == null ? null : f.before() == null ? shown : changed));
            } else if (d instanceof Content c) {
                boolean differs = c.before() != null && c.after() != null && !c.before().sha256().equals(c.after().sha256());
                out.add(new Field(c.field(), c.before() == null ? null : shown,
                        c.after() == null ? null : differs ? changed : shown));
            } else {
                out.add(d);
            }
        }
        return List.copyOf(out);
    }

    /** A content summary: size, sha256 and, for small text, the text itself. Absent = null blob. */
    record Blob(long size, String sha256, String text) {
        public static final int MAX_TEXT = 256 * 1024;

        public static Blob of(byte[] bytes) {
            return new Blob(bytes.length, Digests.sha256(bytes), Digests.textOrNull(bytes));
        }
    }
}
