package dev.mosaic.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;

/** Runs local processes: output streamed line by line, a bounded tail kept, timeouts enforced. */
final class Processes {

    static final int TAIL_LINES = 40;

    private Processes() {
    }

    /**
     * Runs {@code exec} in {@code dir} (a local path) for the target below {@code root}; confined
     * by {@code sandbox} unless it is null, with {@code readOnly} paths below the root kept
     * read-only.
     */
    static Exec.Result run(Exec exec, Path dir, Path root, Sandbox sandbox, List<Path> readOnly) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(exec.argv()).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(exec.env());
        pb.environment().put("MOSAIC_ROOT", root.toString());
        boolean tracked = Children.tracked(root);
        List<String> command = exec.argv();
        if (sandbox != null) {
            // A tracked command is in a session of its own already (setsid), off Mosaic's terminal.
            command = sandbox.wrap(command, root, dir, readOnly, exec.network(), !tracked);
        }
        if (tracked) {
            // The command itself is checked first: inside bubblewrap, a missing one would be
            // reported by bwrap, in its words.
            Children.inOwnGroup(exec.argv(), pb.environment(), dir);
            command = Children.inOwnGroup(command, pb.environment(), dir);
        }
        pb.command(command);
        if (exec.stdin().isEmpty()) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot run " + exec.argv().get(0) + ": " + e.getMessage(), e);
        }
        Path record = null;
        if (tracked) {
            try {
                record = Children.started(root, p);
            } catch (IOException e) {
                p.destroyForcibly();
                throw new IOException("cannot record the running command " + exec.argv().get(0) + ": " + e.getMessage(), e);
            }
        }
        try {
            return wait(exec, p, sandbox == null ? null : dir);
        } finally {
            if (record != null) {
                Children.finished(p, record);
            }
        }
    }

    /** @param confinedIn the directory of a confined command (its output is read for refused writes), else null */
    private static Exec.Result wait(Exec exec, Process p, Path confinedIn) throws IOException {
        Deque<String> tail = new ArrayDeque<>();
        AtomicReference<String> refused = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (confinedIn != null && refused.get() == null) {
                        Sandbox.refusedWrite(line, confinedIn).ifPresent(refused::set);
                    }
                    synchronized (tail) {
                        tail.addLast(line);
                        if (tail.size() > TAIL_LINES) {
                            tail.removeFirst();
                        }
                    }
                    exec.output().accept(line);
                }
            } catch (IOException e) {
                // the process went away; what was read is kept
            }
        }, "mosaic-exec-output");
        reader.setDaemon(true);
        reader.start();
        if (exec.stdin().isPresent()) {
            Thread writer = new Thread(() -> {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(exec.stdin().get());
                } catch (IOException e) {
                    // the process stopped reading: its exit code tells the rest
                }
            }, "mosaic-exec-input");
            writer.setDaemon(true);
            writer.start();
        }
        boolean timedOut = false;
        try {
            if (exec.timeout().isPresent()) {
                if (!p.waitFor(exec.timeout().get().toMillis(), TimeUnit.MILLISECONDS)) {
                    timedOut = true;
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor();
                }
            } else {
                p.waitFor();
            }
            reader.join(5000);
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + exec.argv().get(0));
        }
        synchronized (tail) {
            return new Exec.Result(timedOut ? -1 : p.exitValue(), timedOut, new ArrayList<>(tail),
                    Optional.ofNullable(refused.get()));
        }
    }
}
