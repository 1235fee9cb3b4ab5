package dev.mosaic.ssh;

import dev.mosaic.e2e.Cli;
import dev.mosaic.e2e.HtmlReportCliTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a single target can do, an inventory can do too: {@code --allow-delete}, {@code --report},
 * saved plans. Two real OpenSSH servers on loopback and one local host below its {@code root:},
 * through the CLI.
 */
class FleetParityTest {

    static final String PLAYBOOK = """
            name: lab
            resources:
              motd:
                type: file
                path: /etc/motd
                content: "hello ${nic}\\n"
              issue:
                type: file
                path: /etc/issue
                content: "lab\\n"
            """;

    /** The same playbook once {@code issue} is dropped from it. */
    static final String WITHOUT_ISSUE = """
            name: lab
            resources:
              motd:
                type: file
                path: /etc/motd
                content: "hello ${nic}\\n"
            """;

    static final List<String> HOSTS = List.of("lab1", "lab2", "local1");

    @TempDir
    static Path servers;
    static SshServers lab;
    static final List<Sshd> sshd = new ArrayList<>();
    static Path userKey;

    @TempDir
    Path tmp;
    private Path project;
    private Path playbook;
    private Path inventory;

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

    @BeforeEach
    void createProject() throws IOException {
        project = tmp.resolve("project");
        playbook = write("site.yml", PLAYBOOK);
        write("known_hosts", sshd.get(0).knownHostsLine() + "\n" + sshd.get(1).knownHostsLine() + "\n");
        StringBuilder hosts = new StringBuilder("hosts:\n");
        for (int i = 0; i < 2; i++) {
            hosts.append("  lab").append(i + 1).append(": { connection: ssh, address: 127.0.0.1, port: ").append(sshd.get(i).port())
                    .append(", user: ").append(System.getProperty("user.name")).append(", identity: ").append(userKey)
                    .append(", known_hosts: known_hosts, root: ").append(root("lab" + (i + 1)))
                    .append(", vars: { nic: eth").append(i + 1).append(" } }\n");
        }
        hosts.append("  local1: { connection: local, root: ").append(root("local1")).append(", vars: { nic: eth0 } }\n");
        Files.createDirectories(root("local1"));
        inventory = write("inventory.yml", hosts.toString());
    }

