package dev.mosaic.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.base.AtomicFile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Mosaic's own state directory of a target ({@code ROOT/var/lib/mosaic} or {@code --state-dir}),
 * opened without ever following a symbolic link in it. The playbook must not manage paths there
 * (the CLI refuses it), and whatever sits there anyway — a link planted by hand, by a package, by
 * an archive — is never followed: the directory and each of its sub-directories must be real
 * directories, each file is opened with {@code O_NOFOLLOW}, and temp files are made with
 * {@code O_EXCL}. What is not what Mosaic keeps there is reported as a {@link StateDirError}
 * naming the path, and nothing is read or written through it.
 */
public final class StateDir {

    /** The sub-directories Mosaic keeps in a state directory. */
    public static final List<String> DIRECTORIES = List.of("backups", "logs", "memory", "running", "history", "created");
    /** The files Mosaic keeps in a state directory. */
    public static final List<String> FILES = List.of("state.json", "state.journal", "durations.json", "created.json",
            "created.journal", "refresh.journal", "statcache.bin", "schema.cache", "apply.lock", "sensitive-paths.json",
            "plan.key");

    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private StateDir() {
    }

    /**
     * Checks the state directory {@code dir} before a command uses it: that it is a directory and
     * not a link (nor, when it lies below a sandbox {@code root}, any directory between the root
     * and it), and
     * that each sub-directory and file Mosaic keeps there, when present, is a directory or a
     * regular file of its own. An absent state directory is fine (an empty state).
     *
     * @param root the target's root, or null when the state directory is not on the target
     */
    public static void check(Path dir, Path root) throws StateDirError {
        Path abs = dir.toAbsolutePath().normalize();
        // The directories between a sandbox root and the state are the target's (a link there
        // would lead the state outside the root); those of the machine itself are the admin's.
        if (root != null && root.toAbsolutePath().normalize().getNameCount() > 0) {
            Path r = root.toAbsolutePath().normalize();
            if (abs.startsWith(r) && !abs.equals(r)) {
                Path p = r;
                for (Path name : r.relativize(abs)) {
                    p = p.resolve(name);
                    if (!requireDirectoryIfPresent(p, abs)) {
                        return; // absent: nothing below it either
                    }
                }
            }
        }
        if (!requireDirectoryIfPresent(abs, abs)) {
            return;
        }
        for (String d : DIRECTORIES) {
            requireDirectoryIfPresent(abs.resolve(d), abs);
        }
        for (String f : FILES) {
            requireFileIfPresent(abs.resolve(f), abs);
        }
    }

    /** Whether {@code p} exists, as a real directory; a link or another kind of file is an error. */
    private static boolean requireDirectoryIfPresent(Path p, Path stateDir) throws StateDirError {
        Optional<BasicFileAttributes> a = lstat(p);
        if (a.isEmpty()) {
            return false;
        }
        if (a.get().isSymbolicLink()) {
            throw new StateDirError(p + " is a symbolic link, where Mosaic keeps a directory of its state (" + stateDir
                    + "); Mosaic never follows links there. Remove the link (and check what put it there), then run again.");
        }
        if (!a.get().isDirectory()) {
            throw new StateDirError(p + " is not a directory, where Mosaic keeps a directory of its state (" + stateDir
                    + "). Move it away, then run again.");
        }
        return true;
    }

    private static void requireFileIfPresent(Path p, Path stateDir) throws StateDirError {
        Optional<BasicFileAttributes> a = lstat(p);
        if (a.isEmpty()) {
            return;
        }
        if (a.get().isSymbolicLink()) {
            throw new StateDirError(p + " is a symbolic link, where Mosaic keeps a file of its state (" + stateDir
                    + "); Mosaic never follows links there. Remove the link (and check what put it there), then run again.");
        }
        if (!a.get().isRegularFile()) {
            throw new StateDirError(p + " is " + (a.get().isDirectory() ? "a directory" : "not a regular file")
                    + ", where Mosaic keeps a file of its state (" + stateDir + "). Move it away, then run again.");
        }
    }

