package dev.mosaic.graph;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.SourcePos;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.PlaybookLoader;
import dev.mosaic.playbook.Ref;
import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.render.GraphText;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Bound;
import dev.mosaic.resource.Capability;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.resource.SpecReader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The dependency graph of small playbooks, compared as the sorted text {@code mosaic graph} prints. */
class GraphBuilderTest {

    private static final Path FILE = Path.of("site.yaml");

    private final PlaybookLoader loader = new PlaybookLoader(BuiltinKinds.create());

    private Playbook load(String yaml) {
        return loader.load(FILE, yaml, Map.of());
    }

    /** The graph as text; fails when the builder reported anything. */
    private static String graph(Playbook p) {
        Diagnostics diags = new Diagnostics();
        ResourceGraph g = GraphBuilder.build(p, diags);
        assertThat(diags.sorted()).extracting(Diagnostic::render).isEmpty();
        assertThat(g).isNotNull();
        return GraphText.text(g);
    }

    /** The rendered errors of a playbook whose graph cannot be built. */
    private static List<String> graphErrors(Playbook p) {
        Diagnostics diags = new Diagnostics();
        ResourceGraph g = GraphBuilder.build(p, diags);
        assertThat(g).as("no graph when there are errors").isNull();
        return diags.sorted().stream().map(Diagnostic::render).toList();
    }

    // ------------------------------------------------------------------ implicit edges

    @Test
    void pathUnderManagedDirectories_dependsOnTheNearestManagedAncestorOnly() {
        String text = graph(load("""
                resources:
                  motd:
                    type: file
                    path: /srv/tftp/pxe/motd
                  srv:
                    type: directory
                    path: /srv
                  tftp:
                    type: directory
                    path: /srv/tftp
                  issue:
                    type: file
                    path: /srv/issue
                  elsewhere:
                    type: file
                    path: /opt/elsewhere
                """));
        assertThat(text).isEqualTo("""
                resources (apply order):
                  1. directory[srv]
                  2. directory[tftp]
                  3. file[motd]
                  4. file[issue]
                  5. file[elsewhere]
                edges:
                  directory[srv] -> directory[tftp]  (implicit: /srv/tftp is under /srv)
                  directory[srv] -> file[issue]  (implicit: /srv/issue is under /srv)
                  directory[tftp] -> file[motd]  (implicit: /srv/tftp/pxe/motd is under /srv/tftp)
                """);
    }

    @Test
    void copySource_dependsOnWhateverProducesTheTreeOrAPathAboveIt() {
        String text = graph(load("""
                resources:
                  modules:
                    type: copy
                    source: /build/out
                    dest: /opt/modules
                  build:
                    type: directory
                    path: /build
                  module:
                    type: file
                    path: /build/out/net/e100.ko
                  unrelated:
                    type: file
                    path: /build/out-old
                """));
        assertThat(text).isEqualTo("""
                resources (apply order):
                  1. directory[build]
                  2. file[module]
                  3. copy[modules]
                  4. file[unrelated]
                edges:
                  directory[build] -> copy[modules]  (implicit: modules reads /build/out, under /build)
                  directory[build] -> file[module]  (implicit: /build/out/net/e100.ko is under /build)
                  directory[build] -> file[unrelated]  (implicit: /build/out-old is under /build)
                  file[module] -> copy[modules]  (implicit: modules reads the tree /build/out)
                """);
    }

    @Test
    void archiveDest_isFilled_afterItsDirectory_beforeWhoReadsThere_unlessWhatIsReadHasItsOwnOwner() {
        String text = graph(load("""
                resources:
                  build:
                    type: build
                    dir: /srv/work
                    command: "find ../src -type f | xargs cat > out"
                    inputs: [/srv/src]
                    outputs: [/srv/work/out]
                    toolchain: []
                  kit-build:
                    type: build
                    dir: /srv/work
                    command: "cat ../src/kit/a > kit"
                    inputs: [/srv/src/kit]
                    outputs: [/srv/work/kit]
                    toolchain: []
                  src:
                    type: archive
                    source: /dist/src.tar.gz
                    dest: /srv/src
                  kit:
                    type: archive
                    source: /dist/kit.tar.gz
                    dest: /srv/src
                    creates: /srv/src/kit
                  srv:
                    type: directory
                    path: /srv
                  src-dir:
                    type: directory
                    path: /srv/src
                """));
        assertThat(text).contains("directory[src-dir] -> archive[src]  (implicit: src fills /srv/src)")
                .contains("archive[src] -> build[build]  (implicit: build reads /srv/src, which src fills (/srv/src))")
                .contains("archive[kit] -> build[kit-build]")
                .doesNotContain("archive[src] -> build[kit-build]");
    }

