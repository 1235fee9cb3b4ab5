package dev.mosaic.cli;

import dev.mosaic.diag.Sensitive;
import dev.mosaic.render.Colors;

import java.io.IOException;
import java.io.Writer;

/**
 * The CLI's stdout and stderr: text goes out a line at a time with every sensitive value
 * replaced by {@code (sensitive)} ({@link Sensitive#scrub}), whatever printed it — a plan, a JSON
 * document, an event, an error message. Whole lines, so that a value printed in two pieces is
 * still found; {@link #flush} sends a pending partial line (a progress line ending in
 * {@code \r}) scrubbed as it is. On a terminal, whole lines are also colored ({@link Colors}).
 */
final class ScrubbingWriter extends Writer {

    private final Writer out;
    private final StringBuilder line = new StringBuilder();
    /** Whole lines colored for a terminal ({@link Colors}); a pending partial line never is. */
    private volatile boolean color;

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

    void color(boolean on) {
        color = on;
    }

    private void emit() throws IOException {
        String text = Sensitive.scrub(line.toString());
        if (color && text.endsWith("\n")) {
            // A line that follows a wiped status line starts with the wipe ("\r" ESC[K): kept as it is.
            int start = text.lastIndexOf("\r\033[K") < 0 ? 0 : text.lastIndexOf("\r\033[K") + 4;
            text = text.substring(0, start) + Colors.line(text.substring(start, text.length() - 1)) + "\n";
        }
        out.write(text);
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
