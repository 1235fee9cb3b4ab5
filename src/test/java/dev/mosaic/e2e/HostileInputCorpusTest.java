package dev.mosaic.e2e;

import dev.mosaic.testing.Canary;
import dev.mosaic.testing.TreeSnapshot;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Hostile and malformed input of every kind a user can hand Mosaic — playbooks, modules,
 * inventories, archives, command-line paths — through the real command line (in-process: what
 * is checked is what {@code Main.run} prints and returns). Each case must end with a non-zero
 * exit, a diagnostic (at {@code file:line:col} where the input is a file Mosaic parses, else one
 * paragraph naming what is wrong), no Java stack trace or exception name in the output, the
 * target root and the playbook's directory exactly as they were (no plan file or report written
 * by a refused run), and a canary directory outside them untouched.
 */
class HostileInputCorpusTest {

    /** A position in a file: {@code site.yml:12:5: error:}. */
    private static final Pattern POSITIONED = Pattern.compile("\\.ya?ml:\\d+:\\d+: error: ");

    /** What a Java stack trace or a leaked exception looks like in output. */
    private static final Pattern TRACE = Pattern.compile("^\\s+at [\\w$.]+\\(|Exception|Error:|^Caused by: ",
            Pattern.MULTILINE);

    @TempDir
    Path tmp;

    /** The files of one case: the playbook directory, a target root, state and cache outside it. */
    record Rig(Path dir, Path pb, Path root, Path state, Path cache) {

        Path file(String relative, String text) {
            return file(relative, text.getBytes(StandardCharsets.UTF_8));
        }

