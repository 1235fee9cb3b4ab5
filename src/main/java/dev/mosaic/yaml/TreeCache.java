package dev.mosaic.yaml;

import dev.mosaic.base.AtomicFile;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.SourcePos;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Parsed YAML trees kept between runs, so that a file read again unchanged (a playbook applied
 * twice) skips SnakeYAML: at N=5,000 its parse allocates ≈ 70 MB and takes a third of the Java
 * time of a no-op (bench/README.md, "The no-op, round 3").
 *
 * <p>An entry holds the file's name and its <em>whole text</em>, and is used only when both are
 * equal to what is being read, character for character: a changed file is never answered from
 * it, whatever its name, size or time. The entry's name (a CRC32C of name and text) only finds
 * it. An entry is also refused when its CRC32C does not match its bytes (a torn or altered file),
 * when it is not a regular file owned by this user and writable by no one else, or when anything
 * in it is out of bounds; then the text is parsed as if there were no cache, and the entry
 * replaced. Only a parse without any diagnostic is kept, so warnings and errors always come from
 * SnakeYAML. Writes go through {@link AtomicFile}; one that fails is ignored (a cache is never a
 * reason for a run to fail), and nothing is written unless the cache directory already exists.
 * Since an entry holds a copy of the playbook's text, entries are written only into a
 * {@code yaml-trees} directory of this user that no one else may enter (made {@code 0700}).
 */
public final class TreeCache {

    /** No cache: every read parses. */
    public static final TreeCache NONE = new TreeCache(null);

    static final String DIR = "yaml-trees";
    private static final byte[] MAGIC = "MOSAIC-YAML-TREE\1".getBytes(StandardCharsets.US_ASCII);
    private static final int SCALAR = 1;
    private static final int SEQ = 2;
    private static final int MAP = 3;
    private static final int MAX_DEPTH = 10_000;

    private final Path dir;

    private TreeCache(Path dir) {
        this.dir = dir;
    }

    /** Entries in {@code cacheDir}/yaml-trees; {@link #NONE} when {@code cacheDir} is null. */
    public static TreeCache in(Path cacheDir) {
        return cacheDir == null ? NONE : new TreeCache(cacheDir.toAbsolutePath().resolve(DIR));
    }

    /** {@link YamlReader#read}, answered from the cache when it holds this very text. */
    public YNode read(String fileName, String text, Diagnostics diags) {
        if (dir == null || text.length() > YamlReader.MAX_CHARS) {
            return YamlReader.read(fileName, text, diags);
        }
        Path entry = dir.resolve(name(fileName, text));
        YNode cached = load(entry, fileName, text);
        if (cached != null) {
            return cached;
        }
        Diagnostics own = new Diagnostics();
        YNode root = YamlReader.read(fileName, text, own);
        List<dev.mosaic.diag.Diagnostic> found = own.sorted();
        if (root != null && found.isEmpty()) {
            store(entry, fileName, text, root);
        }
        diags.addAll(found);
        return root;
    }

    static String name(String fileName, String text) {
        CRC32C crc = new CRC32C();
        crc.update(fileName.getBytes(StandardCharsets.UTF_8));
        crc.update(0);
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x-%x.tree", crc.getValue(), text.length());
    }

    private static YNode load(Path entry, String fileName, String text) {
        byte[] bytes;
        try {
            PosixFileAttributes a = Files.readAttributes(entry, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile() || !a.owner().getName().equals(System.getProperty("user.name"))
                    || a.permissions().contains(PosixFilePermission.GROUP_WRITE)
                    || a.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
                return null;
            }
            bytes = Files.readAllBytes(entry);
        } catch (IOException | UnsupportedOperationException e) {
            return null; // none yet, or unreadable: parse
        }
        try {
            return decode(bytes, fileName, text);
        } catch (RuntimeException e) {
            return null; // out of bounds somewhere: not an entry this class wrote
        }
    }

