package dev.mosaic.ssh;

import dev.mosaic.e2e.Cli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code line} resource on a host reached over SSH (a real OpenSSH server on loopback): the
 * file is read and rewritten through the SSH host, its mode kept, and a second run does nothing.
 */
class LineSshTest {

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
    void aLineOverSsh_isPlannedAsADiff_written_andANoopTheSecondTime() throws Exception {
        Path conf = Files.createDirectories(tmp.resolve("remote/etc/default")).resolve("slurmd");
        Files.writeString(conf, "# Slurm node daemon\nSLURMD_OPTIONS=\"\"\n");
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r-----"));
        Files.writeString(tmp.resolve("known_hosts"), sshd.knownHostsLine() + "\n");
        Files.writeString(tmp.resolve("inventory.yml"), "hosts:\n  lab1: { connection: ssh, address: 127.0.0.1, port: "
                + sshd.port() + ", user: " + System.getProperty("user.name") + ", identity: " + userKey
                + ", known_hosts: known_hosts, root: " + tmp.resolve("remote") + " }\n");
        Files.writeString(tmp.resolve("site.yml"), """
                name: site
                resources:
                  slurmd-options:
                    type: line
                    path: /etc/default/slurmd
                    line: SLURMD_OPTIONS="--conf-server head"
                    match: ^SLURMD_OPTIONS=
                """);
        Cli cli = Cli.in(tmp).withTimeout(Duration.ofMinutes(3));
        String[] common = {"site.yml", "-i", "inventory.yml", "--state-dir", tmp.resolve("state").toString()};

        Cli.Result plan = cli.run(concat("plan", common));
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stdout()).contains("~ line[slurmd-options]", "+SLURMD_OPTIONS=\"--conf-server head\"");

        Cli.Result first = cli.run(concat("apply", common));
        assertThat(first.exitCode()).as("%s", first).isZero();
        assertThat(Files.readString(conf)).isEqualTo("# Slurm node daemon\nSLURMD_OPTIONS=\"--conf-server head\"\n");
        assertThat(Files.getPosixFilePermissions(conf)).isEqualTo(PosixFilePermissions.fromString("rw-r-----"));

        Cli.Result second = cli.run(concat("apply", common));
        assertThat(second.exitCode()).as("%s", second).isZero();
        assertThat(second.stdout()).contains("lab1: 0 changed");
    }

    private static String[] concat(String command, String[] rest) {
        String[] out = new String[rest.length + 1];
        out[0] = command;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }
}
