package dev.mosaic.base;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TargetPathTest {

    private static TargetPath tp(String p) {
        try {
            return TargetPath.of(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"/, /", "//, /", "/./, /", "//x/./y, /x/y", "/x/y/, /x/y", "/x//y///, /x/y", "/a/../b, /a/../b", "x/y, /x/y"})
    void normalize_dropsRedundantSlashesAndDots_keepsDotDot(String in, String out) {
        assertThat(TargetPath.normalize(in)).isEqualTo(out);
    }

    @ParameterizedTest(name = "{0} is the path {1}")
    @CsvSource({"/, /", "//, /", "/./, /", "/., /", "//x/./y, /x/y", "/x/y/, /x/y", "/x//y///, /x/y", "/x/., /x",
            "/x/y, /x/y", "/.x/y., /.x/y.", "/a/.../b, /a/.../b"})
    void of_normalizesTheText_onceAndForAll(String in, String out) throws IOException {
        TargetPath p = TargetPath.of(in);
        assertThat(p.text()).isEqualTo(out);
        assertThat(p.toString()).isEqualTo(out);
        assertThat(p).isEqualTo(TargetPath.of(out)).hasSameHashCodeAs(TargetPath.of(out));
        assertThat(TargetPath.of(p.text())).as("normal text stays as it is").isEqualTo(p);
    }

    @ParameterizedTest(name = "{0} is refused")
    @ValueSource(strings = {"/a/../../etc/passwd", "/a/..", "/..", "/x/./../x", "/a/b/..", "//a/../b/"})
    void of_aPathWithDotDot_isRefused_neverCollapsed(String path) {
        assertThatThrownBy(() -> TargetPath.of(path)).isInstanceOf(IOException.class)
                .hasMessage("refusing '" + path + "': a target path may not hold '..' (it is never resolved, on any host)");
        assertThat(TargetPath.problem(path)).isEqualTo("refusing '" + path + "': a target path may not hold '..' (it is never resolved, on any host)");
    }

    @ParameterizedTest(name = "''{0}'' is refused")
    @ValueSource(strings = {"", "x/y", "etc/passwd", "./x", "../x"})
    void of_aRelativePath_isRefused(String path) {
        assertThatThrownBy(() -> TargetPath.of(path)).hasMessage("not an absolute path: '" + path + "'");
    }

    @Test
    void of_aPathWithNul_isRefused_andTheNulIsNotEchoed() {
        assertThatThrownBy(() -> TargetPath.of("/etc/pa\0sswd")).hasMessageContaining("'/etc/pa?sswd'")
                .hasMessageContaining("NUL");
        assertThatThrownBy(() -> TargetPath.of("/etc//pa\0sswd/")).hasMessage("refusing '/etc//pa?sswd/': a path cannot hold a NUL character");
    }

    @Test
    void of_namesThatOnlyLookLikeDots_areOrdinaryNames() throws IOException {
        assertThat(TargetPath.of("/a/.../b/..c/d..").text()).isEqualTo("/a/.../b/..c/d..");
        assertThat(TargetPath.problem("/srv/.hidden")).isNull();
    }

    @Test
    void parent_climbsOneComponent_andTheRootHasNone() {
        assertThat(tp("/srv/tftp/pxelinux.0").parent()).isEqualTo(tp("/srv/tftp"));
        assertThat(tp("/srv").parent()).isSameAs(TargetPath.ROOT);
        assertThat(TargetPath.ROOT.parent()).isNull();
        assertThat(tp("//").isRoot()).isTrue();
        assertThat(tp("/srv/tftp/pxelinux.0").name()).isEqualTo("pxelinux.0");
        assertThat(TargetPath.ROOT.name()).isEmpty();
    }

    @Test
    void isUnder_isStrict_andGoesByComponents_notByText() {
        assertThat(tp("/srv/tftp/x").isUnder(tp("/srv/tftp"))).isTrue();
        assertThat(tp("/srv/tftp/x").isUnder(tp("/srv"))).isTrue();
        assertThat(tp("/srv/tftp").isUnder(tp("/srv/tftp"))).as("not below itself").isFalse();
        assertThat(tp("/srv/tftpboot").isUnder(tp("/srv/tftp"))).as("a longer name is no child").isFalse();
        assertThat(tp("/srv").isUnder(TargetPath.ROOT)).isTrue();
        assertThat(TargetPath.ROOT.isUnder(TargetPath.ROOT)).isFalse();
        assertThat(tp("/srv/tftp/a/b").relativeTo(tp("/srv/tftp"))).isEqualTo("a/b");
        assertThat(tp("/a").relativeTo(TargetPath.ROOT)).isEqualTo("a");
        assertThat(tp("/a").relativeTo(tp("/a"))).isEmpty();
        assertThatThrownBy(() -> tp("/ab").relativeTo(tp("/a"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resolve_makesAChild() throws IOException {
        assertThat(tp("/srv").resolve("tftp")).isEqualTo(tp("/srv/tftp"));
        assertThat(TargetPath.ROOT.resolve("etc")).isEqualTo(tp("/etc"));
        assertThat(tp("/srv").resolve("..x").text()).isEqualTo("/srv/..x");
    }

    @ParameterizedTest(name = "''{0}'' is no name")
    @ValueSource(strings = {"", ".", "..", "a/b", "/etc", "x/", "a\0b"})
    void resolve_refusesWhatIsNotOneName(String name) {
        assertThatThrownBy(() -> tp("/srv").resolve(name)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("refusing '" + name.replace('\0', '?') + "' below /srv: a name in a directory is one component");
    }

    @Test
    void join_ofARelativePath_isCheckedAsAWholePath() throws IOException {
        assertThat(tp("/srv").join("boot/grub/grub.cfg")).isEqualTo(tp("/srv/boot/grub/grub.cfg"));
        assertThat(TargetPath.ROOT.join("etc/x")).isEqualTo(tp("/etc/x"));
        assertThat(tp("/srv").join("./a//b/")).isEqualTo(tp("/srv/a/b"));
        assertThatThrownBy(() -> tp("/srv").join("../etc/passwd"))
                .hasMessage("refusing '/srv/../etc/passwd': a target path may not hold '..' (it is never resolved, on any host)");
    }

    @Test
    void equalityAndOrder_areThoseOfTheNormalizedText() {
        assertThat(tp("/a//b/")).isEqualTo(tp("/a/b")).isNotEqualTo(tp("/a")).isNotEqualTo("/a/b");
        List<String> texts = List.of("/b", "/a/b", "/a", "/a-b", "/", "/a/b/c");
        TreeSet<TargetPath> sorted = new TreeSet<>();
        texts.forEach(t -> sorted.add(tp(t)));
        List<String> byValue = new ArrayList<>();
        sorted.forEach(p -> byValue.add(p.text()));
        assertThat(byValue).isEqualTo(new TreeSet<>(texts).stream().toList());
    }
}
