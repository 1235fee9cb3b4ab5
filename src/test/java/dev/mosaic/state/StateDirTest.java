package dev.mosaic.state;

import dev.mosaic.testing.Canary;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The state directory's code never follows a link planted in it, and damaged state never wedges it. */
class StateDirTest {

    @TempDir
    Path tmp;

    private Path state;
    private Canary canary;

    @BeforeEach
    void setUp() throws Exception {
        state = Files.createDirectories(tmp.resolve("root/var/lib/mosaic"));
        canary = Canary.plant(tmp.resolve("outside"));
    }

    @Test
    void trim_backupsIsALinkToADirectoryOutside_deletesNothingThere() throws Exception {
        Files.createSymbolicLink(state.resolve("backups"), canary.dir());

        assertThatThrownBy(() -> new BackupStore(state.resolve("backups"), 0).trim())
                .isInstanceOf(StateDirError.class).hasMessageContaining("backups is a symbolic link");
        canary.assertUntouched();
    }

    @Test
    void put_aLinkSitsAtTheCopysName_replacesTheLinkNeverTouchesItsTarget() throws Exception {
        byte[] content = "kept\n".getBytes(StandardCharsets.UTF_8);
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
        Files.createDirectories(state.resolve("backups"));
        Files.createSymbolicLink(state.resolve("backups").resolve(sha), canary.file());

        BackupStore store = BackupStore.of(state);
        assertThat(store.get(sha)).as("a link is not a kept copy").isEmpty();
        store.put(new ByteArrayInputStream(content));

        assertThat(Files.isSymbolicLink(state.resolve("backups").resolve(sha))).isFalse();
        assertThat(store.get(sha)).hasValue(content);
        canary.assertUntouched();
    }

    @Test
    void put_memoryIsALink_isRefusedAndWritesNothingOutside() throws Exception {
        Files.createSymbolicLink(state.resolve("memory"), canary.subdir());

        assertThatThrownBy(() -> KeyValueDir.forOwner(state.resolve("memory"), "build[x]").put("fingerprint", "f"))
                .isInstanceOf(StateDirError.class).hasMessageContaining("memory is a symbolic link");
        canary.assertUntouched();
    }

    @Test
    void put_aNoteIsALinkToAFileOutside_replacesTheLinkOnly() throws Exception {
        KeyValueDir notes = KeyValueDir.forOwner(state.resolve("memory"), "build[x]");
        notes.put("fingerprint", "old");
        Path note = state.resolve("memory").resolve(KeyValueDir.safe("build[x]")).resolve("fingerprint");
        Files.delete(note);
        Files.createSymbolicLink(note, canary.file());

        KeyValueDir again = KeyValueDir.forOwner(state.resolve("memory"), "build[x]");
        assertThatThrownBy(() -> again.get("fingerprint")).isInstanceOf(StateDirError.class);
        again.put("fingerprint", "new");

        assertThat(again.get("fingerprint")).hasValue("new");
        canary.assertUntouched();
    }

    @Test
    void commit_linksPlantedAtTheTempNames_areNeverWrittenThrough() throws Exception {
        for (String name : List.of(".state.json.tmp", ".created.json.tmp", ".durations.json.tmp", ".refresh.journal.tmp")) {
            Files.createSymbolicLink(state.resolve(name), canary.file());
        }
        StateStore s = StateStore.open(state);
        s.record("file[a]", "c", "i");
        s.recordCreated("file[a]", List.of("/etc/a"));
        s.recordDuration("file[a]", 5);
        s.oweRefresh("build[b]", "file[a]");
        s.commit();

        assertThat(StateStore.open(state).get("file[a]")).isPresent();
        canary.assertUntouched();
    }

    @Test
    void record_stateJournalIsALink_isRefusedNotAppendedThrough() throws Exception {
        Files.createSymbolicLink(state.resolve("state.journal"), canary.file());
        StateStore s = StateStore.open(state);

        assertThatThrownBy(() -> s.record("file[a]", "c", "i")).isInstanceOf(StateDirError.class)
                .hasMessageContaining("state.journal is a symbolic link");
        canary.assertUntouched();
    }

    @Test
    void check_eachDirectoryOrFileOfTheStateAsALink_isRefusedNamingIt() throws Exception {
        for (String name : StateDir.DIRECTORIES) {
            Files.createSymbolicLink(state.resolve(name), canary.subdir());
            assertThatThrownBy(() -> StateDir.check(state, tmp.resolve("root"))).as(name)
                    .isInstanceOf(StateDirError.class).hasMessageContaining(state.resolve(name) + " is a symbolic link");
            Files.delete(state.resolve(name));
        }
        for (String name : StateDir.FILES) {
            Files.createSymbolicLink(state.resolve(name), canary.file());
            assertThatThrownBy(() -> StateDir.check(state, tmp.resolve("root"))).as(name)
                    .isInstanceOf(StateDirError.class).hasMessageContaining(state.resolve(name) + " is a symbolic link");
            Files.delete(state.resolve(name));
        }
        StateDir.check(state, tmp.resolve("root"));
        canary.assertUntouched();
    }

