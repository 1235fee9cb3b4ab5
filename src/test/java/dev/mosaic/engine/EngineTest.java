package dev.mosaic.engine;

import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.SourcePos;
import dev.mosaic.graph.GraphBuilder;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.host.Host;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.Ref;
import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Bound;
import dev.mosaic.resource.Capability;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.resource.SpecReader;
import dev.mosaic.state.StateStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine against fake resource kinds living in an in-memory "world" (key -> value). The fakes
 * record what the engine calls, can fail or crash on demand, and "trap" resources fail the test if
 * the engine ever applies them.
 */
class EngineTest {

    @TempDir
    Path tmp;

    private final World world = new World();
    private final FakeType fake = new FakeType("fake", false, world);
    private final FakeType service = new FakeType("service", true, world);
    private final Recorder events = new Recorder();

    // ------------------------------------------------------------------ order and parallelism

    @Test
    void apply_respectsDependencyOrder_withFourJobs() throws Exception {
        // a -> b, c -> d -> g; e -> f -> g; h alone.
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("g"), List.of("d", "f"), List.of()),
                decl(fake, spec("d"), List.of("b", "c"), List.of()),
                decl(fake, spec("b"), List.of("a"), List.of()),
                decl(fake, spec("c"), List.of("a"), List.of()),
                decl(fake, spec("a"), List.of(), List.of()),
                decl(fake, spec("f"), List.of("e"), List.of()),
                decl(fake, spec("e"), List.of(), List.of()),
                decl(fake, spec("h"), List.of(), List.of()));
        for (int run = 0; run < 25; run++) {
            world.values.clear();
            world.log.clear();
            Engine.ApplyResult result = engine(4).apply(playbook(decls), graph(decls));

            assertThat(result.outcomes()).allMatch(o -> o.status() == Outcome.Status.CHANGED);
            for (ResourceDecl d : decls) {
                for (Ref r : d.requires()) {
                    assertThat(world.log.indexOf("end:" + r.id()))
                            .as("run %d: %s finished before %s started; log %s", run, r.id(), d.id(), world.log)
                            .isNotNegative()
                            .isLessThan(world.log.indexOf("start:" + d.id()));
                }
            }
        }
        assertThat(world.maxRunning.get()).as("at most four at once").isBetween(1, 4);
    }

    @Test
    void apply_returnsOutcomesInGraphOrder_whateverTheTiming() throws Exception {
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("late"), List.of("first"), List.of()),
                decl(fake, spec("first"), List.of(), List.of()),
                decl(fake, spec("other"), List.of(), List.of()));
        ResourceGraph graph = graph(decls);

        Engine.ApplyResult result = engine(3).apply(playbook(decls), graph);

        assertThat(result.outcomes()).extracting(o -> o.address().id()).containsExactly("first", "late", "other");
        assertThat(graph.order()).extracting(Address::id).containsExactly("first", "late", "other");
    }

    @Test
    void independentResources_areAppliedInParallel() throws Exception {
        // Each apply waits at a barrier for the other: run one after the other, both would time out.
        world.barrier = new CyclicBarrier(2);
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("left").with(Flag.BARRIER), List.of(), List.of()),
                decl(fake, spec("right").with(Flag.BARRIER), List.of(), List.of()));

        Engine.ApplyResult result = engine(2).apply(playbook(decls), graph(decls));

        assertThat(result.outcomes()).extracting(Outcome::status, Outcome::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Outcome.Status.CHANGED, ""),
                org.assertj.core.groups.Tuple.tuple(Outcome.Status.CHANGED, ""));
    }

    @Test
    void oneJob_appliesOneResourceAtATime() throws Exception {
        List<ResourceDecl> decls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            decls.add(decl(fake, spec("r" + i), List.of(), List.of()));
        }

        engine(1).apply(playbook(decls), graph(decls));

        assertThat(world.maxRunning.get()).isEqualTo(1);
        assertThat(world.values).hasSize(8);
    }

    // ------------------------------------------------------------------ one plan, one observation

    @Test
    void plainApply_ofAConvergedPlaybook_observesEachResourceOnce() throws Exception {
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("a"), List.of(), List.of()),
                decl(fake, spec("b"), List.of("a"), List.of()),
                decl(fake, spec("c"), List.of("b"), List.of()));
        engine(2).apply(playbook(decls), graph(decls));
        world.log.clear();

        Engine.ApplyResult again = engine(2).apply(playbook(decls), graph(decls));

        assertThat(again.counts()).containsExactly(Map.entry(Outcome.Status.UNCHANGED, 3L));
        assertThat(world.log).as("the apply's own plan saw them; nothing upstream moved since")
                .containsExactlyInAnyOrder("observe:a", "observe:b", "observe:c");
    }

    @Test
    void plainApply_observesAgain_onlyWhatAChangeUpstreamFeeds() throws Exception {
        world.values.put("b", "v1");
        world.values.put("c", "v1");
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("a"), List.of(), List.of()),
                decl(fake, spec("b"), List.of("a"), List.of()),
                decl(fake, spec("c"), List.of(), List.of()));

        Engine.ApplyResult r = engine(2).apply(playbook(decls), graph(decls));

        assertThat(statuses(r)).containsExactly(Map.entry("a", "CHANGED: "), Map.entry("b", "UNCHANGED: "),
                Map.entry("c", "UNCHANGED: "));
        // b requires a, which changed: what b sees may have moved since the plan. c's has not.
        assertThat(world.log.stream().filter(l -> l.equals("observe:b"))).hasSize(2);
        assertThat(world.log.stream().filter(l -> l.equals("observe:c"))).hasSize(1);
        assertThat(world.log.lastIndexOf("observe:b")).isGreaterThan(world.log.indexOf("end:a"));
    }

    @Test
    void savedPlanApply_usesWhatItsPreflightObserved_whenNothingUpstreamMovedIt() throws Exception {
        world.values.put("b", "v0");
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("a"), List.of(), List.of()),
                decl(fake, spec("b"), List.of(), List.of()));
        Plan plan = engine(2).plan(playbook(decls), graph(decls));
        Plan saved = new SavedPlan("test", "now", null, null, SavedPlan.entriesOf(plan)).plan();
        world.log.clear();

        Engine.ApplyResult r = engine(2).apply(playbook(decls), graph(decls), saved, false);

        assertThat(r.counts()).containsExactly(Map.entry(Outcome.Status.CHANGED, 2L));
        // Once before anything is touched (the preflight), once after its change (the check): never twice before.
        for (String id : List.of("a", "b")) {
            assertThat(world.log.stream().filter(l -> l.equals("observe:" + id))).hasSize(2);
            assertThat(world.log.indexOf("observe:" + id)).isLessThan(world.log.indexOf("start:a"))
                    .isLessThan(world.log.indexOf("start:b"));
        }
    }

    // ------------------------------------------------------------------ failures

    @Test
    void failingResource_skipsItsTransitiveDependents_namingIt_whileIndependentBranchesAreApplied() throws Exception {
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("broken").with(Flag.FAIL_APPLY), List.of(), List.of()),
                decl(fake, spec("child").with(Flag.TRAP), List.of("broken"), List.of()),
                decl(fake, spec("grandchild").with(Flag.TRAP), List.of("child"), List.of()),
                decl(fake, spec("both").with(Flag.TRAP), List.of("healthy", "grandchild"), List.of()),
                decl(fake, spec("healthy"), List.of(), List.of()),
                decl(fake, spec("after-healthy"), List.of("healthy"), List.of()));

        Engine.ApplyResult result = engine(4).apply(playbook(decls), graph(decls));

        assertThat(statuses(result)).containsExactly(
                Map.entry("broken", "FAILED: disk full"),
                Map.entry("child", "SKIPPED: dependency fake[broken] failed"),
                Map.entry("grandchild", "SKIPPED: dependency fake[broken] failed"),
                Map.entry("healthy", "CHANGED: "),
                Map.entry("both", "SKIPPED: dependency fake[broken] failed"),
                Map.entry("after-healthy", "CHANGED: "));
        assertThat(result.failed()).isTrue();
        assertThat(result.counts()).containsExactly(Map.entry(Outcome.Status.CHANGED, 2L),
                Map.entry(Outcome.Status.FAILED, 1L), Map.entry(Outcome.Status.SKIPPED, 3L));
        assertThat(world.trapped).isEmpty();
        // The apply plans first, in memory: each resource is observed once, before anything is
        // applied; a resource skipped because its dependency failed is not looked at again.
        assertThat(world.log).as("skipped resources are observed once, by the plan, and never again")
                .filteredOn(l -> l.endsWith(":child") || l.endsWith(":grandchild") || l.endsWith(":both"))
                .containsExactlyInAnyOrder("observe:child", "observe:grandchild", "observe:both");
        assertThat(world.log.indexOf("observe:both")).isLessThan(world.log.indexOf("start:broken"));
        assertThat(events.finished).hasSize(6);
    }

    @Test
    void batchedKind_whoseObservationAfterApplyThrows_failsThatResourceOnly_skipsItsDependents_andTheRestConverges()
            throws Exception {
        FakeType batched = new FakeType("pkg", false, world, true);
        List<ResourceDecl> decls = List.of(
                decl(batched, spec("a").with(Flag.CRASH_VERIFY), List.of(), List.of()),
                decl(batched, spec("b"), List.of(), List.of()),
                decl(fake, spec("after-a").with(Flag.TRAP), List.of("a"), List.of()),
                decl(fake, spec("after-b"), List.of("b"), List.of()),
                decl(fake, spec("alone"), List.of(), List.of()));

        Engine.ApplyResult result = engine(2).apply(playbook(decls), graph(decls));

        assertThat(world.log).as("a and b converged in one call").contains("batch:a,b");
        Map<String, String> statuses = statuses(result);
        assertThat(statuses.get("a")).startsWith("FAILED: bug in resource kind 'pkg': ").contains("verify exploded");
        assertThat(statuses).containsEntry("b", "CHANGED: ")
                .containsEntry("after-a", "SKIPPED: dependency pkg[a] failed")
                .containsEntry("after-b", "CHANGED: ")
                .containsEntry("alone", "CHANGED: ");
        assertThat(world.trapped).isEmpty();
        assertThat(result.failed()).isTrue();
        assertThat(events.finished).hasSize(5);
    }

    @Test
    void resourceWithSeveralFailedDependencies_namesTheFirstInGraphOrder_whateverFinishedFirst() throws Exception {
        // "late" fails only once "witness" was skipped, i.e. after "early" failed and was released.
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("late").with(Flag.FAIL_APPLY).afterFinishing("witness"), List.of(), List.of()),
                decl(fake, spec("early").with(Flag.FAIL_APPLY), List.of(), List.of()),
                decl(fake, spec("joined").with(Flag.TRAP), List.of("late", "early"), List.of()),
                decl(fake, spec("witness").with(Flag.TRAP), List.of("early"), List.of()));

        Engine.ApplyResult result = engine(2).apply(playbook(decls), graph(decls));

        assertThat(statuses(result)).containsExactly(
                Map.entry("late", "FAILED: disk full"),
                Map.entry("early", "FAILED: disk full"),
                Map.entry("joined", "SKIPPED: dependency fake[late] failed"),
                Map.entry("witness", "SKIPPED: dependency fake[early] failed"));
    }

    @Test
    void kindWhoseApplyDoesNotConverge_isFailed_asABugInTheKind() throws Exception {
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("stubborn").with(Flag.NO_CONVERGE), List.of(), List.of()),
                decl(fake, spec("next").with(Flag.TRAP), List.of("stubborn"), List.of()));

        Engine.ApplyResult result = engine(2).apply(playbook(decls), graph(decls));

        assertThat(statuses(result)).containsExactly(
                Map.entry("stubborn", "FAILED: bug in resource kind 'fake': after apply, fake[stubborn] still differs in value"),
                Map.entry("next", "SKIPPED: dependency fake[stubborn] failed"));
        assertThat(world.log).containsOnlyOnce("start:stubborn");
    }

    @Test
    void runtimeExceptionInApply_isFailed_asABugInTheKind_notACrash() throws Exception {
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("crashy").with(Flag.CRASH_APPLY), List.of(), List.of()),
                decl(fake, spec("fine"), List.of(), List.of()));

        Engine.ApplyResult result = engine(2).apply(playbook(decls), graph(decls));

        assertThat(statuses(result)).containsExactly(
                Map.entry("crashy", "FAILED: bug in resource kind 'fake': java.lang.IllegalStateException: apply exploded"),
                Map.entry("fine", "CHANGED: "));
        assertThat(events.warnings).singleElement().asString()
                .startsWith("stack trace of the failure in fake[crashy]:\njava.lang.IllegalStateException: apply exploded")
                .contains("at dev.mosaic.engine.EngineTest$FakeType.apply");
    }

    @Test
    void runtimeExceptionInObserve_failsThePlanEntry_andSkipsItsDependents() {
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("crashy").with(Flag.CRASH_OBSERVE), List.of(), List.of()),
                decl(fake, spec("after").with(Flag.TRAP), List.of("crashy"), List.of()),
                decl(fake, spec("fine"), List.of(), List.of()));

        Plan plan = engine(2).plan(playbook(decls), graph(decls));

        assertThat(plan.entries()).extracting(e -> e.address().id() + " " + e.status() + " " + e.action() + " " + e.error())
                .containsExactly(
                        "crashy FAILED NOOP bug in resource kind 'fake': java.lang.IllegalStateException: observe exploded",
                        "after SKIPPED NOOP fake[crashy] could not be planned",
                        "fine PLANNED CREATE ");
        assertThat(plan.hasErrors()).isTrue();
        assertThat(plan.summary()).containsEntry("failed", 1).containsEntry("skipped", 1).containsEntry("create", 1);
    }

    // ------------------------------------------------------------------ what is never applied

    @Test
    void plan_neverAppliesNorRefreshesAnything() {
        world.values.put("same", "v1");
        world.values.put("other", "old");
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("missing").with(Flag.TRAP), List.of(), List.of("svc")),
                decl(fake, spec("same").with(Flag.TRAP), List.of(), List.of()),
                decl(fake, spec("other").with(Flag.TRAP), List.of("same"), List.of()),
                decl(service, spec("svc").with(Flag.TRAP), List.of(), List.of()));
        world.values.put("svc", "v1");
        Map<String, String> before = Map.copyOf(world.values);

        Plan plan = engine(4).plan(playbook(decls), graph(decls));

        assertThat(plan.entries()).extracting(e -> e.address().id() + " " + e.action() + " " + e.status())
                .containsExactly("missing CREATE PLANNED", "same NOOP PLANNED", "other UPDATE PLANNED",
                        "svc REFRESH PLANNED");
        assertThat(plan.entries().get(2).diffs()).containsExactly(new Diff.Field("value", "old", "v1"));
        assertThat(plan.target()).isEqualTo("fake-host");
        assertThat(world.trapped).isEmpty();
        assertThat(world.refreshes).isEmpty();
        assertThat(world.values).isEqualTo(before);
        assertThat(world.log).allMatch(l -> l.startsWith("observe:"));
    }

    @Test
    void apply_neverAppliesResourcesThatAlreadyMatch() throws Exception {
        world.values.put("same", "v1");
        world.values.put("also-same", "v1");
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("same").with(Flag.TRAP), List.of(), List.of()),
                decl(fake, spec("changes"), List.of("same"), List.of()),
                decl(fake, spec("also-same").with(Flag.TRAP), List.of("changes"), List.of()));

        Engine.ApplyResult result = engine(2).apply(playbook(decls), graph(decls));

        assertThat(statuses(result)).containsExactly(Map.entry("same", "UNCHANGED: "),
                Map.entry("changes", "CHANGED: "), Map.entry("also-same", "UNCHANGED: "));
        assertThat(world.trapped).isEmpty();
        assertThat(events.started).extracting(Address::id).containsExactly("changes");
    }

    // ------------------------------------------------------------------ notify

    @Test
    void notifiedService_isRefreshedOnce_onlyWhenItsNotifiersChanged() throws Exception {
        world.values.put("daemon", "v1");
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("conf"), List.of(), List.of("daemon")),
                decl(fake, spec("unit"), List.of(), List.of("daemon")),
                decl(service, spec("daemon"), List.of(), List.of()));
        Playbook playbook = playbook(decls);
        ResourceGraph graph = graph(decls);

        PlannedChange planned = engine(3).plan(playbook, graph).entries().get(2);
        assertThat(planned.address().toString()).isEqualTo("service[daemon]");
        assertThat(planned.action()).isEqualTo(Action.REFRESH);
        assertThat(planned.cause()).isEqualTo(Cause.NOTIFIED);
        assertThat(planned.after()).extracting(Address::toString).containsExactly("fake[conf]", "fake[unit]");
        assertThat(world.refreshes).isEmpty();

        Engine.ApplyResult first = engine(3).apply(playbook, graph);
        assertThat(statuses(first)).containsEntry("daemon", "REFRESHED: notified by fake[conf], fake[unit]");
        assertThat(first.outcomes().get(2).cause()).isEqualTo(Cause.NOTIFIED);
        assertThat(world.refreshes).containsExactly(Map.entry("daemon", 1));

        // Nothing changed any more: no refresh planned, none done.
        PlannedChange again = engine(3).plan(playbook, graph).entries().get(2);
        assertThat(again.action()).isEqualTo(Action.NOOP);
        assertThat(again.after()).isEmpty();
        Engine.ApplyResult second = engine(3).apply(playbook, graph);
        assertThat(statuses(second)).containsEntry("daemon", "UNCHANGED: ");
        assertThat(world.refreshes).containsExactly(Map.entry("daemon", 1));
    }

    @Test
    void notifiedServiceWithAChangeOfItsOwn_isRefreshedToo_whenItsKindSaysItsChangeDidNotTakeTheNotifiersIn() throws Exception {
        world.values.put("daemon", "v0"); // its own change: v0 -> v1 (say, enabled), besides the notify
        world.values.put("rebuilt", "v0");
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("conf"), List.of(), List.of("daemon", "rebuilt")),
                decl(service, spec("daemon").with(Flag.REFRESH_AFTER_CHANGE), List.of(), List.of()),
                decl(service, spec("rebuilt"), List.of(), List.of()));

        Engine.ApplyResult result = engine(2).apply(playbook(decls), graph(decls));

        assertThat(statuses(result)).containsEntry("daemon", "CHANGED: and refreshed: notified by fake[conf]")
                .containsEntry("rebuilt", "CHANGED: ");
        assertThat(world.refreshes).as("a change that takes its notifiers in (a rebuild) needs no refresh besides")
                .containsExactly(Map.entry("daemon", 1));
        assertThat(StateStore.open(tmp.resolve("state")).refreshesOwed("service[daemon]")).isEmpty();
    }

    @Test
    void serviceThatOnlyRequiresAChangingResource_isNotRefreshed() throws Exception {
        world.values.put("daemon", "v1");
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("conf"), List.of(), List.of()),
                decl(service, spec("daemon"), List.of("conf"), List.of()));

        assertThat(engine(2).plan(playbook(decls), graph(decls)).entries().get(1).action()).isEqualTo(Action.NOOP);
        Engine.ApplyResult result = engine(2).apply(playbook(decls), graph(decls));

        assertThat(statuses(result)).containsEntry("daemon", "UNCHANGED: ");
        assertThat(world.refreshes).isEmpty();
    }

    @Test
    void notifiedServiceWhoseNotifierFailed_isSkipped_notRefreshed() throws Exception {
        world.values.put("daemon", "v1");
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("conf").with(Flag.FAIL_APPLY), List.of(), List.of("daemon")),
                decl(service, spec("daemon"), List.of(), List.of()));

        Engine.ApplyResult result = engine(2).apply(playbook(decls), graph(decls));

        assertThat(statuses(result)).containsEntry("daemon", "SKIPPED: dependency fake[conf] failed");
        assertThat(world.refreshes).isEmpty();
    }

    @Test
    void refreshNotDone_isOwedByTheNextRun_evenThoughItsNotifierNoLongerChanges() throws Exception {
        world.values.put("daemon", "v1");
        List<ResourceDecl> dying = List.of(
                decl(fake, spec("conf"), List.of(), List.of("daemon")),
                decl(service, spec("daemon").with(Flag.FAIL_REFRESH), List.of(), List.of()));
        Engine.ApplyResult first = engine(2).apply(playbook(dying), graph(dying));
        assertThat(statuses(first)).containsEntry("conf", "CHANGED: ").containsEntry("daemon", "FAILED: reload failed");
        assertThat(tmp.resolve("state/refresh.journal")).exists();

        List<ResourceDecl> decls = List.of(
                decl(fake, spec("conf"), List.of(), List.of("daemon")),
                decl(service, spec("daemon"), List.of(), List.of()));
        PlannedChange owed = engine(2).plan(playbook(decls), graph(decls)).entries().get(1);
        assertThat(owed.action()).isEqualTo(Action.REFRESH);
        assertThat(owed.after()).extracting(Address::toString).containsExactly("fake[conf]");
        assertThat(engine(2).plan(playbook(decls), graph(decls)).entries().get(0).action()).isEqualTo(Action.NOOP);

        Engine.ApplyResult second = engine(2).apply(playbook(decls), graph(decls));
        assertThat(statuses(second)).containsEntry("conf", "UNCHANGED: ")
                .containsEntry("daemon", "REFRESHED: notified by fake[conf]");
        assertThat(world.refreshes).containsExactly(Map.entry("daemon", 1));
        assertThat(tmp.resolve("state/refresh.journal")).doesNotExist();

        Engine.ApplyResult third = engine(2).apply(playbook(decls), graph(decls));
        assertThat(statuses(third)).containsEntry("daemon", "UNCHANGED: ");
        assertThat(world.refreshes).containsExactly(Map.entry("daemon", 1));
    }

    @Test
    void targetedApply_leavesTheRefreshOfANotifiedServiceOutsideIt_owedToTheNextWholeRun() throws Exception {
        world.values.put("daemon", "v1");
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("conf"), List.of(), List.of("daemon")),
                decl(service, spec("daemon"), List.of(), List.of()));
        ResourceGraph whole = graph(decls);
        ResourceGraph onlyConf = dev.mosaic.graph.Targets.select(whole, List.of("fake[conf]"));

        Engine.ApplyResult targeted = engine(2).apply(playbook(decls), onlyConf);
        assertThat(statuses(targeted)).containsExactly(Map.entry("conf", "CHANGED: "));
        assertThat(world.refreshes).as("the service is not part of the selection").isEmpty();

        PlannedChange owed = engine(2).plan(playbook(decls), whole).entries().get(1);
        assertThat(owed.action()).isEqualTo(Action.REFRESH);
        assertThat(owed.after()).extracting(Address::toString).containsExactly("fake[conf]");
        Engine.ApplyResult next = engine(2).apply(playbook(decls), whole);
        assertThat(statuses(next)).containsEntry("conf", "UNCHANGED: ")
                .containsEntry("daemon", "REFRESHED: notified by fake[conf]");
    }

    @Test
    void refreshOwed_isJournaledBeforeTheNotifierChanges() throws Exception {
        world.values.put("daemon", "v1");
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("conf").with(Flag.CRASH_APPLY), List.of(), List.of("daemon")),
                decl(service, spec("daemon"), List.of(), List.of()));
        // The notifier dies while changing: whether its change happened or not, the refresh stays owed.
        engine(2).apply(playbook(decls), graph(decls));
        assertThat(StateStore.open(tmp.resolve("state")).refreshesOwed("service[daemon]")).containsExactly("fake[conf]");
    }

    // ------------------------------------------------------------------ causes

    @Test
    void causes_tellNewFromConfigChangedFromDrift_throughTheStateStore() throws Exception {
        Path stateDir = tmp.resolve("state");
        List<ResourceDecl> v1 = List.of(decl(fake, spec("motd"), List.of(), List.of()));

        assertThat(onlyEntry(engine(1, stateDir).plan(playbook(v1), graph(v1))).cause()).isEqualTo(Cause.NEW);
        Engine.ApplyResult applied = engine(1, stateDir).apply(playbook(v1), graph(v1));
        assertThat(applied.outcomes().get(0).cause()).isEqualTo(Cause.NEW);
        assertThat(stateDir.resolve("state.json")).exists();
        assertThat(stateDir.resolve("state.journal")).doesNotExist();

        // Converged: nothing to do, no cause.
        PlannedChange converged = onlyEntry(engine(1, stateDir).plan(playbook(v1), graph(v1)));
        assertThat(converged.action()).isEqualTo(Action.NOOP);
        assertThat(converged.cause()).isEqualTo(Cause.NONE);

        // Someone edited the target behind Mosaic's back.
        world.values.put("motd", "tampered");
        PlannedChange drift = onlyEntry(engine(1, stateDir).plan(playbook(v1), graph(v1)));
        assertThat(drift.action()).isEqualTo(Action.UPDATE);
        assertThat(drift.cause()).isEqualTo(Cause.DRIFT);

        // The playbook asks for something else.
        List<ResourceDecl> v2 = List.of(decl(fake, spec("motd").value("v2"), List.of(), List.of()));
        assertThat(onlyEntry(engine(1, stateDir).plan(playbook(v2), graph(v2))).cause()).isEqualTo(Cause.CONFIG_CHANGED);

        // A state directory of another target knows nothing: new.
        assertThat(onlyEntry(engine(1, tmp.resolve("elsewhere")).plan(playbook(v1), graph(v1))).cause())
                .isEqualTo(Cause.NEW);
    }

    @Test
    void applyThatChangesNothing_leavesTheStateAsItWas() throws Exception {
        Path stateDir = tmp.resolve("state");
        List<ResourceDecl> decls = List.of(decl(fake, spec("motd"), List.of(), List.of()),
                decl(fake, spec("issue"), List.of("motd"), List.of()));
        engine(2, stateDir).apply(playbook(decls), graph(decls));
        String converged = Files.readString(stateDir.resolve("state.json"));
        assertThat(converged).contains("\"fake[motd]\"", "\"fake[issue]\"", "\"motd=v1\"");

        Engine.ApplyResult again = engine(2, stateDir).apply(playbook(decls), graph(decls));

        assertThat(again.outcomes()).allMatch(o -> o.status() == Outcome.Status.UNCHANGED);
        assertThat(Files.readString(stateDir.resolve("state.json")))
                .as("the state records when each resource was last converged, not last seen")
                .isEqualTo(converged);
    }

    @Test
    void changedInput_outsideThePlaybook_isAConfigChange_notDrift() throws Exception {
        Path stateDir = tmp.resolve("state");
        world.values.put("template", "hello");
        List<ResourceDecl> decls = List.of(decl(fake, spec("motd").input("template"), List.of(), List.of()));
        engine(1, stateDir).apply(playbook(decls), graph(decls));

        world.values.put("motd", "edited");
        assertThat(onlyEntry(engine(1, stateDir).plan(playbook(decls), graph(decls))).cause()).isEqualTo(Cause.DRIFT);

        world.values.put("template", "bonjour");
        assertThat(onlyEntry(engine(1, stateDir).plan(playbook(decls), graph(decls))).cause())
                .isEqualTo(Cause.CONFIG_CHANGED);
    }

    // ------------------------------------------------------------------ deferred

    @Test
    void plan_defersAResourceWhoseObservationFails_whileAnUpstreamHasAChange() {
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("build"), List.of(), List.of()),
                decl(fake, spec("install").needing("build"), List.of("build"), List.of()),
                decl(fake, spec("publish").needing("install"), List.of("install"), List.of()));

        Plan plan = engine(3).plan(playbook(decls), graph(decls));

        assertThat(plan.entries()).extracting(e -> e.address().id() + " " + e.status() + " " + e.action()
                        + " after " + e.after() + ": " + e.error())
                .containsExactly(
                        "build PLANNED CREATE after []: ",
                        "install DEFERRED NOOP after [fake[build]]: needs build, which does not exist",
                        "publish DEFERRED NOOP after [fake[install]]: needs install, which does not exist");
        assertThat(plan.hasChanges()).isTrue();
        assertThat(plan.hasErrors()).isFalse();
        assertThat(plan.summary()).containsEntry("deferred", 2).containsEntry("create", 1);
    }

    @Test
    void plan_failsAResourceWhoseObservationFails_whenNothingUpstreamChanges() {
        world.values.put("build", "v1");
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("build"), List.of(), List.of()),
                decl(fake, spec("install").needing("nowhere"), List.of("build"), List.of()));

        Plan plan = engine(2).plan(playbook(decls), graph(decls));

        assertThat(plan.entries().get(1).status()).isEqualTo(PlannedChange.Status.FAILED);
        assertThat(plan.entries().get(1).error()).isEqualTo("needs nowhere, which does not exist");
        assertThat(plan.hasErrors()).isTrue();
    }

    @Test
    void apply_convergesWhatThePlanDeferred_onceTheUpstreamChanged() throws Exception {
        List<ResourceDecl> decls = List.of(
                decl(fake, spec("build"), List.of(), List.of()),
                decl(fake, spec("install").needing("build"), List.of("build"), List.of()));

        Engine.ApplyResult result = engine(2).apply(playbook(decls), graph(decls));

        assertThat(statuses(result)).containsExactly(Map.entry("build", "CHANGED: "), Map.entry("install", "CHANGED: "));
    }

    // ================================================================== fakes and helpers

    enum Flag {
        /** refresh throws a ResourceException, as if the run died before the refresh was done. */
        FAIL_REFRESH,
        /** A change of its own does not take in what its notifiers changed (a service only enabled). */
        REFRESH_AFTER_CHANGE,
        /** Applying it is a test failure. */
        TRAP,
        /** apply throws a ResourceException. */
        FAIL_APPLY,
        /** apply throws an IllegalStateException. */
        CRASH_APPLY,
        /** observe throws an IllegalStateException. */
        CRASH_OBSERVE,
        /** observe throws an IllegalStateException once the value is there: when it is observed again after apply. */
        CRASH_VERIFY,
        /** apply does nothing. */
        NO_CONVERGE,
        /** apply waits at the world's barrier. */
        BARRIER
    }

    /**
     * A fake resource: world[key] must equal value. {@code needs}: a key that must exist for observe
     * to work; {@code input}: a key whose value is an input outside the playbook.
     */
    record Spec(String id, String key, String value, Set<Flag> flags, String needs, String input, String after) {
        Spec with(Flag... more) {
            Set<Flag> f = flags.isEmpty() ? EnumSet.noneOf(Flag.class) : EnumSet.copyOf(flags);
            f.addAll(Arrays.asList(more));
            return new Spec(id, key, value, f, needs, input, after);
        }

        Spec value(String v) {
            return new Spec(id, key, v, flags, needs, input, after);
        }

        Spec needing(String k) {
            return new Spec(id, key, value, flags, k, input, after);
        }

        Spec input(String k) {
            return new Spec(id, key, value, flags, needs, k, after);
        }

        /** apply first waits until the engine reported resource {@code other} finished. */
        Spec afterFinishing(String other) {
            return new Spec(id, key, value, flags, needs, input, other);
        }
    }

    static Spec spec(String id) {
        return new Spec(id, id, "v1", Set.of(), null, null, null);
    }

    record Observed(String value, String input) {
    }

    /** The fake target: values by key, and a log of what the engine made the fakes do. */
    static final class World {
        final Map<String, String> values = new ConcurrentHashMap<>();
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        final List<String> trapped = Collections.synchronizedList(new ArrayList<>());
        final Map<String, Integer> refreshes = new ConcurrentHashMap<>();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        final Map<String, CountDownLatch> finished = new ConcurrentHashMap<>();
        volatile CyclicBarrier barrier;

        CountDownLatch finished(String id) {
            return finished.computeIfAbsent(id, k -> new CountDownLatch(1));
        }
    }

    static final class FakeType implements ResourceType<Spec, Observed> {
        private final String kind;
        private final boolean refreshable;
        private final World world;

        /** Whether resources of this kind are converged in batches (all of a wave in one call). */
        private final boolean batched;

        FakeType(String kind, boolean refreshable, World world) {
            this(kind, refreshable, world, false);
        }

        FakeType(String kind, boolean refreshable, World world, boolean batched) {
            this.kind = kind;
            this.refreshable = refreshable;
            this.world = world;
            this.batched = batched;
        }

        @Override
        public String batchKey(Spec spec) {
            return batched ? "all" : null;
        }

        @Override
        public void applyBatch(List<Spec> specs, List<Change> changes, Context ctx) throws IOException, ResourceException {
            world.log.add("batch:" + specs.stream().map(Spec::id).collect(Collectors.joining(",")));
            for (int i = 0; i < specs.size(); i++) {
                apply(specs.get(i), changes.get(i), ctx);
            }
        }

        @Override
        public String kind() {
            return kind;
        }

        @Override
        public String summary() {
            return "a fake for engine tests";
        }

        @Override
        public Spec parse(SpecReader reader) {
            throw new UnsupportedOperationException("fakes are declared directly");
        }

        @Override
        public Observed observe(Spec spec, Context ctx) throws ResourceException {
            world.log.add("observe:" + spec.id());
            if (spec.flags().contains(Flag.CRASH_OBSERVE)) {
                throw new IllegalStateException("observe exploded");
            }
            if (spec.flags().contains(Flag.CRASH_VERIFY) && world.values.containsKey(spec.key())) {
                throw new IllegalStateException("verify exploded");
            }
            if (spec.needs() != null && !world.values.containsKey(spec.needs())) {
                throw new ResourceException("needs " + spec.needs() + ", which does not exist");
            }
            return new Observed(world.values.get(spec.key()), spec.input() == null ? "" : world.values.get(spec.input()));
        }

        @Override
        public Change diff(Spec spec, Observed observed) {
            if (observed.value() == null) {
                return new Change(Action.CREATE, List.of(new Diff.Field("value", null, spec.value())));
            }
            return Change.of(Action.UPDATE, observed.value().equals(spec.value()) ? List.of()
                    : List.of(new Diff.Field("value", observed.value(), spec.value())));
        }

        @Override
        public void apply(Spec spec, Change change, Context ctx) throws ResourceException, InterruptedIOException {
            int now = world.running.incrementAndGet();
            world.maxRunning.accumulateAndGet(now, Math::max);
            world.log.add("start:" + spec.id());
            try {
                if (spec.after() != null && !world.finished(spec.after()).await(20, TimeUnit.SECONDS)) {
                    throw new ResourceException(spec.after() + " never finished");
                }
                if (spec.flags().contains(Flag.TRAP)) {
                    world.trapped.add(spec.id());
                    throw new AssertionError("the engine applied trap resource " + spec.id());
                }
                if (spec.flags().contains(Flag.FAIL_APPLY)) {
                    throw new ResourceException("disk full");
                }
                if (spec.flags().contains(Flag.CRASH_APPLY)) {
                    throw new IllegalStateException("apply exploded");
                }
                if (spec.flags().contains(Flag.BARRIER)) {
                    try {
                        world.barrier.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                        throw new ResourceException(spec.id() + " was never applied together with another resource");
                    }
                }
                if (!spec.flags().contains(Flag.NO_CONVERGE)) {
                    world.values.put(spec.key(), spec.value());
                }
                Thread.yield();
            } catch (InterruptedException e) {
                throw new InterruptedIOException("interrupted");
            } finally {
                world.log.add("end:" + spec.id());
                world.running.decrementAndGet();
            }
        }

        @Override
        public String inputDigest(Spec spec, Observed observed) {
            return observed.input() == null ? "" : observed.input();
        }

        @Override
        public Set<Capability> capabilities() {
            return refreshable ? Set.of(Capability.REFRESHABLE) : Set.of();
        }

        @Override
        public boolean refreshAfter(Spec spec, Change change) {
            return spec.flags().contains(Flag.REFRESH_AFTER_CHANGE);
        }

        @Override
        public void refresh(Spec spec, Context ctx) throws ResourceException {
            if (spec.flags().contains(Flag.FAIL_REFRESH)) {
                throw new ResourceException("reload failed");
            }
            if (spec.flags().contains(Flag.TRAP)) {
                world.trapped.add("refresh:" + spec.id());
            }
            world.log.add("refresh:" + spec.id());
            world.refreshes.merge(spec.id(), 1, Integer::sum);
        }
    }

    /** Records what the engine reports; called from worker threads. */
    final class Recorder implements Events {
        final List<Address> started = Collections.synchronizedList(new ArrayList<>());
        final List<Outcome> finished = Collections.synchronizedList(new ArrayList<>());
        final List<String> warnings = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void started(Address address, PlannedChange planned) {
            started.add(address);
        }

        @Override
        public void finished(Outcome outcome) {
            finished.add(outcome);
            world.finished(outcome.address().id()).countDown();
        }

        @Override
        public void warning(String message) {
            warnings.add(message);
        }
    }

    /** A host the fakes never touch: any call but name() is a test failure. */
    static Host fakeHost() {
        return (Host) Proxy.newProxyInstance(Host.class.getClassLoader(), new Class<?>[] {Host.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "name", "toString" -> "fake-host";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new AssertionError("fake resources never use the host, yet " + method.getName()
                            + " was called");
                });
    }

    private Engine engine(int jobs) {
        return engine(jobs, tmp.resolve("state"));
    }

    private Engine engine(int jobs, Path stateDir) {
        Host host = fakeHost();
        return new Engine(host, host, StateStore.open(stateDir), events, jobs);
    }

    private int line = 1;

    private ResourceDecl decl(FakeType type, Spec spec, List<String> requires, List<String> notify) {
        SourcePos pos = new SourcePos("fake.yaml", line++, 3);
        return new ResourceDecl(Address.of(type.kind(), spec.id()), spec.id(), new Bound<>(type, spec), pos,
                requires.stream().map(r -> new Ref(r, pos)).toList(),
                notify.stream().map(r -> new Ref(r, pos)).toList(),
                "", spec.key() + "=" + spec.value());
    }

    private Playbook playbook(List<ResourceDecl> decls) {
        return new Playbook(tmp.resolve("fake.yaml"), "fake", tmp, Map.of(), decls, "digest");
    }

    private static ResourceGraph graph(List<ResourceDecl> decls) {
        Diagnostics diags = new Diagnostics();
        ResourceGraph g = GraphBuilder.build(new Playbook(Path.of("fake.yaml"), "fake", Path.of("."), Map.of(), decls, "d"),
                diags);
        assertThat(diags.sorted()).extracting(Diagnostic::render).isEmpty();
        return g;
    }

    private static PlannedChange onlyEntry(Plan plan) {
        assertThat(plan.entries()).hasSize(1);
        return plan.entries().get(0);
    }

    /** id -> "STATUS: message", in graph order. */
    private static Map<String, String> statuses(Engine.ApplyResult result) {
        Map<String, String> out = new LinkedHashMap<>();
        result.outcomes().forEach(o -> out.put(o.address().id(), o.status() + ": " + o.message()));
        return out;
    }
}
