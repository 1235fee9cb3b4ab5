package dev.mosaic.resource.service;

import dev.mosaic.diag.Diagnostic;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.host.Host;
import dev.mosaic.host.LocalHost;
import dev.mosaic.playbook.SchemaValidator;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.Memory;
import dev.mosaic.resource.Pins;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.SpecReader;
import dev.mosaic.yaml.YNode;
import dev.mosaic.yaml.YamlReader;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The service kind's own logic: parsing, systemctl's output, the diff, and the commands it runs. */
class ServiceTypeTest {

    private static final ServiceType SERVICE = new ServiceType();

    private static final String UNIT = """
            [Service]
            ExecStart=/usr/sbin/web --port 8080
            ExecReload=/bin/kill -HUP $MAINPID
            [Install]
            WantedBy=multi-user.target
            """;

    @TempDir
    Path tmp;

    /** Parses a resource body after the kind's schema, as the loader does; the diagnostics when refused. */
    private static Object parse(String yaml) {
        Diagnostics diags = new Diagnostics();
        YNode root = YamlReader.read("playbook.yml", yaml, diags);
        new SchemaValidator().validate(root, "resources/service.schema.json", diags);
        Object spec = diags.hasErrors() ? null : SERVICE.parse(new SpecReader("web", (YNode.Map) root, diags, Path.of("/srv/play")));
        return diags.hasErrors() ? diags.sorted().stream().map(Diagnostic::render).toList() : spec;
    }

    private static ServiceSpec spec(String yaml) {
        Object o = parse(yaml);
        assertThat(o).as("spec accepted").isInstanceOf(ServiceSpec.class);
        return (ServiceSpec) o;
    }

    private static String refusal(String yaml) {
        Object o = parse(yaml);
        assertThat(o).as("spec refused").isInstanceOf(List.class);
        return String.join("\n", ((List<?>) o).stream().map(String::valueOf).toList());
    }

    @Nested
    class Parsing {

        @Test
        void parse_nameWithoutSuffix_meansTheServiceUnit() {
            ServiceSpec s = spec("type: service\nname: dnsmasq\n");
            assertThat(s.unitName()).isEqualTo("dnsmasq.service");
            assertThat(s.unitPath()).isEqualTo("/etc/systemd/system/dnsmasq.service");
            assertThat(s.dropinPath()).isEqualTo("/etc/systemd/system/dnsmasq.service.d/mosaic.conf");
            assertThat(s.enabled()).isEmpty();
            assertThat(s.state()).isEmpty();
            assertThat(s.onNotify()).isEmpty();
        }

        @Test
        void parse_nameWithTheServiceSuffix_isTheSameUnit() {
            assertThat(spec("type: service\nname: dnsmasq.service\n").unitName()).isEqualTo("dnsmasq.service");
        }

        @Test
        void parse_everyField_isKept() {
            ServiceSpec s = spec("type: service\nname: web\nunit: \"[Service]\\n\"\ndropin: \"[Service]\\nNice=5\\n\"\n"
                    + "enabled: false\nstate: stopped\non_notify: restart\n");
            assertThat(s.unit()).contains("[Service]\n");
            assertThat(s.dropin()).contains("[Service]\nNice=5\n");
            assertThat(s.enabled()).contains(false);
            assertThat(s.state()).contains(ServiceSpec.State.STOPPED);
            assertThat(s.onNotify()).contains(ServiceSpec.OnNotify.RESTART);
        }

        @Test
        void parse_anotherUnitType_isRefusedNamingIt() {
            assertThat(refusal("type: service\nname: dnsmasq.socket\n"))
                    .contains("'dnsmasq.socket' is a .socket unit; the service kind manages services");
        }

        @Test
        void parse_unitAndSource_isRefused() {
            assertThat(refusal("type: service\nname: web\nunit: x\nsource: units/web.service\n"))
                    .contains("give either 'unit' or 'source', not both");
        }

        @Test
        void parse_aStateOtherThanRunningOrStopped_isRefusedByTheSchema() {
            assertThat(refusal("type: service\nname: web\nstate: started\n")).contains("state");
        }

