package dev.mosaic.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real sshd servers of one test class, on loopback: a user key made for the test
 * ({@code DIR/client/id_ed25519}), the file that authorizes it, and one {@link Sshd} per name,
 * each in {@code DIR/<name>}. Closing it stops every server it started, by PID.
 */
final class SshServers implements AutoCloseable {

    private final Path userKey;
    private final List<Sshd> servers = new ArrayList<>();

    private SshServers(Path userKey) {
        this.userKey = userKey;
    }

    /** Starts a server for each name; when one fails to start, those started already are stopped. */
    static SshServers start(Path dir, String... names) throws IOException, InterruptedException {
        Path key = Sshd.keygen(dir.resolve("client/id_ed25519"));
        Path authorized = dir.resolve("client/authorized_keys");
        Files.copy(dir.resolve("client/id_ed25519.pub"), authorized);
        SshServers s = new SshServers(key);
        try {
            for (String name : names) {
                s.servers.add(Sshd.start(dir.resolve(name), authorized));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** The private key every server lets in. */
    Path userKey() {
        return userKey;
    }

    /** The servers, in the order of their names. */
    List<Sshd> all() {
        return List.copyOf(servers);
    }

    /** The first (or only) server. */
    Sshd first() {
        return servers.get(0);
    }

    @Override
    public void close() throws InterruptedException {
        for (Sshd s : servers) {
            s.close();
        }
        servers.clear();
    }
}
