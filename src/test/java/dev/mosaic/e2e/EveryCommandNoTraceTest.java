package dev.mosaic.e2e;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Every command, given each bad input — a playbook that is missing, a directory, malformed or
 * impossible, a module calling itself, a root or state directory that is a file, a damaged state
 * directory — answers with a message and never with a Java stack trace: no {@code at dev.mosaic}
 * frame, no exception's name, no {@code Caused by}. Where the bad input is what the command was
 * asked to read, it also exits non-zero.
 */
class EveryCommandNoTraceTest {

    private static final Pattern TRACE = Pattern.compile("^\\s+at [\\w$.]+\\(|Exception|Error:|^Caused by: ",
            Pattern.MULTILINE);

    @TempDir
    Path tmp;

    /** The paths a command is given: playbook, module directory, root, state directory. */
    record Paths(Path playbook, Path module, Path root, Path state) {
    }

    /**
     * A bad input: how to make it, and whether a command reading a playbook ({@code badPlaybook})
     * or a target ({@code badTarget}) must fail on it.
     */
    record Bad(String name, boolean badPlaybook, boolean badTarget, Consumer<Paths> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static void write(Path p, String text) {
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(p, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void mkdirs(Path p) {
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Bad> bads() {
        return List.of(
                new Bad("a missing playbook", true, false, p -> delete(p.playbook())),
                new Bad("a playbook that is a directory", true, false, p -> {
                    delete(p.playbook());
                    mkdirs(p.playbook());
                }),
                new Bad("a malformed playbook", true, false, p -> write(p.playbook(), "resources:\n  r: [\n")),
                new Bad("a NUL in a path", true, false, p -> write(p.playbook(),
                        "resources:\n  r: { type: file, path: \"/srv/\\0x\", content: x }\n")),
                new Bad("an owner past 2^32 - 2", true, false, p -> write(p.playbook(),
                        "resources:\n  r: { type: file, path: /srv/x, content: x, owner: \"99999999999999\" }\n")),
                new Bad("a module calling itself", true, false, p -> {
                    write(p.module().resolve("module.yml"), "name: loop\nmodules:\n  again: { source: loop }\n"
                            + "resources: {}\n");
                    write(p.playbook(), "modules:\n  l: { source: loop }\nresources: {}\n");
                }),
                new Bad("a root that is a file", false, true, p -> {
                    try {
                        Files.delete(p.root().resolve("etc/motd"));
                        Files.delete(p.root().resolve("etc"));
                        Files.delete(p.root());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    write(p.root(), "not a directory\n");
                }),
                new Bad("a state directory that is a file", false, true, p -> {
                    delete(p.state());
                    write(p.state(), "not a directory\n");
                }),
                new Bad("a state.json that is a directory", false, false, p -> mkdirs(p.state().resolve("state.json"))),
                new Bad("a state.json of garbage", false, false, p -> write(p.state().resolve("state.json"),
                        "{\"entries\": [1, 2, \u00ff")),
                new Bad("a history that is a file", false, false, p -> write(p.state().resolve("history"), "x")),
                new Bad("a logs directory that is a file", false, false, p -> write(p.state().resolve("logs"), "x")));
    }

    /** Each command with the paths it takes; {@code readsPlaybook} and {@code readsTarget} say which. */
    record Command(String name, boolean readsPlaybook, boolean readsTarget, java.util.function.Function<Paths, String[]> args) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Command> commands() {
        return List.of(
                new Command("validate", true, false, p -> new String[] {"validate", p.playbook().toString()}),
                new Command("plan", true, true, p -> new String[] {"plan", p.playbook().toString(), "--root",
                        p.root().toString(), "--state-dir", p.state().toString()}),
                new Command("apply", true, true, p -> new String[] {"apply", p.playbook().toString(), "--root",
                        p.root().toString(), "--state-dir", p.state().toString()}),
                new Command("graph", true, false, p -> new String[] {"graph", p.playbook().toString()}),
                new Command("graph --plan", true, true, p -> new String[] {"graph", p.playbook().toString(), "--plan",
                        "--root", p.root().toString(), "--state-dir", p.state().toString()}),
                new Command("explain", true, true, p -> new String[] {"explain", "file[motd]", p.playbook().toString(),
                        "--root", p.root().toString(), "--state-dir", p.state().toString()}),
                new Command("history", false, true, p -> new String[] {"history", "--root", p.root().toString(),
                        "--state-dir", p.state().toString()}),
                new Command("restore", false, true, p -> new String[] {"restore", "20240101-000000", "--root",
                        p.root().toString(), "--state-dir", p.state().toString()}),
                new Command("logs", false, true, p -> new String[] {"logs", "file[motd]", "--root", p.root().toString(),
                        "--state-dir", p.state().toString()}),
                new Command("module-schema", false, false, p -> new String[] {"module-schema", p.module().toString()}));
    }

    static Stream<Arguments> everyCommandWithEveryBadInput() {
        List<Arguments> all = new ArrayList<>();
        for (Command c : commands()) {
            for (Bad b : bads()) {
                all.add(Arguments.of(c, b));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("everyCommandWithEveryBadInput")
    void command_withBadInput_printsAMessageNeverAStackTrace(Command c, Bad bad) throws IOException {
        Paths p = new Paths(tmp.resolve("pb/site.yml"), tmp.resolve("pb/modules/loop"), tmp.resolve("root"),
                tmp.resolve("state"));
        write(p.playbook(), "resources:\n  motd: { type: file, path: /etc/motd, content: \"new\\n\" }\n");
        write(p.module().resolve("module.yml"), "name: loop\nparams: {}\nresources: {}\n");
        write(p.root().resolve("etc/motd"), "old\n");
        mkdirs(p.state());
        bad.make().accept(p);

        Cli.Result r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Cli.inProcess(c.args().apply(p)));

        assertThat(TRACE.matcher(r.stdout() + r.stderr()).find()).as("no stack trace in:%n%s", r).isFalse();
        if ((bad.badPlaybook() && c.readsPlaybook()) || (bad.badTarget() && c.readsTarget())) {
            assertThat(r.exitCode()).as("%s", r).isNotZero();
            assertThat(r.stderr()).as("%s", r).isNotBlank();
        }
    }
}
