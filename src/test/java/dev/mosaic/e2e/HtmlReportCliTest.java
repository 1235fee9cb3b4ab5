package dev.mosaic.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code apply --report}: a real apply with two builds that run side by side, its report loaded in
 * headless Chromium (the page's script must run without error, and it must render to a real
 * screenshot), a failed apply with {@code --json}, and a report path refused before applying.
 */
public class HtmlReportCliTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private static final String PLAYBOOK = """
            resources:
              work: { type: directory, path: /work }
              left:
                type: build
                dir: /work
                command: sleep 1; touch left.out
                outputs: [/work/left.out]
                toolchain: []
              right:
                type: build
                dir: /work
                command: sleep 1; touch right.out
                outputs: [/work/right.out]
                toolchain: []
              notes:
                type: file
                path: /work/notes.html
                content: "<script>document.title = 'owned'</script>\\n"
                requires: [left]
            """;

    @Test
    void apply_withReport_writesAPageChromiumRenders_showingBothBuildsInParallel(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("site.yml"), PLAYBOOK);
        Path report = tmp.resolve("report.html");

        Cli.Result r = Cli.inProcess("apply", tmp.resolve("site.yml").toString(), "--root", tmp.resolve("root").toString(),
                "--cache-dir", tmp.resolve("cache").toString(), "--jobs", "2", "--report", report.toString());

        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdout()).contains("Report: " + report);
        assertThat(tmp.resolve("root/work/left.out")).exists();
        String html = Files.readString(report);
        assertThat(html).contains("<span class=\"verdict good\">Apply complete</span>")
                .contains("&lt;script&gt;document.title = &#39;owned&#39;&lt;/script&gt;")
                .doesNotContain("<script>document.title");
        for (String a : List.of("directory[work]", "build[left]", "build[right]", "file[notes]")) {
            assertThat(html).contains("data-addr=\"" + a + "\"");
        }
        long[] left = bar(html, "build[left]");
        long[] right = bar(html, "build[right]");
        assertThat(left[1] - left[0]).as("left took its second").isGreaterThanOrEqualTo(1000);
        assertThat(left[0] < right[1] && right[0] < left[1]).as("the builds overlap: %s %s", left, right).isTrue();
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temp file left")
                    .containsExactlyInAnyOrder("site.yml", "report.html", "root", "cache");
        }

        assertThat(CHROMIUM).as("Chromium, installed by bin/test").isExecutable();
        String dom = chromium(tmp, "--dump-dom", "file://" + report).stdout;
        assertThat(dom).contains("data-ready=\"yes\"").doesNotContain("data-error=\"").doesNotContain("owned</title>");
        Path png = tmp.resolve("report.png");
        chromium(tmp, "--screenshot=" + png, "--window-size=1280,2000", "file://" + report);
        assertThat(png).exists();
        assertThat(Files.size(png)).as("a rendered page, not a blank one").isGreaterThan(10_000);
    }

    @Test
    void apply_thatFails_withJson_stillWritesTheReport_andKeepsStdoutJson(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("site.yml"), """
                resources:
                  broken:
                    type: build
                    dir: /work
                    command: echo "compiler says <no>"; exit 3
                    outputs: [/work/never]
                    toolchain: []
                  after:
                    type: file
                    path: /work/after
                    content: x
                    requires: [broken]
                """);
        Files.createDirectories(tmp.resolve("root/work"));
        Path report = tmp.resolve("report.html");

        Cli.Result r = Cli.inProcess("apply", tmp.resolve("site.yml").toString(), "--root", tmp.resolve("root").toString(),
                "--cache-dir", tmp.resolve("cache").toString(), "--json", "--report", report.toString());

        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stdoutLines()).isNotEmpty().allSatisfy(l -> assertThat(l).startsWith("{\"event\":"));
        String html = Files.readString(report);
        assertThat(html).contains("<span class=\"verdict bad\">Apply failed</span>")
                .contains("<span class=\"pill s-failed\">failed</span>")
                .contains("<span class=\"pill s-skipped\">skipped</span>")
                .contains("dependency build[broken] failed")
                .contains("&lt;no&gt;");
    }

    @Test
    void apply_withAReportInAMissingDirectory_failsBeforeApplyingAnything(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("site.yml"), PLAYBOOK);

        Cli.Result r = Cli.inProcess("apply", tmp.resolve("site.yml").toString(), "--root", tmp.resolve("root").toString(),
                "--cache-dir", tmp.resolve("cache").toString(), "--report", tmp.resolve("nope/report.html").toString());

        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stderr()).contains("--report").contains("does not exist").doesNotContain("\tat ");
        assertThat(tmp.resolve("root")).doesNotExist();
    }

    /** {start, end} in milliseconds of a resource's bar in the timeline. */
    private static long[] bar(String html, String address) {
        Matcher m = Pattern.compile("data-addr=\"" + Pattern.quote(address) + "\"><div class=\"g-label\"[^>]*>[^<]*</div>"
                + "<div class=\"g-track\">(?:<span class=\"grid\"[^>]*></span>)*<div class=\"bar [^\"]+\" data-start=\"(\\d+)\" "
                + "data-end=\"(\\d+)\"").matcher(html);
        assertThat(m.find()).as("timeline bar of %s", address).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    private record Run(String stdout) {
    }

    /** The page as headless Chromium leaves it after its script ran (for the inventory's report too). */
    public static String dom(Path tmp, Path page) throws IOException, InterruptedException {
        return chromium(tmp, "--dump-dom", "file://" + page).stdout;
    }

    /** Headless Chromium with its own profile; killed with its children after 60 s. Its stderr is noise (dbus, GPU). */
    private static Run chromium(Path tmp, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + tmp.resolve("chromium-profile")));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "chromium", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("HOME", tmp.toString());
        Process p = pb.start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("chromium " + args[0] + " did not finish in 60 s");
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as("chromium %s exit code", args[0]).isZero();
        return new Run(Files.readString(out, StandardCharsets.UTF_8));
    }
}
