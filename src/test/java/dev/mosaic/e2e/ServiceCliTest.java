package dev.mosaic.e2e;

import dev.mosaic.testing.TreeSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code service} kind through the real command line under {@code --root}: a sandbox root has
 * no running systemd, so unit files are written and enabling is done offline, and
 * {@code state: running} is refused before anything is touched.
 */
class ServiceCliTest {

    private static final String UNIT = """
            [Unit]
            Description=HTTP for netboot
            [Service]
            ExecStart=/usr/bin/python3 -m http.server 8080 --directory /srv/tftp
            [Install]
            WantedBy=multi-user.target
            """;

    @TempDir
    Path tmp;

    private Path project;
    private Path root;

    private void project(String playbook) throws IOException {
        project = Files.createDirectories(tmp.resolve("project"));
        root = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(project.resolve("lab.yml"), playbook);
    }

    private Cli.Result run(String... args) {
        return Cli.in(project).run(args);
    }

    @Test
    void enable_underASandboxRoot_isDoneOffline_andASecondApplyChangesNothing() throws IOException {
        project("""
                resources:
                  index:
                    type: file
                    path: /srv/tftp/index.html
                    content: "netboot\\n"
                    notify: [http]
                  http:
                    type: service
                    name: netboot-http
                    unit: |
                """ + UNIT.indent(6) + """
                    enabled: true
                """);

        Cli.Result plan = run("plan", "--root", root.toString(), "lab.yml");
        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.stdout()).contains("+ service[http]", "~ enabled: false -> true");

        Cli.Result apply = run("apply", "--root", root.toString(), "lab.yml");
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(apply.stdout()).contains("Apply complete: 2 changed");
        assertThat(Files.readString(root.resolve("etc/systemd/system/netboot-http.service"))).isEqualTo(UNIT);
        Path wants = root.resolve("etc/systemd/system/multi-user.target.wants/netboot-http.service");
        assertThat(Files.isSymbolicLink(wants)).as("the wants link systemctl --root made").isTrue();
        assertThat(Files.readSymbolicLink(wants)).isEqualTo(Path.of("/etc/systemd/system/netboot-http.service"));

        Cli.Result again = run("apply", "--root", root.toString(), "lab.yml");
        assertThat(again.exitCode()).as("%s", again).isZero();
        assertThat(again.stdout()).contains("Apply complete: 0 changed");

        // Disabling offline removes the link, and only it.
        Files.writeString(project.resolve("lab.yml"), Files.readString(project.resolve("lab.yml"))
                .replace("enabled: true", "enabled: false"));
        Cli.Result disable = run("apply", "--root", root.toString(), "lab.yml");
        assertThat(disable.exitCode()).as("%s", disable).isZero();
        assertThat(disable.stdout()).contains("Apply complete: 1 changed");
        assertThat(Files.exists(wants, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(root.resolve("etc/systemd/system/netboot-http.service")).exists();
    }

    @Test
    void stateRunning_underASandboxRoot_isRefusedNamingTheResource_andTheRootIsUnchanged() throws IOException {
        project("""
                resources:
                  dnsmasq:
                    type: service
                    name: dnsmasq
                    unit: "[Service]\\nExecStart=/usr/sbin/dnsmasq -k\\n[Install]\\nWantedBy=multi-user.target\\n"
                    enabled: true
                    state: running
                """);
        Files.writeString(Files.createDirectories(root.resolve("etc")).resolve("hostname"), "lab\n");
        List<String> before = TreeSnapshot.of(root);

        // Mosaic's state aside, so that the root holds only what resources would write.
        Cli.Result apply = run("apply", "--root", root.toString(), "--state-dir", tmp.resolve("state").toString(), "lab.yml");

        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(1);
        String all = apply.stdout() + apply.stderr();
        assertThat(all).contains("service[dnsmasq]", "dnsmasq.service cannot be 'state: running' in a sandbox root",
                "no systemd running in it");
        assertThat(all).doesNotContain("Exception", "\tat ");
        assertThat(TreeSnapshot.of(root)).as("the root").isEqualTo(before);
    }

    @Test
    void stateRunning_underASandboxRoot_failsThePlanAtOnce_evenWithAChangeUpstream() throws IOException {
        project("""
                resources:
                  config:
                    type: file
                    path: /etc/dnsmasq.d/lab.conf
                    content: "port=0\\n"
                    notify: [dnsmasq]
                  dnsmasq:
                    type: service
                    name: dnsmasq
                    state: running
                """);

        Cli.Result plan = run("plan", "--root", root.toString(), "lab.yml");

        // Not "known after apply": no change upstream can give a sandbox root a running systemd.
        assertThat(plan.exitCode()).as("%s", plan).isEqualTo(1);
        assertThat(plan.stdout() + plan.stderr()).contains("service[dnsmasq]", "cannot be 'state: running' in a sandbox root")
                .doesNotContain("known after apply");
    }
}
