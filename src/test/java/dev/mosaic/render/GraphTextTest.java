package dev.mosaic.render;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.graph.GraphBuilder;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.playbook.PlaybookLoader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class GraphTextTest {

    private static ResourceGraph graph() {
        var p = new PlaybookLoader(BuiltinKinds.create()).load(Path.of("site.yml"), """
                resources:
                  srv: { type: directory, path: /srv }
                  motd: { type: file, path: /srv/motd, content: hi }
                  link: { type: link, path: /etc/motd, target: /srv/motd, requires: [srv] }
                """, Map.of());
        return GraphBuilder.build(p, new Diagnostics());
    }

    @Test
    void mermaid_drawsExplicitEdgesSolid_andImplicitOnesDotted() {
        assertThat(GraphText.mermaid(graph())).isEqualTo("""
                flowchart LR
                  r0["directory[srv]"]
                  r1["file[motd]"]
                  r2["link[link]"]
                  r0 -.->|parent directory| r1
                  r0 -->|requires| r2
                  r1 -.->|reads| r2
                """);
    }

    @Test
    void dot_drawsImplicitEdgesDashed() {
        assertThat(GraphText.dot(graph())).contains("\"directory[srv]\" -> \"link[link]\" [label=\"requires\"];")
                .contains("\"directory[srv]\" -> \"file[motd]\" [label=\"parent directory\", style=dashed];");
    }
}
