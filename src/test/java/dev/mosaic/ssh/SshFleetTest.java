package dev.mosaic.ssh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.e2e.Cli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same playbook, with a module, applied over SSH to three lab servers — three real OpenSSH
 * servers on loopback, each with its own host key and its own root directory — through the CLI.
 */
class SshFleetTest {

    static final String MODULE = """
            name: lab-pxe
            params:
              tftp_root: { type: string, default: /srv/tftp }
              nic: { type: string }
            resources:
              tftp:
                type: directory
                path: ${tftp_root}
              menu:
                type: file
                path: ${tftp_root}/pxelinux.cfg/default
                content: |
                  default linux
                  label linux
                    kernel vmlinuz
                    append ip=dhcp nic=${nic}
              message:
                type: file
                path: ${tftp_root}/boot.msg
                source: files/boot.msg
            outputs:
              menu: ${tftp_root}/pxelinux.cfg/default
            """;

    static final String PLAYBOOK = """
            name: lab
            vars:
              tftp_root: /srv/labs
            modules:
              boot:
                source: lab-pxe
                with: { tftp_root: "${tftp_root}", nic: "${nic}" }
            resources:
              motd:
                type: file
                path: /etc/motd
                content: "menu at ${module.boot.menu} for ${nic}\\n"
                requires: [module.boot]
            """;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TRIPS = Pattern.compile("\\(ssh: (\\d+) round trips?\\)$");

    @TempDir
    static Path servers;
    static SshServers lab;
    static final List<Sshd> sshd = new ArrayList<>();
    static Path userKey;

    @TempDir
    Path tmp;
    private Path project;
    private Path playbook;
    private Path state;