    private Path write(String relative, String text) throws IOException {
        Path p = project.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    /** A host's root: on the "server" (this machine) for the ssh hosts. */
    private Path root(String host) {
        return tmp.resolve("roots").resolve(host);
    }

    private Cli.Result mosaic(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-i", inventory.toString(), "--state-dir", tmp.resolve("state").toString(),
                "--cache-dir", tmp.resolve("cache").toString()));
        return Cli.inProcess(all.toArray(String[]::new));
    }

    private static List<String> summary(Cli.Result r) {
        List<String> lines = r.stdoutLines();
        return lines.subList(lines.indexOf("== summary ==") + 1, lines.size()).stream()
                .map(SshFleetTest::withoutTrips).toList();
    }

    @Test
    void allowDelete_withAnInventory_deletesWhatEachHostNoLongerDeclares() throws IOException {
        Cli.Result first = mosaic("apply", playbook.toString());
        assertThat(first.exitCode()).as("%s", first).isZero();
        for (String h : HOSTS) {
            assertThat(root(h).resolve("etc/issue")).hasContent("lab");
        }
        Files.writeString(playbook, WITHOUT_ISSUE);

        Cli.Result kept = mosaic("apply", playbook.toString());
        assertThat(kept.exitCode()).as("%s", kept).isZero();
        for (String h : HOSTS) {
            assertThat(root(h).resolve("etc/issue")).as("without --allow-delete on %s", h).exists();
        }

        Cli.Result deleted = mosaic("apply", playbook.toString(), "--allow-delete");
        assertThat(deleted.exitCode()).as("%s", deleted).isZero();
        assertThat(deleted.stderr()).doesNotContain("does not go with");
        for (String h : HOSTS) {
            assertThat(root(h).resolve("etc/issue")).as("deleted on %s", h).doesNotExist();
            assertThat(root(h).resolve("etc/motd")).as("kept on %s", h).exists();
        }
        assertThat(summary(deleted)).containsExactly(
                "lab1: 1 changed, 0 refreshed, 1 unchanged, 0 failed, 0 skipped.",
                "lab2: 1 changed, 0 refreshed, 1 unchanged, 0 failed, 0 skipped.",
                "local1: 1 changed, 0 refreshed, 1 unchanged, 0 failed, 0 skipped.",
                "Hosts: 0 ok, 3 changed, 0 failed, 0 unreachable.");
    }

    @Test
    void report_withAnInventory_isOnePageWithAPartPerHost() throws IOException, InterruptedException {
        Path report = tmp.resolve("report.html");
        Cli.Result apply = mosaic("apply", playbook.toString(), "--report", report.toString(), "--forks", "3");
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(apply.stdout()).contains("Report: " + report);
        String html = Files.readString(report);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("Apply complete on every host");
        for (int i = 0; i < HOSTS.size(); i++) {
            String h = HOSTS.get(i);
            assertThat(html).as("part of %s", h).contains("<article class=\"host\" id=\"h" + i + "\" data-host=\"" + h + "\">",
                    "<h2 class=\"host-name\">Host " + h + "</h2>", "id=\"h" + i + "-outcomes\"", "id=\"h" + i + "-o-0\"");
        }
        assertThat(html.split("data-addr=\"file\\[motd\\]\" class=\"row s-changed\"", -1)).as("motd changed on each host")
                .hasSize(HOSTS.size() + 1);
        assertThat(html).contains("lab1 (ssh", "local1 (local");
        String dom = HtmlReportCliTest.dom(tmp, report);
        assertThat(dom).as("the page's script ran in Chromium").contains("data-ready=\"yes\"").doesNotContain("data-error=\"");
    }

    @Test
    void report_withAnInventory_saysWhichHostWasNotReached() throws IOException {
        write("known_hosts", sshd.get(0).knownHostsLine() + "\n"); // lab2's key is unknown: refused
        Path report = tmp.resolve("report.html");
        Cli.Result apply = mosaic("apply", playbook.toString(), "--report", report.toString());
        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(1);
        String html = Files.readString(report);
        assertThat(html).contains("1 of 3 hosts failed", "<h2 class=\"host-name\">Host lab2</h2>\n<p class=\"stopped\">Not applied: ",
                "id=\"h0-outcomes\"", "id=\"h2-outcomes\"").doesNotContain("id=\"h1-outcomes\"");
    }

    @Test
    void savedPlan_withAnInventory_refusesOnlyTheDriftedHostsResource_andAppliesTheRest() throws IOException {
        Cli.Result first = mosaic("apply", playbook.toString());
        assertThat(first.exitCode()).as("%s", first).isZero();
        write("site.yml", PLAYBOOK.replace("content: \"lab\\n\"", "content: \"lab v2\\n\""));
        Path plans = tmp.resolve("plans");

        Cli.Result plan = mosaic("plan", playbook.toString(), "--out", plans.toString());
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stderr()).contains("apply exactly these changes with: mosaic apply " + plans + " --inventory ");
        for (String h : HOSTS) {
            assertThat(plans.resolve(h + ".mosaic")).as("%s's plan", h).isRegularFile();
            assertThat(root(h).resolve("etc/issue")).as("a plan changes nothing").hasContent("lab");
        }
        Files.writeString(root("lab2").resolve("etc/issue"), "rogue\n"); // drift after the plan

        Cli.Result apply = mosaic("apply", plans.toString());
        assertThat(apply.exitCode()).as("stale on one host: %s", apply).isEqualTo(3);
        assertThat(root("lab1").resolve("etc/issue")).hasContent("lab v2");
        assertThat(root("local1").resolve("etc/issue")).hasContent("lab v2");
        assertThat(root("lab2").resolve("etc/issue")).as("the drifted resource is refused").hasContent("rogue");
        assertThat(String.join("\n", SshFleetTest.section(apply, "lab2"))).contains("file[issue]");
        assertThat(summary(apply).get(1)).startsWith("lab2: 0 changed");

        Cli.Result again = mosaic("apply", plans.toString(), "--var", "nic=x");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.stderr()).contains("--var is not allowed with a plan file");
    }

    @Test
    void savedPlan_withAnInventory_failsTheHostWhoseFileIsMissing_alone() throws IOException {
        Path plans = tmp.resolve("plans");
        Cli.Result plan = mosaic("plan", playbook.toString(), "--out", plans.toString());
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        Files.delete(plans.resolve("lab1.mosaic"));

        Cli.Result apply = mosaic("apply", plans.toString());
        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(1);
        assertThat(apply.stderr()).contains("error: host lab1: plan directory " + plans + " has no plan for host lab1");
        assertThat(root("lab1").resolve("etc/motd")).doesNotExist();
        assertThat(root("lab2").resolve("etc/motd")).hasContent("hello eth2");
        assertThat(root("local1").resolve("etc/motd")).hasContent("hello eth0");
    }

    /** A command about one host: the inventory and the state directory, no cache. */
    private Cli.Result about(String host, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-i", inventory.toString(), "--host", host, "--state-dir", tmp.resolve("state").toString()));
        return Cli.inProcess(all.toArray(String[]::new));
    }

    @Test
    void explain_and_graphPlan_withAnInventory_areAboutTheHostNamed() throws IOException {
        Cli.Result first = mosaic("apply", playbook.toString());
        assertThat(first.exitCode()).as("%s", first).isZero();
        Files.writeString(root("lab2").resolve("etc/motd"), "rogue\n");

        Cli.Result explain = about("lab2", "explain", "file[motd]", playbook.toString());
        assertThat(explain.exitCode()).as("%s", explain).isZero();
        assertThat(explain.stdout()).contains("file[motd] will be updated in place (drift)", "-rogue", "+hello eth2");
        Cli.Result calm = about("lab1", "explain", "file[motd]", playbook.toString());
        assertThat(calm.exitCode()).as("%s", calm).isZero();
        assertThat(calm.stdout()).doesNotContain("drift");

        Cli.Result graph = about("lab2", "graph", playbook.toString(), "--plan");
        assertThat(graph.exitCode()).as("%s", graph).isZero();
        Cli.Result graphCalm = about("local1", "graph", playbook.toString(), "--plan");
        assertThat(graphCalm.exitCode()).as("%s", graphCalm).isZero();
        assertThat(graph.stdout()).as("lab2's plan marks its drift, local1's does not").isNotEqualTo(graphCalm.stdout());

        Cli.Result noHost = Cli.inProcess("explain", "file[motd]", playbook.toString(), "-i", inventory.toString());
        assertThat(noHost.exitCode()).isEqualTo(1);
        assertThat(noHost.stderr()).contains("say which one with --host NAME");
        Cli.Result typo = about("lab3", "explain", "file[motd]", playbook.toString());
        assertThat(typo.exitCode()).isEqualTo(1);
        assertThat(typo.stderr()).contains("no host lab3 in the inventory", "lab1, lab2, local1");
    }

    @Test
    void history_and_restore_withAnInventory_areAboutTheHostNamed() throws IOException {
        Cli.Result first = mosaic("apply", playbook.toString());
        assertThat(first.exitCode()).as("%s", first).isZero();
        write("site.yml", PLAYBOOK.replace("content: \"lab\\n\"", "content: \"lab v2\\n\""));
        Cli.Result second = mosaic("apply", playbook.toString());
        assertThat(second.exitCode()).as("%s", second).isZero();

        for (String h : List.of("lab2", "local1")) {
            Cli.Result history = about(h, "history", "--json");
            assertThat(history.exitCode()).as("%s", history).isZero();
            List<String> ids = new ArrayList<>();
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(history.stdout()).path("applies")
                    .forEach(r -> ids.add(r.path("id").asText()));
            assertThat(ids).as("%s's applies", h).hasSize(2);
            assertThat(root(h).resolve("etc/issue")).hasContent("lab v2");

            Cli.Result restore = about(h, "restore", ids.get(1));
            assertThat(restore.exitCode()).as("%s", restore).isZero();
            assertThat(restore.stdout()).contains("Restore complete");
            assertThat(root(h).resolve("etc/issue")).as("%s put back", h).hasContent("lab");
        }
        assertThat(root("lab1").resolve("etc/issue")).as("another host is left alone").hasContent("lab v2");
    }

    @Test
    void logs_withAnInventory_areTheHostNamedsOwn() throws IOException {
        write("site.yml", """
                name: lab
                resources:
                  work:
                    type: directory
                    path: /srv/work
                  greet:
                    type: build
                    dir: /srv/work
                    command: echo "greetings from ${nic}" && echo done > stamp
                    outputs: [/srv/work/stamp]
                    toolchain: []
                """);
        Cli.Result apply = mosaic("apply", playbook.toString());
        assertThat(apply.exitCode()).as("%s", apply).isZero();

        for (String h : List.of("lab2", "local1")) {
            Cli.Result logs = about(h, "logs", "build[greet]");
            assertThat(logs.exitCode()).as("%s", logs).isZero();
            assertThat(logs.stdout()).contains("greetings from " + (h.equals("lab2") ? "eth2" : "eth0"));
        }
        Cli.Result unknown = about("lab9", "logs", "build[greet]");
        assertThat(unknown.exitCode()).isNotZero();
        assertThat(unknown.stderr()).contains("no host lab9").doesNotContain("Exception");
    }
}
