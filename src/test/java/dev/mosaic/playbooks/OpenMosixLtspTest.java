package dev.mosaic.playbooks;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code playbooks/openmosix-ltsp.yml}, the 2003 openMosix-LTSP recipe as declared state, applied
 * end to end and hermetically: its six downloads are miniatures ({@link OpenMosixMirror}) served
 * over HTTP on 127.0.0.1, the target is a temporary root, and every command of the recipe (the
 * kits' install.sh, each make target, buildk) logs itself in {@link OpenMosixMirror#LOG}, so what
 * ran, how often and in which order is proven, not inferred from Mosaic's messages.
 */
class OpenMosixLtspTest {

    static final String PLAYBOOK = "openmosix-ltsp.yml";
    static final String KERNEL_SRC = "/usr/src/linux-2.4.22";
    static final String KIT = "/root/ltsp_initrd_kit";
    static final String TFTP_KERNEL = "/tftpboot/bzImage-2.4.22-openmosix-2";
    static final String TFTP_INITRD = "/tftpboot/initrd-2.4.22-openmosix-2.gz";
    static final String LTSP_MODULES = "/opt/ltsp/i386/lib/modules/2.4.22";
    static final String PXE_DEFAULT = "/tftpboot/pxelinux.cfg/default";

    /** The procedure's steps, in its order, as the plan of an empty root lists them. */
    static final List<String> RECIPE = List.of(
            "module.ltsp.directory[ltsp-root]", "module.ltsp.directory[tftp-root]",
            "module.ltsp.archive[local-apps]", "module.ltsp.build[local-apps-install]",
            "module.ltsp.archive[mosix-core]", "module.ltsp.build[mosix-core-install]",
            "module.ltsp.archive[openmosix-userland]", "module.ltsp.build[openmosix-userland-install]",
            "module.kernel.archive[kernel-source]", "module.kernel.archive[openmosix-patch-file]",
            "module.kernel.patch[openmosix-patch]",
            "module.kernel.archive[initrd-kit]", "module.kernel.kernel_config[kernel-options]",
            "module.kernel.build[kernel]",
            "module.kernel.build[buildk]",
            "module.kernel.file[tftp-kernel]", "module.kernel.file[tftp-initrd]", "module.kernel.copy[ltsp-modules]",
            "module.pxe.pxe[pxe-default]");

    static final List<String> INSTALLS = List.of(
            "install.sh ltsp_local_apps", "install.sh ltsp_mosix_core", "install.sh ltsp_openmosix_userland");

    /** kernel_config's own "yes '' | make oldconfig", then the compile's chain, then buildk. */
    static final List<String> KERNEL_CHAIN = List.of("make oldconfig",
            "make clean", "make oldconfig", "make dep", "make bzImage", "make modules", "make modules_install",
            "buildk");

    @TempDir
    Path tmp;

    MirrorServer mirror;
    PlaybookLab lab;

    @BeforeEach
    void mirrorAndLab() {
        mirror = MirrorServer.serve(OpenMosixMirror.build(tmp.resolve("mirror")));
        lab = PlaybookLab.of(tmp, PLAYBOOK).withVar("mirror", mirror.url());
    }

    @AfterEach
    void stopMirror() {
        mirror.close();
    }

    PlaybookLab.Run applyOk(String... extra) {
        PlaybookLab.Run r = lab.apply(extra);
        assertThat(r.exitCode()).as("%s", r).isZero();
        return r;
    }

    List<String> log() {
        return lab.lines(OpenMosixMirror.LOG);
    }

    // ------------------------------------------------------------------ the plan

    @Test
    void thePlanOfAnEmptyRootListsTheProceduresStepsInItsOrderAndWritesNothing() {
        PlaybookLab.Run plan = lab.plan();

        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.blockAddresses()).as("%s", plan).isEqualTo(RECIPE);
        for (String address : RECIPE) {
            assertThat(plan.header(address)).as("every step says what it is: %s", address).contains(" — ");
        }
        assertThat(plan.header("module.ltsp.archive[local-apps]")).endsWith("— cd ~/; tar -zxvf ltsp_local_apps-3.0.0-i386.tgz");
        assertThat(plan.header("module.kernel.patch[openmosix-patch]")).endsWith("cd /usr/src; patch -p0 < openMosix-2.4.22-1");
        assertThat(plan.header("module.kernel.build[kernel]"))
                .endsWith("— make clean && make oldconfig && make dep && make bzImage && make modules && make modules_install");
        assertThat(plan.out()).contains("Plan: 13 to create, 0 to update, 0 to replace, 0 to delete, 0 to refresh, 0 unchanged, 6 deferred.");
        assertThat(lab.root).as("the target").doesNotExist();
        assertThat(mirror.requests()).as("plan never downloads").isEmpty();
        assertThat(lab.playbook.resolveSibling("mosaic.lock")).doesNotExist();
    }

    // ------------------------------------------------------------------ the first apply

    @Test
    void theFirstApplyServesTheOpenMosixKernelAndInitrdFromTftpbootByteForByte() throws IOException {
        PlaybookLab.Run apply = applyOk();

        assertThat(apply.out()).contains("Apply complete: 19 changed, 0 refreshed, 0 unchanged, 0 failed, 0 skipped.");
        assertThat(lab.bytes(TFTP_KERNEL)).as(TFTP_KERNEL).isEqualTo(utf8(tftpKernel(4)))
                .isEqualTo(lab.bytes(KIT + "/bzImage-2.4.22-openmosix-2"));
        assertThat(lab.bytes(TFTP_INITRD)).as(TFTP_INITRD).isEqualTo(lab.bytes(KIT + "/initrd-2.4.22-openmosix-2.gz"));
        assertThat(gunzip(lab.bytes(TFTP_INITRD))).as("the initrd, unzipped").isEqualTo(initrd(4));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(lab.at(TFTP_KERNEL)))).isEqualTo("rw-r--r--");
        assertThat(lab.tree("/lib/modules/2.4.22")).as("make modules_install below the root").isEqualTo(modules(4));
        assertThat(lab.tree(LTSP_MODULES)).as(LTSP_MODULES).isEqualTo(modules(4));
        assertThat(lab.read(PXE_DEFAULT)).isEqualTo("""
                prompt=0
                label linux
                kernel bzImage-2.4.22-openmosix-2
                append init=/linuxrc rw root=/dev/ram0 initrd=initrd-2.4.22-openmosix-2.gz
                """);
        assertThat(lab.read(KERNEL_SRC + "/.config")).isEqualTo(dotConfig(4));
        assertThat(mirror.requests()).as("each download fetched once").hasSize(6).doesNotHaveDuplicates();
        assertThat(Files.readString(lab.playbook.resolveSibling("mosaic.lock")))
                .as("the lock file, next to the copied playbook").contains(mirror.url() + "/linux-2.4.22.tar.gz");
    }

    @Test
    void eachInstallScriptRunsOnceInTheRecipesOrderAndTheKernelChainOnce() {
        applyOk();

        List<String> log = log();
        assertThat(log.stream().filter(l -> l.startsWith("install.sh")).toList()).isEqualTo(INSTALLS);
        assertThat(log.stream().filter(l -> !l.startsWith("install.sh")).toList()).isEqualTo(KERNEL_CHAIN);
        assertThat(lab.tree("/opt/ltsp/i386/etc")).isEqualTo(Map.of(
                "rc.localapps", OpenMosixMirror.text("ltsp_local_apps/rc.localapps"),
                "rc.openmosix", OpenMosixMirror.text("ltsp_mosix_core-1.0beta4/rc.openmosix")));
        assertThat(lab.read("/opt/ltsp/i386/sbin/setpe")).isEqualTo(OpenMosixMirror.text("ltsp_openmosix_userland_0.3.4/sbin/setpe"));
        assertThat(lab.read("/opt/ltsp/i386/bin/mosmon")).isEqualTo(OpenMosixMirror.text("ltsp_openmosix_userland_0.3.4/bin/mosmon"));
    }

    // ------------------------------------------------------------------ converged

    @Test
    void aSecondApplyChangesNothingAndRunsNoCommand() {
        applyOk();
        List<String> converged = lab.snapshot();
        List<String> ran = log();

        PlaybookLab.Run plan = lab.plan("--detailed-exitcode");
        PlaybookLab.Run second = applyOk();

        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.out()).startsWith("No changes.");
        assertThat(second.out()).contains("Apply complete: 0 changed, 0 refreshed, 19 unchanged, 0 failed, 0 skipped.");
        assertThat(log()).as("commands run by the second apply").isEqualTo(ran);
        assertThat(lab.snapshot()).as("the target after the second apply").isEqualTo(converged);
        assertThat(mirror.requests()).as("downloads").hasSize(6);
    }

    // ------------------------------------------------------------------ one option changed

    @Test
    void changingMaxTopologyRerunsOnlyTheKernelConfigTheCompileBuildkAndTheCopies() throws IOException {
        applyOk();
        List<String> before = log();

        PlaybookLab.Run plan = lab.plan("--var", "CONFIG_MOSIX_MAXTOPOLOGY=6");

        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.blockAddresses()).isEqualTo(List.of("module.kernel.kernel_config[kernel-options]",
                "module.kernel.build[kernel]", "module.kernel.build[buildk]", "module.kernel.file[tftp-kernel]",
                "module.kernel.file[tftp-initrd]", "module.kernel.copy[ltsp-modules]"));
        assertThat(plan.header("module.kernel.kernel_config[kernel-options]"))
                .contains("will be updated in place (config changed)");
        assertThat(plan.out()).contains("    ~ CONFIG_MOSIX_MAXTOPOLOGY: 4 -> 6\n");
        for (String downstream : List.of("module.kernel.build[kernel]", "module.kernel.build[buildk]",
                "module.kernel.file[tftp-kernel]", "module.kernel.file[tftp-initrd]", "module.kernel.copy[ltsp-modules]")) {
            assertThat(plan.header(downstream)).as(downstream)
                    .contains("will be updated in place (input changed: module.kernel.kernel_config[kernel-options])");
        }
        assertThat(plan.out()).contains("Plan: 0 to create, 6 to update, 0 to replace, 0 to delete, 0 to refresh, 13 unchanged.");

        PlaybookLab.Run apply = applyOk("--var", "CONFIG_MOSIX_MAXTOPOLOGY=6");

        assertThat(apply.out()).contains("Apply complete: 6 changed, 0 refreshed, 13 unchanged, 0 failed, 0 skipped.");
        assertThat(log().subList(0, before.size())).isEqualTo(before);
        assertThat(log().subList(before.size(), log().size())).as("commands run for the new option").isEqualTo(KERNEL_CHAIN);
        assertThat(lab.read(KERNEL_SRC + "/.config")).isEqualTo(dotConfig(6));
        assertThat(lab.bytes(TFTP_KERNEL)).isEqualTo(utf8(tftpKernel(6)));
        assertThat(gunzip(lab.bytes(TFTP_INITRD))).isEqualTo(initrd(6));
        assertThat(lab.tree(LTSP_MODULES)).isEqualTo(modules(6));
        assertThat(lab.plan("--var", "CONFIG_MOSIX_MAXTOPOLOGY=6").out()).startsWith("No changes.");
    }

    // ------------------------------------------------------------------ refused and failing

    @Test
    void aMaxTopologyOfElevenIsRefusedAtPlanTimeWithItsPositionAndNothingIsWritten() throws IOException {
        // The option is a param of the kernel module: the error points at the playbook's call and
        // at the param's declaration (its range) in the module.
        Path module = lab.playbook.getParent().resolveSibling("modules/openmosix-kernel/module.yml");
        int line = lineOf(lab.playbook, "      CONFIG_MOSIX_MAXTOPOLOGY: ${CONFIG_MOSIX_MAXTOPOLOGY}");
        int declLine = lineOf(module, "  CONFIG_MOSIX_MAXTOPOLOGY: { type: integer, min: 2, max: 10, default: 4,"
                + " description: maximum network-topology complexity to support }");

        PlaybookLab.Run plan = lab.plan("--var", "CONFIG_MOSIX_MAXTOPOLOGY=11");
        PlaybookLab.Run apply = lab.apply("--var", "CONFIG_MOSIX_MAXTOPOLOGY=11", "--var", "CONFIG_MOSIX_DISCLOSURE=4");

        assertThat(plan.exitCode()).as("%s", plan).isEqualTo(1);
        assertThat(plan.err()).as("%s", plan).contains(lab.playbook + ":" + line + ":7: error: module 'kernel': "
                + "param 'CONFIG_MOSIX_MAXTOPOLOGY' = 11 is out of range 2..10 (declared at " + module + ":" + declLine + ":3)");
        assertThat(plan.out()).isEmpty();
        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(1);
        assertThat(apply.err()).contains("param 'CONFIG_MOSIX_MAXTOPOLOGY' = 11 is out of range 2..10")
                .contains("param 'CONFIG_MOSIX_DISCLOSURE' = 4 is out of range 0..3").contains("2 errors.");
        assertThat(lab.root).as("the target").doesNotExist();
        assertThat(mirror.requests()).as("downloads").isEmpty();
        assertThat(lab.playbook.resolveSibling("mosaic.lock")).doesNotExist();
    }

    @Test
    void withoutTheTopologyOptionOldconfigDropsMaxTopologyAndTheCompileIsSkipped() {
        PlaybookLab.Run apply = lab.apply("--var", "CONFIG_MOSIX_TOPOLOGY=n");

        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(1);
        assertThat(apply.out()).contains("CONFIG_MOSIX_MAXTOPOLOGY: requested 4, Kconfig gave nothing (unknown symbol or unmet dependency)")
                .contains("Apply failed: 12 changed, 0 refreshed, 0 unchanged, 1 failed, 6 skipped.");
        assertThat(log()).as("commands run").containsExactlyInAnyOrder(
                "install.sh ltsp_local_apps", "install.sh ltsp_mosix_core", "install.sh ltsp_openmosix_userland",
                "make oldconfig");
        assertThat(lab.at("/tftpboot/pxelinux.cfg")).doesNotExist();
    }

    @Test
    void aWrongAnswerToBuildkFailsItAndNothingReachesTftpboot() {
        PlaybookLab.Run apply = lab.apply("--var", "nic=3");

        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(1);
        assertThat(apply.out()).contains("buildk: option must be 1 or 2, got '3'")
                .contains("Apply failed: 15 changed, 0 refreshed, 0 unchanged, 1 failed, 3 skipped.");
        assertThat(log()).doesNotContain("buildk").contains("make modules_install");
        assertThat(lab.at(TFTP_KERNEL)).doesNotExist();
        assertThat(lab.at(TFTP_INITRD)).doesNotExist();
    }

    // ------------------------------------------------------------------ what the recipe must produce

    /** The .config of the kit's configuration with every openMosix option, resolved by oldconfig. */
    static String dotConfig(int maxTopology) {
        String golden = OpenMosixMirror.text("expected/dot-config");
        return replaceOnce(golden, "CONFIG_MOSIX_MAXTOPOLOGY=4\n", "CONFIG_MOSIX_MAXTOPOLOGY=" + maxTopology + "\n");
    }

    static String autoconf(int maxTopology) {
        String golden = OpenMosixMirror.text("expected/autoconf.h");
        return replaceOnce(golden, "#define CONFIG_MOSIX_MAXTOPOLOGY (4)\n", "#define CONFIG_MOSIX_MAXTOPOLOGY (" + maxTopology + ")\n");
    }

    /** make bzImage: the .config, then the core sources as make dep lists them (sorted), patched. */
    static String bzImage(int maxTopology) {
        return dotConfig(maxTopology) + OpenMosixMirror.patched("hpc/mosix.c") + OpenMosixMirror.patched("init/main.c")
                + OpenMosixMirror.patched("kernel/sched.c");
    }

    /** buildk's mknbi-tagged image. */
    static String tftpKernel(int maxTopology) {
        return "mknbi-linux: " + KERNEL_SRC + "/arch/i386/boot/bzImage\n" + bzImage(maxTopology);
    }

    static final List<String> DRIVERS = List.of("eepro100", "ne2k_pci", "vortex");

    /** /lib/modules/2.4.22 as make modules_install leaves it (and the copy reproduces it). */
    static Map<String, String> modules(int maxTopology) {
        Map<String, String> out = new LinkedHashMap<>();
        StringBuilder dep = new StringBuilder();
        for (String d : DRIVERS) {
            out.put("kernel/drivers/net/" + d + ".o", autoconf(maxTopology) + OpenMosixMirror.text("linux-2.4.22/drivers/net/" + d + ".c"));
            dep.append("kernel/drivers/net/").append(d).append(".o\n");
        }
        out.put("modules.dep", dep.toString());
        return out;
    }

    /** buildk's initrd before gzip: its answers, then the network modules. */
    static String initrd(int maxTopology) {
        StringBuilder b = new StringBuilder("initrd.ltsp: card=pci size=2500 inodes=300\n");
        for (String d : DRIVERS) {
            b.append("== /lib/modules/2.4.22/kernel/drivers/net/").append(d).append(".o\n")
                    .append(modules(maxTopology).get("kernel/drivers/net/" + d + ".o"));
        }
        return b.toString();
    }

    private static String replaceOnce(String text, String from, String to) {
        if (!text.contains(from)) {
            throw new IllegalStateException("the golden file no longer has " + from);
        }
        return text.replace(from, to);
    }

    private static int lineOf(Path file, String text) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<Integer> found = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).equals(text)) {
                found.add(i + 1);
            }
        }
        assertThat(found).as("lines of %s that are '%s'", file.getFileName(), text).hasSize(1);
        return found.get(0);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String gunzip(byte[] gz) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
