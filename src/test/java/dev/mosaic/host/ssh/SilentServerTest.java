package dev.mosaic.host.ssh;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A server that takes the TCP connection and then says nothing (an overloaded sshd, a stuck
 * one): the login times out, and that is reported as no answer, never as a refused key.
 */
class SilentServerTest {

    @TempDir
    Path tmp;

    @Test
    void aServerThatNeverAnswers_isUnreachable_withinTheTimeout_notAKeyItRefused() throws Exception {
        Path key = tmp.resolve("id_ed25519");
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                .redirectErrorStream(true).start();
        assertThat(keygen.waitFor()).as("ssh-keygen").isZero();
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread holder = new Thread(() -> {
                try (Socket s = silent.accept()) {
                    Thread.sleep(30_000); // holds the connection open and says nothing
                } catch (IOException | InterruptedException e) {
                    // closed by the test
                }
            });
            holder.setDaemon(true);
            holder.start();
            SshConnection.Endpoint e = new SshConnection.Endpoint("127.0.0.1", silent.getLocalPort(), "root", List.of(key),
                    tmp.resolve("known_hosts"), Duration.ofSeconds(2));

            SshConnection.Failure f = catchThrowableOfType(() -> SshConnection.open(e), SshConnection.Failure.class);

            holder.interrupt();
            assertThat(f).as("the login fails").isNotNull();
            assertThat(f.kind()).isEqualTo(SshConnection.Failure.Kind.UNREACHABLE);
            assertThat(f.getMessage()).contains("no answer from root@127.0.0.1:" + silent.getLocalPort() + " within 2 s")
                    .doesNotContain("accepted none");
        }
    }
}
