package dev.mosaic.resource.patch;

import dev.mosaic.base.TargetPath;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mosaic.host.Exec;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.host.LocalHost;
import dev.mosaic.host.TreeDigest;
import dev.mosaic.host.TreeEntry;
import dev.mosaic.kernel.Diffs;
import dev.mosaic.kernel.Sandbox;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Memory;
import dev.mosaic.resource.Pins;
import dev.mosaic.resource.ResourceException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code patch} kind against the real GNU patch ({@code /usr/bin/patch}) in a sandbox: plan,
 * apply, and what a second apply does; strip levels, offsets and fuzz (compared with GNU patch run
 * by hand on a copy of the same tree), conflicts (all hunks or none, the tree untouched to the
 * mtime), new files, and patches touching many files.
 */
class PatchTypeTest {

    static final String DIR = "/usr/src/linux-1.0";

    static final String SCHED_C = """
            #include <linux/sched.h>

            void schedule(void)
            {
            \tpick_next_task();
            }
            """;

    @TempDir
    Path tmp;

    Sandbox box;

    @BeforeEach
    void pristineTree() {
        box = Sandbox.in(tmp);
        box.write(DIR + "/init/main.c", main());
        box.write(DIR + "/kernel/sched.c", SCHED_C);
        box.write(DIR + "/README", "Linux 1.0\n");
    }

