package dev.mosaic.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mosaic.testing.JsonSchemas;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code --json} output validates against the schema shipped for it in {@code schemas/}:
 * the golden plans, then each command run through the command line on one small target —
 * validate, graph (with and without --plan), plan, apply (every line of its event stream, a
 * saved plan's stale refusals included), explain, history, the same over an inventory with an
 * unreachable host — and the error document of each kind of failure (a playbook's diagnostics,
 * YAML syntax, a usage error, an unknown address, an unusable state directory, and every bad
 * input of {@link EveryCommandNoTraceTest}), which must also be the only thing on stdout, with a
 * non-zero exit code, its secrets scrubbed. README's example of an error document is checked
 * against the real output.
 *
 * <p>The schemas are read from the checkout's {@code schemas/} directory by networknt's
 * validator ({@link JsonSchemas}): their relative {@code $ref}s resolve between the files,
 * offline, as an editor resolves them.
 */
class JsonOutputSchemaTest {

    @TempDir
    Path tmp;

    private String playbook;
    private String root;

    @BeforeEach
    void writePlaybook() throws IOException {
        Files.writeString(tmp.resolve("site.yml"), """
                vars:
                  greeting: hello
                resources:
                  srv:
                    type: directory
                    path: /srv/app
                  conf:
                    type: file
                    path: /srv/app/app.conf
                    content: "greeting=${greeting}\\n"
                  copy:
                    type: file
                    path: /srv/app/copy.conf
                    source: /srv/app/app.conf
                  current:
                    type: link
                    path: /srv/current
                    target: /srv/app
                    requires: [conf]
                """);
        playbook = tmp.resolve("site.yml").toString();
        root = Files.createDirectories(tmp.resolve("root")).toString();
    }

    @Test
    void everyGoldenPlan_validatesAgainstThePlanSchema() throws IOException {
        // GoldenPlanTest checks that the CLI prints these byte for byte.
        try (Stream<Path> cases = Files.list(Path.of("src/test/resources/plans"))) {
            List<Path> expected = cases.map(c -> c.resolve("expected.json")).filter(Files::isRegularFile).sorted().toList();
            assertThat(expected).hasSizeGreaterThan(5);
            for (Path p : expected) {
                assertValid("plan.schema.json", Files.readString(p), p.toString());
            }
        }
    }

    @Test
    void validate_graph_plan_explain_printDocumentsOfTheirSchemas() {
        JsonNode validated = ok("validate.schema.json", Cli.inProcess("validate", "--json", playbook));
        assertThat(validated.get("resources").asInt()).isEqualTo(4);

        JsonNode graph = ok("graph.schema.json", Cli.inProcess("graph", "--json", playbook));
        assertThat(graph.get("resources")).hasSize(4);
        assertThat(graph.get("edges").findValuesAsText("kind")).contains("requires", "parent directory", "reads");

        JsonNode marked = ok("graph.schema.json", Cli.inProcess("graph", "--json", "--plan", playbook, "--root", root));
        assertThat(marked.at("/plan/summary/create").asInt()).isEqualTo(3);
        assertThat(marked.at("/plan/summary/deferred").asInt()).as("the copy reads a file not made yet").isEqualTo(1);

        Cli.Result plan = Cli.inProcess("plan", "--json", playbook, "--root", root, "--detailed-exitcode");
        assertThat(plan.exitCode()).as("%s", plan).isEqualTo(2);
        assertValid("plan.schema.json", plan.stdout(), plan.toString());

        JsonNode why = ok("explain.schema.json", Cli.inProcess("explain", "--json", "file[copy]", playbook, "--root", root));
        assertThat(why.get("up_to_date").asBoolean()).isFalse();
    }

    @Test
    void apply_everyLineOfTheStreamIsAnEvent_andTheLastOneIsTheApplyDocument() throws IOException {
        // A separate JVM: the stream as a script reading the process's stdout sees it.
        Cli.Result apply = Cli.here().run("apply", "--json", playbook, "--root", root);
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        List<String> lines = apply.stdoutLines();
        assertThat(lines).hasSizeGreaterThan(2);
        for (String line : lines) {
            assertValid("events.schema.json", line, apply.toString());
        }
        assertValid("apply.schema.json", lines.get(lines.size() - 1), apply.toString());
        assertThat(parse(lines.get(lines.size() - 1)).at("/summary/changed").asInt()).isEqualTo(4);

        JsonNode history = ok("history.schema.json", Cli.inProcess("history", "--json", "--root", root));
        assertThat(history.get("applies")).hasSize(1);
        JsonNode upToDate = ok("explain.schema.json", Cli.inProcess("explain", "--json", "file[copy]", playbook, "--root", root));
        assertThat(upToDate.get("up_to_date").asBoolean()).isTrue();
        JsonNode again = ok("apply.schema.json", lastLine(Cli.inProcess("apply", "--json", playbook, "--root", root)), "second apply");
        assertThat(again.get("outcomes")).isEmpty();

        // A saved plan, applied, then applied again: its changes are refused as stale (exit 3).
        String saved = tmp.resolve("plan.mosaic").toString();
        JsonNode printed = parse(Cli.inProcess("plan", "--json", playbook, "--root", root, "--var", "greeting=hi").stdout());
        Cli.Result out = Cli.inProcess("plan", playbook, "--root", root, "--var", "greeting=hi", "--out", saved);
        assertThat(out.exitCode()).as("%s", out).isZero();
        String file = Files.readString(Path.of(saved));
        assertValid("saved-plan.schema.json", file, saved);
        // Each saved change is the object plan --json prints, but for the unified diffs of text content.
        List<JsonNode> savedChanges = new java.util.ArrayList<>();
        parse(file).at("/plan/entries").forEach(e -> savedChanges.add(e.get("change")));
        List<JsonNode> printedChanges = new java.util.ArrayList<>();
        printed.get("changes").forEach(c -> {
            c.get("diffs").forEach(d -> ((com.fasterxml.jackson.databind.node.ObjectNode) d).remove("unified"));
            printedChanges.add(c);
        });
        assertThat(savedChanges).isNotEmpty().isEqualTo(printedChanges);
        ok("apply.schema.json", lastLine(Cli.inProcess("apply", "--json", saved, "--root", root)), "apply of a saved plan");
        Cli.Result stale = Cli.inProcess("apply", "--json", saved, "--root", root);
        assertThat(stale.exitCode()).as("%s", stale).isEqualTo(3);
        stale.stdoutLines().forEach(line -> assertValid("events.schema.json", line, stale.toString()));
        JsonNode refused = parse(stale.stdoutLines().get(stale.stdoutLines().size() - 1));
        assertValid("apply.schema.json", refused.toString(), stale.toString());
        assertThat(refused.at("/summary/stale").asInt()).isPositive();
    }

    @Test
    void anInventory_validatePlanAndApply_printDocumentsOfTheirSchemas() throws IOException {
        Path inventory = Files.writeString(tmp.resolve("inventory.yml"), """
                hosts:
                  lab1: { connection: local, root: roots/lab1, vars: { greeting: hi } }
                  lab2: { connection: local, root: roots/lab2 }
                  lab3: { connection: ssh, address: 127.0.0.1, port: 9, user: root }
                """);
        Files.createDirectories(tmp.resolve("roots/lab1"));
        Files.createDirectories(tmp.resolve("roots/lab2"));
        String i = inventory.toString();
        String states = tmp.resolve("states").toString();

        JsonNode validated = ok("validate.schema.json", Cli.inProcess("validate", "--json", playbook, "-i", i));
        assertThat(validated.get("hosts").size()).isEqualTo(3);
        // lab3 is unreachable (nothing listens on port 9): the run goes on, and exits 1.
        Cli.Result plan = Cli.inProcess("plan", "--json", playbook, "-i", i, "--state-dir", states);
        assertThat(plan.exitCode()).as("%s", plan).isEqualTo(1);
        JsonNode planned = ok("hosts.schema.json", plan.stdout(), plan.toString());
        assertThat(planned.at("/hosts/lab1/status").asText()).isEqualTo("changed");
        assertThat(planned.at("/hosts/lab3/status").asText()).isEqualTo("unreachable");
        Cli.Result apply = Cli.inProcess("apply", "--json", playbook, "-i", i, "--state-dir", states);
        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(1);
        JsonNode applied = ok("hosts.schema.json", apply.stdout(), apply.toString());
        assertThat(applied.at("/hosts/lab2/summary/changed").asInt()).isEqualTo(4);
    }

    @Test
    void aPlaybookWithMistakes_isOneErrorDocumentWithPositionsAndHints_forEveryCommand() throws IOException {
        Files.writeString(Path.of(playbook), """
                resources:
                  conf:
                    type: file
                    paht: /srv/app.conf
                    content: "x"
                  link:
                    type: link
                    path: /srv/l
                    target: /srv/app.conf
                    requires: [cnof]
                """);
        for (List<String> args : List.of(List.of("validate", playbook), List.of("plan", playbook, "--root", root),
                List.of("graph", playbook), List.of("explain", "conf", playbook, "--root", root))) {
            List<String> withJson = new java.util.ArrayList<>(args);
            withJson.add("--json");
            JsonNode doc = failed(1, Cli.inProcess(withJson.toArray(String[]::new)));
            assertThat(doc.get("errors")).as("%s", args).hasSize(2);
            JsonNode missing = doc.get("errors").get(0);
            assertThat(missing.get("file").asText()).endsWith("site.yml");
            assertThat(List.of(missing.get("line").asInt(), missing.get("column").asInt())).containsExactly(2, 3);
            assertThat(missing.get("message").asText()).contains("missing required field 'path'");
            JsonNode typo = doc.get("errors").get(1);
            assertThat(List.of(typo.get("line").asInt(), typo.get("column").asInt())).containsExactly(4, 5);
            assertThat(typo.get("message").asText()).contains("unknown field 'paht'").doesNotContain("did you mean");
            assertThat(typo.get("hint").asText()).isEqualTo("did you mean 'path'?");
        }
        // The stream of apply --json is that one document, too.
        Cli.Result apply = Cli.inProcess("apply", "--json", playbook, "--root", root);
        failed(1, apply);
        assertValid("events.schema.json", apply.stdout(), apply.toString());
    }

    @Test
    void aYamlSyntaxError_givesItsHintApart() throws IOException {
        Files.writeString(Path.of(playbook), "resources:\n  conf:\n    type: file\n    content: a: b\n");
        JsonNode doc = failed(1, Cli.inProcess("validate", "--json", playbook));
        JsonNode e = doc.get("errors").get(0);
        assertThat(e.get("line").asInt()).isEqualTo(4);
        assertThat(e.get("hint").asText()).contains("must be quoted");
        assertThat(e.get("message").asText()).doesNotContain("hint:");
    }

    @Test
    void usageErrors_areErrorDocumentsWithExitCode64() {
        // A separate JVM: the real launcher's streams and exit code.
        JsonNode unknown = failed(64, Cli.here().run("plan", "--json", "--bogus", playbook));
        assertThat(unknown.at("/errors/0/message").asText()).contains("--bogus");
        assertThat(unknown.at("/errors/0/file").isNull()).isTrue();
        assertThat(unknown.at("/errors/0/hint").asText()).contains("mosaic plan --help");

        JsonNode mistyped = failed(64, Cli.inProcess("aply", "--json", playbook));
        assertThat(mistyped.at("/errors/0/hint").asText()).startsWith("did you mean 'apply'?");

        JsonNode twoFormats = failed(64, Cli.inProcess("graph", "--json", "--format", "dot", playbook));
        assertThat(twoFormats.at("/errors/0/message").asText()).contains("--json and --format dot");
    }

    @Test
    void runtimeFailures_areErrorDocumentsWithoutPosition() throws IOException {
        JsonNode unknown = failed(1, Cli.inProcess("explain", "--json", "file[cnof]", playbook, "--root", root));
        assertThat(unknown.at("/errors/0/hint").asText()).isEqualTo("did you mean 'file[conf]'?");

        // The state directory is a link: refused before anything is read or written.
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createDirectories(Path.of(root, "var/lib"));
        Files.createSymbolicLink(Path.of(root, "var/lib/mosaic"), elsewhere);
        for (String command : List.of("plan", "apply")) {
            Cli.Result r = Cli.inProcess(command, "--json", playbook, "--root", root);
            JsonNode doc = failed(1, r);
            assertThat(doc.at("/errors/0/message").asText()).as("%s", r).contains("var/lib/mosaic");
            assertThat(doc.at("/errors/0/line").isNull()).isTrue();
        }
        JsonNode history = failed(1, Cli.inProcess("history", "--json", "--root", root));
        assertThat(history.at("/errors/0/message").asText()).contains("var/lib/mosaic");
        assertThat(elsewhere).isEmptyDirectory();
    }

    @Test
    void aSensitiveValueInAnErrorMessage_isScrubbedFromTheErrorDocument() throws IOException {
        String secret = "a\"b\\c-secret-4f9a7c1e";
        Files.writeString(Path.of(playbook), """
                vars:
                  token: ""
                sensitive: [token]
                resources:
                  motd:
                    type: file
                    path: /etc/motd
                    content: "x"
                    mode: "${token}"
                """);

        Cli.Result r = Cli.inProcess("validate", "--json", playbook, "--var", "token=" + secret);

        JsonNode doc = failed(1, r);
        assertThat(doc.at("/errors/0/message").asText()).contains("(sensitive)");
        assertThat(r.stdout() + r.stderr()).doesNotContain("secret-4f9a7c1e");
    }

    @Test
    void readmesErrorDocumentExample_isWhatValidatePrints() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int at = readme.indexOf("exits non-zero as it would without `--json`");
        assertThat(at).as("README's paragraph on JSON errors").isPositive();
        String section = readme.substring(at);
        String yaml = block(section, "```yaml\n");
        String json = block(section, "```json\n");
        Path dir = Files.createDirectories(tmp.resolve("readme"));
        Files.writeString(dir.resolve("site.yml"), yaml);

        Cli.Result r = Cli.in(dir).run("validate", "site.yml", "--json");

        failed(1, r);
        assertThat(r.stdout()).isEqualTo(json);
    }

    /** The text of the first fenced block opened by {@code fence} in {@code text}. */
    private static String block(String text, String fence) {
        int start = text.indexOf(fence) + fence.length();
        return text.substring(start, text.indexOf("```", start));
    }

    /** The commands of {@link EveryCommandNoTraceTest} that offer --json, with the schema of their answer. */
    private static final Map<String, String> SCHEMA_OF = Map.of("validate", "validate.schema.json", "plan", "plan.schema.json",
            "apply", "events.schema.json", "graph", "graph.schema.json", "graph --plan", "graph.schema.json",
            "explain", "explain.schema.json", "history", "history.schema.json");

    static Stream<Arguments> everyJsonCommandWithEveryBadInput() {
        return EveryCommandNoTraceTest.everyCommandWithEveryBadInput()
                .filter(a -> SCHEMA_OF.containsKey(a.get()[0].toString()));
    }

    @ParameterizedTest(name = "{0} --json with {1}")
    @MethodSource("everyJsonCommandWithEveryBadInput")
    void everyBadInput_givesADocumentOfTheCommandsSchemaOrOneErrorDocument(EveryCommandNoTraceTest.Command c,
                                                                             EveryCommandNoTraceTest.Bad bad) throws IOException {
        EveryCommandNoTraceTest.Paths p = new EveryCommandNoTraceTest.Paths(tmp.resolve("pb/site.yml"),
                tmp.resolve("pb/modules/loop"), tmp.resolve("bad-root"), tmp.resolve("state"));
        Files.createDirectories(p.module());
        Files.writeString(p.playbook(), "resources:\n  motd: { type: file, path: /etc/motd, content: \"new\\n\" }\n");
        Files.writeString(p.module().resolve("module.yml"), "name: loop\nparams: {}\nresources: {}\n");
        Files.createDirectories(p.root().resolve("etc"));
        Files.writeString(p.root().resolve("etc/motd"), "old\n");
        Files.createDirectories(p.state());
        bad.make().accept(p);
        List<String> args = new java.util.ArrayList<>(List.of(c.args().apply(p)));
        args.add("--json");

        Cli.Result r = Cli.inProcess(args.toArray(String[]::new));

        boolean mustFail = (bad.badPlaybook() && c.readsPlaybook()) || (bad.badTarget() && c.readsTarget());
        if (mustFail || parse(r.stdout()).has("errors")) {
            assertThat(r.exitCode()).as("%s", r).isNotZero();
            failed(r.exitCode(), r);
        } else if (c.name().equals("apply")) {
            r.stdoutLines().forEach(line -> assertValid("events.schema.json", line, r.toString()));
        } else {
            assertValid(SCHEMA_OF.get(c.name()), r.stdout(), r.toString());
        }
    }

    /** A successful run: exit 0, stdout one document of {@code schema}. */
    private static JsonNode ok(String schema, Cli.Result r) {
        assertThat(r.exitCode()).as("%s", r).isZero();
        return ok(schema, r.stdout(), r.toString());
    }

    private static JsonNode ok(String schema, String json, String what) {
        assertValid(schema, json, what);
        return parse(json);
    }

    private static String lastLine(Cli.Result r) {
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdoutLines()).as("%s", r).isNotEmpty();
        List<String> lines = r.stdoutLines();
        return lines.get(lines.size() - 1);
    }

    /**
     * A failed run: exit {@code code}, stdout exactly one error document on one line, stderr free
     * of Java traces.
     */
    private static JsonNode failed(int code, Cli.Result r) {
        assertThat(r.exitCode()).as("%s", r).isEqualTo(code);
        assertThat(r.stdoutLines()).as("%s", r).hasSize(1);
        assertThat(r.stderr()).as("%s", r).doesNotContain("Exception").doesNotContain("\tat ");
        return ok("errors.schema.json", r.stdout(), r.toString());
    }

    private static void assertValid(String schema, String json, String what) {
        JsonSchemas.assertValid(schema, json, what);
    }

    private static JsonNode parse(String json) {
        return JsonSchemas.parse(json);
    }
}
