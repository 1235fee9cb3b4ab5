package dev.mosaic.host.ssh;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many logins at once (a large {@code --forks}) take turns: no more than
 * {@link SshConnection#LOGINS_AT_ONCE} handshakes are under way together, and each one's timeout
 * runs from its turn, so none is failed for having waited. And the key exchanges offered are
 * Apache MINA SSHD's defaults, post-quantum hybrids ahead of curve25519 alone.
 */
class LoginLimitTest {

    @TempDir
    Path tmp;

    @Test
    void manyLoginsAtOnce_takeTurns_eachWithItsOwnTimeout() throws Exception {
        Path key = tmp.resolve("id_ed25519");
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                .redirectErrorStream(true).start();
        assertThat(keygen.waitFor()).as("ssh-keygen").isZero();
        int logins = 2 * SshConnection.LOGINS_AT_ONCE + 1;
        AtomicInteger open = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        // A server that takes each connection and says nothing until the client gives up on it.
        try (ServerSocket silent = new ServerSocket(0, 100, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        Socket s = silent.accept();
                        accepted.incrementAndGet();
                        most.accumulateAndGet(open.incrementAndGet(), Math::max);
                        Thread holder = new Thread(() -> {
                            try (s; InputStream in = s.getInputStream()) {
                                while (in.read() >= 0) {
                                    // the client's version line; then nothing until it closes
                                }
                            } catch (IOException closed) {
                                // the client gave up
                            } finally {
                                open.decrementAndGet();
                            }
                        });
                        holder.setDaemon(true);
                        holder.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            SshConnection.Endpoint e = new SshConnection.Endpoint("127.0.0.1", silent.getLocalPort(), "root", List.of(key),
                    tmp.resolve("known_hosts"), Duration.ofSeconds(1));
            ExecutorService pool = Executors.newFixedThreadPool(logins);
            List<Future<SshConnection.Failure>> results = new ArrayList<>();
            long start = System.nanoTime();
            try {
                for (int i = 0; i < logins; i++) {
                    results.add(pool.submit(() -> {
                        try {
                            SshConnection.open(e).close();
                            return null;
                        } catch (SshConnection.Failure f) {
                            return f;
                        }
                    }));
                }
                for (Future<SshConnection.Failure> r : results) {
                    SshConnection.Failure f = r.get();
                    assertThat(f).as("a login to a silent server fails").isNotNull();
                    assertThat(f.kind()).isEqualTo(SshConnection.Failure.Kind.UNREACHABLE);
                    assertThat(f.getMessage()).contains("within 1 s while logging in");
                }
            } finally {
                pool.shutdownNow();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(accepted.get()).as("every login reached the server").isEqualTo(logins);
            // The server sees a connection the client gave up on closed a moment later: a little slack
            // (without the limit, all of them would be open at once).
            assertThat(most.get()).as("handshakes under way at once").isLessThanOrEqualTo(SshConnection.LOGINS_AT_ONCE + 2)
                    .isLessThan(logins).isGreaterThan(1);
            assertThat(seconds).as("three turns of 1 s timeouts").isGreaterThanOrEqualTo(2.5);
        }
    }

    @Test
    void postQuantumHybrids_comeBeforeCurve25519Alone_fromTheSameAlgorithmsAsMinasDefaults() {
        List<KeyExchangeFactory> defaults = SshClient.setUpDefaultClient().getKeyExchangeFactories();
        List<String> names = SshConnection.preferredKex(defaults).stream().map(KeyExchangeFactory::getName).toList();

        assertThat(names).containsExactlyInAnyOrderElementsOf(defaults.stream().map(KeyExchangeFactory::getName).toList());
        assertThat(names.stream().filter(n -> !n.startsWith("mlkem")).findFirst()).contains("sntrup761x25519-sha512");
        assertThat(names.indexOf("sntrup761x25519-sha512")).isLessThan(names.indexOf("curve25519-sha256"));
        assertThat(names).noneMatch(n -> n.endsWith("-sha1") || n.equals("diffie-hellman-group1-sha1"));
    }
}
