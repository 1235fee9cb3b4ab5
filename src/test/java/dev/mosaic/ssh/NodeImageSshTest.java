package dev.mosaic.ssh;

import dev.mosaic.e2e.Cli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node image over SSH: built once on the control machine, copied to two lab servers (real
 * OpenSSH servers on loopback), checked on arrival; a second run changes nothing.
 */
class NodeImageSshTest {

    @TempDir
    static Path servers;
    static SshServers lab;
    static final List<Sshd> sshd = new ArrayList<>();
    static Path userKey;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServers() throws Exception {
        lab = SshServers.start(servers, "lab1", "lab2");
        sshd.addAll(lab.all());
        userKey = lab.userKey();
    }

    @AfterAll
    static void stopServers() throws InterruptedException {
        if (lab != null) {
            lab.close();
        }
        sshd.clear();
    }

    private String host(String name, int i) {
        return "  " + name + ": { connection: ssh, address: 127.0.0.1, port: " + sshd.get(i).port() + ", user: "
                + System.getProperty("user.name") + ", identity: " + userKey + ", known_hosts: known_hosts, root: "
                + tmp.resolve("remote").resolve(name) + " }\n";
    }

    private static String sha256(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
        }
    }

    @Test
    void anImage_isBuiltOnceOnTheControlMachine_copiedToEveryServer_andASecondRunChangesNothing() throws Exception {
        Files.writeString(tmp.resolve("known_hosts"), sshd.get(0).knownHostsLine() + "\n" + sshd.get(1).knownHostsLine() + "\n");
        Files.writeString(tmp.resolve("inventory.yml"), "hosts:\n" + host("lab1", 0) + host("lab2", 1));
        Files.writeString(tmp.resolve("nodes.yml"), """
                name: nodes
                resources:
                  img:
                    type: node_image
                    path: /srv/tftp/node.img
                    packages: [busybox-static]
                    exclude: [/usr/share/doc/**]
                    files:
                      - { path: /init, content: "#!/bin/busybox sh\\nexec /bin/busybox sh\\n", mode: "0755" }
                    links:
                      - { path: /bin/sh, target: busybox }
                """, StandardCharsets.UTF_8);
        Cli cli = Cli.in(tmp).withTimeout(Duration.ofMinutes(5));
        String[] apply = {"apply", "nodes.yml", "-i", "inventory.yml", "--forks", "1", "--state-dir", tmp.resolve("state").toString(),
            "--cache-dir", tmp.resolve("cache").toString()};

        Cli.Result first = cli.run(apply);
        assertThat(first.exitCode()).as("%s", first).isZero();
        assertThat(first.stdout()).contains("lab1: 1 changed", "lab2: 1 changed");
        Path one = tmp.resolve("remote/lab1/srv/tftp/node.img");
        Path two = tmp.resolve("remote/lab2/srv/tftp/node.img");
        assertThat(sha256(one)).isEqualTo(sha256(two));
        String logs = Files.readString(tmp.resolve("state/lab1/logs/node_image.img.log"))
                + Files.readString(tmp.resolve("state/lab2/logs/node_image.img.log"));
        assertThat(logs.split("built /srv/tftp/node.img", -1)).as(logs).hasSize(2);
        assertThat(logs).contains("copying the image from the control machine's cache (built for lab1)");

        Cli.Result second = cli.run(apply);
        assertThat(second.exitCode()).as("%s", second).isZero();
        assertThat(second.stdout()).contains("lab1: 0 changed", "lab2: 0 changed");
    }
}
