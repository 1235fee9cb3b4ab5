package dev.mosaic.engine;

import dev.mosaic.base.TargetPath;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mosaic.diag.UserError;
import dev.mosaic.host.AtomicWriter;
import dev.mosaic.host.Host;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.resource.Digests;
import dev.mosaic.state.StateDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A plan saved by {@code mosaic plan --out FILE} for {@code mosaic apply FILE}: the changes to make
 * and, for each, what the plan saw ({@link Fingerprint}), plus everything the plan depends on —
 * the playbook's digest, variables and module directories, the control-side files it read, the
 * target and the Mosaic version. Apply refuses the whole plan when any of those differs, and a
 * single resource when the target moved under it.
 *
 * <p>On disk, JSON: {@code {"format": "mosaic-plan", "format_version": 3, "checksum":
 * "hmac-sha256:…", "plan": {…}}}. Each entry of the plan is {@code {"change": …, "seen": …,
 * "because": […]}}, where {@code change} is the very object {@code plan --json} prints for it,
 * written by the same code ({@link ChangeJson}). The checksum is an HMAC-SHA256 of the exact bytes
 * of the {@code plan} value in the file, keyed by the target's plan key ({@link #key}: random, in
 * the state directory, mode 0600, never printed). So a truncated file, a file edited by hand, and
 * a file edited by anyone who cannot read the state directory (who cannot recompute the checksum)
 * are all refused. Someone who can read the key can forge a plan: they can run Mosaic on that
 * target anyway. Described by {@code schemas/saved-plan.schema.json}.
 *
 * <p>{@code entries}: the plan's changes and deferred entries as the file keeps them
 * ({@link #entriesOf}): no observation, no text of content diffs.
 */
public record SavedPlan(String mosaicVersion, String createdAt, Source playbook, Target target,
                        List<PlannedChange> entries) {

    public static final String FORMAT = "mosaic-plan";
    /** 3: entries hold the change object of {@code plan --json}; the checksum covers the bytes as written. */
    public static final int FORMAT_VERSION = 3;

    /** The target's plan key, in its state directory. */
    public static final String KEY_FILE = "plan.key";

    /** Written in place of the checksum until the bytes it covers are known; as long as a real one. */
    private static final String UNSIGNED = "hmac-sha256:" + "0".repeat(64);

    /**
     * The mappers, made when a plan file is first written or read: not when an apply only asks
     * {@link #looksLikePlan} of its argument (Jackson's start is a noticeable part of a no-op).
     */
    static final class Mappers {
        static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        /** A key given twice, or anything after the document, would let the checked bytes differ from the read ones. */
        static final ObjectMapper READ = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    private static final Pattern SIGNATURE = Pattern.compile("^\\s*\\{\\s*\"format\"\\s*:\\s*\"" + FORMAT + "\"");

    /**
     * What defines the resources: the playbook file, its {@link #definitionDigest}, the
     * {@code --var} values and {@code --modules} directories it was loaded with, and the digest of
     * every control-side file or tree the plan read (relative sources). A {@code --var} of a
     * sensitive variable is not stored: only its name, in {@code sensitiveVars}, and apply asks
     * for it again.
     */
    public record Source(String file, String name, String digest, Map<String, String> vars, List<String> moduleDirs,
                         Map<String, String> inputs, List<String> sensitiveVars) {
        public Source {
            vars = new TreeMap<>(vars);
            moduleDirs = List.copyOf(moduleDirs);
            inputs = new TreeMap<>(inputs);
            sensitiveVars = sensitiveVars == null ? List.of() : List.copyOf(new java.util.TreeSet<>(sensitiveVars));
        }

        public Source(String file, String name, String digest, Map<String, String> vars, List<String> moduleDirs,
                      Map<String, String> inputs) {
            this(file, name, digest, vars, moduleDirs, inputs, List.of());
        }
    }

    /** Where the plan was made: the target's name, the machine, the sandbox root and state directory. */
    public record Target(String name, String host, String root, String stateDir) {
    }

    public SavedPlan {
        entries = List.copyOf(entries);
    }

    /**
     * The entries to save of a plan: every change, deferred resource and deletion, as the file
     * keeps them — exactly what reading the file gives back, because it is made by the same code.
     */
    public static List<PlannedChange> entriesOf(Plan plan) {
        List<PlannedChange> out = new ArrayList<>();
        for (PlannedChange c : plan.entries()) {
            if (!c.changes()) {
                continue;
            }
            try {
                out.add(SavedEntry.read(SavedEntry.written(c)));
            } catch (IOException e) { // what this class just wrote: not a user's problem
                throw new IllegalStateException("a plan entry does not read back: " + c.address(), e);
            }
        }
        return out;
    }

    /** The plan read back, as the engine applies it: entries hold fingerprints, not observations. */
    public Plan plan() {
        return new Plan(playbook == null ? "" : playbook.name(), target == null ? "" : target.name(), entries);
    }

    /**
     * The digest of what defines a playbook's resources: its text, the {@code module.yml} of every
     * module it instantiates, and each resource's address, kind and resolved configuration.
     */
    public static String definitionDigest(Playbook playbook, Host control) throws IOException {
        StringBuilder b = new StringBuilder("playbook ").append(playbook.digest()).append('\n');
        TreeSet<String> modules = new TreeSet<>();
        for (ResourceDecl d : playbook.resources()) {
            b.append(d.address()).append(' ').append(d.type().kind()).append(' ').append(d.configDigest()).append('\n');
            if (d.baseDir() != null) {
                modules.add(d.baseDir().resolve("module.yml").toAbsolutePath().normalize().toString());
            }
        }
        for (String m : modules) {
            b.append("module ").append(m).append(' ')
                    .append(control.stat(TargetPath.of(m)).isFile() ? control.sha256(TargetPath.of(m)) : "absent").append('\n');
        }
        return Digests.sha256(b.toString());
    }

    // ---------------------------------------------------------------- the file

    /**
     * The plan key of the target whose state is {@code stateDir}: 32 random bytes in
     * {@code plan.key}, created (mode 0600) when {@code create} and absent. Never printed: a
     * plan file's checksum proves it was made with this key.
     */
    public static byte[] key(Path stateDir, boolean create) throws IOException {
        Path file = stateDir.resolve(KEY_FILE);
        try {
            return readKey(file);
        } catch (NoSuchFileException e) {
            if (!create) {
                throw new UserError("the state directory " + stateDir + " has no plan key (" + KEY_FILE + "): no plan"
                        + " was made for it, or the key was removed. A plan file is applied with the --root and"
                        + " --state-dir it was made with; make the plan again with 'mosaic plan PLAYBOOK --out FILE'");
            }
        }
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        StateDir.directory(stateDir); // a real directory, never a link
        try (var ch = Files.newByteChannel(file, java.util.Set.of(java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS),
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")))) {
            ch.write(java.nio.ByteBuffer.wrap(java.util.HexFormat.of().formatHex(key).getBytes(StandardCharsets.US_ASCII)));
            return key;
        } catch (java.nio.file.FileAlreadyExistsException e) {
            return readKey(file); // another plan made it meanwhile
        }
    }

    private static byte[] readKey(Path file) throws IOException {
        String hex;
        try (var ch = Files.newByteChannel(file, java.util.Set.of(java.nio.file.StandardOpenOption.READ,
                java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(128);
            while (ch.read(buf) > 0 && buf.hasRemaining()) {
                // read up to 128 bytes: a key is 64 hexadecimal digits
            }
            hex = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw new UserError("cannot read the plan key " + file + ": " + e.getMessage());
        }
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new UserError("the plan key " + file + " is damaged; remove it and make the plan again"
                    + " (plans made with it can then no longer be applied)");
        }
        return java.util.HexFormat.of().parseHex(hex);
    }

    // ---------------------------------------------------------------- the checksum

    /**
     * Where the value of the top-level {@code plan} lies in {@code text}: {@code [start, end)} in
     * bytes, or null when there is none. The checksum covers exactly these bytes, so that what is
     * checked is what was written, whatever a JSON library would make of it on another day.
     */
    private static long[] planBytes(byte[] text) throws IOException {
        try (JsonParser p = Mappers.READ.getFactory().createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("plan".equals(name) && value == JsonToken.START_OBJECT) {
                    long start = p.currentTokenLocation().getByteOffset();
                    p.skipChildren();
                    return new long[] {start, p.currentLocation().getByteOffset()};
                }
                p.skipChildren();
            }
            return null;
        }
    }

    private static String checksum(byte[] text, long[] range, byte[] key) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            mac.update(text, (int) range[0], (int) (range[1] - range[0]));
            return "hmac-sha256:" + java.util.HexFormat.of().formatHex(mac.doFinal());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes the plan file atomically (temp file and rename in its directory), checksummed with
     * {@code key}: the text is made first, then the checksum of its {@code plan} bytes is put in
     * the place kept for it (same length, before those bytes).
     */
    public void write(Path file, byte[] key) throws IOException {
        ObjectNode body = Mappers.JSON.createObjectNode();
        body.put("mosaicVersion", mosaicVersion);
        body.put("createdAt", createdAt);
        body.set("playbook", Mappers.JSON.valueToTree(playbook));
        body.set("target", Mappers.JSON.valueToTree(target));
        ArrayNode written = body.putArray("entries");
        entries.forEach(c -> written.add(SavedEntry.written(c)));
        ObjectNode envelope = Mappers.JSON.createObjectNode();
        envelope.put("format", FORMAT);
        envelope.put("format_version", FORMAT_VERSION);
        envelope.put("checksum", UNSIGNED);
        envelope.set("plan", body);
        byte[] text = (Mappers.JSON.writeValueAsString(envelope) + "\n").getBytes(StandardCharsets.UTF_8);
        long[] range = planBytes(text);
        byte[] sum = checksum(text, range, key).getBytes(StandardCharsets.US_ASCII);
        // Latin-1 maps each byte to one char, so the index found is a byte offset.
        int at = new String(text, 0, (int) range[0], StandardCharsets.ISO_8859_1).indexOf(UNSIGNED);
        System.arraycopy(sum, 0, text, at, sum.length);
        // A fresh O_EXCL temp name beside it: in a shared directory such as /tmp, a link planted
        // at a predictable temp name would let anyone clobber a file of the user running Mosaic.
        AtomicWriter.write(file.toAbsolutePath(), out -> out.write(text), 0644, true);
    }

    /** Whether {@code file} is meant as a plan file: its name ends in {@code .mosaic}, or its content says so. */
    public static boolean looksLikePlan(Path file) {
        if (file.getFileName() != null && file.getFileName().toString().endsWith(".mosaic")) {
            return true;
        }
        try (InputStream in = Files.newInputStream(file)) {
            return SIGNATURE.matcher(new String(in.readNBytes(256), StandardCharsets.UTF_8)).find();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads a plan file made with {@code key} (the target's, {@link #key}); anything wrong with it
     * is a {@link UserError} saying what.
     */
    public static SavedPlan read(Path file, byte[] key) throws IOException {
        return read(file, unverified -> key);
    }

    /**
     * Where the key to check a plan with comes from, given the plan as read but not yet checked:
     * it may refuse the plan first (it was made for another target), with a message more useful
     * than a checksum mismatch. It must never accept anything on the strength of that content.
     */
    public interface KeyFor {
        byte[] key(SavedPlan unverified) throws IOException;
    }

    /** Reads a plan file, checking its checksum with the key {@code keyFor} gives. */
    public static SavedPlan read(Path file, KeyFor keyFor) throws IOException {
        byte[] text;
        try {
            text = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UserError("plan file " + file + " does not exist");
        } catch (IOException e) {
            throw new UserError("cannot read plan file " + file + ": " + e.getMessage());
        }
        String damaged = "plan file " + file + " is damaged or truncated";
        JsonNode root;
        long[] range;
        try {
            root = Mappers.READ.readTree(text);
            range = planBytes(text);
        } catch (JsonProcessingException e) {
            throw new UserError(damaged + " (not valid JSON at line " + e.getLocation().getLineNr()
                    + "); make the plan again with 'mosaic plan PLAYBOOK --out " + file + "'");
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
            throw new UserError(file + " is not a Mosaic plan file (made by 'mosaic plan PLAYBOOK --out FILE')");
        }
        int version = root.path("format_version").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw new UserError("plan file " + file + " has format version " + root.path("format_version")
                    + ", and this Mosaic reads version " + FORMAT_VERSION + " only: a saved plan is made for one apply,"
                    + " by the Mosaic that applies it. Nothing was touched; make a new plan with 'mosaic plan PLAYBOOK"
                    + " --out " + file + "' and apply that one.");
        }
        SavedPlan plan = shaped(root.get("plan"), damaged);
        if (range == null || !java.security.MessageDigest.isEqual(
                checksum(text, range, keyFor.key(plan)).getBytes(StandardCharsets.US_ASCII),
                root.path("checksum").asText().getBytes(StandardCharsets.US_ASCII))) {
            throw new UserError(damaged + ": its checksum does not match its content: it was changed after it was"
                    + " made, or made for another state directory (whose plan key differs); make the plan again");
        }
        return plan;
    }

    private static SavedPlan shaped(JsonNode body, String damaged) {
        try {
            if (body == null || !body.isObject()) {
                throw new IOException("no plan");
            }
            List<PlannedChange> entries = new ArrayList<>();
            for (JsonNode e : ChangeJson.array(body, "entries")) {
                entries.add(SavedEntry.read(e));
            }
            return new SavedPlan(ChangeJson.text(body, "mosaicVersion"), ChangeJson.text(body, "createdAt"),
                    Mappers.READ.treeToValue(required(body, "playbook"), Source.class),
                    Mappers.READ.treeToValue(required(body, "target"), Target.class), entries);
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError(damaged + ": its content does not have the expected shape; make the plan again");
        }
    }

    private static JsonNode required(JsonNode body, String field) throws IOException {
        JsonNode n = body.get(field);
        if (n == null || !n.isObject()) {
            throw new IOException("no " + field);
        }
        return n;
    }
}
