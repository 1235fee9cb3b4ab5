package dev.mosaic.packaging;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the issue asks of CI: install the .deb with {@code dpkg -i} on the test machine, run
 * {@code mosaic --version} and a small plan through {@code /usr/bin/mosaic}, then purge it. This
 * writes below /usr, so it runs only in CI ({@code CI=true}) as root, and never over a
 * {@code mosaic} package or an {@code /usr/bin/mosaic} that something else installed.
 */
class DebInstallIT {

    @TempDir
    Path tmp;

    @Test
    void deb_installedWithDpkg_runsFromUsrBin_thenPurgesWithoutATrace() throws java.io.IOException {
        assumeTrue("true".equals(System.getenv("CI")), "installs into /usr: runs only in CI (CI=true)");
        assumeTrue(Built.onPath("dpkg"), "dpkg is not installed");
        assumeTrue(Built.run(List.of("id", "-u")).stdout().trim().equals("0"), "dpkg -i needs root");
        Built.Result status = Built.run(List.of("dpkg-query", "-W", "-f=${Status}", "mosaic"));
        assumeFalse(status.stdout().contains("installed"), "a mosaic package is already installed here: " + status.stdout());
        assumeFalse(Files.exists(Path.of("/usr/bin/mosaic")), "/usr/bin/mosaic exists and belongs to something else");

        try {
            Built.Result install = Built.run(List.of("dpkg", "-i", Built.deb().toString()), Map.of("DEBIAN_FRONTEND", "noninteractive"));
            assertThat(install.exitCode()).as("%s", install).isZero();

            Built.Result version = Built.run(List.of("/usr/bin/mosaic", "--version"));
            Built.Result plan = Built.run(List.of("/usr/bin/mosaic", "plan", "/usr/share/mosaic/playbooks/starter.yml",
                    "--root", tmp.resolve("root").toString(), "--cache-dir", tmp.resolve("cache").toString()));
            // A playbook of the admin's own, far from any modules/ directory, calls a shipped module.
            Path mine = Files.createDirectories(tmp.resolve("mine"));
            Files.writeString(mine.resolve("site.yml"), """
                    modules:
                      boot:
                        source: pxe-boot
                        with: { kernel: vmlinuz }
                    resources:
                      kernel: { type: file, path: /srv/tftp/vmlinuz, content: "a kernel" }
                      initrd: { type: file, path: /srv/tftp/initrd.img, content: "an initrd" }
                    """);
            Built.Result ownPlan = Built.run(List.of("/usr/bin/mosaic", "plan", mine.resolve("site.yml").toString(),
                    "--root", tmp.resolve("root2").toString(), "--cache-dir", tmp.resolve("cache").toString()));
            Built.Result completion = Built.run(List.of("bash", "-c",
                    "source /usr/share/bash-completion/completions/mosaic && complete -p mosaic"));

            assertThat(version.stdout()).as("%s", version).isEqualTo("mosaic " + Built.version() + "\n");
            assertThat(plan.exitCode()).as("%s", plan).isZero();
            assertThat(plan.stdout()).contains("Plan: 6 to create");
            assertThat(ownPlan.exitCode()).as("the shipped modules are found without --modules: %s", ownPlan).isZero();
            assertThat(ownPlan.stdout()).as("%s", ownPlan).contains("pxelinux.cfg/default");
            assertThat(completion.stdout()).as("%s", completion).contains("_complete_mosaic");
            Path jsa = Path.of("/var/cache/mosaic/mosaic.jsa");
            assertThat(jsa).as("postinst records the class-data archive").exists();
            // A Java runtime installed or upgraded under /usr/lib/jvm triggers the package: the archive is made again.
            Files.delete(jsa);
            Built.Result trigger = Built.run(List.of("dpkg-trigger", "--no-await", "/usr/lib/jvm"));
            Built.Result process = Built.run(List.of("dpkg", "--triggers-only", "--pending"), Map.of("DEBIAN_FRONTEND", "noninteractive"));
            assertThat(trigger.exitCode()).as("%s", trigger).isZero();
            assertThat(process.exitCode()).as("%s", process).isZero();
            assertThat(jsa).as("the trigger made the archive again: %s", process).exists();
            Built.Result cds = Built.run(List.of("/usr/bin/mosaic", "--version"), Map.of("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info"));
            assertThat(cds.stdout()).as("Mosaic's own classes come from the archive").contains("dev.mosaic.cli.Main source: shared objects file");
            Built.Result listed = Built.run(List.of("dpkg", "-L", "mosaic"));
            assertThat(listed.stdout()).contains("/usr/share/man/man1/mosaic-explain.1.gz", "/usr/share/zsh/vendor-completions/_mosaic");
            // Slim container images may tell dpkg to leave man pages out (path-exclude).
            if (Built.onPath("man") && Files.exists(Path.of("/usr/share/man/man1/mosaic-explain.1.gz"))) {
                Built.Result where = Built.run(List.of("man", "-w", "mosaic-explain"));
                assertThat(where.stdout().trim()).as("%s", where).isEqualTo("/usr/share/man/man1/mosaic-explain.1.gz");
                Built.Result format = Built.run(List.of("man", "mosaic-playbook"), Map.of("MANPAGER", "cat", "MANWIDTH", "100"));
                assertThat(format.exitCode()).as("%s", format).isZero();
                assertThat(format.stdout()).as("%s", format).contains("MOSAIC-PLAYBOOK(5)");
            }
        } finally {
            Built.Result purge = Built.run(List.of("dpkg", "--purge", "mosaic"));
            assertThat(purge.exitCode()).as("%s", purge).isZero();
        }
        assertThat(Path.of("/usr/bin/mosaic")).doesNotExist();
        assertThat(Path.of("/usr/share/mosaic")).doesNotExist();
        assertThat(Path.of("/var/cache/mosaic")).doesNotExist();
    }
}
