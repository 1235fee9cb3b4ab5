package dev.mosaic.state;

import java.io.IOException;

/**
 * Mosaic's state directory cannot be used as it is: a link, a file where a directory belongs, a
 * read-only or full file system. The message is one paragraph for the user, naming the path; the
 * CLI prints it as an error, without a trace.
 */
public final class StateDirError extends IOException {

    public StateDirError(String message) {
        super(message);
    }
}
