package dev.mosaic.playbook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The schemas of {@code schemas/} as an editor uses them: a second JSON Schema implementation
 * (Debian's python3-jsonschema, with PyYAML reading the files as any YAML tool does), given only
 * the schemas directory and no network, accepts every shipped playbook, module and example
 * inventory as written — {@code ${…}} included — and still rejects a value no interpolation
 * explains. Mosaic itself checks the values after interpolation, without the editor's {@code ${…}}
 * choices.
 */
class EditorSchemaTest {

    private static final Path SCHEMAS = Path.of("schemas");
    private static final Path SCRIPT = Path.of("src/test/resources/editor-schemas/validate.py");
    /** A YAML block of the docs that names its schema the way yaml-language-server reads it. */
    private static final Pattern MODELINE_BLOCK = Pattern.compile(
            "```yaml\\n(# yaml-language-server: \\$schema=\\.\\./schemas/([\\w.-]+\\.schema\\.json)\\n.*?)```", Pattern.DOTALL);

    @TempDir
    Path tmp;

    private record Run(int exit, String output) {
    }

    /** Runs the validator over {@code schemas} and SCHEMA=FILE pairs. */
    private static Run validate(Path schemas, List<String> pairs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("python3", SCRIPT.toString(), schemas.toString()));
        command.addAll(pairs);
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("python3 is needed (bin/test installs python3-jsonschema and python3-yaml)", e);
        }
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("validator finished").isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(text).as("python3-jsonschema and python3-yaml are installed (bin/test installs them)")
                .doesNotContain("ModuleNotFoundError");
        return new Run(p.exitValue(), text);
    }

    private static List<Path> list(String glob) throws IOException {
        try (Stream<Path> s = Files.walk(Path.of("."), 3)) {
            var matcher = Path.of(".").getFileSystem().getPathMatcher("glob:" + glob);
            return s.map(p -> Path.of(".").relativize(p)).filter(matcher::matches).sorted().toList();
        }
    }

    @Test
    void everyShippedPlaybookModuleAndExampleInventory_passesTheSchemas_offline_inASecondValidator() throws Exception {
        List<String> pairs = new ArrayList<>();
        List<Path> playbooks = list("playbooks/*.yml");
        List<Path> modules = list("modules/*/module.yml");
        assertThat(playbooks).hasSizeGreaterThanOrEqualTo(4);
        assertThat(modules).hasSizeGreaterThanOrEqualTo(4);
        playbooks.forEach(p -> pairs.add("playbook.schema.json=" + p));
        for (Path m : modules) {
            pairs.add("module.schema.json=" + m);
            // A module's resources are a playbook's, written with ${param}: the kinds' schemas take them too.
            pairs.add("playbook.schema.json#/$defs/resource=" + m + "@resources");
        }
        // The README's examples that name their schema (the inventory), as an editor would check them.
        Matcher block = MODELINE_BLOCK.matcher(Files.readString(Path.of("README.md")));
        int examples = 0;
        while (block.find()) {
            String yaml = block.group(1);
            if (yaml.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
                continue; // only the modeline, showing how to name the schema
            }
            Path example = Files.writeString(tmp.resolve("readme-" + examples++ + ".yml"), yaml);
            pairs.add(block.group(2) + "=" + example);
        }
        assertThat(pairs).anyMatch(p -> p.startsWith("inventory.schema.json="));

        Run run = validate(SCHEMAS, pairs);

        long files;
        try (Stream<Path> s = Files.walk(SCHEMAS)) {
            files = s.filter(f -> f.toString().endsWith(".schema.json")).count();
        }
        assertThat(run.output()).as(run.output()).startsWith("schemas: " + files + " files, ")
                .doesNotContain("error ", "unresolved", "invalid schema");
        assertThat(run.output().lines().filter(l -> l.startsWith("ok "))).hasSize(pairs.size());
        assertThat(run.exit()).as(run.output()).isZero();
    }

    @Test
    void aValueNoInterpolationExplains_isStillRejectedByTheSecondValidator() throws Exception {
        Path playbook = Files.writeString(tmp.resolve("site.yml"), """
                vars:
                  tftp_root: /srv/tftp
                  nodes: [{ name: n1, mac: "52:54:00:00:00:01" }]
                resources:
                  menu:
                    type: file
                    path: relative/path
                    mode: "999999"
                  kernel:
                    type: build
                    dir: ${tftp_root}/src
                    jobs: many
                    share: "${share}"
                  boot:
                    type: pxe
                    root: ${tftp_root}
                    labels: [{ name: linux, kernel: vmlinuz }]
                    nodes: nodes-${nodes}
                  tools:
                    type: package
                    name: make
                    state: gone
                """);

        Run run = validate(SCHEMAS, List.of("playbook.schema.json=" + playbook));

        assertThat(run.exit()).as(run.output()).isEqualTo(2);
        List<String> errors = run.output().lines().filter(l -> l.startsWith("error ")).toList();
        // Each bad literal, and only those: the ${…} values beside them pass. (A mode written as a YAML
        // integer is left to the kind, here as in Mosaic: JSON Schema cannot see its digits.)
        assertThat(errors).extracting(l -> l.split(": ")[1]).containsExactlyInAnyOrder(
                "resources.menu.path", "resources.menu.mode", "resources.kernel.jobs", "resources.boot.nodes",
                "resources.tools.state");
        assertThat(errors).anyMatch(l -> l.contains("'relative/path'")).anyMatch(l -> l.contains("999999"));
    }

    @Test
    void aSchemaResolvedAgainstAWebAddress_isReportedUnresolved() throws Exception {
        // What the schemas were: an absolute $id sent every relative $ref to a site no offline validator reaches.
        Path copy = tmp.resolve("schemas");
        try (Stream<Path> s = Files.walk(SCHEMAS)) {
            for (Path f : s.toList()) {
                Path to = copy.resolve(SCHEMAS.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        Path playbookSchema = copy.resolve("playbook.schema.json");
        Files.writeString(playbookSchema, Files.readString(playbookSchema).replaceFirst("\\{",
                "{\n  \"\\$id\": \"https://mosaic.dev/schemas/playbook.schema.json\","));

        Run run = validate(copy, List.of());

        assertThat(run.exit()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("unresolved $ref 'resources/archive.schema.json'",
                "unresolved $ref 'module.schema.json#/$defs/calls'");
    }

    private static List<String> loadErrors(String yaml) {
        UserError e = catchThrowableOfType(
                () -> new PlaybookLoader(BuiltinKinds.create()).load(Path.of("site.yml"), yaml, Map.of()), UserError.class);
        assertThat(e).as("rejected").isNotNull();
        return e.diagnostics().stream().map(Diagnostic::render).toList();
    }

    @Test
    void mosaic_checksTheValueAfterInterpolation_soALiteralReferenceIsNoPathNorNumber() {
        // $${ is a literal ${: what an editor takes for an interpolation is, after it, plain text.
        assertThat(loadErrors("""
                vars:
                  tftp_root: /srv/tftp
                resources:
                  menu:
                    type: file
                    path: $${tftp_root}/menu
                    content: hi
                  kernel:
                    type: build
                    dir: ${tftp_root}
                    jobs: "$${jobs}"
                """)).containsExactlyInAnyOrder(
                "site.yml:6:11: error: resource 'menu', field 'path': must be an absolute path, got '${tftp_root}/menu'",
                "site.yml:11:11: error: resource 'kernel', field 'jobs': expected integer, got string '${jobs}'");
    }

    @Test
    void everySchemaFile_readsWithoutItsEditorChoices_asPlainTypes() throws IOException {
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> s = Files.walk(SCHEMAS)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".schema.json")).toList()) {
                JsonNode strict = SchemaValidator.afterInterpolation(json.readTree(f.toFile()));
                // Only the two definitions themselves are left, used by nothing.
                assertThat(strict.toString()).as(f.toString())
                        .doesNotContain("$defs/interpolation\"", "$defs/reference\"");
            }
        }
        JsonNode mode = SchemaValidator.afterInterpolation(json.readTree(SCHEMAS.resolve("common.schema.json").toFile()))
                .at("/$defs/mode");
        assertThat(mode.toString()).isEqualTo("{\"description\":\"Permission bits in octal, e.g. \\\"0644\\\"."
                + " Always read as octal, quoted or not.\",\"type\":[\"string\",\"integer\"],\"pattern\":\"^0?[0-7]{3,4}$\"}");
    }

    @Test
    void aSchemaWhoseEditorChoiceWouldHideAKeyword_isRefusedWhenRead() throws IOException {
        JsonNode clash = new ObjectMapper().readTree("""
                {"type": "string", "anyOf": [{"$ref": "../common.schema.json#/$defs/interpolation"}, {"type": "integer"}]}
                """);
        assertThatThrownBy(() -> SchemaValidator.afterInterpolation(clash)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'type' both beside and inside an anyOf");
    }
}
