package dev.mosaic.property;

import dev.mosaic.property.Model.Scenario;
import dev.mosaic.testing.TreeSnapshot;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.statistics.Statistics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Convergence as properties, on generated playbooks (files, directories, links, copies, archives,
 * builds, notifies, a module; see {@link Generators}) applied into a fresh {@code --root}: version
 * 1 is applied, the target is edited by hand (drift), then version 2 is planned and applied.
 *
 * <ul>
 * <li>After that, a second apply changes nothing and writes nothing: the whole root, Mosaic's
 * state directory included, is the same to the nanosecond of every mtime (the apply lock aside).
 * <li>The plan lists exactly what the apply then does: the same addresses with the same actions.
 * </ul>
 *
 * Seeded: a failure names its seed and the command replaying it ({@link Seeded}). In-process
 * ({@code Main.run}), so each try costs a few engine runs, not JVM starts.
 */
@AddLifecycleHook(value = Seeded.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
class ConvergencePropertiesTest {

    private static final Workspace WORKSPACE = new Workspace();

    @AfterContainer
    static void deleteWorkspace() throws IOException {
        WORKSPACE.deleteAll();
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        return Generators.scenarios();
    }

    @Property(tries = 260, seed = "20261214")
    void a_second_apply_changes_nothing_and_writes_nothing(@ForAll("scenarios") Scenario s) throws IOException {
        Path dir = WORKSPACE.newTry();
        try {
            Path root = dir.resolve("root");
            Project project = new Project(dir.resolve("project"));
            String y1 = project.write(s.version(1));
            Runs.apply(root, project.playbook(), "apply of version 1:\n" + y1);
            Project.drift(root, s.version(1), s.drift());
            String y2 = project.write(s.version(2));
            String what = "version 1:\n" + y1 + "drift " + s.drift() + "\nversion 2:\n" + y2;
            Runs.Applied converge = Runs.apply(root, project.playbook(), "apply of version 2 after " + what);
            Statistics.label("resources changed by the apply of version 2").collect(bucket(converge.outcomes().size()));

            List<String> before = snapshot(root);
            Runs.Applied again = Runs.apply(root, project.playbook(), "second apply of " + what);
            List<String> after = snapshot(root);

            assertThat(again.outcomes()).as("the second apply's outcomes, %s\n%s", what, again.result()).isEmpty();
            assertThat(again.summary().get("changed").asInt() + again.summary().get("refreshed").asInt())
                    .as("changed + refreshed in the recap of the second apply, %s", what).isZero();
            assertThat(Runs.difference(before, after)).as("what the second apply wrote, %s", what).isEmpty();
        } finally {
            Project.deleteTree(dir);
        }
    }

    @Property(tries = 260, seed = "20261215")
    void plan_lists_exactly_what_apply_then_does(@ForAll("scenarios") Scenario s) throws IOException {
        Path dir = WORKSPACE.newTry();
        try {
            Path root = dir.resolve("root");
            Project project = new Project(dir.resolve("project"));
            String y1 = project.write(s.version(1));
            Runs.apply(root, project.playbook(), "apply of version 1:\n" + y1);
            Project.drift(root, s.version(1), s.drift());
            String y2 = project.write(s.version(2));
            String what = "version 1:\n" + y1 + "drift " + s.drift() + "\nversion 2:\n" + y2;

            Runs.Planned plan = Runs.plan(root, project.playbook(), "plan of " + what);
            Runs.Applied apply = Runs.apply(root, project.playbook(), "apply of " + what);

            List<String> mismatches = new ArrayList<>();
            Set<String> addresses = new TreeSet<>(plan.changes().keySet());
            addresses.addAll(apply.outcomes().keySet());
            for (String address : addresses) {
                String planned = plan.changes().getOrDefault(address, "");
                String applied = apply.outcomes().getOrDefault(address, "");
                // A refresh is reported by its status ("refreshed"), its action being the no-op diff
                // the resource had; the plan names it by its action ("refresh").
                String did = applied.isEmpty() ? "nothing" : applied.endsWith(" refreshed") ? "refresh" : applied.split(" ")[0];
                String will = planned.isEmpty() ? "nothing" : planned.split(" ")[0];
                boolean agree;
                if (planned.contains(" deferred")) {
                    // Evaluated at apply by design ("known after apply"): anything.
                    agree = true;
                    Statistics.label("latitude").collect("deferred");
                } else if (planned.endsWith(" input changed")) {
                    // Something it reads changes first; whether its own input digest moves is known
                    // only then (early cutoff): it is updated, or left alone, or only refreshed.
                    agree = List.of("update", "nothing", "refresh").contains(did);
                    Statistics.label("latitude").collect("input changed: " + did);
                } else if (will.equals("refresh")) {
                    // It runs either way; when its own inputs changed too, the run is an update.
                    agree = did.equals("refresh") || did.equals("update");
                    Statistics.label("latitude").collect("refresh: " + did);
                } else {
                    agree = did.equals(will);
                }
                if (!agree) {
                    mismatches.add(address + ": plan " + (planned.isEmpty() ? "nothing" : planned) + ", apply " + did);
                }
            }
            Statistics.label("changes planned").collect(bucket(plan.changes().size()));
            assertThat(mismatches).as("what apply did against what plan listed, %s\n-- plan:\n%s\n-- apply:\n%s",
                    what, plan.result().stdout(), apply.result().stdout()).isEmpty();
        } finally {
            Project.deleteTree(dir);
        }
    }

    /**
     * The root's snapshot without the apply lock (taking it is the one write an apply must make)
     * and the stat cache: a file hashed within two seconds of its mtime is not trusted yet, and the
     * run that finds it old enough records it as trusted — a wanted write, whose timing depends on
     * the machine's load, not on the playbook.
     */
    static List<String> snapshot(Path root) throws IOException {
        return TreeSnapshot.of(root).stream()
                .filter(l -> !l.startsWith("var/lib/mosaic dir ") && !l.startsWith("var/lib/mosaic/apply.lock ")
                        && !l.startsWith("var/lib/mosaic/statcache.bin "))
                .toList();
    }

    private static String bucket(int n) {
        return n == 0 ? "0" : n <= 3 ? "1-3" : n <= 7 ? "4-7" : "8+";
    }
}