    @BeforeAll
    static void startServers() throws Exception {
        lab = SshServers.start(servers, "lab1", "lab2", "lab3");
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

    @BeforeEach
    void createProject() throws IOException {
        project = tmp.resolve("project");
        write("modules/lab-pxe/module.yml", MODULE);
        write("modules/lab-pxe/files/boot.msg", "Booting the lab\n");
        playbook = write("playbooks/site.yml", PLAYBOOK);
        write("known_hosts", knownHosts(0, 1, 2));
        state = tmp.resolve("state");
    }

    private String knownHosts(int... servers) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i : servers) {
            sb.append(sshd.get(i).knownHostsLine()).append('\n');
        }
        return sb.toString();
    }

    private Path write(String relative, String text) throws IOException {
        Path p = project.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    /** The remote root of lab N: a directory on the "server" (this machine). */
    Path remoteRoot(String host) {
        return tmp.resolve("remote").resolve(host);
    }

    /** An ssh host line of the inventory for server {@code i} (0-based). */
    String sshHost(String name, int port, String extra) {
        return "  " + name + ": { connection: ssh, address: 127.0.0.1, port: " + port + ", user: "
                + System.getProperty("user.name") + ", identity: " + userKey + ", known_hosts: known_hosts, root: "
                + remoteRoot(name) + (extra.isEmpty() ? "" : ", " + extra) + " }\n";
    }

    private Path inventory(String hosts) throws IOException {
        return write("inventory.yml", "hosts:\n" + hosts);
    }

    private Path threeLabs() throws IOException {
        return inventory(sshHost("lab1", sshd.get(0).port(), "vars: { nic: eth1 }")
                + sshHost("lab2", sshd.get(1).port(), "vars: { nic: eth2 }")
                + sshHost("lab3", sshd.get(2).port(), "vars: { nic: eth3 }"));
    }

    private Cli.Result mosaic(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--state-dir", state.toString(), "--cache-dir", tmp.resolve("cache").toString()));
        return Cli.inProcess(all.toArray(String[]::new));
    }

    private String read(String host, String path) throws IOException {
        return Files.readString(remoteRoot(host).resolve(path), StandardCharsets.UTF_8);
    }

    static List<String> summary(Cli.Result r) {
        List<String> lines = r.stdoutLines();
        return lines.subList(lines.indexOf("== summary ==") + 1, lines.size());
    }

    /** A host's summary line without its round-trip count; the count apart. */
    static String withoutTrips(String line) {
        return TRIPS.matcher(line).replaceAll("").trim();
    }

    static int trips(String line) {
        Matcher m = TRIPS.matcher(line);
        assertThat(m.find()).as("round trips in '%s'", line).isTrue();
        return Integer.parseInt(m.group(1));
    }

    static List<String> section(Cli.Result r, String host) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String line : r.stdoutLines()) {
            if (line.startsWith("== ")) {
                in = line.equals("== host " + host + " ==");
                continue;
            }
            if (in) {
                out.add(line);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ three servers

    @Test
    void each_server_gets_its_own_files_a_second_run_changes_nothing_and_drift_shows_under_its_host_only() throws IOException {
        Path inventory = threeLabs();
        Cli.Result first = mosaic("apply", playbook.toString(), "-i", inventory.toString());
        assertThat(first.exitCode()).as("%s", first).isZero();
        assertThat(summary(first)).extracting(SshFleetTest::withoutTrips).containsExactly(
                "lab1: 4 changed, 0 refreshed, 0 unchanged, 0 failed, 0 skipped.",
                "lab2: 4 changed, 0 refreshed, 0 unchanged, 0 failed, 0 skipped.",
                "lab3: 4 changed, 0 refreshed, 0 unchanged, 0 failed, 0 skipped.",
                "Hosts: 0 ok, 3 changed, 0 failed, 0 unreachable.");
        for (String host : List.of("lab1", "lab2", "lab3")) {
            String nic = "eth" + host.charAt(3);
            assertThat(read(host, "srv/labs/pxelinux.cfg/default")).isEqualTo(
                    "default linux\nlabel linux\n  kernel vmlinuz\n  append ip=dhcp nic=" + nic + "\n");
            assertThat(read(host, "etc/motd")).isEqualTo("menu at /srv/labs/pxelinux.cfg/default for " + nic + "\n");
            assertThat(read(host, "srv/labs/boot.msg")).isEqualTo("Booting the lab\n");
            assertThat(state.resolve(host).resolve("state.json")).as("an ssh host's state is kept on the control machine")
                    .isRegularFile();
        }
        assertThat(remoteRoot("lab1").resolve("var/lib/mosaic")).as("nothing of Mosaic's on the server").doesNotExist();
        assertThat(section(first, "lab2")).anyMatch(l -> l.startsWith("+ module.boot.file[menu]: created (new)"));

        Cli.Result second = mosaic("apply", playbook.toString(), "-i", inventory.toString());
        assertThat(second.exitCode()).as("%s", second).isZero();
        assertThat(summary(second)).extracting(SshFleetTest::withoutTrips).containsExactly(
                "lab1: 0 changed, 0 refreshed, 4 unchanged, 0 failed, 0 skipped.",
                "lab2: 0 changed, 0 refreshed, 4 unchanged, 0 failed, 0 skipped.",
                "lab3: 0 changed, 0 refreshed, 4 unchanged, 0 failed, 0 skipped.",
                "Hosts: 3 ok, 0 changed, 0 failed, 0 unreachable.");

        Files.writeString(remoteRoot("lab2").resolve("srv/labs/pxelinux.cfg/default"), "label rogue\n");
        Cli.Result plan = mosaic("plan", playbook.toString(), "-i", inventory.toString(), "--detailed-exitcode");
        assertThat(plan.exitCode()).as("%s", plan).isEqualTo(2);
        assertThat(String.join("\n", section(plan, "lab2")))
                .contains("# module.boot.file[menu] will be updated in place (drift)", "-label rogue", "+label linux");
        assertThat(String.join("\n", section(plan, "lab1"))).doesNotContain("drift").startsWith("No changes.");
        assertThat(String.join("\n", section(plan, "lab3"))).doesNotContain("drift").startsWith("No changes.");
        assertThat(summary(plan)).extracting(SshFleetTest::withoutTrips).containsExactly(
                "lab1: 0 to create, 0 to update, 0 to replace, 0 to delete, 0 to refresh, 4 unchanged.",
                "lab2: 0 to create, 2 to update, 0 to replace, 0 to delete, 0 to refresh, 2 unchanged.",
                "lab3: 0 to create, 0 to update, 0 to replace, 0 to delete, 0 to refresh, 4 unchanged.",
                "Hosts: 2 ok, 1 changed, 0 failed, 0 unreachable.");
        // Batched observation: a plan asks each server a few questions, not one per resource.
        assertThat(trips(summary(plan).get(0))).as("%s", plan).isLessThanOrEqualTo(3);
        assertThat(trips(summary(plan).get(2))).as("%s", plan).isLessThanOrEqualTo(3);
        assertThat(read("lab2", "srv/labs/pxelinux.cfg/default")).as("a plan writes nothing").isEqualTo("label rogue\n");

        Cli.Result json = mosaic("plan", playbook.toString(), "-i", inventory.toString(), "--json");
        dev.mosaic.testing.JsonSchemas.assertValid("hosts.schema.json", json.stdout(), json.toString());
        JsonNode doc = JSON.readTree(json.stdout());
        assertThat(doc.at("/hosts/lab2/status").asText()).isEqualTo("changed");
        assertThat(doc.at("/hosts/lab1/status").asText()).isEqualTo("ok");
        assertThat(doc.at("/hosts/lab1/round_trips").asInt()).isBetween(1, 3);
    }

    @Test
    void a_no_op_plan_of_many_resources_costs_a_few_round_trips_per_server() throws IOException {
        StringBuilder pb = new StringBuilder("name: many\nresources:\n");
        for (int i = 0; i < 300; i++) {
            pb.append("  f").append(i).append(": { type: file, path: /srv/many/d").append(i % 10).append("/f").append(i)
                    .append(", content: \"file ").append(i).append("\\n\", mode: \"0640\" }\n");
        }
        pb.append("  tree: { type: copy, source: ../tree, dest: /srv/tree }\n");
        for (int i = 0; i < 50; i++) {
            write("tree/sub" + (i % 5) + "/t" + i, "tree file " + i + "\n");
        }
        Path many = write("playbooks/many.yml", pb.toString());
        Path inventory = inventory(sshHost("lab1", sshd.get(0).port(), ""));
        Cli.Result apply = mosaic("apply", many.toString(), "-i", inventory.toString());
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(withoutTrips(summary(apply).get(0))).isEqualTo("lab1: 301 changed, 0 refreshed, 0 unchanged, 0 failed, 0 skipped.");

        Cli.Result plan = mosaic("plan", many.toString(), "-i", inventory.toString(), "--detailed-exitcode");
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(trips(summary(plan).get(0))).as("%s", plan).isLessThanOrEqualTo(3);
        Cli.Result again = mosaic("plan", many.toString(), "-i", inventory.toString(), "--detailed-exitcode");
        assertThat(again.exitCode()).as("%s", again).isZero();
        assertThat(trips(summary(again).get(0))).as("%s", again).isLessThanOrEqualTo(3);
    }

    // ------------------------------------------------------------------ hosts that fail

    @Test
    void an_unreachable_server_a_changed_key_an_unknown_key_and_a_refused_login_are_reported_and_the_other_converges()
            throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        // lab3's line carries lab1's key: to Mosaic, lab3 changed its key.
        write("known_hosts", knownHosts(0, 1) + sshd.get(0).knownHostsLine().replace("]:" + sshd.get(0).port() + " ",
                "]:" + sshd.get(2).port() + " ") + "\n");
        write("empty_known_hosts", "");
        Path otherKey = Sshd.keygen(tmp.resolve("other/id_ed25519"));
        Path inventory = inventory(sshHost("lab1", sshd.get(0).port(), "vars: { nic: eth1 }")
                + sshHost("gone", closed, "vars: { nic: eth9 }")
                + sshHost("lab3", sshd.get(2).port(), "vars: { nic: eth3 }")
                + sshHost("newbox", sshd.get(1).port(), "vars: { nic: eth2 }").replace("known_hosts: known_hosts",
                "known_hosts: empty_known_hosts")
                + sshHost("stranger", sshd.get(1).port(), "vars: { nic: eth2 }").replace(userKey.toString(), otherKey.toString()));

        Cli.Result r = mosaic("apply", playbook.toString(), "-i", inventory.toString());
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        List<String> summary = summary(r);
        assertThat(withoutTrips(summary.get(0))).isEqualTo("lab1: 4 changed, 0 refreshed, 0 unchanged, 0 failed, 0 skipped.");
        assertThat(summary.get(1)).isEqualTo("gone: unreachable: cannot connect to 127.0.0.1:" + closed + ": connection refused");
        assertThat(summary.get(2)).startsWith("lab3: error: HOST KEY CHANGED: " + project.resolve("known_hosts"))
                .contains("Someone may be intercepting the connection");
        assertThat(summary.get(3)).startsWith("newbox: error: the server's host key (ssh-ed25519 SHA256:")
                .contains("is not in " + project.resolve("empty_known_hosts") + "; Mosaic never accepts an unknown key");
        assertThat(summary.get(4)).startsWith("stranger: error: authentication as " + System.getProperty("user.name")
                + " failed: the server accepted none of the key " + otherKey);
        assertThat(summary.get(5)).isEqualTo("Hosts: 0 ok, 1 changed, 3 failed, 1 unreachable.");
        assertThat(r.stderrLines()).anyMatch(l -> l.startsWith("error: host lab3: HOST KEY CHANGED"));
        assertThat(r.stderr()).doesNotContain("Exception", "\tat ");

        assertThat(read("lab1", "etc/motd")).contains("eth1");
        for (String host : List.of("gone", "lab3", "newbox", "stranger")) {
            assertThat(remoteRoot(host)).as(host).doesNotExist();
        }
        assertThat(Files.readString(project.resolve("empty_known_hosts"))).as("known_hosts is never written").isEmpty();
    }

    // ------------------------------------------------------------------ build once

    @Test
    void a_build_with_the_same_fingerprint_on_three_servers_runs_once_and_the_others_receive_its_outputs() throws IOException {
        Path build = write("playbooks/build.yml", """
                name: build-once
                resources:
                  source:
                    type: file
                    path: /srv/build/src/input.txt
                    content: "openmosix kernel for ${nic}?\\n"
                  generic:
                    type: file
                    path: /srv/build/src/generic.txt
                    content: "the same on every lab server\\n"
                  image:
                    type: build
                    dir: /srv/build
                    inputs: [/srv/build/src/generic.txt]
                    outputs: [/srv/build/out/image]
                    toolchain: []
                    commands:
                      - mkdir -p out && tr a-z A-Z < src/generic.txt > out/image
                      - echo built >> "$MOSAIC_ROOT/build-runs"
                    requires: [source, generic]
                """);
        Path inventory = threeLabs();
        Cli.Result first = mosaic("apply", build.toString(), "-i", inventory.toString(), "--forks", "3");
        assertThat(first.exitCode()).as("%s", first).isZero();
        List<String> builtOn = new ArrayList<>();
        for (String host : List.of("lab1", "lab2", "lab3")) {
            assertThat(read(host, "srv/build/out/image")).as(host).isEqualTo("THE SAME ON EVERY LAB SERVER\n");
            if (Files.exists(remoteRoot(host).resolve("build-runs"))) {
                assertThat(read(host, "build-runs")).isEqualTo("built\n");
                builtOn.add(host);
            }
        }
        assertThat(builtOn).as("the commands ran on one server only: %s", first).hasSize(1);
        Cli.Result logs = Cli.inProcess("logs", "build[image]", "--state-dir",
                state.resolve(builtOn.get(0).equals("lab1") ? "lab2" : "lab1").toString());
        assertThat(logs.stdout()).as("%s", logs).contains("copied 1 output file(s) from the build cache (built on "
                + builtOn.get(0) + "), each verified by its sha256");

        Cli.Result again = mosaic("plan", build.toString(), "-i", inventory.toString(), "--detailed-exitcode");
        assertThat(again.exitCode()).as("%s", again).isZero();

        // A fourth server joins: its plan says where the image will come from.
        // (its generic source is already there, as on the others)
        Files.createDirectories(remoteRoot("lab4").resolve("srv/build/src"));
        Files.writeString(remoteRoot("lab4").resolve("srv/build/src/generic.txt"), "the same on every lab server\n");
        Path four = inventory(sshHost("lab4", sshd.get(0).port(), "vars: { nic: eth4 }"));
        Cli.Result plan = mosaic("plan", build.toString(), "-i", four.toString());
        assertThat(plan.stdout()).as("%s", plan).contains("build: will copy from cache (built on " + builtOn.get(0) + ")");
    }

    // ------------------------------------------------------------------ a server dies mid-apply

    /**
     * Over SSH as on a local root: a mode is never changed through a symlink, and a file
     * hard-linked to a file outside the root gets an inode of its own before its mode changes.
     */
    @Test
    void a_mode_change_over_ssh_never_reaches_a_hard_linked_or_symlinked_file_outside_the_root() throws Exception {
        Path root = Files.createDirectories(remoteRoot("lab1").resolve("etc"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Path linked = Files.writeString(outside.resolve("linked"), "same\n");
        Path pointed = Files.writeString(outside.resolve("pointed"), "x\n");
        Files.setPosixFilePermissions(linked, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(pointed, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.createLink(root.resolve("motd"), linked);
        Files.createDirectories(remoteRoot("lab1").resolve("srv"));
        Files.createSymbolicLink(remoteRoot("lab1").resolve("srv/dir"), outside);
        Path hostile = write("playbooks/hostile.yml", """
                name: hostile
                resources:
                  motd: { type: file, path: /etc/motd, content: "same\\n", mode: "0600" }
                  dir: { type: directory, path: /srv/dir, mode: "0700" }
                """);
        Path inventory = inventory(sshHost("lab1", sshd.get(0).port(), ""));
        Cli.Result r = mosaic("apply", hostile.toString(), "-i", inventory.toString());

        assertThat(r.stdout() + r.stderr()).as("%s", r).doesNotContain("\tat ");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(linked)))
                .as("the file outside the root, hard-linked into it").isEqualTo("rw-r--r--");
        assertThat(Files.readString(linked)).isEqualTo("same\n");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(outside)))
                .as("the directory outside the root, a symlink points to").isEqualTo("rwxr-xr-x");
        Path motd = root.resolve("motd");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(motd)))
                .isEqualTo("rw-------");
        assertThat(Files.isSameFile(motd, linked)).as("an inode of its own").isFalse();
    }

    @Test
    void sshd_killed_mid_apply_leaves_no_partial_file_and_the_next_run_converges() throws Exception {
        int files = 48;
        byte[][] contents = new byte[files][];
        StringBuilder pb = new StringBuilder("name: big\nresources:\n");
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < files; i++) {
            contents[i] = new byte[1 << 20];
            random.nextBytes(contents[i]);
            Path src = project.resolve("blobs/b" + i);
            Files.createDirectories(src.getParent());
            Files.write(src, contents[i]);
            pb.append("  b").append(i).append(": { type: file, path: /srv/blobs/b").append(i).append(", source: ../blobs/b")
                    .append(i).append(" }\n");
        }
        Path big = write("playbooks/big.yml", pb.toString());
        Sshd server = sshd.get(1);
        Path inventory = inventory(sshHost("lab2", server.port(), ""));
        Path blobs = remoteRoot("lab2").resolve("srv/blobs");

        java.util.concurrent.CompletableFuture<Cli.Result> run = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> mosaic("apply", big.toString(), "-i", inventory.toString()));
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && !run.isDone() && countBlobs(blobs) < 1) {
            Thread.sleep(5);
        }
        server.kill();
        Cli.Result cut;
        try {
            cut = run.get(120, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            server.launch();
        }
        assertThat(countBlobs(blobs)).as("the kill came mid-apply: %s", cut).isBetween(1L, files - 1L);
        assertThat(cut.exitCode()).as("%s", cut).isEqualTo(1);
        assertThat(cut.stdout()).as("%s", cut).contains("lost the connection to");
        assertThat(cut.stderr()).doesNotContain("\tat ");
        for (int i = 0; i < files; i++) {
            Path p = blobs.resolve("b" + i);
            if (Files.exists(p)) {
                assertThat(Files.readAllBytes(p)).as("b%d is whole or absent, never partial", i).isEqualTo(contents[i]);
            }
        }

        Cli.Result converge = mosaic("apply", big.toString(), "-i", inventory.toString());
        assertThat(converge.exitCode()).as("%s", converge).isZero();
        for (int i = 0; i < files; i++) {
            assertThat(Files.readAllBytes(blobs.resolve("b" + i))).as("b%d", i).isEqualTo(contents[i]);
        }
        try (var left = Files.list(blobs)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no temp file left behind")
                    .noneMatch(n -> n.endsWith(".mosaic-tmp"));
        }
        Cli.Result noop = mosaic("apply", big.toString(), "-i", inventory.toString());
        assertThat(withoutTrips(summary(noop).get(0))).isEqualTo("lab2: 0 changed, 0 refreshed, " + files
                + " unchanged, 0 failed, 0 skipped.");
    }

    private static long countBlobs(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).count();
        }
    }
}
