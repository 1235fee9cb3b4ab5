package dev.mosaic.resource.line;

import dev.mosaic.e2e.Cli;
import dev.mosaic.testing.Canary;
import dev.mosaic.testing.TreeSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code line} kind through the real command line, on a {@code --root} target. */
class LineCliTest {

    @TempDir
    Path tmp;

    @Test
    void planShowsTheFilesDiff_applyEditsOneLine_andASecondApplyChangesNothing() throws IOException {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path root = Files.createDirectories(tmp.resolve("root"));
        Canary canary = Canary.plant(tmp.resolve("outside"));
        Files.createDirectories(root.resolve("etc/default"));
        Files.writeString(root.resolve("etc/default/slurmd"), "# Slurm node daemon\nSLURMD_OPTIONS=\"\"\nMORE=1\n");
        Files.setPosixFilePermissions(root.resolve("etc/default/slurmd"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        // A link out of the root: followed inside the root, as every path of a --root target is.
        Files.createSymbolicLink(root.resolve("etc/outside"), canary.dir());
        Files.writeString(project.resolve("lab.yml"), """
                resources:
                  slurmd-options:
                    type: line
                    path: /etc/default/slurmd
                    line: SLURMD_OPTIONS="--conf-server head"
                    match: ^SLURMD_OPTIONS=
                  modules:
                    type: line
                    path: /etc/modules
                    line: e1000
                  through-the-link:
                    type: line
                    path: /etc/outside/canary.txt
                    line: written inside the root
                """);
        Cli cli = Cli.in(project);

        Cli.Result plan = cli.run("plan", "--root", root.toString(), "lab.yml");
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stdout()).contains("~ line[slurmd-options]", "+ line[modules]", "-SLURMD_OPTIONS=\"\"",
                "+SLURMD_OPTIONS=\"--conf-server head\"", "+e1000");
        assertThat(Files.exists(root.resolve("etc/modules"))).as("a plan writes nothing").isFalse();

        Cli.Result apply = cli.run("apply", "--root", root.toString(), "lab.yml");
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(apply.stdout()).contains("Apply complete: 3 changed");
        assertThat(Files.readString(root.resolve("etc/default/slurmd")))
                .isEqualTo("# Slurm node daemon\nSLURMD_OPTIONS=\"--conf-server head\"\nMORE=1\n");
        assertThat(Files.getPosixFilePermissions(root.resolve("etc/default/slurmd")))
                .as("the mode the file had").isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        assertThat(Files.readString(root.resolve("etc/modules"))).isEqualTo("e1000\n");
        assertThat(Files.readString(root.resolve(canary.dir().toString().substring(1) + "/canary.txt")))
                .isEqualTo("written inside the root\n");
        canary.assertUntouched();

        List<String> converged = edited(root);
        Cli.Result again = cli.run("apply", "--root", root.toString(), "lab.yml");
        assertThat(again.exitCode()).as("%s", again).isZero();
        assertThat(again.stdout()).contains("Apply complete: 0 changed");
        assertThat(edited(root)).as("what the resources edited, after a second apply, mtimes included").isEqualTo(converged);
        canary.assertUntouched();
    }

    @Test
    void aFileThatIsNotUtf8Text_failsThePlanNamingIt_andIsLeftByteForByte() throws IOException {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("etc"));
        byte[] latin1 = "caf\u00e9=1\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.write(root.resolve("etc/motd"), latin1);
        Files.writeString(project.resolve("lab.yml"), """
                resources:
                  motd:
                    type: line
                    path: /etc/motd
                    line: welcome
                """);
        for (String command : List.of("plan", "apply")) {
            Cli.Result r = Cli.in(project).run(command, "--root", root.toString(), "lab.yml");
            assertThat(r.exitCode()).as("%s", r).isNotZero();
            assertThat(r.stdout() + r.stderr()).contains("/etc/motd is not UTF-8 text").doesNotContain("Exception", "\tat ");
        }
        assertThat(Files.readAllBytes(root.resolve("etc/motd"))).isEqualTo(latin1);
    }

    /** The target without Mosaic's state (under var/lib/mosaic, which every apply updates). */
    private static List<String> edited(Path root) throws IOException {
        return TreeSnapshot.of(new TreeMap<>(Map.of("etc", root.resolve("etc"), "tmp", root.resolve("tmp"))));
    }

    @Test
    void aBadRegex_failsThePlanAtItsPosition_withoutATrace_andTheTargetUnchanged() throws IOException {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(project.resolve("lab.yml"), """
                resources:
                  opts:
                    type: line
                    path: /etc/default/slurmd
                    line: SLURMD_OPTIONS=x
                    match: "[unclosed"
                """);
        List<String> before = TreeSnapshot.of(root);
        for (String command : List.of("plan", "apply")) {
            Cli.Result r = Cli.in(project).run(command, "--root", root.toString(), "lab.yml");
            assertThat(r.exitCode()).as("%s", r).isNotZero();
            assertThat(r.stderr()).contains("lab.yml:6:12", "field 'match': not a regular expression")
                    .doesNotContain("Exception", "\tat ");
        }
        assertThat(TreeSnapshot.of(root)).isEqualTo(before);
    }
}
