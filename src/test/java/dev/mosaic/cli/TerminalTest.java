package dev.mosaic.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TerminalTest {

    @Test
    void theWidthComesFromCOLUMNS_elseTheTerminal_else80() {
        assertThat(Terminal.columns("50")).isEqualTo(50);
        assertThat(Terminal.columns("3")).as("never absurdly narrow").isEqualTo(20);
        // The build runs without a terminal: stty has none to ask.
        assertThat(Terminal.columns("wide")).isEqualTo(80);
        assertThat(Terminal.columns(null)).isEqualTo(80);
    }
}
