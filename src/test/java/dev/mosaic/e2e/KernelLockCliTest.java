package dev.mosaic.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mosaic.testing.FakeArchive;
import dev.mosaic.testing.JsonSchemas;
import dev.mosaic.testing.TreeSnapshot;
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
 * {@code ${kernel:linux-image-amd64}} through the real CLI, apt pointed at package lists the test
 * writes ({@code APT_CONFIG}): a plan shows the kernel and, once {@code mosaic.lock} holds an
 * older one, the move; apply records it; a plan never writes the lock.
 */
class KernelLockCliTest {

    @TempDir
    Path tmp;

    private FakeArchive archive;
    private Path playbook;
    private Path lock;
    private Path root;

    @BeforeEach
    void playbook() throws IOException {
        archive = FakeArchive.in(tmp.resolve("apt"));
        archiveDependsOn("6.1.0-90-amd64");
        Path dir = Files.createDirectories(tmp.resolve("playbooks"));
        playbook = dir.resolve("site.yml");
        lock = dir.resolve("mosaic.lock");
        root = tmp.resolve("root");
        Files.writeString(playbook, """
                vars:
                  kernel_version: ${kernel:linux-image-amd64}
                resources:
                  boot-kernel:
                    type: file
                    path: /srv/tftp/kernel.txt
                    content: "vmlinuz-${kernel_version}\\n"
                """);
    }

    private void archiveDependsOn(String release) throws IOException {
        archive.packages(FakeArchive.metapackage("linux-image-amd64", "6.1.999-1", "linux-image-" + release + " (= 6.1.999-1)"),
                FakeArchive.metapackage("linux-image-" + release, "6.1.999-1", "kmod, linux-base (>= 4.3~)"));
    }

    private Cli.Result mosaic(String... args) {
        return Cli.in(tmp).withEnv(Map.of("APT_CONFIG", archive.aptConfig().toString())).run(args);
    }