    @Test
    void check_aDirectoryBetweenTheRootAndTheStateIsALink_isRefused() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("other-root"));
        Files.createDirectories(root.resolve("var"));
        Files.createSymbolicLink(root.resolve("var/lib"), canary.dir());

        assertThatThrownBy(() -> StateDir.check(root.resolve("var/lib/mosaic"), root))
                .isInstanceOf(StateDirError.class).hasMessageContaining(root.resolve("var/lib") + " is a symbolic link");
    }

    @Test
    void open_oneBadEntryInCreatedJson_ignoresOnlyThatEntryWithAWarning() throws Exception {
        Files.writeString(state.resolve("created.json"), """
                {"file[good]": ["/etc/good"], "file[bad]": [5, null], "file[worse]": "x", "file[also]": ["/etc/also"]}
                """);
        StateStore s = StateStore.open(state);

        assertThat(s.created("file[good]")).containsExactly("/etc/good");
        assertThat(s.created("file[also]")).containsExactly("/etc/also");
        assertThat(s.created("file[bad]")).isEmpty();
        assertThat(s.warnings()).hasSize(2).allMatch(w -> w.contains("is damaged and was ignored"))
                .anyMatch(w -> w.contains("file[bad]")).anyMatch(w -> w.contains("file[worse]"));
        s.recordCreated("file[new]", List.of("/etc/new"));
        s.commit();
        assertThat(StateStore.open(state).created("file[good]")).containsExactly("/etc/good");
    }

    @Test
    void open_aNonUtf8ByteInTheStateJournal_skipsThatLineOnlyWithAWarning() throws Exception {
        byte[] good = "{\"address\":\"file[a]\",\"config\":\"c\",\"inputs\":\"i\",\"at\":\"t\",\"keep\":\"false\"}\n"
                .getBytes(StandardCharsets.UTF_8);
        byte[] bad = "{\"address\":\"file[b]\",\"config\":\"\u00e9\"}\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(state.resolve("state.journal"), concat(good, bad));
        Files.write(state.resolve("created.journal"), concat(bad, "{\"address\":\"file[a]\",\"paths\":[\"/a\"]}\n".getBytes()));
        Files.write(state.resolve("refresh.journal"), concat(bad, "{\"refresh\":\"build[r]\",\"by\":\"file[a]\"}\n".getBytes()));

        StateStore s = StateStore.open(state);

        assertThat(s.get("file[a]")).isPresent();
        assertThat(s.get("file[b]")).isEmpty();
        assertThat(s.created("file[a]")).containsExactly("/a");
        assertThat(s.refreshesOwed("build[r]")).containsExactly("file[a]");
        assertThat(s.warnings()).anyMatch(w -> w.contains("state.journal: line 2 is damaged (not UTF-8)"))
                .anyMatch(w -> w.contains("created.journal: line 1 is damaged"))
                .anyMatch(w -> w.contains("refresh.journal: line 1 is damaged"));
        s.record("file[c]", "c", "i");
        s.commit();
        assertThat(StateStore.open(state).warnings()).isEmpty();
    }

    @Test
    void begin_historyIsAFile_isAClearError() throws Exception {
        Files.writeString(state.resolve("history"), "not a directory");

        assertThatThrownBy(() -> History.of(state).begin("apply", "p.yml", "local", "me"))
                .isInstanceOf(StateDirError.class).hasMessageContaining("history is not a directory");
        assertThatThrownBy(() -> History.of(state).runs())
                .isInstanceOf(StateDirError.class).hasMessageContaining("history is not a directory");
    }

    @Test
    void damage_aFinishedJournalTruncated_isSaidPrecisely_anInterruptedRunsCutLineIsNot() throws Exception {
        History h = History.of(state);
        History.Recorder r = h.begin("apply", "p.yml", "local", "me");
        r.touched(new History.Touch("file[a]", "/etc/a", "absent", null, 0, null));
        r.touched(new History.Touch("file[b]", "/etc/b", "absent", null, 0, null));
        r.finish(List.of("+ file[a]", "+ file[b]"), "ok");
        Path journal = h.dir().resolve(r.id() + ".journal");
        byte[] whole = Files.readAllBytes(journal);
        assertThat(h.damage(r.id())).isEmpty();

        Files.write(journal, java.util.Arrays.copyOf(whole, whole.length - 10)); // cut inside the last line
        assertThat(h.damage(r.id())).anyMatch(d -> d.contains("its last line is cut: the journal was truncated"));

        String text = new String(whole, StandardCharsets.UTF_8);
        Files.writeString(journal, text.substring(0, text.lastIndexOf('\n', text.length() - 2) + 1)); // a whole line gone
        assertThat(h.damage(r.id())).singleElement().asString().contains("records 1 of the 2 paths");

        Files.delete(journal);
        assertThat(h.damage(r.id())).singleElement().asString().contains("it is missing");

        History.Recorder killed = h.begin("apply", "p.yml", "local", "me");
        killed.touched(new History.Touch("file[a]", "/etc/a", "absent", null, 0, null));
        Path kj = h.dir().resolve(killed.id() + ".journal");
        Files.writeString(kj, Files.readString(kj) + "{\"touch\":{\"addre", java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        assertThat(h.damage(killed.id())).as("a kill cuts a line before its change began").isEmpty();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
