package dev.mosaic.playbooks;

import dev.mosaic.cli.Main;
import dev.mosaic.testing.TreeSnapshot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A repository playbook run in a temporary directory: the playbook (and {@code modules/}, when it
 * uses modules) copied from the repository into {@code <tmp>/control/playbooks/}, because the first
 * fetch writes {@code mosaic.lock} next to it and the repository must never be written; the target
 * in {@code <tmp>/root} ({@code --root}), the download cache in {@code <tmp>/cache}
 * ({@code --cache-dir}). The {@code mosaic} command line runs in-process through {@link Main#run}.
 */
final class PlaybookLab {

    /** The repository checkout (Maven runs tests in the project's directory). */
    static final Path REPOSITORY = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();

    final Path root;
    final Path playbook;
    private final Path cache;
    private final List<String> vars = new ArrayList<>();

    private PlaybookLab(Path tmp, String name) throws IOException {
        Path control = tmp.resolve("control");
        Path source = REPOSITORY.resolve("playbooks").resolve(name);
        this.playbook = control.resolve("playbooks").resolve(name);
        Files.createDirectories(playbook.getParent());
        Files.copy(source, playbook, StandardCopyOption.COPY_ATTRIBUTES);
        if (Files.readString(source).matches("(?s).*(^|\n)modules:.*")) {
            copyTree(REPOSITORY.resolve("modules"), control.resolve("modules"));
        }
        this.root = tmp.resolve("root");
        this.cache = tmp.resolve("cache");
    }

    static PlaybookLab of(Path tmp, String playbookName) {
        try {
            return new PlaybookLab(tmp, playbookName);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A {@code --var} given to every run from now on (e.g. the mirror's URL). */
    PlaybookLab withVar(String name, String value) {
        vars.addAll(List.of("--var", name + "=" + value));
        return this;
    }

    /** What one run printed and returned; {@link #toString()} shows all of it for failure messages. */
    record Run(List<String> args, int exitCode, String out, String err) {

        /**
         * The addresses of the plan's blocks ({@code # build[kernel] will be …}, a module's
         * {@code # module.kernel.build[kernel] will be …}), in order.
         */
        List<String> blockAddresses() {
            List<String> out = new ArrayList<>();
            Matcher m = Pattern.compile("(?m)^# ((?:module\\.[A-Za-z0-9_-]+\\.)*[a-z_]+\\[[^\\]]+\\]) ").matcher(this.out);
            while (m.find()) {
                out.add(m.group(1));
            }
            return out;
        }

        /** The header line of an address's block in a text plan ({@code # ADDRESS …}), or null. */
        String header(String address) {
            return this.out.lines().filter(l -> l.startsWith("# " + address + " ")).findFirst().orElse(null);
        }

        @Override
        public String toString() {
            return "mosaic " + String.join(" ", args) + "\n-- exit code: " + exitCode + "\n-- stdout:\n" + out
                    + "\n-- stderr:\n" + err;
        }
    }

    Run plan(String... extra) {
        return run("plan", extra);
    }

    Run apply(String... extra) {
        return run("apply", extra);
    }

    /** {@code mosaic COMMAND --root ROOT --cache-dir CACHE [vars] [extra] PLAYBOOK}. */
    Run run(String command, String... extra) {
        List<String> args = new ArrayList<>(List.of(command, "--root", root.toString(), "--cache-dir", cache.toString()));
        args.addAll(vars);
        args.addAll(List.of(extra));
        args.add(playbook.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args.toArray(String[]::new), o, e);
        }
        return new Run(List.copyOf(args), code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The local path of a target path. */
    Path at(String targetPath) {
        return root.resolve(targetPath.substring(1));
    }

    String read(String targetPath) {
        try {
            return Files.readString(at(targetPath), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] bytes(String targetPath) {
        try {
            return Files.readAllBytes(at(targetPath));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines of a target file, none when it does not exist. */
    List<String> lines(String targetPath) {
        return Files.exists(at(targetPath)) ? read(targetPath).lines().toList() : List.of();
    }

    /** Every file below a target directory, relative path → content. */
    Map<String, String> tree(String targetDir) {
        Path base = at(targetDir);
        Map<String, String> out = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(base)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                out.put(base.relativize(p).toString(), Files.readString(p, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * Everything observable (content, mode, size, mtime, inode) below the target's top directories,
     * Mosaic's own state ({@code /var/lib/mosaic}) aside.
     */
    List<String> snapshot() {
        Map<String, Path> dirs = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(root)) {
            s.sorted().filter(p -> !p.getFileName().toString().equals("var")).forEach(p -> dirs.put(p.getFileName().toString(), p));
            dirs.put("var/log", root.resolve("var/log"));
            return TreeSnapshot.of(dirs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.sorted().toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
