package dev.mosaic.engine;

import dev.mosaic.diag.Sensitive;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import dev.mosaic.state.StateDir;
import java.nio.file.Path;

/**
 * The output of one resource's work during one apply ({@code <state>/logs/<address>.log}),
 * replaced by the next apply that produces output for it. Opened on the first line only, so
 * resources without output leave no file. Best effort: a log that cannot be written never fails a
 * resource.
 */
public final class ResourceLog implements AutoCloseable {

    private final Path file;
    private BufferedWriter out;
    private boolean broken;

    ResourceLog(Path dir, String address) {
        this.file = file(dir, address);
    }

    /**
     * Where the log of {@code address} is kept below the state's {@code logs} directory: a name a
     * shell takes unquoted ({@code build[kernel]} → {@code build.kernel.log}; brackets would glob).
     */
    public static Path file(Path logsDir, String address) {
        String name = address.replace('[', '.').replace("]", "").replaceAll("[^A-Za-z0-9_.-]", "_");
        return logsDir.resolve(name + ".log");
    }

    Path file() {
        return file;
    }

    boolean written() {
        return out != null;
    }

    synchronized void append(String line) {
        if (broken) {
            return;
        }
        try {
            if (out == null) {
                // logs/ must be a real directory (a link there is refused); the log itself is made
                // anew with O_EXCL after removing what was there (a link: the link itself).
                StateDir.directory(file.getParent());
                out = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(StateDir.createNew(file)),
                        StandardCharsets.UTF_8));
            }
            out.write(Sensitive.scrub(line)); // the last line of defence: no secret in a log file
            out.write('\n');
        } catch (IOException e) {
            broken = true;
        }
    }

    @Override
    public synchronized void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                broken = true;
            }
        }
    }
}
