package dev.mosaic.resource.line;

import dev.mosaic.diag.UserError;
import dev.mosaic.playbook.PlaybookLoader;
import dev.mosaic.resource.Kinds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How a {@code line} resource edits a file's text, and what its parse refuses. */
class LineTypeTest {

    @TempDir
    Path tmp;

    private static LineSpec present(String line, String match) {
        return new LineSpec("/etc/x", line, Optional.ofNullable(match), true);
    }

    @Test
    void aLineTheFileHas_changesNothing_evenWhenAnotherLineMatches() {
        String text = "A=1\nA=2\n";
        assertThat(LineType.edited(present("A=2", "^A="), text)).isSameAs(text);
    }

    @Test
    void theFirstLineTheRegexFinds_isReplaced_andTheOthersKept() {
        assertThat(LineType.edited(present("A=3", "^A="), "# a\nA=1\nB=0\nA=2\n")).isEqualTo("# a\nA=3\nB=0\nA=2\n");
    }

    @Test
    void aLineNothingMatches_isAppended_afterANewlineTheFileLacked() {
        assertThat(LineType.edited(present("B=1", "^B="), "A=1")).isEqualTo("A=1\nB=1\n");
        assertThat(LineType.edited(present("B=1", null), "")).isEqualTo("B=1\n");
    }

    @Test
    void aReplacementInAFileWithoutAFinalNewline_addsNone() {
        assertThat(LineType.edited(present("A=2", "^A="), "# x\nA=1")).isEqualTo("# x\nA=2");
    }

    @Test
    void absent_removesEveryEqualOrMatchingLine_andLeavesAFileWithoutThemAsItWas() {
        LineSpec noSwap = new LineSpec("/etc/fstab", null, Optional.of("\\sswap\\s"), false);
        assertThat(LineType.edited(noSwap, "/ ext4\na none swap sw\nb none swap sw\n")).isEqualTo("/ ext4\n");
        String clean = "/ ext4\n";
        assertThat(LineType.edited(noSwap, clean)).isSameAs(clean);
        LineSpec noLoop = new LineSpec("/etc/modules", "loop", Optional.empty(), false);
        assertThat(LineType.edited(noLoop, "loop\n")).isEmpty();
    }

    @Test
    void aFileWithCrlfEnds_keepsThem_andALineAddedOrReplacedGetsThemToo() {
        assertThat(LineType.edited(present("A=2", "^A="), "# x\r\nA=1\r\n")).isEqualTo("# x\r\nA=2\r\n");
        assertThat(LineType.edited(present("B=1", null), "A=1\r\n")).isEqualTo("A=1\r\nB=1\r\n");
        String has = "A=1\r\nB=1\r\n";
        assertThat(LineType.edited(present("B=1", null), has)).as("the line is there, CRLF or not").isSameAs(has);
        LineSpec noA = new LineSpec("/etc/x", "A=1", Optional.empty(), false);
        assertThat(LineType.edited(noA, "A=1\r\nB=1\nC\r\n")).as("mixed ends kept as they were").isEqualTo("B=1\nC\r\n");
    }

    @Test
    void aLineAppendedToAFileLackingItsLastEnd_endsThatLineFirst() {
        assertThat(LineType.edited(present("B=1", null), "A=1\r\nC")).isEqualTo("A=1\r\nC\r\nB=1\r\n");
    }

    @Test
    void aBadRegex_isReportedAtTheMatchField() {
        assertThatThrownBy(() -> load("""
                resources:
                  opts:
                    type: line
                    path: /etc/default/slurmd
                    line: SLURMD_OPTIONS=x
                    match: ^SLURMD_(OPTIONS=
                """)).isInstanceOf(UserError.class)
                .hasMessageContaining("lab.yml:6:12")
                .hasMessageContaining("field 'match': not a regular expression");
    }

    @Test
    void aRegexThatDoesNotFindTheLineItself_isRefused_sinceTheNextRunWouldWriteItAgain() {
        assertThatThrownBy(() -> load("""
                resources:
                  opts:
                    type: line
                    path: /etc/default/slurmd
                    line: SLURMD_OPTIONS=x
                    match: ^OPTIONS=
                """)).isInstanceOf(UserError.class)
                .hasMessageContaining("lab.yml:6:12")
                .hasMessageContaining("must match the line itself");
    }

    @Test
    void aPresentLineWithoutLine_andAPathWithDotDot_areRefused() {
        assertThatThrownBy(() -> load("""
                resources:
                  opts: { type: line, path: /etc/default/slurmd, match: ^A= }
                """)).hasMessageContaining("a present line needs 'line'");
        assertThatThrownBy(() -> load("""
                resources:
                  opts: { type: line, path: /etc/../../outside, line: x }
                """)).hasMessageContaining("must not contain '..'");
    }

    @Test
    void aLineHoldingANewline_isRefused() {
        assertThatThrownBy(() -> load("""
                resources:
                  opts: { type: line, path: /etc/modules, line: "a\\nb" }
                """)).hasMessageContaining("must be one line");
    }

    private void load(String yaml) {
        new PlaybookLoader(Kinds.installed()).load(tmp.resolve("lab.yml"), yaml, Map.of());
    }
}
