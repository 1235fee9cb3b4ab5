package dev.mosaic.ssh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.e2e.Cli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shape of {@code bench/ssh}, small: several real sshd on loopback, a playbook of many files,
 * all hosts at once. A no-op plan costs every host exactly one round trip (one remote
 * {@code find}), whatever the number of files and of hosts at once — the first plan after the
 * first apply too, whose stat cache knew no hash yet: that probe hashes the files as well.
 */
class SshNoOpTripsTest {

    static final int HOSTS = 3;
    static final int FILES = 200;

    @TempDir
    static Path tmp;
    static Path userKey;
    static final List<Sshd> SSHD = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        userKey = Sshd.keygen(tmp.resolve("client/id_ed25519"));
        Path authorized = tmp.resolve("client/authorized_keys");
        Files.copy(tmp.resolve("client/id_ed25519.pub"), authorized);
        for (int i = 1; i <= HOSTS; i++) {
            SSHD.add(Sshd.start(tmp.resolve("servers/lab" + i), authorized));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Sshd s : SSHD) {
            s.close();
        }
    }

    @Test
    void aNoOpPlanOverManyHostsAtOnce_costsEachHostOneRoundTrip() throws Exception {
        StringBuilder known = new StringBuilder();
        StringBuilder inv = new StringBuilder("hosts:\n");
        for (int i = 1; i <= HOSTS; i++) {
            Sshd s = SSHD.get(i - 1);
            known.append(s.knownHostsLine()).append('\n');
            inv.append("  lab").append(i).append(": { connection: ssh, address: 127.0.0.1, port: ").append(s.port())
                    .append(", user: ").append(System.getProperty("user.name")).append(", identity: ").append(userKey)
                    .append(", known_hosts: ").append(tmp.resolve("known_hosts")).append(", root: ")
                    .append(tmp.resolve("remote/lab" + i)).append(", vars: { n: ").append(i).append(" } }\n");
        }
        Files.writeString(tmp.resolve("known_hosts"), known, StandardCharsets.UTF_8);
        Path inventory = Files.writeString(tmp.resolve("inventory.yml"), inv, StandardCharsets.UTF_8);
        StringBuilder pb = new StringBuilder("name: many\nresources:\n");
        for (int i = 0; i < FILES; i++) {
            pb.append("  f").append(i).append(": { type: file, path: /srv/bench/d").append(i % 20).append("/f").append(i)
                    .append(", content: \"node ").append(i).append(" of lab ${n}\\n\" }\n");
        }
        Path playbook = Files.writeString(tmp.resolve("playbook.yml"), pb, StandardCharsets.UTF_8);
        String forks = String.valueOf(HOSTS);

        Cli.Result apply = mosaic("apply", playbook.toString(), "-i", inventory.toString(), "--forks", forks);
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        // A hash taken less than 2 s after the file's mtime is not trusted by the next run (the stat
        // cache's racy-timestamp guard): the plans come once the apply's writes are older than that.
        Thread.sleep(2_100);
        // The first plan hashes what the apply wrote (its stat cache knew no hash yet) in its probe.
        JsonNode first = plan(playbook, inventory, forks);
        JsonNode again = plan(playbook, inventory, forks);

        for (int i = 1; i <= HOSTS; i++) {
            assertThat(first.at("/hosts/lab" + i + "/status").asText()).isEqualTo("ok");
            assertThat(first.at("/hosts/lab" + i + "/round_trips").asInt()).as("lab%d, first plan", i).isEqualTo(1);
            assertThat(again.at("/hosts/lab" + i + "/status").asText()).isEqualTo("ok");
            assertThat(again.at("/hosts/lab" + i + "/round_trips").asInt()).as("lab%d, second plan", i).isEqualTo(1);
        }
    }

    private static JsonNode plan(Path playbook, Path inventory, String forks) throws Exception {
        Cli.Result r = mosaic("plan", playbook.toString(), "-i", inventory.toString(), "--json", "--forks", forks,
                "--detailed-exitcode");
        assertThat(r.exitCode()).as("no changes: %s", r).isZero();
        return new ObjectMapper().readTree(r.stdout());
    }

    private static Cli.Result mosaic(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--state-dir", tmp.resolve("state").toString(), "--cache-dir", tmp.resolve("cache").toString()));
        return Cli.inProcess(all.toArray(String[]::new));
    }
}
