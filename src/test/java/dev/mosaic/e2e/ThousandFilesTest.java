package dev.mosaic.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A thousand {@code file} resources and a {@code copy} of a hundred-file tree, through the real
 * command line: the first apply creates everything, the second touches nothing (same inode, mtime
 * and ctime for every managed path), hand edits show up as drift with diffs, in text and JSON, and
 * apply puts back exactly those.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ThousandFilesTest {

    private static final int FILES = 1000;
    private static final String TREE_SOURCE = "/src/netboot-tree";
    private static final String TREE_DEST = "/opt/ltsp/tree";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path root;
    private Path playbookDir;

    @Test
    void apply_creates_a_thousand_files_and_a_tree_then_changes_nothing_then_repairs_exactly_three_hand_edits()
            throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        playbookDir = Files.createDirectories(tmp.resolve("playbook"));
        Map<Integer, String> desired = new TreeMap<>();
        for (int i = 0; i < FILES; i++) {
            desired.put(i, content(i));
        }
        Files.writeString(playbookDir.resolve("playbook.yml"), playbook(desired), StandardCharsets.UTF_8);
        createSourceTree();
        // Something the destination has and the source has not: purge removes it.
        Path stale = Trees.under(root, TREE_DEST + "/stale.txt");
        Files.createDirectories(stale.getParent());
        Files.writeString(stale, "left over\n");
        Cli cli = Cli.in(playbookDir);

        // 1. The first apply creates all 1,001 resources.
        Cli.Result first = cli.run("apply", "--root", root.toString(), "playbook.yml");
        assertThat(first.exitCode()).as("%s", first).isZero();
        assertThat(first.stdoutLines()).as("%s", first)
                .contains("Apply complete: 1001 changed, 0 refreshed, 0 unchanged, 0 failed, 0 skipped.");
        for (int i = 0; i < FILES; i++) {
            Path f = Trees.under(root, path(i));
            assertThat(f).as("file %d", i).isRegularFile();
            assertThat(Files.readAllBytes(f)).as("content of %s", f).isEqualTo(desired.get(i).getBytes(StandardCharsets.UTF_8));
            assertThat(Trees.mode(f)).as("mode of %s", f).isEqualTo(mode(i));
        }
        assertTreeCopied();
        assertThat(stale).as("purged").doesNotExist();

        // 2. A second apply changes nothing and writes nothing, not even Mosaic's own state file.
        Map<String, Trees.Entry> before = managedSnapshot();
        Path stateFile = Trees.under(root, "/var/lib/mosaic/state.json");
        Trees.Entry stateBefore = Trees.entry(stateFile);
        Cli.Result second = cli.run("apply", "--root", root.toString(), "playbook.yml");
        assertThat(second.exitCode()).as("%s", second).isZero();
        assertThat(second.stdout().strip()).as("%s", second)
                .isEqualTo("Apply complete: 0 changed, 0 refreshed, 1001 unchanged, 0 failed, 0 skipped.");
        assertThat(second.stderr()).as("%s", second).isEmpty();
        Map<String, Trees.Entry> after = managedSnapshot();
        assertThat(after.keySet()).isEqualTo(before.keySet());
        List<String> touched = new ArrayList<>();
        before.forEach((p, e) -> {
            if (!e.equals(after.get(p))) {
                touched.add(p + ": " + e + " -> " + after.get(p));
            }
        });
        assertThat(touched).as("paths rewritten (inode, mtime or ctime changed) by a no-op apply").isEmpty();
        assertThat(Trees.entry(stateFile)).as("state.json after a no-op apply").isEqualTo(stateBefore);

        // 3. Three files edited by hand are drift, and the only changes of the plan.
        Map<Integer, String> edits = new LinkedHashMap<>();
        edits.put(13, "line 13 edited by hand\n");
        edits.put(500, desired.get(500).replace("key = value-500", "key = tampered"));
        edits.put(994, desired.get(994) + "appended by hand\n");
        for (var e : edits.entrySet()) {
            Files.writeString(Trees.under(root, path(e.getKey())), e.getValue(), StandardCharsets.UTF_8);
        }
        Set<String> edited = new HashSet<>();
        edits.keySet().forEach(i -> edited.add(address(i)));

        Cli.Result plan = cli.run("plan", "--detailed-exitcode", "--root", root.toString(), "playbook.yml");
        assertThat(plan.exitCode()).as("%s", plan).isEqualTo(2);
        List<String> lines = plan.stdoutLines();
        List<String> headers = lines.stream().filter(l -> l.startsWith("# ")).toList();
        assertThat(headers).as("%s", plan).containsExactlyInAnyOrder(
                "# file[f0013] will be updated in place (drift)",
                "# file[f0500] will be updated in place (drift)",
                "# file[f0994] will be updated in place (drift)");
        assertThat(lines).as("%s", plan).containsSubsequence(
                "~ file[f0013]",
                "    ~ content:",
                "        --- file[f0013] (current)",
                "        +++ file[f0013] (desired)",
                "        -line 13 edited by hand",
                "        +line 13");
        assertThat(lines).as("%s", plan).containsSubsequence(
                "~ file[f0500]",
                "    ~ content:",
                "        --- file[f0500] (current)",
                "        +++ file[f0500] (desired)",
                "         # host 500",
                "        -key = tampered",
                "        +key = value-500",
                "         list = a, b, c");
        assertThat(lines).as("%s", plan).containsSubsequence(
                "~ file[f0994]",
                "    ~ content:",
                "        --- file[f0994] (current)",
                "        +++ file[f0994] (desired)",
                "        -appended by hand");
        assertThat(lines).as("%s", plan)
                .contains("Plan: 0 to create, 3 to update, 0 to replace, 0 to delete, 0 to refresh, 998 unchanged.");

        Cli.Result json = cli.run("plan", "--json", "--detailed-exitcode", "--root", root.toString(), "playbook.yml");
        assertThat(json.exitCode()).as("%s", json).isEqualTo(2);
        JsonNode doc = JSON.readTree(json.stdout());
        JsonNode changes = doc.get("changes");
        assertThat(changes.size()).as("%s", json).isEqualTo(3);
        Set<String> addresses = new HashSet<>();
        for (JsonNode c : changes) {
            addresses.add(c.get("address").asText());
            assertThat(c.get("action").asText()).as("action of %s", c.get("address")).isEqualTo("update");
            assertThat(c.get("cause").asText()).as("cause of %s", c.get("address")).isEqualTo("drift");
            assertThat(c.get("status").asText()).as("status of %s", c.get("address")).isEqualTo("planned");
            assertThat(c.get("diffs").get(0).get("field").asText()).isEqualTo("content");
            assertThat(c.get("diffs").get(0).get("unified").asText()).contains("+++ " + c.get("address").asText() + " (desired)");
        }
        assertThat(addresses).isEqualTo(edited);
        assertThat(doc.get("summary").get("update").asInt()).isEqualTo(3);
        assertThat(doc.get("summary").get("no-op").asInt()).isEqualTo(998);

        // 4. Apply restores exactly those three; nothing else is rewritten; then nothing is left to do.
        Map<String, Trees.Entry> beforeRepair = managedSnapshot();
        Cli.Result repair = cli.run("apply", "--root", root.toString(), "playbook.yml");
        assertThat(repair.exitCode()).as("%s", repair).isZero();
        assertThat(repair.stdoutLines()).as("%s", repair)
                .contains("Apply complete: 3 changed, 0 refreshed, 998 unchanged, 0 failed, 0 skipped.");
        assertThat(repair.stdoutLines().stream().filter(l -> l.startsWith("~ ")).map(l -> l.substring(2, l.indexOf(':'))))
                .as("%s", repair).containsExactlyInAnyOrderElementsOf(edited);
        for (int i : edits.keySet()) {
            Path f = Trees.under(root, path(i));
            assertThat(Files.readAllBytes(f)).as("restored %s", f).isEqualTo(desired.get(i).getBytes(StandardCharsets.UTF_8));
            assertThat(Trees.mode(f)).as("mode of restored %s", f).isEqualTo(mode(i));
        }
        Map<String, Trees.Entry> afterRepair = managedSnapshot();
        Set<String> editedPaths = new HashSet<>();
        edits.keySet().forEach(i -> editedPaths.add(path(i)));
        List<String> collateral = new ArrayList<>();
        beforeRepair.forEach((p, e) -> {
            boolean isFile = "file".equals(e.kind());
            if (isFile && !editedPaths.contains(p) && !e.equals(afterRepair.get(p))) {
                collateral.add(p);
            }
        });
        assertThat(collateral).as("files rewritten although they did not drift").isEmpty();

        Cli.Result clean = cli.run("plan", "--detailed-exitcode", "--root", root.toString(), "playbook.yml");
        assertThat(clean.exitCode()).as("%s", clean).isZero();
        assertThat(clean.stdout()).as("%s", clean).startsWith("No changes.");
    }

    // ------------------------------------------------------------------ the playbook

    private static String address(int i) {
        return String.format("file[f%04d]", i);
    }

    private static String path(int i) {
        return String.format("/etc/lab/d%02d/f%04d.conf", i % 10, i);
    }

    /** Varied content: empty, one line, several lines, no final newline, non-ASCII, a literal "${", large. */
    static String content(int i) {
        if (i == 777) {
            StringBuilder b = new StringBuilder();
            for (int l = 0; l < 4000; l++) {
                b.append("large file ").append(i).append(", line ").append(l).append(" of 4000\n");
            }
            return b.toString();
        }
        return switch (i % 6) {
            case 0 -> "";
            case 1 -> "line " + i + "\n";
            case 2 -> "# host " + i + "\nkey = value-" + i + "\nlist = a, b, c\n";
            case 3 -> "no final newline " + i;
            case 4 -> "Grüße, café, naïve — " + i + "\n";
            default -> "echo ${HOME} " + i + "\n";
        };
    }

    /** 0600, 0755, 0640 (written unquoted) for some files, the default 0644 for the others. */
    private static int mode(int i) {
        if (i % 5 == 0) {
            return 0600;
        }
        if (i % 7 == 0) {
            return 0755;
        }
        if (i % 11 == 0) {
            return 0640;
        }
        return 0644;
    }

    private static String modeField(int i) {
        if (i % 5 == 0) {
            return "    mode: \"0600\"\n";
        }
        if (i % 7 == 0) {
            return "    mode: \"0755\"\n";
        }
        if (i % 11 == 0) {
            return "    mode: 640\n";
        }
        return "";
    }

    private static String playbook(Map<Integer, String> desired) {
        StringBuilder b = new StringBuilder("name: thousand-files\nresources:\n");
        for (var e : desired.entrySet()) {
            int i = e.getKey();
            String text = e.getValue();
            b.append(String.format("  f%04d:\n    type: file\n    path: %s\n", i, path(i)));
            if (i % 6 == 2) {
                b.append("    content: |\n");
                text.lines().forEach(l -> b.append("      ").append(l).append('\n'));
            } else {
                b.append("    content: ").append(quoted(text.replace("${", "$${"))).append('\n');
            }
            b.append(modeField(i));
        }
        b.append("  netboot-tree:\n    type: copy\n    source: ").append(TREE_SOURCE)
                .append("\n    dest: ").append(TREE_DEST).append("\n    purge: true\n");
        return b.toString();
    }

    private static String quoted(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }

    // ------------------------------------------------------------------ the copied tree

    /** 10 directories of 10 files with varied modes, and one relative symlink. */
    private void createSourceTree() throws IOException {
        Path src = Trees.under(root, TREE_SOURCE);
        for (int d = 0; d < 10; d++) {
            Path dir = Files.createDirectories(src.resolve("d" + d));
            for (int f = 0; f < 10; f++) {
                Path file = dir.resolve("file" + f + ".dat");
                StringBuilder b = new StringBuilder();
                for (int l = 0; l <= (d * 10 + f) % 17; l++) {
                    b.append("dir ").append(d).append(" file ").append(f).append(" line ").append(l).append('\n');
                }
                Files.writeString(file, b);
                Trees.setMode(file, f % 3 == 0 ? 0755 : f % 3 == 1 ? 0600 : 0644);
            }
            Trees.setMode(dir, d == 5 ? 0750 : 0755);
        }
        Files.createSymbolicLink(src.resolve("latest"), Path.of("d3/file5.dat"));
    }

    private void assertTreeCopied() throws IOException {
        Path src = Trees.under(root, TREE_SOURCE);
        Path dst = Trees.under(root, TREE_DEST);
        Map<String, Trees.Entry> s = Trees.snapshot(src);
        Map<String, Trees.Entry> d = Trees.snapshot(dst);
        s.remove(".");
        d.remove(".");
        assertThat(d.keySet()).as("paths of the copy").isEqualTo(s.keySet());
        assertThat(s).hasSize(111);
        for (var e : s.entrySet()) {
            Trees.Entry want = e.getValue();
            Trees.Entry got = d.get(e.getKey());
            assertThat(got.kind()).as("kind of %s", e.getKey()).isEqualTo(want.kind());
            assertThat(got.content()).as("content of %s", e.getKey()).isEqualTo(want.content());
            if (!want.kind().equals("link")) {
                assertThat(got.mode()).as("mode of %s", e.getKey()).isEqualTo(want.mode());
            }
        }
    }

    // ------------------------------------------------------------------ snapshots

    /** Every managed path (the thousand files, their directories, the copied tree), by target path. */
    private Map<String, Trees.Entry> managedSnapshot() throws IOException {
        Map<String, Trees.Entry> out = new TreeMap<>();
        for (int i = 0; i < FILES; i++) {
            out.put(path(i), Trees.entry(Trees.under(root, path(i))));
        }
        for (int d = 0; d < 10; d++) {
            String dir = String.format("/etc/lab/d%02d", d);
            out.put(dir, Trees.entry(Trees.under(root, dir)));
        }
        Path dest = Trees.under(root, TREE_DEST);
        try (Stream<Path> s = Files.walk(dest)) {
            s.forEach(p -> out.put(TREE_DEST + "/" + dest.relativize(p), Trees.entry(p)));
        }
        return out;
    }
}
