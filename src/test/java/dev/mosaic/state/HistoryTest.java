package dev.mosaic.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The history journal, the backup store and the record of created paths, damaged or not. */
class HistoryTest {

    @TempDir
    Path state;

    @Test
    void finishedRun_isListedWithItsSummary_andTouchesKeepTheFirstStateOnly() throws Exception {
        History h = History.of(state);
        History.Recorder r = h.begin("apply", "/lab/site.yml", "local", "alice");
        r.touched(new History.Touch("file[a]", "/etc/a", "file", "aa", 0644, null));
        r.touched(new History.Touch("file[a]", "/etc/a", "absent", null, 0, null));
        r.finish(List.of("~ file[a]"), "ok");

        assertThat(h.runs()).singleElement().satisfies(run -> {
            assertThat(run.id()).isEqualTo(r.id());
            assertThat(run.user()).isEqualTo("alice");
            assertThat(run.changed()).containsExactly("~ file[a]");
            assertThat(run.outcome()).isEqualTo("ok");
        });
        assertThat(h.touches(r.id())).extracting(History.Touch::before).containsExactly("file");
        assertThat(h.warnings()).isEmpty();
    }

    @Test
    void runWithoutSummary_isInterrupted_damagedSummary_isRebuiltWithAWarning_cutLineIgnored() throws Exception {
        History h = History.of(state);
        History.Recorder killed = h.begin("apply", "site.yml", "local", "bob");
        killed.touched(new History.Touch("file[x]", "/etc/x", "absent", null, 0, null));
        Files.writeString(h.dir().resolve(killed.id() + ".journal"), "{\"touch\": {\"addr", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        History.Recorder damaged = h.begin("apply", "site.yml", "local", "bob");
        damaged.touched(new History.Touch("file[y]", "/etc/y", "absent", null, 0, null));
        damaged.finish(List.of("+ file[y]"), "ok");
        Files.writeString(h.dir().resolve(damaged.id() + ".json"), "{ not json");

        History reader = History.of(state);
        List<History.Run> runs = reader.runs();

        assertThat(runs).extracting(History.Run::outcome).containsExactly("interrupted", "unknown (damaged record)");
        assertThat(runs.get(0).changed()).containsExactly("file[x]");
        assertThat(History.of(state).touches(killed.id())).hasSize(1);
        assertThat(reader.warnings()).anyMatch(w -> w.contains("is damaged; rebuilt from its journal"));
        assertThat(History.isId("../../etc/passwd")).isFalse();
        assertThat(h.run("../x")).isEmpty();
    }

    @Test
    void backupStore_keepsContentOnce_dropsOldestFirstBeyondItsCap_andNeverReturnsADamagedCopy() throws Exception {
        BackupStore store = new BackupStore(state.resolve("backups"), 10);
        String old = store.put(new ByteArrayInputStream("123456".getBytes()));
        Files.setLastModifiedTime(store.dir().resolve(old), FileTime.fromMillis(1_000));
        String again = store.put(new ByteArrayInputStream("123456".getBytes()));
        assertThat(again).isEqualTo(old);
        Files.setLastModifiedTime(store.dir().resolve(old), FileTime.fromMillis(1_000));
        String young = store.put(new ByteArrayInputStream("abcdef".getBytes()));

        assertThat(store.trim()).isEqualTo(1);
        assertThat(store.get(old)).isEmpty();
        assertThat(store.get(young)).hasValueSatisfying(b -> assertThat(new String(b)).isEqualTo("abcdef"));
        Files.writeString(store.dir().resolve(young), "tampered");
        assertThat(store.get(young)).isEmpty();
    }

    @Test
    void createdPaths_areRecorded_forgotten_andADamagedRecordMeansNothingToDelete() throws Exception {
        StateStore s = StateStore.open(state);
        s.record("file[a]", "c", "i", true);
        s.recordCreated("file[a]", List.of("/etc/a", "/etc"));
        s.recordCreated("file[b]", List.of("/etc/b"));
        s.commit();

        StateStore again = StateStore.open(state);
        assertThat(again.get("file[a]")).hasValueSatisfying(e -> assertThat(e.keep()).isTrue());
        assertThat(again.created("file[a]")).containsExactly("/etc", "/etc/a");
        again.forget("file[a]");
        again.commit();
        assertThat(StateStore.open(state).addresses()).isEmpty();
        assertThat(StateStore.open(state).created("file[a]")).isEmpty();

        // Recorded but not committed (a killed run): the journal is replayed.
        StateStore killed = StateStore.open(state);
        killed.recordCreated("file[c]", List.of("/etc/c"));
        assertThat(StateStore.open(state).created("file[c]")).containsExactly("/etc/c");

        Files.writeString(state.resolve("created.json"), "{\"file[b]\": [\"/et");
        Files.delete(state.resolve("created.journal"));
        StateStore damaged = StateStore.open(state);
        assertThat(damaged.created("file[b]")).isEmpty();
        assertThat(damaged.warnings()).anyMatch(w -> w.contains("damaged and was ignored; nothing of it will be deleted"));
    }

    @Test
    void refreshesOwed_areKeptUntilDone_andAJournalWhoseLinesCancelOutIsRemovedAtCommit() throws Exception {
        StateStore s = StateStore.open(state);
        s.oweRefresh("build[reload]", "file[conf]");
        assertThat(StateStore.open(state).refreshesOwed("build[reload]")).containsExactly("file[conf]");
        s.refreshed("build[reload]"); // and killed before its commit

        StateStore next = StateStore.open(state);
        assertThat(next.refreshesOwed("build[reload]")).isEmpty();
        assertThat(state.resolve("refresh.journal")).exists();
        next.commit();
        assertThat(state.resolve("refresh.journal")).doesNotExist();
    }
}
