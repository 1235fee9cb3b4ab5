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
    void valuesWrittenOut_areNotLimited_onlyWhatAliasesAdd() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 60_000; i++) {
            b.append("r").append(i).append(": {type: file, path: /f").append(i).append(", mode: '0644'}\n");
        }
        Diagnostics diags = new Diagnostics();
        YNode root = YamlReader.read("x.yml", b.toString(), diags);
        assertThat(diags.hasErrors()).isFalse();
        assertThat(((YNode.Map) root).entries()).hasSize(60_000);
    }

    @Test
    void aliasesWithinTheLimit_areExpanded() {
        Diagnostics diags = new Diagnostics();
        YNode root = YamlReader.read("x.yml", "a: &a [1, 2]\nb: *a\n", diags);
        assertThat(diags.hasErrors()).isFalse();
        assertThat(((YNode.Map) root).get("b")).isInstanceOf(YNode.Seq.class);
    }

    @Test
    void anAlias_isItsAnchorsValue_withTheAnchorsPositionsAndTypes() {
        Diagnostics diags = new Diagnostics();
        YNode root = YamlReader.read("x.yml", "a: &a {n: 5, s: '5', t: !!str 6}\nb: *a\n", diags);
        assertThat(diags.hasErrors()).isFalse();
        YNode.Map b = (YNode.Map) ((YNode.Map) root).get("b");
        assertThat(b.pos().line()).isEqualTo(1);
        assertThat(((YNode.Scalar) b.get("n")).kind()).isEqualTo(YNode.Scalar.Kind.INTEGER);
        assertThat(((YNode.Scalar) b.get("s")).kind()).isEqualTo(YNode.Scalar.Kind.STRING);
        assertThat(((YNode.Scalar) b.get("t")).kind()).isEqualTo(YNode.Scalar.Kind.STRING);
    }

    @Test
    void anAnchorRedefinedInsideItsValue_keepsTheNewValue() {
        Diagnostics diags = new Diagnostics();
        YNode root = YamlReader.read("x.yml", "a: &x [&x 1, 2]\nb: *x\n", diags);
        assertThat(diags.hasErrors()).isFalse();
        assertThat(((YNode.Scalar) ((YNode.Map) root).get("b")).text()).isEqualTo("1");
    }

    @Test
    void keysThatAreNoText_mergeKeys_andDuplicates_areReported_andWhatTheyHoldIsNot() {
        assertThat(errors("""
                ? [k]
                : {d: 1, d: 2}
                <<: {x: 1}
                "<<": fine
                a: 1
                a: {d: 1, d: 2}
                """)).containsExactly(
                "x.yml:1:3: error: keys must be plain strings",
                "x.yml:3:1: error: merge keys ('<<') are not supported; write the fields out",
                "x.yml:6:1: error: duplicate key 'a' (first defined at x.yml:5:1)");
    }

    @Test
    void composerProblems_keepSnakeYamlsMessages() {
        assertThat(errors("a: *nowhere\n")).containsExactly("x.yml:1:4: error: malformed YAML: found undefined alias nowhere");
        assertThat(errors("a: 1\n---\nb: 2\n")).containsExactly(
                "x.yml:2:1: error: malformed YAML: but found another document (expected a single document in the stream)");
        assertThat(errors("a: !!python/object x\n")).singleElement().asString().startsWith("x.yml:1:4: error: malformed YAML: Global tag is not allowed");
        assertThat(errors("[".repeat(120) + "]".repeat(120) + "\n")).containsExactly(
                "x.yml:1:102: error: malformed YAML: Nesting Depth exceeded max 100 (lists and mappings inside each other)");
        StringBuilder aliases = new StringBuilder("a: &a [1]\nb: [");
        for (int i = 0; i < 51; i++) {
            aliases.append(i == 0 ? "" : ", ").append("*a");
        }
        assertThat(errors(aliases + "]\n")).containsExactly(
                "x.yml:2:205: error: malformed YAML: more than 50 aliases of lists or mappings (values once its aliases"
                        + " are expanded could grow without end); write the values out");
        // A syntax error says it all: problems of the tree read so far are not reported.
        assertThat(errors("a: 1\na: 2\nb: [\n")).singleElement().asString().contains("malformed YAML");
    }

    @Test
    void emptyText_hasNoRoot() {
        Diagnostics diags = new Diagnostics();
        assertThat(YamlReader.read("x.yml", "# nothing\n", diags)).isNull();
        assertThat(diags.hasErrors()).isFalse();
    }

    @Test
    void implicitTypes_areSnakeYamlsOwn() {
        org.yaml.snakeyaml.resolver.Resolver snake = new org.yaml.snakeyaml.resolver.Resolver();
        List<String> samples = new java.util.ArrayList<>(List.of("", "~", "null", "Null", "NULL", "nULL", "nulls", "y", "Y",
                "yes", "Yes", "YES", "yEs", "no", "No", "NO", "n", "true", "True", "TRUE", "tRUE", "false", "False", "off",
                "Off", "OFF", "on", "On", "ON", "oN", "file", "directory", "type", "only", "nothing", "/srv/x", "${x}",
                "_x", "\u00e9t\u00e9", "\u00fcber", "yesterday", "t", "f", "0", "0644", "12", "-1", "+3", "1.5", ".5",
                ".inf", "-.Inf", ".NaN", "0x1F", "0o17", "0b101", "1_000", "1:20", "2024-05-01", "<<", "!", "&", "*",
                "=", "a b", "no way", "true love"));
        for (String s : samples) {
            for (boolean plain : new boolean[] {true, false}) {
                org.yaml.snakeyaml.nodes.Tag tag = snake.resolve(org.yaml.snakeyaml.nodes.NodeId.scalar, s, plain);
                YNode.Scalar.Kind expected = !plain ? YNode.Scalar.Kind.STRING
                        : tag.equals(org.yaml.snakeyaml.nodes.Tag.INT) ? YNode.Scalar.Kind.INTEGER
                        : tag.equals(org.yaml.snakeyaml.nodes.Tag.FLOAT) ? YNode.Scalar.Kind.NUMBER
                        : tag.equals(org.yaml.snakeyaml.nodes.Tag.BOOL) ? YNode.Scalar.Kind.BOOLEAN
                        : tag.equals(org.yaml.snakeyaml.nodes.Tag.NULL) ? YNode.Scalar.Kind.NULL
                        : YNode.Scalar.Kind.STRING;
                assertThat(YamlReader.resolveKind(s, plain)).as("'%s' plain=%s", s, plain).isEqualTo(expected);
            }
        }
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

    // ------------------------------------------------------------------ sizes

    @Test
    void aBigScalarAliasedThousandsOfTimes_isRefusedByTheCharactersItAdds_atTheAlias() {
        StringBuilder yaml = new StringBuilder("big: &b \"").append("x".repeat(1_000_000)).append("\"\nl:\n");
        for (int i = 0; i < 3000; i++) {
            yaml.append("  - *b\n");
        }
        Diagnostics diags = new Diagnostics();

        YamlReader.read("f.yml", yaml.toString(), diags);

        assertThat(diags.sorted()).map(d -> d.render()).containsExactly("f.yml:19:5: error: the aliases of the document"
                + " add more than 16777216 characters of text (16 Mi) once expanded; write big values once, not"
                + " aliased over and over");
    }

    @Test
    void aFewAliasesOfASmallValue_areFine() {
        Diagnostics diags = new Diagnostics();

        YNode root = YamlReader.read("f.yml", "a: &a \"" + "x".repeat(1000) + "\"\nb: [*a, *a, *a]\n", diags);

        assertThat(diags.hasErrors()).isFalse();
        assertThat(((YNode.Map) root).get("b")).isInstanceOf(YNode.Seq.class);
    }

    /**
     * SnakeYAML's reader copied its unread window at every 1,024 characters of a scalar it looked
     * ahead over: 8 M characters took 24 s. Read in linear time, they take well under a second;
     * the bound leaves room for a loaded machine and fails the quadratic reader by far.
     */
    @Test
    void anEightMillionCharacterQuotedScalar_parsesInLinearTime() {
        String yaml = "x: \"" + "a".repeat(8_000_000) + "\"\n";
        Diagnostics diags = new Diagnostics();

        YNode root = assertTimeoutPreemptively(java.time.Duration.ofSeconds(8),
                () -> YamlReader.read("f.yml", yaml, diags));

        assertThat(diags.hasErrors()).isFalse();
        assertThat(((YNode.Scalar) ((YNode.Map) root).get("x")).text()).hasSize(8_000_000);
    }

    @Test
    void aTextOverTheCharacterLimit_isRefusedBeforeParsing() {
        // Unparseable from its first character on: only a refusal before parsing names the length.
        String yaml = "[" + " ".repeat(YamlReader.MAX_CHARS);
        Diagnostics diags = new Diagnostics();

        YamlReader.read("huge.yml", yaml, diags);

        assertThat(diags.sorted()).map(d -> d.render()).containsExactly("huge.yml:1:1: error: the file is too long ("
                + (YamlReader.MAX_CHARS + 1) + " characters); a YAML file of Mosaic has at most 67108864 characters (64 Mi)");
    }

    @Test
    void aFileFarOverTheLimit_isRefusedWithoutBeingRead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path file = tmp.resolve("sparse.yml");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(70L << 30); // 70 GiB of holes: reading it would take minutes and all memory
        }
        Diagnostics diags = new Diagnostics();

        String text = assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> YamlReader.readFile(file, diags));

        assertThat(text).isNull();
        assertThat(diags.sorted()).singleElement().asString().contains("the file is too long (75161927680 bytes)");
    }

    @Test
    void aControlCharacterInTheText_isReportedAtItsLineAndColumn() {
        Diagnostics diags = new Diagnostics();

        YamlReader.read("f.yml", "a: 1\nb: x\u0007y\n", diags);

        assertThat(diags.sorted()).map(d -> d.render()).containsExactly("f.yml:2:5: error: malformed YAML: the"
                + " character U+0007 cannot appear in a YAML file (write it as an escape in a double-quoted string,"
                + " e.g. \"\\x07\")");
    }

    @Test
    void aLoneSurrogateEscape_isReportedAtItsScalar_notAcceptedAsAPath() {
        Diagnostics diags = new Diagnostics();

        YamlReader.read("f.yml", "a: 1\nsource: \"x\\uD800\"\n", diags);

        assertThat(diags.sorted()).map(d -> d.render()).containsExactly("f.yml:2:9: error: malformed YAML: the escape"
                + " \\uD800 is half of a surrogate pair, not a character: write the character itself or its \\U00XXXXXX escape");
    }

    @Test
    void aSurrogatePairEscape_isOneCharacter() {
        Diagnostics diags = new Diagnostics();

        YNode node = YamlReader.read("f.yml", "a: \"\\uD83D\\uDE00\"\n", diags);

        assertThat(diags.sorted()).isEmpty();
        assertThat(node).isNotNull();
    }
}
