package dev.mosaic.e2e;

import dev.mosaic.testing.Canary;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every entry of Mosaic's state directory made hostile — a link to a canary file or directory
 * outside the root, a file where a directory belongs or the reverse, garbage bytes, a truncated
 * file — against every command that reads or writes the state: no trace reaches the user, the
 * exit code says what happened (a link or a misplaced file is an error naming it; damaged content
 * is a warning and never wedges an apply), and nothing outside the root changes.
 */
class StateDirHostileTest {

    private static final String PLAYBOOK = """
            name: hostile
            resources:
              motd: { type: file, path: /etc/motd, content: "hello\\n" }
              conf: { type: file, path: /etc/app.conf, content: "v1\\n" }
            """;

    private static final List<String> DIRECTORIES = List.of("backups", "logs", "memory", "running", "history");
    private static final List<String> FILES = List.of("state.json", "created.json", "apply.lock");
    private static final List<String> COMMANDS = List.of("plan", "apply", "history", "restore", "logs");

    enum Variant { LINK_TO_CANARY_FILE, LINK_TO_CANARY_DIR, FILE_WHERE_A_DIR_BELONGS, DIR_WHERE_A_FILE_BELONGS, GARBAGE, TRUNCATED }

    @TempDir
    static Path shared;

    /** A root and state after one apply that replaced a file (a backup, a history record). */
    private static Path template;
    private static String applyId;

    @BeforeAll
    static void applyOnce() throws IOException {
        template = Files.createDirectories(shared.resolve("template"));
        Path root = Files.createDirectories(template.resolve("root/etc"));
        Files.writeString(root.resolve("motd"), "old\n");
        Files.writeString(template.resolve("site.yml"), PLAYBOOK);
        Cli.Result apply = Cli.inProcess("apply", template.resolve("site.yml").toString(), "--root",
                template.resolve("root").toString());
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        try (Stream<Path> s = Files.list(template.resolve("root/var/lib/mosaic/history"))) {
            applyId = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.replace(".json", "")).findFirst().orElseThrow();
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String command : COMMANDS) {
            for (String name : DIRECTORIES) {
                for (Variant v : Variant.values()) {
                    if (v != Variant.DIR_WHERE_A_FILE_BELONGS) {
                        out.add(Arguments.of(name + "/", v, command));
                    }
                }
            }
            for (String name : FILES) {
                for (Variant v : Variant.values()) {
                    if (v != Variant.FILE_WHERE_A_DIR_BELONGS) {
                        out.add(Arguments.of(name, v, command));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{2} with {0} as {1}")
    @MethodSource("cases")
    void command_stateEntryMadeHostile_noTraceSensibleExitCanaryUntouched(String entry, Variant v, String command,
                                                                        @TempDir Path tmp) throws IOException {
        copyTree(template, tmp.resolve("t"));
        Path root = tmp.resolve("t/root");
        Path state = root.resolve("var/lib/mosaic");
        Path playbook = tmp.resolve("t/site.yml");
        Canary canary = Canary.plant(tmp.resolve("outside"));
        Files.writeString(root.resolve("etc/motd"), "drifted\n"); // an apply has work: backup, history, trim
        Path planted = state.resolve(entry.replace("/", ""));
        plant(planted, entry.endsWith("/"), v, canary);

        Cli.Result r = switch (command) {
            case "plan", "apply" -> Cli.inProcess(command, playbook.toString(), "--root", root.toString());
            case "history" -> Cli.inProcess("history", "--root", root.toString());
            case "restore" -> Cli.inProcess("restore", applyId, "--root", root.toString());
            case "logs" -> Cli.inProcess("logs", "file[motd]", "--root", root.toString());
            default -> throw new IllegalArgumentException(command);
        };

        String all = r.stdout() + r.stderr();
        assertThat(all).as("%s", r).doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("internal error");
        switch (v) {
            case LINK_TO_CANARY_FILE, LINK_TO_CANARY_DIR, FILE_WHERE_A_DIR_BELONGS, DIR_WHERE_A_FILE_BELONGS -> {
                assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
                assertThat(r.stderr()).as("%s", r).contains(planted.toString())
                        .containsAnyOf("is a symbolic link", "is not a directory", "is a directory");
            }
            case GARBAGE, TRUNCATED -> {
                if (command.equals("apply")) {
                    assertThat(r.exitCode()).as("damaged state never wedges an apply: %s", r).isZero();
                } else if (command.equals("restore") && entry.equals("history/")) {
                    assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
                    assertThat(r.stderr()).as("%s", r).contains("is damaged").contains("Nothing was restored");
                } else {
                    assertThat(r.exitCode()).as("%s", r).isIn(0, 1);
                }
            }
        }
        canary.assertUntouched();
    }

    /** Makes {@code p} hostile: {@code dir} says whether Mosaic keeps a directory there. */
    private static void plant(Path p, boolean dir, Variant v, Canary canary) throws IOException {
        switch (v) {
            case LINK_TO_CANARY_FILE -> {
                deleteTree(p);
                Files.createSymbolicLink(p, canary.file());
            }
            case LINK_TO_CANARY_DIR -> {
                deleteTree(p);
                Files.createSymbolicLink(p, canary.dir());
            }
            case FILE_WHERE_A_DIR_BELONGS -> {
                deleteTree(p);
                Files.writeString(p, "not a directory\n");
            }
            case DIR_WHERE_A_FILE_BELONGS -> {
                deleteTree(p);
                Files.createDirectories(p.resolve("inside"));
            }
            case GARBAGE -> {
                byte[] garbage = {(byte) 0xff, (byte) 0xfe, 0, '{', '"', '\n', (byte) 0x80, ']', '\n'};
                for (Path f : dir ? filesIn(p, true) : List.of(p)) {
                    Files.write(f, garbage);
                }
            }
            case TRUNCATED -> {
                for (Path f : dir ? filesIn(p, false) : List.of(p)) {
                    if (Files.exists(f)) {
                        byte[] b = Files.readAllBytes(f);
                        Files.write(f, java.util.Arrays.copyOf(b, b.length / 2));
                    }
                }
            }
        }
    }

    /** The files of a state directory to damage; one is made when it has none (or {@code extra}). */
    private static List<Path> filesIn(Path dir, boolean extra) throws IOException {
        Files.createDirectories(dir);
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = new ArrayList<>(s.filter(Files::isRegularFile).toList());
        }
        if (files.isEmpty() || extra) {
            String name = switch (dir.getFileName().toString()) {
                case "backups" -> "0".repeat(64);
                case "running" -> "4242";
                case "logs" -> "file.motd.log";
                case "history" -> "20000101-000000.journal";
                default -> "junk";
            };
            Path f = dir.getFileName().toString().equals("memory") ? dir.resolve("junk").resolve(name) : dir.resolve(name);
            Files.createDirectories(f.getParent());
            Files.writeString(f, "{\"touch\": {\"address\": \"file[motd]\", \"path\": \"/etc/motd\"}}\n{\"tou");
            files.add(f);
        }
        return files;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isSymbolicLink(p) || !Files.isDirectory(p)) {
            Files.delete(p);
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
