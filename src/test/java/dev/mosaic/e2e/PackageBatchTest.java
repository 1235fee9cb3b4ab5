package dev.mosaic.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Packages installed on the machine go through apt-get, one call per wave. The machine's real
 * package database must not change in a test, so dpkg-query and apt-get are stand-ins on PATH that
 * answer like the real ones and record the argument vector they were given.
 */
class PackageBatchTest {

    @TempDir
    Path tmp;

    private Path bin;
    private Path calls;

    private void fakeTools(String installed) throws IOException {
        bin = Files.createDirectories(tmp.resolve("bin"));
        calls = tmp.resolve("calls.log");
        Path db = tmp.resolve("installed.txt");
        Files.writeString(db, String.join("\n", installed.split(" ")) + "\n");
        script("dpkg-query", """
                #!/bin/sh
                # dpkg-query -W -f=... NAME: an installed package answers "ii |VERSION"
                line=$(grep -E "^$3(=|$)" "%s" | head -n 1)
                if [ -n "$line" ]; then
                  case "$line" in *=*) echo "ii |${line#*=}";; *) echo "ii |1.0-1";; esac
                  exit 0
                fi
                echo "dpkg-query: no packages found matching $3" >&2
                exit 1
                """.formatted(db));
        script("apt-cache", """
                #!/bin/sh
                # apt-cache show --no-all-versions NAME[=VERSION]
                echo "Package: ${3%%=*}"
                echo "Version: 2.0-1"
                echo "SHA256: 0000000000000000000000000000000000000000000000000000000000000000"
                """);
        script("apt-get", """
                #!/bin/sh
                echo "$*" >> "%s"
                verb="$1"
                for a in "$@"; do
                  case "$a" in -*|install|remove|DPkg::*|Dpkg::*) ;;
                    *) if [ "$verb" = install ]; then echo "$a" >> "%s"
                       else grep -vE "^$a(=|$)" "%s" > "%s.new"; mv "%s.new" "%s"; fi ;;
                  esac
                done
                exit 0
                """.formatted(calls, db, db, db, db, db));
    }

    private void script(String name, String text) throws IOException {
        Path p = bin.resolve(name);
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The machine itself is the target (packages), so Mosaic's state goes to the temp dir. */
    private Cli.Result mosaic(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.add(1, "--state-dir=" + tmp.resolve("state"));
        return Cli.in(tmp).withEnv(Map.of("PATH", bin + ":" + System.getenv("PATH"))).run(all.toArray(String[]::new));
    }

    @Test
    void packagesOfTheSameWave_areInstalledInOneAptGetCall_andLaterWavesInTheirOwn() throws IOException {
        fakeTools("");
        Files.writeString(tmp.resolve("site.yml"), """
                resources:
                  tftpd: { type: package, name: tftpd-hpa }
                  syslinux: { type: package, name: syslinux-common, version: "3:6.04" }
                  old-server: { type: package, name: atftpd, state: absent }
                  qemu: { type: package, name: qemu-system-x86, requires: [tftpd] }
                """);

        Cli.Result apply = mosaic("apply", "site.yml");

        // Nothing is installed: the removal has nothing to do; the installs go in two waves.
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        List<String> lines = Files.readAllLines(calls);
        assertThat(lines).containsExactly(
                "install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef"
                        + " -o Dpkg::Options::=--force-confold tftpd-hpa syslinux-common=3:6.04",
                "install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef"
                        + " -o Dpkg::Options::=--force-confold qemu-system-x86");
        assertThat(apply.stdout()).contains("+ package[tftpd]: created (new) [version]", "+ package[syslinux]: created (new) [version]",
                "+ package[qemu]: created (new) [version]", "Apply complete: 3 changed, 0 refreshed, 1 unchanged");
        assertThat(mosaic("apply", "site.yml").stdout()).contains("Apply complete: 0 changed");
        assertThat(Files.readAllLines(calls)).hasSize(2);
    }

    @Test
    void installedPackages_areLeftAlone_andAbsentOnesRemovedTogether() throws IOException {
        fakeTools("tftpd-hpa atftpd tftp-hpa");
        Files.writeString(tmp.resolve("site.yml"), """
                resources:
                  tftpd: { type: package, name: tftpd-hpa }
                  old-server: { type: package, name: atftpd, state: absent }
                  old-client: { type: package, name: tftp-hpa, state: absent }
                """);

        Cli.Result plan = mosaic("plan", "site.yml");

        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stdout()).contains("# package[old-server] will be deleted (new)", "- version: 1.0-1",
                "# package[old-client] will be deleted (new)").doesNotContain("package[tftpd] will");

        mosaic("apply", "site.yml");

        assertThat(Files.readAllLines(calls)).containsExactly("remove -y -q -o DPkg::Lock::Timeout=300 atftpd tftp-hpa");
    }

    @Test
    void installedState_isRefusedInASandboxRoot_namingTheUnpackedAlternative() throws IOException {
        fakeTools("");
        Files.writeString(tmp.resolve("site.yml"), """
                resources:
                  tftpd: { type: package, name: tftpd-hpa }
                """);

        Cli.Result plan = mosaic("plan", "--root", tmp.resolve("root").toString(), "site.yml");

        assertThat(plan.exitCode()).isEqualTo(1);
        assertThat(plan.stdout()).contains("package tftpd-hpa cannot be installed in a sandbox root",
                "Use 'state: unpacked'");
        assertThat(calls).doesNotExist();
    }

    @Test
    void aBatchMemberWhoseDependencyFailed_isSkipped_whileTheOthersOfItsWaveAreInstalled() throws IOException {
        fakeTools("");
        Files.createDirectories(tmp.resolve("occupied"));
        Files.writeString(tmp.resolve("site.yml"), """
                resources:
                  broken: { type: file, path: %s, content: "x" }
                  fine: { type: directory, path: %s }
                  needs-broken: { type: package, name: tftpd-hpa, requires: [broken] }
                  needs-fine: { type: package, name: atftpd, requires: [fine] }
                """.formatted(tmp.resolve("occupied"), tmp.resolve("fine")));

        Cli.Result apply = mosaic("apply", "site.yml");

        assertThat(apply.exitCode()).isEqualTo(1);
        assertThat(apply.stdout()).contains("! file[broken]: failed:", "package[needs-broken]: skipped, dependency file[broken] failed",
                "+ package[needs-fine]: created (new) [version]");
        assertThat(Files.readAllLines(calls)).containsExactly("install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300"
                + " -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold atftpd");
    }
}
