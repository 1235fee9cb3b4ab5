package dev.mosaic.ssh;

import dev.mosaic.host.ssh.SshConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Against a real OpenSSH server (Debian 12's 9.2), the connection negotiates the post-quantum
 * hybrid sntrup761x25519, as OpenSSH itself prefers, not curve25519 alone, which is cheaper in
 * Java but leaves a recorded session to whoever breaks X25519; and it works (a command, its output).
 */
class SshKexTest {

    @TempDir
    static Path servers;
    static Path userKey;
    static Sshd sshd;

    @BeforeAll
    static void start() throws Exception {
        userKey = Sshd.keygen(servers.resolve("client/id_ed25519"));
        Path authorized = servers.resolve("client/authorized_keys");
        Files.copy(servers.resolve("client/id_ed25519.pub"), authorized);
        sshd = Sshd.start(servers.resolve("lab1"), authorized);
    }

    @AfterAll
    static void stop() throws Exception {
        sshd.close();
    }

    @Test
    void loggingInToOpenSsh_negotiatesThePostQuantumHybrid() throws Exception {
        Path knownHosts = servers.resolve("known_hosts");
        Files.writeString(knownHosts, sshd.knownHostsLine() + "\n");
        SshConnection.Endpoint e = new SshConnection.Endpoint("127.0.0.1", sshd.port(), System.getProperty("user.name"),
                List.of(userKey), knownHosts, Duration.ofSeconds(30));
        try (SshConnection c = SshConnection.open(e)) {
            assertThat(c.keyExchange()).startsWith("sntrup761x25519-sha512");
            SshConnection.Result r = c.run("echo hello", null);
            assertThat(r.exitCode()).isZero();
            assertThat(new String(r.stdout(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("hello\n");
        }
    }
}
