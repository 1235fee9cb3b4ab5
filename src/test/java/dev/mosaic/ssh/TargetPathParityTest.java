package dev.mosaic.ssh;

import static dev.mosaic.testing.Tp.tp;
import dev.mosaic.base.TargetPath;
import dev.mosaic.host.Exec;
import dev.mosaic.host.Host;
import dev.mosaic.host.LocalHost;
import dev.mosaic.host.ssh.SshConnection;
import dev.mosaic.host.ssh.SshHost;
import dev.mosaic.testing.Canary;
import dev.mosaic.testing.TreeSnapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same target path strings, hostile ones included, asked of a local root and of an SSH server
 * (a real OpenSSH on loopback) below a root of the same shape: both hosts name the same file or
 * refuse with the same words, and nothing outside either root changes. A host takes a
 * {@link TargetPath}, so a hostile string is refused where it would become one ({@link
 * TargetPath#of}), before either host is reached, a command's working directory too. A {@code ..} is refused by
 * both, never collapsed: {@code /deep/../y}, collapsed as text, would be {@code /y}, while the
 * kernel, following the link {@code deep}, would find {@code /a/b/y}.
 */
class TargetPathParityTest {

    @TempDir
    static Path servers;
    private static SshServers lab;
    private static Sshd sshd;
    private static Path userKey;

    @TempDir
    Path tmp;
    private Canary canary;
    private Path localRoot;
    private Path sshRoot;
    private LocalHost local;
    private SshHost ssh;

    @BeforeAll
    static void startServer() throws Exception {
        lab = SshServers.start(servers, "lab");
        sshd = lab.first();
        userKey = lab.userKey();
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (lab != null) {
            lab.close();
        }
    }

    @BeforeEach
    void openHosts() throws Exception {
        canary = Canary.plant(tmp.resolve("outside"));
        localRoot = plantRoot(tmp.resolve("local"));
        sshRoot = plantRoot(tmp.resolve("remote"));
        local = new LocalHost(localRoot);
        Path knownHosts = Files.writeString(tmp.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
        SshConnection conn = SshConnection.open(new SshConnection.Endpoint("127.0.0.1", sshd.port(),
                System.getProperty("user.name"), List.of(userKey), knownHosts, Duration.ofSeconds(15)));
        ssh = new SshHost("lab", conn, sshRoot.toString(), null, false);
    }

    @AfterEach
    void closeHosts() throws IOException {
        if (ssh != null) {
            ssh.close();
        }
    }

    /** {@code etc/passwd}, {@code a/b/}, {@code x/}, and {@code deep -> a/b}: the same below both roots. */
    private static Path plantRoot(Path root) throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
        Files.createDirectories(root.resolve("a/b"));
        Files.createDirectories(root.resolve("x"));
        Files.createSymbolicLink(root.resolve("deep"), Path.of("a/b"));
        return root;
    }

    @ParameterizedTest(name = "{0} is refused alike by both hosts")
    @ValueSource(strings = {"/a/../../etc/passwd", "/a/..", "/..", "/deep/../y", "/x/./../x", "", "x/y", "etc/passwd"})
    void anyCall_withAPathNoHostAccepts_isRefusedAlike_andNothingChanges(String path) throws IOException {
        List<String> localBefore = TreeSnapshot.of(localRoot);
        List<String> sshBefore = TreeSnapshot.of(sshRoot);

        Map<String, String> byLocal = refusals(local, path);
        Map<String, String> bySsh = refusals(ssh, path);

        assertThat(bySsh).isEqualTo(byLocal);
        assertThat(byLocal.values()).as("every call refused").allSatisfy(message -> assertThat(message)
                .startsWith(path.startsWith("/") ? "refusing '" + path + "': a target path may not hold '..'"
                        : "not an absolute path: '" + path + "'"));
        assertThat(TreeSnapshot.of(localRoot)).isEqualTo(localBefore);
        assertThat(TreeSnapshot.of(sshRoot)).isEqualTo(sshBefore);
        canary.assertUntouched();
    }

    @ParameterizedTest(name = "{0} names /x/y on both hosts")
    @ValueSource(strings = {"//x/./y", "/x/y/", "/x//y", "/./x/y"})
    void write_ofAPathWithRedundantSlashesOrDots_namesTheSameFileOnBothHosts(String path) throws IOException {
        for (Host h : List.of(local, ssh)) {
            h.writeAtomic(tp(path), text("written as " + path + "\n"), 0640);
            assertThat(h.stat(tp(path))).as(h.name()).isEqualTo(h.stat(tp("/x/y")));
            assertThat(new String(h.read(tp("/x/y")), StandardCharsets.UTF_8)).as(h.name()).isEqualTo("written as " + path + "\n");
            assertThat(h.sha256(tp(path))).as(h.name()).isEqualTo(h.sha256(tp("/x/y")));
        }
        assertThat(TreeSnapshot.shape(sshRoot)).isEqualTo(TreeSnapshot.shape(localRoot));
        assertThat(Files.readString(localRoot.resolve("x/y"))).isEqualTo("written as " + path + "\n");
        assertThat(Files.readString(sshRoot.resolve("x/y"))).isEqualTo("written as " + path + "\n");
        canary.assertUntouched();
    }

    /** Every call of the host with {@code path} made a target path, each expected to fail: the message of each, by call. */
    private static Map<String, String> refusals(Host h, String path) {
        Map<String, IoCall> calls = new LinkedHashMap<>();
        calls.put("stat", () -> h.stat(TargetPath.of(path)));
        calls.put("read", () -> h.read(TargetPath.of(path)));
        calls.put("sha256", () -> h.sha256(TargetPath.of(path)));
        calls.put("walk", () -> h.walk(TargetPath.of(path)));
        calls.put("digestTree", () -> h.digestTree(TargetPath.of(path)));
        calls.put("writeAtomic", () -> h.writeAtomic(TargetPath.of(path), text("pwned\n"), 0644));
        calls.put("mkdirs", () -> h.mkdirs(TargetPath.of(path), 0755));
        calls.put("symlink", () -> h.symlink(TargetPath.of(path), "/etc/passwd"));
        calls.put("chmod", () -> h.chmod(TargetPath.of(path), 0777));
        calls.put("chown", () -> h.chown(TargetPath.of(path), -1, -1));
        calls.put("delete", () -> h.delete(TargetPath.of(path)));
        calls.put("deleteTree", () -> h.deleteTree(TargetPath.of(path)));
        calls.put("exec", () -> h.exec(new Exec(List.of("touch", "pwned"), TargetPath.of(path), Map.of(), Optional.empty(),
                Optional.empty(), line -> { })));
        Map<String, String> out = new LinkedHashMap<>();
        List<String> accepted = new ArrayList<>();
        calls.forEach((name, call) -> {
            try {
                call.run();
                accepted.add(name);
            } catch (IOException e) {
                out.put(name, e.getMessage());
            }
        });
        assertThat(accepted).as(h.name() + " accepted " + path).isEmpty();
        return out;
    }

    private interface IoCall {
        void run() throws IOException;
    }

    private static ByteArrayInputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
