package dev.mosaic.cli;

import dev.mosaic.diag.Sensitive;

import java.io.IOException;
import java.io.Writer;

/**
 * The CLI's stdout and stderr: text goes out a line at a time with every sensitive value
 * replaced by {@code (sensitive)} ({@link Sensitive#scrub}), whatever printed it — a plan, a JSON
 * document, an event, an error message. Whole lines, so that a value printed in two pieces is
 * still found; {@link #flush} sends a pending partial line (a progress line ending in
 * {@code \r}) scrubbed as it is.
 */
final class ScrubbingWriter extends Writer {

    private final Writer out;
    private final StringBuilder line = new StringBuilder();

    ScrubbingWriter(Writer out) {
        this.out = out;
    }

    @Override
    public synchronized void write(char[] buf, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
            line.append(buf[i]);
            if (buf[i] == '\n') {
                emit();
            }
        }
    }

    private void emit() throws IOException {
        out.write(Sensitive.scrub(line.toString()));
        line.setLength(0);
    }

    @Override
    public synchronized void flush() throws IOException {
        if (line.length() > 0) {
            emit();
        }
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        flush();
        out.close();
    }
}
