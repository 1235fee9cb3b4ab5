package dev.mosaic.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** What the CLI asks of the terminal it runs on. */
final class Terminal {

    private Terminal() {
    }

    /** The width of the terminal this process runs on, for its live status line. */
    static int columns() {
        return columns(System.getenv("COLUMNS"));
    }

    /**
     * The terminal's columns: {@code $COLUMNS} when the shell exported it, else what the terminal
     * itself says ({@code stty size}, asked once per apply), else 80.
     */
    static int columns(String columnsEnv) {
        try {
            if (columnsEnv != null && !columnsEnv.isBlank()) {
                return Math.max(20, Integer.parseInt(columnsEnv.trim()));
            }
        } catch (NumberFormatException e) {
            // not a number: ask the terminal
        }
        try {
            Process p = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String[] rowsCols = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split(" ");
            if (p.waitFor() == 0 && rowsCols.length == 2) {
                return Math.max(20, Integer.parseInt(rowsCols[1]));
            }
        } catch (IOException | NumberFormatException e) {
            // no terminal to ask
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 80;
    }
}
