package dev.mosaic.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Canary secrets, given as {@code --var} of a variable declared sensitive, through
 * {@code ${env:…}}, through {@code ${file:…}} and as a sensitive module param, go into managed
 * files (where they belong) and into a build's output; then every command a user runs is
 * checked: no canary in any stdout or stderr, nor in any file Mosaic wrote (state, logs, cache,
 * anything below the root but the two managed files).
 */
class SecretsCanaryTest {

    static final String VAR = "canary-var-5f1d9e2a";
    static final String VAR2 = "canary-var-77b30c14";
    static final String ENV = "canary-env-81c4b7f0";
    static final String FILE = "canary-file-c0ffee77";
    static final String PARAM = "canary-param-9a8b7c6d";
    static final List<String> CANARIES = List.of(VAR, VAR2, ENV, FILE, PARAM, "canary-");

    @TempDir
    Path tmp;

    @Test
    void canarySecrets_appearInNoOutputAndNoFileMosaicWrote() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("site"));
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("work"));
        Path state = tmp.resolve("state");
        Path cache = tmp.resolve("cache");
        Files.writeString(dir.resolve("secret.key"), FILE + "\n");
        Files.createDirectories(dir.resolve("modules/app"));
        Files.writeString(dir.resolve("modules/app/module.yml"), """
                params:
                  secret: { type: string, sensitive: true }
                resources:
                  conf:
                    type: file
                    path: /etc/app/module.conf
                    content: "secret=${secret}\\n"
                """);
        String common = """
                name: secrets
                sensitive: [db_password]
                vars:
                  db_password: not-the-real-one
                  api_token: ${env:MOSAIC_CANARY_TOKEN}
                modules:
                  app:
                    source: app
                    with: { secret: "%s" }
                resources:
                  config:
                    type: file
                    path: /etc/app/config
                    mode: "0600"
                    content: |
                      password=${db_password}
                      token=${api_token}
                      key=${file:secret.key}
                """.formatted(PARAM);
        Files.writeString(dir.resolve("site.yml"), common);
        Files.writeString(dir.resolve("fail.yml"), common + """
                  leak:
                    type: build
                    dir: /work
                    command: echo "token ${api_token}"; echo "password ${db_password}"; exit 3
                    outputs: [/work/never]
                    toolchain: []
                """);
        Cli cli = Cli.in(dir).withEnv(Map.of("MOSAIC_CANARY_TOKEN", ENV));
        List<String> target = List.of("--root", root.toString(), "--state-dir", state.toString(),
                "--cache-dir", cache.toString());
        List<Cli.Result> runs = new ArrayList<>();

        Cli.Result validate = cli.run(args(List.of("validate", "--var", "db_password=" + VAR, "site.yml")));
        Cli.Result plan = cli.run(args(List.of("plan", "--var", "db_password=" + VAR), target, List.of("site.yml")));
        Cli.Result planJson = cli.run(args(List.of("plan", "--json", "--var", "db_password=" + VAR), target, List.of("site.yml")));
        Cli.Result apply = cli.run(args(List.of("apply", "--var", "db_password=" + VAR), target, List.of("site.yml")));
        Cli.Result changed = cli.run(args(List.of("plan", "--var", "db_password=" + VAR2), target, List.of("site.yml")));
        // A saved plan does not store the sensitive --var: apply takes it again, and checks it.
        Cli.Result saved = cli.run(args(List.of("plan", "--var", "db_password=" + VAR2, "--out", "plan.mosaic"), target,
                List.of("site.yml")));
        Cli.Result savedNoVar = cli.run(args(List.of("apply"), target, List.of("plan.mosaic")));
        Cli.Result savedWrongVar = cli.run(args(List.of("apply", "--var", "db_password=not-the-one"), target,
                List.of("plan.mosaic")));
        Cli.Result savedApply = cli.run(args(List.of("apply", "--var", "db_password=" + VAR2), target, List.of("plan.mosaic")));
        runs.addAll(List.of(saved, savedNoVar, savedWrongVar, savedApply));
        Cli.Result applyJson = cli.run(args(List.of("apply", "--json", "--var", "db_password=" + VAR2), target, List.of("site.yml")));
        Cli.Result failing = cli.run(args(List.of("apply", "--var", "db_password=" + VAR2), target, List.of("fail.yml")));
        Cli.Result logs = cli.run("logs", "build[leak]", "--root", root.toString(), "--state-dir", state.toString());
        runs.addAll(List.of(validate, plan, planJson, apply, changed, applyJson, failing, logs));

        assertThat(validate.exitCode()).as("%s", validate).isZero();
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stdout()).as("%s", plan).contains("file[config]", "content: (sensitive)",
                "module.app.file[conf]");
        assertThat(planJson.stdout()).contains("\"after\" : \"(sensitive)\"");
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(changed.stdout()).as("%s", changed).contains("content: (sensitive) -> (sensitive, changed)");
        assertThat(saved.exitCode()).as("%s", saved).isZero();
        assertThat(Files.readString(dir.resolve("plan.mosaic"))).contains("\"sensitiveVars\" : [ \"db_password\" ]");
        assertThat(savedNoVar.exitCode()).as("%s", savedNoVar).isEqualTo(1);
        assertThat(savedNoVar.stderr()).as("%s", savedNoVar)
                .contains("made with the sensitive variable(s) db_password given by --var, whose values plan files never store");
        assertThat(savedWrongVar.exitCode()).as("%s", savedWrongVar).isEqualTo(1);
        assertThat(savedWrongVar.stderr()).as("%s", savedWrongVar)
                .contains("such as a sensitive variable given again with another value");
        assertThat(savedApply.exitCode()).as("%s", savedApply).isZero();
        assertThat(savedApply.stdout()).as("%s", savedApply).contains("file[config]");
        assertThat(applyJson.exitCode()).as("%s", applyJson).isZero();
        assertThat(failing.exitCode()).as("%s", failing).isEqualTo(1);
        assertThat(failing.stdout() + failing.stderr()).as("%s", failing).contains("build[leak]", "token (sensitive)");
        assertThat(logs.stdout()).as("%s", logs).contains("token (sensitive)", "password (sensitive)");

        // The managed files hold the secrets: that is their job.
        assertThat(Files.readString(root.resolve("etc/app/config"))).contains(VAR2, ENV, FILE);
        assertThat(Files.readString(root.resolve("etc/app/module.conf"))).contains(PARAM);

        for (Cli.Result r : runs) {
            for (String canary : CANARIES) {
                assertThat(r.stdout() + r.stderr()).as("output of %s", r).doesNotContain(canary);
            }
        }
        Set<Path> managed = Set.of(root.resolve("etc/app/config"), root.resolve("etc/app/module.conf"));
        List<Path> scanned = new ArrayList<>();
        for (Path top : List.of(state, cache, root, dir.resolve("plan.mosaic"))) {
            if (!Files.exists(top)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(top)) {
                for (Path p : s.filter(Files::isRegularFile).filter(p -> !managed.contains(p)).toList()) {
                    String text = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
                    for (String canary : CANARIES) {
                        assertThat(text).as("%s", p).doesNotContain(canary);
                    }
                    scanned.add(p);
                }
            }
        }
        assertThat(scanned).as("state, logs and the like were written and scanned")
                .anyMatch(p -> p.startsWith(state) && p.toString().endsWith(".log"))
                .anyMatch(p -> p.startsWith(state) && p.getFileName().toString().startsWith("state"));
    }

    @SafeVarargs
    private static String[] args(List<String>... parts) {
        return Stream.of(parts).flatMap(List::stream).toArray(String[]::new);
    }
}
