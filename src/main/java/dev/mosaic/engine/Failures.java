package dev.mosaic.engine;

import dev.mosaic.diag.Sensitive;
import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.resource.ResourceException;

import java.io.PrintWriter;
import java.io.StringWriter;

/** How a failure reads in outcomes, plans, events and reports: in words, scrubbed of secrets. */
final class Failures {

    private Failures() {
    }

    static long millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** A failure in words, scrubbed of secrets before it goes into events, JSON and reports. */
    static String message(Exception e) {
        if (e instanceof ResourceException) {
            return Sensitive.scrub(e.getMessage());
        }
        String m = e.getMessage();
        String what = e.getClass().getSimpleName().replace("Exception", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase();
        return Sensitive.scrub((what.isBlank() || what.equals("i o") ? "I/O error" : what)
                + (m == null ? "" : ": " + m));
    }

    /** A crash inside a kind is that kind's bug, reported with its stack for the issue tracker. */
    static String bug(Events events, ResourceDecl d, Throwable e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        events.warning("stack trace of the failure in " + d.address() + ":\n" + w);
        return "bug in resource kind '" + d.type().kind() + "': " + e;
    }
}
