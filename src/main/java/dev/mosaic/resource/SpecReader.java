package dev.mosaic.resource;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.SourcePos;
import dev.mosaic.yaml.YNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads one resource's YAML body into a typed spec. The body already passed the kind's JSON
 * Schema, so shapes are right; what is left are semantic checks, reported with the field's
 * position. Not thread-safe.
 */
public final class SpecReader {

    private static final java.util.regex.Pattern OCTAL_MODE = java.util.regex.Pattern.compile("0?[0-7]{3,4}");

    private final String id;
    private final YNode.Map body;
    private final Diagnostics diags;
    private final Path baseDir;
    private final Variables variables;
    private boolean failed;
    private boolean sensitive;

    public SpecReader(String id, YNode.Map body, Diagnostics diags, Path baseDir) {
        this(id, body, diags, baseDir, Variables.NONE);
    }

    public SpecReader(String id, YNode.Map body, Diagnostics diags, Path baseDir, Variables variables) {
        this.id = id;
        this.body = body;
        this.diags = diags;
        this.baseDir = baseDir;
        this.variables = variables;
    }

    /** The variables of the scope the resource is declared in (for kinds that render them). */
    public Variables variables() {
        return variables;
    }

    /**
     * Says that the spec holds something built from a sensitive value that its fields do not show
     * (a template that used a sensitive variable): the resource's diffs are then redacted.
     */
    public void markSensitive() {
        sensitive = true;
    }

    public boolean sensitive() {
        return sensitive;
    }

    /** The resource's id, for messages. */
    public String id() {
        return id;
    }

    /** The playbook's directory: relative control-side paths are read from there. */
    public Path baseDir() {
        return baseDir;
    }

    public boolean failed() {
        return failed;
    }

    public boolean has(String field) {
        return body.has(field) && !(body.get(field) instanceof YNode.Scalar s && s.kind() == YNode.Scalar.Kind.NULL);
    }

    public SourcePos pos(String field) {
        YNode n = body.get(field);
        return n != null ? n.pos() : body.pos();
    }

    /** Reports a problem with a field and marks the spec as failed. */
    public void error(String field, String message) {
        failed = true;
        diags.error(pos(field), "resource '" + id + "', field '" + field + "': " + message);
    }

    /** Reports a problem at a precise position inside the resource (a list item, a nested key). */
    public void errorAt(SourcePos at, String message) {
        failed = true;
        diags.error(at, "resource '" + id + "': " + message);
    }

    public Optional<String> optString(String field) {
        if (!has(field)) {
            return Optional.empty();
        }
        YNode n = body.get(field);
        if (n instanceof YNode.Scalar s) {
            return Optional.of(s.text());
        }
        error(field, "expected a scalar, got " + n.kindName());
        return Optional.empty();
    }

    public String string(String field, String fallback) {
        return optString(field).orElse(fallback);
    }

    /** A required string; reports a missing field. */
    public String string(String field) {
        Optional<String> v = optString(field);
        if (v.isEmpty()) {
            if (!body.has(field)) {
                failed = true;
                diags.error(body.pos(), "resource '" + id + "': missing required field '" + field + "'");
            }
            return "";
        }
        return v.get();
    }

    public boolean bool(String field, boolean fallback) {
        return optString(field).map(t -> new YNode.Scalar(t, YNode.Scalar.Kind.BOOLEAN, true, SourcePos.NONE).asBoolean())
                .orElse(fallback);
    }

    public long integer(String field, long fallback) {
        Optional<String> v = optString(field);
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(v.get().trim());
        } catch (NumberFormatException e) {
            error(field, "expected an integer, got '" + v.get() + "'");
            return fallback;
        }
    }

    /**
     * A permission mode, always read as octal digits from the source text ({@code 0644}, {@code 644}
     * or {@code "0644"} all mean rw-r--r--), so that YAML's implicit octal integers cannot surprise.
     */
    public Optional<Integer> mode(String field) {
        Optional<String> v = optString(field);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        String t = v.get().trim();
        if (!OCTAL_MODE.matcher(t).matches()) {
            error(field, "expected an octal mode like \"0644\", got '" + t + "'");
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(t, 8));
    }

    /** An absolute, normalised target path (no '..', no trailing slash). */
    public String absolutePath(String field) {
        String p = string(field);
        if (p.isEmpty()) {
            if (body.has(field)) {
                error(field, "must not be empty");
            }
            return p;
        }
        return checkAbsolute(field, p);
    }

    public String checkAbsolute(String field, String p) {
        if (!p.startsWith("/")) {
            error(field, "must be an absolute path, got '" + p + "'");
            return p;
        }
        for (String part : p.split("/")) {
            if (part.equals("..")) {
                error(field, "must not contain '..': '" + p + "'");
                return p;
            }
        }
        return TargetPaths.normalize(p);
    }

    public List<String> stringList(String field) {
        List<String> out = new ArrayList<>();
        YNode n = body.get(field);
        if (n instanceof YNode.Seq seq) {
            for (YNode item : seq.items()) {
                if (item instanceof YNode.Scalar s) {
                    out.add(s.text());
                } else {
                    error(field, "expected a list of strings");
                }
            }
        } else if (n instanceof YNode.Scalar s && s.kind() != YNode.Scalar.Kind.NULL) {
            out.add(s.text());
        }
        return out;
    }

    /** One of the allowed words; the schema normally caught anything else already. */
    public String oneOf(String field, String fallback, String... allowed) {
        String v = string(field, fallback);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        error(field, "expected one of " + String.join(", ", allowed) + ", got '" + v + "'");
        return fallback;
    }

    public YNode raw(String field) {
        return body.get(field);
    }
}
