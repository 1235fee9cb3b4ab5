package dev.mosaic.engine;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mosaic.diag.UserError;
import dev.mosaic.host.AtomicWriter;
import dev.mosaic.host.Host;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Address;
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
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A plan saved by {@code mosaic plan --out FILE} for {@code mosaic apply FILE}: the changes to make
 * and, for each, what the plan saw ({@link Fingerprint}), plus everything the plan depends on —
 * the playbook's digest, variables and module directories, the control-side files it read, the
 * target and the Mosaic version. Apply refuses the whole plan when any of those differs, and a
 * single resource when the target moved under it.
 *
 * <p>On disk, JSON: {@code {"format": "mosaic-plan", "format_version": 2, "checksum":
 * "hmac-sha256:…", "plan": {…}}}, where the checksum is an HMAC-SHA256 of the compact
 * serialization of the {@code plan} object, keyed by the target's plan key ({@link #key}: random,
 * in the state directory, mode 0600, never printed). So a truncated file, a file edited by hand,
 * and a file edited by anyone who cannot read the state directory (who cannot recompute the
 * checksum) are all refused. Someone who can read the key can forge a plan: they can run Mosaic on
 * that target anyway. Described by {@code schemas/saved-plan.schema.json}.
 */
public record SavedPlan(String mosaicVersion, String createdAt, Source playbook, Target target, List<Entry> entries) {

    public static final String FORMAT = "mosaic-plan";
    public static final int FORMAT_VERSION = 2;

    /** The target's plan key, in its state directory. */
    public static final String KEY_FILE = "plan.key";

    /**
     * The mappers, made when a plan file is first written or read: not when an apply only asks
     * {@link #looksLikePlan} of its argument (Jackson's start is a noticeable part of a no-op).
     */
    private static final class Mappers {
        /**
         * Addresses, statuses, actions and causes as plans print them. A word this Mosaic does not
         * know is an {@link IllegalArgumentException}: the file is refused as damaged.
         */
        private static final SimpleModule WORDS = new SimpleModule("plan words")
                .addSerializer(Address.class, new ToStringSerializer(Address.class))
                .addDeserializer(Address.class, word(Address.class, t -> Address.parse(t)
                        .orElseThrow(() -> new IllegalArgumentException("not an address: " + t))))
                .addSerializer(PlannedChange.Status.class, said(PlannedChange.Status.class, s -> s.name().toLowerCase(Locale.ROOT)))
                .addDeserializer(PlannedChange.Status.class, word(PlannedChange.Status.class,
                        t -> PlannedChange.Status.valueOf(t.toUpperCase(Locale.ROOT))))
                .addSerializer(Action.class, said(Action.class, Action::word))
                .addDeserializer(Action.class, word(Action.class, Action::ofWord))
                .addSerializer(Cause.class, said(Cause.class, Cause::word))
                .addDeserializer(Cause.class, word(Cause.class, Cause::ofWord));

        static final ObjectMapper JSON = new ObjectMapper().registerModule(WORDS).enable(SerializationFeature.INDENT_OUTPUT);
        static final ObjectMapper COMPACT = new ObjectMapper().registerModule(WORDS);
    }

    private static <T> StdSerializer<T> said(Class<T> type, Function<T, String> word) {
        return new StdSerializer<>(type) {
            @Override
            public void serialize(T value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeString(word.apply(value));
            }
        };
    }

    private static <T> StdDeserializer<T> word(Class<T> type, Function<String, T> parse) {
        return new StdDeserializer<>(type) {
            @Override
            public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                if (!p.hasToken(JsonToken.VALUE_STRING)) {
                    return type.cast(ctxt.handleUnexpectedToken(type, p));
                }
                return parse.apply(p.getText()); // "" too: the cause of a deferred entry
            }
        };
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

