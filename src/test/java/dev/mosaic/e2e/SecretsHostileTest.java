package dev.mosaic.e2e;

import com.sun.net.httpserver.HttpServer;
import dev.mosaic.testing.SecretGrep;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile secrets — each with a quote, a slash, a space or non-ASCII, so that JSON-escaping,
 * URL-encoding and base64 each give a form of its own — enter through a sensitive variable given
 * by {@code --var}, a sensitive module param, {@code ${env:…}}, {@code ${file:…}} and a token in
 * an archive URL, and flow through a build's output (raw and base64), a file's content, a diff, a
 * failure, a saved plan, a report, {@code --json}, logs, history, backups and the lock file. The
 * commands run once (a separate JVM each, as a user runs them); then each case greps one secret
 * in one place with {@link SecretGrep}: every output, every byte under the state directory, the
 * root (but the managed files whose job is to hold the secrets), the plan file, the report and
 * the lock file.
 */
class SecretsHostileTest {

    static final String VAR = "v\"ar/ sé cret-1";
    static final String VAR2 = "v\"ar/ sé cret-2";
    static final String PARAM = "pa'ram/ \"ü\" x-3";
    static final String ENV = "en v\"tok/én-4";
    static final String FILE = "fi le'\"/ ß-5";
    /** A token as it goes into a URL's query (no space: a URL has none). */
    static final String URL_TOKEN = "urlT0k/en=ab-6";
    /** A host name given by ${env:…}: refused at load, never stored. */
    static final String URL_HOST = "secret-host-7.example";

    static final Map<String, String> SECRETS = new LinkedHashMap<>();

    static {
        SECRETS.put("sensitive var", VAR);
        SECRETS.put("sensitive var, second value", VAR2);
        SECRETS.put("module param", PARAM);
        SECRETS.put("${env:}", ENV);
        SECRETS.put("${file:}", FILE);
        SECRETS.put("${env:} token in a URL", URL_TOKEN);
        SECRETS.put("${env:} host of a URL", URL_HOST);
    }

    @TempDir
    static Path tmp;

    static Path dir;
    static Path root;
    static Path state;
    static Path cache;
    static HttpServer server;
    static final List<String> queries = Collections.synchronizedList(new ArrayList<>());
    static final Map<String, Cli.Result> runs = new LinkedHashMap<>();

    @BeforeAll
    static void runEveryCommandOnce() throws IOException {
        dir = Files.createDirectories(tmp.resolve("site"));
        root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("work"));
        state = tmp.resolve("state");
        cache = tmp.resolve("cache");
        byte[] gz = gzip("hello\n".getBytes(StandardCharsets.UTF_8));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            try (ex) {
                queries.add(String.valueOf(ex.getRequestURI().getRawQuery()));
                ex.sendResponseHeaders(200, gz.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(gz);
                }
            }
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/hello.txt.gz?token=${env:MOSAIC_URL_TOKEN}";

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
        String head = """
                name: hostile
                sensitive: [db_password]
                vars:
                  db_password: placeholder
                  api_token: ${env:MOSAIC_HOSTILE_ENV}
                  key: ${file:secret.key}
                """;
        String config = """
                  config:
                    type: file
                    path: /etc/app/config
                    mode: "0600"
                    content: "password=${db_password}\\ntoken=${api_token}\\nkey=${key}\\n"
                """;
        Files.writeString(dir.resolve("site.yml"), head + """
                modules:
                  app:
                    source: app
                    with: { secret: "pa'ram/ \\"ü\\" x-3" }
                resources:
                """ + config + """
                  echo:
                    type: build
                    dir: /work
                    env: { A: "${db_password}", B: "${api_token}", C: "${key}" }
                    command: printf 'a=%s b=%s c=%s\\n' "$A" "$B" "$C"; printf %s "$A" | base64; echo done > echo.out
                    outputs: [/work/echo.out]
                    toolchain: []
                    requires: [config]
                  dist:
                    type: archive
                    source: "URL"
                    dest: /opt/dist
                """.replace("URL", url));
        Files.writeString(dir.resolve("fail.yml"), head + "resources:\n" + config + """
                  leak:
                    type: build
                    dir: /work
                    env: { B: "${api_token}", C: "${key}" }
                    command: echo "token $B"; echo "key $C" >&2; exit 3
                    outputs: [/work/never]
                    toolchain: []
                """);
        // The same path, no longer built from a secret: what it held must not be backed up.
        Files.writeString(dir.resolve("plain.yml"), """
                name: hostile
                resources:
                  config: { type: file, path: /etc/app/config, mode: "0600", content: "plain\\n" }
                """);
        Files.writeString(dir.resolve("path.yml"), """
                name: p
                resources:
                  leak: { type: file, path: "/etc/${env:MOSAIC_HOSTILE_ENV}.conf", content: "x\\n" }
                """);
        Files.writeString(dir.resolve("host.yml"), """
                name: h
                resources:
                  dist: { type: archive, source: "http://${env:MOSAIC_URL_HOST}/x.tar.gz", dest: /opt/x }
                """);

