package dev.mosaic.resource;

import dev.mosaic.base.TargetPath;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.Sensitive;
import dev.mosaic.diag.SourcePos;
import dev.mosaic.yaml.YNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads one resource's YAML body into a typed spec. The body already passed the kind's JSON
 * Schema, so shapes are right; what is left are semantic checks, reported with the field's
 * position. An absent field takes its default from the kind's schema ({@link KindSchema}), and a
 * word is checked against the schema's {@code enum}: no default and no word is written in Java.
 * Not thread-safe.
 */
public final class SpecReader {

    private static final java.util.regex.Pattern OCTAL_MODE = java.util.regex.Pattern.compile("0?[0-7]{3,4}");

    private final String id;
    private final YNode.Map body;
    private final Diagnostics diags;
    private final Path baseDir;
    private final Variables variables;
    private KindSchema schema;
    private boolean failed;
    private boolean sensitive;

    public SpecReader(String id, YNode.Map body, Diagnostics diags, Path baseDir) {
        this(id, body, diags, baseDir, Variables.NONE);
    }

    public SpecReader(String id, YNode.Map body, Diagnostics diags, Path baseDir, Variables variables) {
        this(id, body, diags, baseDir, variables, null);
    }

    /** @param schema the view of the kind's schema (null: the schema of the body's {@code type}) */
    public SpecReader(String id, YNode.Map body, Diagnostics diags, Path baseDir, Variables variables, KindSchema schema) {
        this.id = id;
        this.body = body;
        this.diags = diags;
        this.baseDir = baseDir;
        this.variables = variables;
        this.schema = schema;
    }

