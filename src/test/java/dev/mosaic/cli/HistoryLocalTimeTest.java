package dev.mosaic.cli;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import static org.assertj.core.api.Assertions.assertThat;

class HistoryLocalTimeTest {

    @Test
    void a_recorded_instant_reads_as_local_time_to_the_second_with_its_offset() {
        String stored = "2026-12-02T20:42:43.395039459Z";
        String expected = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss xx")
                .format(Instant.parse(stored).atZone(ZoneId.systemDefault()));
        assertThat(HistoryCommand.localTime(stored)).isEqualTo(expected).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:43 [+-]\\d{4}");
    }

    @Test
    void a_record_without_a_readable_time_shows_what_it_holds() {
        assertThat(HistoryCommand.localTime(null)).isEqualTo("?");
        assertThat(HistoryCommand.localTime("yesterday")).isEqualTo("yesterday");
    }
}
