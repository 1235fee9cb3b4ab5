package dev.mosaic.host;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A process to run on a host: an argument vector (never a shell string unless argv says
 * {@code sh -c}), a working directory (a target path), extra environment, optional standard input
 * and timeout. Each output line (stdout and stderr merged) goes to {@code output} as it comes.
 */
public record Exec(List<String> argv, String dir, Map<String, String> env, Optional<byte[]> stdin,
                   Optional<Duration> timeout, Consumer<String> output) {

    public Exec {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }

    public static Exec of(String dir, String... argv) {
        return new Exec(List.of(argv), dir, Map.of(), Optional.empty(), Optional.empty(), line -> { });
    }

    public Exec withStdin(byte[] input) {
        return new Exec(argv, dir, env, Optional.of(input), timeout, output);
    }

    public Exec withEnv(Map<String, String> more) {
        return new Exec(argv, dir, more, stdin, timeout, output);
    }

    public Exec withTimeout(Duration t) {
        return new Exec(argv, dir, env, stdin, Optional.ofNullable(t), output);
    }

    public Exec withOutput(Consumer<String> sink) {
        return new Exec(argv, dir, env, stdin, timeout, sink);
    }

    /** How a process ended: exit code (-1 on timeout) and the last lines of its output. */
    public record Result(int exitCode, boolean timedOut, List<String> tail) {
        public boolean ok() {
            return exitCode == 0 && !timedOut;
        }

        public String tailText() {
            return String.join("\n", tail);
        }
    }
}
