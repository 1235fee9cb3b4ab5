package dev.mosaic.e2e;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live view of {@code mosaic apply} as a person sees it: the real CLI runs in a terminal (a
 * private tmux server, {@code send-keys} to start it, {@code capture-pane} to read the screen)
 * while a build prints a line every half second. On the terminal the status line shows the
 * building resource, its elapsed time against the last run, and its last output line, and is
 * wiped before the result lines and the recap. The same apply with its output piped prints whole
 * lines only: no escape sequence, no carriage return.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TerminalLiveViewTest {

    /** Every wait is bounded by this: a run that takes longer is hung, not slow. */
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** {@code ... build[compile] 2s (last run 3s) | compiling part 4}, as ConsoleEvents draws it. */
    private static final Pattern LIVE_LINE =
            Pattern.compile("\\.\\.\\. build\\[compile] (\\d+)s \\(last run (\\d+)s\\) \\| compiling part (\\d)");

    private static final String DONE_MARK = "mosaic-exit=";

    @TempDir
    Path tmp;

    private final String server = "mosaic-test-" + UUID.randomUUID().toString().substring(0, 8);
    private boolean serverStarted;
    /** The server's socket file, which tmux leaves behind after kill-server. */
    private Path socket;

    @BeforeEach
    void playbook() throws IOException {
        Files.createDirectories(tmp.resolve("root/work"));
        Files.writeString(tmp.resolve("site.yml"), """
                resources:
                  compile:
                    type: build
                    dir: /work
                    command: for i in 1 2 3 4 5 6; do echo "compiling part $i"; sleep 0.5; done; touch out
                    outputs: [/work/out]
                    toolchain: []
                """);
    }

    /** Whatever happened, the private server goes, and with it the shell and any mosaic still running in it. */
    @AfterEach
    void killServer() throws Exception {
        if (serverStarted) {
            Process p = new ProcessBuilder("tmux", "-L", server, "kill-server").redirectErrorStream(true).start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            p.waitFor(20, TimeUnit.SECONDS);
        }
        if (socket != null) {
            Files.deleteIfExists(socket);
        }
    }

    @Test
    void a_build_shows_a_live_status_line_on_a_terminal_and_whole_lines_only_when_piped() throws Exception {
        // Off a terminal first: this run also records the build's duration, which the live line
        // then shows as "last run".
        Cli.Result piped = Cli.in(tmp).withTimeout(WAIT).run(applyArgs());
        assertThat(piped.exitCode()).as("%s", piped).isZero();
        assertThat(piped.stdout() + piped.stderr()).as("%s", piped).doesNotContain("\u001b", "\r");
        assertThat(piped.stdout()).as("%s", piped).doesNotContain("... build[compile]")
                .contains("build[compile]: created", "Apply complete:");

        // A missing output makes the build run again, now on a terminal.
        Files.delete(tmp.resolve("root/work/out"));
        Path script = tmp.resolve("apply.sh");
        Files.writeString(script, "unset JAVA_TOOL_OPTIONS _JAVA_OPTIONS JDK_JAVA_OPTIONS\ncd " + shellQuote(tmp.toString())
                + "\n" + Cli.command(applyArgs()).stream().map(TerminalLiveViewTest::shellQuote).collect(Collectors.joining(" "))
                + "\necho \"" + DONE_MARK + "$?\"\n");
        serverStarted = true;
        tmux("new-session", "-d", "-s", "live", "-x", "160", "-y", "40");
        socket = Path.of(tmux("display-message", "-p", "-t", "live", "#{socket_path}").strip());
        tmux("send-keys", "-t", "live", "clear; sh " + shellQuote(script.toString()), "Enter");

        Set<String> liveLines = new LinkedHashSet<>();
        Set<String> parts = new LinkedHashSet<>();
        String screen = "";
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end && !screen.contains(DONE_MARK)) {
            screen = tmux("capture-pane", "-p", "-t", "live");
            Matcher m = LIVE_LINE.matcher(screen);
            while (m.find()) {
                liveLines.add(m.group());
                parts.add(m.group(3));
            }
            Thread.sleep(100);
        }

        assertThat(screen).as("the run ended within %s; screen:%n%s", WAIT, screen).contains(DONE_MARK + "0");
        assertThat(liveLines).as("live lines seen; last screen:%n%s", screen).isNotEmpty();
        for (String line : liveLines) {
            Matcher m = LIVE_LINE.matcher(line);
            assertThat(m.matches()).isTrue();
            // The ticker runs on its own one-second beat, so the first line may show 0s.
            assertThat(Integer.parseInt(m.group(1))).as(line).isBetween(0, 59);
            assertThat(Integer.parseInt(m.group(2))).as("last run of a 3 s build: %s", line).isBetween(2, 59);
        }
        assertThat(parts).as("the last output line follows the build: %s", liveLines).isSubsetOf("1", "2", "3", "4", "5", "6");
        // At the end the status line is wiped: the result line and the recap took its place.
        List<String> lines = screen.lines().toList();
        assertThat(lines).as(screen).noneMatch(l -> l.startsWith("... "));
        assertThat(lines).as(screen).anyMatch(l -> l.matches("(\\+|~|-/\\+) build\\[compile]: (created|updated|replaced) .* in \\d+ ms"));
        assertThat(screen).as(screen).contains("Apply complete:");
        assertThat(screen.indexOf("build[compile]: ")).as(screen).isLessThan(screen.indexOf("Apply complete:"));
    }

    private String[] applyArgs() {
        return new String[] {"apply", "site.yml", "--root", tmp.resolve("root").toString(),
                "--cache-dir", tmp.resolve("cache").toString()};
    }

    /** Runs {@code tmux -L SERVER -f /dev/null ARGS}, bounded in time, and returns its stdout. */
    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", server, "-f", "/dev/null"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("tmux hung: " + cmd);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError(cmd + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
