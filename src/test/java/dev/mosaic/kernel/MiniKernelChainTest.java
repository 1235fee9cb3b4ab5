package dev.mosaic.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The classic netboot recipe end to end, through the command line, on {@link MiniKernel}'s tree:
 * {@code cd /usr/src; patch -p0 < openMosix-1.0-1}, a tinyconfig plus chosen options resolved by
 * olddefconfig, {@code make bzImage modules modules_install}, then the image copied to the TFTP
 * directory and the modules to the thin clients' root. Every make target counts its runs in a file
 * outside the tree, so "nothing ran" is proven, not inferred from messages.
 */
class MiniKernelChainTest {

    static final String BZIMAGE = MiniKernel.DIR + "/arch/i386/boot/bzImage";
    static final String TFTP_IMAGE = "/srv/tftp/bzImage-1.0-om";
    static final String LTSP_MODULES = "/opt/ltsp/i386/lib/modules/1.0";

    static final String PLAYBOOK = """
            vars: { e1000: m, topology: 10 }
            resources:
              openmosix:
                type: patch
                description: cd /usr/src; patch -p0 < openMosix-1.0-1
                dir: /usr/src
                source: openMosix-1.0-1
                strip: 0
              kconfig:
                type: kernel_config
                dir: /usr/src/linux-1.0
                base: tinyconfig
                options:
                  CONFIG_E1000: "${e1000}"
                  CONFIG_MOSIX: y
                  CONFIG_MOSIX_MAXTOPOLOGY: ${topology}
                ranges:
                  CONFIG_MOSIX_MAXTOPOLOGY: { min: 2, max: 10 }
              kernel:
                type: build
                dir: /usr/src/linux-1.0
                commands:
                  - make bzImage
                  - make modules
                  - make modules_install INSTALL_MOD_PATH="$MOSAIC_ROOT"
                inputs: [/usr/src/linux-1.0]
                outputs: [/usr/src/linux-1.0/arch/i386/boot/bzImage, /lib/modules/1.0]
              tftp-kernel:
                type: file
                path: /srv/tftp/bzImage-1.0-om
                source: /usr/src/linux-1.0/arch/i386/boot/bzImage
              ltsp-modules:
                type: copy
                source: /lib/modules/1.0
                dest: /opt/ltsp/i386/lib/modules/1.0
                purge: true
            """;

    static final List<String> CHAIN = List.of("patch[openmosix]", "kernel_config[kconfig]", "build[kernel]",
            "file[tftp-kernel]", "copy[ltsp-modules]");

    @TempDir
    Path tmp;

    Sandbox box;

    @BeforeEach
    void recipe() {
        box = Sandbox.in(tmp);
        MiniKernel.write(box);
        box.writeControl("openMosix-1.0-1", MiniKernel.openMosixPatch());
        box.playbook(PLAYBOOK);
    }

    Map<String, Integer> counts() {
        return MiniKernel.counts(box);
    }

    static Map<String, Integer> everyTarget(int config, int image) {
        return Map.of("tinyconfig", config, "olddefconfig", config, "bzImage", image, "modules", image,
                "modules_install", image);
    }

    /** What the chain leaves on the target, mtimes and inodes included (Mosaic's own state aside). */
    List<String> target() {
        return List.of(box.at("/usr"), box.at("/lib"), box.at("/srv"), box.at("/opt")).stream()
                .flatMap(p -> Sandbox.snapshot(p).stream().map(l -> box.root.relativize(p) + "/" + l)).toList();
    }

    // ------------------------------------------------------------------ first and second apply