        @Test
        void parse_aNameWithASlash_isRefused() {
            assertThat(refusal("type: service\nname: ../../etc/passwd\n")).contains("name");
        }
    }

    @Nested
    class SystemctlShow {

        @Test
        void parse_twoUnitsSeparatedByAnEmptyLine_givesBothInOrder() {
            List<UnitStatus> all = UnitStatus.parse(List.of(
                    "Id=dnsmasq.service", "LoadState=loaded", "ActiveState=active", "SubState=running",
                    "UnitFileState=enabled", "MainPID=412", "CanReload=yes", "FragmentPath=/lib/systemd/system/dnsmasq.service",
                    "",
                    "MainPID=0", "Id=nope.service", "LoadState=not-found", "ActiveState=inactive", "SubState=dead",
                    "UnitFileState=", "CanReload=no", "FragmentPath=", ""));
            assertThat(all).containsExactly(
                    new UnitStatus("dnsmasq.service", "loaded", "active", "running", "enabled", 412, true,
                            "/lib/systemd/system/dnsmasq.service"),
                    new UnitStatus("nope.service", "not-found", "inactive", "dead", "", 0, false, ""));
            assertThat(all.get(0).running()).isTrue();
            assertThat(all.get(1).exists()).isFalse();
        }

        @Test
        void parse_aPropertyLeftOut_readsAsEmpty() {
            assertThat(UnitStatus.parse(List.of("Id=web.service", "ActiveState=failed")))
                    .containsExactly(new UnitStatus("web.service", "", "failed", "", "", 0, false, ""));
        }

        @Test
        void running_aServiceWaitingToBeRestartedAfterItDied_isNotRunning() {
            assertThat(status("activating", "auto-restart", "enabled").running()).isFalse();
            assertThat(status("activating", "start", "enabled").running()).isTrue();
            assertThat(status("reloading", "running", "enabled").running()).isTrue();
            assertThat(status("failed", "failed", "enabled").running()).isFalse();
        }

        @Test
        void enabled_aStaticUnit_countsAsEnabledButCannotBeDisabled() {
            UnitStatus s = status("inactive", "dead", "static");
            assertThat(s.enabled()).isTrue();
            assertThat(s.canBeDisabled()).isFalse();
            assertThat(status("inactive", "dead", "masked").enabled()).isFalse();
        }

        @Test
        void showArgv_asksForTheEightPropertiesInOneCall() {
            assertThat(Systemctl.show(List.of("a.service", "b.service"))).containsExactly("systemctl", "show", "--no-pager",
                    "-p", "Id,LoadState,ActiveState,SubState,UnitFileState,MainPID,CanReload,FragmentPath", "a.service", "b.service");
            assertThat(Systemctl.enablement(true, "web.service", true)).containsExactly("systemctl", "--root=.", "enable", "web.service");
            assertThat(Systemctl.journal("web.service")).containsExactly("journalctl", "-u", "web.service", "-n", "20", "--no-pager");
        }
    }

    private static UnitStatus status(String active, String sub, String fileState) {
        return new UnitStatus("web.service", "loaded", active, sub, fileState, active.equals("active") ? 7 : 0, false, "");
    }

    @Nested
    class Diffing {

        private final ServiceSpec runningEnabled = spec("type: service\nname: web\nenabled: true\nstate: running\n");

        private ServiceType.Observed seen(UnitStatus s) {
            return new ServiceType.Observed(s, false, null, null, null, null);
        }

        @Test
        void diff_stoppedAndDisabled_saysStateAndEnabledAsPlansShowThem() throws ResourceException {
            Change c = SERVICE.diff(runningEnabled, seen(status("inactive", "dead", "disabled")));
            assertThat(c.action()).isEqualTo(Action.UPDATE);
            assertThat(c.diffs()).containsExactly(new Diff.Field("enabled", "false", "true"),
                    new Diff.Field("state", "stopped", "running"));
        }

        @Test
        void diff_runningAndEnabled_isNoop() throws ResourceException {
            assertThat(SERVICE.diff(runningEnabled, seen(status("active", "running", "enabled"))).isNoop()).isTrue();
        }

