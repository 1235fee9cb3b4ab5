package dev.mosaic.packaging;

import dev.mosaic.cli.Main;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What {@code mvn package} made, for the integration tests that run after it (failsafe passes
 * {@code mosaic.buildDir} and {@code mosaic.version}), and a way to run the tools that inspect it.
 */
final class Built {

    private Built() {
    }

    static Path dir() {
        return Path.of(System.getProperty("mosaic.buildDir", "target"));
    }

    static String version() {
        return System.getProperty("mosaic.version", "0.1.0-SNAPSHOT");
    }

    /** Debian's spelling of the version: '~' sorts before anything, so a snapshot comes before its release. */
    static String debVersion() {
        return version().replace("-SNAPSHOT", "~SNAPSHOT");
    }

    static Path deb() {
        return dir().resolve("mosaic_" + debVersion() + "_all.deb");
    }

    static Path tarball() {
        return dir().resolve("mosaic-" + version() + ".tar.gz");
    }

    /** Every command of the CLI (the top one first), as the packaging generated its docs from. */
    static List<CommandSpec> commands() {
        CommandLine root = new CommandLine(new Main());
        List<CommandSpec> all = new ArrayList<>();
        all.add(root.getCommandSpec());
        root.getSubcommands().values().forEach(c -> all.add(c.getCommandSpec()));
        return all;
    }

    /** The man page's name of a command: mosaic, mosaic-plan, mosaic-module-schema. */
    static String manName(CommandSpec spec) {
        return spec.qualifiedName("-");
    }

    static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return String.join(" ", command) + "\n-- exit code: " + exitCode + "\n-- stdout:\n" + stdout + "\n-- stderr:\n" + stderr;
        }
    }

    static Result run(List<String> command) {
        return run(command, Map.of());
    }

    /** Runs a program to its end (at most five minutes), stdin from /dev/null. */
    static Result run(List<String> command, Map<String, String> env) {
        try {
            Path out = Files.createTempFile("mosaic-it", ".out");
            Path err = Files.createTempFile("mosaic-it", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS").forEach(pb.environment()::remove);
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(Duration.ofMinutes(5).toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("timed out: " + command);
                }
                return new Result(command, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
