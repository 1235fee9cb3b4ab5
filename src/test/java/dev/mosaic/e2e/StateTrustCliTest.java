package dev.mosaic.e2e;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Mosaic's own state through the command line: out of the playbook's reach, damaged, read-only, restored. */
class StateTrustCliTest {

    @TempDir
    Path tmp;

    private Path root;
    private Path playbook;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        playbook = tmp.resolve("site.yml");
    }

    private Cli.Result run(String... args) {
        return Cli.inProcess(args);
    }

    private static void assertNoTrace(Cli.Result r) {
        assertThat(r.stdout() + r.stderr()).as("%s", r).doesNotContain("\tat ").doesNotContain("Exception")
                .doesNotContain("internal error");
    }

    @Test
    void planAndApply_aResourceInsideTheStateDirectory_areRefusedNamingTheResourceAndThePath() throws IOException {
        Files.writeString(playbook, """
                name: reach
                resources:
                  ok: { type: file, path: /var/lib/other/x, content: "x" }
                  evil: { type: link, path: /var/lib/mosaic/backups, target: /etc }
                """);
        for (String command : List.of("plan", "apply")) {
            Cli.Result r = run(command, playbook.toString(), "--root", root.toString());
            assertNoTrace(r);
            assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
            assertThat(r.stderr()).as("%s", r).contains("site.yml:4:3: error: link[evil] manages /var/lib/mosaic/backups,"
                    + " inside Mosaic's own state directory /var/lib/mosaic");
        }
        assertThat(root.resolve("var")).doesNotExist();

        Path state = root.resolve("srv/mosaic-state");
        Files.writeString(playbook, """
                name: reach
                resources:
                  notes: { type: file, path: /srv/mosaic-state/memory/x, content: "x" }
                """);
        Cli.Result r = run("apply", playbook.toString(), "--root", root.toString(), "--state-dir", state.toString());
        assertNoTrace(r);
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stderr()).as("%s", r).contains("file[notes] manages /srv/mosaic-state/memory/x")
                .contains("(" + state + ")");
        assertThat(root.resolve("srv")).doesNotExist();
    }

    @Test
    void planAndApply_oneBadEntryInCreatedJson_hideOnlyThatEntrysDeletions() throws IOException {
        Files.writeString(playbook, """
                name: created
                resources:
                  a: { type: file, path: /etc/a, content: "a" }
                  b: { type: file, path: /etc/b, content: "b" }
                """);
        // /etc exists already: otherwise whichever of a and b runs first records it as made
        Files.createDirectories(root.resolve("etc"));
        assertThat(run("apply", playbook.toString(), "--root", root.toString()).exitCode()).isZero();
        Path created = root.resolve("var/lib/mosaic/created.json");
        Files.writeString(created, Files.readString(created).replace("[ \"/etc/b\" ]", "[ 42 ]"));
        assertThat(Files.readString(created)).contains("42");
        Files.writeString(playbook, "name: created\nresources: {}\n");

        Cli.Result plan = run("plan", playbook.toString(), "--root", root.toString());
        assertNoTrace(plan);
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stdout()).as("%s", plan).contains("file[a]").contains("/etc/a");
        assertThat(plan.stderr()).as("%s", plan).contains("the entry of file[b] is damaged and was ignored");

        Cli.Result apply = run("apply", playbook.toString(), "--root", root.toString(), "--allow-delete");
        assertNoTrace(apply);
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(root.resolve("etc/a")).doesNotExist();
        assertThat(root.resolve("etc/b")).as("its record is damaged: nothing of it is deleted").exists();
    }

    @Test
    void planAndApply_aNonUtf8ByteInTheStateJournal_skipThatLineWithAWarning() throws IOException {
        Files.writeString(playbook, """
                name: journal
                resources:
                  a: { type: file, path: /etc/a, content: "a" }
                """);
        assertThat(run("apply", playbook.toString(), "--root", root.toString()).exitCode()).isZero();
        Path journal = root.resolve("var/lib/mosaic/state.journal");
        Files.write(journal, new byte[] {'{', '"', (byte) 0xff, '"', '}', '\n'});

        for (String command : List.of("plan", "apply", "plan")) {
            Cli.Result r = run(command, playbook.toString(), "--root", root.toString());
            assertNoTrace(r);
            assertThat(r.exitCode()).as("%s", r).isZero();
            assertThat(r.stdout()).as("%s", r).containsAnyOf("No changes", "0 changed");
        }
        assertThat(journal).doesNotExist(); // folded at the apply's commit: the damage is gone
    }

    /**
     * A kill between a file's write and its line in created.journal: the history journal names the
     * path (absent before) ahead of the write, so the next apply records it for its resource, and
     * dropping the resource later deletes it.
     */
    @Test
    void apply_afterAKillThatLostACreatedRecord_recoversItFromTheHistoryJournal() throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(playbook, """
                name: created
                resources:
                  a: { type: file, path: /etc/a, content: "a" }
                """);
        assertThat(run("apply", playbook.toString(), "--root", root.toString()).exitCode()).isZero();
        Files.writeString(playbook, """
                name: created
                resources:
                  a: { type: file, path: /etc/a, content: "a" }
                  b: { type: file, path: /etc/b, content: "b" }
                """);
        assertThat(run("apply", playbook.toString(), "--root", root.toString()).exitCode()).isZero();
        // What a SIGKILL at that moment leaves: the run's journal without its summary, and no record of /etc/b.
        String killed;
        try (Stream<Path> s = Files.list(root.resolve("var/lib/mosaic/history"))) {
            killed = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.replace(".json", "")).sorted().reduce((x, y) -> y).orElseThrow();
        }
        Files.delete(root.resolve("var/lib/mosaic/history/" + killed + ".json"));
        Path created = root.resolve("var/lib/mosaic/created.json");
        Files.writeString(created, Files.readString(created).replaceAll(",?\\s*\"file\\[b\\]\"\\s*:\\s*\\[[^]]*\\]", ""));
        assertThat(Files.readString(created)).doesNotContain("/etc/b");

        Cli.Result again = run("apply", playbook.toString(), "--root", root.toString());
        assertNoTrace(again);
        assertThat(again.exitCode()).as("%s", again).isZero();
        assertThat(Files.readString(created)).contains("/etc/b");

        Files.writeString(playbook, """
                name: created
                resources:
                  a: { type: file, path: /etc/a, content: "a" }
                """);
        Cli.Result drop = run("apply", playbook.toString(), "--root", root.toString(), "--allow-delete");
        assertThat(drop.exitCode()).as("%s", drop).isZero();
        assertThat(root.resolve("etc/b")).as("recovered, so deleted with its resource").doesNotExist();
        assertThat(root.resolve("etc/a")).exists();
    }

    @Test
    void restore_aHistoryJournalTruncatedAfterTheApply_restoresNothingAndSaysSo() throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/a"), "old a\n");
        Files.writeString(root.resolve("etc/b"), "old b\n");
        Files.writeString(playbook, """
                name: history
                resources:
                  a: { type: file, path: /etc/a, content: "new a\\n" }
                  b: { type: file, path: /etc/b, content: "new b\\n" }
                """);
        assertThat(run("apply", playbook.toString(), "--root", root.toString()).exitCode()).isZero();
        String id = onlyApplyId();
        Path journal = root.resolve("var/lib/mosaic/history/" + id + ".journal");
        List<String> lines = Files.readAllLines(journal, StandardCharsets.UTF_8);
        Files.writeString(journal, String.join("\n", lines.subList(0, lines.size() - 1)) + "\n"); // one touch lost

        Cli.Result r = run("restore", id, "--root", root.toString());
        assertNoTrace(r);
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stderr()).as("%s", r).contains("the history journal of apply " + id)
                .contains("is damaged: it records 1 of the 2 paths the apply touched").contains("Nothing was restored");
        assertThat(Files.readString(root.resolve("etc/a"))).isEqualTo("new a\n");
        assertThat(Files.readString(root.resolve("etc/b"))).isEqualTo("new b\n");
    }

    @Test
    void restore_aFileThatNotifies_leavesTheRefreshOwed_thePlanShowsIt_theApplyDoesIt() throws IOException {
        String playbookText = """
                name: reload
                resources:
                  conf: { type: file, path: /srv/etc/app.conf, content: "VERSION\\n", notify: [reload] }
                  run: { type: directory, path: /srv/run }
                  reload:
                    type: build
                    dir: /srv/run
                    command: cat ../etc/app.conf > seen
                    outputs: [/srv/run/seen]
                    toolchain: []
                    share: false
                    requires: [run]
                """;
        Files.writeString(playbook, playbookText.replace("VERSION", "v1"));
        assertThat(run("apply", playbook.toString(), "--root", root.toString()).exitCode()).isZero();
        Files.writeString(playbook, playbookText.replace("VERSION", "v2"));
        Cli.Result second = run("apply", playbook.toString(), "--root", root.toString());
        assertThat(second.exitCode()).as("%s", second).isZero();
        assertThat(Files.readString(root.resolve("srv/run/seen"))).isEqualTo("v2\n");
        String id = lastApplyId();

        // Rolled back: the playbook as it was, and the files the last apply changed.
        Files.writeString(playbook, playbookText.replace("VERSION", "v1"));
        Cli.Result restore = run("restore", id, "--root", root.toString());
        assertNoTrace(restore);
        assertThat(restore.exitCode()).as("%s", restore).isZero();
        assertThat(restore.stdout()).as("%s", restore).contains("refresh owed: build[reload] (notified by file[conf])");
        assertThat(Files.readString(root.resolve("srv/etc/app.conf"))).isEqualTo("v1\n");

        Cli.Result plan = run("plan", playbook.toString(), "--root", root.toString());
        assertThat(plan.stdout()).as("%s", plan).doesNotContain("No changes")
                .contains("build[reload] will be refreshed (notified by file[conf])");
        Cli.Result apply = run("apply", playbook.toString(), "--root", root.toString());
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(Files.readString(root.resolve("srv/run/seen"))).isEqualTo("v1\n");
        assertThat(run("plan", playbook.toString(), "--root", root.toString()).stdout()).contains("No changes");
    }

    @Test
    void apply_aReadOnlyStateDirectory_isAClearErrorNamingIt_andLeavesNothingThere() throws Exception {
        Path state = Files.createDirectories(root.resolve("var/lib/mosaic"));
        Files.writeString(playbook, """
                name: ro
                resources:
                  a: { type: file, path: /etc/a, content: "a" }
                """);
        Assumptions.assumeTrue(chattr("+i", state), "chattr +i (which stops even root) is not available here");
        Cli.Result r;
        try {
            r = run("apply", playbook.toString(), "--root", root.toString());
        } finally {
            chattr("-i", state);
        }
        assertNoTrace(r);
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stderr()).as("%s", r).contains("cannot write " + state.resolve("apply.lock"))
                .contains("Operation not permitted").contains("writable state directory");
        assertThat(r.stderr().lines().filter(l -> !l.isBlank()).count()).as("one paragraph: %s", r).isEqualTo(1);
        try (Stream<Path> s = Files.list(state)) {
            assertThat(s.toList()).isEmpty();
        }
        assertThat(root.resolve("etc/a")).doesNotExist();
    }

    private String onlyApplyId() throws IOException {
        List<String> ids = applyIds();
        assertThat(ids).hasSize(1);
        return ids.get(0);
    }

    private String lastApplyId() throws IOException {
        List<String> ids = applyIds();
        return ids.get(ids.size() - 1);
    }

    private List<String> applyIds() throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("var/lib/mosaic/history"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.replace(".json", "")).sorted().toList();
        }
    }

    private static boolean chattr(String flag, Path dir) throws Exception {
        try {
            Process p = new ProcessBuilder("chattr", flag, dir.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
