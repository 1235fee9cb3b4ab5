package dev.mosaic.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.UserError;
import dev.mosaic.engine.Cause;
import dev.mosaic.engine.Plan;
import dev.mosaic.engine.PlannedChange;
import dev.mosaic.graph.GraphBuilder;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.playbook.PlaybookLoader;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Diff;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Explain} on a real graph (a file, a file that reads it, a copy of the tree holding that
 * one, and an unrelated file) with plans written by hand, so that every kind of entry — changes
 * for each cause, deferred, failed, skipped — is explained exactly as a reader sees it.
 */
class ExplainTest {

    private static final Address CONF = Address.of("file", "conf");
    private static final Address COPY = Address.of("file", "copy");
    private static final Address MIRROR = Address.of("copy", "mirror");
    private static final Address MOTD = Address.of("file", "motd");

    private final ResourceGraph graph = graph("""
            resources:
              conf:
                type: file
                path: /etc/app.conf
                content: "value=2\\n"
              copy:
                type: file
                path: /srv/app/app.conf
                source: /etc/app.conf
                description: the application's copy
              mirror:
                type: copy
                source: /srv/app
                dest: /backup/app
              motd:
                type: file
                path: /etc/motd
                content: "hello\\n"
            """);

    private static ResourceGraph graph(String yaml) {
        var playbook = new PlaybookLoader(BuiltinKinds.create()).load(Path.of("site.yml"), yaml, Map.of());
        Diagnostics diags = new Diagnostics();
        ResourceGraph g = GraphBuilder.build(playbook, diags);
        diags.throwIfErrors();
        return g;
    }

    /** An entry as the engine makes it: the description is the declaration's. */
    private PlannedChange entry(Address a, Action action, Cause cause, List<Diff> diffs, List<Address> after,
                                PlannedChange.Status status, String error) {
        return new PlannedChange(a, a.type(), graph.decl(a).description(), action, cause, diffs, after, status, error);
    }

    private PlannedChange planned(Address a, Action action, Cause cause, List<Diff> diffs, Address... after) {
        return entry(a, action, cause, diffs, List.of(after), PlannedChange.Status.PLANNED, "");
    }

    /**
     * The entry with the chain the planner records for it: the upstream entries that caused it,
     * each with the edge between the two (null when they are not neighbours).
     */
    private PlannedChange by(PlannedChange c, Address... upstream) {
        return c.because(java.util.Arrays.stream(upstream).map(u -> new PlannedChange.Upstream(u,
                graph.incoming(c.address()).stream().filter(e -> e.from().equals(u)).findFirst().orElse(null))).toList());
    }

    private PlannedChange unchanged(Address a) {
        return planned(a, Action.NOOP, Cause.NONE, List.of());
    }

    private Plan plan(PlannedChange... entries) {
        List<PlannedChange> all = new ArrayList<>(List.of(entries));
        for (Address a : List.of(CONF, COPY, MIRROR, MOTD)) {
            if (all.stream().noneMatch(e -> e.address().equals(a))) {
                all.add(unchanged(a));
            }
        }
        return new Plan("site", "local (root /tmp/lab)", all);
    }

    /** The change of the example: an option, and what is built from it. */
    private Plan configChangeFlowingDown() {
        return plan(planned(CONF, Action.UPDATE, Cause.CONFIG_CHANGED, List.of(new Diff.Field("mode", "0644", "0600"))),
                by(planned(COPY, Action.UPDATE, Cause.INPUT_CHANGED, List.of(), CONF), CONF),
                // The plan names the origin (after); the chain goes through the neighbour it flows from.
                by(planned(MIRROR, Action.UPDATE, Cause.INPUT_CHANGED, List.of(), CONF), COPY));
    }

    @Test
    void explain_inputChangedTwoHopsDown_walksEveryEdgeBackToTheRootCause() {
        String text = ExplainText.render(Explain.of(configChangeFlowingDown(), MIRROR));

        assertThat(text).isEqualTo("""
                copy[mirror] will be updated in place (input changed: file[conf])

                Why:
                  copy[mirror] ← input changed: file[copy] ← input changed: file[conf] ← config changed: mode 0644 → 0600

                Chain, from the root cause:
                  file[conf] will be updated in place (config changed)
                      ~ mode: 0644 -> 0600
                    config changed: the playbook, a variable or an input (a source file, a tree) differs from the last apply
                  file[copy] will be updated in place (input changed: file[conf]) — the application's copy
                    after file[conf]: implicit: copy reads /etc/app.conf
                  copy[mirror] will be updated in place (input changed: file[conf])
                    after file[copy]: implicit: mirror reads the tree /srv/app
                """);
    }

    @Test
    void explain_upToDateResource_saysSoAndNothingElse() {
        Explain.Explanation e = Explain.of(configChangeFlowingDown(), MOTD);

        assertThat(e.upToDate()).isTrue();
        assertThat(ExplainText.render(e)).isEqualTo("file[motd]: no change planned: up to date\n");
    }

