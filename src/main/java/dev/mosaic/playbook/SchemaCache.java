package dev.mosaic.playbook;

import dev.mosaic.base.Sha256;
import dev.mosaic.yaml.YNode;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.Stream;

/**
 * The YAML trees that passed a JSON Schema before, so that a plan or an apply of an unchanged
 * playbook skips validating it again (at 5,000 resources validation costs more than the rest of
 * the load, and 250 classes to load).
 *
 * <p>A tree is remembered by the sha256 of this build of Mosaic (its jar, which holds the schemas
 * and the validator), the schema's name and the tree's values — the resolved values, after
 * variables, modules and inventory, so any change of a playbook, a module or an inventory is a
 * new key. Only trees that passed are remembered: a hit skips a validation that would have
 * reported nothing. Positions are not part of the key; they only matter in messages, and a tree
 * that passed has none.
 *
 * <p>The file (in the target's state directory) is rewritten whole, by temp file and rename, and
 * ends with a checksum of its lines: a damaged file is ignored and everything is validated.
 * {@code mosaic validate} never uses the file (with an inventory, its hosts share an
 * {@link #inMemory} cache). Its methods are synchronized: loads running at once may share one.
 */
public final class SchemaCache {

    private static final String HEADER = "mosaic schema cache 1";
    /** Keys kept, the most recent last: a few playbooks and their modules per target. */
    static final int KEEP = 64;

    private static volatile String buildId;

    /** How the file is replaced: the state directory's own writer (a fresh O_EXCL temp file, renamed). */
    @FunctionalInterface
    public interface Writer {
        void replace(Path file, byte[] content) throws IOException;
    }

    private final Path file;
    private final Writer writer;
    private final LinkedHashSet<String> passed;
    private boolean changed;

    private SchemaCache(Path file, Writer writer, LinkedHashSet<String> passed) {
        this.file = file;
        this.writer = writer;
        this.passed = passed;
    }

    /**
     * The cache kept in {@code file}; empty when the file is missing, unreadable, damaged or a
     * link (read with {@code O_NOFOLLOW}). {@link #save} writes it through {@code writer}.
     */
    public static SchemaCache open(Path file, Writer writer) {
        return new SchemaCache(file, writer, read(file));
    }

    /**
     * A cache of this process only, never saved: the trees validated so far by the loads that
     * share it, such as one playbook loaded for each host of an inventory, where hosts whose
     * resolved trees are the same are validated once (a tree that differs is validated). Unlike
     * a cache in a file, it may be shared by loads running at once.
     */
    public static SchemaCache inMemory() {
        return new SchemaCache(null, null, new LinkedHashSet<>());
    }

    private static LinkedHashSet<String> read(Path file) {
        LinkedHashSet<String> keys = new LinkedHashSet<>();
        List<String> lines;
        try {
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                // strict decoding: a byte that is not UTF-8 fails, like a damaged file
                lines = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(in.readAllBytes())).toString()
                        .lines().toList();
            }
        } catch (NoSuchFileException e) {
            return keys;
        } catch (IOException | RuntimeException e) {
            return keys; // unreadable or not UTF-8: as good as damaged
        }
        if (lines.size() < 2 || !lines.get(0).equals(HEADER)
                || !lines.get(lines.size() - 1).equals(checksum(lines.subList(0, lines.size() - 1)))) {
            return keys;
        }
        for (String line : lines.subList(1, lines.size() - 1)) {
            if (!line.matches("[0-9a-f]{64}")) {
                return new LinkedHashSet<>();
            }
            keys.add(line);
        }
        return keys;
    }

    private static String checksum(List<String> lines) {
        MessageDigest md = Sha256.digest();
        for (String line : lines) {
            md.update(line.getBytes(StandardCharsets.UTF_8));
            md.update((byte) '\n');
        }
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }

    /** The key of {@code tree} validated against {@code schema} by this build of Mosaic. */
    String key(String schema, YNode tree) {
        MessageDigest md = Sha256.digest();
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                new DigestOutputStream(OutputStream.nullOutputStream(), md), 1 << 16))) {
            text(out, buildId());
            text(out, schema);
            digest(out, tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writes to memory only
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** How many trees are known to pass. */
    synchronized int size() {
        return passed.size();
    }

    synchronized boolean passed(String key) {
        return passed.contains(key);
    }

    synchronized void remember(String key) {
        passed.remove(key);
        passed.add(key);
        changed = true;
        while (file != null && passed.size() > KEEP) {
            passed.remove(passed.iterator().next());
        }
    }

    /**
     * Writes what was learnt since {@link #open}, if anything. A cache: a failure to write it is
     * not an error (the next run validates again).
     */
    public synchronized void save() {
        if (!changed || file == null) {
            return;
        }
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        lines.addAll(passed);
        lines.add(checksum(lines));
        try {
            Files.createDirectories(file.getParent());
            writer.replace(file, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
            changed = false;
        } catch (IOException | RuntimeException e) {
            // a cache: the next run validates again
        }
    }

    /** Every value of the tree with its kind, in order; lengths make the encoding unambiguous. */
    private static void digest(DataOutputStream out, YNode node) throws IOException {
        if (node instanceof YNode.Scalar s) {
            out.writeByte('0' + s.kind().ordinal());
            text(out, s.text());
        } else if (node instanceof YNode.Seq seq) {
            out.writeByte('[');
            out.writeInt(seq.items().size());
            for (YNode item : seq.items()) {
                digest(out, item);
            }
        } else {
            YNode.Map map = (YNode.Map) node;
            out.writeByte('{');
            out.writeInt(map.entries().size());
            for (YNode.Entry e : map.entries().values()) {
                text(out, e.key());
                digest(out, e.value());
            }
        }
    }

    private static void text(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    /**
     * What identifies this build: the jar Mosaic runs from (path, size, modification time), which
     * holds the schemas and the validator library; run from a class directory (tests, an IDE),
     * the schema files' and the validator's bytes, and where the library comes from.
     */
    static String buildId() {
        String id = buildId;
        if (id == null) {
            id = origin();
            buildId = id;
        }
        return id;
    }

    private static String origin() {
        try {
            Path where = Path.of(SchemaCache.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(where)) {
                return where + " " + Files.size(where) + " " + Files.getLastModifiedTime(where).toMillis();
            }
            MessageDigest md = Sha256.digest();
            List<Path> files = new ArrayList<>();
            try (Stream<Path> s = Files.walk(where.resolve("schemas"))) {
                s.filter(Files::isRegularFile).sorted().forEach(files::add);
            }
            files.add(where.resolve(SchemaValidator.class.getName().replace('.', '/') + ".class"));
            for (Path f : files) {
                md.update(where.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                md.update(Files.readAllBytes(f));
            }
            return where + " " + HexFormat.of().formatHex(md.digest()) + " "
                    + SchemaCache.class.getClassLoader().getResource("com/networknt/schema/JsonSchema.class");
        } catch (IOException | URISyntaxException | RuntimeException e) {
            // Unknown origin: a key no other run can produce, so nothing is ever skipped.
            return "unknown " + java.util.UUID.randomUUID();
        }
    }

}