    @Test
    void link_dependsOnTheProducerOfItsTarget_relativeOrAbsolute() {
        String text = graph(load("""
                resources:
                  current:
                    type: link
                    path: /boot/vmlinuz
                    target: /srv/kernels/2.4.22
                  pxe:
                    type: link
                    path: /srv/tftp/default
                    target: pxelinux.cfg/lab
                  kernel:
                    type: file
                    path: /srv/kernels/2.4.22
                  config:
                    type: file
                    path: /srv/tftp/pxelinux.cfg/lab
                """));
        assertThat(text).isEqualTo("""
                resources (apply order):
                  1. file[kernel]
                  2. link[current]
                  3. file[config]
                  4. link[pxe]
                edges:
                  file[config] -> link[pxe]  (implicit: pxe reads /srv/tftp/pxelinux.cfg/lab)
                  file[kernel] -> link[current]  (implicit: current reads /srv/kernels/2.4.22)
                """);
    }

    @Test
    void fileWithSourceOnTheTarget_dependsOnTheSourceProducer() {
        String text = graph(load("""
                resources:
                  installed:
                    type: file
                    path: /etc/motd
                    source: /srv/templates/motd
                  templates:
                    type: copy
                    source: templates
                    dest: /srv/templates
                """));
        assertThat(text).isEqualTo("""
                resources (apply order):
                  1. copy[templates]
                  2. file[installed]
                edges:
                  copy[templates] -> file[installed]  (implicit: installed reads /srv/templates/motd, under /srv/templates)
                """);
    }

    // ------------------------------------------------------------------ explicit edges

    @Test
    void explicitRequiresAndNotify_orderTheResources_andSayWhichTheyAre() {
        Playbook p = playbook(
                fake("service", "daemon", 2, null, List.of(), List.of()),
                fake("unit", "config", 5, "/etc/daemon.conf", List.of(), List.of("daemon")),
                fake("unit", "logs", 8, "/var/log/daemon", List.of("daemon"), List.of()));
        assertThat(graph(p)).isEqualTo("""
                resources (apply order):
                  1. unit[config]
                  2. service[daemon]
                  3. unit[logs]
                edges:
                  service[daemon] -> unit[logs]  (requires)
                  unit[config] -> service[daemon]  (notify)
                """);
    }

    @Test
    void explicitEdge_isKept_whenAnImplicitOneLinksTheSamePair() {
        String text = graph(load("""
                resources:
                  motd:
                    type: file
                    path: /srv/tftp/motd
                    requires: [tftp]
                  tftp:
                    type: directory
                    path: /srv/tftp
                """));
        assertThat(text).isEqualTo("""
                resources (apply order):
                  1. directory[tftp]
                  2. file[motd]
                edges:
                  directory[tftp] -> file[motd]  (requires)
                """);
    }

    @Test
    void independentResources_keepDeclarationOrder() {
        String text = graph(load("""
                resources:
                  zeta:
                    type: file
                    path: /z
                  alpha:
                    type: file
                    path: /a
                  mid:
                    type: file
                    path: /m
                    requires: [zeta]
                """));
        assertThat(text).isEqualTo("""
                resources (apply order):
                  1. file[zeta]
                  2. file[alpha]
                  3. file[mid]
                edges:
                  file[zeta] -> file[mid]  (requires)
                """);
    }

    // ------------------------------------------------------------------ errors

