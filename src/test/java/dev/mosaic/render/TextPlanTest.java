package dev.mosaic.render;

import dev.mosaic.resource.Address;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TextPlanTest {

    private static final Address A = Address.of("file", "motd");

    @Test
    void unified_removingTheFinalNewline_isShownAsAChange() {
        assertThat(TextPlan.unified(A, "content", "a\nb\n", "a\nb")).containsExactly(
                "--- file[motd] (current)",
                "+++ file[motd] (desired)",
                "@@ -1,2 +1,2 @@",
                " a",
                "-b",
                "+b",
                "\\ No newline at end of file");
    }

    @Test
    void unified_addingTheFinalNewline_isShownAsAChange() {
        assertThat(TextPlan.unified(A, "content", "a", "a\n")).containsExactly(
                "--- file[motd] (current)",
                "+++ file[motd] (desired)",
                "@@ -1,1 +1,1 @@",
                "-a",
                "\\ No newline at end of file",
                "+a");
    }

    @Test
    void unified_newContent_startsAtLineZero_likeDiffU() {
        assertThat(TextPlan.unified(A, "content", null, "x\ny\n")).containsExactly(
                "--- /dev/null",
                "+++ file[motd] (desired)",
                "@@ -0,0 +1,2 @@",
                "+x",
                "+y");
    }

    @Test
    void sizes_doNotDependOnTheLocale() {
        java.util.Locale saved = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.GERMANY);
            assertThat(TextPlan.size(1536)).isEqualTo("1.5 KiB");
        } finally {
            java.util.Locale.setDefault(saved);
        }
    }
}
