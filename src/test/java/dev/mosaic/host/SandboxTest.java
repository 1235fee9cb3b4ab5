package dev.mosaic.host;

import static dev.mosaic.testing.Tp.tp;
import dev.mosaic.testing.BesideTheBuild;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SandboxTest {

    /** Not below /tmp: commands get a private one, where nothing outside the root would be visible. */
    @TempDir(factory = BesideTheBuild.class)
    Path tmp;

    private LocalHost host() throws IOException {
        Files.createDirectories(tmp.resolve("root/work"));
        return new LocalHost(tmp.resolve("root"));
    }

    private static Exec sh(String script) {
        return Exec.of(tp("/work"), "sh", "-c", script);
    }

    @Test
    void exec_bubblewrapMissing_refusesTheCommandNamingThePackage() throws IOException {
        LocalHost host = host();
        host.sandbox(new Sandbox(tmp.resolve("no-bwrap-here")));

        assertThatThrownBy(() -> host.exec(sh("echo ran > ran")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("install the package bubblewrap");
        assertThat(tmp.resolve("root/work/ran")).as("never run unconfined instead").doesNotExist();
    }

    @Test
    void exec_withoutRoot_runsUnconfined() throws IOException {
        assertThat(new LocalHost(Path.of("/")).confinesCommands()).isFalse();
        assertThat(host().confinesCommands()).isTrue();
    }

    @Test
    void exec_writeOutsideTheRoot_failsWithThePathItWasRefused() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));

        Exec.Result r = host().exec(sh("echo x > " + outside.resolve("x")));

        assertThat(r.ok()).isFalse();
        assertThat(r.refusedWrite()).contains(outside.resolve("x").toString());
        assertThat(r.refusal()).startsWith("tried to write outside the root: " + outside.resolve("x") + " (");
        assertThat(outside).isEmptyDirectory();
    }

    @Test
    void exec_stateDirectoryBelowTheRoot_isReadOnlyForCommands() throws IOException {
        LocalHost host = host();
        Path state = Files.createDirectories(tmp.resolve("root/var/lib/mosaic"));
        host.protectStateDir(state);

        Exec.Result r = host.exec(sh("echo x > " + state.resolve("state.json")));

        assertThat(r.refusedWrite()).contains(state.resolve("state.json").toString());
        assertThat(state).isEmptyDirectory();
        assertThat(host.exec(sh("echo x > y")).ok()).as("the rest of the root stays writable").isTrue();
    }

    @Test
    void exec_withoutNetwork_seesOnlyItsOwnLoopback_withNetwork_theHostsInterfaces() throws IOException {
        LocalHost host = host();
        List<String> off = new ArrayList<>();
        List<String> on = new ArrayList<>();

        host.exec(sh("tail -n +3 /proc/net/dev | cut -d: -f1").withOutput(off::add));
        host.exec(sh("tail -n +3 /proc/net/dev | cut -d: -f1").withOutput(on::add).withNetwork(true));

        List<String> hosts = Files.readAllLines(Path.of("/proc/net/dev")).stream().skip(2)
                .map(l -> l.substring(0, l.indexOf(':'))).toList();
        assertThat(off).extracting(String::strip).containsExactly("lo");
        assertThat(on).extracting(String::strip).containsExactlyInAnyOrderElementsOf(hosts.stream().map(String::strip).toList());
    }

    @Test
    void exec_seesAnEmptyRun_soNoDaemonsSocketThereIsReachable() throws IOException {
        List<String> seen = new ArrayList<>();

        Exec.Result r = host().exec(sh("ls -A /run; echo END").withOutput(seen::add));

        assertThat(r.ok()).isTrue();
        assertThat(seen).extracting(String::strip).containsExactly("END");
    }

    @Test
    void exec_asRoot_cannotRemountTheHostWritable() throws IOException {
        Exec.Result r = host().exec(sh("mount -o remount,bind,rw / && echo REMOUNTED"));

        assertThat(r.ok()).isFalse();
        assertThat(r.tail()).doesNotContain("REMOUNTED");
    }

    @Test
    void stopLeftovers_commandInsideBubblewrap_isStoppedWithItsWholeGroup() throws Exception {
        LocalHost host = host();
        Path records = tmp.resolve("running");
        Children.track(host.root(), records);
        CompletableFuture<Exec.Result> run = CompletableFuture.supplyAsync(() -> {
            try {
                return host.exec(sh("sleep 120 & wait").withTimeout(Duration.ofMinutes(2)));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        List<ProcessHandle> sleeping = new ArrayList<>();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (sleeping.isEmpty() && System.nanoTime() < deadline) {
            ProcessHandle.current().descendants().filter(h -> h.info().command().orElse("").endsWith("/sleep"))
                    .forEach(sleeping::add);
            Thread.sleep(20);
        }
        assertThat(sleeping).as("the command's sleep started").isNotEmpty();
        try {
            List<String> warnings = new ArrayList<>();
            Children.stopLeftovers(records, warnings::add);

            assertThat(run.get(30, TimeUnit.SECONDS).ok()).isFalse();
            assertThat(warnings).singleElement().asString().contains("stopped");
            assertThat(sleeping.get(0).isAlive()).as("the sleep inside bubblewrap").isFalse();
        } finally {
            sleeping.forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void refusedWrite_readsThePathFromTheWordingOfCommonTools() {
        Path dir = Path.of("/r/work");
        assertThat(Sandbox.refusedWrite("sh: 1: cannot create /etc/x: Read-only file system", dir)).contains("/etc/x");
        assertThat(Sandbox.refusedWrite("touch: cannot touch '/etc/a b': Read-only file system", dir)).contains("/etc/a b");
        assertThat(Sandbox.refusedWrite("cp: cannot create regular file '/usr/x': Read-only file system", dir)).contains("/usr/x");
        assertThat(Sandbox.refusedWrite("OSError: [Errno 30] Read-only file system: '/opt/y'", dir)).contains("/opt/y");
        assertThat(Sandbox.refusedWrite("sh: 1: cannot create ../../x: Read-only file system", dir)).contains("/x");
        assertThat(Sandbox.refusedWrite("make: Entering directory '/r/work'", dir)).isEmpty();
    }
}