    /** The view of the kind's schema: defaults and words of its fields. */
    public KindSchema schema() {
        if (schema == null) {
            schema = body.get("type") instanceof YNode.Scalar t ? KindSchema.of(t.text()) : KindSchema.none();
        }
        return schema;
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

    /**
     * A string: the field's value, else the schema's default, else (a required field) a report
     * that it is missing.
     */
    public String string(String field) {
        Optional<String> v = optString(field);
        if (v.isEmpty()) {
            if (schema().hasDefault(field)) {
                return schema().defaultText(field);
            }
            if (!body.has(field)) {
                failed = true;
                diags.error(body.pos(), "resource '" + id + "': missing required field '" + field + "'");
            }
            return "";
        }
        return v.get();
    }

    /** A boolean: the field's value, else the schema's default. */
    public boolean bool(String field) {
        return optBool(field).orElseGet(() -> schema().defaultBool(field));
    }

    public Optional<Boolean> optBool(String field) {
        return optString(field).map(t -> new YNode.Scalar(t, YNode.Scalar.Kind.BOOLEAN, true, SourcePos.NONE).asBoolean());
    }

    /** An integer: the field's value, else the schema's default. */
    public long integer(String field) {
        return optInteger(field).orElseGet(() -> schema().defaultInteger(field));
    }

    public Optional<Long> optInteger(String field) {
        Optional<String> v = optString(field);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(v.get().trim()));
        } catch (NumberFormatException e) {
            error(field, "expected an integer, got '" + v.get() + "'");
            return Optional.of(0L);
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

    /**
     * Whether {@code p} may name a path: {@link #pathText} (no NUL, no control characters) and no
     * sensitive value in it. Paths and link targets are stored in clear (the state's list of
     * created paths, history journals, log names) and visible to anyone who can list the
     * directory ({@code ls -l} shows a link's target): like Terraform's refusal of sensitive
     * values in for_each keys, a secret has no place in one. An error is reported at the field.
     */
    public boolean pathValue(String field, String p) {
        if (!pathText(field, p)) {
            return false;
        }
        if (!Sensitive.scrub(p).equals(p)) {
            error(field, "a sensitive value (a sensitive variable, module param, ${env:…} or ${file:…}) is used in"
                    + " this path; paths are shown in plans, stored in Mosaic's state and visible to anyone who can"
                    + " list the directory, so they must not hold a secret. A value that is not secret (${env:HOME},"
                    + " say) can be given as a variable instead: --var home=$HOME and ${home}");
            return false;
        }
        return true;
    }

    public String checkAbsolute(String field, String p) {
        if (!pathValue(field, p)) {
            return p;
        }
        if (!p.startsWith("/")) {
            error(field, "must be an absolute path, got '" + p + "'");
            return p;
        }
        if (TargetPath.hasDotDot(p)) {
            // refused here, at the field, so that no host is ever asked about it (TargetPath)
            error(field, "must not contain '..': '" + p + "'");
            return p;
        }
        return TargetPaths.normalize(p);
    }

    /**
     * A string that is rendered into one line of a configuration file: a newline (or any other
     * control character but tab) would let it add lines of its own, so it is refused at the field.
     */
    public Optional<String> optLine(String field) {
        Optional<String> v = optString(field);
        if (v.isPresent() && lineProblem(v.get()) != null) {
            error(field, lineProblem(v.get()));
            return Optional.empty();
        }
        return v;
    }

    /** Why {@code text} cannot go into one line of a configuration file, or null when it can. */
    public static String lineProblem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || c == '\u2028' || c == '\u2029' || c == '\u0085') {
                return "must be one line without control characters"
                        + String.format(" (U+%04X at character %d)", (int) c, i + 1)
                        + "; it is written into a configuration file line by line";
            }
        }
        return null;
    }

    /** Linux's limits: a name of at most 255 bytes, a path of at most 4095 (PATH_MAX with its NUL). */
    public static final int MAX_NAME_BYTES = 255;
    public static final int MAX_PATH_BYTES = 4095;

    /**
     * Whether {@code p} can be a path at all: no NUL (the system would cut the path there), no
     * other control character (a newline would split the line-based journals and logs that name
     * paths, and no admin means one), each name at most {@link #MAX_NAME_BYTES} bytes and the
     * whole at most {@link #MAX_PATH_BYTES}. Reported at the field otherwise. For target paths,
     * link targets and control-side sources alike.
     */
    public boolean pathText(String field, String p) {
        String problem = pathProblem(p);
        if (problem != null) {
            error(field, problem);
        }
        return problem == null;
    }

    /** What makes {@code p} impossible as a path, or null when nothing does (see {@link #pathText}). */
    public static String pathProblem(String p) {
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return (c == 0 ? "a path cannot hold a NUL character" : "a path must not hold control characters")
                        + String.format(" (U+%04X at character %d)", (int) c, i + 1);
            }
        }
        int bytes = p.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_PATH_BYTES) {
            return "the path is " + bytes + " bytes long; a path has at most " + MAX_PATH_BYTES;
        }
        for (String name : p.split("/")) {
            int n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (n > MAX_NAME_BYTES) {
                return "the name '" + name.substring(0, 20) + "…' is " + n + " bytes long; a file name has at most "
                        + MAX_NAME_BYTES;
            }
        }
        return null;
    }

    /** The largest uid or gid: 2^32 - 2 ((uid_t) -1 means "no change" to chown). */
    public static final long MAX_ID = 4_294_967_294L;

    /**
     * An {@code owner} or {@code group}: a name, or a number from 0 to {@link #MAX_ID}. A name
     * is looked up in the target's passwd or group file, so it cannot hold ':', '/', blanks or
     * control characters, nor start with '-' (a negative number is no id either).
     */
    public Optional<String> account(String field) {
        Optional<String> v = optString(field);
        if (v.isEmpty()) {
            return v;
        }
        String t = v.get().trim();
        String what = field.equals("group") ? "a group" : "a user";
        if (t.matches("\\d+")) {
            if (t.length() > 10 || Long.parseLong(t) > MAX_ID) {
                error(field, "a numeric id is at most " + MAX_ID + ", got " + (t.length() > 20 ? t.substring(0, 20) + "…" : t));
                return Optional.empty();
            }
            return Optional.of(Long.toString(Long.parseLong(t)));
        }
        if (t.isEmpty() || !t.matches("[^-:/\\s\\p{Cntrl}][^:/\\s\\p{Cntrl}]*") || t.length() > 256) {
            error(field, "expected " + what + " name or a number from 0 to " + MAX_ID + ", got '"
                    + t.replaceAll("\\p{Cntrl}", "?") + "'");
            return Optional.empty();
        }
        return Optional.of(t);
    }

    /** A list of strings (one string is a list of one): the field's, else the schema's default, else none. */
    public List<String> stringList(String field) {
        List<String> out = new ArrayList<>();
        if (!has(field) && schema().hasDefault(field)) {
            return schema().defaultList(field);
        }
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

    /** One of the words of the field's schema {@code enum}: the field's, else the schema's default. */
    public String word(String field) {
        return optWord(field).orElseGet(() -> schema().defaultText(field));
    }

    /**
     * The field's word, checked against its schema {@code enum} here too: a tree the schema cache
     * let through unvalidated, or a reader built without the schema check, still gets the message.
     */
    public Optional<String> optWord(String field) {
        List<String> allowed = schema().words(field);
        if (allowed.isEmpty()) {
            throw schema().noWords(field);
        }
        Optional<String> v = optString(field);
        if (v.isPresent() && !allowed.contains(v.get())) {
            error(field, "expected one of " + String.join(", ", allowed) + ", got '" + v.get() + "'");
            return Optional.of(schema().hasDefault(field) ? schema().defaultText(field) : allowed.get(0));
        }
        return v;
    }

    public YNode raw(String field) {
        return body.get(field);
    }
}