        Cli cli = Cli.in(dir).withEnv(Map.of("MOSAIC_HOSTILE_ENV", ENV, "MOSAIC_URL_TOKEN", URL_TOKEN,
                "MOSAIC_URL_HOST", URL_HOST));
        String[] target = {"--root", root.toString(), "--state-dir", state.toString(), "--cache-dir", cache.toString()};
        run(cli, "validate", "validate", "--var", "db_password=" + VAR, "site.yml");
        run(cli, "plan --json", cat(new String[] {"plan", "--json", "--var", "db_password=" + VAR}, target, "site.yml"));
        run(cli, "apply --json", cat(new String[] {"apply", "--json", "--var", "db_password=" + VAR}, target, "site.yml"));
        run(cli, "apply --report", cat(new String[] {"apply", "--report", "report.html", "--var", "db_password=" + VAR2},
                target, "site.yml"));
        run(cli, "plan (a diff)", cat(new String[] {"plan", "--var", "db_password=" + VAR}, target, "site.yml"));
        run(cli, "plan --out", cat(new String[] {"plan", "--out", "plan.mosaic", "--var", "db_password=" + VAR}, target,
                "site.yml"));
        run(cli, "apply plan.mosaic", cat(new String[] {"apply", "--var", "db_password=" + VAR}, target, "plan.mosaic"));
        run(cli, "apply (a failing build)", cat(new String[] {"apply", "--json", "--var", "db_password=" + VAR}, target,
                "fail.yml"));
        run(cli, "logs", "logs", "build[leak]", "--root", root.toString(), "--state-dir", state.toString());
        run(cli, "logs (a build that passed)", "logs", "build[echo]", "--root", root.toString(), "--state-dir",
                state.toString());
        run(cli, "apply (no longer sensitive)", cat(new String[] {"apply"}, target, "plain.yml"));
        run(cli, "history", "history", "--root", root.toString(), "--state-dir", state.toString());
        run(cli, "validate (secret in a path)", "validate", "path.yml");
        run(cli, "validate (secret in a URL's host)", "validate", "host.yml");
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static void run(Cli cli, String name, String... args) {
        runs.put(name, cli.run(args));
    }

