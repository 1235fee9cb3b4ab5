package dev.mosaic.e2e;

import dev.mosaic.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code mosaic} command line the way a user does: {@code java -cp <test classpath>
 * dev.mosaic.cli.Main ARGS} in a separate JVM, with a timeout, capturing stdout, stderr and the
 * exit code. {@link #inProcess} calls {@link Main#run} directly, for checks where a separate
 * process adds nothing but start-up time.
 *
 * <pre>{@code
 * Cli.Result r = Cli.in(dir).run("plan", "--root", root.toString(), "playbook.yml");
 * assertThat(r.exitCode()).as("%s", r).isZero();
 * }</pre>
 */
public final class Cli {

    /** Generous: a run that takes this long is hung, not slow. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    /** Variables that make every JVM print a "Picked up …" line on stderr. */
    private static final List<String> NOISY_ENV = List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS");

    private final Path workDir;
    private final Duration timeout;
    private final Map<String, String> env;
    private final List<String> launcher;

    private Cli(Path workDir, Duration timeout, Map<String, String> env, List<String> launcher) {
        this.workDir = workDir;
        this.timeout = timeout;
        this.env = env;
        this.launcher = launcher;
    }

    /** A CLI whose processes run in {@code workDir} (relative playbook paths resolve there). */
    public static Cli in(Path workDir) {
        return new Cli(workDir, DEFAULT_TIMEOUT, Map.of(), List.of());
    }

    /** Runs in the test JVM's working directory. */
    public static Cli here() {
        return new Cli(null, DEFAULT_TIMEOUT, Map.of(), List.of());
    }

    public Cli withTimeout(Duration t) {
        return new Cli(workDir, t, env, launcher);
    }

    /** Extra environment variables for the process ({@code null} value: remove the variable). */
    public Cli withEnv(Map<String, String> extra) {
        return new Cli(workDir, timeout, extra, launcher);
    }

    /**
     * Runs the JVM through a launcher command, e.g. {@code nsenter --net=/proc/PID/ns/net --}: the
     * CLI then reaches the network of a lab server's namespace as an admin's machine would.
     */
    public Cli launchedBy(List<String> prefix) {
        return new Cli(workDir, timeout, env, List.copyOf(prefix));
    }

    /** What one run printed and returned. {@link #toString()} shows all of it, for failure messages. */
    public record Result(List<String> args, int exitCode, String stdout, String stderr) {

        public List<String> stdoutLines() {
            return stdout.lines().toList();
        }

        public List<String> stderrLines() {
            return stderr.lines().toList();
        }

        @Override
        public String toString() {
            return "mosaic " + String.join(" ", args) + "\n-- exit code: " + exitCode
                    + "\n-- stdout:\n" + abbreviate(stdout) + "\n-- stderr:\n" + abbreviate(stderr);
        }

        private static String abbreviate(String s) {
            return s.length() <= 20_000 ? s : s.substring(0, 10_000) + "\n[… " + (s.length() - 20_000)
                    + " characters …]\n" + s.substring(s.length() - 10_000);
        }
    }

    /** The full command line of a separate JVM running the CLI with {@code args}. */
    public static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss2m")); // as bin/mosaic
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs the CLI in a separate JVM and waits for it (at most the timeout: then it is killed and the test fails). */
    public Result run(String... args) {
        Running r = start(args);
        return r.await(timeout);
    }

    /** Starts the CLI in a separate JVM; its output is collected in the background. */
    public Running start(String... args) {
        List<String> argv = new ArrayList<>(launcher);
        argv.addAll(command(args));
        ProcessBuilder pb = new ProcessBuilder(argv);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        NOISY_ENV.forEach(pb.environment()::remove);
        // An SSH host's state defaults to $XDG_STATE_HOME/mosaic/hosts/NAME: a test that forgets
        // --state-dir writes below the build, never in the home of whoever runs the suite.
        pb.environment().put("XDG_STATE_HOME", Path.of("target", "test-xdg-state").toAbsolutePath().toString());
        // No configuration file of the machine or of whoever runs the suite (a test sets its own).
        pb.environment().put("MOSAIC_CONFIG", "");
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            return new Running(List.of(args), pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + pb.command(), e);
        }
    }

    /** A CLI process that is running (or was). */
    public static final class Running {
        private final List<String> args;
        private final Process process;
        private final Drain out;
        private final Drain err;

        Running(List<String> args, Process process) {
            this.args = args;
            this.process = process;
            this.out = new Drain(process.getInputStream(), "mosaic-stdout");
            this.err = new Drain(process.getErrorStream(), "mosaic-stderr");
        }

        public Process process() {
            return process;
        }

        /**
         * Waits until what the process printed on stdout so far satisfies {@code condition}; false
         * when the process ended (or {@code timeout} passed) first.
         */
        public boolean awaitStdout(java.util.function.Predicate<String> condition, Duration timeout)
                throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < end) {
                if (condition.test(out.sofar())) {
                    return true;
                }
                if (!process.isAlive()) {
                    return condition.test(out.text());
                }
                Thread.sleep(2);
            }
            return false;
        }

        /** Waits for the process to end; after {@code timeout} kills it and fails. */
        public Result await(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(30, TimeUnit.SECONDS);
                    throw new AssertionError("timed out after " + timeout + ", killed: " + result(-1));
                }
                return result(process.exitValue());
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for mosaic " + args, e);
            }
        }

        /**
         * Kills the process with SIGKILL ({@link Process#destroyForcibly()} on Linux) and waits for
         * it. Returns its result: exit code 137 (128 + 9) when the signal ended it, or its own exit
         * code when it had already finished.
         */
        public Result kill() {
            process.destroyForcibly();
            return await(Duration.ofSeconds(30));
        }

        private Result result(int code) {
            return new Result(args, code, out.text(), err.text());
        }
    }

    /** Reads a process stream to its end on a daemon thread, so the process never blocks on a full pipe. */
    private static final class Drain {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread thread;

        Drain(InputStream in, String name) {
            thread = new Thread(() -> {
                byte[] buf = new byte[8192];
                try (in) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        synchronized (bytes) {
                            bytes.write(buf, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // the process went away; what was read so far is kept
                }
            }, name);
            thread.setDaemon(true);
            thread.start();
        }

        /** What was read so far, without waiting for the end. */
        String sofar() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }

        String text() {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }

    /**
     * Runs the CLI inside the test JVM through {@link Main#run}: same parsing, commands and exit
     * codes, without a JVM start. Relative paths resolve against the test JVM's working directory,
     * so pass absolute ones.
     */
    public static Result inProcess(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, o, e);
        }
        return new Result(List.of(args), code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