        @Test
        void diff_fieldsNotGiven_areLeftAlone() throws ResourceException {
            assertThat(SERVICE.diff(spec("type: service\nname: web\n"), seen(status("failed", "failed", "masked"))).isNoop()).isTrue();
        }

        @Test
        void diff_aUnitFileNotThereYet_isACreateWithItsContent() throws ResourceException {
            ServiceSpec s = spec("type: service\nname: web\nunit: \"[Service]\\n\"\n");
            Diff.Blob want = Diff.Blob.of("[Service]\n".getBytes());
            Change c = SERVICE.diff(s, new ServiceType.Observed(UnitStatus.offline("web.service", ""), true, null, want, null, null));
            assertThat(c.action()).isEqualTo(Action.CREATE);
            assertThat(c.diffs()).containsExactly(new Diff.Content("unit", null, want));
        }

        @Test
        void refreshAfter_aChangeThatOnlyEnabledIt_isStillDue_oneThatStartedIt_isNot() throws ResourceException {
            ServiceSpec enabledOnly = spec("type: service\nname: web\nenabled: true\n");
            Change enabling = SERVICE.diff(enabledOnly, seen(status("active", "running", "disabled")));
            assertThat(SERVICE.refreshAfter(enabledOnly, enabling)).as("running with its old configuration").isTrue();
            Change starting = SERVICE.diff(runningEnabled, seen(status("inactive", "dead", "disabled")));
            assertThat(SERVICE.refreshAfter(runningEnabled, starting)).as("started: it read the new one").isFalse();
        }

        @Test
        void diff_disablingAStaticUnit_isRefusedSayingWhy() {
            assertThatThrownBy(() -> SERVICE.diff(spec("type: service\nname: web\nenabled: false\n"),
                    seen(status("inactive", "dead", "static"))))
                    .isInstanceOf(ResourceException.class)
                    .hasMessageContaining("web.service is static")
                    .hasMessageContaining("systemctl cannot disable it");
        }
    }

    @Nested
    class ReloadOrRestart {

        @Test
        void refreshFor_aUnitThatCanReload_reloads() {
            assertThat(ServiceType.refreshFor(Optional.empty(), running(true))).isEqualTo(ServiceType.Refresh.RELOAD);
        }

        @Test
        void refreshFor_aUnitWithoutExecReload_restarts() {
            assertThat(ServiceType.refreshFor(Optional.empty(), running(false))).isEqualTo(ServiceType.Refresh.RESTART);
        }

        @Test
        void refreshFor_whatThePlaybookSays_wins() {
            assertThat(ServiceType.refreshFor(Optional.of(ServiceSpec.OnNotify.RESTART), running(true)))
                    .isEqualTo(ServiceType.Refresh.RESTART);
            assertThat(ServiceType.refreshFor(Optional.of(ServiceSpec.OnNotify.RELOAD), running(false)))
                    .isEqualTo(ServiceType.Refresh.RELOAD);
        }

        @Test
        void refreshFor_aServiceThatDoesNotRun_doesNothing() {
            assertThat(ServiceType.refreshFor(Optional.of(ServiceSpec.OnNotify.RESTART), status("inactive", "dead", "enabled")))
                    .isEqualTo(ServiceType.Refresh.NOTHING);
        }

        private static UnitStatus running(boolean canReload) {
            return new UnitStatus("web.service", "loaded", "active", "running", "enabled", 7, canReload, "");
        }
    }

    // ------------------------------------------------------------------ commands, against a model of systemd

    private Context context(Host host, List<String> output) {
        Path base = tmp.resolve("play");
        return new Context() {
            @Override
            public Host host() {
                return host;
            }

            @Override
            public Host control() {
                return new LocalHost(Path.of("/"));
            }

            @Override
            public Path baseDir() {
                return base;
            }

            @Override
            public void output(String line) {
                output.add(line);
            }

            @Override
            public Memory memory() {
                return Memory.NONE;
            }

            @Override
            public Path cacheDir() {
                return tmp.resolve("cache");
            }

            @Override
            public Pins pins() {
                throw new UnsupportedOperationException();
            }
        };
    }

