package dev.mosaic.playbook;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.UserError;
import dev.mosaic.yaml.YNode;
import dev.mosaic.yaml.YamlReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A tree that passed its schema is not validated again; anything else always is, and the
 * messages are the same as without a cache.
 */
class SchemaCacheTest {

    private static final String GOOD = """
            resources:
              motd:
                type: file
                path: /etc/motd
                content: hello
                mode: "0644"
            """;

    @TempDir
    Path dir;

    private Path cacheFile() {
        return dir.resolve("schema.cache");
    }

    private static YNode tree(String yaml) {
        return YamlReader.read("site.yml", yaml, new Diagnostics());
    }

    private void loadAndSave(String yaml) {
        SchemaCache cache = SchemaCache.open(cacheFile(), dev.mosaic.state.StateDir::writeAtomic);
        new PlaybookLoader(BuiltinKinds.create(), List.of(), cache).load(Path.of("site.yml"), yaml, Map.of());
        cache.save();
    }

    private static List<String> errors(PlaybookLoader loader, String yaml) {
        UserError e = catchThrowableOfType(() -> loader.load(Path.of("site.yml"), yaml, Map.of()), UserError.class);
        assertThat(e).as("rejected").isNotNull();
        return e.diagnostics().stream().map(Diagnostic::render).toList();
    }

    @Test
    void aTreeThatPassed_isKnownToPassNextTime() {
        loadAndSave(GOOD);
        SchemaCache again = SchemaCache.open(cacheFile(), dev.mosaic.state.StateDir::writeAtomic);
        assertThat(again.passed(again.key("playbook.schema.json", tree(GOOD)))).isTrue();
        assertThat(again.passed(again.key("module.schema.json", tree(GOOD)))).isFalse();
    }

    @Test
    void aChangedPlaybook_isValidatedAgain_withTheSameMessages() {
        loadAndSave(GOOD);
        String bad = GOOD.replace("content:", "contnet:");
        List<String> withCache = errors(new PlaybookLoader(BuiltinKinds.create(), List.of(),
                SchemaCache.open(cacheFile(), dev.mosaic.state.StateDir::writeAtomic)), bad);
        assertThat(withCache).isEqualTo(errors(new PlaybookLoader(BuiltinKinds.create()), bad));
        assertThat(withCache).anyMatch(m -> m.startsWith("site.yml:5:5: error: resource 'motd': unknown field 'contnet'")
                && m.contains("did you mean 'content'"));
    }

    @Test
    void aTreeThatFailed_isNeverRemembered() {
        String bad = GOOD.replace("\"0644\"", "\"rw-r--r--\"");
        SchemaCache cache = SchemaCache.open(cacheFile(), dev.mosaic.state.StateDir::writeAtomic);
        Diagnostics diags = new Diagnostics();
        new SchemaValidator(cache).validate(tree(bad), "playbook.schema.json", diags);
        assertThat(diags.hasErrors()).isTrue();
        assertThat(cache.passed(cache.key("playbook.schema.json", tree(bad)))).isFalse();
        cache.save();
        assertThat(cacheFile()).doesNotExist();
    }

    @Test
    void aDamagedFile_isNotTrusted() throws Exception {
        loadAndSave(GOOD);
        List<String> lines = Files.readAllLines(cacheFile());
        String key = lines.get(1);
        // One digit of a key changed: the checksum no longer matches, nothing is trusted.
        char flipped = key.charAt(0) == '0' ? '1' : '0';
        lines.set(1, flipped + key.substring(1));
        Files.write(cacheFile(), lines);
        SchemaCache damaged = SchemaCache.open(cacheFile(), dev.mosaic.state.StateDir::writeAtomic);
        assertThat(damaged.passed(key)).isFalse();
        // Cut in the middle of a line, as a full disk might leave it.
        byte[] whole = Files.readAllBytes(cacheFile());
        Files.write(cacheFile(), java.util.Arrays.copyOf(whole, whole.length / 2));
        assertThat(SchemaCache.open(cacheFile(), dev.mosaic.state.StateDir::writeAtomic).passed(key)).isFalse();
        // Garbage.
        Files.writeString(cacheFile(), "\u0000\u00ff", StandardCharsets.ISO_8859_1);
        assertThat(SchemaCache.open(cacheFile(), dev.mosaic.state.StateDir::writeAtomic).passed(key)).isFalse();
    }

    @Test
    void onlyTheMostRecentKeys_areKept() {
        SchemaCache cache = SchemaCache.open(cacheFile(), dev.mosaic.state.StateDir::writeAtomic);
        for (int i = 0; i <= SchemaCache.KEEP; i++) {
            cache.remember(String.format("%064x", i));
        }
        cache.save();
        SchemaCache again = SchemaCache.open(cacheFile(), dev.mosaic.state.StateDir::writeAtomic);
        assertThat(again.passed(String.format("%064x", 0))).isFalse();
        assertThat(again.passed(String.format("%064x", SchemaCache.KEEP))).isTrue();
    }
}
