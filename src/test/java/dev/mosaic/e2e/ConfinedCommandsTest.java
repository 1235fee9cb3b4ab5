package dev.mosaic.e2e;

import dev.mosaic.testing.BesideTheBuild;
import dev.mosaic.testing.Canary;
import dev.mosaic.testing.TreeSnapshot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Commands run for a target with {@code --root} are confined by bubblewrap: they may write below
 * the root and in a private {@code /tmp}, nowhere else, and a refused write is reported naming the
 * resource and the path.
 */
class ConfinedCommandsTest {

    /** Not below /tmp: commands get a private one, where a home directory would not even be visible. */
    @TempDir(factory = BesideTheBuild.class)
    Path tmp;

    Path root;
    Path home;
    Path playbookDir;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("work"));
        home = Files.createDirectories(tmp.resolve("home"));
        playbookDir = Files.createDirectories(tmp.resolve("playbook"));
    }

    private Cli cli() {
        return Cli.in(playbookDir).withEnv(Map.of("HOME", home.toString(), "MOSAIC_CACHE_DIR", tmp.resolve("cache").toString()));
    }

    private void playbook(String resources) throws IOException {
        Files.writeString(playbookDir.resolve("playbook.yml"), "name: confined\nresources:\n" + resources);
    }

    private static String build(String id, String command) {
        return """
                  %s:
                    type: build
                    dir: /work
                    command: %s
                    toolchain: []
                """.formatted(id, command);
    }

    @Test
    void build_writingEtcHomeAndTmpParent_failsNamingEachPathAndChangesNothingOutside() throws Exception {
        Canary canary = Canary.plant(tmp.resolve("outside"));
        Canary inHome = Canary.plant(home.resolve("canary"));
        String probe = "mosaic-confinement-probe-" + UUID.randomUUID();
        Path etc = Path.of("/etc", probe);
        Path top = Path.of("/", probe);
        java.util.List<String> homeBefore = TreeSnapshot.of(home);
        playbook(build("etc", "'echo x > /etc/" + probe + "'")
                + build("home", "'echo x > \"$HOME/x\"'")
                + build("tmp-parent", "'echo x > /tmp/../" + probe + "'")
                + build("canary", "'echo x > " + canary.file() + "'")
                + build("inside", "'echo ok > out; echo ok > \"$MOSAIC_ROOT/work/out2\"'"));
        try {
            Cli.Result r = cli().run("apply", "--root", root.toString(), "playbook.yml");

            assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
            assertThat(r.stdout() + r.stderr()).as("%s", r)
                    .contains("tried to write outside the root: /etc/" + probe + " (commands under --root may write only below the root")
                    .contains("tried to write outside the root: " + home.resolve("x"))
                    .contains("tried to write outside the root: /tmp/../" + probe)
                    .contains("tried to write outside the root: " + canary.file())
                    .doesNotContain("\tat dev.mosaic");
            for (String id : new String[]{"etc", "home", "tmp-parent", "canary"}) {
                assertThat(r.stdout()).as("the failure names build[%s]: %s", id, r).containsPattern(
                        "build\\[" + id + "\\][^\\n]*\\n?[^\\n]*tried to write outside the root");
            }
            assertThat(root.resolve("work/out")).as("writes below the root are allowed").hasContent("ok\n");
            assertThat(root.resolve("work/out2")).hasContent("ok\n");
            assertThat(etc).doesNotExist();
            assertThat(top).doesNotExist();
            canary.assertUntouched();
            inHome.assertUntouched();
            assertThat(TreeSnapshot.of(home)).as("nothing in HOME changed").isEqualTo(homeBefore);
        } finally {
            // Only if confinement failed, which the assertions above report.
            Files.deleteIfExists(etc);
            Files.deleteIfExists(top);
        }
    }

    @Test
    void build_writingItsTmp_succeedsAndLeavesNothingOnTheRealTmp() throws Exception {
        String probe = "mosaic-confinement-probe-" + UUID.randomUUID();
        Path real = Path.of("/tmp", probe);
        playbook(build("scratch", "'echo scratch > /tmp/" + probe + " && cp /tmp/" + probe + " copied'"));
        try {
            Cli.Result r = cli().run("apply", "--root", root.toString(), "playbook.yml");

            assertThat(r.exitCode()).as("%s", r).isZero();
            assertThat(root.resolve("work/copied")).hasContent("scratch\n");
            assertThat(real).as("the command's /tmp is its own").doesNotExist();
        } finally {
            Files.deleteIfExists(real);
        }
    }

    @Test
    void plan_namesEachCommandWhereItRunsAndItsNetwork_butNotTheCommandOfASensitiveResource() throws Exception {
        Files.writeString(playbookDir.resolve("playbook.yml"), """
                name: announced
                sensitive: [token]
                vars:
                  token: s3cr3t-t0ken-value
                resources:
                  offline:
                    type: build
                    dir: /work
                    command: make all
                    toolchain: []
                  online:
                    type: build
                    dir: /work
                    command: ./fetch --token ${token}
                    network: true
                    toolchain: []
                """);

        Cli.Result text = cli().run("plan", "--root", root.toString(), "playbook.yml");
        Cli.Result json = cli().run("plan", "--root", root.toString(), "playbook.yml", "--json");

        assertThat(text.exitCode()).as("%s", text).isZero();
        assertThat(text.stdout()).as("%s", text)
                .contains("~ build[offline]\n    command: make all (in /work, network: off)\n")
                .contains("~ build[online]\n    command: (sensitive) (in /work, network: on)\n")
                .doesNotContain("s3cr3t-t0ken-value");
        assertThat(json.stdout()).as("%s", json)
                .contains("\"command\" : \"make all\",\n      \"dir\" : \"/work\",\n      \"confined\" : true,\n      \"network\" : false")
                .doesNotContain("s3cr3t-t0ken-value");
    }
}
