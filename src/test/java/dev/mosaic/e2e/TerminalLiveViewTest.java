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
 * lines only: no escape sequence, no carriage return. At 40 columns the status line is cut to fit
 * (a wrapped one would leave stale rows), the result lines are colored, and not with NO_COLOR=1.
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
        tmux("new-session", "-d", "-s", "live", "-x", "120", "-y", "40");
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

    @Test
    void on_a_narrow_terminal_the_status_line_fits_the_width_and_results_are_colored_unless_NO_COLOR() throws Exception {
        Cli.Result piped = Cli.in(tmp).withTimeout(WAIT).run(applyArgs()); // records the build's duration
        assertThat(piped.exitCode()).as("%s", piped).isZero();
        serverStarted = true;
        tmux("new-session", "-d", "-s", "narrow", "-x", "40", "-y", "40");
        socket = Path.of(tmux("display-message", "-p", "-t", "narrow", "#{socket_path}").strip());

        Files.delete(tmp.resolve("root/work/out"));
        List<String> screens = runOnTerminal("narrow", "");
        Set<String> liveRows = new LinkedHashSet<>();
        for (String screen : screens) {
            for (String row : plain(screen).lines().toList()) {
                assertThat(row.length()).as("a row of a 40-column terminal:%n%s", plain(screen)).isLessThanOrEqualTo(40);
                // A status line that wrapped would leave its tail on the next row, never wiped.
                assertThat(row).as("no wrapped status line:%n%s", plain(screen)).doesNotStartWith("ompiling").doesNotStartWith("part ");
                if (row.startsWith("... build[compile]")) {
                    liveRows.add(row);
                }
            }
        }
        assertThat(liveRows).as("status lines seen").isNotEmpty()
                .allSatisfy(row -> assertThat(row.length()).isLessThanOrEqualTo(39))
                .anySatisfy(row -> assertThat(row).endsWith("…"));
        String last = screens.get(screens.size() - 1);
        assertThat(last).as("the result line and the recap are colored:%n%s", last)
                .containsPattern("\\u001b\\[[0-9;]*3[23]m(\\+|~|-/\\+) build\\[compile]: ")
                .containsPattern("\\u001b\\[[0-9;]*1m(\\u001b\\[[0-9;]*m)*Apply complete: ");

        Files.delete(tmp.resolve("root/work/out"));
        tmux("send-keys", "-t", "narrow", "clear", "Enter");
        List<String> noColor = runOnTerminal("narrow", "NO_COLOR=1 ");
        String end = noColor.get(noColor.size() - 1);
        assertThat(plain(end)).contains("build[compile]: ", "Apply complete:");
        assertThat(end).as("NO_COLOR: no color at all:%n%s", end).doesNotContainPattern("\\u001b\\[[0-9;]*3[0-7]m");
    }

    /** Runs the apply in tmux session {@code session} and returns every screen seen (with escapes), the last one final. */
    private List<String> runOnTerminal(String session, String envPrefix) throws Exception {
        String mark = DONE_MARK + UUID.randomUUID().toString().substring(0, 6) + "=";
        Path script = tmp.resolve("apply-" + session + ".sh");
        Files.writeString(script, "unset JAVA_TOOL_OPTIONS _JAVA_OPTIONS JDK_JAVA_OPTIONS COLUMNS\nexport TERM=xterm\ncd " + shellQuote(tmp.toString())
                + "\n" + envPrefix + Cli.command(applyArgs()).stream().map(TerminalLiveViewTest::shellQuote).collect(Collectors.joining(" "))
                + "\necho \"" + mark + "$?\"\n");
        tmux("send-keys", "-t", session, "clear; sh " + shellQuote(script.toString()), "Enter");
        List<String> screens = new ArrayList<>();
        String screen = "";
        long end = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < end && !plain(screen).contains(mark)) {
            screen = tmux("capture-pane", "-p", "-e", "-t", session);
            screens.add(screen);
            Thread.sleep(100);
        }
        assertThat(plain(screen)).as("the run ended within %s; screen:%n%s", WAIT, plain(screen)).contains(mark + "0");
        return screens;
    }

    /** The screen without its escape sequences. */
    private static String plain(String screen) {
        return screen.replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "");
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
