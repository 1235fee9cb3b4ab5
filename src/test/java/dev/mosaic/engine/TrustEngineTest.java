package dev.mosaic.engine;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.graph.GraphBuilder;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.host.LocalHost;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.PlaybookLoader;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Kinds;
import dev.mosaic.resource.copy.CopyType;
import dev.mosaic.resource.directory.DirectoryType;
import dev.mosaic.resource.file.FileType;
import dev.mosaic.state.History;
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
 * Saved plans, removals and backups against real file, directory and copy kinds in a sandbox
 * root: what the engine refuses, deletes, keeps, and puts back.
 */
class TrustEngineTest {

    @TempDir
    Path tmp;

    private Path root;
    private Path stateDir;
    private Path playbookFile;

    @BeforeEach
    void dirs() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        stateDir = root.resolve("var/lib/mosaic");
        playbookFile = Files.createDirectories(tmp.resolve("pb")).resolve("site.yml");
    }

    private Playbook load(String yaml) throws IOException {
        Files.writeString(playbookFile, yaml);
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
        return new Engine(new LocalHost(root), new LocalHost(Path.of("/")), StateStore.open(stateDir), Events.NONE, 2,
                tmp.resolve("cache"));
    }

    /** The plan as a saved file keeps it: fingerprints, no observations. */
    private Plan saved(Plan plan) {
        return new SavedPlan("test", "now", null, null, SavedPlan.entriesOf(plan)).plan();
    }

    private static Outcome outcome(Engine.ApplyResult r, String address) {
        return r.outcomes().stream().filter(o -> o.address().toString().equals(address)).findFirst().orElseThrow();
    }

    private String read(String path) throws IOException {
        return Files.readString(root.resolve(path.substring(1)));
    }

    private void write(String path, String content) throws IOException {
        Path p = root.resolve(path.substring(1));
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private static final String THREE = """
            resources:
              a: { type: file, path: /etc/a, content: "a\\n" }
              b: { type: file, path: /etc/b, content: "b\\n", requires: [a] }
              c: { type: file, path: /etc/c, content: "c\\n" }
              quiet: { type: file, path: /etc/quiet, content: "quiet\\n" }
            """;

    // ------------------------------------------------------------------ saved plans

    @Test
    void savedApply_resourceMovedSincePlan_isRefusedAsStale_dependentsSkipped_restApplied() throws Exception {
        write("/etc/quiet", "quiet\n");
        Playbook p = load(THREE);
        Plan plan = engine().plan(p, graph(p));
        write("/etc/a", "someone was here\n");

        Engine.ApplyResult r = engine().apply(p, graph(p), saved(plan), false);

        assertThat(outcome(r, "file[a]").status()).isEqualTo(Outcome.Status.STALE);
        assertThat(outcome(r, "file[a]").message()).contains("content: absent at plan time, now 17 B sha256:");
        assertThat(outcome(r, "file[b]").status()).isEqualTo(Outcome.Status.SKIPPED);
        assertThat(outcome(r, "file[b]").message()).isEqualTo("dependency file[a] is stale");
        assertThat(outcome(r, "file[c]").status()).isEqualTo(Outcome.Status.CHANGED);
        assertThat(read("/etc/a")).isEqualTo("someone was here\n");
        assertThat(root.resolve("etc/b")).doesNotExist();
        assertThat(read("/etc/c")).isEqualTo("c\n");
        assertThat(r.stale()).isTrue();
        assertThat(r.failed()).isFalse();
    }

    @Test
    void savedApply_resourceWithoutChangeInPlan_isLeftAlone_evenWhenItDriftedSince() throws Exception {
        write("/etc/quiet", "quiet\n");
        Playbook p = load(THREE);
        Plan plan = engine().plan(p, graph(p));
        assertThat(SavedPlan.entriesOf(plan)).extracting(e -> e.address().toString())
                .containsExactly("file[a]", "file[b]", "file[c]");
        write("/etc/quiet", "drifted after the plan\n");

        Engine.ApplyResult r = engine().apply(p, graph(p), saved(plan), false);

        assertThat(outcome(r, "file[quiet]").status()).isEqualTo(Outcome.Status.UNCHANGED);
        assertThat(read("/etc/quiet")).isEqualTo("drifted after the plan\n");
        assertThat(read("/etc/b")).isEqualTo("b\n");
        assertThat(r.stale()).isFalse();
    }

    @Test
    void plan_fingerprint_isStableForTheSameTarget_andNamesControlInputs() throws Exception {
        Files.writeString(playbookFile.resolveSibling("motd"), "hello\n");
        Playbook p = load("resources:\n  motd: { type: file, path: /etc/motd, source: motd }\n");
        Engine e = engine();
        Plan one = e.plan(p, graph(p));
        Plan two = engine().plan(p, graph(p));

        assertThat(one.entries().get(0).seen().digest()).isEqualTo(two.entries().get(0).seen().digest());
        assertThat(e.controlInputs()).containsKey(playbookFile.resolveSibling("motd").toString());
        Files.writeString(playbookFile.resolveSibling("motd"), "changed\n");
        assertThat(e.movedControlInputs(e.controlInputs())).isEmpty();
        Map<String, String> before = Map.of(playbookFile.resolveSibling("motd").toString(), "file sha256:0");
        assertThat(e.movedControlInputs(before)).containsExactly(playbookFile.resolveSibling("motd") + " (changed)");
    }

    @Test
    void definitionDigest_changesWithAResolvedValue_notWithTheTarget() throws Exception {
        Playbook p = load("vars: { v: x }\nresources:\n  a: { type: file, path: /etc/a, content: \"${v}\" }\n");
        String d1 = engine().definitionDigest(p);
        write("/etc/a", "anything");
        assertThat(engine().definitionDigest(p)).isEqualTo(d1);
        Playbook q = new PlaybookLoader(new Kinds(List.of(new FileType()))).load(playbookFile, Map.of("v", "y"));
        assertThat(engine().definitionDigest(q)).isNotEqualTo(d1);
    }

    // ------------------------------------------------------------------ removals

    @Test
    void removedResource_isPlannedAsDeletion_deletedOnlyWithAllowDelete() throws Exception {
        Playbook full = load("""
                resources:
                  keep: { type: file, path: /etc/keep, content: "k\\n" }
                  old: { type: file, path: /srv/tftp/old/vmlinuz-2.6, content: "kernel\\n" }
                """);
        engine().apply(full, graph(full));
        Playbook less = load("resources:\n  keep: { type: file, path: /etc/keep, content: \"k\\n\" }\n");

        Plan plan = engine().plan(less, graph(less));
        PlannedChange del = plan.changes().get(0);
        assertThat(del.address().toString()).isEqualTo("file[old]");
        assertThat(del.action()).isEqualTo(Action.DELETE);
        assertThat(del.cause()).isEqualTo(Cause.REMOVED);
        assertThat(del.diffs()).extracting(d -> d.field() + " " + ((dev.mosaic.resource.Diff.Field) d).before())
                .containsExactly("directory /srv", "directory /srv/tftp", "directory /srv/tftp/old",
                        "file /srv/tftp/old/vmlinuz-2.6");

        Engine.ApplyResult kept = engine().apply(less, graph(less));
        assertThat(outcome(kept, "file[old]").status()).isEqualTo(Outcome.Status.SKIPPED);
        assertThat(root.resolve("srv/tftp/old/vmlinuz-2.6")).exists();

        Engine.ApplyResult deleted = engine().apply(less, graph(less), null, true);
        assertThat(outcome(deleted, "file[old]").status()).isEqualTo(Outcome.Status.CHANGED);
        assertThat(root.resolve("srv")).doesNotExist();
        assertThat(read("/etc/keep")).isEqualTo("k\n");
        assertThat(engine().plan(less, graph(less)).changes()).isEmpty();
    }

    @Test
    void removedResource_neverDeletesWhatExistedBefore_norWhatOthersPutNextToIt() throws Exception {
        write("/etc/motd", "the admin's own motd\n");
        Files.createDirectories(playbookFile.resolveSibling("boot/help"));
        Files.writeString(playbookFile.resolveSibling("boot/help/f1.msg"), "F1\n");
        Playbook full = load("""
                resources:
                  motd: { type: file, path: /etc/motd, content: "managed\\n" }
                  boot: { type: copy, source: boot, dest: /srv/boot }
                """);
        engine().apply(full, graph(full));
        write("/srv/boot/help/mine.txt", "put there by hand\n");
        Playbook none = load("resources: {}\n");

        engine().apply(none, graph(none), null, true);

        assertThat(read("/etc/motd")).isEqualTo("managed\n"); // Mosaic only updated it: not its to delete
        assertThat(root.resolve("srv/boot/help/f1.msg")).doesNotExist();
        assertThat(read("/srv/boot/help/mine.txt")).isEqualTo("put there by hand\n");
        assertThat(StateStore.open(stateDir).addresses()).isEmpty();
    }

    @Test
    void removedResource_withOnRemoveKeep_isForgotten_andItsFilesStay() throws Exception {
        Playbook full = load("resources:\n  a: { type: file, path: /etc/a, content: \"a\\n\", on_remove: keep }\n");
        engine().apply(full, graph(full));
        Playbook none = load("resources: {}\n");

        assertThat(engine().plan(none, graph(none)).changes()).isEmpty();
        engine().apply(none, graph(none), null, true);

        assertThat(read("/etc/a")).isEqualTo("a\n");
        assertThat(StateStore.open(stateDir).addresses()).isEmpty();
    }

    @Test
    void savedApply_deletionWhoseFileChangedSincePlan_isStale_andNothingIsDeleted() throws Exception {
        Playbook full = load("resources:\n  old: { type: file, path: /boot/old, content: \"old\\n\" }\n");
        engine().apply(full, graph(full));
        Playbook none = load("resources: {}\n");
        Plan plan = engine().plan(none, graph(none));
        write("/boot/old", "edited by hand after the plan\n");

        Engine.ApplyResult r = engine().apply(none, graph(none), saved(plan), true);

        assertThat(outcome(r, "file[old]").status()).isEqualTo(Outcome.Status.STALE);
        assertThat(outcome(r, "file[old]").message()).contains("/boot/old: file of 4 B");
        assertThat(read("/boot/old")).isEqualTo("edited by hand after the plan\n");
    }

    // ------------------------------------------------------------------ history and backups

    @Test
    void apply_keepsWhatItOverwritesAndDeletes_andRestorePutsItBack() throws Exception {
        write("/etc/motd", "before\n");
        Playbook p = load("""
                resources:
                  motd: { type: file, path: /etc/motd, content: "after\\n" }
                  fresh: { type: file, path: /etc/fresh, content: "new\\n" }
                """);
        Engine.ApplyResult r = engine().apply(p, graph(p));
        assertThat(r.historyId()).isNotNull();
        List<History.Touch> touches = History.of(stateDir).touches(r.historyId());
        assertThat(touches).extracting(t -> t.path() + " " + t.before())
                .containsExactlyInAnyOrder("/etc/motd file", "/etc/fresh absent");

        Restore.Result restored = Restore.run(new LocalHost(root), stateDir, r.historyId(), "file[motd]", false);

        assertThat(restored.problems()).isEmpty();
        assertThat(read("/etc/motd")).isEqualTo("before\n");
        assertThat(read("/etc/fresh")).isEqualTo("new\n");
        Restore.run(new LocalHost(root), stateDir, r.historyId(), null, false);
        assertThat(root.resolve("etc/fresh")).doesNotExist();
        assertThat(History.of(stateDir).runs()).extracting(History.Run::command)
                .containsExactly("apply", "restore " + r.historyId() + " file[motd]", "restore " + r.historyId());
    }

    @Test
    void apply_thatChangesNothing_leavesNoHistory() throws Exception {
        Playbook p = load("resources:\n  a: { type: file, path: /etc/a, content: \"a\\n\" }\n");
        engine().apply(p, graph(p));
        engine().apply(p, graph(p));
        assertThat(History.of(stateDir).runs()).hasSize(1);
    }
}
