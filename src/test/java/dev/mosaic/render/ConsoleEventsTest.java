package dev.mosaic.render;

import dev.mosaic.engine.Cause;
import dev.mosaic.engine.Outcome;
import dev.mosaic.engine.PlannedChange;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Change;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConsoleEventsTest {

    private static final Address BUILD = Address.of("build", "bzImage");

    private static PlannedChange planned() {
        return new PlannedChange(BUILD, "build", "", Action.UPDATE, Cause.CONFIG_CHANGED, List.of(), List.of(),
                PlannedChange.Status.PLANNED, "");
    }

    private static Outcome changed() {
        return new Outcome(BUILD, Outcome.Status.CHANGED, new Change(Action.UPDATE, List.of()), Cause.CONFIG_CHANGED, "", 2345);
    }

    @Test
    void onATerminal_aStatusLineShowsTheRunningResource_itsTimes_andItsLastOutput_thenMakesWayForTheResult()
            throws InterruptedException {
        StringWriter text = new StringWriter();
        try (ConsoleEvents events = new ConsoleEvents(new PrintWriter(text), new PrintWriter(new StringWriter()), true, () -> 80)) {
            events.started(BUILD, planned(), 254_000);
            events.output(BUILD, "  CC      init/main.o");
            Thread.sleep(1500);
            events.finished(changed());
        }
        String shown = text.toString();
        assertThat(shown).containsPattern("\r\033\\[K\\.\\.\\. build\\[bzImage] [01]s \\(last run 4m14s\\) \\| CC {6}init/main\\.o");
        assertThat(shown).endsWith("\r\033[K~ build[bzImage]: updated (config changed) in 2345 ms\n");
    }

    @Test
    void offATerminal_onlyWholeLinesAreWritten_withoutControlCharacters() throws InterruptedException {
        StringWriter text = new StringWriter();
        try (ConsoleEvents events = new ConsoleEvents(new PrintWriter(text), new PrintWriter(new StringWriter()))) {
            events.started(BUILD, planned(), 254_000);
            events.output(BUILD, "  CC      init/main.o");
            Thread.sleep(1200);
            events.finished(changed());
        }
        assertThat(text.toString()).isEqualTo("~ build[bzImage]: updated (config changed) in 2345 ms\n");
    }

    @Test
    void durations_readAsMinutesAndSeconds() {
        assertThat(ConsoleEvents.duration(59_999)).isEqualTo("59s");
        assertThat(ConsoleEvents.duration(254_000)).isEqualTo("4m14s");
    }

    @Test
    void aStatusLineIsCutToTheTerminalsWidth_withAnEllipsis() {
        assertThat(ConsoleEvents.fit("... build[compile] 2s", 40)).isEqualTo("... build[compile] 2s");
        assertThat(ConsoleEvents.fit("... build[compile] 2s (last run 3s) | compiling", 20))
                .hasSize(20).isEqualTo("... build[compile] …");
    }
}
