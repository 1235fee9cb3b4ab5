package dev.mosaic.render;

import dev.mosaic.cli.Main;
import dev.mosaic.testing.TreeSnapshot;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden plans: every case directory under {@code src/test/resources/plans/} is planned through the
 * real CLI entry point, as text and as JSON, and compared byte for byte with its expected files.
 * The layout of a case is described in {@code src/test/resources/plans/README.md}.
 *
 * <p>Run with {@code -Dmosaic.golden.update=true} to rewrite the expected files from what the CLI
 * prints now, then review the changes with {@code git diff} before committing them.
 */
class GoldenPlanTest {

    static final Path CASES = Path.of("src/test/resources/plans");
    static final boolean UPDATE = Boolean.getBoolean("mosaic.golden.update");

    private static Locale savedLocale;

    /** Sizes are formatted with the default locale ("1.5 KiB"); the goldens are written in ROOT. */
    @BeforeAll
    static void pinLocale() {
        savedLocale = Locale.getDefault();
        Locale.setDefault(Locale.ROOT);
    }

    @AfterAll
    static void restoreLocale() {
        Locale.setDefault(savedLocale);
    }

    static Stream<String> cases() throws IOException {
        try (Stream<Path> dirs = Files.list(CASES)) {
            List<String> names = dirs.filter(d -> Files.isRegularFile(d.resolve("playbook.yml")))
                    .map(d -> d.getFileName().toString()).sorted().toList();
            assertThat(names).as("golden plan cases in " + CASES.toAbsolutePath()).isNotEmpty();
            return names.stream();
        }
    }

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void thePlanOfEveryCaseMatchesItsGoldenTextAndJson(String name) throws IOException {
        Path dir = CASES.resolve(name);
        Path control = tmp.resolve("playbook");
        Path root = Files.createDirectories(tmp.resolve("root"));
        copyTree(dir.resolve("files"), control.resolve("files"));
        copyFile(dir.resolve("playbook.yml"), control.resolve("playbook.yml"));
        copyTree(dir.resolve("before"), root);
        if (Files.exists(dir.resolve("applied.yml"))) {
            copyFile(dir.resolve("applied.yml"), control.resolve("applied.yml"));
            Run applied = cli("apply", control.resolve("applied.yml").toString(), "--root", root.toString());
            assertThat(applied.exit).as("apply of applied.yml:\n%s%s", applied.out, applied.err).isZero();
        }
        copyTree(dir.resolve("drift"), root);
        applyModes(dir.resolve("modes"), root);

        List<String> target = TreeSnapshot.of(tmp);
        String playbook = control.resolve("playbook.yml").toString();
        Run text = cli("plan", playbook, "--root", root.toString(), "--detailed-exitcode");
        Run json = cli("plan", playbook, "--root", root.toString(), "--detailed-exitcode", "--json");

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(TreeSnapshot.of(tmp)).as("plan writes nothing, not even state").isEqualTo(target);
        soft.assertThat(text.err).as("stderr of plan").isEmpty();
        soft.assertThat(json.err).as("stderr of plan --json").isEmpty();
        soft.assertThat(json.exit).as("exit code of plan --json").isEqualTo(text.exit);
        golden(soft, dir.resolve("expected.txt"), stable(text.out));
        golden(soft, dir.resolve("expected.json"), stable(json.out));
        golden(soft, dir.resolve("expected-exit.txt"), text.exit + "\n");
        soft.assertAll();
    }

