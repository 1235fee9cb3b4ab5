package dev.mosaic.packaging;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The .deb and the tarball that {@code mvn package} made, inspected and run without installing
 * anything: the package's fields and files, its launcher and jar extracted into a temp directory
 * and run (version, a plan of the shipped starter playbook into a sandbox root).
 */
class DebPackageIT {

    @TempDir
    Path tmp;

    private static Built.Result dpkgDeb(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("dpkg-deb"));
        cmd.addAll(List.of(args));
        return Built.run(cmd);
    }

    @Test
    void deb_hasDebianFieldsAndDependsOnAJava17RuntimeAndBubblewrap() {
        assumeTrue(Built.onPath("dpkg-deb"), "dpkg-deb is not installed (a Debian tool)");
        Path deb = Built.deb();
        assertThat(deb).exists();

        assertThat(dpkgDeb("--field", deb.toString(), "Package").stdout().trim()).isEqualTo("mosaic");
        assertThat(dpkgDeb("--field", deb.toString(), "Version").stdout().trim()).isEqualTo(Built.debVersion());
        assertThat(dpkgDeb("--field", deb.toString(), "Architecture").stdout().trim()).isEqualTo("all");
        assertThat(dpkgDeb("--field", deb.toString(), "Depends").stdout().trim())
                .isEqualTo("default-jre-headless (>= 2:1.17) | java17-runtime-headless, bubblewrap");
        Built.Result info = dpkgDeb("--info", deb.toString());
        assertThat(info.stdout()).as("%s", info).contains(" postinst", " postrm", " triggers", "Installed-Size:");
        Built.Result triggers = dpkgDeb("--info", deb.toString(), "triggers");
        assertThat(triggers.stdout()).as("a new Java runtime makes postinst build the class-data archive again: %s", triggers)
                .contains("interest-noawait /usr/lib/jvm");
    }

    @Test
    void deb_installsTheLauncherJarManPagesCompletionSchemasModulesAndDocs() {
        assumeTrue(Built.onPath("dpkg-deb"), "dpkg-deb is not installed (a Debian tool)");
        Built.Result contents = dpkgDeb("--contents", Built.deb().toString());
        assertThat(contents.exitCode()).as("%s", contents).isZero();
        List<String> lines = contents.stdout().lines().toList();

        assertThat(lines).anyMatch(l -> l.startsWith("-rwxr-xr-x root/root") && l.endsWith(" ./usr/bin/mosaic"));
        for (String path : List.of("./usr/share/mosaic/mosaic.jar", "./usr/share/bash-completion/completions/mosaic",
                "./usr/share/zsh/vendor-completions/_mosaic", "./usr/share/mosaic/schemas/playbook.schema.json",
                "./usr/share/mosaic/modules/pxe-boot/module.yml", "./usr/share/mosaic/playbooks/starter.yml",
                "./usr/share/doc/mosaic/copyright", "./usr/share/doc/mosaic/changelog.gz")) {
            assertThat(lines).as(path).anyMatch(l -> l.startsWith("-rw-r--r-- root/root") && l.endsWith(" " + path));
        }
        for (CommandSpec spec : Built.commands()) {
            assertThat(lines).anyMatch(l -> l.endsWith(" ./usr/share/man/man1/" + Built.manName(spec) + ".1.gz"));
        }
    }

    @Test
    void deb_extracted_runsItsLauncher_versionAndAPlanOfTheStarterPlaybook() throws Exception {
        assumeTrue(Built.onPath("dpkg-deb"), "dpkg-deb is not installed (a Debian tool)");
        Path tree = tmp.resolve("tree");
        Built.Result x = dpkgDeb("-x", Built.deb().toString(), tree.toString());
        assertThat(x.exitCode()).as("%s", x).isZero();
        assertThat(tree.resolve("usr/share/doc/mosaic/copyright")).content()
                .contains("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/")
                .contains("License: Apache-2.0");
        Built.Result control = dpkgDeb("-e", Built.deb().toString(), tmp.resolve("control").toString());
        assertThat(control.exitCode()).as("%s", control).isZero();

        String mosaic = tree.resolve("usr/bin/mosaic").toString();
        Built.Result version = Built.run(List.of(mosaic, "--version"));
        Built.Result plan = Built.run(List.of(mosaic, "plan", tree.resolve("usr/share/mosaic/playbooks/starter.yml").toString(),
                "--root", tmp.resolve("root").toString(), "--cache-dir", tmp.resolve("cache").toString()));
        Built.Result modules = Built.run(List.of(mosaic, "validate",
                tree.resolve("usr/share/mosaic/playbooks/openmosix-ltsp.yml").toString()));

        assertThat(version.stdout()).as("%s", version).isEqualTo("mosaic " + Built.version() + "\n");
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stdout()).contains("+ file[pxe-menu]", "Plan: 6 to create");
        assertThat(modules.exitCode()).as("the shipped playbooks find the shipped modules: %s", modules).isZero();
        assertThat(validateOwnPlaybook(mosaic).exitCode()).as("a playbook anywhere finds the shipped modules").isZero();
        for (String script : List.of("postinst", "postrm")) {
            Built.Result syntax = Built.run(List.of("sh", "-n", tmp.resolve("control").resolve(script).toString()));
            assertThat(syntax.exitCode()).as("%s", syntax).isZero();
        }
    }

    @Test
    void tarball_unpacked_isSelfContained_andRunsFromAnyDirectory() throws Exception {
        Path tarball = Built.tarball();
        assertThat(tarball).exists();
        Built.Result untar = Built.run(List.of("tar", "-xzf", tarball.toString(), "-C", tmp.toString()));
        assertThat(untar.exitCode()).as("%s", untar).isZero();
        Path home = tmp.resolve("mosaic-" + Built.version());

        for (String path : List.of("bin/mosaic", "lib/mosaic.jar", "man/man1/mosaic.1", "man/man1/mosaic-explain.1",
                "completion/mosaic.bash", "completion/_mosaic", "schemas/playbook.schema.json",
                "modules/openmosix-kernel/module.yml", "playbooks/starter.yml", "README.md")) {
            assertThat(home.resolve(path)).as(path).exists();
        }
        assertThat(Files.isExecutable(home.resolve("bin/mosaic"))).isTrue();
        Built.Result version = Built.run(List.of(home.resolve("bin/mosaic").toString(), "-V"));
        Built.Result plan = Built.run(List.of(home.resolve("bin/mosaic").toString(), "plan",
                home.resolve("playbooks/starter.yml").toString(), "--root", tmp.resolve("root").toString(),
                "--cache-dir", tmp.resolve("cache").toString(), "--detailed-exitcode"));

        assertThat(version.stdout()).as("%s", version).isEqualTo("mosaic " + Built.version() + "\n");
        assertThat(plan.exitCode()).as("changes present: %s", plan).isEqualTo(2);
        assertThat(validateOwnPlaybook(home.resolve("bin/mosaic").toString()).exitCode())
                .as("a playbook anywhere finds the shipped modules").isZero();
    }

    /** {@code mosaic validate} of a playbook of the user's own, far from any modules/ directory, calling a shipped module. */
    private Built.Result validateOwnPlaybook(String mosaic) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("mine-" + System.nanoTime()));
        Files.writeString(dir.resolve("site.yml"), """
                modules:
                  boot:
                    source: pxe-boot
                    with: { kernel: vmlinuz }
                """);
        Built.Result r = Built.run(List.of(mosaic, "validate", dir.resolve("site.yml").toString()));
        assertThat(r.stderr()).as("%s", r).doesNotContain("no module");
        return r;
    }
}