    @Test
    void twoResourcesManagingOnePath_isAConflict_afterNormalisation() {
        assertThat(graphErrors(load("""
                resources:
                  motd:
                    type: file
                    path: /etc/motd
                  alias:
                    type: link
                    path: /etc//motd/
                    target: issue
                """))).containsExactly("site.yaml:5:3: error: resource 'alias' manages /etc/motd, which resource"
                + " 'motd' (site.yaml:2) manages already; a path has one owner");
    }

    @Test
    void cycleOfRequires_isReportedWhole_withPositions_withoutResourcesOutsideIt() {
        assertThat(graphErrors(load("""
                resources:
                  a:
                    type: file
                    path: /a
                    requires: [c]
                  b:
                    type: file
                    path: /b
                    requires: [a]
                  c:
                    type: file
                    path: /c
                    requires: [b]
                  outside:
                    type: file
                    path: /d
                    requires: [a]
                """))).containsExactly("""
                site.yaml:2:3: error: dependency cycle of 3 resources:
                    file[a] (site.yaml:2)
                      -> before file[b] (explicit: b requires a)
                    file[b] (site.yaml:6)
                      -> before file[c] (explicit: c requires b)
                    file[c] (site.yaml:10)
                      -> before file[a] (explicit: a requires c)
                    file[a] (back to the start)""");
    }

    @Test
    void cycleMixingRequiresAndAnImplicitParentEdge_namesBoth() {
        assertThat(graphErrors(load("""
                resources:
                  srv:
                    type: directory
                    path: /srv
                    requires: [motd]
                  motd:
                    type: file
                    path: /srv/motd
                """))).containsExactly("""
                site.yaml:2:3: error: dependency cycle of 2 resources:
                    directory[srv] (site.yaml:2)
                      -> before file[motd] (implicit: /srv/motd is under /srv)
                    file[motd] (site.yaml:6)
                      -> before directory[srv] (explicit: srv requires motd)
                    directory[srv] (back to the start)""");
    }

    @Test
    void cycleThroughParentReadAndRequiresEdges_isReportedInOrder() {
        assertThat(graphErrors(load("""
                resources:
                  x:
                    type: directory
                    path: /x
                    requires: [z]
                  y:
                    type: file
                    path: /x/y
                  z:
                    type: link
                    path: /z
                    target: /x/y
                """))).containsExactly("""
                site.yaml:2:3: error: dependency cycle of 3 resources:
                    directory[x] (site.yaml:2)
                      -> before file[y] (implicit: /x/y is under /x)
                    file[y] (site.yaml:6)
                      -> before link[z] (implicit: z reads /x/y)
                    link[z] (site.yaml:9)
                      -> before directory[x] (explicit: x requires z)
                    directory[x] (back to the start)""");
    }

    @Test
    void cycle_reportsTheShortestOne_whenSeveralRunThroughTheSameResources() {
        // a -> b -> c -> a and a -> c -> a: the two-resource cycle is the one to show.
        assertThat(graphErrors(load("""
                resources:
                  a:
                    type: file
                    path: /a
                    requires: [c]
                  b:
                    type: file
                    path: /b
                    requires: [a]
                  c:
                    type: file
                    path: /c
                    requires: [a, b]
                """))).containsExactly("""
                site.yaml:2:3: error: dependency cycle of 2 resources:
                    file[a] (site.yaml:2)
                      -> before file[c] (explicit: c requires a)
                    file[c] (site.yaml:10)
                      -> before file[a] (explicit: a requires c)
                    file[a] (back to the start)""");
    }

    @Test
    void separateCycles_areEachReported() {
        assertThat(graphErrors(load("""
                resources:
                  a:
                    type: file
                    path: /a
                    requires: [b]
                  b:
                    type: file
                    path: /b
                    requires: [a]
                  c:
                    type: file
                    path: /c
                    requires: [d]
                  d:
                    type: file
                    path: /d
                    requires: [c]
                """))).extracting(s -> s.lines().findFirst().orElseThrow()).containsExactly(
                "site.yaml:2:3: error: dependency cycle of 2 resources:",
                "site.yaml:10:3: error: dependency cycle of 2 resources:");
    }

