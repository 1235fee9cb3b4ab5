package dev.mosaic.resource.kconfig;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mosaic.kernel.MiniKernel;
import dev.mosaic.kernel.Sandbox;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code kernel_config} kind against {@link MiniKernel}'s fake tree, whose Makefile implements
 * tinyconfig, defconfig, olddefconfig and an oldconfig that reads its answers from standard input,
 * and whose Kconfig drops options with unmet dependencies. Every make target counts its runs in a
 * file outside the tree, so the tests see exactly which targets Mosaic ran.
 */
class KernelConfigTypeTest {

    static final String DIR = MiniKernel.DIR;
    static final String DOT_CONFIG = DIR + "/.config";

    @TempDir
    Path tmp;

    Sandbox box;

    @BeforeEach
    void tree() {
        box = Sandbox.in(tmp);
        MiniKernel.write(box);
    }

    void playbook(String base, String options) {
        box.playbook("""
                vars: { e1000: y }
                resources:
                  kconfig:
                    type: kernel_config
                    dir: %s
                    base: %s
                    options:
                %s
                """.formatted(DIR, base, options.indent(6).stripTrailing()));
    }

    Map<String, Integer> counts() {
        return MiniKernel.counts(box);
    }

    // ------------------------------------------------------------------ base target, olddefconfig

    @Test
    void aFreshTreeIsPlannedAsTheBaseAndEachRequestedOptionWithoutRunningMake() {
        playbook("tinyconfig", "CONFIG_E1000: \"${e1000}\"");

        Sandbox.Run plan = box.plan();

        assertThat(plan.out()).as("%s", plan).contains("# kernel_config[kconfig] will be created (new)")
                .contains("+ base: tinyconfig").contains("+ CONFIG_E1000: y");
        assertThat(counts()).as("make targets run by plan").isEmpty();
        assertThat(box.at(DOT_CONFIG)).doesNotExist();
    }

    @Test
    void applyRunsTheBaseTargetThenOlddefconfigAndASecondApplyRunsNoMakeAtAll() {
        playbook("tinyconfig", "CONFIG_E1000: \"${e1000}\"");

        Sandbox.Run first = box.applyOk();

        assertThat(first.out()).contains("+ kernel_config[kconfig]: created (new) [base, CONFIG_E1000]");
        assertThat(counts()).isEqualTo(Map.of("tinyconfig", 1, "olddefconfig", 1));
        assertThat(box.read(DOT_CONFIG)).isEqualTo("""
                CONFIG_TINY=y
                CONFIG_E1000=y
                # CONFIG_FOO is not set
                CONFIG_MOSIX_MAXTOPOLOGY=4
                CONFIG_CMDLINE=""
                """);
        String converged = Sandbox.identity(box.at(DOT_CONFIG));

        Sandbox.Run second = box.applyOk();

        assertThat(second.out()).contains("Apply complete: 0 changed, 0 refreshed, 1 unchanged");
        assertThat(counts()).as("make targets after the second apply").isEqualTo(Map.of("tinyconfig", 1, "olddefconfig", 1));
        assertThat(Sandbox.identity(box.at(DOT_CONFIG))).as(".config inode and mtime").isEqualTo(converged);
    }

    @Test
    void changingOneOptionIsPlannedAsThatOptionAloneNotAsADiffOfTheWholeConfig() {
        playbook("tinyconfig", "CONFIG_E1000: \"${e1000}\"\nCONFIG_FOO: y");
        box.applyOk("--var", "e1000=n");

        Sandbox.Run plan = box.plan("--var", "e1000=y");
        JsonNode change = Sandbox.change(box.planJson("--var", "e1000=y"), "kernel_config[kconfig]");

        assertThat(plan.out()).as("%s", plan).contains("# kernel_config[kconfig] will be updated in place (config changed)")
                .contains("    ~ CONFIG_E1000: n -> y\n")
                .doesNotContain("CONFIG_FOO").doesNotContain("CONFIG_TINY").doesNotContain("@@");
        assertThat(change.get("diffs")).singleElement().satisfies(d -> {
            assertThat(d.get("field").asText()).isEqualTo("CONFIG_E1000");
            assertThat(d.get("before").asText()).isEqualTo("n");
            assertThat(d.get("after").asText()).isEqualTo("y");
        });
        box.applyOk("--var", "e1000=y");
        assertThat(box.read(DOT_CONFIG)).contains("CONFIG_E1000=y\n").contains("CONFIG_FOO=y\n");
        assertThat(box.plan("--var", "e1000=y").out()).startsWith("No changes.");
    }

