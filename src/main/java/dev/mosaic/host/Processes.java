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
import java.util.concurrent.TimeUnit;

/** Runs local processes: output streamed line by line, a bounded tail kept, timeouts enforced. */
final class Processes {

    static final int TAIL_LINES = 40;

    private Processes() {
    }

    static Exec.Result run(Exec exec, Path dir, Path root) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(exec.argv()).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(exec.env());
        pb.environment().put("MOSAIC_ROOT", root.toString());
        boolean tracked = Children.tracked(root);
        if (tracked) {
            pb.command(Children.inOwnGroup(exec.argv(), pb.environment(), dir));
        }
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
            return wait(exec, p);
        } finally {
            if (record != null) {
                Children.finished(p, record);
            }
        }
    }

    private static Exec.Result wait(Exec exec, Process p) throws IOException {
        Deque<String> tail = new ArrayDeque<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
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
            return new Exec.Result(timedOut ? -1 : p.exitValue(), timedOut, new ArrayList<>(tail));
        }
    }
}