    /** Observes, diffs and applies once, as the engine does; returns the change applied. */
    private static Change converge(ServiceSpec spec, Context ctx) throws IOException, ResourceException {
        Change c = SERVICE.diff(spec, SERVICE.observe(spec, ctx));
        if (!c.isNoop()) {
            SERVICE.apply(spec, c, ctx);
        }
        return c;
    }

    @Test
    void apply_aNewUnit_writesItThenDaemonReloadsBeforeEnableAndStart() throws Exception {
        FakeSystemd systemd = new FakeSystemd(Files.createDirectories(tmp.resolve("root")));
        Context ctx = context(systemd, new ArrayList<>());
        ServiceSpec s = spec("type: service\nname: web\nenabled: true\nstate: running\nunit: |\n" + UNIT.indent(2));

        Change c = converge(s, ctx);

        assertThat(c.action()).isEqualTo(Action.CREATE);
        assertThat(Files.readString(tmp.resolve("root/etc/systemd/system/web.service"))).isEqualTo(UNIT);
        assertThat(systemd.changes()).containsExactly("systemctl daemon-reload", "systemctl enable web.service",
                "systemctl start web.service");
        systemd.commands.clear();
        assertThat(converge(s, ctx).isNoop()).as("second run").isTrue();
        assertThat(systemd.changes()).isEmpty();
        assertThat(systemd.commands).as("one systemctl show per observation").hasSize(1);
    }

    @Test
    void prefetch_asksOneSystemctlShowForAllServices_servingEachFirstLookUntilTheHostChanges() throws Exception {
        FakeSystemd systemd = new FakeSystemd(Files.createDirectories(tmp.resolve("root")));
        systemd.installed("a.service", true, true, true);
        systemd.installed("b.service", true, false, true);
        systemd.installed("c.service", false, false, true);
        Context ctx = context(systemd, new ArrayList<>());
        List<ServiceSpec> specs = List.of(spec("type: service\nname: a\nstate: running\n"),
                spec("type: service\nname: b\nstate: running\n"), spec("type: service\nname: c\n"));

        SERVICE.prefetch(specs, systemd);
        assertThat(converge(specs.get(0), ctx).isNoop()).isTrue();
        assertThat(systemd.commands).as("one show for the three").containsExactly(List.of("systemctl", "show", "--no-pager",
                "-p", "Id,LoadState,ActiveState,SubState,UnitFileState,MainPID,CanReload,FragmentPath",
                "a.service", "b.service", "c.service"));

        converge(specs.get(1), ctx); // answered from the prefetch, then started: the host changed
        assertThat(systemd.changes()).containsExactly("systemctl start web.service".replace("web", "b"));
        int before = systemd.commands.size();
        assertThat(converge(specs.get(2), ctx).isNoop()).isTrue();
        assertThat(systemd.commands.subList(before, systemd.commands.size())).as("asked again, after a change")
                .containsExactly(Systemctl.show(List.of("c.service")));
    }

    @Test
    void apply_onlyTheStateDiffers_runsNoDaemonReload() throws Exception {
        FakeSystemd systemd = new FakeSystemd(Files.createDirectories(tmp.resolve("root")));
        systemd.installed("dnsmasq.service", true, true, true);
        Context ctx = context(systemd, new ArrayList<>());

        converge(spec("type: service\nname: dnsmasq\nstate: stopped\n"), ctx);

        assertThat(systemd.changes()).containsExactly("systemctl stop dnsmasq.service");
    }

    @Test
    void apply_aChangedDropinOfARunningService_daemonReloadsAndRestartsIt() throws Exception {
        FakeSystemd systemd = new FakeSystemd(Files.createDirectories(tmp.resolve("root")));
        systemd.installed("dnsmasq.service", true, true, true);
        long before = systemd.mainPid("dnsmasq.service");
        Context ctx = context(systemd, new ArrayList<>());

        converge(spec("type: service\nname: dnsmasq\nstate: running\ndropin: \"[Service]\\nNice=5\\n\"\n"), ctx);

        assertThat(Files.readString(tmp.resolve("root/etc/systemd/system/dnsmasq.service.d/mosaic.conf"))).isEqualTo("[Service]\nNice=5\n");
        assertThat(systemd.changes()).containsExactly("systemctl daemon-reload", "systemctl restart dnsmasq.service");
        assertThat(systemd.mainPid("dnsmasq.service")).isNotEqualTo(before);
    }

