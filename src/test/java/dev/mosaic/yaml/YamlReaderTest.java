package dev.mosaic.yaml;

import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.Diagnostics;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Hostile YAML the fuzz test found: each is a positioned diagnostic, never a crash or a hang. */
class YamlReaderTest {

    private static List<String> errors(String yaml) {
        Diagnostics diags = new Diagnostics();
        YamlReader.read("x.yml", yaml, diags);
        return diags.sorted().stream().map(Diagnostic::render).toList();
    }

    @Test
    void recursiveAlias_isAnError_notAStackOverflow() {
        assertThat(errors("""
                a: &r
                  b: *r
                resources: {}
                """)).containsExactly(
                "x.yml:1:4: error: the value anchored here contains an alias of itself; a recursive structure has no end");
    }

    @Test
    void billionLaughs_stopsAtTheValueLimit_quickly() {
        StringBuilder b = new StringBuilder("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i <= 9; i++) {
            b.append("l").append(i).append(": &l").append(i).append(" [");
            for (int j = 0; j < 5; j++) {
                b.append(j == 0 ? "" : ", ").append("*l").append(i - 1);
            }
            b.append("]\n");
        }
        List<String> errors = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> errors(b.toString()));
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).matches("x\\.yml:[0-9]+:[0-9]+: error: the document has more than 200000 values"
                + " once its aliases are expanded; .*");
    }

    @Test
    void aliasesWithinTheLimit_areExpanded() {
        Diagnostics diags = new Diagnostics();
        YNode root = YamlReader.read("x.yml", "a: &a [1, 2]\nb: *a\n", diags);
        assertThat(diags.hasErrors()).isFalse();
        assertThat(((YNode.Map) root).get("b")).isInstanceOf(YNode.Seq.class);
    }

    @Test
    void invalidUtf8_isReportedAtTheBadByte() {
        byte[] bytes = "name: a\nvars:\n  x: caf\u00e9 \u00ff".getBytes(StandardCharsets.ISO_8859_1);
        Diagnostics diags = new Diagnostics();
        assertThat(YamlReader.text("x.yml", bytes, diags)).isNull();
        assertThat(diags.sorted()).extracting(Diagnostic::render).containsExactly(
                "x.yml:3:9: error: the file is not UTF-8 text: byte 0xe9 cannot be read here (save it as UTF-8)");
    }

    @Test
    void validUtf8_isDecoded() {
        Diagnostics diags = new Diagnostics();
        assertThat(YamlReader.text("x.yml", "x: \u00e9t\u00e9 \ud83d\ude00".getBytes(StandardCharsets.UTF_8), diags))
                .isEqualTo("x: \u00e9t\u00e9 \ud83d\ude00");
        assertThat(diags.hasErrors()).isFalse();
    }
}
