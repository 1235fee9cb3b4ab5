package dev.mosaic.render;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.engine.Cause;
import dev.mosaic.engine.Plan;
import dev.mosaic.engine.PlannedChange;
import dev.mosaic.graph.GraphBuilder;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.playbook.PlaybookLoader;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    // ------------------------------------------------------------------ modules as clusters, plans

    @TempDir
    Path tmp;

    /** A playbook calling module {@code kit}, which calls module {@code boot}: two nested clusters. */
    private ResourceGraph modulesGraph() throws IOException {
        Files.createDirectories(tmp.resolve("modules/boot"));
        Files.createDirectories(tmp.resolve("modules/kit"));
        Files.writeString(tmp.resolve("modules/boot/module.yml"), """
                params:
                  dir: { type: string }
                resources:
                  menu: { type: file, path: "${dir}/menu", content: "m" }
                """);
        Files.writeString(tmp.resolve("modules/kit/module.yml"), """
                params:
                  base: { type: string }
                modules:
                  boot: { source: boot, with: { dir: "${base}/tftp" } }
                resources:
                  tftp: { type: directory, path: "${base}/tftp" }
                """);
        Path site = Files.writeString(tmp.resolve("site.yml"), """
                modules:
                  kit: { source: kit, with: { base: /srv } }
                resources:
                  srv: { type: directory, path: /srv }
                  note: { type: file, path: /etc/note, content: x, requires: [module.kit] }
                """);
        var p = new PlaybookLoader(BuiltinKinds.create(), List.of()).load(site, Map.of());
        Diagnostics diags = new Diagnostics();
        ResourceGraph g = GraphBuilder.build(p, diags);
        assertThat(diags.sorted()).isEmpty();
        return g;
    }

    private static final Address SRV = Address.of("directory", "srv");
    private static final Address NOTE = Address.of("file", "note");
    private static final Address TFTP = new Address(List.of("kit"), "directory", "tftp");
    private static final Address MENU = new Address(List.of("kit", "boot"), "file", "menu");
    /** In the state, no longer in the playbook: the plan deletes it. */
    private static final Address OLD = new Address(List.of("kit"), "file", "old");

    /** SRV unchanged, TFTP created, MENU replaced, NOTE updated, OLD deleted. */
    private static Plan plan() {
        List<PlannedChange> entries = new ArrayList<>();
        entries.add(entry(SRV, Action.NOOP, Cause.NONE));
        entries.add(entry(TFTP, Action.CREATE, Cause.NEW));
        entries.add(entry(MENU, Action.REPLACE, Cause.DRIFT));
        entries.add(entry(NOTE, Action.UPDATE, Cause.CONFIG_CHANGED));
        entries.add(entry(OLD, Action.DELETE, Cause.REMOVED));
        return new Plan("site.yml", "local", entries);
    }

    private static PlannedChange entry(Address a, Action action, Cause cause) {
        return new PlannedChange(a, a.type(), "", action, cause, List.of(), List.of(), PlannedChange.Status.PLANNED, null);
    }

    @Test
    void dot_putsEachModulesResourcesInACluster_nestedAsTheModulesAre() throws IOException {
        assertThat(GraphText.dot(modulesGraph())).isEqualTo("""
                digraph mosaic {
                  rankdir=LR;
                  node [shape=box, fontname="monospace"];
                  "directory[srv]";
                  "file[note]";
                  subgraph "cluster_module.kit" {
                    label="module.kit";
                    style=rounded;
                    color="gray50";
                    fontname="monospace";
                    "module.kit.directory[tftp]";
                    subgraph "cluster_module.kit.module.boot" {
                      label="module.boot";
                      style=rounded;
                      color="gray50";
                      fontname="monospace";
                      "module.kit.module.boot.file[menu]";
                    }
                  }
                  "directory[srv]" -> "module.kit.directory[tftp]" [label="parent directory", style=dashed];
                  "module.kit.directory[tftp]" -> "file[note]" [label="requires"];
                  "module.kit.directory[tftp]" -> "module.kit.module.boot.file[menu]" [label="parent directory", style=dashed];
                  "module.kit.module.boot.file[menu]" -> "file[note]" [label="requires"];
                }
                """);
    }

    @Test
    void dot_withAPlan_fillsChangingResourcesByAction_drawsRemovedOnesDashed_andAddsALegend() throws IOException {
        String dot = GraphText.dot(modulesGraph(), plan());
        assertThat(dot)
                .contains("  \"directory[srv]\";\n")
                .contains("    \"module.kit.directory[tftp]\" [label=\"+ module.kit.directory[tftp]\", style=\"filled\","
                        + " fillcolor=\"#c8e6c9\", color=\"#2e7d32\", penwidth=2];\n")
                .contains("      \"module.kit.module.boot.file[menu]\" [label=\"-/+ module.kit.module.boot.file[menu]\","
                        + " style=\"filled\", fillcolor=\"#ffcc80\", color=\"#e65100\", penwidth=2];\n")
                .contains("  \"file[note]\" [label=\"~ file[note]\", style=\"filled\", fillcolor=\"#fff59d\","
                        + " color=\"#f9a825\", penwidth=2];\n")
                // Removed: inside its module's cluster, dashed, said so.
                .contains("    \"module.kit.file[old]\" [label=\"- module.kit.file[old] (removed)\", style=\"filled,dashed\","
                        + " fillcolor=\"#ef9a9a\", color=\"#b71c1c\", penwidth=2];\n")
                .contains("""
                          subgraph cluster_legend {
                            label="Plan: 1 to create, 1 to update, 1 to replace, 1 to delete, 0 to refresh, 1 unchanged.";
                            style=dashed;
                            color="gray60";
                            fontname="monospace";
                            "legend:create" [label="+ create", style="filled", fillcolor="#c8e6c9", color="#2e7d32", penwidth=2];
                            "legend:update" [label="~ update", style="filled", fillcolor="#fff59d", color="#f9a825", penwidth=2];
                            "legend:replace" [label="-/+ replace", style="filled", fillcolor="#ffcc80", color="#e65100", penwidth=2];
                            "legend:delete" [label="- delete", style="filled", fillcolor="#ef9a9a", color="#b71c1c", penwidth=2];
                          }
                        }
                        """);
        // The removed resource sits in module.kit's cluster, before the nested one.
        assertThat(dot.indexOf("\"module.kit.file[old]\" [")).isBetween(dot.indexOf("subgraph \"cluster_module.kit\""),
                dot.indexOf("subgraph \"cluster_module.kit.module.boot\""));
    }

    @Test
    void mermaid_withModulesAndAPlan_nestsSubgraphs_andClassesChangingResourcesByAction() throws IOException {
        assertThat(GraphText.mermaid(modulesGraph(), plan())).isEqualTo("""
                flowchart LR
                  r0["directory[srv]"]
                  r3["~ file[note]"]
                  subgraph m0["module.kit"]
                    r1["+ module.kit.directory[tftp]"]
                    r4["- module.kit.file[old] (removed)"]
                    subgraph m1["module.boot"]
                      r2["-/+ module.kit.module.boot.file[menu]"]
                    end
                  end
                  r0 -.->|parent directory| r1
                  r1 -->|requires| r3
                  r1 -.->|parent directory| r2
                  r2 -->|requires| r3
                  subgraph legend["Plan: 1 to create, 1 to update, 1 to replace, 1 to delete, 0 to refresh, 1 unchanged."]
                    legend_create["+ create"]
                    legend_update["~ update"]
                    legend_replace["-/+ replace"]
                    legend_delete["- delete"]
                  end
                  classDef create fill:#c8e6c9,stroke:#2e7d32,stroke-width:2px
                  class legend_create,r1 create
                  classDef update fill:#fff59d,stroke:#f9a825,stroke-width:2px
                  class legend_update,r3 update
                  classDef replace fill:#ffcc80,stroke:#e65100,stroke-width:2px
                  class legend_replace,r2 replace
                  classDef delete fill:#ef9a9a,stroke:#b71c1c,stroke-width:2px
                  class legend_delete,r4 delete
                """);
    }

    @Test
    void text_withAPlan_marksResourcesWithThePlansSymbols_andListsRemovedOnes() throws IOException {
        assertThat(GraphText.text(modulesGraph(), plan())).isEqualTo("""
                resources (apply order):
                  1.     directory[srv]
                  2. +   module.kit.directory[tftp]
                  3. -/+ module.kit.module.boot.file[menu]
                  4. ~   file[note]
                removed from the playbook:
                  -   module.kit.file[old]
                edges:
                  directory[srv] -> module.kit.directory[tftp]  (implicit: /srv/tftp is under /srv)
                  module.kit.directory[tftp] -> file[note]  (requires)
                  module.kit.directory[tftp] -> module.kit.module.boot.file[menu]  (implicit: /srv/tftp/menu is under /srv/tftp)
                  module.kit.module.boot.file[menu] -> file[note]  (requires)
                Plan: 1 to create, 1 to update, 1 to replace, 1 to delete, 0 to refresh, 1 unchanged.
                + create, ~ update, -/+ replace, - delete
                """);
    }

    @Test
    void withoutAPlan_orWithAnEmptyOne_noResourceIsMarked() throws IOException {
        ResourceGraph g = modulesGraph();
        Plan nothing = new Plan("site.yml", "local", List.of(entry(SRV, Action.NOOP, Cause.NONE)));
        assertThat(GraphText.dot(g, nothing)).doesNotContain("fillcolor=\"#c8e6c9\"];", "(removed)")
                .contains("  \"directory[srv]\";\n", "subgraph cluster_legend");
        assertThat(GraphText.text(g)).doesNotContain("Plan:").contains("  1. directory[srv]\n");
        assertThat(GraphText.mermaid(g)).doesNotContain("classDef", "legend");
    }
}