    @Test
    void defconfigRunsWithTheEnvironmentOfTheResource() {
        box.playbook("""
                resources:
                  kconfig:
                    type: kernel_config
                    dir: %s
                    base: defconfig
                    env: { ARCH: i386 }
                    options: { CONFIG_FOO: y }
                """.formatted(DIR));

        box.applyOk();

        assertThat(box.read(DOT_CONFIG)).isEqualTo("""
                # CONFIG_TINY is not set
                CONFIG_E1000=m
                CONFIG_FOO=y
                # CONFIG_NEEDS_FOO is not set
                CONFIG_MOSIX_MAXTOPOLOGY=4
                CONFIG_CMDLINE="console=tty0"
                """);
        assertThat(counts()).isEqualTo(Map.of("defconfig", 1, "olddefconfig", 1));
    }

    @Test
    void aFailingMakeIsAnErrorWithTheTargetTheTreeAndMakesLastWords() {
        // defconfig needs ARCH, which this playbook does not give.
        playbook("defconfig", "CONFIG_FOO: y");

        Sandbox.Run apply = box.apply();

        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(1);
        assertThat(apply.out()).contains("make defconfig failed in /usr/src/linux-1.0 (exit 2)")
                .contains("ARCH is not set");
    }

    @Test
    void aTreeThatDoesNotExistIsAnErrorNamingIt() {
        box.playbook("""
                resources:
                  kconfig: { type: kernel_config, dir: /usr/src/linux-2.4.22, base: tinyconfig }
                """);

        Sandbox.Run plan = box.plan();

        assertThat(plan.exitCode()).isEqualTo(1);
        assertThat(plan.out()).contains("kernel tree /usr/src/linux-2.4.22 does not exist");
    }

    // ------------------------------------------------------------------ oldconfig fed with yes ""

    @Test
    void theOldconfigResolverAnswersEveryQuestionWithItsDefaultLikeYesEmptyPipedIn() {
        // The fake oldconfig really reads its answers: with standard input closed it fails.
        Path probe = tmp.resolve("probe/linux");
        Sandbox.copyTree(MiniKernel.tree(box), probe);
        Sandbox.writeFile(probe.resolve(".config"), "CONFIG_E1000=y\n");
        Sandbox.Proc closed = Sandbox.run(probe, null, Map.of("MOSAIC_ROOT", tmp.resolve("probe").toString()), "make", "oldconfig");
        assertThat(closed.exitCode()).as(closed.output()).isNotZero();
        assertThat(closed.output()).contains("no answer for CONFIG_TINY: standard input is closed");

        box.writeControl("config-1.0-ltsp", "CONFIG_E1000=y\n");
        box.playbook("""
                resources:
                  kconfig:
                    type: kernel_config
                    dir: %s
                    base: config-1.0-ltsp
                    resolver: oldconfig
                    options: { CONFIG_MOSIX_MAXTOPOLOGY: 8 }
                """.formatted(DIR));

        box.applyOk();

        assertThat(box.read(DOT_CONFIG)).isEqualTo("""
                # CONFIG_TINY is not set
                CONFIG_E1000=y
                # CONFIG_FOO is not set
                CONFIG_MOSIX_MAXTOPOLOGY=8
                CONFIG_CMDLINE=""
                """);
        assertThat(counts()).isEqualTo(Map.of("oldconfig", 1));
        assertThat(Sandbox.readFile(box.log("kernel_config[kconfig]")))
                .as("the questions oldconfig asked").contains("CONFIG_TINY [n] (NEW)").contains("CONFIG_CMDLINE [\"\"] (NEW)");
        assertThat(box.applyOk().out()).contains("Apply complete: 0 changed");
    }

    // ------------------------------------------------------------------ a config file as base

    @Test
    void aConfigFileNextToThePlaybookIsTheBaseAndNoBaseTargetRuns() {
        box.writeControl("configs/config-1.0-ltsp", """
                CONFIG_E1000=m
                CONFIG_FOO=y
                CONFIG_NEEDS_FOO=y
                """);
        playbook("configs/config-1.0-ltsp", "CONFIG_CMDLINE: \"console=ttyS0,115200 root=/dev/nfs\"");

        Sandbox.Run plan = box.plan();
        box.applyOk();

        assertThat(plan.out()).contains("+ base: configs/config-1.0-ltsp")
                .contains("+ CONFIG_CMDLINE: console=ttyS0,115200 root=/dev/nfs");
        assertThat(box.read(DOT_CONFIG)).isEqualTo("""
                # CONFIG_TINY is not set
                CONFIG_E1000=m
                CONFIG_FOO=y
                CONFIG_NEEDS_FOO=y
                CONFIG_MOSIX_MAXTOPOLOGY=4
                CONFIG_CMDLINE="console=ttyS0,115200 root=/dev/nfs"
                """);
        assertThat(counts()).isEqualTo(Map.of("olddefconfig", 1));
        assertThat(box.applyOk().out()).as("string options read back unquoted").contains("Apply complete: 0 changed");
    }

