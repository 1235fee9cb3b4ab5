package dev.mosaic.property;

import dev.mosaic.e2e.Cli;
import dev.mosaic.property.Model.Scenario;
import dev.mosaic.state.StateStore;
import dev.mosaic.testing.TreeSnapshot;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.statistics.Statistics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Convergence after {@code kill -9}: version 1 of a generated playbook is applied into two roots;
 * in the first, {@code apply} of version 2 runs in a separate JVM and is killed with SIGKILL after
 * a generated delay (spread over its start and its work), then applied again to the end; in the
 * second, version 2 is applied without interruption. Both roots then hold the same tree (type,
 * permission bits, content, link targets), Mosaic's state agrees (per address the config and input
 * digests; the same paths recorded as created), no refresh is
 * owed, and a plan finds nothing to do.
 *
 * <p>A separate JVM per try makes this the slow property: few tries, seeded like the others
 * ({@link Seeded}); not shrunk, since timing is part of each try.
 */
@AddLifecycleHook(value = Seeded.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
class KillPropertyTest {

    private static final int KILLED_BY_SIGKILL = 137;
    /**
     * One resource at a time in every run: with several, which resource first creates a shared
     * parent such as /srv (and so holds it in created.json) depends on thread timing, and a
     * resource removed while that parent stays (not empty) takes the record with it. The two
     * roots would then differ by that timing, not by the kill.
     */
    private static final String[] JOBS = {"--jobs", "1"};

    private static final Workspace WORKSPACE = new Workspace();

    @AfterContainer
    static void deleteWorkspace() throws IOException {
        WORKSPACE.deleteAll();
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        return Generators.undisturbed();
    }

    @Property(tries = 20, seed = "20261216", shrinking = ShrinkingMode.OFF)
    void an_apply_killed_at_a_random_moment_then_applied_again_ends_as_an_uninterrupted_one(
            @ForAll("scenarios") Scenario s, @ForAll @IntRange(min = 0, max = 6) int afterEvents,
            @ForAll @IntRange(min = 0, max = 1500) int delayMillis)
            throws IOException, InterruptedException {
        Path dir = WORKSPACE.newTry();
        try {
            Path killed = dir.resolve("killed");
            Path reference = dir.resolve("reference");
            Project project = new Project(dir.resolve("project"));
            String y1 = project.write(s.version(1));
            Runs.apply(killed, project.playbook(), "apply of version 1:\n" + y1, JOBS);
            Runs.apply(reference, project.playbook(), "apply of version 1:\n" + y1, JOBS);
            String y2 = project.write(s.version(2));
            // The kill lands a delay after the JVM starts, or a shorter one after the apply reported
            // its n-th event (a resource started or finished): both spread kills over the work
            // whatever the machine's speed.
            String when = afterEvents == 0 ? delayMillis + " ms after the start"
                    : delayMillis / 10 + " ms after event " + afterEvents;
            String what = "version 1:\n" + y1 + "version 2:\n" + y2 + "killed " + when;

            Cli.Running running = Cli.in(dir).start("apply", "--json", "--allow-delete", JOBS[0], JOBS[1], "--root", killed.toString(),
                    project.playbook().toString());
            if (afterEvents == 0) {
                Thread.sleep(delayMillis);
            } else {
                running.awaitStdout(out -> out.lines().count() >= afterEvents, Cli.DEFAULT_TIMEOUT);
                Thread.sleep(delayMillis / 10);
            }
            Cli.Result k = running.kill();
            assertThat(k.exitCode()).as("the killed apply, %s: %s", what, k).isIn(0, KILLED_BY_SIGKILL);
            long events = k.stdoutLines().stream().filter(l -> l.startsWith("{\"event\":\"finished\"")).count();
            Statistics.label("kill").collect(k.exitCode() != KILLED_BY_SIGKILL ? "after the apply ended"
                    : events == 0 ? "before any resource finished" : "after some resources finished");

            Runs.apply(killed, project.playbook(), "apply after the kill, " + what, JOBS);
            Runs.apply(reference, project.playbook(), "uninterrupted apply of " + what, JOBS);

            assertThat(tree(killed)).as("the tree after the kill and an apply, against an uninterrupted apply; %s", what)
                    .isEqualTo(tree(reference));
            assertThat(digests(killed)).as("the state after the kill and an apply, against an uninterrupted apply; %s", what)
                    .isEqualTo(digests(reference));
            // A path the killed run made before recording it is recovered from its history journal.
            assertThat(created(killed)).as("paths Mosaic recorded as created, %s", what).isEqualTo(created(reference));
            assertThat(killed.resolve("var/lib/mosaic/refresh.journal")).as("refreshes owed, %s", what).doesNotExist();
            Cli.Result plan = Cli.inProcess("plan", "--detailed-exitcode", "--root", killed.toString(),
                    project.playbook().toString());
            assertThat(plan.exitCode()).as("a plan after the kill and an apply, %s: %s", what, plan).isZero();
        } finally {
            Project.deleteTree(dir);
        }
    }

    /** Type, permission bits, content or link target of every path the playbook manages (all below srv/). */
    private static List<String> tree(Path root) throws IOException {
        return TreeSnapshot.shape(root).stream().filter(l -> !l.startsWith("var")).toList();
    }

    /** What Mosaic remembers per address, without times: config and input digests, on_remove. */
    private static List<String> digests(Path root) {
        StateStore store = StateStore.open(root.resolve("var/lib/mosaic"));
        List<String> lines = new ArrayList<>();
        for (String address : store.addresses()) {
            store.get(address).ifPresent(e -> lines.add(address + " config=" + e.config() + " inputs=" + e.inputs()
                    + " keep=" + e.keep()));
        }
        return lines;
    }

    /** Every path Mosaic recorded as created, whichever resource holds it. */
    private static TreeSet<String> created(Path root) {
        StateStore store = StateStore.open(root.resolve("var/lib/mosaic"));
        TreeSet<String> created = new TreeSet<>();
        store.addresses().forEach(a -> created.addAll(store.created(a)));
        return created;
    }
}
