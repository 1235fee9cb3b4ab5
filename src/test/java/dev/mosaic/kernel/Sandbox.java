package dev.mosaic.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One test's world, all inside a temporary directory: {@code root} is the target (every absolute
 * path of the playbook lives below it, {@code --root}), {@code control} holds the playbook and its
 * relative sources, and the {@code mosaic} command line runs in-process through {@link Main#run}.
 *
 * <pre>{@code
 * Sandbox box = Sandbox.in(tmp);
 * box.playbook("resources: ...");
 * Sandbox.Run r = box.apply("--var", "e1000=y");
 * assertThat(r.exitCode()).as("%s", r).isZero();
 * }</pre>
 */
public final class Sandbox {

    private static final ObjectMapper JSON = new ObjectMapper();

    public final Path root;
    public final Path control;
    private final Path cache;

    private Sandbox(Path tmp) throws IOException {
        this.root = Files.createDirectories(tmp.resolve("root"));
        this.control = Files.createDirectories(tmp.resolve("control"));
        this.cache = tmp.resolve("cache");
    }

    public static Sandbox in(Path tmp) {
        try {
            return new Sandbox(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The local path of target path {@code /a/b}. */
    public Path at(String targetPath) {
        if (!targetPath.startsWith("/")) {
            throw new IllegalArgumentException("not a target path: " + targetPath);
        }
        return root.resolve(targetPath.substring(1));
    }

    /** Writes a file below the root (parents created). */
    public Path write(String targetPath, String text) {
        return writeFile(at(targetPath), text);
    }

    /** Writes a file next to the playbook. */
    public Path writeControl(String relative, String text) {
        return writeFile(control.resolve(relative), text);
    }

    public static Path writeFile(Path p, String text) {
        try {
            Files.createDirectories(p.getParent());
            return Files.writeString(p, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String read(String targetPath) {
        return readFile(at(targetPath));
    }

    public static String readFile(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code control/playbook.yml}. */
    public Path playbook(String yaml) {
        return writeControl("playbook.yml", yaml);
    }

    public Path playbookFile() {
        return control.resolve("playbook.yml");
    }

    // ------------------------------------------------------------------ the command line

    /** What one run of the command line printed and returned; {@link #toString} shows it all. */
    public record Run(List<String> args, int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "mosaic " + String.join(" ", args) + "\n-- exit code: " + exitCode + "\n-- stdout:\n" + out
                    + "\n-- stderr:\n" + err;
        }
    }

    /** {@code mosaic COMMAND --root ROOT --cache-dir CACHE EXTRA… playbook.yml}, in-process. */
    public Run mosaic(String command, String... extra) {
        List<String> args = new ArrayList<>(List.of(command, "--root", root.toString(), "--cache-dir", cache.toString()));
        args.addAll(List.of(extra));
        args.add(playbookFile().toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args.toArray(String[]::new), o, e);
        }
        return new Run(List.copyOf(args), code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    public Run plan(String... extra) {
        return mosaic("plan", extra);
    }

    public Run apply(String... extra) {
        return mosaic("apply", extra);
    }

    /** An apply that must succeed; returns its run. */
    public Run applyOk(String... extra) {
        Run r = apply(extra);
        if (r.exitCode() != 0) {
            throw new AssertionError("apply failed:\n" + r);
        }
        return r;
    }

    /** {@code plan --json}, parsed; fails when the plan cannot be made. */
    public JsonNode planJson(String... extra) {
        List<String> args = new ArrayList<>(List.of(extra));
        args.add("--json");
        Run r = plan(args.toArray(String[]::new));
        try {
            return JSON.readTree(r.out());
        } catch (IOException e) {
            throw new AssertionError("plan --json printed no JSON:\n" + r, e);
        }
    }

    /** The planned change of one resource in a JSON plan, or null when it is not among the changes. */
    public static JsonNode change(JsonNode plan, String address) {
        for (JsonNode c : plan.get("changes")) {
            if (c.get("address").asText().equals(address)) {
                return c;
            }
        }
        return null;
    }

    /** The addresses of the changes of a JSON plan, in order. */
    public static List<String> changed(JsonNode plan) {
        List<String> out = new ArrayList<>();
        plan.get("changes").forEach(c -> out.add(c.get("address").asText()));
        return out;
    }

    /** The full log Mosaic keeps of a resource's last run with output. */
    public Path log(String address) {
        return dev.mosaic.engine.ResourceLog.file(at("/var/lib/mosaic/logs"), address);
    }

    // ------------------------------------------------------------------ counters

    /** How many lines a counter file below the root has (0 when absent): how often a command ran. */
    public int count(String targetPath) {
        Path p = at(targetPath);
        if (!Files.exists(p)) {
            return 0;
        }
        try {
            return (int) Files.readAllLines(p).stream().filter(l -> !l.isBlank()).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ file system

    /**
     * Everything observable about a tree, one line per path sorted: kind, permission bits, size,
     * mtime in ns, inode, and the content's sha256 or the link's target. Equal snapshots mean
     * nothing below was created, removed, rewritten, touched or chmod-ed.
     */
    public static List<String> snapshot(Path dir) {
        List<String> lines = new ArrayList<>();
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return lines;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                    lines.add(describe(dir, d, true));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    lines.add(describe(dir, f, true));
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Collections.sort(lines);
        return lines;
    }

    /** What a tree holds, without when: path, kind, permission bits and content digest, sorted. */
    public static List<String> contents(Path dir) {
        List<String> lines = new ArrayList<>();
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                    if (!d.equals(dir)) {
                        lines.add(describe(dir, d, false));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                    lines.add(describe(dir, f, false));
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Collections.sort(lines);
        return lines;
    }

    private static String describe(Path base, Path p, boolean withTimes) throws IOException {
        Map<String, Object> a = Files.readAttributes(p,
                "unix:mode,ino,size,lastModifiedTime,isRegularFile,isDirectory,isSymbolicLink", LinkOption.NOFOLLOW_LINKS);
        String rel = base.relativize(p).toString();
        String kind;
        String what = "";
        if ((Boolean) a.get("isSymbolicLink")) {
            kind = "link";
            what = " -> " + Files.readSymbolicLink(p);
        } else if ((Boolean) a.get("isDirectory")) {
            kind = "dir";
        } else if ((Boolean) a.get("isRegularFile")) {
            kind = "file";
            what = " sha256=" + sha256(Files.readAllBytes(p));
        } else {
            kind = "special";
        }
        String times = withTimes ? String.format(" size=%d mtime=%d ino=%d", (Long) a.get("size"),
                ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS), (Long) a.get("ino")) : "";
        return String.format("%s %s %04o%s%s", rel.isEmpty() ? "." : rel, kind, (Integer) a.get("mode") & 07777, times, what);
    }

    /** Inode and mtime (ns) of a path: equal before and after means the path was not rewritten. */
    public static String identity(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:ino,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
            return "ino=" + a.get("ino") + " mtime=" + ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The identities of every regular file below a tree, by relative path. */
    public static Map<String, String> identities(Path dir) {
        Map<String, String> out = new TreeMap<>();
        try (var s = Files.walk(dir)) {
            s.filter(Files::isRegularFile).forEach(f -> out.put(dir.relativize(f).toString(), identity(f)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Copies a tree, keeping permission bits and mtimes (like {@code cp -a}). */
    public static void copyTree(Path from, Path to) {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
            }
            try (var d = Files.walk(from)) {
                for (Path p : d.filter(Files::isDirectory).toList()) {
                    Path dest = to.resolve(from.relativize(p).toString());
                    Files.setPosixFilePermissions(dest, Files.getPosixFilePermissions(p));
                    Files.setLastModifiedTime(dest, Files.getLastModifiedTime(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void chmod(Path p, String perms) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets a path's mtime to {@code seconds} from now (negative: in the past), keeping its bytes. */
    public static void touch(Path p, long seconds) {
        try {
            Files.setLastModifiedTime(p, FileTime.fromMillis(System.currentTimeMillis() + seconds * 1000));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ processes

    /** What a process printed (stdout and stderr merged) and how it ended. */
    public record Proc(int exitCode, String output) {
    }

    /** Runs a process in {@code dir} with standard input from a file (or /dev/null) and waits for it. */
    public static Proc run(Path dir, Path stdin, Map<String, String> env, String... argv) {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))
                : ProcessBuilder.Redirect.from(stdin.toFile()));
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", argv) + " hung");
            }
            return new Proc(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
