package dev.mosaic.resource.build;

import static dev.mosaic.testing.Tp.tp;
import dev.mosaic.host.LocalHost;
import dev.mosaic.host.TreeDigest;
import dev.mosaic.kernel.Sandbox;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code build} kind through the command line: when it runs its commands and when it does
 * not. The build script appends a line to a counter file outside its inputs each time it runs
 * ({@code /var/log/build-count}), so "no rebuild" is proven by the count, not by a message.
 */
class BuildTypeTest {

    static final String APP = "/usr/src/app";
    static final String OUTPUT = APP + "/out/app.bin";
    static final String COUNTER = "/var/log/build-count";

    static final String BUILD_SH = """
            echo run >> "$MOSAIC_ROOT/var/log/build-count"
            mkdir -p out
            cat src/*.c > out/app.bin
            echo "CFLAGS=$CFLAGS MAKEFLAGS=$MAKEFLAGS" >> out/app.bin
            echo "built out/app.bin"
            """;

    @TempDir
    Path tmp;

    Sandbox box;

    @BeforeEach
    void sources() {
        box = Sandbox.in(tmp);
        box.write(APP + "/build.sh", BUILD_SH);
        box.write(APP + "/src/main.c", "int main(void) { return app(); }\n");
        box.write(APP + "/src/lib.c", "int app(void) { return 0; }\n");
        box.write("/var/log/.keep", "");
    }

    /** The app's build with {@code fields} added to its body (YAML, indented by the caller's text). */
    void playbook(String fields) {
        box.playbook("""
                vars: { cflags: "-O2" }
                resources:
                  app:
                    type: build
                    dir: %s
                    env: { CFLAGS: "${cflags}" }
                    inputs: [%s/src, %s/build.sh]
                    outputs: [%s]
                %s
                """.formatted(APP, APP, APP, OUTPUT, fields.indent(4).stripTrailing()));
    }

    void playbook() {
        playbook("command: sh build.sh");
    }

    int runs() {
        return box.count(COUNTER);
    }

    // ------------------------------------------------------------------ when nothing changed

    @Test
    void theFirstApplyRunsTheCommandOnceAndASecondApplyRunsNoCommand() {
        playbook();

        Sandbox.Run plan = box.plan();
        Sandbox.Run first = box.applyOk();

        assertThat(plan.out()).as("%s", plan).contains("# build[app] will be created (new)")
                .containsPattern("\\+ fingerprint: sha256:[0-9a-f]{12}\n")
                .contains("~ /usr/src/app/out/app.bin: missing -> built");
        assertThat(first.out()).contains("+ build[app]: created (new)");
        assertThat(runs()).isEqualTo(1);
        assertThat(box.read(OUTPUT)).isEqualTo("int app(void) { return 0; }\nint main(void) { return app(); }\nCFLAGS=-O2 MAKEFLAGS=\n");
        String built = Sandbox.identity(box.at(OUTPUT));

        Sandbox.Run second = box.applyOk();

        assertThat(second.out()).contains("Apply complete: 0 changed, 0 refreshed, 1 unchanged");
        assertThat(runs()).as("runs after the second apply").isEqualTo(1);
        assertThat(Sandbox.identity(box.at(OUTPUT))).isEqualTo(built);
        assertThat(box.plan("--detailed-exitcode").exitCode()).isZero();
    }

