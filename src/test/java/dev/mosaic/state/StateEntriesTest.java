package dev.mosaic.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** state.json read back: what Mosaic wrote as it was, a hand-edited entry as Jackson reads it, a damaged one ignored. */
class StateEntriesTest {

    @TempDir
    Path state;

    @Test
    void open_entriesCommitWrote_readBackEqual() throws Exception {
        StateStore s = StateStore.open(state);
        s.record("file[a]", "c1", "i1", false, List.of());
        s.record("service[b]", "c2", "", true, List.of("file[a]", "build[x]"));
        s.commit();

        StateStore again = StateStore.open(state);
        assertThat(again.warnings()).isEmpty();
        assertThat(again.get("file[a]")).hasValueSatisfying(e -> {
            assertThat(e.config()).isEqualTo("c1");
            assertThat(e.inputs()).isEqualTo("i1");
            assertThat(e.keep()).isFalse();
            assertThat(e.notifies()).isEmpty();
        });
        assertThat(again.get("service[b]")).contains(s.get("service[b]").orElseThrow());
    }

    @Test
    void open_handEditedEntries_readAsJacksonReadsThemAndDamagedOnesIgnored() throws Exception {
        Files.writeString(state.resolve("state.json"), """
                {"file[old]": {"config": "c", "inputs": "i"},
                 "file[coerced]": {"config": 5, "inputs": "i", "appliedAt": null, "keep": "true", "notifies": null},
                 "file[null-at]": {"config": "c", "inputs": "i", "appliedAt": null, "keep": false, "notifies": ["x"]},
                 "file[extra]": {"config": "c", "inputs": "i", "appliedAt": "t", "keep": false, "more": 1},
                 "file[no-config]": {"config": null, "inputs": "i", "appliedAt": "t", "keep": false, "notifies": []},
                 "file[listed]": ["c", "i", "t", false, []]}
                """);
        StateStore s = StateStore.open(state);

        assertThat(s.get("file[old]")).contains(new StateStore.Entry("c", "i", null, false, List.of()));
        assertThat(s.get("file[coerced]")).contains(new StateStore.Entry("5", "i", null, true, List.of()));
        assertThat(s.get("file[null-at]")).contains(new StateStore.Entry("c", "i", null, false, List.of("x")));
        assertThat(s.get("file[extra]")).isEmpty();
        assertThat(s.get("file[no-config]")).isEmpty();
        assertThat(s.get("file[listed]")).isEmpty();
        assertThat(s.warnings()).hasSize(3).allMatch(w -> w.contains("is damaged and was ignored"));
    }
}
