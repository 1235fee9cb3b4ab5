package dev.mosaic.playbook;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.UserError;
import dev.mosaic.yaml.YNode;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A playbook parsed once and loaded with several hosts' variables, as an inventory's hosts are:
 * each load gives what a load of the file gives, and the trees validated in this process
 * ({@link SchemaCache#inMemory}) are validated once when they are the same, each time when not.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ParsedOnceTest {

    private static final String PLAYBOOK = """
            name: labs
            vars:
              mode: "0644"
              n: 0
            resources:
              motd:
                type: file
                path: /etc/motd
                mode: ${mode}
                content: "lab ${n}\\n"
            """;

    @TempDir
    Path tmp;

    private static Map<String, YNode> vars(String mode, String n) {
        return Map.of("mode", new YNode.Scalar(mode, YNode.Scalar.Kind.STRING, false, dev.mosaic.diag.SourcePos.NONE),
                "n", new YNode.Scalar(n, YNode.Scalar.Kind.INTEGER, true, dev.mosaic.diag.SourcePos.NONE));
    }

    private PlaybookLoader loader(SchemaCache validated) {
        return new PlaybookLoader(BuiltinKinds.create(), List.of(), validated);
    }

    @Test
    void a_parsed_playbook_loads_as_the_file_does_for_each_hosts_variables() throws IOException {
        Path file = Files.writeString(tmp.resolve("site.yml"), PLAYBOOK);
        PlaybookLoader.Parsed parsed = PlaybookLoader.parse(file);
        SchemaCache validated = SchemaCache.inMemory();
        for (String n : List.of("1", "2", "1")) {
            Playbook once = loader(validated).load(parsed, Map.of(), vars("0600", n));
            Playbook each = new PlaybookLoader(BuiltinKinds.create()).load(file, Map.of(), vars("0600", n));
            assertThat(once.resources()).extracting(ResourceDecl::address, ResourceDecl::configDigest, ResourceDecl::pos)
                    .isEqualTo(each.resources().stream().map(r -> org.assertj.core.groups.Tuple.tuple(r.address(),
                            r.configDigest(), r.pos())).toList());
            assertThat(once.vars()).isEqualTo(each.vars()).containsEntry("n", n);
            assertThat(once.digest()).isEqualTo(each.digest());
        }
    }

    @Test
    void hosts_with_the_same_resolved_tree_are_validated_once_and_different_ones_each() throws IOException {
        PlaybookLoader.Parsed parsed = PlaybookLoader.parse(Files.writeString(tmp.resolve("site.yml"), PLAYBOOK));
        SchemaCache validated = SchemaCache.inMemory();
        loader(validated).load(parsed, Map.of(), vars("0644", "1"));
        int first = validated.size();
        assertThat(first).isPositive();
        loader(validated).load(parsed, Map.of(), vars("0644", "1"));
        assertThat(validated.size()).as("the same tree again").isEqualTo(first);
        loader(validated).load(parsed, Map.of(), vars("0644", "2"));
        assertThat(validated.size()).as("a tree that differs in one value").isEqualTo(first + 1);
        loader(validated).load(parsed, Map.of(), vars("0600", "1"));
        assertThat(validated.size()).isEqualTo(first + 2);
    }

    @Test
    void a_host_whose_variable_makes_its_tree_invalid_is_refused_each_time_even_after_valid_ones() throws IOException {
        PlaybookLoader.Parsed parsed = PlaybookLoader.parse(Files.writeString(tmp.resolve("site.yml"), PLAYBOOK));
        SchemaCache validated = SchemaCache.inMemory();
        loader(validated).load(parsed, Map.of(), vars("0644", "1"));
        int passed = validated.size();
        for (int i = 0; i < 2; i++) {
            UserError e = catchThrowableOfType(() -> loader(validated).load(parsed, Map.of(), vars("rwx", "1")), UserError.class);
            assertThat(e).as("load %d of the invalid tree", i + 1).isNotNull();
            assertThat(e.diagnostics()).extracting(Diagnostic::message).anyMatch(m -> m.contains("mode"));
        }
        assertThat(validated.size()).as("a tree that failed is not remembered").isEqualTo(passed);
    }

    @Test
    void the_parsers_problems_are_reported_by_every_load() throws IOException {
        PlaybookLoader.Parsed parsed = PlaybookLoader.parse(Files.writeString(tmp.resolve("site.yml"), "resources: [\n"));
        for (int i = 0; i < 2; i++) {
            UserError e = catchThrowableOfType(() -> loader(SchemaCache.inMemory()).load(parsed, Map.of(), Map.of()),
                    UserError.class);
            assertThat(e).isNotNull();
            assertThat(e.diagnostics()).isNotEmpty().allMatch(Diagnostic::isError);
        }
    }
}
