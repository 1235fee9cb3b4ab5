package dev.mosaic.diag;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DiagnosticTest {

    @Test
    void render_quotedValueWithTerminalEscapes_isInert_newlinesKept() {
        Diagnostic d = Diagnostic.error(new SourcePos("x.yml", 3, 5),
                "field 'force': expected boolean, got string 'a\nb\u001b[31m\u202eevil\t'");
        assertThat(d.render()).isEqualTo(
                "x.yml:3:5: error: field 'force': expected boolean, got string 'a\nb\\u001b[31m\\u202eevil\\t'");
    }

    @Test
    void render_plainUnicode_isKeptAsItIs() {
        assertThat(Diagnostic.error(new SourcePos("x.yml", 1, 1), "unknown field '\u00e9t\u00e9 \u4e2d'").render())
                .isEqualTo("x.yml:1:1: error: unknown field '\u00e9t\u00e9 \u4e2d'");
    }
}
