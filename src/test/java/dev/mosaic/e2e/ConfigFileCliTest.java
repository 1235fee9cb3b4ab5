package dev.mosaic.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration file, through the real CLI: {@code $XDG_CONFIG_HOME/mosaic/config.yml} (or
 * {@code $MOSAIC_CONFIG}) gives the module path, the default inventory, the cache and color; the
 * command line wins over it; a mistake in it is an error with its position and nothing runs.
 */
class ConfigFileCliTest {

    @TempDir
    Path tmp;

    private Cli cli(Path xdg) {
        Map<String, String> env = new HashMap<>();
        env.put("MOSAIC_CONFIG", null); // the usual lookup: /etc/mosaic (absent here), then XDG_CONFIG_HOME
        env.put("XDG_CONFIG_HOME", xdg.toString());
        return Cli.in(tmp).withEnv(env);
    }

    private Path config(String yaml) throws IOException {
        Path xdg = tmp.resolve("xdg");
        Files.createDirectories(xdg.resolve("mosaic"));
        Files.writeString(xdg.resolve("mosaic/config.yml"), yaml);
        return xdg;
    }

    private void playbookCallingAModule() throws IOException {
        Path module = Files.createDirectories(tmp.resolve("site-modules/motd"));
        Files.writeString(module.resolve("module.yml"), """
                params:
                  text: { type: string }
                resources:
                  motd: { type: file, path: /etc/motd, content: "${text}\\n" }
                """);
        Path dir = Files.createDirectories(tmp.resolve("playbooks"));
        Files.writeString(dir.resolve("site.yml"), """
                modules:
                  motd: { source: motd, with: { text: hello } }
                resources:
                  work: { type: directory, path: /work }
                  compile: { type: build, dir: /work, command: "echo built > out", outputs: [/work/out], toolchain: [] }
                """);
    }

    @Test
    void theModulePath_andTheCache_comeFromTheUsersFile_relativeToIt() throws IOException {
        playbookCallingAModule();
        Path xdg = config("""
                modules: [../../site-modules]
                cache_dir: ../../cache
                color: false
                """);
        Cli.Result without = Cli.in(tmp).run("validate", "playbooks/site.yml");
        Cli.Result with = cli(xdg).run("apply", "playbooks/site.yml", "--root", tmp.resolve("root").toString());

        assertThat(without.exitCode()).as("%s", without).isEqualTo(1);
        assertThat(without.stderr()).contains("no module 'motd'");
        assertThat(with.exitCode()).as("%s", with).isZero();
        assertThat(tmp.resolve("root/etc/motd")).hasContent("hello");
        assertThat(tmp.resolve("cache")).as("the configured cache, where the build's outputs are kept").isDirectory();
    }

    @Test
    void theDefaultInventory_isUsedUnlessTheCommandLineNamesATarget() throws IOException {
        Files.writeString(tmp.resolve("site.yml"), """
                resources:
                  motd: { type: file, path: /etc/motd, content: "hi\\n" }
                """);
        Files.writeString(tmp.resolve("inventory.yml"), """
                hosts:
                  lab1: { connection: local, root: roots/lab1 }
                  lab2: { connection: local, root: roots/lab2 }
                """);
        Path xdg = config("inventory: ../../inventory.yml\nforks: 1\n");

        Cli.Result fleet = cli(xdg).run("apply", "site.yml");
        Cli.Result local = cli(xdg).run("plan", "site.yml", "--root", tmp.resolve("alone").toString());

        assertThat(fleet.exitCode()).as("%s", fleet).isZero();
        assertThat(fleet.stdout()).contains("== host lab1 ==", "== host lab2 ==");
        assertThat(tmp.resolve("roots/lab1/etc/motd")).hasContent("hi");
        assertThat(tmp.resolve("roots/lab2/etc/motd")).hasContent("hi");
        assertThat(local.exitCode()).as("--root names the target: %s", local).isZero();
        assertThat(local.stdout()).doesNotContain("== host").contains("+ file[motd]");
    }

    @Test
    void aMistakeInTheFile_isAnErrorWithItsPosition_andNothingRuns() throws IOException {
        Files.writeString(tmp.resolve("site.yml"), """
                resources:
                  motd: { type: file, path: /etc/motd, content: "hi\\n" }
                """);
        Path xdg = config("color: false\nforkz: 3\nforks: none\n");

        Cli.Result r = cli(xdg).run("apply", "site.yml", "--root", tmp.resolve("root").toString());

        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        String file = xdg.resolve("mosaic/config.yml").toString();
        assertThat(r.stderr()).contains(file + ":2:1: error: unknown setting 'forkz' (did you mean 'forks'?)")
                .contains(file + ":3:8: error: forks: a whole number")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(tmp.resolve("root")).doesNotExist();
    }

    @Test
    void mosaicConfig_namesTheOnlyFileRead() throws IOException {
        playbookCallingAModule();
        Path file = tmp.resolve("elsewhere.yml");
        Files.writeString(file, "modules: [site-modules]\n");
        Path xdg = config("modules: [/nonexistent]\n");

        Cli.Result r = Cli.in(tmp).withEnv(Map.of("MOSAIC_CONFIG", file.toString(), "XDG_CONFIG_HOME", xdg.toString()))
                .run("validate", "playbooks/site.yml");

        assertThat(r.exitCode()).as("%s", r).isZero();
    }
}