    private Cli.Result plan(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("plan", "--root", root.toString(), playbook.toString()));
        args.addAll(List.of(more));
        return mosaic(args.toArray(String[]::new));
    }

    @Test
    void plan_showsTheKernel_applyRecordsIt_andAPlanAfterTheArchiveMovedShowsTheMove() throws IOException {
        Cli.Result first = plan();

        assertThat(first.exitCode()).as("%s", first).isZero();
        assertThat(first.stdoutLines().get(0)).isEqualTo("kernel: 6.1.0-90-amd64 (linux-image-amd64 today; apply records it in mosaic.lock)");
        assertThat(first.stdout()).contains("path: /srv/tftp/kernel.txt");
        assertThat(lock).as("a plan writes nothing").doesNotExist();

        Cli.Result apply = mosaic("apply", "--root", root.toString(), playbook.toString());

        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(apply.stdoutLines().get(0)).isEqualTo("kernel: 6.1.0-90-amd64 (linux-image-amd64 today; apply records it in mosaic.lock)");
        assertThat(root.resolve("srv/tftp/kernel.txt")).hasContent("vmlinuz-6.1.0-90-amd64");
        assertThat(Files.readString(lock)).contains("\"kernels\" : {\n    \"linux-image-amd64\" : \"6.1.0-90-amd64\"\n  }");

        Cli.Result same = plan();

        assertThat(same.exitCode()).as("%s", same).isZero();
        assertThat(same.stdout()).doesNotContain("kernel:").startsWith("No changes.");

        archiveDependsOn("6.1.0-91-amd64"); // Debian's next point release
        String locked = Files.readString(lock);
        Cli.Result moved = plan();

        assertThat(moved.exitCode()).as("%s", moved).isZero();
        assertThat(moved.stdoutLines().get(0)).isEqualTo(
                "kernel: 6.1.0-90-amd64 -> 6.1.0-91-amd64 (linux-image-amd64 moved since the last apply, as mosaic.lock recorded it)");
        assertThat(moved.stdout()).contains("~ file[boot-kernel]", "-vmlinuz-6.1.0-90-amd64", "+vmlinuz-6.1.0-91-amd64");
        assertThat(Files.readString(lock)).as("a plan leaves the lock as it was").isEqualTo(locked);

        Cli.Result json = plan("--json");

        assertThat(json.exitCode()).as("%s", json).isZero();
        JsonSchemas.assertValid("plan.schema.json", json.stdout(), json.toString());
        JsonNode kernels = JsonSchemas.parse(json.stdout()).get("kernels");
        assertThat(kernels.toString()).isEqualTo(
                "[{\"metapackage\":\"linux-image-amd64\",\"locked\":\"6.1.0-90-amd64\",\"resolved\":\"6.1.0-91-amd64\"}]");

        Cli.Result pinned = plan("--var", "kernel_version=6.1.0-90-amd64");

        assertThat(pinned.exitCode()).as("%s", pinned).isZero();
        assertThat(pinned.stdout()).as("--var replaces the lookup").doesNotContain("kernel:").startsWith("No changes.");

        Cli.Result again = mosaic("apply", "--root", root.toString(), playbook.toString());

        assertThat(again.exitCode()).as("%s", again).isZero();
        assertThat(again.stdoutLines().get(0)).startsWith("kernel: 6.1.0-90-amd64 -> 6.1.0-91-amd64 (linux-image-amd64 moved");
        assertThat(root.resolve("srv/tftp/kernel.txt")).hasContent("vmlinuz-6.1.0-91-amd64");
        assertThat(new dev.mosaic.state.LockFile(lock).kernels()).containsExactly(Map.entry("linux-image-amd64", "6.1.0-91-amd64"));
        assertThat(plan().stdout()).startsWith("No changes.");
    }

    @Test
    void aSavedPlanWhoseKernelMovedBeforeTheApply_isRefused_andNothingIsTouched() throws IOException {
        Path saved = tmp.resolve("kernel.plan");
        Cli.Result planned = plan("--out", saved.toString());
        assertThat(planned.exitCode()).as("%s", planned).isZero();

        archiveDependsOn("6.1.0-91-amd64"); // the point release lands between review and apply
        List<String> before = TreeSnapshot.of(tmp);
        Cli.Result applied = mosaic("apply", "--root", root.toString(), saved.toString());

        assertThat(applied.exitCode()).as("%s", applied).isEqualTo(1);
        assertThat(applied.stderr()).as("%s", applied).contains("saved plan " + saved + " was not applied and nothing was touched",
                "or a value its resources resolve to");
        assertThat(TreeSnapshot.of(tmp)).as("no kernel file, no lock, no state written").isEqualTo(before);
        assertThat(lock).doesNotExist();
    }

    @Test
    void anApplyThatFailed_leavesTheLockAsItWas_soTheNextPlanShowsTheMoveAgain() throws IOException {
        Files.createDirectories(root.resolve("srv"));
        Files.writeString(root.resolve("srv/tftp"), "a file where the playbook needs a directory\n");

        Cli.Result failed = mosaic("apply", "--root", root.toString(), playbook.toString());

        assertThat(failed.exitCode()).as("%s", failed).isNotZero();
        assertThat(lock).doesNotExist();
        assertThat(plan().stdoutLines().get(0)).isEqualTo("kernel: 6.1.0-90-amd64 (linux-image-amd64 today; apply records it in mosaic.lock)");
    }

    @Test
    void aMetapackageAptDoesNotKnow_isOneParagraphAtTheReference_andTheTargetStaysAsItWas() throws IOException {
        archive.packages(); // the lists of a machine that never ran apt-get update
        Files.createDirectories(root.resolve("srv"));
        List<String> before = TreeSnapshot.of(tmp);

        for (String command : List.of("plan", "apply", "validate")) {
            Cli.Result r = command.equals("validate") ? mosaic("validate", playbook.toString())
                    : mosaic(command, "--root", root.toString(), playbook.toString());

            assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
            assertThat(r.stderr().strip()).as("%s", r).isEqualTo(playbook + ":2:19: error: '${kernel:linux-image-amd64}':"
                    + " apt knows no package linux-image-amd64 (E: No packages found): run apt-get update, or check the name"
                    + " (a kernel metapackage such as linux-image-amd64)");
        }
        assertThat(TreeSnapshot.of(tmp)).isEqualTo(before);
    }
}