    @Test
    void explain_rootCauseItself_isOnePathOfOneResource_withWhatDrifted() {
        Plan p = plan(planned(MOTD, Action.UPDATE, Cause.DRIFT, List.of(new Diff.Field("owner", "root", "admin"),
                new Diff.Tree("files", List.of("a"), List.of(), List.of("b", "c")))));

        Explain.Explanation e = Explain.of(p, MOTD);

        assertThat(e.paths()).hasSize(1);
        assertThat(ExplainText.why(e.paths().get(0)))
                .isEqualTo("file[motd] ← drift: owner root → admin, files: 1 added, 0 changed, 2 removed");
        assertThat(ExplainText.render(e)).contains("drift: same configuration as the last apply, but the target was changed since");
    }

    @Test
    void explain_skippedAfterAFailure_endsAtTheResourceThatCannotBePlanned() {
        Plan p = plan(entry(CONF, Action.NOOP, Cause.NONE, List.of(), List.of(),
                        PlannedChange.Status.FAILED, "permission denied: /etc/app.conf\nsecond line"),
                by(entry(COPY, Action.NOOP, Cause.NONE, List.of(), List.of(CONF),
                        PlannedChange.Status.SKIPPED, "file[conf] could not be planned"), CONF));

        Explain.Explanation e = Explain.of(p, COPY);

        assertThat(ExplainText.why(e.paths().get(0)))
                .isEqualTo("file[copy] ← skipped, as: file[conf] ← cannot be planned: permission denied: /etc/app.conf");
        assertThat(ExplainText.render(e)).startsWith("file[copy] is skipped: file[conf] could not be planned — the application's copy\n");
    }

    @Test
    void explain_deferredResource_pointsAtTheChangeItWaitsFor() {
        Plan p = plan(planned(COPY, Action.CREATE, Cause.NEW, List.of()),
                by(entry(MIRROR, Action.NOOP, Cause.NONE, List.of(), List.of(COPY),
                        PlannedChange.Status.DEFERRED, "no such directory /srv/app"), COPY));

        Explain.Explanation e = Explain.of(p, MIRROR);

        assertThat(ExplainText.why(e.paths().get(0))).isEqualTo("copy[mirror] ← known after: file[copy] ← new");
        assertThat(ExplainText.render(e))
                .contains("copy[mirror] will be evaluated after file[copy] changes (known after apply)")
                .contains("new: Mosaic has never converged it on this target");
    }

    @Test
    void explain_json_carriesTheEntryThePathsAndTheChain() throws Exception {
        JsonNode doc = new ObjectMapper().readTree(ExplainJson.render(Explain.of(configChangeFlowingDown(), MIRROR)));

        assertThat(doc.get("address").asText()).isEqualTo("copy[mirror]");
        assertThat(doc.get("up_to_date").asBoolean()).isFalse();
        assertThat(doc.get("change").get("cause").asText()).isEqualTo("input changed");
        assertThat(doc.get("paths").toString()).isEqualTo("[[\"copy[mirror]\",\"file[copy]\",\"file[conf]\"]]");
        assertThat(doc.get("paths_total").asLong()).isEqualTo(1);
        assertThat(doc.get("chain")).extracting(n -> n.get("change").get("address").asText())
                .containsExactly("file[conf]", "file[copy]", "copy[mirror]");
        assertThat(doc.get("chain").get(0).get("root_cause").asBoolean()).isTrue();
        assertThat(doc.get("chain").get(2).get("after").get(0).get("edge").asText())
                .isEqualTo("implicit: mirror reads the tree /srv/app");
    }

    @Test
    void find_acceptsTheAddressOrABareIdThatOnlyOneResourceHas() {
        assertThat(Explain.find("copy[mirror]", graph.order())).contains(MIRROR);
        assertThat(Explain.find("mirror", graph.order())).contains(MIRROR);
        assertThat(Explain.find("file[nothing]", graph.order())).isEmpty();
    }

    @Test
    void find_bareIdOfSeveralResources_asksForTheWholeAddress() {
        List<Address> known = List.of(Address.of("file", "x"), Address.of("link", "x"));

        assertThatThrownBy(() -> Explain.find("x", known)).isInstanceOf(UserError.class)
                .hasMessageContaining("'x' is the id of 2 resources: file[x], link[x]; give the whole address");
    }

    @Test
    void unknown_misspeltAddressOrId_suggestsTheClosestAddress() {
        assertThat(Explain.unknown("copy[miror]", graph.order()).getMessage())
                .contains("no resource copy[miror] in this playbook or its plan (did you mean 'copy[mirror]'?)")
                .contains("its resources: copy[mirror], file[conf], file[copy], file[motd]");
        assertThat(Explain.unknown("mirorr", graph.order()).getMessage()).contains("(did you mean 'copy[mirror]'?)");
    }
}
