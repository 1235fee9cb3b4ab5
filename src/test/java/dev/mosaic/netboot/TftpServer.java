package dev.mosaic.netboot;

import java.io.File;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real TFTP server on 127.0.0.1 at an unprivileged port, serving one directory: atftpd, in the
 * foreground, unpacked from its Debian package with the library it links (so nothing is
 * installed, and no service starts on port 69). It runs as the user running the tests. Files are
 * fetched with tftp-hpa's client, {@code tftp}. {@link #close()} stops the server through its own
 * {@link Process} handle.
 *
 * <p>Why atftpd: tftpd-hpa's {@code in.tftpd} drops privileges (setgroups) for every request and
 * so serves nothing unless started as root; dnsmasq's TFTP server only listens on port 69.
 */
final class TftpServer implements AutoCloseable {

    static final String CLIENT = "tftp";
    static final String CLIENT_PACKAGE = "tftp-hpa";

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration FETCH_TIMEOUT = Duration.ofMinutes(1);

    private final Process process;
    private final int port;
    private final Path log;
    private final Path workDir;

    private TftpServer(Process process, int port, Path log, Path workDir) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.workDir = workDir;
    }

    static void requireClient() {
        Commands.require(CLIENT, "the TFTP tests fetch files with tftp-hpa's client", CLIENT_PACKAGE);
    }

    /** Starts a server for {@code root}; its program and log go to {@code workDir}. */
    static TftpServer start(Path root, Path workDir) throws IOException, InterruptedException {
        Path tools = workDir.resolve("atftpd");
        for (String p : Debs.TFTP_SERVER_PACKAGES) {
            Debs.unpack(Debs.fetch(p), tools);
        }
        Path program = tools.resolve("usr/sbin/atftpd");
        Path libs = libraryDir(tools, "libwrap.so.0");
        String user = Commands.run(workDir, FETCH_TIMEOUT, "id", "-un").output().strip();
        String group = Commands.run(workDir, FETCH_TIMEOUT, "id", "-gn").output().strip();
        String attempts = "";
        for (int attempt = 1; attempt <= 3; attempt++) {
            int port = freeUdpPort();
            Path log = workDir.resolve("atftpd-" + port + ".log");
            ProcessBuilder pb = new ProcessBuilder(List.of(program.toString(),
                    "--daemon", "--no-fork", "--logfile", "-",
                    "--bind-address", LOOPBACK.getHostAddress(), "--port", Integer.toString(port),
                    // Its default, nobody, could not reach into a test's private temporary directory.
                    "--user", user, "--group", group,
                    root.toString()))
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().putAll(Map.of("LD_LIBRARY_PATH", libs.toString()));
            Process p = pb.start();
            if (listening(p, port)) {
                return new TftpServer(p, port, log, workDir);
            }
            Commands.kill(p);
            attempts += "\n-- attempt " + attempt + ", port " + port + ":\n" + Commands.read(log);
        }
        return fail("atftpd did not start serving " + root + " (a missing shared library? it needs libnsl2):" + attempts);
    }

    /**
     * Whether the server came up on {@code port}: it logs "started" before binding, so the port
     * being taken while the server still runs is what tells (binding it failed would end it).
     */
    private static boolean listening(Process p, int port) throws InterruptedException {
        long end = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < end) {
            if (!p.isAlive()) {
                return false;
            }
            if (taken(port)) {
                Thread.sleep(200);
                return p.isAlive();
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static boolean taken(int port) {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, port))) {
            return false;
        } catch (BindException e) {
            return true;
        } catch (SocketException e) {
            return false;
        }
    }

    private static int freeUdpPort() throws SocketException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            return s.getLocalPort();
        }
    }

    private static Path libraryDir(Path tools, String library) throws IOException {
        try (Stream<Path> s = Files.walk(tools)) {
            Optional<Path> lib = s.filter(p -> p.getFileName().toString().equals(library)).findFirst();
            return lib.orElseThrow(() -> new IllegalStateException(library + " is not in " + tools)).getParent();
        }
    }

    int port() {
        return port;
    }

    Process process() {
        return process;
    }

    /** What the server logged so far. */
    String log() {
        return Commands.read(log);
    }

    /** Fetches {@code name} with {@code tftp} in binary mode into {@code into}. */
    Commands.Result fetch(String name, Path into) throws IOException, InterruptedException {
        Files.createDirectories(into.getParent());
        return Commands.run(workDir, FETCH_TIMEOUT, CLIENT, "-m", "binary", LOOPBACK.getHostAddress(),
                Integer.toString(port), "-c", "get", name, into.toString());
    }

    /** Stops the server: SIGTERM to its own PID, SIGKILL if it has not ended ten seconds later. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            Commands.kill(process);
        }
    }
}