    @Test
    void largeTextContentIsSummarisedAsSizeAndDigestAndNeverDumped() throws IOException {
        Path control = Files.createDirectories(tmp.resolve("playbook"));
        Path root = tmp.resolve("root");
        String line = "export MOSAIC_LARGE_CONTENT_LINE=0123456789\n";
        String current = line.repeat(7000);
        String desired = line.repeat(8000);
        Files.createDirectories(root.resolve("srv"));
        Files.writeString(root.resolve("srv/large.sh"), current);
        Files.writeString(control.resolve("large.sh"), desired);
        Files.writeString(control.resolve("playbook.yml"), """
                name: large
                resources:
                  large:
                    type: file
                    path: /srv/large.sh
                    source: large.sh
                """);
        String playbook = control.resolve("playbook.yml").toString();
        Run text = cli("plan", playbook, "--root", root.toString());
        Run json = cli("plan", playbook, "--root", root.toString(), "--json");

        assertThat(text.exit).isZero();
        assertThat(current.length()).as("above the text limit").isGreaterThan(dev.mosaic.resource.Diff.Blob.MAX_TEXT);
        assertThat(text.out).contains("~ file[large]\n    path: /srv/large.sh\n    ~ content: 300.8 KiB sha256:"
                + sha256(current).substring(0, 12) + " (binary or large) -> 343.8 KiB sha256:"
                + sha256(desired).substring(0, 12) + " (binary or large)\n");
        assertThat(text.out).doesNotContain("MOSAIC_LARGE_CONTENT_LINE").hasSizeLessThan(1000);
        assertThat(json.out).doesNotContain("MOSAIC_LARGE_CONTENT_LINE").doesNotContain("\"unified\"")
                .contains("\"size\" : " + current.length() + ",\n        \"sha256\" : \"" + sha256(current) + "\"")
                .contains("\"size\" : " + desired.length() + ",\n        \"sha256\" : \"" + sha256(desired) + "\"");
    }

    // ------------------------------------------------------------------ helpers

    record Run(int exit, String out, String err) {
    }

    /** Runs the CLI in-process, as {@code mosaic ARGS} would, with the download cache in the sandbox. */
    private Run cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--cache-dir");
        all.add(tmp.resolve("cache").toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(all.toArray(String[]::new), new PrintStream(out, true), new PrintStream(err, true));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The output with the sandbox's paths replaced by placeholders, the same on every run. */
    private String stable(String output) {
        return output.replace(tmp.resolve("root").toString(), "<ROOT>")
                .replace(tmp.resolve("playbook").toString(), "<PLAYBOOK_DIR>")
                .replace(tmp.toString(), "<TMP>");
    }

    private static void golden(SoftAssertions soft, Path expectedFile, String actual) throws IOException {
        if (UPDATE) {
            Files.writeString(expectedFile, actual, StandardCharsets.UTF_8);
            return;
        }
        if (!Files.exists(expectedFile)) {
            soft.fail(expectedFile + " is missing; run the test with -Dmosaic.golden.update=true to write it, "
                    + "then review it. The output was:\n" + actual);
            return;
        }
        byte[] expected = Files.readAllBytes(expectedFile);
        soft.assertThat(actual).as(expectedFile.toString()).isEqualTo(new String(expected, StandardCharsets.UTF_8));
        soft.assertThat(actual.getBytes(StandardCharsets.UTF_8)).as(expectedFile + " (bytes)").isEqualTo(expected);
    }

    /**
     * Copies a tree with normalised permissions (directories 0755, files 0644, or 0755 when
     * executable in the checkout), so that the umask of whoever checked out the repository does
     * not leak into the plans. Nothing is done when {@code from} does not exist.
     */
    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Path target = to.resolve(from.relativize(d).toString());
                Files.createDirectories(target);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                copyFile(f, to.resolve(from.relativize(f).toString()));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void copyFile(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.write(to, Files.readAllBytes(from));
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(
                Files.isExecutable(from) ? "rwxr-xr-x" : "rw-r--r--"));
    }

    /** Lines of {@code <octal mode> <target path>}; blank lines and '#' comments are skipped. */
    private static void applyModes(Path modes, Path root) throws IOException {
        if (!Files.exists(modes)) {
            return;
        }
        for (String raw : Files.readAllLines(modes, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+", 2);
            assertThat(parts).as("line of %s: '%s'", modes, raw).hasSize(2);
            assertThat(parts[1]).as("target path in %s", modes).startsWith("/").doesNotContain("..");
            int mode = Integer.parseInt(parts[0], 8);
            Path p = root.resolve(parts[1].substring(1));
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(rwx(mode)));
        }
    }

    private static String rwx(int mode) {
        StringBuilder b = new StringBuilder();
        String letters = "rwxrwxrwx";
        for (int bit = 8; bit >= 0; bit--) {
            b.append((mode & (1 << bit)) != 0 ? letters.charAt(8 - bit) : '-');
        }
        return b.toString();
    }

    private static String sha256(String text) {
        return dev.mosaic.resource.Digests.sha256(text);
    }
}