    // ------------------------------------------------------------------ determinism

    @Test
    void buildingTwice_givesTheSameText() {
        String yaml = """
                resources:
                  modules:
                    type: copy
                    source: /build/out
                    dest: /srv/tftp/modules
                  tftp:
                    type: directory
                    path: /srv/tftp
                  build:
                    type: directory
                    path: /build
                  kernel:
                    type: file
                    path: /build/out/vmlinuz
                  link:
                    type: link
                    path: /srv/tftp/vmlinuz
                    target: modules/vmlinuz
                  motd:
                    type: file
                    path: /srv/tftp/motd
                    requires: [kernel]
                """;
        String first = graph(load(yaml));
        assertThat(first).isEqualTo("""
                resources (apply order):
                  1. directory[tftp]
                  2. directory[build]
                  3. file[kernel]
                  4. copy[modules]
                  5. link[link]
                  6. file[motd]
                edges:
                  copy[modules] -> link[link]  (implicit: link reads /srv/tftp/modules/vmlinuz, under /srv/tftp/modules)
                  directory[build] -> copy[modules]  (implicit: modules reads /build/out, under /build)
                  directory[build] -> file[kernel]  (implicit: /build/out/vmlinuz is under /build)
                  directory[tftp] -> copy[modules]  (implicit: /srv/tftp/modules is under /srv/tftp)
                  directory[tftp] -> file[motd]  (implicit: /srv/tftp/motd is under /srv/tftp)
                  directory[tftp] -> link[link]  (implicit: /srv/tftp/vmlinuz is under /srv/tftp)
                  file[kernel] -> copy[modules]  (implicit: modules reads the tree /build/out)
                  file[kernel] -> file[motd]  (requires)
                """);
        for (int i = 0; i < 5; i++) {
            assertThat(graph(load(yaml))).isEqualTo(first);
        }
    }

    // ------------------------------------------------------------------ a fake kind for explicit edges

    /** What a fake resource produces (null: nothing). */
    record FakeSpec(String path) {
    }

    /** A kind that only declares paths; the graph never observes or applies anything. */
    static final class FakeType implements ResourceType<FakeSpec, Object> {
        private final String kind;
        private final boolean refreshable;

        FakeType(String kind, boolean refreshable) {
            this.kind = kind;
            this.refreshable = refreshable;
        }

        @Override
        public String kind() {
            return kind;
        }

        @Override
        public String summary() {
            return "a fake for graph tests";
        }

        @Override
        public FakeSpec parse(SpecReader reader) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Paths paths(FakeSpec spec) {
            return spec.path() == null ? Paths.NONE : new Paths(Set.of(spec.path()), Set.of());
        }

        @Override
        public Object observe(FakeSpec spec, Context ctx) {
            throw new UnsupportedOperationException("the graph must not observe");
        }

        @Override
        public Change diff(FakeSpec spec, Object observed) {
            throw new UnsupportedOperationException("the graph must not diff");
        }

        @Override
        public void apply(FakeSpec spec, Change change, Context ctx) {
            throw new UnsupportedOperationException("the graph must not apply");
        }

        @Override
        public Set<Capability> capabilities() {
            return refreshable ? Set.of(Capability.REFRESHABLE) : Set.of();
        }
    }

    private static ResourceDecl fake(String kind, String id, int line, String path, List<String> requires,
                                     List<String> notify) {
        return new ResourceDecl(Address.of(kind, id), id, new Bound<>(new FakeType(kind, kind.equals("service")),
                new FakeSpec(path)), new SourcePos(FILE.toString(), line, 3),
                requires.stream().map(r -> new Ref(r, new SourcePos(FILE.toString(), line + 1, 5))).toList(),
                notify.stream().map(r -> new Ref(r, new SourcePos(FILE.toString(), line + 1, 5))).toList(),
                "", id);
    }

    private static Playbook playbook(ResourceDecl... decls) {
        return new Playbook(FILE, "fake", Path.of("."), Map.of(), new ArrayList<>(Arrays.asList(decls)), "digest");
    }
}
