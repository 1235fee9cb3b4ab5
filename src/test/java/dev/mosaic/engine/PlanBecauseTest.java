package dev.mosaic.engine;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.graph.GraphBuilder;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.host.LocalHost;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.PlaybookLoader;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Kinds;
import dev.mosaic.resource.copy.CopyType;
import dev.mosaic.resource.directory.DirectoryType;
import dev.mosaic.resource.file.FileType;
import dev.mosaic.state.StateStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The causal chain a plan records as it is made ({@link PlannedChange#because()}), which
 * {@code explain} reads: against real file and copy kinds in a sandbox root.
 */
class PlanBecauseTest {

    private static final Address CONF = Address.of("file", "conf");
    private static final Address COPY = Address.of("file", "copy");
    private static final Address MIRROR = Address.of("copy", "mirror");
    private static final Address MOTD = Address.of("file", "motd");

    private static final String SITE = """
            resources:
              conf: { type: file, path: /etc/app.conf, content: "%s" }
              copy: { type: file, path: /srv/app/app.conf, source: /etc/app.conf }
              mirror: { type: copy, source: /srv/app, dest: /backup/app }
              motd: { type: file, path: /etc/motd, content: "hello\\n" }
            """;

    @TempDir
    Path tmp;

    private Path root;
    private Path playbookFile;

    @BeforeEach
    void dirs() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("etc"));
        Files.createDirectories(root.resolve("srv/app"));
        Files.createDirectories(root.resolve("backup"));
        playbookFile = Files.createDirectories(tmp.resolve("pb")).resolve("site.yml");
    }

    private Playbook load(String value) throws IOException {
        Files.writeString(playbookFile, SITE.formatted(value));
        return new PlaybookLoader(new Kinds(List.of(new FileType(), new DirectoryType(), new CopyType())))
                .load(playbookFile, Map.of());
    }

    private static ResourceGraph graph(Playbook p) {
        Diagnostics d = new Diagnostics();
        ResourceGraph g = GraphBuilder.build(p, d);
        d.throwIfErrors();
        return g;
    }

    private Engine engine() {
        return new Engine(new LocalHost(root), new LocalHost(Path.of("/")), StateStore.open(root.resolve("var/lib/mosaic")),
                Events.NONE, 2, tmp.resolve("cache"));
    }

    private static List<String> because(Plan plan, Address a) {
        return plan.byAddress().get(a).because().stream()
                .map(u -> u.address() + " via " + (u.edge() == null ? "-" : u.edge().explain())).toList();
    }

    @Test
    void inputChanged_recordsTheNeighbourItFlowsThrough_withTheEdge_whileAfterNamesTheOrigin() throws Exception {
        Playbook first = load("value=1\\n");
        assertThat(engine().apply(first, graph(first)).failed()).isFalse();
        Playbook changed = load("value=2\\n");

        Plan plan = engine().plan(changed, graph(changed));

        assertThat(plan.byAddress().get(CONF).cause()).isEqualTo(Cause.CONFIG_CHANGED);
        assertThat(because(plan, CONF)).isEmpty();
        assertThat(because(plan, COPY)).containsExactly("file[conf] via implicit: copy reads /etc/app.conf");
        assertThat(plan.byAddress().get(MIRROR).after()).containsExactly(CONF);
        assertThat(because(plan, MIRROR)).containsExactly("file[copy] via implicit: mirror reads the tree /srv/app");
        assertThat(because(plan, MOTD)).isEmpty();
    }

    @Test
    void deferredEntry_recordsTheChangesItWaitsFor() throws Exception {
        Playbook p = load("value=1\\n");

        Plan plan = engine().plan(p, graph(p));

        assertThat(plan.byAddress().get(COPY).status()).isEqualTo(PlannedChange.Status.DEFERRED);
        assertThat(because(plan, COPY)).containsExactly("file[conf] via implicit: copy reads /etc/app.conf");
    }

    @Test
    void aPlanReadBackFromAFile_carriesNoObservation_whileAnInMemoryOneDoes() throws Exception {
        Playbook p = load("value=1\\n");
        Plan plan = engine().plan(p, graph(p));

        Plan back = new SavedPlan("test", "now", null, null, SavedPlan.entriesOf(plan)).plan();

        assertThat(plan.byAddress().get(CONF).observed()).isNotNull();
        assertThat(back.byAddress().get(CONF).observed()).isNull();
        assertThat(back.byAddress().get(CONF).seen()).isEqualTo(plan.byAddress().get(CONF).seen());
    }
}
