package dev.mosaic.host.ssh;

import dev.mosaic.diag.Sensitive;
import dev.mosaic.diag.Trace;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One authenticated SSH connection to a lab server, through Apache MINA SSHD: commands run over
 * exec channels and files move over one SFTP channel, all multiplexed on the same TCP connection.
 * The server's key must already be in the {@code known_hosts} file (strict, as OpenSSH's
 * {@code StrictHostKeyChecking yes}): an unknown or changed key ends the connection before
 * authentication, and the file is never written. Every request that waits for the server's answer
 * counts as one round trip ({@link #roundTrips()}). Thread-safe.
 */
public final class SshConnection implements AutoCloseable {

    /** Where and as whom to connect; {@code identities} empty means the user's default keys. */
    public record Endpoint(String address, int port, String user, List<Path> identities, Path knownHosts,
                           Duration timeout) {

        /** {@code root@127.0.0.1:2222} */
        public String describe() {
            return user + "@" + address + (port == 22 ? "" : ":" + port);
        }
    }

    /** Why a connection could not be made; the message says it in the operator's terms. */
    public static final class Failure extends Exception {

        /** How the recap counts it: a host that cannot be reached, or one that refuses us. */
        public enum Kind { UNREACHABLE, HOST_KEY, AUTH }

        private final Kind kind;

        Failure(Kind kind, String message) {
            super(message);
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }
    }

    /** What a command printed and how it ended; {@code exitCode} is -1 when it was killed by a signal. */
    public record Result(int exitCode, byte[] stdout, String stderr) {
    }

    private final Endpoint endpoint;
    private final SshClient client;
    private final ClientSession session;
    private final AtomicLong roundTrips = new AtomicLong();
    private volatile SftpClient sftp;

    private SshConnection(Endpoint endpoint, SshClient client, ClientSession session) {
        this.endpoint = endpoint;
        this.client = client;
        this.session = session;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** Requests answered by the server so far (commands, SFTP requests), connection set-up aside. */
    public long roundTrips() {
        return roundTrips.get();
    }

    void count(int n) {
        roundTrips.addAndGet(n);
        if (Trace.on()) {
            Trace.line("ssh-debug: +" + n + " " + new Throwable().getStackTrace()[1]);
        }
    }

    /**
     * What {@code MOSAIC_SSH_DEBUG} prints for a remote command. The CLI's stream scrubs it, and so
     * does this line itself, whoever receives it: a command carries
     * {@code env K=V} values and build commands, quoted for the shell ({@link Sensitive#scrub}
     * matches the quoted forms too).
     */
    static String debugLine(String command) {
        return "ssh-debug: " + Sensitive.scrub(command);
    }

    /**
     * Logins (connect, key exchange, authentication) under way at once in this JVM. A key exchange
     * costs CPU on both ends (≈ 25 ms here, ≈ 50 ms for the server's sshd to start a session):
     * fifty at once on a busy 2-core machine all crawl together past the login timeout, while a
     * few at a time each finish in a fraction of it. A login's timeout runs from its turn.
     */
    static final int LOGINS_AT_ONCE = Math.max(4, 4 * Runtime.getRuntime().availableProcessors());
    private static final Semaphore LOGINS = new Semaphore(LOGINS_AT_ONCE, true);

    /**
     * The client's key exchanges in order of preference: Apache MINA SSHD's own list, with ML-KEM
     * hybrids (when the library has them; OpenSSH 9.9 and later offer mlkem768x25519-sha256) moved
     * first. The post-quantum sntrup761x25519 stays ahead of curve25519-sha256, as OpenSSH orders
     * them, although MINA's pure-Java sntrup761 costs ≈ 170 ms of client CPU per login against
     * ≈ 25 ms: a recorded session of a playbook that pushes secrets must not be readable later by
     * whoever breaks X25519 alone. The login limit keeps many such logins from timing out.
     */
    static List<KeyExchangeFactory> preferredKex(List<KeyExchangeFactory> defaults) {
        List<KeyExchangeFactory> out = new ArrayList<>();
        defaults.stream().filter(f -> f.getName().startsWith("mlkem")).forEach(out::add);
        defaults.stream().filter(f -> !out.contains(f)).forEach(out::add);
        return out;
    }

    /** The key exchange this connection negotiated, e.g. {@code sntrup761x25519-sha512@openssh.com}. */
    public String keyExchange() {
        return session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS);
    }

    /** Connects, verifies the server's key against known_hosts, and authenticates with a key. */
    public static SshConnection open(Endpoint e) throws Failure {
        try {
            LOGINS.acquire();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new Failure(Failure.Kind.UNREACHABLE, "interrupted before logging in to " + e.describe());
        }
        try {
            return login(e);
        } finally {
            LOGINS.release();
        }
    }

    private static SshConnection login(Endpoint e) throws Failure {
        StrictKnownHosts verifier = new StrictKnownHosts(e.knownHosts());
        SshClient client = SshClient.setUpDefaultClient();
        client.setKeyExchangeFactories(preferredKex(client.getKeyExchangeFactories()));
        client.setServerKeyVerifier(verifier);
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, Duration.ofSeconds(15));
        // Requests are small and answered one after the other: Nagle's algorithm would hold each
        // one back until the previous answer's ACK, ~40 ms a round trip.
        CoreModuleProperties.TCP_NODELAY.set(client, true);
        CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, 4);
        client.start();
        ClientSession session = null;
        try {
            try {
                session = client.connect(e.user(), e.address(), e.port()).verify(e.timeout()).getClientSession();
            } catch (IOException | RuntimeException ex) {
                throw new Failure(Failure.Kind.UNREACHABLE, "cannot connect to " + e.address() + ":" + e.port()
                        + ": " + networkReason(ex));
            }
            loadIdentities(e).forEach(session::addPublicKeyIdentity);
            try {
                session.auth().verify(e.timeout());
            } catch (IOException | RuntimeException ex) {
                if (verifier.problem.get() != null) {
                    throw new Failure(Failure.Kind.HOST_KEY, verifier.problem.get());
                }
                // Still open or not, a login that ran out of time is a server that did not answer
                // (overloaded, stuck, not an SSH server), never a key it refused: that is a reply.
                if (ex.getMessage() != null && ex.getMessage().toLowerCase(java.util.Locale.ROOT).contains("timeout")) {
                    throw new Failure(Failure.Kind.UNREACHABLE, "no answer from " + e.describe() + " within "
                            + e.timeout().toSeconds() + " s while logging in");
                }
                throw new Failure(Failure.Kind.AUTH, "authentication as " + e.user() + " failed: the server accepted none of "
                        + identityWords(e) + " (is the public key in ~" + e.user() + "/.ssh/authorized_keys?)");
            }
            return new SshConnection(e, client, session);
        } catch (Failure f) {
            closeQuietlyStatic(session, client);
            throw f;
        }
    }

    private static String identityWords(Endpoint e) {
        return e.identities().isEmpty() ? "your default keys (~/.ssh/id_ed25519, id_ecdsa, id_rsa)"
                : "the key " + String.join(", ", e.identities().stream().map(Path::toString).toList());
    }

    private static List<KeyPair> loadIdentities(Endpoint e) throws Failure {
        List<Path> files = e.identities();
        boolean defaults = files.isEmpty();
        if (defaults) {
            Path ssh = Path.of(System.getProperty("user.home"), ".ssh");
            files = List.of(ssh.resolve("id_ed25519"), ssh.resolve("id_ecdsa"), ssh.resolve("id_rsa"));
        }
        List<KeyPair> keys = new ArrayList<>();
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                if (defaults) {
                    continue;
                }
                throw new Failure(Failure.Kind.AUTH, "identity file " + f + " does not exist");
            }
            try (InputStream in = Files.newInputStream(f)) {
                for (KeyPair kp : SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(f.toString()), in,
                        FilePasswordProvider.EMPTY)) {
                    keys.add(kp);
                }
            } catch (Exception ex) {
                throw new Failure(Failure.Kind.AUTH, "cannot use identity file " + f + ": " + (ex.getMessage() == null
                        ? ex.getClass().getSimpleName() : ex.getMessage())
                        + " (Mosaic reads unencrypted keys only: use a dedicated key without a passphrase)");
            }
        }
        if (keys.isEmpty()) {
            throw new Failure(Failure.Kind.AUTH, "no identity to log in with: give the host an 'identity:' file");
        }
        return keys;
    }

    private static String networkReason(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "connection refused";
            }
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return "unknown host name";
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to host";
            }
        }
        String m = ex.getMessage();
        return m != null && m.toLowerCase(java.util.Locale.ROOT).contains("timeout") ? "timed out" : m == null ? ex.getClass().getSimpleName() : m;
    }

    /**
     * Runs {@code command} with the remote user's shell, feeding it {@code stdin}, and waits for it.
     *
     * @param out     where its standard output goes as it comes
     * @param timeout null: no limit
     */
    public int run(String command, byte[] stdin, OutputStream out, OutputStream err, Duration timeout) throws IOException {
        count(1);
        if (Trace.on()) {
            Trace.line(debugLine(command));
        }
        ChannelExec ch;
        try {
            ch = session.createExecChannel(command);
        } catch (IOException | RuntimeException e) {
            throw session.isOpen() ? new IOException("cannot run a command on " + endpoint.describe() + ": " + e.getMessage(), e)
                    : lost();
        }
        try {
            ch.setOut(out);
            ch.setErr(err);
            ch.open().verify(endpoint.timeout());
            // Standard input is written here and closed, which sends EOF: a remote command that
            // reads it (xargs, patch) never waits for more.
            try (OutputStream in = ch.getInvertedIn()) {
                if (stdin != null && stdin.length > 0) {
                    in.write(stdin);
                }
            }
            Set<ClientChannelEvent> events = ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED),
                    timeout == null ? 0 : timeout.toMillis());
            if (!events.contains(ClientChannelEvent.CLOSED)) {
                throw new IOException("command did not finish within " + timeout.toSeconds() + " s on " + endpoint.describe());
            }
            Integer status = ch.getExitStatus();
            if (status == null) {
                if (ch.getExitSignal() != null) {
                    return -1;
                }
                throw lost();
            }
            return status;
        } catch (IOException | RuntimeException e) {
            if (!session.isOpen()) {
                throw lost();
            }
            throw e instanceof IOException io ? io : new IOException(e.getMessage() + " (on " + endpoint.describe() + ")", e);
        } finally {
            ch.close(false);
        }
    }

    /** Runs a command and keeps all its output. */
    public Result run(String command, byte[] stdin) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(command, stdin, out, err, null);
        return new Result(code, out.toByteArray(), err.toString(java.nio.charset.StandardCharsets.UTF_8).trim());
    }

    IOException lost() {
        return new IOException("lost the connection to " + endpoint.describe());
    }

    public boolean isOpen() {
        return session.isOpen();
    }

    /** The connection's SFTP channel, opened on first use. */
    SftpClient sftp() throws IOException {
        SftpClient s = sftp;
        if (s == null) {
            synchronized (this) {
                if (sftp == null) {
                    count(1);
                    try {
                        sftp = SftpClientFactory.instance().createSftpClient(session);
                    } catch (IOException | RuntimeException e) {
                        throw session.isOpen() ? new IOException("cannot open SFTP on " + endpoint.describe()
                                + " (is the sftp subsystem enabled in sshd_config?): " + e.getMessage(), e) : lost();
                    }
                }
                s = sftp;
            }
        }
        return s;
    }

    @Override
    public void close() {
        closeQuietly(session, client);
    }

    private void closeQuietly(ClientSession s, SshClient c) {
        try {
            if (sftp != null) {
                sftp.close();
            }
        } catch (IOException | RuntimeException ignored) {
            // the connection is going away anyway
        }
        closeQuietlyStatic(s, c);
    }

    private static void closeQuietlyStatic(ClientSession s, SshClient c) {
        try {
            if (s != null) {
                s.close(true);
            }
        } catch (RuntimeException ignored) {
            // nothing to save
        }
        try {
            c.stop();
        } catch (RuntimeException ignored) {
            // nothing to save
        }
    }
}
