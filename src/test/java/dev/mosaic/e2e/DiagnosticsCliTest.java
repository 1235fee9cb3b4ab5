package dev.mosaic.e2e;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad playbooks and bad command lines, through the real CLI process: each is one
 * {@code playbook.yml:LINE:COL: error:} diagnostic on stderr (or a usage message), exit 1 (or 64),
 * no stack trace, and a target left exactly as it was, without even a state directory.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DiagnosticsCliTest {

    /** 2001-09-09: anything Mosaic touched would get a newer mtime. */
    private static final FileTime OLD = FileTime.fromMillis(1_000_000_000_000L);

    @TempDir
    Path tmp;

    private Path root;
    private Path playbookDir;

    /** A target that every bad playbook below would change if it got as far as running. */
    @BeforeEach
    void createTarget() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        playbookDir = Files.createDirectories(tmp.resolve("playbook"));
        write("/etc/motd", "old motd\n", 0644);
        write("/etc/secret", "s3cret\n", 0600);
        write("/srv/tftp/pxelinux.cfg/default", "prompt 1\n", 0644);
        write("/srv/images/vmlinuz", "old kernel\n", 0755);
        Files.createDirectories(Trees.under(root, "/empty"));
        Files.createDirectories(Trees.under(root, "/boot"));
        Files.createSymbolicLink(Trees.under(root, "/boot/current"), Path.of("/srv/images/vmlinuz"));
        Trees.setMode(Trees.under(root, "/srv/images"), 0700);
        // Deepest first, so that setting a child's time does not bump its directory's afterwards.
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                if (!Files.isSymbolicLink(p)) {
                    Files.setLastModifiedTime(p, OLD);
                }
            }
        }
    }

    private void write(String target, String content, int mode) throws IOException {
        Path p = Trees.under(root, target);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        Trees.setMode(p, mode);
    }

    static Stream<Arguments> badPlaybooks() {
        return Stream.of(
                Arguments.of("malformed YAML", """
                        name: broken
                        vars:
                          tftp_root: /srv/tftp
                        resources:
                          motd:
                            type: file
                             path: /etc/motd
                            content: "new motd\\n"
                        """, 7, 10, "malformed YAML: mapping values are not allowed here"),
                Arguments.of("an unknown type", """
                        name: unknown-type
                        resources:
                          motd:
                            type: file
                            path: /etc/motd
                            content: "new motd\\n"
                          pxe:
                            type: fille
                            path: /srv/tftp/pxelinux.cfg/default
                        """, 8, 11, "resource 'pxe': unknown type 'fille' (did you mean 'file'?)"),
                Arguments.of("an unknown field", """
                        name: unknown-field
                        resources:
                          motd:
                            type: file
                            path: /etc/motd
                            contnet: "new motd\\n"
                        """, 6, 5, "resource 'motd': unknown field 'contnet' (did you mean 'content'?)"),
                Arguments.of("a value of the wrong type", """
                        name: wrong-type
                        resources:
                          images:
                            type: copy
                            source: /srv/images
                            dest: /srv/tftp/images
                            purge: sometimes
                        """, 7, 12, "resource 'images', field 'purge': expected boolean, got string 'sometimes'"),
                Arguments.of("an undefined variable", """
                        name: undefined-variable
                        vars:
                          tftp_root: /srv/tftp
                        resources:
                          pxe:
                            type: file
                            path: ${tftp_rot}/pxelinux.cfg/default
                            content: "prompt 0\\n"
                        """, 7, 11, "undefined variable 'tftp_rot' (did you mean 'tftp_root'?)"),
                Arguments.of("a duplicate id", """
                        name: duplicate-id
                        resources:
                          motd:
                            type: file
                            path: /etc/motd
                            content: "one\\n"
                          motd:
                            type: file
                            path: /etc/issue
                            content: "two\\n"
                        """, 7, 3, "duplicate key 'motd' (first defined at playbook.yml:3:3)"),
                Arguments.of("a dependency cycle", CYCLE, 3, 3, "dependency cycle of 3 resources:"));
    }

    /** Three resources in a cycle of three edge kinds: parent directory, reads, requires. */
    private static final String CYCLE = """
            name: cycle
            resources:
              images:
                type: directory
                path: /srv/images
                requires: [current]
              kernel:
                type: file
                path: /srv/images/vmlinuz
                content: "new kernel\\n"
              current:
                type: link
                path: /boot/current
                target: /srv/images/vmlinuz
            """;

    @ParameterizedTest(name = "{0} is reported at playbook.yml:{2}:{3} by plan and apply, which touch nothing")
    @MethodSource("badPlaybooks")
    void a_bad_playbook_is_one_positioned_diagnostic_and_the_target_is_untouched(
            String what, String yaml, int line, int column, String message) throws IOException {
        Files.writeString(playbookDir.resolve("playbook.yml"), yaml);
        Map<String, Trees.Entry> before = Trees.snapshot(root);
        for (String command : List.of("plan", "apply")) {
            Cli.Result r = Cli.in(playbookDir).run(command, "--root", root.toString(), "playbook.yml");
            assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
            assertThat(r.stdout()).as("%s", r).isEmpty();
            List<String> diagnostics = r.stderrLines().stream().filter(l -> l.matches("\\S+:\\d+:\\d+: error: .*")).toList();
            assertThat(diagnostics).as("%s", r).hasSize(1);
            assertThat(r.stderrLines().get(0)).as("%s", r)
                    .startsWith("playbook.yml:" + line + ":" + column + ": error: " + message);
            assertNoStackTrace(r);
            assertThat(Trees.snapshot(root)).as("the target after %s", r).isEqualTo(before);
            assertThat(Trees.under(root, "/var/lib/mosaic")).as("state directory after %s", command).doesNotExist();
        }
    }

    @Test
    void a_cycle_is_printed_with_every_resource_its_line_and_the_kind_of_each_edge() throws IOException {
        Files.writeString(playbookDir.resolve("playbook.yml"), CYCLE);
        Cli.Result r = Cli.in(playbookDir).run("plan", "--root", root.toString(), "playbook.yml");
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        List<String> lines = r.stderrLines();
        assertThat(lines.get(0)).as("%s", r).isEqualTo("playbook.yml:3:3: error: dependency cycle of 3 resources:");
        // Each resource with its file:line, then the edge to the next one with its kind, in cycle order.
        assertLinesInOrder(r, lines.subList(1, lines.size()),
                "directory[images] (playbook.yml:3)",
                "/srv/images/vmlinuz is under /srv/images",   // parent directory
                "file[kernel] (playbook.yml:7)",
                "current reads /srv/images/vmlinuz",          // reads
                "link[current] (playbook.yml:11)",
                "requires",                                   // explicit requires
                "directory[images]");
        assertThat(lines).as("%s", r).hasSize(8);
        assertNoStackTrace(r);
    }

    /** Line i of {@code lines} contains fragment i. */
    private static void assertLinesInOrder(Cli.Result r, List<String> lines, String... fragments) {
        assertThat(lines).as("%s", r).hasSizeGreaterThanOrEqualTo(fragments.length);
        for (int i = 0; i < fragments.length; i++) {
            assertThat(lines.get(i)).as("line %d of the cycle report in %s", i + 2, r).contains(fragments[i]);
        }
    }

    static Stream<Arguments> badCommandLines() {
        return Stream.of(
                Arguments.of("an unknown option", List.of("plan", "--no-such-option", "--root", "ROOT", "playbook.yml"),
                        "mosaic: Unknown option: '--no-such-option'"),
                Arguments.of("a missing playbook argument", List.of("apply", "--root", "ROOT"),
                        "mosaic: Missing required parameter: 'PLAYBOOK'"),
                Arguments.of("a missing command", List.of("--root", "ROOT"), "mosaic: "),
                Arguments.of("an unknown command", List.of("deploy", "playbook.yml"), "mosaic: "),
                Arguments.of("a --jobs value that is not a number", List.of("apply", "--jobs", "many", "--root", "ROOT", "playbook.yml"),
                        "mosaic: "));
    }

    @ParameterizedTest(name = "{0} is a usage error: exit 64, a hint, no stack trace, nothing touched")
    @MethodSource("badCommandLines")
    void a_bad_command_line_exits_64_with_a_hint_and_touches_nothing(String what, List<String> args, String firstLine)
            throws IOException {
        Files.writeString(playbookDir.resolve("playbook.yml"), """
                resources:
                  motd:
                    type: file
                    path: /etc/motd
                    content: "new motd\\n"
                """);
        Map<String, Trees.Entry> before = Trees.snapshot(root);
        List<String> argv = new ArrayList<>();
        args.forEach(a -> argv.add(a.equals("ROOT") ? root.toString() : a));
        Cli.Result r = Cli.in(playbookDir).run(argv.toArray(String[]::new));
        assertThat(r.exitCode()).as("%s", r).isEqualTo(64);
        assertThat(r.stderrLines()).as("%s", r).isNotEmpty();
        assertThat(r.stderrLines().get(0)).as("%s", r).startsWith(firstLine);
        assertThat(r.stderr()).as("%s", r).containsPattern("Try 'mosaic (\\w+ )?--help'\\.");
        assertNoStackTrace(r);
        assertThat(Trees.snapshot(root)).as("the target after %s", r).isEqualTo(before);
        assertThat(Trees.under(root, "/var/lib/mosaic")).doesNotExist();
    }

    private static void assertNoStackTrace(Cli.Result r) {
        for (String stream : List.of(r.stdout(), r.stderr())) {
            assertThat(stream).as("%s", r).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }
}