    /** The tree in {@code bytes}, or null unless they are an intact entry for exactly this text. */
    static YNode decode(byte[] bytes, String fileName, String text) {
        if (bytes.length < MAGIC.length + 4) {
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        if ((int) crc.getValue() != in.getInt(bytes.length - 4)
                || !java.util.Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return null;
        }
        in.position(MAGIC.length);
        in.limit(bytes.length - 4);
        if (!fileName.equals(string(in)) || !text.equals(string(in))) {
            return null;
        }
        String[] strings = new String[in.getInt()];
        for (int i = 0; i < strings.length; i++) {
            strings[i] = string(in);
        }
        YNode root = new Decoder(in, strings, fileName).node(0);
        return in.hasRemaining() ? null : root;
    }

    private static String string(ByteBuffer in) {
        return new String(bytes(in, in.getInt()), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer in, int n) {
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("length out of bounds");
        }
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private record Decoder(ByteBuffer in, String[] strings, String file) {
        YNode node(int depth) {
            if (depth > MAX_DEPTH) {
                throw new IllegalArgumentException("too deep");
            }
            int tag = in.get();
            SourcePos pos = new SourcePos(file, in.getInt(), in.getInt());
            switch (tag) {
                case SCALAR -> {
                    String s = strings[in.getInt()];
                    YNode.Scalar.Kind kind = YNode.Scalar.Kind.values()[in.get()];
                    return new YNode.Scalar(s, kind, in.get() != 0, pos);
                }
                case SEQ -> {
                    int n = count();
                    List<YNode> items = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        items.add(node(depth + 1));
                    }
                    return new YNode.Seq(items, pos);
                }
                case MAP -> {
                    int n = count();
                    LinkedHashMap<String, YNode.Entry> entries = new LinkedHashMap<>(n * 4 / 3 + 1);
                    for (int i = 0; i < n; i++) {
                        String key = strings[in.getInt()];
                        SourcePos keyPos = new SourcePos(file, in.getInt(), in.getInt());
                        if (entries.put(key, new YNode.Entry(key, keyPos, node(depth + 1))) != null) {
                            throw new IllegalArgumentException("a key twice");
                        }
                    }
                    return new YNode.Map(entries, pos);
                }
                default -> throw new IllegalArgumentException("unknown tag " + tag);
            }
        }

        private int count() {
            int n = in.getInt();
            if (n < 0 || n > in.remaining()) {
                throw new IllegalArgumentException("count out of bounds");
            }
            return n;
        }
    }

    /** The entry's bytes, or null for a tree whose positions name another file than {@code fileName}. */
    static byte[] encode(String fileName, String text, YNode root) {
        Encoder e = new Encoder(fileName);
        if (!e.node(root)) {
            return null;
        }
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(text.length() * 2 + 4096);
            DataOutputStream out = new DataOutputStream(buf);
            out.write(MAGIC);
            string(out, fileName);
            string(out, text);
            out.writeInt(e.strings.size());
            for (String s : e.strings) {
                string(out, s);
            }
            e.body.writeTo(out);
            out.flush();
            CRC32C crc = new CRC32C();
            byte[] b = buf.toByteArray();
            crc.update(b);
            out.writeInt((int) crc.getValue());
            out.flush();
            return buf.toByteArray();
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static final class Encoder {
        final String file;
        final List<String> strings = new ArrayList<>();
        final Map<String, Integer> index = new HashMap<>();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(body);

        Encoder(String file) {
            this.file = file;
        }

        boolean node(YNode n) {
            try {
                if (!n.pos().file().equals(file)) {
                    return false; // cannot happen today (one file, one name); then simply not kept
                }
                if (n instanceof YNode.Scalar s) {
                    head(SCALAR, s.pos());
                    out.writeInt(string(s.text()));
                    out.writeByte(s.kind().ordinal());
                    out.writeByte(s.plain() ? 1 : 0);
                } else if (n instanceof YNode.Seq s) {
                    head(SEQ, s.pos());
                    out.writeInt(s.items().size());
                    for (YNode item : s.items()) {
                        if (!node(item)) {
                            return false;
                        }
                    }
                } else {
                    YNode.Map m = (YNode.Map) n;
                    head(MAP, m.pos());
                    out.writeInt(m.entries().size());
                    for (YNode.Entry en : m.entries().values()) {
                        if (!en.keyPos().file().equals(file)) {
                            return false;
                        }
                        out.writeInt(string(en.key()));
                        out.writeInt(en.keyPos().line());
                        out.writeInt(en.keyPos().column());
                        if (!node(en.value())) {
                            return false;
                        }
                    }
                }
                return true;
            } catch (IOException impossible) {
                throw new IllegalStateException(impossible);
            }
        }

        private void head(int tag, SourcePos p) throws IOException {
            out.writeByte(tag);
            out.writeInt(p.line());
            out.writeInt(p.column());
        }

        private int string(String s) {
            return index.computeIfAbsent(s, k -> {
                strings.add(k);
                return strings.size() - 1;
            });
        }
    }

    private void store(Path entry, String fileName, String text, YNode root) {
        byte[] bytes = encode(fileName, text, root);
        if (bytes == null || !Files.isDirectory(dir.getParent())) {
            return;
        }
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            if (!isPrivate(dir)) {
                return; // an entry copies the playbook's text: kept only where no one else can read it
            }
            AtomicFile.write(entry, bytes);
        } catch (IOException | RuntimeException e) {
            // not kept: the next run parses again
        }
    }

    /** Whether {@code dir} is a directory (not a link) of this user that no one else may enter. */
    private static boolean isPrivate(Path dir) throws IOException {
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return a.isDirectory() && a.owner().getName().equals(System.getProperty("user.name"))
                && a.permissions().stream().allMatch(p -> p.name().startsWith("OWNER_"));
    }

    @Override
    public String toString() {
        return dir == null ? "no YAML tree cache" : "YAML trees in " + dir;
    }
}
