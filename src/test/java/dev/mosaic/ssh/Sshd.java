package dev.mosaic.ssh;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real OpenSSH server on loopback standing for one lab server in tests: its own generated host
 * key, a port of its own on 127.0.0.1, logins with the test's user key only, SFTP, and nothing
 * from the machine's /etc/ssh. Started with {@code sshd -D}, stopped by PID (with the session
 * processes it forked).
 */
final class Sshd implements AutoCloseable {

    static final Path SSHD = Path.of("/usr/sbin/sshd");

    private final Path dir;
    private final Path config;
    private final int port;
    private Process process;

    private Sshd(Path dir, Path config, int port) {
        this.dir = dir;
        this.config = config;
        this.port = port;
    }

    /** {@code ssh-keygen -t ed25519} without passphrase; returns the private key's path. */
    static Path keygen(Path file) throws IOException, InterruptedException {
        Files.createDirectories(file.getParent());
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "mosaic-test", "-f", file.toString()));
        return file;
    }

    /**
     * Starts a server in {@code dir} (host key, config, log) that lets in whoever holds a key
     * listed in {@code authorizedKeys}.
     */
    static Sshd start(Path dir, Path authorizedKeys) throws IOException, InterruptedException {
        if (!Files.isExecutable(SSHD)) {
            throw new IllegalStateException(SSHD + " is missing: install openssh-server (bin/test does)");
        }
        if (isRoot() && !Files.isDirectory(Path.of("/run/sshd"))) {
            throw new IllegalStateException("/run/sshd is missing: sshd needs it when run as root (bin/test makes it)");
        }
        Files.createDirectories(dir);
        Path hostKey = dir.resolve("ssh_host_ed25519_key");
        if (!Files.exists(hostKey)) {
            keygen(hostKey);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + hostKey,
                "PidFile none",
                "AuthorizedKeysFile " + authorizedKeys.toAbsolutePath(),
                "StrictModes no",
                "UsePAM no",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password",
                "Subsystem sftp internal-sftp",
                "MaxSessions 64",
                "MaxStartups 64",
                "LogLevel ERROR",
                // The test user is whoever runs the suite, whose bash would source ~/.bashrc for
                // every command (bash does so when run by sshd at shell level 1): SHLVL=1 makes
                // it level 2, so the machine's own shell set-up (pyenv, …) stays out of the tests.
                "SetEnv SHLVL=1",
                ""), StandardCharsets.UTF_8);
        Sshd d = new Sshd(dir, config, port);
        d.launch();
        return d;
    }

    /** The line a known_hosts file needs for this server. */
    String knownHostsLine() throws IOException {
        String pub = Files.readString(dir.resolve("ssh_host_ed25519_key.pub"), StandardCharsets.UTF_8).trim();
        String[] parts = pub.split(" ");
        return "[127.0.0.1]:" + port + " " + parts[0] + " " + parts[1];
    }

    int port() {
        return port;
    }

    Path dir() {
        return dir;
    }

    /** Starts the server again (same key, same port) after {@link #kill()}. */
    void launch() throws IOException, InterruptedException {
        process = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("sshd.log").toFile())
                .start();
        // A test JVM stopped before @AfterAll still ends the servers it started.
        ProcessHandle started = process.toHandle();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            started.descendants().forEach(ProcessHandle::destroyForcibly);
            started.destroyForcibly();
        }));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("sshd exited with " + process.exitValue() + ": "
                        + Files.readString(dir.resolve("sshd.log"), StandardCharsets.UTF_8));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("sshd did not listen on port " + port + " within 20 s");
    }

    /** Kills the server and every session process it forked, at once (SIGKILL), by PID. */
    void kill() throws InterruptedException {
        if (process == null) {
            return;
        }
        List<ProcessHandle> sessions = process.descendants().toList();
        process.destroyForcibly();
        sessions.forEach(ProcessHandle::destroyForcibly);
        process.waitFor();
        for (ProcessHandle h : sessions) {
            h.onExit().join();
        }
        process = null;
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void run(List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", argv) + " failed: " + out);
        }
    }
}
