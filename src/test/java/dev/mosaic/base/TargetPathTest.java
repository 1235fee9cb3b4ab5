package dev.mosaic.base;

import dev.mosaic.resource.TargetPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TargetPathTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"/, /", "//, /", "/./, /", "//x/./y, /x/y", "/x/y/, /x/y", "/x//y///, /x/y", "/a/../b, /a/../b", "x/y, /x/y"})
    void normalize_dropsRedundantSlashesAndDots_keepsDotDot(String in, String out) {
        assertThat(TargetPath.normalize(in)).isEqualTo(out);
        assertThat(TargetPaths.normalize(in)).as("the resource helper is the same rule").isEqualTo(out);
    }

    @ParameterizedTest(name = "{0} is refused")
    @ValueSource(strings = {"/a/../../etc/passwd", "/a/..", "/..", "/x/./../x", "/a/b/.."})
    void checked_aPathWithDotDot_isRefused_neverCollapsed(String path) {
        assertThatThrownBy(() -> TargetPath.checked(path)).isInstanceOf(IOException.class)
                .hasMessage("refusing '" + path + "': a target path may not hold '..' (it is never resolved, on any host)");
    }

    @ParameterizedTest(name = "''{0}'' is refused")
    @ValueSource(strings = {"", "x/y", "etc/passwd", "./x", "../x"})
    void checked_aRelativePath_isRefused(String path) {
        assertThatThrownBy(() -> TargetPath.checked(path)).hasMessage("not an absolute path: '" + path + "'");
    }

    @Test
    void checked_aPathWithNul_isRefused_andTheNulIsNotEchoed() {
        assertThatThrownBy(() -> TargetPath.checked("/etc/pa\0sswd")).hasMessageContaining("'/etc/pa?sswd'")
                .hasMessageContaining("NUL");
    }

    @Test
    void checked_namesThatOnlyLookLikeDots_areOrdinaryNames() throws IOException {
        assertThat(TargetPath.checked("/a/.../b/..c/d..")).isEqualTo("/a/.../b/..c/d..");
        assertThat(TargetPath.problem("/srv/.hidden")).isNull();
    }
}