    @Test
    void theFirstApplyConvergesTheWholeChainAndTheSecondRunsNoCommandAtAll() {
        Sandbox.Run first = box.apply();

        assertThat(first.exitCode()).as("%s", first).isZero();
        assertThat(first.out()).contains("Apply complete: 5 changed, 0 refreshed, 0 unchanged, 0 failed, 0 skipped.");
        assertThat(counts()).isEqualTo(everyTarget(1, 1));
        String image = box.read(TFTP_IMAGE);
        assertThat(image).as("the image in /srv/tftp").isEqualTo(box.read(BZIMAGE))
                .contains("CONFIG_E1000=m\n").contains("CONFIG_MOSIX=y\n").contains("CONFIG_MOSIX_MAXTOPOLOGY=10\n")
                .contains("\tom_init();\n").contains("void om_init(void)");
        assertThat(box.read(LTSP_MODULES + "/modules.dep")).isEqualTo("kernel/drivers/net/e1000.ko\n");
        assertThat(box.read(LTSP_MODULES + "/kernel/drivers/net/e1000.ko")).isEqualTo(MiniKernel.E1000_C);
        List<String> converged = target();

        Sandbox.Run second = box.apply();

        assertThat(second.exitCode()).as("%s", second).isZero();
        assertThat(second.out()).contains("Apply complete: 0 changed, 0 refreshed, 5 unchanged, 0 failed, 0 skipped.")
                .doesNotContainPattern("(?m)^[~+*!-] ");
        assertThat(counts()).as("make targets run by the second apply").isEqualTo(everyTarget(1, 1));
        assertThat(target()).as("the target after the second apply").isEqualTo(converged);
        Sandbox.Run plan = box.plan("--detailed-exitcode");
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.out()).startsWith("No changes.");
    }

    // ------------------------------------------------------------------ one option changed

    @Test
    void changingOneOptionReRunsOnlyTheConfigTheBuildAndTheCopies() {
        box.applyOk();
        String patchedMain = Sandbox.identity(box.at(MiniKernel.DIR + "/init/main.c"));

        Sandbox.Run plan = box.plan("--var", "e1000=y");
        JsonNode json = box.planJson("--var", "e1000=y");

        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.out())
                .contains("# kernel_config[kconfig] will be updated in place (config changed)\n~ kernel_config[kconfig]\n"
                        + "    path: /usr/src/linux-1.0/.config\n"
                        + "    command: make tinyconfig (in /usr/src/linux-1.0, network: off)\n"
                        + "    command: make olddefconfig (in /usr/src/linux-1.0, network: off)\n"
                        + "    ~ CONFIG_E1000: m -> y\n")
                .contains("# build[kernel] will be updated in place (input changed: kernel_config[kconfig])\n~ build[kernel]\n"
                        + "    path: /lib/modules/1.0\n"
                        + "    path: /usr/src/linux-1.0/arch/i386/boot/bzImage\n"
                        + "    command: make bzImage (in /usr/src/linux-1.0, network: off)\n")
                .contains("# file[tftp-kernel] will be updated in place (input changed: kernel_config[kconfig])")
                .contains("# copy[ltsp-modules] will be updated in place (input changed: kernel_config[kconfig])")
                .doesNotContain("patch[openmosix]")
                .contains("Plan: 0 to create, 4 to update, 0 to replace, 0 to delete, 0 to refresh, 1 unchanged.");
        assertThat(Sandbox.changed(json)).containsExactlyInAnyOrderElementsOf(CHAIN.subList(1, 5));
        for (String downstream : CHAIN.subList(2, 5)) {
            assertThat(Sandbox.change(json, downstream).get("after")).extracting(JsonNode::asText)
                    .as(downstream).containsExactly("kernel_config[kconfig]");
        }
        assertThat(counts()).as("make targets run by plan").isEqualTo(everyTarget(1, 1));

        Sandbox.Run apply = box.apply("--var", "e1000=y");

        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(apply.out()).contains("~ kernel_config[kconfig]: updated (config changed) [CONFIG_E1000]")
                .contains("~ build[kernel]: updated").contains("~ file[tftp-kernel]: updated")
                .contains("~ copy[ltsp-modules]: updated")
                .contains("Apply complete: 4 changed, 0 refreshed, 1 unchanged, 0 failed, 0 skipped.");
        assertThat(counts()).isEqualTo(everyTarget(2, 2));
        assertThat(Sandbox.identity(box.at(MiniKernel.DIR + "/init/main.c"))).as("the patched file").isEqualTo(patchedMain);
        assertThat(box.read(TFTP_IMAGE)).contains("CONFIG_E1000=y\n").isEqualTo(box.read(BZIMAGE));
        assertThat(box.read(LTSP_MODULES + "/modules.dep")).isEmpty();
        assertThat(box.at(LTSP_MODULES + "/kernel/drivers/net/e1000.ko")).as("the module, now built in").doesNotExist();

        assertThat(box.apply("--var", "e1000=y").out()).contains("Apply complete: 0 changed");
        assertThat(counts()).isEqualTo(everyTarget(2, 2));
    }

    @Test
    void aTopologyOutsideItsRangeIsRefusedBeforeAnythingRuns() {
        Sandbox.Run apply = box.apply("--var", "topology=11");

        assertThat(apply.exitCode()).isEqualTo(1);
        assertThat(apply.err()).contains("CONFIG_MOSIX_MAXTOPOLOGY = 11 is out of range 2..10");
        assertThat(counts()).isEmpty();
        assertThat(box.read(MiniKernel.DIR + "/init/main.c")).as("the tree, unpatched").isEqualTo(MiniKernel.MAIN_C);
    }

    // ------------------------------------------------------------------ no rebuild for nothing

    @Test
    void touchingAPatchedFileWithoutChangingItsBytesRebuildsNothing() {
        box.applyOk();

        Sandbox.touch(box.at(MiniKernel.DIR + "/init/main.c"), 3600);
        Sandbox.touch(box.at(MiniKernel.DIR + "/kernel/mosix.c"), -3600);

        Sandbox.Run plan = box.plan();
        assertThat(plan.out()).as("%s", plan).startsWith("No changes.");
        assertThat(box.applyOk().out()).contains("Apply complete: 0 changed, 0 refreshed, 5 unchanged");
        assertThat(counts()).isEqualTo(everyTarget(1, 1));
    }

    @Test
    void aRebuildWithIdenticalOutputsLeavesTheCopiesUntouched() {
        box.applyOk();
        String tftpImage = Sandbox.identity(box.at(TFTP_IMAGE));
        Map<String, String> ltsp = Sandbox.identities(box.at(LTSP_MODULES));

        // Part of the build's inputs (the whole tree), but no target reads it.
        box.write(MiniKernel.DIR + "/Documentation/README", "Linux 1.0 in miniature, now with openMosix.\n");
        Sandbox.Run plan = box.plan();
        Sandbox.Run apply = box.applyOk();

        assertThat(plan.out()).as("%s", plan).contains("# build[kernel] will be updated in place (config changed)")
                .contains("# file[tftp-kernel] will be updated in place (input changed: build[kernel])")
                .contains("# copy[ltsp-modules] will be updated in place (input changed: build[kernel])");
        assertThat(counts()).as("the build ran again").isEqualTo(everyTarget(1, 2));
        assertThat(apply.out()).contains("~ build[kernel]: updated")
                .contains("Apply complete: 1 changed, 0 refreshed, 4 unchanged, 0 failed, 0 skipped.");
        assertThat(Sandbox.identity(box.at(TFTP_IMAGE))).as("the image in /srv/tftp (inode, mtime)").isEqualTo(tftpImage);
        assertThat(Sandbox.identities(box.at(LTSP_MODULES))).as("the thin clients' modules (inodes, mtimes)").isEqualTo(ltsp);
    }

    // ------------------------------------------------------------------ the graph

    @Test
    void theGraphShowsTheChainInOrderWithWhyEachStepFollowsTheOther() {
        Sandbox.Run graph = box.mosaic("graph");

        assertThat(graph.exitCode()).as("%s", graph).isZero();
        List<String> order = graph.out().lines().takeWhile(l -> !l.equals("edges:")).skip(1)
                .map(l -> l.replaceFirst("^\\s*\\d+\\. ", "")).toList();
        assertThat(order.subList(0, 3)).containsExactlyElementsOf(CHAIN.subList(0, 3));
        assertThat(order.subList(3, 5)).containsExactlyInAnyOrderElementsOf(CHAIN.subList(3, 5));
        assertThat(graph.out())
                .contains("  patch[openmosix] -> kernel_config[kconfig]  (implicit: openmosix modifies /usr/src before kconfig writes /usr/src/linux-1.0/.config)")
                .contains("  patch[openmosix] -> build[kernel]  (implicit: ")
                .contains("  kernel_config[kconfig] -> build[kernel]  (implicit: kernel reads the tree /usr/src/linux-1.0)")
                .contains("  build[kernel] -> file[tftp-kernel]  (implicit: tftp-kernel reads /usr/src/linux-1.0/arch/i386/boot/bzImage)")
                .contains("  build[kernel] -> copy[ltsp-modules]  (implicit: ltsp-modules reads /lib/modules/1.0)");
    }
}
