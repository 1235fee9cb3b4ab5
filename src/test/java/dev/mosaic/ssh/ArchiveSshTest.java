package dev.mosaic.ssh;

import dev.mosaic.e2e.Cli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An archive unpacked over SSH (a real OpenSSH server on loopback), where the identity a write
 * learns (SFTP: mtime in seconds, no inode) differs in precision from what the next run's probe
 * tells (ns, inode): a second run is still a no-op, and a file rewritten on the server with the
 * same size is still found and restored.
 */
class ArchiveSshTest {

    @TempDir
    static Path servers;
    static SshServers lab;
    static Sshd sshd;
    static Path userKey;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() throws Exception {
        lab = SshServers.start(servers, "lab1");
        sshd = lab.first();
        userKey = lab.userKey();
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void anUnpackOverSsh_isANoopTheSecondTime_andASameSizeEditOnTheServerIsRestored() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src/ltsp/etc"));
        Files.writeString(src.resolve("lts.conf"), "SERVER = 192.168.0.254\n");
        Files.writeString(src.resolve("inittab"), "id:5:initdefault:\n");
        Process tar = new ProcessBuilder("tar", "czf", tmp.resolve("ltsp.tgz").toString(), "-C", tmp.resolve("src").toString(), "ltsp")
                .inheritIO().start();
        assertThat(tar.waitFor()).isZero();
        Files.writeString(tmp.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
        Files.writeString(tmp.resolve("inventory.yml"), "hosts:\n  lab1: { connection: ssh, address: 127.0.0.1, port: "
                + sshd.port() + ", user: " + System.getProperty("user.name") + ", identity: " + userKey
                + ", known_hosts: known_hosts, root: " + tmp.resolve("remote") + " }\n");
        Files.writeString(tmp.resolve("site.yml"), """
                name: site
                resources:
                  ltsp:
                    type: archive
                    source: ltsp.tgz
                    dest: /opt
                """);
        Cli cli = Cli.in(tmp).withTimeout(Duration.ofMinutes(3));
        String[] common = {"site.yml", "-i", "inventory.yml", "--state-dir", tmp.resolve("state").toString(),
            "--cache-dir", tmp.resolve("cache").toString()};

        Cli.Result first = cli.run(concat("apply", common));
        assertThat(first.exitCode()).as("%s", first).isZero();
        Path conf = tmp.resolve("remote/opt/ltsp/etc/lts.conf");
        assertThat(Files.readString(conf)).isEqualTo("SERVER = 192.168.0.254\n");

        Cli.Result second = cli.run(concat("apply", common));
        assertThat(second.exitCode()).as("%s", second).isZero();
        assertThat(second.stdout()).contains("lab1: 0 changed");

        Files.writeString(conf, "SERVER = 192.168.0.253\n"); // same size, later mtime
        Cli.Result plan = cli.run(concat("plan", common));
        assertThat(plan.stdout()).as("%s", plan).contains("ltsp/etc/lts.conf");

        Cli.Result repair = cli.run(concat("apply", common));
        assertThat(repair.exitCode()).as("%s", repair).isZero();
        assertThat(Files.readString(conf)).isEqualTo("SERVER = 192.168.0.254\n");
        Cli.Result after = cli.run(concat("apply", common));
        assertThat(after.stdout()).as("%s", after).contains("lab1: 0 changed");
    }

    private static String[] concat(String command, String[] rest) {
        String[] out = new String[rest.length + 1];
        out[0] = command;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }
}
