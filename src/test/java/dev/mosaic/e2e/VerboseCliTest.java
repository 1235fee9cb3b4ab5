package dev.mosaic.e2e;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code -v} and {@code --debug} through the command line: the reasons and the bookkeeping go to
 * stderr, stdout stays the plan, and a sensitive value is never printed.
 */
class VerboseCliTest {

    private static final String SECRET = "s3cr3t-T0ken-4711";

    private static final String MODULE = """
            name: motd
            params:
              text: { type: string }
            resources:
              motd:
                type: file
                path: /etc/motd
                content: "${text}\\n"
            """;

    /** conf carries a secret; copy reads notes, mirror copies /srv/app; a module. */
    private static final String PLAYBOOK = """
            name: lab
            vars:
              token: ""
              value: "1"
            sensitive: [token]
            modules:
              greeting:
                source: motd
                with: { text: hello }
            resources:
              conf:
                type: file
                path: /etc/app.conf
                content: "token=${token}\\n"
              notes:
                type: file
                path: /srv/app/notes
                content: "value=${value}\\n"
              mirror:
                type: copy
                source: /srv/app
                dest: /backup/app
            """;

    @TempDir
    Path tmp;

    private String root;
    private String playbook;

    @BeforeEach
    void project() throws IOException {
        Path module = tmp.resolve("modules/motd/module.yml");
        Files.createDirectories(module.getParent());
        Files.writeString(module, MODULE, StandardCharsets.UTF_8);
        Files.writeString(tmp.resolve("site.yml"), PLAYBOOK, StandardCharsets.UTF_8);
        root = tmp.resolve("root").toString();
        playbook = tmp.resolve("site.yml").toString();
    }

    private Cli.Result mosaic(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of(playbook, "--root", root, "--var", "token=" + SECRET));
        return Cli.in(tmp).withEnv(Map.of("MOSAIC_CONFIG", "")).run(all.toArray(String[]::new));
    }

    @Test
    void verbose_saysWhyEachResourceChanges_onStderr_andNeverTheSecret() {
        Cli.Result first = mosaic("apply", "-v");
        assertThat(first.exitCode()).as("%s", first).isZero();
        assertThat(first.stderr()).contains("reason: file[notes]: create, new: no apply recorded it on this target yet"
                + " (configuration ")
                .contains("reason: file[conf]: create, new: no apply recorded it on this target yet (configuration"
                        + " digests not shown: the resource is sensitive)")
                .doesNotContain("debug:");

        Cli.Result plan = Cli.in(tmp).withEnv(Map.of("MOSAIC_CONFIG", "")).run("-v", "plan", playbook, "--root", root,
                "--var", "token=" + SECRET, "--var", "value=2");
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stderr())
                .containsPattern("reason: file\\[notes]: update, config changed: the playbook's configuration differs from"
                        + " the one last applied \\(configuration \\w{19}… last applied, \\w{19}… now\\); differs in content")
                .contains("reason: copy[mirror]: update, input changed: file[notes] changes upstream, and it reads what they make")
                .doesNotContain("file[conf]", "debug:");
        assertThat(plan.stdout()).doesNotContain("reason:").startsWith("Mosaic will perform the following actions");
        for (Cli.Result r : List.of(first, plan)) {
            assertThat(r.stdout() + r.stderr()).doesNotContain(SECRET);
        }
    }

    @Test
    void debug_tellsTheConfigurationModulesStateAndLock_andNeverTheSecret() throws IOException {
        Cli.Result apply = mosaic("apply", "--debug");
        Files.writeString(Path.of(root, "etc/app.conf"), "token=" + SECRET + "-edited\n");
        Cli.Result plan = mosaic("--debug", "plan", "--json");

        assertThat(apply.exitCode()).as("%s", apply).isZero();
        String state = Path.of(root, "var/lib/mosaic").toString();
        assertThat(apply.stderr()).contains("debug: configuration: none (MOSAIC_CONFIG is empty)\n",
                "debug: target local (root " + root + "): state directory " + state + "\n",
                "debug: modules are searched in: " + tmp.resolve("modules"),
                "debug: module.greeting: from " + tmp.resolve("modules/motd") + "\n",
                "debug: apply lock taken: " + state + "/apply.lock (pid ",
                "reason: module.greeting.file[motd]: create, new");
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stderr()).contains("debug: file[notes]: no change: the target matches the playbook (configuration ",
                "reason: file[conf]: update, drift: the playbook did not change since the last apply, the target did;"
                        + " differs in content");
        assertThat(plan.stdout()).startsWith("{").doesNotContain("debug:", "reason:");
        for (Cli.Result r : List.of(apply, plan)) {
            assertThat(r.stdout() + r.stderr()).doesNotContain(SECRET);
        }
    }

    @Test
    void verbose_onABuild_namesItsFingerprintAndTheBuildCache() throws IOException {
        Files.writeString(tmp.resolve("build.yml"), """
                resources:
                  src:
                    type: file
                    path: /src/in.txt
                    content: "one\\n"
                  out:
                    type: build
                    dir: /src
                    command: cp in.txt out.txt
                    inputs: [/src/in.txt]
                    outputs: [/src/out.txt]
                """, StandardCharsets.UTF_8);
        String cache = tmp.resolve("cache").toString();
        Cli cli = Cli.in(tmp).withEnv(Map.of("MOSAIC_CONFIG", ""));

        Cli.Result first = cli.run("apply", "build.yml", "--root", tmp.resolve("r1").toString(), "--cache-dir", cache, "-v");

        assertThat(first.exitCode()).as("%s", first).isZero();
        assertThat(first.stderr()).containsPattern("reason: build\\[out]: create, new: .*; differs in fingerprint"
                + " \\(→ sha256:\\w+\\), /src/out.txt \\(missing → built\\)\n");
        // Another target: the same fingerprint, found in the shared cache.
        Cli.Result applied = cli.run("apply", "build.yml", "--root", tmp.resolve("r2").toString(), "--cache-dir", cache, "-v");
        assertThat(applied.exitCode()).as("%s", applied).isZero();
        assertThat(applied.stderr()).containsPattern("reason: build\\[out]: create, new: .*, build \\(→ will copy from cache"
                + " \\(built on [^)]+\\)\\)\n");
    }

    @Test
    void quiet_printsNoReasons() {
        Cli.Result r = mosaic("plan");

        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stderr()).isEmpty();
    }
}
