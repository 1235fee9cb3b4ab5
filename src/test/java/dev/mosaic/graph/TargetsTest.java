package dev.mosaic.graph;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.UserError;
import dev.mosaic.playbook.PlaybookLoader;
import dev.mosaic.resource.Address;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --target}: which resources a selection keeps, and what it says about an address it cannot match. */
class TargetsTest {

    /** srv ← a.conf ← b.conf (b reads a), and motd on its own. */
    private static final String PLAYBOOK = """
            resources:
              srv:
                type: directory
                path: /srv
              a:
                type: file
                path: /srv/a.conf
                content: "a\\n"
              b:
                type: file
                path: /srv/b.conf
                source: /srv/a.conf
              motd:
                type: file
                path: /etc/motd
                content: "hi\\n"
            """;

    private static ResourceGraph graph() {
        Diagnostics diags = new Diagnostics();
        ResourceGraph g = GraphBuilder.build(new PlaybookLoader(BuiltinKinds.create()).load(Path.of("site.yml"), PLAYBOOK, Map.of()),
                diags);
        diags.throwIfErrors();
        return g;
    }

    private static List<String> kept(ResourceGraph g) {
        return g.order().stream().map(Address::toString).toList();
    }

    @Test
    void select_oneResource_keepsItAndWhatItRequiresButNotItsDependents() {
        ResourceGraph g = Targets.select(graph(), List.of("file[a]"));

        assertThat(kept(g)).containsExactly("directory[srv]", "file[a]");
        assertThat(g.partial()).isTrue();
        assertThat(g.targets()).containsExactly("file[a]");
        assertThat(g.whole().size()).isEqualTo(4);
        assertThat(g.dependents(Address.of("file", "a"))).as("b is not in the selection").isEmpty();
    }

    @Test
    void select_aDependent_bringsItsAncestorsTransitively() {
        ResourceGraph g = Targets.select(graph(), List.of("b"));

        assertThat(kept(g)).containsExactly("directory[srv]", "file[a]", "file[b]");
        assertThat(g.targets()).as("a bare id is written as the whole address").containsExactly("file[b]");
    }

    @Test
    void select_repeated_keepsTheUnionInGraphOrder() {
        ResourceGraph g = Targets.select(graph(), List.of("file[motd]", "file[a]"));

        assertThat(kept(g)).containsExactly("directory[srv]", "file[a]", "file[motd]");
    }

    @Test
    void select_nothing_isTheWholeGraph() {
        ResourceGraph whole = graph();

        assertThat(Targets.select(whole, List.of())).isSameAs(whole);
        assertThat(whole.partial()).isFalse();
        assertThat(whole.whole()).isSameAs(whole);
    }

    @Test
    void select_misspeltAddress_suggestsTheClosestOne() {
        assertThatThrownBy(() -> Targets.select(graph(), List.of("file[motdd]")))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("--target file[motdd]: no resource or module instance file[motdd] in this playbook")
                .hasMessageContaining("did you mean 'file[motd]'?")
                .hasMessageContaining("Nothing was planned or changed.");
    }

    @Test
    void select_misspeltBareId_suggestsTheWholeAddress() {
        assertThatThrownBy(() -> Targets.select(graph(), List.of("mtod")))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("did you mean 'file[motd]'?");
    }

    @Test
    void select_unknownModule_saysSo() {
        assertThatThrownBy(() -> Targets.select(graph(), List.of("module.kernel")))
                .isInstanceOf(UserError.class)
                .hasMessageContaining("no resource or module instance module.kernel");
    }
}
