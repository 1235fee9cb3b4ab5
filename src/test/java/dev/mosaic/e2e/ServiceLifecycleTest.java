package dev.mosaic.e2e;

import dev.mosaic.testing.labserver.LabServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code service} kind against a real systemd: the lab server (a Debian container booted by
 * systemd-nspawn), driven over SSH through the real command line as an admin drives a server.
 * One unit goes through its whole life — installed, enabled, started, reloaded on a notify with
 * the same main PID, restarted with a new one, stopped, disabled — each step followed by an apply
 * that changes nothing; then a unit that fails to start shows its journal and skips its dependents.
 * The steps build on each other, in order.
 */
@Tag("lab-server")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceLifecycleTest {

    /**
     * A service that stays up and answers a reload in place: its shell notes each SIGHUP in
     * /run/web.reloads (the {@code wait} returns at once on a signal, so the trap runs at once).
     */
    private static final String UNIT = """
            [Unit]
            Description=a service the test drives
            [Service]
            ExecStart=/bin/sh -c 'trap "echo reloaded >> /run/web.reloads" HUP; while :; do sleep 1 & wait $!; done'
            ExecReload=/bin/kill -HUP $MAINPID
            [Install]
            WantedBy=multi-user.target
            """;

    @TempDir
    static Path tmp;

    static LabServer lab;
    static Path project;
    static Path inventory;

    @BeforeAll
    static void boot() throws Exception {
        lab = LabServer.start(tmp);
        project = Files.createDirectories(tmp.resolve("project"));
        inventory = lab.inventory(project.resolve("inventory.yml"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (lab != null) {
            lab.close();
        }
    }

    /** The web service with its configuration file, which notifies it. */
    private static void playbook(String greeting, String service) throws IOException {
        Files.writeString(project.resolve("site.yml"), """
                resources:
                  config:
                    type: file
                    path: /etc/web/web.conf
                    content: "greeting=%s\\n"
                    notify: [web]
                  web:
                    type: service
                    name: web
                    unit: |
                %s
                %s
                """.formatted(greeting, UNIT.indent(6).stripTrailing(), service.indent(4).stripTrailing()));
    }

    /** The CLI in the lab's namespace; its state and cache in the test's directory, never the user's. */
    private static Cli.Result mosaic(String... args) {
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(args));
        all.addAll(java.util.List.of("site.yml", "-i", inventory.toString(), "--state-dir", project.resolve("state").toString(),
                "--cache-dir", project.resolve("cache").toString()));
        return Cli.in(project).launchedBy(lab.inNetns()).run(all.toArray(String[]::new));
    }

    private static Cli.Result applied(String expect) {
        Cli.Result r = mosaic("apply");
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stdout()).as("%s", r).contains(expect);
        return r;
    }

    private static void appliesNothingMore() {
        applied("0 changed, 0 refreshed");
    }

    private static String systemctl(String... args) throws Exception {
        return lab.systemctl(args).stdout().strip();
    }

    private static long mainPid() throws Exception {
        return Long.parseLong(systemctl("show", "-p", "MainPID", "--value", "web.service"));
    }

    /**
     * What the service noted of its reloads: its trap runs just after {@code kill -HUP} returns,
     * so a note may land a moment after the apply ended — waited for, briefly.
     */
    private static String reloads() throws Exception {
        String seen = "";
        for (int i = 0; i < 20 && seen.isEmpty(); i++) {
            seen = lab.exec("cat", "/run/web.reloads").stdout();
            if (seen.isEmpty()) {
                Thread.sleep(100);
            }
        }
        return seen;
    }

    @Test
    @Order(1)
    void install_enableAndStart_aNewUnit_overSsh() throws Exception {
        playbook("hello", "enabled: true\nstate: running\n");

        Cli.Result plan = mosaic("plan");
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stdout()).contains("+ service[web]", "+ unit:", "~ enabled: false -> true", "~ state: stopped -> running");

        applied("2 changed");
        assertThat(systemctl("is-active", "web.service")).isEqualTo("active");
        assertThat(systemctl("is-enabled", "web.service")).isEqualTo("enabled");
        assertThat(Files.readString(lab.root().resolve("etc/systemd/system/web.service"))).isEqualTo(UNIT);
        assertThat(mainPid()).isPositive();
        appliesNothingMore();
    }

    @Test
    @Order(2)
    void notify_reloadsAUnitThatCan_keepingItsMainPid() throws Exception {
        long before = mainPid();
        playbook("bonjour", "enabled: true\nstate: running\n");

        Cli.Result r = applied("1 changed, 1 refreshed");
        assertThat(r.stdout()).contains("service[web]");
        assertThat(mainPid()).as("reloaded in place").isEqualTo(before);
        assertThat(reloads()).isEqualTo("reloaded\n");
        appliesNothingMore();
    }

    @Test
    @Order(3)
    void notify_withOnNotifyRestart_restartsWithANewMainPid() throws Exception {
        long before = mainPid();
        playbook("hallo", "enabled: true\nstate: running\non_notify: restart\n");

        applied("1 changed, 1 refreshed");
        assertThat(mainPid()).as("a new process").isNotEqualTo(before).isPositive();
        assertThat(systemctl("is-active", "web.service")).isEqualTo("active");
        assertThat(reloads()).as("no reload this time").isEqualTo("reloaded\n");
        appliesNothingMore();
    }

    /**
     * A notified service with a change of its own that neither starts nor restarts it (here:
     * enabled again) is still reloaded: the running process has not read the new configuration.
     */
    @Test
    @Order(4)
    void notify_ofAServiceThatIsOnlyEnabledBesides_stillReloadsIt() throws Exception {
        assertThat(lab.systemctl("disable", "web.service").exitCode()).isZero();
        long before = mainPid();
        playbook("salut", "enabled: true\nstate: running\n");

        applied("2 changed, 0 refreshed");
        assertThat(systemctl("is-enabled", "web.service")).isEqualTo("enabled");
        assertThat(mainPid()).as("reloaded in place").isEqualTo(before);
        String seen = "";
        for (int i = 0; i < 20 && !seen.equals("reloaded\nreloaded\n"); i++) {
            Thread.sleep(100);
            seen = lab.exec("cat", "/run/web.reloads").stdout();
        }
        assertThat(seen).as("a second reload").isEqualTo("reloaded\nreloaded\n");
        appliesNothingMore();
    }

    @Test
    @Order(5)
    void stopAndDisable_planAndApply() throws Exception {
        playbook("hallo", "enabled: false\nstate: stopped\n");

        Cli.Result plan = mosaic("plan");
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stdout()).contains("~ service[web]", "~ enabled: true -> false", "~ state: running -> stopped");

        applied("1 changed");
        assertThat(systemctl("is-active", "web.service")).isEqualTo("inactive");
        assertThat(systemctl("is-enabled", "web.service")).isEqualTo("disabled");
        appliesNothingMore();
    }

    @Test
    @Order(6)
    void aUnitThatFailsToStart_failsWithItsJournal_andItsDependentsAreSkipped() throws Exception {
        Files.writeString(project.resolve("site.yml"), """
                resources:
                  broken:
                    type: service
                    name: broken
                    unit: |
                      [Service]
                      ExecStart=/bin/sh -c 'echo "broken: cannot read /etc/broken.conf" >&2; exit 3'
                    state: running
                  after-broken:
                    type: file
                    path: /etc/broken-is-up
                    content: "up\\n"
                    requires: [broken]
                """);

        Cli.Result r = mosaic("apply");

        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        String all = r.stdout() + r.stderr();
        // Type=simple: systemctl start says yes once the process is forked; the kind looks again.
        assertThat(all).contains("service[broken]", "broken.service", "the last lines of its journal:",
                "broken: cannot read /etc/broken.conf");
        assertThat(all).contains("file[after-broken]: skipped, dependency service[broken] failed").doesNotContain("Exception");
        assertThat(lab.root().resolve("etc/broken-is-up")).doesNotExist();
    }
}