    private static String[] cat(String[] head, String[] target, String last) {
        return Stream.concat(Stream.concat(Stream.of(head), Stream.of(target)), Stream.of(last)).toArray(String[]::new);
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
            z.write(data);
        }
        return b.toByteArray();
    }

    // ------------------------------------------------------------------ the commands did their work

    @Test
    void theCommandsRanAsExpected_soThatTheGrepsBelowSearchRealOutput() throws IOException {
        assertThat(runs.get("validate").exitCode()).as("%s", runs.get("validate")).isZero();
        assertThat(runs.get("apply --json").exitCode()).as("%s", runs.get("apply --json")).isZero();
        assertThat(runs.get("apply --report").exitCode()).as("%s", runs.get("apply --report")).isZero();
        assertThat(runs.get("plan (a diff)").stdout()).contains("content: (sensitive) -> (sensitive, changed)");
        assertThat(runs.get("plan --out").exitCode()).as("%s", runs.get("plan --out")).isZero();
        assertThat(runs.get("apply plan.mosaic").exitCode()).as("%s", runs.get("apply plan.mosaic")).isZero();
        assertThat(runs.get("apply (a failing build)").exitCode()).isEqualTo(1);
        // The build's lines reach --json scrubbed, as (sensitive), before JSON escapes their quotes.
        assertThat(runs.get("apply --json").stdout()).contains("\"line\":\"a=(sensitive) b=(sensitive) c=(sensitive)\"");
        assertThat(runs.get("logs").stdout()).contains("token (sensitive)");
        // The archive was fetched with the real token, and pinned without it.
        assertThat(queries).contains("token=" + URL_TOKEN);
        assertThat(Files.readString(dir.resolve("mosaic.lock"))).contains("hello.txt.gz?token=(sensitive)");
        assertThat(Files.readString(root.resolve("opt/dist/hello.txt"))).isEqualTo("hello\n");
        assertThat(dir.resolve("report.html")).exists();
        assertThat(Files.readString(root.resolve("etc/app/config"))).isEqualTo("plain\n");
    }

    @Test
    void aSecretInAPath_isRefusedAtLoad_withItsPosition() {
        Cli.Result r = runs.get("validate (secret in a path)");
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stderr() + r.stdout()).as("%s", r).contains("path.yml:3:")
                .contains("a sensitive value").contains("must not hold a secret").doesNotContain("Exception");
    }

    @Test
    void aSecretInAUrlsHost_isRefusedAtLoad_withItsPosition() {
        Cli.Result r = runs.get("validate (secret in a URL's host)");
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stderr() + r.stdout()).as("%s", r).contains("host.yml:3:").contains("host or path of the URL")
                .doesNotContain("Exception");
    }

    // ------------------------------------------------------------------ no secret anywhere

    static Stream<Arguments> outputs() {
        List<Arguments> cases = new ArrayList<>();
        for (String run : List.of("validate", "plan --json", "apply --json", "apply --report", "plan (a diff)",
                "plan --out", "apply plan.mosaic", "apply (a failing build)", "logs", "logs (a build that passed)",
                "apply (no longer sensitive)", "history", "validate (secret in a path)", "validate (secret in a URL's host)")) {
            SECRETS.forEach((channel, secret) -> cases.add(Arguments.of(run, channel, secret)));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "output of ''{0}'' holds no form of the secret from a {1}")
    @MethodSource("outputs")
    void noSecretInOutput(String run, String channel, String secret) {
        Cli.Result r = runs.get(run);
        assertThat(SecretGrep.inText(r.stdout() + "\n" + r.stderr(), secret)).as("%s", r).isEmpty();
    }

    static Stream<Arguments> places() {
        List<Arguments> cases = new ArrayList<>();
        for (String place : List.of("state directory (state, journals, history, backups, logs, memory)",
                "download and build cache",
                "root, but the files meant to hold the secrets", "saved plan file", "HTML report", "lock file")) {
            SECRETS.forEach((channel, secret) -> cases.add(Arguments.of(place, channel, secret)));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} holds no form of the secret from a {1}")
    @MethodSource("places")
    void noSecretInFiles(String place, String channel, String secret) throws IOException {
        List<String> hits = new ArrayList<>();
        if (place.startsWith("state")) {
            hits.addAll(SecretGrep.in(state, secret));
        } else if (place.startsWith("download")) {
            hits.addAll(SecretGrep.in(cache, secret));
        } else if (place.startsWith("root")) {
            // config held the secrets until plain.yml made it plain; module.conf still holds the param.
            hits.addAll(SecretGrep.in(root, secret));
            hits.removeIf(h -> h.startsWith(root.resolve("etc/app/module.conf") + ":"));
        } else if (place.startsWith("saved plan")) {
            hits.addAll(SecretGrep.inText(Files.readString(dir.resolve("plan.mosaic")), secret));
        } else if (place.startsWith("HTML")) {
            hits.addAll(SecretGrep.inText(Files.readString(dir.resolve("report.html")), secret));
        } else {
            hits.addAll(SecretGrep.inText(Files.readString(dir.resolve("mosaic.lock")), secret));
        }
        assertThat(hits).isEmpty();
    }

    @Test
    void theFilesMeantToHoldTheSecrets_heldThem() throws IOException {
        assertThat(Files.readString(root.resolve("etc/app/module.conf"))).isEqualTo("secret=" + PARAM + "\n");
        assertThat(runs.get("apply plan.mosaic").stdout()).contains("file[config]");
    }
}
