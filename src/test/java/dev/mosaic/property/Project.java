package dev.mosaic.property;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.property.Model.Drift;
import dev.mosaic.property.Model.Entry;
import dev.mosaic.property.Model.Unit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes one version of a generated playbook into a project directory — {@code playbook.yml},
 * its sources under {@code src/} (files, copy trees, tar.gz archives made here) and the module
 * {@code modules/unit} — and makes the generated drift on a target root. Every path of the
 * playbook is below {@code /srv}; commands use paths relative to their directory, so they stay
 * inside {@code --root}.
 */
final class Project {

    private static final ObjectMapper JSON = new ObjectMapper();

    static final String MODULE = """
            name: unit
            description: a directory with a note in it
            params:
              dir: { type: string }
              text: { type: string }
              mode: { type: string, default: "0644" }
            resources:
              home:
                type: directory
                path: ${dir}
              note:
                type: file
                path: ${dir}/note
                content: ${text}
                mode: ${mode}
            """;

    private final Path dir;

    Project(Path dir) {
        this.dir = dir;
    }

    Path playbook() {
        return dir.resolve("playbook.yml");
    }

    /** Replaces the project's playbook and sources with those of {@code units}; returns the YAML written. */
    String write(List<Unit> units) throws IOException {
        Path src = dir.resolve("src");
        deleteTree(src);
        Files.createDirectories(src);
        Path module = dir.resolve("modules/unit/module.yml");
        Files.createDirectories(module.getParent());
        Files.writeString(module, MODULE);
        String yaml = yaml(units);
        for (int i = 0; i < units.size(); i++) {
            Unit u = units.get(i);
            if (u instanceof Unit.File f && f.fromSource()) {
                Files.writeString(src.resolve("file" + i), f.content());
            } else if (u instanceof Unit.Copy c) {
                for (Entry e : c.tree()) {
                    Path p = src.resolve("copy" + i).resolve(e.path());
                    Files.createDirectories(p.getParent());
                    Files.writeString(p, e.content());
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(rwx(e.mode())));
                }
            } else if (u instanceof Unit.Archive a) {
                tarGz(src.resolve("archive" + i + ".tar.gz"), a.entries());
            }
        }
        Files.writeString(playbook(), yaml);
        return yaml;
    }

    /** The playbook's text for {@code units} (slot i is unit i; null slots are left out). */
    static String yaml(List<Unit> units) {
        StringBuilder modules = new StringBuilder();
        StringBuilder r = new StringBuilder();
        for (int i = 0; i < units.size(); i++) {
            Unit u = units.get(i);
            if (u instanceof Unit.File f) {
                r.append("  file").append(i).append(":\n    type: file\n    path: ").append(path(units, i)).append('\n');
                if (f.fromSource()) {
                    r.append("    source: src/file").append(i).append('\n');
                } else {
                    r.append("    content: ").append(quote(f.content())).append('\n');
                }
                r.append("    mode: \"").append(f.mode()).append("\"\n");
                int b = f.notifies() % units.size();
                if (units.get(b) instanceof Unit.Build) {
                    r.append("    notify: [build").append(b).append("]\n");
                }
            } else if (u instanceof Unit.Dir d) {
                r.append("  dir").append(i).append(":\n    type: directory\n    path: ").append(path(units, i))
                        .append("\n    mode: \"").append(d.mode()).append("\"\n");
            } else if (u instanceof Unit.Link l) {
                r.append("  link").append(i).append(":\n    type: link\n    path: ").append(path(units, i))
                        .append("\n    target: ").append(quote(linkTarget(units, i, l))).append('\n');
            } else if (u instanceof Unit.Copy c) {
                r.append("  copy").append(i).append(":\n    type: copy\n    source: src/copy").append(i)
                        .append("\n    dest: ").append(path(units, i)).append("\n    purge: ").append(c.purge()).append('\n');
            } else if (u instanceof Unit.Archive) {
                r.append("  archive").append(i).append(":\n    type: archive\n    source: src/archive").append(i)
                        .append(".tar.gz\n    dest: ").append(path(units, i)).append('\n');
            } else if (u instanceof Unit.Build b) {
                String home = "/srv/build" + i;
                r.append("  build").append(i).append("-dir:\n    type: directory\n    path: ").append(home).append('\n');
                r.append("  build").append(i).append(":\n    type: build\n    dir: ").append(home).append('\n');
                int q = b.input() % units.size();
                Unit in = q == i ? null : units.get(q);
                if (in instanceof Unit.File || in instanceof Unit.Copy || in instanceof Unit.Archive) {
                    String rel = ".." + path(units, q).substring("/srv".length());
                    String command = in instanceof Unit.File ? "cat " + rel + " > out"
                            : "find " + rel + " -type f | LC_ALL=C sort | xargs cat > out";
                    // No requires: the edge from what it reads (an archive's dest too) is implicit.
                    r.append("    command: ").append(quote(command)).append("\n    inputs: [").append(path(units, q)).append("]\n");
                } else {
                    r.append("    command: ").append(quote("printf 'built " + i + "\\n' > out")).append('\n');
                }
                r.append("    outputs: [").append(home).append("/out]\n    toolchain: []\n    share: ").append(b.share()).append('\n');
            } else if (u instanceof Unit.Module m) {
                modules.append("  mod").append(i).append(":\n    source: unit\n    with: { dir: ").append(quote("/srv/mod" + i))
                        .append(", text: ").append(quote(m.text())).append(", mode: ").append(quote(m.mode())).append(" }\n");
            }
        }
        StringBuilder y = new StringBuilder("name: generated\n");
        if (!modules.isEmpty()) {
            y.append("modules:\n").append(modules);
        }
        y.append("resources:").append(r.isEmpty() ? " {}\n" : "\n" + r);
        return y.toString();
    }

    /** The path slot {@code i} manages on the target: its file, directory, tree, link, or its build's output. */
    static String path(List<Unit> units, int i) {
        Unit u = units.get(i);
        if (u instanceof Unit.File f) {
            int p = f.parent() % units.size();
            return p != i && units.get(p) instanceof Unit.Dir ? "/srv/dir" + p + "/file" + i : "/srv/file" + i;
        }
        if (u instanceof Unit.Dir) {
            return "/srv/dir" + i;
        }
        if (u instanceof Unit.Link) {
            return "/srv/link" + i;
        }
        if (u instanceof Unit.Copy) {
            return "/srv/copy" + i;
        }
        if (u instanceof Unit.Archive) {
            return "/srv/archive" + i;
        }
        if (u instanceof Unit.Build) {
            return "/srv/build" + i + "/out";
        }
        if (u instanceof Unit.Module) {
            return "/srv/mod" + i + "/note";
        }
        throw new IllegalArgumentException("empty slot " + i);
    }

    /** A link names another slot's path, absolute or relative to {@code /srv}; an empty slot or itself: a dangling name. */
    private static String linkTarget(List<Unit> units, int i, Unit.Link l) {
        int t = l.target() % units.size();
        if (t == i || units.get(t) == null) {
            return "missing" + t;
        }
        String p = path(units, t);
        return l.absolute() ? p : p.substring("/srv/".length());
    }

    /** A YAML double-quoted scalar: JSON's escapes are YAML's. */
    static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Makes version 1's drift on {@code root}: hand edits of what the playbook manages. Links are never followed. */
    static void drift(Path root, List<Unit> units, List<Drift> drift) throws IOException {
        for (Drift d : drift) {
            int s = d.slot() % units.size();
            if (units.get(s) == null) {
                continue;
            }
            Path p = root.resolve(path(units, s).substring(1));
            boolean file = Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
            boolean directory = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
            switch (d.edit()) {
                case DELETE -> deleteTree(p);
                case REWRITE -> {
                    Path target = file ? p : directory ? firstFile(p) : null;
                    if (target != null) {
                        Files.writeString(target, "drift\n");
                    }
                }
                case CHMOD -> {
                    if (file || directory) {
                        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(directory ? "rwx------" : "rw----r--"));
                    }
                }
                case STRAY -> {
                    if (directory) {
                        Files.writeString(p.resolve("stray"), "stray\n");
                    }
                }
            }
        }
    }

    private static Path firstFile(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).sorted().findFirst().orElse(null);
        }
    }

    /** A tar.gz of regular files with fixed times, the same bytes for the same entries. */
    static void tarGz(Path file, List<Entry> entries) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
            for (Entry e : entries) {
                byte[] data = e.content().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry t = new TarArchiveEntry(e.path());
                t.setSize(data.length);
                t.setMode(0100000 | Integer.parseInt(e.mode(), 8));
                t.setModTime(1_700_000_000_000L);
                tar.putArchiveEntry(t);
                tar.write(data);
                tar.closeArchiveEntry();
            }
        }
    }

    private static String rwx(String octal) {
        int m = Integer.parseInt(octal, 8);
        StringBuilder s = new StringBuilder();
        for (int shift = 6; shift >= 0; shift -= 3) {
            int bits = (m >> shift) & 7;
            s.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-').append((bits & 1) != 0 ? 'x' : '-');
        }
        return s.toString();
    }

    /** Deletes a tree without following links; nothing when absent. */
    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> all = new ArrayList<>();
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.walk(p)) {
                s.forEach(all::add);
            }
        } else {
            all.add(p);
        }
        all.sort(Comparator.reverseOrder());
        for (Path x : all) {
            Files.delete(x);
        }
    }
}