        Path file(String relative, byte[] bytes) {
            try {
                Path p = pb.resolve(relative);
                Files.createDirectories(p.getParent());
                Files.write(p, bytes);
                return p;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Path playbook(String yaml) {
            return file("site.yml", yaml);
        }

        /** A module under {@code modules/NAME} next to the playbook. */
        void module(String name, String yaml) {
            file("modules/" + name + "/module.yml", yaml);
        }

        String[] validate(Path playbook) {
            return new String[] {"validate", playbook.toString()};
        }

        String[] plan(Path playbook, String... more) {
            return with(new String[] {"plan", playbook.toString(), "--root", root.toString(), "--state-dir",
                    state.toString(), "--cache-dir", cache.toString()}, more);
        }

        String[] apply(Path playbook, String... more) {
            return with(new String[] {"apply", playbook.toString(), "--root", root.toString(), "--state-dir",
                    state.toString(), "--cache-dir", cache.toString()}, more);
        }

        static String[] with(String[] args, String... more) {
            List<String> all = new ArrayList<>(List.of(args));
            all.addAll(List.of(more));
            return all.toArray(String[]::new);
        }
    }

    /**
     * One hostile input: {@code setup} writes its files and returns the command line;
     * {@code positioned}: the diagnostic must carry {@code file:line:col}; {@code expect}: a
     * phrase of the diagnostic that shows it names the actual problem.
     */
    record Case(String name, boolean positioned, String expect, java.util.function.Function<Rig, String[]> setup) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case positioned(String name, String expect, java.util.function.Function<Rig, String[]> setup) {
        return new Case(name, true, expect, setup);
    }

    private static Case message(String name, String expect, java.util.function.Function<Rig, String[]> setup) {
        return new Case(name, false, expect, setup);
    }

    /** A playbook of one resource {@code r} with these fields (indented under it). */
    private static String one(String fields) {
        return "resources:\n  r:\n" + fields.stripIndent().lines().map(l -> "    " + l + "\n").reduce("", String::concat);
    }

    static Stream<Case> corpus() {
        List<Case> cases = new ArrayList<>();
        // ------------------------------------------------------------ YAML itself
        cases.add(positioned("a tab for indentation", "malformed YAML", r -> r.validate(r.playbook(
                "resources:\n  r:\n\ttype: file\n"))));
        cases.add(positioned("an unclosed quote", "malformed YAML", r -> r.validate(r.playbook(
                "resources:\n  r:\n    type: \"file\n    path: /x\n"))));
        cases.add(positioned("a duplicate key", "duplicate key 'path'", r -> r.validate(r.playbook(one("""
                type: file
                path: /srv/a
                path: /srv/b
                content: x
                """)))));
        cases.add(positioned("two documents", "single document", r -> r.validate(r.playbook(
                "resources: {}\n---\nresources: {}\n"))));
        cases.add(positioned("an undefined alias", "undefined alias", r -> r.validate(r.playbook(
                "vars: { a: *nope }\nresources: {}\n"))));
        cases.add(positioned("a billion laughs", "values once its aliases are expanded", r -> {
            StringBuilder y = new StringBuilder("vars:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
            for (int i = 1; i < 9; i++) {
                y.append("  a").append(i).append(": &a").append(i).append(" [")
                        .append(String.join(", ", java.util.Collections.nCopies(10, "*a" + (i - 1)))).append("]\n");
            }
            return r.validate(r.playbook(y.append("resources: {}\n").toString()));
        }));
        cases.add(positioned("a big scalar aliased over and over", "characters of text", r -> {
            StringBuilder y = new StringBuilder("vars:\n  big: &b \"").append("y".repeat(400_000)).append("\"\n  l:\n");
            for (int i = 0; i < 60; i++) {
                y.append("    - *b\n");
            }
            return r.validate(r.playbook(y.append("resources: {}\n").toString()));
        }));
        cases.add(positioned("a merge key", "merge keys", r -> r.validate(r.playbook(
                "vars:\n  base: &b { x: 1 }\n  more: { <<: *b, y: 2 }\nresources: {}\n"))));
        cases.add(positioned("a global tag that names a Java class", "Global tag is not allowed", r -> r.validate(
                r.playbook("vars:\n  x: !!javax.script.ScriptEngineManager [1]\nresources: {}\n"))));
        cases.add(positioned("a byte that is not UTF-8", "not UTF-8", r -> r.validate(r.file("site.yml",
                new byte[] {'r', 'e', 's', 'o', 'u', 'r', 'c', 'e', 's', ':', ' ', (byte) 0xff, '\n'}))));
        cases.add(positioned("a bell character in the text", "U+0007", r -> r.validate(r.playbook(
                "name: a\u0007b\nresources: {}\n"))));
        cases.add(positioned("a raw NUL in the text", "U+0000", r -> r.validate(r.playbook(
                "name: a\u0000b\nresources: {}\n"))));
        cases.add(positioned("nesting 150 deep", "Nesting Depth", r -> r.validate(r.playbook(
                "vars:\n  x: " + "[".repeat(150) + "]".repeat(150) + "\nresources: {}\n"))));
        cases.add(positioned("an empty file", "the file is empty", r -> r.validate(r.playbook(""))));
        cases.add(positioned("a list instead of a mapping", "is a mapping", r -> r.validate(r.playbook("- a\n- b\n"))));
        // ------------------------------------------------------------ resources
        cases.add(positioned("an unknown type", "unknown type 'fil'", r -> r.validate(r.playbook(one("""
                type: fil
                path: /srv/a
                """)))));
        cases.add(positioned("a type that is a list", "names a kind", r -> r.validate(r.playbook(one("""
                type: [file]
                path: /srv/a
                """)))));
        cases.add(positioned("a missing path", "path", r -> r.validate(r.playbook(one("""
                type: file
                content: x
                """)))));
        cases.add(positioned("a NUL in a path", "NUL", r -> r.validate(r.playbook(one("""
                type: file
                path: "/srv/a\\0b"
                content: x
                """)))));
        cases.add(positioned("a NUL in a link target", "NUL", r -> r.apply(r.playbook(one("""
                type: link
                path: /srv/l
                target: "/etc/pass\\0wd"
                """)))));
        cases.add(positioned("a newline in a path", "control characters", r -> r.apply(r.playbook(one("""
                type: directory
                path: "/srv/a\\nb"
                """)))));
        cases.add(positioned("a relative path", "absolute path", r -> r.validate(r.playbook(one("""
                type: file
                path: srv/a
                content: x
                """)))));
        cases.add(positioned("a path climbing with ..", "'..'", r -> r.apply(r.playbook(one("""
                type: file
                path: /srv/../../etc/passwd
                content: x
                """)))));
        cases.add(positioned("a 300-byte file name", "a file name has at most 255", r -> r.apply(r.playbook(one("""
                type: file
                path: /srv/%s
                content: x
                """.formatted("n".repeat(300)))))));
        cases.add(positioned("a 5000-byte path", "a path has at most 4095", r -> r.apply(r.playbook(one("""
                type: directory
                path: %s
                """.formatted("/dir".repeat(1250)))))));
        cases.add(positioned("an owner past 2^32 - 2", "at most 4294967294", r -> r.apply(r.playbook(one("""
                type: file
                path: /srv/a
                content: x
                owner: "99999999999999"
                """)))));
        cases.add(positioned("a negative group", "group name or a number", r -> r.apply(r.playbook(one("""
                type: directory
                path: /srv/d
                group: "-1"
                """)))));
        cases.add(positioned("an owner with a colon", "user name or a number", r -> r.apply(r.playbook(one("""
                type: file
                path: /srv/a
                content: x
                owner: "root:0"
                """)))));
        cases.add(positioned("a mode that is not octal", "octal mode", r -> r.validate(r.playbook(one("""
                type: file
                path: /srv/a
                content: x
                mode: "0999"
                """)))));
        cases.add(positioned("a newline in a dnsmasq interface", "one line", r -> r.apply(r.playbook(one("""
                type: dnsmasq
                path: /etc/dnsmasq.d/x.conf
                interface: "eth1\\ndhcp-script=/tmp/evil"
                """)))));
        cases.add(positioned("a newline in a dnsmasq range", "one line", r -> r.apply(r.playbook(one("""
                type: dnsmasq
                path: /etc/dnsmasq.d/x.conf
                range: "10.0.0.1,10.0.0.9\\nconf-dir=/tmp"
                """)))));
        cases.add(positioned("a carriage return in a dnsmasq node name", "one line", r -> r.apply(r.playbook(one("""
                type: dnsmasq
                path: /etc/dnsmasq.d/x.conf
                nodes:
                  - { name: "n1\\rx", mac: "52:54:00:00:00:01" }
                """)))));
        cases.add(positioned("a newline in a dnsmasq extra line", "one line", r -> r.apply(r.playbook(one("""
                type: dnsmasq
                path: /etc/dnsmasq.d/x.conf
                extra: ["log-dhcp\\ndhcp-script=/tmp/evil"]
                """)))));
        cases.add(positioned("a newline in a pxe append", "one line", r -> r.apply(r.playbook(one("""
                type: pxe
                root: /srv/tftp
                labels:
                  - { name: linux, kernel: vmlinuz, append: "quiet\\nKERNEL http://evil/k" }
                """)))));
        cases.add(positioned("a newline in a pxe node name", "one line", r -> r.apply(r.playbook(one("""
                type: pxe
                root: /srv/tftp
                labels:
                  - { name: linux, kernel: vmlinuz }
                nodes:
                  - { name: "n1\\nDEFAULT evil", mac: "52:54:00:00:00:01" }
                """)))));
        cases.add(positioned("an undefined variable", "undefined variable", r -> r.validate(r.playbook(one("""
                type: file
                path: /srv/${nope}
                content: x
                """)))));
        cases.add(positioned("a requires naming nothing", "no resource 'ghost'", r -> r.validate(r.playbook(one("""
                type: file
                path: /srv/a
                content: x
                requires: [ghost]
                """)))));
        cases.add(positioned("two resources requiring each other", "cycle", r -> r.validate(r.playbook("""
                resources:
                  a: { type: file, path: /srv/a, content: x, requires: [b] }
                  b: { type: file, path: /srv/b, content: x, requires: [a] }
                """))));
        cases.add(positioned("an unset environment variable", "is not set", r -> r.validate(r.playbook(one("""
                type: file
                path: /srv/a
                content: ${env:MOSAIC_CORPUS_SURELY_UNSET}
                """)))));
        cases.add(positioned("a missing file reference", "no such file", r -> r.validate(r.playbook(one("""
                type: file
                path: /srv/a
                content: ${file:nowhere.txt}
                """)))));
        cases.add(positioned("a file reference to a file of 17 MiB", "has at most 16777216", r -> {
            try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(r.file("big.txt", "").toFile(), "rw")) {
                f.setLength(17L * 1024 * 1024); // sparse: no 17 MiB written to disk
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return r.validate(r.playbook(one("""
                    type: file
                    path: /srv/a
                    content: ${file:big.txt}
                    """)));
        }));
        // ------------------------------------------------------------ modules
        cases.add(positioned("a module calling itself", "module loop \u2192 loop", r -> {
            r.module("loop", "name: loop\nmodules:\n  again: { source: loop }\nresources: {}\n");
            return r.apply(r.playbook("modules:\n  l: { source: loop }\nresources: {}\n"));
        }));
        cases.add(positioned("two modules calling each other", "module ping \u2192 pong \u2192 ping", r -> {
            r.module("ping", "name: ping\nmodules:\n  o: { source: pong }\nresources: {}\n");
            r.module("pong", "name: pong\nmodules:\n  o: { source: ping }\nresources: {}\n");
            return r.validate(r.playbook("modules:\n  p: { source: ping }\nresources: {}\n"));
        }));
        cases.add(positioned("a module that does not exist", "ghost", r -> r.validate(r.playbook(
                "modules:\n  g: { source: ghost }\nresources: {}\n"))));
        cases.add(positioned("a module.yml that is malformed", "malformed YAML", r -> {
            r.module("bad", "name: bad\nparams: [\n");
            return r.validate(r.playbook("modules:\n  b: { source: bad }\nresources: {}\n"));
        }));
        cases.add(positioned("a param the module does not declare", "evil", r -> {
            r.module("small", "name: small\nparams:\n  x: { type: string }\nresources: {}\n");
            return r.validate(r.playbook("modules:\n  s: { source: small, with: { x: a, evil: b } }\nresources: {}\n"));
        }));
        cases.add(positioned("a module resource with a NUL path", "NUL", r -> {
            r.module("nul", "name: nul\nresources:\n  f: { type: file, path: \"/srv/\\0\", content: x }\n");
            return r.apply(r.playbook("modules:\n  n: { source: nul }\nresources: {}\n"));
        }));
        // ------------------------------------------------------------ inventories
        cases.add(message("a missing inventory", "no such file", r -> Rig.with(r.validate(r.playbook("resources: {}\n")),
                "--inventory", r.dir().resolve("nowhere.yml").toString())));
        cases.add(message("an inventory that is a directory", "is a directory", r -> Rig.with(
                r.validate(r.playbook("resources: {}\n")), "--inventory", r.pb().toString())));
        cases.add(positioned("a malformed inventory", "malformed YAML", r -> Rig.with(r.validate(r.playbook("resources: {}\n")),
                "--inventory", r.file("inv.yml", "hosts: [\n").toString())));
        cases.add(positioned("an inventory host without a connection", "connection", r -> Rig.with(
                r.validate(r.playbook("resources: {}\n")), "--inventory",
                r.file("inv.yml", "hosts:\n  h1: { root: /tmp/x }\n").toString())));
        // ------------------------------------------------------------ archives (refused while applying)
        cases.add(message("a zip slipping out with ..", "'../evil'", r -> archive(r, "evil.zip",
                zip("ok.txt", "fine", "../evil", "pwned"), "")));
        cases.add(message("a zip with two entries of one name", "twice", r -> archive(r, "dup.zip",
                zip("etc/motd", "one", "etc/motd", "two"), "")));
        cases.add(message("a zip declared as tar", "read as tar", r -> archive(r, "x.bin",
                zip("ok.txt", "fine"), "format: tar")));
        cases.add(message("a text file declared as tar", "not a tar archive", r -> archive(r, "notes.tar",
                "nothing but text here\n".repeat(50).getBytes(StandardCharsets.UTF_8), "format: tar")));
        cases.add(message("a setuid file without allow_setuid", "setuid", r -> archive(r, "suid.tar",
                tar(TarConstants.LF_NORMAL, "bin/sh", 04755, null), "")));
        cases.add(message("a symlink out of the destination", "outside", r -> archive(r, "link.tar",
                tar(TarConstants.LF_SYMLINK, "escape", 0777, "../../../etc"), "")));
        cases.add(message("a device node", "character device", r -> archive(r, "dev.tar",
                tar(TarConstants.LF_CHR, "dev/mem", 0600, null), "")));
        // ------------------------------------------------------------ command-line paths
        cases.add(message("plan --out into a missing directory", "does not exist", r -> r.plan(
                r.playbook(okPlaybook()), "--out", r.dir().resolve("missing/plan.mosaic").toString())));
        cases.add(message("plan --out below a file", "is a file, not a directory", r -> r.plan(
                r.playbook(okPlaybook()), "--out", r.file("afile", "x").resolve("plan.mosaic").toString())));
        cases.add(message("plan --out a directory", "is a directory", r -> r.plan(
                r.playbook(okPlaybook()), "--out", r.dir().toString())));
        cases.add(message("apply --root a file", "not a directory", r -> new String[] {"apply",
                r.playbook(okPlaybook()).toString(), "--root", r.file("afile", "x").toString(), "--state-dir",
                r.state().toString()}));
        cases.add(message("--state-dir a file", "not a directory", r -> new String[] {"apply",
                r.playbook(okPlaybook()).toString(), "--root", r.root().toString(), "--state-dir",
                r.file("afile", "x").toString()}));
        cases.add(message("--cache-dir below a file", "not a directory", r -> new String[] {"apply",
                r.playbook(okPlaybook()).toString(), "--root", r.root().toString(), "--state-dir", r.state().toString(),
                "--cache-dir", r.file("afile", "x").resolve("cache").toString()}));
        cases.add(message("--report a directory", "is a directory", r -> r.apply(r.playbook(okPlaybook()),
                "--report", r.dir().toString())));
        cases.add(message("--report into a missing directory", "does not exist", r -> r.apply(r.playbook(okPlaybook()),
                "--report", r.dir().resolve("no/report.html").toString())));
        cases.add(message("--modules a missing directory", "no such directory", r -> r.plan(r.playbook(okPlaybook()),
                "--modules", r.dir().resolve("nope").toString())));
        cases.add(message("a playbook that is a directory", "is a directory", r -> r.apply(r.pb())));
        cases.add(message("a playbook that does not exist", "no such file", r -> r.apply(r.pb().resolve("nope.yml"))));
        cases.add(message("a playbook that is a FIFO", "not a regular file", r -> {
            Path fifo = r.pb().resolve("fifo.yml");
            try {
                Files.createDirectories(r.pb());
                new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return r.validate(fifo);
        }));
        cases.add(message("--jobs 0", "at least 1", r -> r.plan(r.playbook(okPlaybook()), "--jobs", "0")));
        cases.add(message("history --root a file", "not a directory", r -> new String[] {"history", "--root",
                r.file("afile", "x").toString()}));
        cases.add(message("logs --state-dir a file", "not a directory", r -> new String[] {"logs", "file[r]",
                "--root", r.root().toString(), "--state-dir", r.file("afile", "x").toString()}));
        cases.add(message("restore --root a file", "not a directory", r -> new String[] {"restore", "20240101-000000",
                "--root", r.file("afile", "x").toString(), "--state-dir", r.state().toString()}));
        cases.add(message("module-schema of no module", "no module", r -> new String[] {"module-schema",
                r.dir().resolve("nowhere").toString()}));
        return cases.stream();
    }

    /** A playbook that would change the root if it ran. */
    private static String okPlaybook() {
        return "resources:\n  motd: { type: file, path: /etc/motd, content: \"new\\n\" }\n";
    }

    private static String[] archive(Rig r, String name, byte[] bytes, String extra) {
        r.file(name, bytes);
        return r.apply(r.playbook("resources:\n  a:\n    type: archive\n    source: " + name
                + "\n    dest: /srv/unpack\n" + (extra.isEmpty() ? "" : "    " + extra + "\n")));
    }

    /** A zip of name/text pairs, in order (names may repeat). */
    private static byte[] zip(String... nameText) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            for (int i = 0; i < nameText.length; i += 2) {
                ZipArchiveEntry e = new ZipArchiveEntry(nameText[i]);
                e.setUnixMode(0100644);
                zip.putArchiveEntry(e);
                zip.write(nameText[i + 1].getBytes(StandardCharsets.UTF_8));
                zip.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** A tar of a harmless file, then one entry of this type. */
    private static byte[] tar(byte type, String name, int mode, String link) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            TarArchiveEntry ok = new TarArchiveEntry("ok.txt");
            ok.setSize(3);
            tar.putArchiveEntry(ok);
            tar.write("ok\n".getBytes(StandardCharsets.UTF_8));
            tar.closeArchiveEntry();
            TarArchiveEntry e = type == TarConstants.LF_NORMAL ? new TarArchiveEntry(name) : new TarArchiveEntry(name, type);
            e.setMode(mode);
            if (link != null) {
                e.setLinkName(link);
            }
            byte[] data = type == TarConstants.LF_NORMAL ? "ELF".getBytes(StandardCharsets.UTF_8) : new byte[0];
            e.setSize(data.length);
            tar.putArchiveEntry(e);
            tar.write(data);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void hostileInput_isRefusedWithADiagnostic_noTrace_rootAndCanaryUntouched(Case c) throws IOException {
        Rig rig = new Rig(tmp, tmp.resolve("pb"), tmp.resolve("root"), tmp.resolve("state"), tmp.resolve("cache"));
        Files.createDirectories(rig.pb());
        Files.createDirectories(rig.root().resolve("etc"));
        Files.writeString(rig.root().resolve("etc/motd"), "old\n");
        Files.createDirectories(rig.root().resolve("srv"));
        Canary canary = Canary.plant(tmp.resolve("outside"));
        String[] args = c.setup().apply(rig);
        List<String> before = TreeSnapshot.of(rig.root());
        List<String> playbookDirBefore = TreeSnapshot.of(rig.pb()); // where --out and --report cases aim

        Cli.Result r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Cli.inProcess(args));

        String all = r.stdout() + r.stderr();
        assertThat(r.exitCode()).as("%s", r).isNotZero();
        assertThat(TRACE.matcher(all).find()).as("no stack trace nor exception name in:%n%s", r).isFalse();
        assertThat(all).as("%s", r).contains(c.expect());
        if (c.positioned()) {
            assertThat(POSITIONED.matcher(all).find()).as("a file:line:col diagnostic in:%n%s", r).isTrue();
        } else {
            assertThat(r.stderr().strip().split("\n\n")).as("one paragraph on stderr:%n%s", r).hasSize(1);
        }
        assertThat(TreeSnapshot.of(rig.root())).as("the root after %s", c).isEqualTo(before);
        assertThat(TreeSnapshot.of(rig.pb())).as("the playbook's directory after %s", c).isEqualTo(playbookDirBefore);
        canary.assertUntouched();
    }
}