    /**
     * One change to make. {@code status} is {@link PlannedChange.Status#PLANNED} (its {@code seen}
     * is checked before apply) or {@link PlannedChange.Status#DEFERRED} (evaluated after its
     * upstream changes, as the plan said). In the file every value is written as plans print it
     * ({@code "file[motd]"}, {@code "planned"}, {@code "update"}, {@code "drift"}): see {@link #WORDS}.
     */
    public record Entry(Address address, String type, PlannedChange.Status status, Action action, Cause cause,
                        List<Address> after, Fingerprint seen) {
        public Entry {
            after = List.copyOf(after);
        }

        /** The entry of a plan's change or deferred resource. */
        static Entry of(PlannedChange c) {
            boolean deferred = c.status() == PlannedChange.Status.DEFERRED;
            return new Entry(c.address(), c.kind(), c.status(), c.action(), c.cause(), c.after(), deferred ? null : c.seen());
        }

        /** The plan's entry again: what the file keeps of it, with no observation (apply looks again). */
        PlannedChange change() {
            return new PlannedChange(address, type, "", action, cause, List.of(), after, status, "", seen);
        }
    }

    public SavedPlan {
        entries = List.copyOf(entries);
    }

    /** The entries to make of a plan: every change, deferred resource and deletion. */
    public static List<Entry> entriesOf(Plan plan) {
        List<Entry> out = new ArrayList<>();
        for (PlannedChange c : plan.entries()) {
            if (c.isChange() || c.status() == PlannedChange.Status.DEFERRED) {
                out.add(Entry.of(c));
            }
        }
        return out;
    }

    /**
     * The plan read back, as the engine applies it: the same typed entries a plan made in memory
     * has, holding what the file keeps (fingerprints, not observations).
     */
    public Plan plan() {
        return new Plan(playbook == null ? "" : playbook.name(), target == null ? "" : target.name(),
                entries.stream().map(Entry::change).toList());
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
                    .append(control.stat(m).isFile() ? control.sha256(m) : "absent").append('\n');
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

    private static String checksum(JsonNode body, byte[] key) throws JsonProcessingException {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            return "hmac-sha256:" + java.util.HexFormat.of().formatHex(
                    mac.doFinal(Mappers.COMPACT.writeValueAsString(body).getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the plan file atomically (temp file and rename in its directory), checksummed with {@code key}. */
    public void write(Path file, byte[] key) throws IOException {
        JsonNode body = Mappers.COMPACT.valueToTree(this);
        ObjectNode envelope = Mappers.JSON.createObjectNode();
        envelope.put("format", FORMAT);
        envelope.put("format_version", FORMAT_VERSION);
        envelope.put("checksum", checksum(body, key));
        envelope.set("plan", body);
        byte[] text = (Mappers.JSON.writeValueAsString(envelope) + "\n").getBytes(StandardCharsets.UTF_8);
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
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UserError("plan file " + file + " does not exist");
        } catch (IOException e) {
            throw new UserError("cannot read plan file " + file + ": " + e.getMessage());
        }
        String damaged = "plan file " + file + " is damaged or truncated";
        JsonNode root;
        try {
            root = Mappers.COMPACT.readTree(text);
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
                    + ", this Mosaic reads version " + FORMAT_VERSION + "; make the plan again with this Mosaic");
        }
        JsonNode body = root.get("plan");
        SavedPlan plan = shaped(file, body, damaged);
        String checksum;
        try {
            checksum = checksum(body, keyFor.key(plan));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (!java.security.MessageDigest.isEqual(checksum.getBytes(StandardCharsets.US_ASCII),
                root.path("checksum").asText().getBytes(StandardCharsets.US_ASCII))) {
            throw new UserError(damaged + ": its checksum does not match its content: it was changed after it was"
                    + " made, or made for another state directory (whose plan key differs); make the plan again");
        }
        return plan;
    }

    private static SavedPlan shaped(Path file, JsonNode body, String damaged) {
        try {
            if (body == null) {
                throw new IOException("no plan");
            }
            SavedPlan p = Mappers.COMPACT.treeToValue(body, SavedPlan.class);
            if (p.playbook() == null || p.target() == null || p.mosaicVersion() == null) {
                throw new IOException("fields missing");
            }
            return p;
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError(damaged + ": its content does not have the expected shape; make the plan again");
        }
    }
}