    /** The attributes of {@code p} itself (a link is not followed); empty when absent. */
    static Optional<BasicFileAttributes> lstat(Path p) throws StateDirError {
        try {
            return Optional.of(Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (FileSystemException e) {
            if (e.getReason() != null && e.getReason().contains("Not a directory")) {
                throw new StateDirError(p + ": a parent of it is not a directory (" + e.getReason() + ")");
            }
            throw new StateDirError("cannot read " + p + ": " + reason(e));
        } catch (IOException e) {
            throw new StateDirError("cannot read " + p + ": " + reason(e));
        }
    }

    /**
     * Makes sure {@code dir} is a real directory, creating it (and its missing parents) when
     * absent; a link or another kind of file there is a {@link StateDirError}.
     */
    public static Path directory(Path dir) throws IOException {
        Optional<BasicFileAttributes> a = lstat(dir);
        if (a.isEmpty()) {
            try {
                Files.createDirectories(dir);
            } catch (FileAlreadyExistsException | NotDirectoryException e) {
                throw new StateDirError("cannot create " + dir + ": " + e.getFile() + " is not a directory");
            } catch (IOException e) {
                throw new StateDirError("cannot create the state directory " + dir + ": " + reason(e));
            }
        }
        requireDirectoryIfPresent(dir, dir);
        return dir;
    }

    /** The content of the file {@code f}, never through a link; empty when absent. */
    public static Optional<byte[]> read(Path f) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(f, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
             InputStream in = Channels.newInputStream(ch)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return Optional.of(out.toByteArray());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw refused(f, e);
        }
    }

    /**
     * The lines of a journal, each decoded on its own: a line that is not UTF-8 (a damaged byte)
     * is {@code null}, the others are intact. The text after the last newline, if any, is the last
     * line (a line cut by a crash: its parse fails like any damaged line).
     */
    public static List<String> lines(byte[] bytes) {
        List<String> out = new java.util.ArrayList<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == '\n') {
                if (i > start || i < bytes.length) {
                    try {
                        out.add(java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                                .decode(ByteBuffer.wrap(bytes, start, i - start)).toString());
                    } catch (java.nio.charset.CharacterCodingException e) {
                        out.add(null);
                    }
                }
                start = i + 1;
            }
        }
        return out;
    }

    /** Whether the journal's last line was cut (no newline after it): a write interrupted. */
    public static boolean cut(byte[] bytes) {
        return bytes.length > 0 && bytes[bytes.length - 1] != '\n';
    }

    /** Opens {@code f} for appending (created when absent), never through a link. */
    public static OutputStream append(Path f) throws IOException {
        try {
            return Channels.newOutputStream(FileChannel.open(f, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS)));
        } catch (IOException e) {
            throw refused(f, e);
        }
    }

    /**
     * Creates {@code f} anew for writing: whatever was at that name (a file, or a link — the link
     * itself, never what it points to) is removed first, and the file is made with {@code O_EXCL}.
     */
    public static FileChannel createNew(Path f) throws IOException {
        try {
            Files.deleteIfExists(f);
            return FileChannel.open(f, Set.<OpenOption>of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw refused(f, e);
        }
    }

    /** Replaces {@code f} with {@code content} through {@link #replace}; an error is said in words. */
    public static void writeAtomic(Path f, byte[] content) throws IOException {
        try {
            replace(f, content);
        } catch (IOException e) {
            throw refused(f, e);
        }
    }

    /**
     * Replaces {@code f} with {@code content} through {@link AtomicFile}: a temp file beside it
     * made with {@code O_EXCL} under a fresh random name (a planted link is never followed),
     * forced to disk, renamed over {@code f}, the directory forced. The I/O error as it comes
     * (for files outside a state directory too: {@code mosaic.lock}).
     */
    public static void replace(Path f, byte[] content) throws IOException {
        AtomicFile.write(f, content);
    }

    /** An error opening a state file, said in words (a link met with {@code O_NOFOLLOW} gives ELOOP). */
    static StateDirError refused(Path f, IOException e) {
        if (e instanceof StateDirError s) {
            return s;
        }
        String why = e instanceof FileSystemException fs ? (fs.getReason() == null ? "" : fs.getReason())
                : e.getMessage() == null ? "" : e.getMessage();
        if (why.contains("symbolic links")) {
            return new StateDirError(f + " is a symbolic link in Mosaic's state directory; Mosaic never follows links"
                    + " there. Remove the link (and check what put it there), then run again.");
        }
        if (e instanceof FileAlreadyExistsException || why.contains("Is a directory")) {
            return new StateDirError(f + " is in the way in Mosaic's state directory (" + (why.isEmpty() ? "it exists" : why)
                    + "). Move it away, then run again.");
        }
        return new StateDirError("cannot write " + f + " in Mosaic's state directory: " + reason(e)
                + ". Mosaic needs a writable state directory to apply (a full or read-only file system?).");
    }

    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static final ObjectMapper TREES = new ObjectMapper();

    /**
     * A JSON object kept in the state directory, or empty when absent or damaged (with a warning:
     * state refines causes, observation rules); {@code consequence} ends the warning ("; nothing
     * of it will be deleted").
     */
    static Optional<JsonNode> readJson(Path file, String what, String consequence, Consumer<String> warnings) {
        try {
            Optional<byte[]> bytes = read(file);
            if (bytes.isEmpty()) {
                return Optional.empty();
            }
            JsonNode tree = TREES.readTree(bytes.get());
            if (tree == null || !tree.isObject()) {
                throw new IOException("not a JSON object");
            }
            return Optional.of(tree);
        } catch (IOException | RuntimeException e) {
            warnings.accept(what + " " + file + " is damaged and was ignored" + consequence);
            return Optional.empty();
        }
    }

    /**
     * The lines of a journal of the state directory; a line that is not UTF-8 is null and said in
     * a warning (the other lines count), an unreadable journal is empty with a warning.
     */
    static List<String> journalLines(Path file, String what, Consumer<String> warnings) {
        Optional<byte[]> bytes;
        try {
            bytes = read(file);
        } catch (IOException e) {
            warnings.accept(what + " " + file + " cannot be read and was ignored (" + reason(e) + ")");
            return List.of();
        }
        if (bytes.isEmpty()) {
            return List.of();
        }
        List<String> lines = lines(bytes.get());
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i) == null) {
                warnings.accept(what + " " + file + ": line " + (i + 1) + " is damaged (not UTF-8) and was ignored");
            }
        }
        return lines;
    }
}