    @Test
    void apply_aUnitThatDiesRightAfterStart_failsWithTheLastLinesOfItsJournal() throws Exception {
        FakeSystemd systemd = new FakeSystemd(Files.createDirectories(tmp.resolve("root")));
        Context ctx = context(systemd, new ArrayList<>());
        ServiceSpec s = spec("type: service\nname: broken\nstate: running\nunit: |\n  [Service]\n  ExecStart=/bin/false\n");

        assertThatThrownBy(() -> converge(s, ctx))
                .isInstanceOf(ResourceException.class)
                .hasMessageContaining("broken.service did not stay running after systemctl start (failed/failed)")
                .hasMessageContaining("the last lines of its journal:")
                .hasMessageContaining("boom: cannot open /etc/missing.conf");
        assertThat(systemd.commands).contains(List.of("journalctl", "-u", "broken.service", "-n", "20", "--no-pager"));
    }

    @Test
    void observe_aServiceThatNoPackageInstalled_isRefusedNamingWhatToDo() throws Exception {
        FakeSystemd systemd = new FakeSystemd(Files.createDirectories(tmp.resolve("root")));
        Context ctx = context(systemd, new ArrayList<>());

        assertThatThrownBy(() -> converge(spec("type: service\nname: dnsmasq\nstate: running\n"), ctx))
                .isInstanceOf(ResourceException.class)
                .hasMessageContaining("there is no unit dnsmasq.service on lab (systemd: not-found)")
                .hasMessageContaining("install the package that provides it first");
    }

    @Test
    void refresh_reloadsAUnitThatCan_keepingItsMainPid_andRestartsOneThatCannot() throws Exception {
        FakeSystemd systemd = new FakeSystemd(Files.createDirectories(tmp.resolve("root")));
        systemd.installed("dnsmasq.service", true, true, true);
        systemd.installed("web.service", true, true, false);
        long dnsmasq = systemd.mainPid("dnsmasq.service");
        long web = systemd.mainPid("web.service");
        Context ctx = context(systemd, new ArrayList<>());

        SERVICE.refresh(spec("type: service\nname: dnsmasq\n"), ctx);
        SERVICE.refresh(spec("type: service\nname: web\n"), ctx);

        assertThat(systemd.changes()).containsExactly("systemctl reload dnsmasq.service", "systemctl restart web.service");
        assertThat(systemd.mainPid("dnsmasq.service")).isEqualTo(dnsmasq);
        assertThat(systemd.mainPid("web.service")).isNotEqualTo(web);
    }

    @Test
    void refresh_aStoppedService_leavesItStopped() throws Exception {
        FakeSystemd systemd = new FakeSystemd(Files.createDirectories(tmp.resolve("root")));
        systemd.installed("dnsmasq.service", true, false, true);
        List<String> output = new ArrayList<>();

        SERVICE.refresh(spec("type: service\nname: dnsmasq\n"), context(systemd, output));

        assertThat(systemd.changes()).isEmpty();
        assertThat(output).containsExactly("dnsmasq.service is not running: nothing to reload");
    }

    @Test
    void observe_underASandboxRoot_refusesStateRunningAtOnce_notDeferrable() throws Exception {
        Context ctx = context(new LocalHost(Files.createDirectories(tmp.resolve("root"))), new ArrayList<>());

        assertThatThrownBy(() -> SERVICE.observe(spec("type: service\nname: web\nstate: running\n"), ctx))
                .isInstanceOfSatisfying(ResourceException.class, e -> assertThat(e.deferrable()).isFalse())
                .hasMessageContaining("web.service cannot be 'state: running' in a sandbox root");
    }
}