    /** init/main.c: 30 distinct lines {@code step 1} … {@code step 30}. */
    static String main() {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= 30; i++) {
            b.append("\tstep(").append(i).append(");\n");
        }
        return b.toString();
    }

    static String replaceLine(String text, int lineNo, String with) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n")));
        lines.set(lineNo - 1, with);
        return String.join("\n", lines) + "\n";
    }

    static String insertLines(String text, int afterLine, String... add) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n")));
        lines.addAll(afterLine, List.of(add));
        return String.join("\n", lines) + "\n";
    }

    /** The openMosix-like patch: one hunk near the top and one near the end of init/main.c, one in sched.c. */
    static String twoFilePatch() {
        String main = replaceLine(replaceLine(main(), 5, "\tstep(5); om_init();"), 25, "\tstep(25); om_balance();");
        String sched = SCHED_C.replace("\tpick_next_task();\n", "\tpick_next_task();\n\tom_migrate();\n");
        return Diffs.p1("init/main.c", main(), main) + Diffs.p1("kernel/sched.c", SCHED_C, sched);
    }

    void playbook(String source, int strip, String dir) {
        box.playbook("""
                resources:
                  om-patch:
                    type: patch
                    dir: %s
                    source: %s
                    strip: %d
                """.formatted(dir, source, strip));
    }

    Path tree() {
        return box.at(DIR);
    }

    // ------------------------------------------------------------------ not applied, applied

    @Test
    void aPatchNotYetAppliedIsPlannedAsAnUpdateListingTheFilesItTouchesAndPlanningChangesNothing() {
        box.writeControl("om.diff", twoFilePatch());
        playbook("om.diff", 1, DIR);
        List<String> before = Sandbox.snapshot(box.root);

        Sandbox.Run plan = box.plan("--detailed-exitcode");

        assertThat(plan.exitCode()).as("%s", plan).isEqualTo(2);
        assertThat(plan.out()).contains("# patch[om-patch] will be updated in place (new)")
                .contains("~ state: not applied -> applied")
                .contains("~ files: 0 added, 2 changed, 0 removed")
                .contains("~ init/main.c")
                .contains("~ kernel/sched.c");
        JsonNode change = Sandbox.change(box.planJson(), "patch[om-patch]");
        assertThat(change.get("diffs").get(1).get("changed")).extracting(JsonNode::asText)
                .containsExactly("init/main.c", "kernel/sched.c");
        assertThat(Sandbox.snapshot(box.root)).as("the target after two plans").isEqualTo(before);
    }

    @Test
    void applyPatchesEveryFileAndASecondApplyDoesNothingAtAll() {
        String patch = twoFilePatch();
        box.writeControl("om.diff", patch);
        playbook("om.diff", 1, DIR);

        Sandbox.Run first = box.applyOk();

        assertThat(first.out()).contains("~ patch[om-patch]: updated (new) [state, files]")
                .contains("Apply complete: 1 changed");
        assertThat(box.read(DIR + "/init/main.c")).contains("\tstep(5); om_init();\n").contains("\tstep(25); om_balance();\n");
        assertThat(box.read(DIR + "/kernel/sched.c")).contains("\tom_migrate();\n");
        assertThat(tree().resolve("init/main.c.orig")).doesNotExist();
        List<String> patched = Sandbox.snapshot(tree());

        Sandbox.Run second = box.applyOk();

        assertThat(second.out()).contains("Apply complete: 0 changed, 0 refreshed, 1 unchanged");
        assertThat(Sandbox.snapshot(tree())).as("the tree after the second apply, mtimes and inodes included")
                .isEqualTo(patched);
        assertThat(box.plan().out()).startsWith("No changes.");
    }

    @Test
    void theObservationOfAnAppliedPatchDiffsToNoop() throws Exception {
        PatchSpec spec = new PatchSpec(DIR, Optional.of(twoFilePatch()), Optional.empty(), 1, 2);
        PatchType kind = new PatchType();
        Context ctx = context(new LocalHost(box.root));

        Change todo = kind.diff(spec, kind.observe(spec, ctx));
        assertThat(todo.action()).isEqualTo(Action.UPDATE);
        kind.apply(spec, todo, ctx);

        PatchType.Observed after = kind.observe(spec, ctx);
        assertThat(after.state()).isEqualTo(PatchType.State.APPLIED);
        assertThat(kind.diff(spec, after)).isEqualTo(Change.NOOP);
    }

    @Test
    void aPatchAppliedByHandWithGnuPatchIsRecognisedAsApplied() {
        Path diff = box.writeControl("om.diff", twoFilePatch());
        Sandbox.Proc byHand = Sandbox.run(tree(), diff, Map.of(), "patch", "-p1");
        assertThat(byHand.exitCode()).as(byHand.output()).isZero();
        playbook("om.diff", 1, DIR);

        Sandbox.Run plan = box.plan("--detailed-exitcode");

        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.out()).startsWith("No changes.");
    }

    @Test
    void aPatchExtendingATableOfZerosIsAppliedExactlyOnce() {
        // Extending a zero-filled table: the added line looks like its context, so the patch
        // applies both forward and in reverse, before and after it is applied; asking GNU patch
        // "does it apply forward?" first stacks it on every apply, "does it apply in reverse?"
        // first never applies it.
        String table = "static int table[] = {\n" + "\t0,\n".repeat(8) + "};\n";
        String longer = "static int table[] = {\n" + "\t0,\n".repeat(9) + "};\n";
        box.write(DIR + "/kernel/table.c", table);
        box.writeControl("table.diff", Diffs.p1("kernel/table.c", table, longer));
        playbook("table.diff", 1, DIR);

        box.applyOk();
        assertThat(box.read(DIR + "/kernel/table.c")).isEqualTo(longer);

        Sandbox.Run second = box.applyOk();

        assertThat(second.out()).contains("Apply complete: 0 changed");
        assertThat(box.read(DIR + "/kernel/table.c")).as("the table after a second apply").isEqualTo(longer);
    }

    @Test
    void aPatchShorteningATableOfZerosIsAppliedExactlyOnce() {
        // The mirror case, a line removed from the table.
        String table = "static int table[] = {\n" + "\t0,\n".repeat(9) + "};\n";
        String shorter = "static int table[] = {\n" + "\t0,\n".repeat(8) + "};\n";
        box.write(DIR + "/kernel/table.c", table);
        box.writeControl("table.diff", Diffs.p1("kernel/table.c", table, shorter));
        playbook("table.diff", 1, DIR);

        box.applyOk();

        assertThat(box.read(DIR + "/kernel/table.c")).isEqualTo(shorter);
        assertThat(box.applyOk().out()).contains("Apply complete: 0 changed");
        assertThat(box.read(DIR + "/kernel/table.c")).isEqualTo(shorter);
    }

    @Test
    void aTablePatchMosaicAppliedStaysAppliedAfterAnUnrelatedEditOfTheSameFile() {
        String table = "static int table[] = {\n" + "\t0,\n".repeat(8) + "};\n";
        String longer = "static int table[] = {\n" + "\t0,\n".repeat(9) + "};\n";
        box.write(DIR + "/kernel/table.c", table);
        box.writeControl("table.diff", Diffs.p1("kernel/table.c", table, longer));
        playbook("table.diff", 1, DIR);
        box.applyOk();

        box.write(DIR + "/kernel/table.c", "/* tuned for 16 nodes */\n" + longer);
        Sandbox.Run plan = box.plan();
        box.applyOk();

        assertThat(plan.out()).as("%s", plan).startsWith("No changes.");
        assertThat(box.read(DIR + "/kernel/table.c")).isEqualTo("/* tuned for 16 nodes */\n" + longer);
    }

    // ------------------------------------------------------------------ strip levels

    @Test
    void stripZeroFromTheParentDirectoryWorksLikeCdUsrSrcAndPatchP0() {
        String main = replaceLine(main(), 5, "\tstep(5); om_init();");
        box.writeControl("openMosix-1.0-1", Diffs.unified("linux-1.0.orig/init/main.c", "linux-1.0/init/main.c", main(), main));
        playbook("openMosix-1.0-1", 0, "/usr/src");

        Sandbox.Run plan = box.plan();
        assertThat(plan.out()).as("%s", plan).contains("~ linux-1.0/init/main.c");
        box.applyOk();

        assertThat(box.read(DIR + "/init/main.c")).isEqualTo(main);
        assertThat(box.applyOk().out()).contains("Apply complete: 0 changed");
    }

    @Test
    void stripOneOnTheSamePatchWithoutTheTopDirectoryWorksInTheTreeItself() {
        String main = replaceLine(main(), 5, "\tstep(5); om_init();");
        box.writeControl("om.diff", Diffs.p1("init/main.c", main(), main));
        playbook("om.diff", 1, DIR);

        box.applyOk();

        assertThat(box.read(DIR + "/init/main.c")).isEqualTo(main);
    }

    @Test
    void aWrongStripLevelIsAnErrorNamingTheFileThatWasNotFound() {
        // A -p1 patch (a/…, b/…) declared with strip 0: GNU patch finds none of the files.
        box.writeControl("om.diff", twoFilePatch());
        playbook("om.diff", 0, DIR);
        List<String> before = Sandbox.snapshot(box.root);

        Sandbox.Run plan = box.plan();

        assertThat(plan.exitCode()).as("%s", plan).isEqualTo(1);
        assertThat(plan.out()).contains("b/init/main.c: can't find file to patch at input line 3")
                .contains("b/kernel/sched.c: can't find file to patch at input line")
                .contains("is 'strip' right?")
                .doesNotContain("?: can't find");
        assertThat(Sandbox.snapshot(box.root)).isEqualTo(before);
    }

    @Test
    void aFileMissingFromTheTreeIsNamedAndNotBlamedOnTheFilePatchedBeforeIt() {
        String e1000 = "int e1000_probe(void);\n";
        String patch = Diffs.p1("init/main.c", main(), replaceLine(main(), 5, "\tstep(5); om_init();"))
                + Diffs.p1("drivers/net/e1000.c", e1000, "int e1000_probe(void);\nint om_hook;\n");
        List<String> output = runDry(patch, 1);

        List<String> failed = PatchType.failedHunks(output);

        assertThat(failed).singleElement().asString()
                .startsWith("b/drivers/net/e1000.c: can't find file to patch at input line");
    }

    private List<String> runDry(String patch, int strip) {
        Path diff = Sandbox.writeFile(tmp.resolve("dry.diff"), patch);
        Sandbox.Proc p = Sandbox.run(tree(), diff, Map.of("LC_ALL", "C"), "patch", "-p" + strip, "--dry-run", "--force",
                "--batch", "--reject-file=-");
        return p.output().lines().toList();
    }

    // ------------------------------------------------------------------ offsets and fuzz

    @Test
    void offsetsAndFuzzGiveByteForByteTheTreeGnuPatchGivesRunByHand() throws IOException {
        // The patch was made against main(); the tree has three lines more at the top (offset)
        // and a context line of the second hunk edited (fuzz 1).
        String patched = replaceLine(replaceLine(main(), 5, "\tstep(5); om_init();"), 25, "\tstep(25); om_balance();");
        String sched = SCHED_C.replace("\tpick_next_task();\n", "\tpick_next_task();\n\tom_migrate();\n");
        Path diff = box.writeControl("om.diff", Diffs.p1("init/main.c", main(), patched) + Diffs.p1("kernel/sched.c", SCHED_C, sched));
        String drifted = replaceLine(insertLines(main(), 0, "/* local */", "/* changes */", "/* here */"), 3 + 28, "\tstep(28); /* tuned */");
        box.write(DIR + "/init/main.c", drifted);
        Path byHand = tmp.resolve("by-hand/linux-1.0");
        Sandbox.copyTree(tree(), byHand);
        playbook("om.diff", 1, DIR);

        box.applyOk();
        Sandbox.Proc gnu = Sandbox.run(byHand, diff, Map.of("LC_ALL", "C"), "patch", "-p1");

        assertThat(gnu.exitCode()).as(gnu.output()).isZero();
        assertThat(gnu.output()).as("GNU patch's own report: the test exercises offsets and fuzz")
                .contains("(offset 3 lines)").contains("with fuzz 1");
        assertThat(Files.readString(box.log("patch[om-patch]"))).contains("(offset 3 lines)").contains("with fuzz 1");
        // GNU patch run by hand keeps init/main.c.orig for the fuzzy hunk; Mosaic keeps no backups.
        assertThat(byHand.resolve("init/main.c.orig")).exists();
        Files.delete(byHand.resolve("init/main.c.orig"));
        assertThat(Sandbox.contents(tree())).as("Mosaic's tree vs GNU patch's").isEqualTo(Sandbox.contents(byHand));
        assertThat(Files.readAllBytes(tree().resolve("init/main.c"))).isEqualTo(Files.readAllBytes(byHand.resolve("init/main.c")));
        assertThat(box.applyOk().out()).as("a fuzzy patch once applied").contains("Apply complete: 0 changed");
    }

    @Test
    void aFuzzOfZeroRefusesWhatTheDefaultFuzzAccepts() {
        String patched = replaceLine(main(), 25, "\tstep(25); om_balance();");
        box.writeControl("om.diff", Diffs.p1("init/main.c", main(), patched));
        box.write(DIR + "/init/main.c", replaceLine(main(), 28, "\tstep(28); /* tuned */"));
        box.playbook("""
                resources:
                  om-patch: { type: patch, dir: %s, source: om.diff, fuzz: 0 }
                """.formatted(DIR));

        assertThat(box.plan().out()).contains("init/main.c: hunk #1 failed at line 22");
        box.playbook("""
                resources:
                  om-patch: { type: patch, dir: %s, source: om.diff }
                """.formatted(DIR));
        assertThat(box.plan().out()).contains("~ state: not applied -> applied");
    }

    // ------------------------------------------------------------------ conflicts: all or none

    @Test
    void aPatchThatDoesNotApplyIsAnErrorListingEachFailedHunkAndTheTreeIsUntouched() {
        box.writeControl("om.diff", twoFilePatch());
        // Both hunks of init/main.c and the hunk of sched.c meet different code.
        box.write(DIR + "/init/main.c", main().replace("step(", "other_step("));
        box.write(DIR + "/kernel/sched.c", SCHED_C.replace("pick_next_task", "pick_next"));
        Sandbox.chmod(tree().resolve("kernel/sched.c"), "rw-r-----");
        Sandbox.touch(tree().resolve("init/main.c"), -3600);
        playbook("om.diff", 1, DIR);
        List<String> before = Sandbox.snapshot(box.root.resolve("usr"));

        Sandbox.Run plan = box.plan();
        Sandbox.Run apply = box.apply();

        assertThat(plan.exitCode()).as("%s", plan).isEqualTo(1);
        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(1);
        for (Sandbox.Run r : List.of(plan, apply)) {
            assertThat(r.out()).contains("the patch does not apply to /usr/src/linux-1.0 (and is not already applied)")
                    .contains("init/main.c: hunk #1 failed at line 2")
                    .contains("init/main.c: hunk #2 failed at line 22")
                    .contains("kernel/sched.c: hunk #1 failed at line 3");
        }
        assertThat(Sandbox.snapshot(box.root.resolve("usr"))).as("contents, modes, mtimes, inodes").isEqualTo(before);
    }

    @Test
    void aMultiFilePatchWhoseSecondFileConflictsChangesNoFileAtAll() {
        box.writeControl("om.diff", twoFilePatch());
        box.write(DIR + "/kernel/sched.c", SCHED_C.replace("pick_next_task", "pick_next"));
        playbook("om.diff", 1, DIR);
        List<String> before = Sandbox.snapshot(tree());

        Sandbox.Run apply = box.apply();

        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(1);
        assertThat(apply.out()).contains("kernel/sched.c: hunk #1 failed at line 3").doesNotContain("init/main.c: hunk");
        assertThat(box.read(DIR + "/init/main.c")).as("the first file, which alone would apply").isEqualTo(main());
        assertThat(Sandbox.snapshot(tree())).isEqualTo(before);
    }

    @Test
    void whenGnuPatchFailsMidwayTheTouchedFilesArePutBackAndCreatedFilesRemoved() throws Exception {
        String script = "#!/bin/sh\necho old\n";
        box.write(DIR + "/scripts/old.sh", script);
        Sandbox.chmod(tree().resolve("scripts/old.sh"), "rwxr-xr-x");
        String patch = twoFilePatch() + Diffs.p1("kernel/mosix.c", null, "int om;\n") + Diffs.unified("a/scripts/old.sh", "/dev/null", script, null);
        PatchSpec spec = new PatchSpec(DIR, Optional.of(patch), Optional.empty(), 1, 2);
        PatchType kind = new PatchType();
        // The dry run passes; the real run patches every file and then reports a failure.
        Context ctx = context(new FailingRealRun(new LocalHost(box.root)));
        Map<String, String> before = Map.of("init/main.c", main(), "kernel/sched.c", SCHED_C, "scripts/old.sh", script);

        Change change = kind.diff(spec, kind.observe(spec, ctx));
        assertThatThrownBy(() -> kind.apply(spec, change, ctx))
                .isInstanceOf(ResourceException.class)
                .hasMessageContaining("GNU patch failed while applying; the touched files were restored");

        before.forEach((f, text) -> assertThat(Sandbox.readFile(tree().resolve(f))).as(f).isEqualTo(text));
        assertThat(tree().resolve("kernel/mosix.c")).as("the file the patch created").doesNotExist();
        assertThat(Files.getPosixFilePermissions(tree().resolve("scripts/old.sh")))
                .as("the mode of the file the patch deleted").isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(kind.observe(spec, context(new LocalHost(box.root))).state()).isEqualTo(PatchType.State.NOT_APPLIED);
    }

    // ------------------------------------------------------------------ new files, many files

    @Test
    void aPatchCreatingAFileInANewDirectoryIsPlannedAsAddingItAndThenIsApplied() {
        String mosix = "/* openMosix process migration */\nint mosix_init(void) { return 0; }\n";
        box.writeControl("om.diff", Diffs.unified("/dev/null", "b/kernel/mosix/migrate.c", null, mosix)
                + Diffs.p1("kernel/sched.c", SCHED_C, SCHED_C.replace("{\n", "{\n\tmosix_check();\n")));
        playbook("om.diff", 1, DIR);

        Sandbox.Run plan = box.plan();
        assertThat(plan.out()).as("%s", plan).contains("~ files: 1 added, 1 changed, 0 removed")
                .contains("+ kernel/mosix/migrate.c").contains("~ kernel/sched.c");
        box.applyOk();

        assertThat(box.read(DIR + "/kernel/mosix/migrate.c")).isEqualTo(mosix);
        assertThat(box.applyOk().out()).contains("Apply complete: 0 changed");
        assertThat(box.read(DIR + "/kernel/mosix/migrate.c")).isEqualTo(mosix);
    }

    @Test
    void aPatchTouchingSixtyFilesIsPlannedAndAppliedWithNoneLeftOut() {
        StringBuilder patch = new StringBuilder();
        for (int i = 1; i <= 60; i++) {
            String name = "drivers/net/dev%02d.c".formatted(i);
            String text = "int dev%02d_probe(void);\nint dev%02d_remove(void);\n".formatted(i, i);
            box.write(DIR + "/" + name, text);
            patch.append(Diffs.p1(name, text, text + "int dev%02d_migrate(void);\n".formatted(i)));
        }
        box.writeControl("om.diff", patch.toString());
        playbook("om.diff", 1, DIR);

        Sandbox.Run plan = box.plan();
        JsonNode change = Sandbox.change(box.planJson(), "patch[om-patch]");

        assertThat(plan.out()).as("%s", plan).contains("~ files: 0 added, 60 changed, 0 removed");
        IntStream.rangeClosed(1, 60).forEach(i -> assertThat(plan.out()).contains("~ drivers/net/dev%02d.c\n".formatted(i)));
        assertThat(change.get("diffs").get(1).get("changed")).hasSize(60);
        box.applyOk();
        IntStream.rangeClosed(1, 60).forEach(i -> assertThat(box.read(DIR + "/drivers/net/dev%02d.c".formatted(i)))
                .endsWith("int dev%02d_migrate(void);\n".formatted(i)));
        assertThat(box.applyOk().out()).contains("Apply complete: 0 changed");
    }

    @Test
    void aConflictInTheFirstOfSixtyFilesIsReportedThoughGnuPatchPrintsSixtyLinesAfterIt() {
        StringBuilder patch = new StringBuilder();
        for (int i = 1; i <= 60; i++) {
            String name = "drivers/net/dev%02d.c".formatted(i);
            String text = "int dev%02d_probe(void);\nint dev%02d_remove(void);\n".formatted(i, i);
            box.write(DIR + "/" + name, i == 1 ? text.replace("remove", "detach") : text);
            patch.append(Diffs.p1(name, text, text.replace("remove", "remove_and_migrate")));
        }
        box.writeControl("om.diff", patch.toString());
        playbook("om.diff", 1, DIR);
        List<String> before = Sandbox.snapshot(tree());

        Sandbox.Run apply = box.apply();

        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(1);
        assertThat(apply.out()).contains("drivers/net/dev01.c: hunk #1 failed at line 1");
        assertThat(Sandbox.snapshot(tree())).isEqualTo(before);
    }

    // ------------------------------------------------------------------ sources

    @Test
    void anInlinePatchAndAnAbsolutePatchFileOnTheTargetWorkLikeASourceNextToThePlaybook() {
        String main = replaceLine(main(), 5, "\tstep(5); om_init();");
        String sched = SCHED_C.replace("{\n", "{\n\tmosix_check();\n");
        box.write("/usr/src/patches/sched.diff", Diffs.p1("kernel/sched.c", SCHED_C, sched));
        String inline = Diffs.p1("init/main.c", main(), main).indent(6);
        box.playbook("""
                resources:
                  inline-patch:
                    type: patch
                    dir: %s
                    content: |
                %s
                  file-patch: { type: patch, dir: %s, source: /usr/src/patches/sched.diff }
                """.formatted(DIR, inline.stripTrailing(), DIR));

        box.applyOk();

        assertThat(box.read(DIR + "/init/main.c")).isEqualTo(main);
        assertThat(box.read(DIR + "/kernel/sched.c")).isEqualTo(sched);
        assertThat(box.applyOk().out()).contains("Apply complete: 0 changed, 0 refreshed, 2 unchanged");
    }

    @Test
    void aMissingPatchFileIsAnErrorNamingIt() {
        playbook("openMosix-2.4.22-1", 0, "/usr/src");

        Sandbox.Run plan = box.plan();

        assertThat(plan.exitCode()).isEqualTo(1);
        assertThat(plan.out()).contains("patch file openMosix-2.4.22-1 does not exist");
    }

    @Test
    void aFileThatIsNotAPatchIsReportedAsUnreadableByGnuPatch() {
        box.writeControl("om.diff", "This is the openMosix README, not a patch.\n");
        playbook("om.diff", 1, DIR);

        Sandbox.Run plan = box.plan();

        assertThat(plan.exitCode()).isEqualTo(1);
        assertThat(plan.out()).contains("GNU patch could not read the patch").contains("Only garbage");
    }

    @Test
    void changingThePatchFileIsAConfigChangeNotDrift() {
        String first = replaceLine(main(), 5, "\tstep(5); om_init();");
        box.writeControl("om.diff", Diffs.p1("init/main.c", main(), first));
        playbook("om.diff", 1, DIR);
        box.applyOk();
        // Version 2 of the patch, against the pristine tree again.
        box.write(DIR + "/init/main.c", main());
        box.writeControl("om.diff", Diffs.p1("init/main.c", main(), replaceLine(main(), 5, "\tstep(5); om_init2();")));

        assertThat(box.plan().out()).contains("# patch[om-patch] will be updated in place (config changed)");
    }

    // ------------------------------------------------------------------ parsing GNU patch's output

    @Test
    void failedHunksAreAttributedToTheFileBeingCheckedWhenTheyFail() {
        List<String> output = List.of(
                "checking file init/main.c",
                "Hunk #2 FAILED at 31.",
                "1 out of 2 hunks FAILED",
                "checking file 'kernel/sched.c'",
                "Hunk #1 succeeded at 4 (offset 1 line).",
                "Hunk #3 FAILED at 80.",
                "1 out of 3 hunks FAILED");

        assertThat(PatchType.failedHunks(output)).containsExactly(
                "init/main.c: hunk #2 failed at line 31",
                "kernel/sched.c: hunk #3 failed at line 80");
        assertThat(PatchType.files(output)).containsExactly("init/main.c", "kernel/sched.c");
    }

    // ------------------------------------------------------------------ helpers

    private Context context(Host host) {
        Path base = box.control;
        return new Context() {
            @Override
            public Host host() {
                return host;
            }

            @Override
            public Host control() {
                return new LocalHost(Path.of("/"));
            }

            @Override
            public Path baseDir() {
                return base;
            }

            @Override
            public void output(String line) {
            }

            @Override
            public Memory memory() {
                return Memory.NONE;
            }

            @Override
            public Path cacheDir() {
                return tmp.resolve("cache");
            }

            @Override
            public Pins pins() {
                throw new UnsupportedOperationException();
            }
        };
    }

    /** A host whose real (not dry) GNU patch runs patch everything and then report failure. */
    private static final class FailingRealRun implements Host {
        private final Host d;

        FailingRealRun(Host delegate) {
            this.d = delegate;
        }

        @Override
        public Exec.Result exec(Exec exec) throws IOException {
            Exec.Result r = d.exec(exec);
            if (exec.argv().get(0).equals("patch") && !exec.argv().contains("--dry-run")) {
                assertThat(r.ok()).as("the real run itself").isTrue();
                return new Exec.Result(1, false, List.of("patch: **** write error: No space left on device"));
            }
            return r;
        }

        @Override
        public String name() {
            return d.name();
        }

        @Override
        public FileStat stat(TargetPath path) throws IOException {
            return d.stat(path);
        }

        @Override
        public byte[] read(TargetPath path) throws IOException {
            return d.read(path);
        }

        @Override
        public InputStream open(TargetPath path) throws IOException {
            return d.open(path);
        }

        @Override
        public String sha256(TargetPath path) throws IOException {
            return d.sha256(path);
        }

        @Override
        public List<TreeEntry> walk(TargetPath dir) throws IOException {
            return d.walk(dir);
        }

        @Override
        public void writeAtomic(TargetPath path, InputStream content, int mode) throws IOException {
            d.writeAtomic(path, content, mode);
        }

        @Override
        public void mkdirs(TargetPath path, int mode) throws IOException {
            d.mkdirs(path, mode);
        }

        @Override
        public void symlink(TargetPath path, String target) throws IOException {
            d.symlink(path, target);
        }

        @Override
        public void chmod(TargetPath path, int mode) throws IOException {
            d.chmod(path, mode);
        }

        @Override
        public void chown(TargetPath path, int uid, int gid) throws IOException {
            d.chown(path, uid, gid);
        }

        @Override
        public void delete(TargetPath path) throws IOException {
            d.delete(path);
        }

        @Override
        public void deleteTree(TargetPath path) throws IOException {
            d.deleteTree(path);
        }

        @Override
        public TreeDigest digestTree(TargetPath dir) throws IOException {
            return d.digestTree(dir);
        }

        @Override
        public TreeDigest digestTree(TargetPath dir, java.util.function.Predicate<String> names) throws IOException {
            return d.digestTree(dir, names);
        }

        @Override
        public Optional<Integer> uidOf(String user) throws IOException {
            return d.uidOf(user);
        }

        @Override
        public Optional<Integer> gidOf(String group) throws IOException {
            return d.gidOf(group);
        }
    }
}
