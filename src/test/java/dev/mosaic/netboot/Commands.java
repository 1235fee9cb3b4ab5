package dev.mosaic.netboot;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the short-lived tools the netboot tests use (apt-get, dpkg-deb, the TFTP client) with a
 * timeout, capturing what they print. A process that outlives its timeout is killed through its
 * own {@link Process} handle, never by name.
 */
final class Commands {

    private Commands() {
    }

    /** What a command printed (stdout and stderr, interleaved) and how it ended. */
    record Result(List<String> command, int exitCode, String output) {

        boolean ok() {
            return exitCode == 0;
        }

        @Override
        public String toString() {
            return "$ " + String.join(" ", command) + "\n(exit code " + exitCode + ")\n" + output;
        }
    }

    static Result run(Path dir, Duration timeout, String... command) throws IOException, InterruptedException {
        return run(dir, timeout, Map.of(), command);
    }

    static Result run(Path dir, Duration timeout, Map<String, String> env, String... command)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<String> output = drain(p.getInputStream(), command[0]);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                fail("timed out after " + timeout + " and killed: " + new Result(List.of(command), -1, sofar(output)));
            }
        } finally {
            kill(p);
        }
        return new Result(List.of(command), p.exitValue(), sofar(output));
    }

    /** Reads a process's output to its end on a thread of its own. */
    static CompletableFuture<String> drain(InputStream in, String name) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (in) {
                f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.complete("(output unreadable: " + e + ")");
            }
        }, "output-of-" + name);
        t.setDaemon(true);
        t.start();
        return f;
    }

    private static String sofar(CompletableFuture<String> output) {
        try {
            return output.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted while reading the output)";
        } catch (ExecutionException | TimeoutException e) {
            return "(output not available: " + e + ")";
        }
    }

    /**
     * Ends {@code p} if it is still running (SIGKILL to its own PID) and waits for it, even when
     * the calling thread was interrupted.
     */
    static void kill(Process p) {
        if (!p.isAlive()) {
            return;
        }
        p.destroyForcibly();
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    p.waitFor(30, TimeUnit.SECONDS);
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The executable {@code name} on the PATH. */
    static Optional<Path> which(String name) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" : path).split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Fails (the test or the whole class, from a {@code @BeforeAll}) when a tool is missing. */
    static void require(String name, String why, String debianPackages) {
        if (which(name).isEmpty()) {
            fail("'" + name + "' is not installed (not on the PATH): " + why + ". Install the Debian package(s) "
                    + debianPackages + " (bin/test does: apt-get install --no-install-recommends " + debianPackages + ").");
        }
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