    @Test
    void anAbsoluteConfigFileOnTheTargetIsTheBase() {
        box.write("/boot/config-1.0", "CONFIG_E1000=m\nCONFIG_MOSIX_MAXTOPOLOGY=6\n");
        playbook("/boot/config-1.0", "CONFIG_FOO: true");

        box.applyOk();

        assertThat(box.read(DOT_CONFIG)).contains("CONFIG_E1000=m\n").contains("CONFIG_MOSIX_MAXTOPOLOGY=6\n")
                .contains("CONFIG_FOO=y\n");
        assertThat(counts()).isEqualTo(Map.of("olddefconfig", 1));
        assertThat(box.applyOk().out()).contains("Apply complete: 0 changed");
    }

    @Test
    void editingTheBaseFileIsPlannedAsAChangedBaseAndAConfigChange() {
        Path base = box.writeControl("configs/config-1.0-ltsp", "CONFIG_E1000=m\n");
        playbook("configs/config-1.0-ltsp", "CONFIG_FOO: y");
        box.applyOk();

        Sandbox.writeFile(base, "CONFIG_E1000=m\nCONFIG_MOSIX_MAXTOPOLOGY=9\n");
        Sandbox.Run plan = box.plan();

        assertThat(plan.out()).as("%s", plan).contains("# kernel_config[kconfig] will be updated in place (config changed)")
                .contains("~ base: changed -> configs/config-1.0-ltsp");
        box.applyOk();
        assertThat(box.read(DOT_CONFIG)).contains("CONFIG_MOSIX_MAXTOPOLOGY=9\n");
        assertThat(box.plan().out()).startsWith("No changes.");
    }

    @Test
    void aMissingBaseFileIsAnErrorNamingIt() {
        playbook("configs/config-2.4.22-ltsp-2", "CONFIG_FOO: y");

        Sandbox.Run plan = box.plan();

        assertThat(plan.exitCode()).isEqualTo(1);
        assertThat(plan.out()).contains("base config configs/config-2.4.22-ltsp-2 does not exist");
    }

    // ------------------------------------------------------------------ verification

    @Test
    void anOptionKconfigDropsIsAnErrorNamingTheOptionAndWhatKconfigGave() {
        // CONFIG_NEEDS_FOO depends on CONFIG_FOO, which is off; 100 is outside Kconfig's own
        // range for CONFIG_MOSIX_MAXTOPOLOGY; CONFIG_OPENMOSIX does not exist in this tree.
        playbook("tinyconfig", """
                CONFIG_NEEDS_FOO: y
                CONFIG_MOSIX_MAXTOPOLOGY: 100
                CONFIG_OPENMOSIX: y
                CONFIG_E1000: y""");

        Sandbox.Run apply = box.apply();

        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(1);
        assertThat(apply.out()).contains("Kconfig did not keep every requested option in /usr/src/linux-1.0/.config:")
                .contains("CONFIG_NEEDS_FOO: requested y, Kconfig gave nothing (unknown symbol or unmet dependency)")
                .contains("CONFIG_MOSIX_MAXTOPOLOGY: requested 100, Kconfig gave 4")
                .contains("CONFIG_OPENMOSIX: requested y, Kconfig gave nothing")
                .doesNotContain("CONFIG_E1000: requested");
        assertThat(box.plan().out()).as("the next plan still wants the options")
                .contains("~ CONFIG_NEEDS_FOO: n -> y");
    }

    @Test
    void anOptionWhoseDependencyIsRequestedTooIsKept() {
        playbook("tinyconfig", "CONFIG_NEEDS_FOO: y\nCONFIG_FOO: y");

        box.applyOk();

        assertThat(box.read(DOT_CONFIG)).contains("CONFIG_FOO=y\nCONFIG_NEEDS_FOO=y\n");
    }

    // ------------------------------------------------------------------ ranges

