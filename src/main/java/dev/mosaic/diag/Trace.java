package dev.mosaic.diag;

import java.util.function.Consumer;

/**
 * Mosaic's own debugging lines ({@code MOSAIC_SSH_DEBUG}): written where the CLI says, through
 * its scrubbing stream, and nowhere unless it says so. Only the CLI and the renderers print; a
 * lower package that has something to say for debugging says it here.
 */
public final class Trace {

    private static volatile Consumer<String> sink;

    private Trace() {
    }

    /** Where the lines go from now on; null: nowhere. */
    public static void sendTo(Consumer<String> where) {
        sink = where;
    }

    public static boolean on() {
        return sink != null;
    }

    public static void line(String text) {
        Consumer<String> s = sink;
        if (s != null) {
            s.accept(text);
        }
    }
}
