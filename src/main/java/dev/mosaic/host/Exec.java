package dev.mosaic.host;

import dev.mosaic.base.TargetPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A process to run on a host: an argument vector (never a shell string unless argv says
 * {@code sh -c}), a working directory (a {@link TargetPath}), extra environment, optional standard input
 * and timeout. Each output line (stdout and stderr merged) goes to {@code output} as it comes.
 * {@code network}: a command confined for a target with {@code --root} ({@link Sandbox}) may use
 * the network; without it, it has only a loopback of its own. Other hosts ignore it.
 */
public record Exec(List<String> argv, TargetPath dir, Map<String, String> env, Optional<byte[]> stdin,
                   Optional<Duration> timeout, Consumer<String> output, boolean network) {

    public Exec {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }

    /** A command without network access when confined. */
    public Exec(List<String> argv, TargetPath dir, Map<String, String> env, Optional<byte[]> stdin,
                Optional<Duration> timeout, Consumer<String> output) {
        this(argv, dir, env, stdin, timeout, output, false);
    }

    public static Exec of(TargetPath dir, String... argv) {
        return new Exec(List.of(argv), dir, Map.of(), Optional.empty(), Optional.empty(), line -> { });
    }

    public Exec withStdin(byte[] input) {
        return new Exec(argv, dir, env, Optional.of(input), timeout, output, network);
    }

    public Exec withEnv(Map<String, String> more) {
        return new Exec(argv, dir, more, stdin, timeout, output, network);
    }

    public Exec withTimeout(Duration t) {
        return new Exec(argv, dir, env, stdin, Optional.ofNullable(t), output, network);
    }

    public Exec withOutput(Consumer<String> sink) {
        return new Exec(argv, dir, env, stdin, timeout, sink, network);
    }

    public Exec withNetwork(boolean on) {
        return new Exec(argv, dir, env, stdin, timeout, output, on);
    }

    /**
     * How a process ended: exit code (-1 on timeout), the last lines of its output, and the first
     * path outside the root that a confined command was refused to write, if it said so.
     */
    public record Result(int exitCode, boolean timedOut, List<String> tail, Optional<String> refusedWrite) {

        public Result(int exitCode, boolean timedOut, List<String> tail) {
            this(exitCode, timedOut, tail, Optional.empty());
        }

        /**
         * For a failed command that was refused a write outside the root: "tried to write outside
         * the root: PATH (the rule); " — the start of the resource's error message.
         */
        public String refusal() {
            return ok() || refusedWrite.isEmpty() ? ""
                    : "tried to write outside the root: " + refusedWrite.get() + " (" + Sandbox.RULE + "); ";
        }

        public boolean ok() {
            return exitCode == 0 && !timedOut;
        }

        public String tailText() {
            return String.join("\n", tail);
        }
    }
}