    @Test
    void aValueOutsideItsRangeIsRefusedAtPlanTimeWithItsPositionAndNothingRuns() {
        box.playbook("""
                vars: { topo: 4 }
                resources:
                  kconfig:
                    type: kernel_config
                    dir: %s
                    base: tinyconfig
                    options:
                      CONFIG_MOSIX_MAXTOPOLOGY: ${topo}
                    ranges:
                      CONFIG_MOSIX_MAXTOPOLOGY: { min: 2, max: 10 }
                """.formatted(DIR));

        Sandbox.Run eleven = box.plan("--var", "topo=11");
        Sandbox.Run one = box.plan("--var", "topo=1");
        Sandbox.Run applyEleven = box.apply("--var", "topo=11");

        assertThat(eleven.exitCode()).as("%s", eleven).isEqualTo(1);
        assertThat(eleven.err()).contains("playbook.yml:8:33: error: resource 'kconfig': "
                + "CONFIG_MOSIX_MAXTOPOLOGY = 11 is out of range 2..10 (ranges, line 10)");
        assertThat(one.err()).contains("CONFIG_MOSIX_MAXTOPOLOGY = 1 is out of range 2..10");
        assertThat(applyEleven.exitCode()).isEqualTo(1);
        assertThat(counts()).as("make targets run").isEmpty();
        assertThat(box.at(DOT_CONFIG)).doesNotExist();

        Sandbox.Run ten = box.plan("--var", "topo=10");
        assertThat(ten.exitCode()).as("%s", ten).isZero();
        assertThat(ten.out()).contains("+ CONFIG_MOSIX_MAXTOPOLOGY: 10");
        box.applyOk("--var", "topo=10");
        assertThat(box.read(DOT_CONFIG)).contains("CONFIG_MOSIX_MAXTOPOLOGY=10\n");
    }

    // ------------------------------------------------------------------ edits by hand

    @Test
    void aConfigEditedByHandIsPlannedAsEditedOutsideMosaicAndRegenerated() throws Exception {
        playbook("tinyconfig", "CONFIG_E1000: y");
        box.applyOk();
        byte[] generated = Files.readAllBytes(box.at(DOT_CONFIG));
        box.write(DOT_CONFIG, box.read(DOT_CONFIG).replace("CONFIG_CMDLINE=\"\"", "CONFIG_CMDLINE=\"quiet\""));

        Sandbox.Run plan = box.plan();

        assertThat(plan.out()).as("%s", plan).contains("# kernel_config[kconfig] will be updated in place (drift)")
                .contains("~ .config: edited outside Mosaic -> regenerated");
        assertThat(box.applyOk().out()).contains("~ kernel_config[kconfig]: updated (drift) [.config]");
        assertThat(Files.readAllBytes(box.at(DOT_CONFIG))).isEqualTo(generated);
        assertThat(counts()).isEqualTo(Map.of("tinyconfig", 2, "olddefconfig", 2));
        assertThat(box.applyOk().out()).contains("Apply complete: 0 changed");
        assertThat(counts()).isEqualTo(Map.of("tinyconfig", 2, "olddefconfig", 2));
    }

    @Test
    void aKconfigFileChangedInTheTree_likeAPatchAddingOptions_isResolvedAgain() {
        box.write(DIR + "/Kconfig", "mainmenu \"mini\"\n");
        box.write(DIR + "/arch/Kconfig", "config TINY\n\tbool\n");
        playbook("tinyconfig", "CONFIG_E1000: y");
        box.applyOk();
        box.write(DIR + "/arch/Kconfig", "config TINY\n\tbool\nconfig MOSIX\n\tbool \"openMosix\"\n");
        box.write(DIR + "/README", "not a Kconfig file: changes nothing\n");

        Sandbox.Run plan = box.plan();

        assertThat(plan.out()).as("%s", plan).contains("# kernel_config[kconfig] will be updated in place (config changed)")
                .contains("~ Kconfig: changed in the tree -> resolved again");
        assertThat(box.applyOk().out()).contains("~ kernel_config[kconfig]: updated (config changed) [Kconfig]");
        assertThat(box.applyOk().out()).contains("Apply complete: 0 changed");
    }