    @Test
    void aRootThatDoesNotExistYetIsPlannedAsNewNotFailedByTheToolchainProbes() throws Exception {
        box.playbook("""
                resources:
                  app:
                    type: build
                    dir: /srv/app
                    command: make
                    outputs: [/srv/app/app.bin]
                """);
        try (java.util.stream.Stream<Path> below = Files.walk(box.root)) { // the sources of @BeforeEach too
            for (Path p : below.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }

        Sandbox.Run plan = box.plan();

        assertThat(plan.exitCode()).as("%s", plan).isZero();
        assertThat(plan.out()).contains("# build[app] will be created (new)").contains("~ /srv/app/app.bin: missing -> built");
        assertThat(box.root).as("plan writes nothing").doesNotExist();
    }

    @Test
    void touchingInputsWithoutChangingTheirBytesDoesNotRebuild() {
        playbook();
        box.applyOk();

        Sandbox.touch(box.at(APP + "/src/main.c"), 3600);
        Sandbox.touch(box.at(APP + "/build.sh"), -3600);
        box.write(APP + "/src/lib.c", "int app(void) { return 0; }\n"); // the same bytes, written again

        assertThat(box.plan().out()).startsWith("No changes.");
        assertThat(box.applyOk().out()).contains("Apply complete: 0 changed");
        assertThat(runs()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ what makes it run again

    @Test
    void changingOneInputFileRebuilds() {
        playbook();
        box.applyOk();

        box.write(APP + "/src/lib.c", "int app(void) { return 42; }\n");
        Sandbox.Run plan = box.plan();

        assertThat(plan.out()).as("%s", plan).contains("# build[app] will be updated in place (config changed)")
                .containsPattern("~ fingerprint: sha256:[0-9a-f]{12} -> sha256:[0-9a-f]{12}\n");
        box.applyOk();
        assertThat(runs()).isEqualTo(2);
        assertThat(box.read(OUTPUT)).startsWith("int app(void) { return 42; }\n");
        assertThat(box.applyOk().out()).contains("Apply complete: 0 changed");
        assertThat(runs()).isEqualTo(2);
    }

    @Test
    void aNewFileInAnInputTreeRebuilds() {
        playbook();
        box.applyOk();

        box.write(APP + "/src/net.c", "int net(void) { return 0; }\n");
        box.applyOk();

        assertThat(runs()).isEqualTo(2);
        assertThat(box.read(OUTPUT)).contains("int net(void)");
    }

    @Test
    void aDeletedOutputIsRebuilt() throws Exception {
        playbook();
        box.applyOk();
        Files.delete(box.at(OUTPUT));

        Sandbox.Run plan = box.plan();

        assertThat(plan.out()).as("%s", plan).contains("~ /usr/src/app/out/app.bin: missing -> built")
                .doesNotContain("fingerprint");
        box.applyOk();
        assertThat(runs()).isEqualTo(2);
        assertThat(box.at(OUTPUT)).exists();
    }

    @Test
    void aModifiedOutputIsRebuilt() {
        playbook();
        box.applyOk();
        String good = box.read(OUTPUT);
        box.write(OUTPUT, "tampered\n");

        Sandbox.Run plan = box.plan();

        assertThat(plan.out()).as("%s", plan).contains("# build[app] will be updated in place (drift)")
                .contains("~ /usr/src/app/out/app.bin: modified since the last build -> rebuilt");
        box.applyOk();
        assertThat(runs()).isEqualTo(2);
        assertThat(box.read(OUTPUT)).isEqualTo(good);
    }

    @Test
    void changingTheEnvironmentRebuilds() {
        playbook();
        box.applyOk();

        assertThat(box.plan("--var", "cflags=-O0").out()).contains("~ fingerprint:");
        box.applyOk("--var", "cflags=-O0");

        assertThat(runs()).isEqualTo(2);
        assertThat(box.read(OUTPUT)).contains("CFLAGS=-O0");
        box.applyOk("--var", "cflags=-O0");
        assertThat(runs()).isEqualTo(2);
    }

    @Test
    void changingTheCommandRebuilds() {
        playbook();
        box.applyOk();

        playbook("command: sh build.sh && echo linked");
        box.applyOk();

        assertThat(runs()).isEqualTo(2);
    }

    @Test
    void jobsAreExportedAsMakeflagsAndChangingThemRebuilds() {
        playbook("command: sh build.sh\njobs: 4");
        box.applyOk();
        assertThat(box.read(OUTPUT)).contains("MAKEFLAGS=-j4");

        playbook("command: sh build.sh\njobs: 2");
        box.applyOk();

        assertThat(runs()).isEqualTo(2);
        assertThat(box.read(OUTPUT)).contains("MAKEFLAGS=-j2");
    }

    @Test
    void aNewToolchainVersionRebuilds() {
        box.write("/opt/cross/VERSION", "gcc-i386 3.3.1\nbuilt for openMosix\n");
        playbook("command: sh build.sh\ntoolchain: ['cat \"$MOSAIC_ROOT/opt/cross/VERSION\"']");
        box.applyOk();

        box.write("/opt/cross/VERSION", "gcc-i386 3.3.1\nrebuilt, same first line\n");
        assertThat(box.plan().out()).as("only the first line is a version").startsWith("No changes.");
        box.write("/opt/cross/VERSION", "gcc-i386 3.4.0\n");
        assertThat(box.plan().out()).contains("~ fingerprint:");
        box.applyOk();

        assertThat(runs()).isEqualTo(2);
    }

    @Test
    void aBuildWritingIntoItsOwnInputTreeIsNotRerunForItsOwnLeftovers() {
        box.playbook("""
                resources:
                  app:
                    type: build
                    dir: %s
                    command: sh build.sh && cp out/app.bin out/app.o
                    inputs: [%s]
                    outputs: [%s]
                """.formatted(APP, APP, OUTPUT));
        box.applyOk();

        assertThat(box.plan().out()).startsWith("No changes.");
        box.applyOk();

        assertThat(runs()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ failures

    @Test
    void aFailingCommandFailsTheApplyWithItsLastOutputAndTheFullLogAndLeavesThePreviousOutput() {
        box.write(APP + "/build.sh", """
                if grep -q '#error' src/*.c; then
                  i=1
                  while [ $i -le 60 ]; do echo "  CC      drivers/file$i.o"; i=$((i+1)); done
                  echo "src/lib.c:1:2: error: #error not ported to openMosix" >&2
                  exit 2
                fi
                """ + BUILD_SH);
        playbook();
        box.applyOk();
        String previous = box.read(OUTPUT);
        String identity = Sandbox.identity(box.at(OUTPUT));

        box.write(APP + "/src/lib.c", "#error not ported to openMosix\n");
        Sandbox.Run apply = box.apply();

        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(1);
        Path log = box.log("build[app]");
        assertThat(apply.out()).contains("! build[app]: failed: 'sh build.sh' failed with exit code 2; "
                        + "the previous outputs are left in place. Last output:")
                .contains("  CC      drivers/file60.o\nsrc/lib.c:1:2: error: #error not ported to openMosix")
                .doesNotContain("drivers/file1.o")
                .contains("full log: " + log);
        assertThat(Sandbox.readFile(log)).as("the full log").contains("  CC      drivers/file1.o\n")
                .contains("  CC      drivers/file60.o\n").contains("error: #error not ported");
        assertThat(box.read(OUTPUT)).isEqualTo(previous);
        assertThat(Sandbox.identity(box.at(OUTPUT))).isEqualTo(identity);
        assertThat(box.plan().out()).as("the failed build is tried again").contains("# build[app] will be updated in place");

        box.write(APP + "/src/lib.c", "int app(void) { return 1; }\n");
        box.applyOk();
        assertThat(box.read(OUTPUT)).startsWith("int app(void) { return 1; }\n");
    }

    @Test
    void commandsRunInOrderUnderShDashEAndTheFirstFailureStopsThem() {
        box.playbook("""
                resources:
                  app:
                    type: build
                    dir: %s
                    commands:
                      - echo one >> "$MOSAIC_ROOT/var/log/order"
                      - false; echo never >> "$MOSAIC_ROOT/var/log/order"
                      - echo two >> "$MOSAIC_ROOT/var/log/order"
                """.formatted(APP));

        Sandbox.Run apply = box.apply();

        assertThat(apply.exitCode()).isEqualTo(1);
        assertThat(apply.out()).contains("'false; echo never >> \"$MOSAIC_ROOT/var/log/order\"' failed with exit code 1");
        assertThat(box.read("/var/log/order")).isEqualTo("one\n");
    }

    @Test
    void aCommandThatSucceedsWithoutProducingAnOutputIsAnError() {
        box.playbook("""
                resources:
                  app:
                    type: build
                    dir: %s
                    command: sh build.sh
                    outputs: [%s, %s/out/app.map]
                """.formatted(APP, OUTPUT, APP));

        Sandbox.Run apply = box.apply();

        assertThat(apply.exitCode()).isEqualTo(1);
        assertThat(apply.out()).contains("the commands succeeded but did not produce /usr/src/app/out/app.map");
    }

    @Test
    void aMissingWorkingDirectoryIsAnErrorNamingItNotTheShell() {
        box.playbook("""
                resources:
                  app: { type: build, dir: /usr/src/linux-2.4.22, command: make bzImage }
                """);

        Sandbox.Run apply = box.apply();

        assertThat(apply.exitCode()).isEqualTo(1);
        assertThat(apply.out()).contains("build[app]: failed: directory /usr/src/linux-2.4.22 does not exist; the commands run there")
                .doesNotContain("cannot run sh");
    }

    @Test
    void aCommandRunningPastItsTimeoutIsStoppedAndReported() throws Exception {
        // A duration no other process uses names the child: under --root the command has process
        // ids of its own (bubblewrap), so the pid it sees for its child is not the host's.
        String duration = "60." + (100000 + new java.util.Random().nextInt(900000));
        box.playbook("""
                resources:
                  app:
                    type: build
                    dir: %s
                    command: echo compiling; sleep %s & wait
                    timeout: 1
                """.formatted(APP, duration));

        Sandbox.Run apply = box.apply();

        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(1);
        assertThat(apply.out()).contains("did not finish within 1 s and was stopped; last output:\ncompiling");
        assertThat(stopped("sleep\0" + duration + "\0")).as("the command's child process sleep %s was stopped", duration).isTrue();
    }

    /** Whether no live process (zombies aside) has this command line, waiting up to 20 s for the kill to land. */
    private static boolean stopped(String cmdline) throws Exception {
        for (int i = 0; i < 200; i++) {
            boolean alive = false;
            try (var procs = Files.list(Path.of("/proc"))) {
                for (Path p : procs.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
                    try {
                        String s = Files.readString(p.resolve("stat"));
                        char state = s.charAt(s.lastIndexOf(')') + 2);
                        alive |= state != 'Z' && state != 'X'
                                && new String(Files.readAllBytes(p.resolve("cmdline")), java.nio.charset.StandardCharsets.UTF_8).equals(cmdline);
                    } catch (java.io.IOException e) {
                        // gone meanwhile
                    }
                }
            }
            if (!alive) {
                return true;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return false;
    }

    // ------------------------------------------------------------------ notify

    @Test
    void aNotifiedBuildRunsItsCommandOnceAndNotAgainAfterwards() {
        box.playbook("""
                vars: { flags: "-O2" }
                resources:
                  build-conf: { type: file, path: /etc/app.conf, content: "${flags}\\n", notify: [app] }
                  app:
                    type: build
                    dir: %s
                    command: sh build.sh
                    inputs: [%s/src]
                    outputs: [%s]
                """.formatted(APP, APP, OUTPUT));
        box.applyOk();
        assertThat(runs()).as("runs of the first apply, which creates both").isEqualTo(1);

        Sandbox.Run plan = box.plan("--var", "flags=-O3");
        Sandbox.Run apply = box.applyOk("--var", "flags=-O3");

        assertThat(plan.out()).as("%s", plan).contains("# build[app] will be refreshed (notified by file[build-conf])");
        assertThat(apply.out()).contains("* build[app]: refreshed (notified by file[build-conf])");
        assertThat(runs()).isEqualTo(2);
        box.applyOk("--var", "flags=-O3");
        assertThat(runs()).isEqualTo(2);
    }

    // ------------------------------------------------------------------ the stat cache's racy-timestamp guard
    //
    // A cache entry recorded within StatCache.RACY_NANOS of the file's mtime is not trusted: the
    // file may still change within the same timestamp tick. These tests digest right after writing,
    // as a build does with the files it just wrote.

    @Test
    void aFileRewrittenWithTheSameSizeAndTheSameMtimeRightAfterADigestIsStillSeenChanged() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("racy"));
        Path cacheFile = tmp.resolve("statcache.bin");
        Path file = Sandbox.writeFile(root.resolve("src/init/main.c"), "printk(\"Linux 1.0\");\n");
        Sandbox.writeFile(root.resolve("src/kernel/sched.c"), "void schedule(void) {}\n");
        LocalHost host = new LocalHost(root, false, cacheFile, true);

        TreeDigest before = host.digestTree(tp("/src"));
        FileTime mtime = Files.getLastModifiedTime(file);
        Object inode = Files.getAttribute(file, "unix:ino");
        Files.writeString(file, "printk(\"Linux 2.0\");\n");
        Files.setLastModifiedTime(file, mtime);
        assertThat(Files.getLastModifiedTime(file)).as("same mtime").isEqualTo(mtime);
        assertThat(Files.getAttribute(file, "unix:ino")).as("same inode").isEqualTo(inode);
        TreeDigest after = host.digestTree(tp("/src"));
        TreeDigest nextRun = new LocalHost(root, false, cacheFile, true).digestTree(tp("/src"));

        assertThat(before.files()).isEqualTo(2);
        assertThat(after.sha256()).as("the digest after the rewrite").isNotEqualTo(before.sha256());
        assertThat(nextRun.sha256()).as("the digest of a later run, from the saved cache").isEqualTo(after.sha256());
    }

    @Test
    void aRewriteWithinTheSameMtimeIsSeenByTheNextRunThroughTheSavedCache() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("racy"));
        Path cacheFile = tmp.resolve("statcache.bin");
        Path file = Sandbox.writeFile(root.resolve("src/init/main.c"), "printk(\"Linux 1.0\");\n");

        TreeDigest before = new LocalHost(root, false, cacheFile, true).digestTree(tp("/src"));
        FileTime mtime = Files.getLastModifiedTime(file);
        Files.writeString(file, "printk(\"Linux 2.0\");\n");
        Files.setLastModifiedTime(file, mtime);
        TreeDigest after = new LocalHost(root, false, cacheFile, true).digestTree(tp("/src"));

        assertThat(cacheFile).exists();
        assertThat(after.sha256()).isNotEqualTo(before.sha256());
    }

    @Test
    void filesOlderThanTheRacyWindowAreNotReadAgainWhileTheirMetadataIsUnchanged() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("cached"));
        Path cacheFile = tmp.resolve("statcache.bin");
        for (String f : List.of("a.c", "b.c", "sub/c.c")) {
            Sandbox.touch(Sandbox.writeFile(root.resolve("src/" + f), f + "\n"), -3600);
        }

        TreeDigest first = new LocalHost(root, false, cacheFile, true).digestTree(tp("/src"));
        TreeDigest second = new LocalHost(root, false, cacheFile, true).digestTree(tp("/src"));
        Sandbox.touch(root.resolve("src/b.c"), -60);
        TreeDigest touched = new LocalHost(root, false, cacheFile, true).digestTree(tp("/src"));

        assertThat(first.rehashed()).isEqualTo(3);
        assertThat(second.rehashed()).as("files read by the second run").isZero();
        assertThat(second.sha256()).isEqualTo(first.sha256());
        assertThat(touched.rehashed()).as("files read after touching one").isEqualTo(1);
        assertThat(touched.sha256()).as("a touch changes no byte").isEqualTo(first.sha256());
    }
}
