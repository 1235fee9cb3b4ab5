package dev.mosaic.cli;

import java.io.IOException;
import java.io.Writer;

/**
 * Standard output of a {@code --json} command that prints one document: held until the command
 * ends, so that a command failing after it printed part of its answer (a plan shown, then its
 * file not writable) prints the error document alone and stdout stays one JSON value. Passes
 * everything through until {@link #hold()}; {@code apply --json} is never held, its events are
 * a stream.
 */
final class HeldWriter extends Writer {

    private final Writer out;
    /** What was written since {@link #hold()}; null while passing through. */
    private StringBuilder held;

    HeldWriter(Writer out) {
        this.out = out;
    }

    synchronized void hold() {
        if (held == null) {
            held = new StringBuilder();
        }
    }

    /** Forgets what was held (the command failed; the error document replaces it). */
    synchronized void discard() {
        if (held != null) {
            held.setLength(0);
        }
    }

    /** Writes what was held and passes everything through from now on. */
    synchronized void release() throws IOException {
        if (held != null) {
            out.write(held.toString());
            held = null;
        }
        out.flush();
    }

    @Override
    public synchronized void write(char[] buf, int off, int len) throws IOException {
        if (held != null) {
            held.append(buf, off, len);
        } else {
            out.write(buf, off, len);
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        if (held == null) {
            out.flush();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        release();
        out.close();
    }
}