    @Test
    void a24TreesArchConfigInChanged_likeTheOpenMosixPatchSourcingItsOptions_isResolvedAgain() {
        box.write(DIR + "/arch/i386/config.in", "bool 'Networking support' CONFIG_NET\n");
        playbook("tinyconfig", "CONFIG_E1000: y");
        box.applyOk();
        box.write(DIR + "/arch/i386/config.in", "source hpc/Config.in\nbool 'Networking support' CONFIG_NET\n");

        Sandbox.Run plan = box.plan();

        assertThat(plan.out()).as("%s", plan).contains("# kernel_config[kconfig] will be updated in place (config changed)")
                .contains("~ Kconfig: changed in the tree -> resolved again");
    }

    @Test
    void aValueOutsideItsRangeIsReportedAtTheOptionsOwnValueNotAtTheFirstOption() {
        box.playbook("""
                vars: { topo: 4 }
                resources:
                  kconfig:
                    type: kernel_config
                    dir: %s
                    base: tinyconfig
                    options:
                      CONFIG_E1000: y
                      CONFIG_MOSIX_MAXTOPOLOGY: ${topo}
                    ranges:
                      CONFIG_MOSIX_MAXTOPOLOGY: { min: 2, max: 10 }
                """.formatted(DIR));

        Sandbox.Run eleven = box.plan("--var", "topo=11");

        assertThat(eleven.exitCode()).as("%s", eleven).isEqualTo(1);
        assertThat(eleven.err()).contains("playbook.yml:9:33: error: resource 'kconfig': "
                + "CONFIG_MOSIX_MAXTOPOLOGY = 11 is out of range 2..10 (ranges, line 11)");
    }

    @Test
    void aRequestedOptionEditedByHandIsDriftOfThatOption() {
        playbook("tinyconfig", "CONFIG_E1000: y");
        box.applyOk();
        box.write(DOT_CONFIG, box.read(DOT_CONFIG).replace("CONFIG_E1000=y", "# CONFIG_E1000 is not set"));

        Sandbox.Run plan = box.plan();

        assertThat(plan.out()).as("%s", plan).contains("(drift)").contains("~ CONFIG_E1000: n -> y")
                .doesNotContain("edited outside Mosaic");
    }

    @Test
    void aConfigMosaicNeverWroteIsPlannedAsTakenOver() {
        box.write(DOT_CONFIG, "CONFIG_E1000=y\n");
        playbook("tinyconfig", "CONFIG_E1000: y");

        Sandbox.Run plan = box.plan();

        assertThat(plan.out()).as("%s", plan).contains("~ base: (not applied by Mosaic) -> tinyconfig")
                .doesNotContain("CONFIG_E1000:");
        box.applyOk();
        assertThat(box.read(DOT_CONFIG)).startsWith("CONFIG_TINY=y\n");
    }

    // ------------------------------------------------------------------ .config lines

    @Test
    void dotConfigReadsSetUnsetAndQuotedValuesAndAbsentOptionsAreN() {
        Map<String, String> c = DotConfig.parse("""
                #
                # Automatically generated file; DO NOT EDIT.
                #
                CONFIG_E1000=m
                # CONFIG_FOO is not set
                CONFIG_CMDLINE="console=ttyS0 \\"quoted\\" C:\\\\boot"
                CONFIG_NR_CPUS=8
                CONFIG_PHYSICAL_START=0x1000000
                """);

        assertThat(c).containsExactly(Map.entry("CONFIG_E1000", "m"), Map.entry("CONFIG_FOO", "n"),
                Map.entry("CONFIG_CMDLINE", "console=ttyS0 \"quoted\" C:\\boot"), Map.entry("CONFIG_NR_CPUS", "8"),
                Map.entry("CONFIG_PHYSICAL_START", "0x1000000"));
        assertThat(DotConfig.valueOf(c, "CONFIG_SMP")).isEqualTo("n");
    }

    @Test
    void dotConfigSetReplacesLinesInPlaceAppendsNewOnesAndQuotesStrings() {
        String text = "CONFIG_E1000=m\n# CONFIG_FOO is not set\nCONFIG_NR_CPUS=8\n";

        String edited = DotConfig.set(text, new java.util.TreeMap<>(Map.of(
                "CONFIG_E1000", "n", "CONFIG_FOO", "y", "CONFIG_CMDLINE", "a \"b\"", "CONFIG_NR_CPUS", "0x10")));

        assertThat(edited).isEqualTo("""
                # CONFIG_E1000 is not set
                CONFIG_FOO=y
                CONFIG_NR_CPUS=0x10
                CONFIG_CMDLINE="a \\"b\\""
                """);
        assertThat(DotConfig.parse(edited)).containsEntry("CONFIG_CMDLINE", "a \"b\"");
    }
}
