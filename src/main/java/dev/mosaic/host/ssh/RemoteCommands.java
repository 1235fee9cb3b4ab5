package dev.mosaic.host.ssh;

import dev.mosaic.host.Exec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An {@link SshHost}'s processes: a resource's command run in its target directory over an exec
 * channel (argv quoted for the remote shell, {@code MOSAIC_ROOT} set, an optional
 * {@code timeout}), its output split into lines as it arrives; and user and group ids asked of
 * {@code getent}, once per name. Thread-safe.
 */
final class RemoteCommands {

    private static final int TAIL_LINES = 40;
    /** Exit code of the wrapper when a command's working directory does not exist. */
    private static final int NO_DIR = 201;

    private final RemoteRoot remote;
    private final Map<String, Optional<Integer>> ids = new ConcurrentHashMap<>();

    RemoteCommands(RemoteRoot remote) {
        this.remote = remote;
    }

    Exec.Result run(Exec exec) throws IOException {
        String dir = remote.remote(exec.dir().text());
        StringBuilder cmd = new StringBuilder();
        cmd.append("cd -- ").append(Shell.quote(dir)).append(" 2>/dev/null || exit ").append(NO_DIR).append("; exec env");
        exec.env().forEach((k, v) -> cmd.append(' ').append(Shell.quote(k + "=" + v)));
        cmd.append(' ').append(Shell.quote("MOSAIC_ROOT=" + remote.rootDir()));
        if (exec.timeout().isPresent()) {
            cmd.append(" timeout -k 10 ").append(Math.max(1, exec.timeout().get().toSeconds()));
        }
        cmd.append(' ').append(Shell.join(exec.argv())).append(" 2>&1");
        Lines lines = new Lines(exec);
        int code = remote.conn().run(cmd.toString(), exec.stdin().orElse(null), lines, lines, null);
        lines.flush();
        if (code == NO_DIR) {
            throw new IOException("cannot run " + exec.argv().get(0) + ": no directory " + exec.dir() + " on " + remote.name());
        }
        boolean timedOut = exec.timeout().isPresent() && code == 124;
        return new Exec.Result(timedOut ? -1 : code, timedOut, lines.tail());
    }

    /** A command's output split into lines as it arrives, the last ones kept. */
    private static final class Lines extends OutputStream {
        private final Exec exec;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private final Deque<String> tail = new ArrayDeque<>();

        Lines(Exec exec) {
            this.exec = exec;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                emit();
            } else {
                line.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        private void emit() {
            String s = line.toString(StandardCharsets.UTF_8);
            line.reset();
            tail.addLast(s);
            if (tail.size() > TAIL_LINES) {
                tail.removeFirst();
            }
            exec.output().accept(s);
        }

        @Override
        public synchronized void flush() {
            if (line.size() > 0) {
                emit();
            }
        }

        synchronized List<String> tail() {
            return new ArrayList<>(tail);
        }
    }

    /** The id of {@code id} in {@code database} ({@code passwd}, {@code group}); a number is its own id. */
    Optional<Integer> lookup(String database, String id) throws IOException {
        if (id.matches("\\d+")) {
            return Optional.of(Integer.parseUnsignedInt(id)); // ids above 2^31 - 1 are negative ints
        }
        Optional<Integer> cached = ids.get(database + ":" + id);
        if (cached != null) {
            return cached;
        }
        SshConnection.Result r = remote.conn().run("getent " + database + " " + Shell.quote(id), null);
        String[] fields = new String(r.stdout(), StandardCharsets.UTF_8).trim().split(":");
        Optional<Integer> found = r.exitCode() == 0 && fields.length > 2 ? Optional.of(Integer.parseInt(fields[2])) : Optional.empty();
        ids.put(database + ":" + id, found);
        return found;
    }
}
