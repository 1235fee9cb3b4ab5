package dev.mosaic.resource;

import dev.mosaic.cli.BuiltinKinds;
import dev.mosaic.diag.Diagnostics;
import dev.mosaic.engine.Engine;
import dev.mosaic.engine.Events;
import dev.mosaic.engine.Outcome;
import dev.mosaic.engine.Plan;
import dev.mosaic.engine.PlannedChange;
import dev.mosaic.graph.GraphBuilder;
import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.host.Host;
import dev.mosaic.host.LocalHost;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.PlaybookLoader;
import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.state.StateStore;
import dev.mosaic.testing.TreeSnapshot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * The {@link ResourceType} contract, held against every kind registered in {@link BuiltinKinds}:
 * observe only reads, diff is pure and finds the fresh target different, apply converges in one
 * call, and a second apply does nothing at all. Each kind needs at least one {@link Fixture}; a
 * registered kind without one fails every contract test. A kind's fixtures are listed in
 * {@link #FIXTURES} or, for a kind that keeps them in its own test folder, returned by the class
 * {@code ContractFixtures} of its package (found by that name, see {@link #allFixtures()}). Per-kind
 * edge cases follow in nested classes.
 *
 * <p>Each test works in its own sandbox: {@code root} is the target (a {@link LocalHost} confined
 * to it), {@code control} holds the playbook and its relative sources, {@code state} Mosaic's state.
 */
public class ResourceContractTest {

    private static final Kinds KINDS = BuiltinKinds.create();

    /** The machine Mosaic runs on, for playbook-relative sources; only ever read. */
    private static final Host CONTROL = new LocalHost(Path.of("/"));

    /** Prepares what a fixture needs before it is loaded: the target's prior content, sources. */
    @FunctionalInterface
    public interface Setup {
        void prepare(Path root, Path control) throws IOException;
    }

    /** One resource of {@code kind}, as the YAML body of a playbook resource, with its setup. */
    public record Fixture(String kind, String description, String body, Setup setup) {
        @Override
        public String toString() {
            return kind + ": " + description;
        }
    }

    static final List<Fixture> FIXTURES = List.of(
            new Fixture("file", "inline content with a mode, parents missing", """
                    type: file
                    path: /etc/app/app.conf
                    content: |
                      listen 8080
                      workers 4
                    mode: "0640"
                    """, (root, control) -> { }),
            new Fixture("file", "content from a source next to the playbook", """
                    type: file
                    path: /etc/motd
                    source: files/motd.txt
                    """, (root, control) -> write(control.resolve("files/motd.txt"), "Welcome to the lab.\n")),
            new Fixture("file", "content from an absolute source on the target", """
                    type: file
                    path: /etc/issue
                    source: /usr/share/mosaic/issue
                    mode: "0600"
                    """, (root, control) -> write(root.resolve("usr/share/mosaic/issue"), "Debian GNU/Linux 12\n")),
            new Fixture("file", "binary content above the text limit", """
                    type: file
                    path: /srv/tftp/pxelinux.0
                    source: files/pxelinux.0
                    """, (root, control) -> writeBytes(control.resolve("files/pxelinux.0"), binary(300 * 1024))),
            new Fixture("file", "ensure absent on an existing file", """
                    type: file
                    path: /etc/cron.d/stale
                    ensure: absent
                    """, (root, control) -> write(root.resolve("etc/cron.d/stale"), "* * * * * root true\n")),
            new Fixture("directory", "a mode, parents missing", """
                    type: directory
                    path: /srv/tftp/pxelinux.cfg
                    mode: "0750"
                    """, (root, control) -> { }),
            new Fixture("directory", "ensure absent with force on a tree holding a symlink", """
                    type: directory
                    path: /srv/old
                    ensure: absent
                    force: true
                    """, (root, control) -> {
                        write(root.resolve("srv/old/images/a.img"), "image\n");
                        write(root.resolve("etc/keep.conf"), "keep\n");
                        Files.createSymbolicLink(root.resolve("srv/old/etc"), Path.of("../../etc"));
                    }),
            new Fixture("directory", "ensure absent on an empty directory", """
                    type: directory
                    path: /srv/empty
                    ensure: absent
                    """, (root, control) -> Files.createDirectories(root.resolve("srv/empty"))),
            new Fixture("link", "a relative link whose target does not exist", """
                    type: link
                    path: /srv/tftp/vmlinuz
                    target: vmlinuz-6.1.0-42-amd64
                    """, (root, control) -> { }),
            new Fixture("link", "force over a regular file", """
                    type: link
                    path: /etc/localtime
                    target: /usr/share/zoneinfo/UTC
                    force: true
                    """, (root, control) -> write(root.resolve("etc/localtime"), "TZif2 fake\n")),
            new Fixture("link", "ensure absent on an existing link", """
                    type: link
                    path: /etc/alternatives/editor
                    ensure: absent
                    """, (root, control) -> {
                        Files.createDirectories(root.resolve("etc/alternatives"));
                        Files.createSymbolicLink(root.resolve("etc/alternatives/editor"), Path.of("/usr/bin/mosaic-test-editor"));
                    }),
            new Fixture("copy", "a tree next to the playbook with purge, into a missing destination", """
                    type: copy
                    source: tree
                    dest: /opt/tree
                    purge: true
                    """, (root, control) -> sourceTree(control.resolve("tree"))),
            new Fixture("copy", "a tree on the target into a stale destination", """
                    type: copy
                    source: /lib/modules/6.1.0
                    dest: /opt/ltsp/lib/modules/6.1.0
                    """, (root, control) -> {
                        write(root.resolve("lib/modules/6.1.0/modules.dep"), "kernel/e1000.ko:\n");
                        write(root.resolve("lib/modules/6.1.0/kernel/e1000.ko"), "\u007fELF e1000\n");
                        write(root.resolve("opt/ltsp/lib/modules/6.1.0/modules.dep"), "old\n");
                        write(root.resolve("opt/ltsp/lib/modules/6.1.0/extra.ko"), "kept without purge\n");
                    }),
            new Fixture("patch", "an inline unified diff not applied yet", """
                    type: patch
                    dir: /usr/src/app
                    strip: 1
                    content: |
                      --- a/hello.c
                      +++ b/hello.c
                      @@ -1,4 +1,4 @@
                       #include <stdio.h>
                       int main(void) {
                      -    puts("hello");
                      +    puts("hello, lab");
                           return 0;
                    """, (root, control) -> write(root.resolve("usr/src/app/hello.c"),
                            "#include <stdio.h>\nint main(void) {\n    puts(\"hello\");\n    return 0;\n}\n")),
            new Fixture("patch", "a diff from a file next to the playbook, -p0", """
                    type: patch
                    dir: /usr/src
                    source: patches/motd.diff
                    strip: 0
                    """, (root, control) -> {
                        write(root.resolve("usr/src/app/motd.txt"), "one\ntwo\nthree\n");
                        write(control.resolve("patches/motd.diff"),
                                "--- app/motd.txt\n+++ app/motd.txt\n@@ -1,3 +1,4 @@\n one\n two\n+two and a half\n three\n");
                    }),
            new Fixture("kernel_config", "a make-target base and options, in a tree with a stand-in Kconfig", """
                    type: kernel_config
                    dir: /usr/src/linux
                    base: tinyconfig
                    options:
                      CONFIG_E1000: y
                      CONFIG_CMDLINE: "console=ttyS0"
                    """, (root, control) -> fakeKernelTree(root.resolve("usr/src/linux"))),
            new Fixture("kernel_config", "a config file base next to the playbook", """
                    type: kernel_config
                    dir: /usr/src/linux
                    base: configs/lab.config
                    options:
                      CONFIG_SMP: n
                    """, (root, control) -> {
                        fakeKernelTree(root.resolve("usr/src/linux"));
                        write(control.resolve("configs/lab.config"), "CONFIG_64BIT=y\nCONFIG_SMP=y\n");
                    }),
            new Fixture("build", "commands turning an input tree into an output file", """
                    type: build
                    dir: /usr/src/app
                    commands:
                      - mkdir -p out
                      - cat src/*.txt > out/hello.txt
                    inputs: [/usr/src/app/src]
                    outputs: [/usr/src/app/out/hello.txt]
                    toolchain: ["sh -c 'echo sh 1.0'"]
                    """, (root, control) -> {
                        write(root.resolve("usr/src/app/src/a.txt"), "hello\n");
                        write(root.resolve("usr/src/app/src/b.txt"), "lab\n");
                    }),
            new Fixture("initrd", "an init script, files from the target and inline, a tree, links and dirs", """
                    type: initrd
                    path: /srv/tftp/initrd.img
                    init: |
                      #!/bin/sh
                      mount -t proc proc /proc
                      exec sh
                    files:
                      - { path: /bin/busybox, source: /usr/lib/mosaic-test/busybox, mode: "0755" }
                      - { path: /etc/hostname, content: "node1\\n" }
                    trees:
                      - { path: /lib/modules/6.1.0, source: /lib/modules/6.1.0 }
                    links:
                      - { path: /bin/sh, target: busybox }
                    dirs: [/proc, /sys, /tmp]
                    """, (root, control) -> {
                        writeBytes(root.resolve("usr/lib/mosaic-test/busybox"), binary(4096));
                        write(root.resolve("lib/modules/6.1.0/modules.dep"), "kernel/e1000.ko:\n");
                        write(root.resolve("lib/modules/6.1.0/kernel/e1000.ko"), "\u007fELF e1000\n");
                    }),
            new Fixture("tftp_tree", "boot files from the target and next to the playbook, with purge", """
                    type: tftp_tree
                    root: /srv/tftp
                    purge: true
                    files:
                      pxelinux.0: /usr/lib/PXELINUX/pxelinux.0
                      vmlinuz: { source: boot/vmlinuz, mode: "0644" }
                    """, (root, control) -> {
                        writeBytes(root.resolve("usr/lib/PXELINUX/pxelinux.0"), binary(2048));
                        writeBytes(control.resolve("boot/vmlinuz"), binary(8192));
                        write(root.resolve("srv/tftp/stale.cfg"), "left over\n");
                    }),
            new Fixture("pxe", "a menu, one label and two nodes for PXELINUX and iPXE", """
                    type: pxe
                    root: /srv/tftp
                    loaders: [pxelinux, ipxe]
                    menu: { prompt: 0, timeout: 0, default: linux }
                    labels:
                      - { name: linux, kernel: vmlinuz, initrd: initrd.img, append: "console=ttyS0 node={name}" }
                    nodes:
                      - { name: node1, mac: "52:54:00:00:00:01" }
                      - { name: node2, mac: "52:54:00:00:00:02", ip: 10.0.0.12 }
                    """, (root, control) -> {
                        writeBytes(root.resolve("srv/tftp/vmlinuz"), binary(1024));
                        writeBytes(root.resolve("srv/tftp/initrd.img"), binary(512));
                    }),
            new Fixture("pxe", "a menu template of the user's, next to the playbook, with an entry per node", """
                    type: pxe
                    root: /srv/tftp
                    labels:
                      - { name: linux, kernel: vmlinuz, append: "node={name}" }
                    nodes:
                      - { name: node1, mac: "52:54:00:00:00:01" }
                      - { name: node2, mac: "52:54:00:00:00:02", ip: 10.0.0.12 }
                    templates: { pxelinux_default: templates/menu.j2 }
                    """, (root, control) -> {
                        writeBytes(root.resolve("srv/tftp/vmlinuz"), binary(1024));
                        write(control.resolve("templates/menu.j2"),
                                "UI menu.c32\n{% for n in nodes %}LABEL {{ n.name }}\n  KERNEL vmlinuz\n  APPEND {{ n.args }}\n{% endfor %}");
                    }),
            new Fixture("archive", "a tar.gz next to the playbook with a tree, a script and a link", """
                    type: archive
                    source: kit.tar.gz
                    dest: /opt/kit
                    """, (root, control) -> writeBytes(control.resolve("kit.tar.gz"), tarGz(Map.of(
                            "kit/bin/buildk", "#!/bin/sh\necho building\n",
                            "kit/config-2.4.22-ltsp-2", "CONFIG_MOSIX=y\n")))),
            new Fixture("node_image", "a small package's closure, a file from next to the playbook, a link and dirs", """
                    type: node_image
                    path: /srv/tftp/node.img
                    packages: [busybox-static]
                    exclude: [/usr/share/doc/**]
                    files:
                      - { path: /init, source: files/init, mode: "0755" }
                    links:
                      - { path: /bin/sh, target: busybox }
                    dirs: [/proc, /sys]
                    """, (root, control) -> write(control.resolve("files/init"), "#!/bin/sh\nexec sh\n")),
            new Fixture("package", "a Debian package unpacked into the tree, one directory of it only", """
                    type: package
                    name: pxelinux
                    state: unpacked
                    paths: [/usr/lib/PXELINUX/]
                    """, (root, control) -> {
                    }),
            new Fixture("dnsmasq", "DHCP range, boot files for PXE and iPXE, two hosts", """
                    type: dnsmasq
                    path: /etc/dnsmasq.d/netboot.conf
                    interface: eth1
                    tftp_root: /srv/tftp
                    range: 10.0.0.100,10.0.0.200,12h
                    boot: pxelinux.0
                    ipxe_boot: boot.ipxe
                    nodes:
                      - { name: node1, mac: "52:54:00:00:00:01", ip: 10.0.0.11 }
                      - { name: node2, mac: "52-54-00-00-00-02" }
                    """, (root, control) -> {
                    }),
            new Fixture("dnsmasq", "an inline template of the user's with UEFI tags, over an old file", """
                    type: dnsmasq
                    path: /etc/dnsmasq.d/netboot.conf
                    tftp_root: /srv/tftp
                    nodes:
                      - { name: node1, mac: "52:54:00:00:00:01", ip: 10.0.0.11 }
                    template: |
                      tftp-root={{ tftp_root }}
                      dhcp-match=set:efi-x86_64,option:client-arch,7
                      dhcp-boot=tag:efi-x86_64,grubx64.efi
                      {% for n in nodes %}dhcp-host={{ n.mac }},{{ n.ip }},{{ n.name }}
                      {% endfor %}
                    """, (root, control) -> write(root.resolve("etc/dnsmasq.d/netboot.conf"), "port=53\n")),
            new Fixture("template", "inline, a loop over a list of maps given in vars", """
                    type: template
                    path: /etc/ethers
                    vars:
                      nodes:
                        - { name: node1, mac: "52:54:00:00:00:01", ip: 10.0.0.11 }
                        - { name: node2, mac: "52:54:00:00:00:02", ip: 10.0.0.12 }
                    template: |
                      {% for n in nodes -%}
                      {{ n.mac }} {{ n.name }}
                      {% endfor -%}
                    mode: "0640"
                    """, (root, control) -> { }),
            new Fixture("template", "a source next to the playbook that includes another, over an old file", """
                    type: template
                    path: /etc/hosts
                    source: templates/hosts.j2
                    vars: { domain: lab, hosts: { node2: 10.0.0.12, node1: 10.0.0.11 } }
                    """, (root, control) -> {
                        write(control.resolve("templates/hosts.j2"),
                                "{% include 'header.j2' %}{% for e in hosts %}{{ e.value }} {{ e.key }}.{{ domain }}\n{% endfor %}");
                        write(control.resolve("templates/header.j2"), "127.0.0.1 localhost\n");
                        write(root.resolve("etc/hosts"), "127.0.0.1 old\n");
                    }),
            new Fixture("service", "an inline unit enabled offline in the root, stopped", """
                    type: service
                    name: netboot-http
                    unit: |
                      [Unit]
                      Description=HTTP for netboot
                      [Service]
                      ExecStart=/usr/bin/python3 -m http.server 8080
                      [Install]
                      WantedBy=multi-user.target
                    enabled: true
                    state: stopped
                    """, (root, control) -> { }),
            new Fixture("service", "a unit from a source next to the playbook and a drop-in, disabled over an enabled one", """
                    type: service
                    name: tftpd
                    source: units/tftpd.service
                    dropin: |
                      [Service]
                      Nice=5
                    enabled: false
                    """, (root, control) -> {
                        write(control.resolve("units/tftpd.service"),
                                "[Service]\nExecStart=/usr/sbin/in.tftpd -L\n[Install]\nWantedBy=multi-user.target\n");
                        write(root.resolve("etc/systemd/system/tftpd.service"), "[Service]\nExecStart=/bin/false\n[Install]\nWantedBy=multi-user.target\n");
                        Files.createDirectories(root.resolve("etc/systemd/system/multi-user.target.wants"));
                        Files.createSymbolicLink(root.resolve("etc/systemd/system/multi-user.target.wants/tftpd.service"),
                                Path.of("/etc/systemd/system/tftpd.service"));
                    }));

    /**
     * Every fixture ({@link #allFixtures()}), grouped by registered kind. A kind registered
     * without a fixture still yields one (empty) argument, which fails: new kinds must be held to
     * the contract.
     */
    static Stream<Arguments> fixtures() {
        List<Arguments> out = new ArrayList<>();
        for (ResourceType<?, ?> kind : KINDS.all()) {
            List<Fixture> mine = allFixtures().stream().filter(f -> f.kind().equals(kind.kind())).toList();
            if (mine.isEmpty()) {
                out.add(Arguments.of(new Fixture(kind.kind(), "NO FIXTURE", null, null)));
            }
            mine.forEach(f -> out.add(Arguments.of(f)));
        }
        return out.stream();
    }

    /**
     * {@link #FIXTURES} and the fixtures kinds keep in their own test folder: for each registered
     * kind, a class {@code ContractFixtures} in the kind's package (a public {@code Supplier} of
     * fixtures, with a public no-argument constructor), when there is one. A new kind thus
     * brings its fixtures without an edit here.
     */
    @SuppressWarnings("unchecked")
    static List<Fixture> allFixtures() {
        List<Fixture> all = new ArrayList<>(FIXTURES);
        for (ResourceType<?, ?> kind : KINDS.all()) {
            String name = kind.getClass().getPackageName() + ".ContractFixtures";
            try {
                Object supplier = Class.forName(name).getConstructor().newInstance();
                all.addAll(((java.util.function.Supplier<List<Fixture>>) supplier).get());
            } catch (ClassNotFoundException e) {
                // this kind's fixtures, if any, are in FIXTURES
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(name + " must be public with a public no-argument constructor", e);
            }
        }
        return all;
    }

    @TempDir
    Path tmp;

    Path root;
    Path control;
    LocalHost host;

    @BeforeEach
    void sandbox() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        control = Files.createDirectories(tmp.resolve("control"));
        host = new LocalHost(root);
    }

    // ------------------------------------------------------------------ the contract

    @Test
    void everyFixtureIsForARegisteredKindAndEveryRegisteredKindHasAFixture() {
        List<String> registered = KINDS.all().stream().map(ResourceType::kind).sorted().toList();
        List<String> covered = allFixtures().stream().map(Fixture::kind).distinct().sorted().toList();
        assertThat(covered).as("kinds with a contract fixture").isEqualTo(registered);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void observeChangesNothingOnTheTarget(Fixture f) throws Exception {
        Subject s = prepare(f);
        List<String> before = snapshot();
        s.observe();
        s.observe();
        assertThat(snapshot()).as("tree after observing the fresh target").isEqualTo(before);

        s.apply(s.diff(s.observe()));
        List<String> converged = snapshot();
        s.observe();
        assertThat(snapshot()).as("tree after observing the converged target").isEqualTo(converged);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void diffOfTheFreshTargetIsAChangeThatSaysWhatDiffers(Fixture f) throws Exception {
        Subject s = prepare(f);
        Change change = s.diff(s.observe());
        assertThat(change.action()).isNotEqualTo(Action.NOOP);
        assertThat(change.diffs()).as("field diffs of a change").isNotEmpty();
        assertThat(change.diffs()).extracting(Diff::field).doesNotContainNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void applyConvergesInOneCall(Fixture f) throws Exception {
        Subject s = prepare(f);
        s.apply(s.diff(s.observe()));
        Change left = s.diff(s.observe());
        assertThat(left.isNoop()).as("after one apply, diff is NOOP but was %s", left).isTrue();
        assertThat(left.diffs()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void aSecondApplyThroughTheEngineChangesNothing(Fixture f) throws Exception {
        Subject s = prepare(f);
        Engine.ApplyResult first = s.engineApply();
        assertThat(first.outcomes()).singleElement()
                .satisfies(o -> assertThat(o.status()).as(o.message()).isEqualTo(Outcome.Status.CHANGED));
        List<String> converged = snapshotWithState();

        Engine.ApplyResult second = s.engineApply();
        assertThat(second.outcomes()).singleElement()
                .satisfies(o -> assertThat(o.status()).as(o.message()).isEqualTo(Outcome.Status.UNCHANGED));
        assertThat(snapshotWithState()).as("target, control side and Mosaic's state after the second apply, "
                + "mtimes and inodes included").isEqualTo(converged);
        assertThat(s.enginePlan().entries()).singleElement().satisfies(e -> {
            assertThat(e.status()).as(e.error()).isEqualTo(PlannedChange.Status.PLANNED);
            assertThat(e.action()).isEqualTo(Action.NOOP);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void diffIsPureTheSameObservationGivesEqualChanges(Fixture f) throws Exception {
        Subject s = prepare(f);
        Bound.Seen<?, ?> observed = s.observe();
        String observedText = String.valueOf(observed);
        Change first = s.diff(observed);
        Change second = s.diff(observed);
        assertThat(second).isEqualTo(first);
        assertThat(second.hashCode()).isEqualTo(first.hashCode());
        assertThat(String.valueOf(observed)).as("the observation after diff").isEqualTo(observedText);
        assertThat(s.diff(s.observe())).as("diff of a fresh observation of the same target").isEqualTo(first);

        s.apply(first);
        Bound.Seen<?, ?> converged = s.observe();
        assertThat(s.diff(converged)).isEqualTo(s.diff(converged)).isEqualTo(Change.NOOP);
    }

    // ------------------------------------------------------------------ file

    @Nested
    class FileKind {

        @Test
        void ensureAbsentDeletesTheFileAndThenHasNothingToDo() throws Exception {
            write(root.resolve("etc/old.conf"), "old\n");
            Subject s = load("""
                    type: file
                    path: /etc/old.conf
                    ensure: absent
                    """);
            Change change = s.diff(s.observe());
            assertThat(change.action()).isEqualTo(Action.DELETE);
            assertThat(change.diffs()).containsExactly(new Diff.Field("ensure", "present", "absent"));
            s.apply(change);
            assertThat(root.resolve("etc/old.conf")).doesNotExist();
            assertThat(root.resolve("etc")).isDirectory();
            assertThat(s.diff(s.observe())).isEqualTo(Change.NOOP);
        }

        @Test
        void ensureAbsentOnASymlinkRemovesTheLinkButNotWhatItPointsTo() throws Exception {
            write(root.resolve("etc/motd.real"), "real\n");
            Files.createSymbolicLink(root.resolve("etc/motd"), Path.of("/etc/motd.real"));
            Subject s = load("""
                    type: file
                    path: /etc/motd
                    ensure: absent
                    """);
            s.apply(s.diff(s.observe()));
            assertThat(root.resolve("etc/motd")).doesNotExist();
            assertThat(Files.exists(root.resolve("etc/motd"), LinkOption.NOFOLLOW_LINKS)).isFalse();
            assertThat(root.resolve("etc/motd.real")).hasContent("real");
        }

        @Test
        void ensureAbsentRefusesToDeleteADirectory() throws Exception {
            write(root.resolve("etc/conf.d/a.conf"), "a\n");
            Subject s = load("""
                    type: file
                    path: /etc/conf.d
                    ensure: absent
                    """);
            Bound.Seen<?, ?> observed = s.observe();
            assertThatThrownBy(() -> s.diff(observed))
                    .isInstanceOf(ResourceException.class)
                    .hasMessageContaining("/etc/conf.d is a directory");
        }

        @Test
        void aFileAtThePathOfAnExistingDirectoryIsRefusedAndNothingIsTouched() throws Exception {
            write(root.resolve("etc/motd/keep"), "keep\n");
            Subject s = load("""
                    type: file
                    path: /etc/motd
                    content: hello
                    """);
            List<String> before = snapshot();
            Bound.Seen<?, ?> observed = s.observe();
            assertThatThrownBy(() -> s.diff(observed))
                    .isInstanceOf(ResourceException.class)
                    .hasMessage("/etc/motd is a directory; refusing to replace it with a file");
            assertThat(snapshot()).isEqualTo(before);
        }

        @Test
        void aFileReplacesASymlinkAndLeavesTheLinkTargetAlone() throws Exception {
            // The link is absolute. Inside the sandbox it means root/<outside>/motd; followed naively
            // it would mean <outside>/motd. Both exist, and neither may be written.
            Path outside = tmp.resolve("outside");
            write(outside.resolve("motd"), "outside\n");
            write(inRoot(outside).resolve("motd"), "inside\n");
            Files.createDirectories(root.resolve("etc"));
            Files.createSymbolicLink(root.resolve("etc/motd"), outside.resolve("motd"));
            Subject s = load("""
                    type: file
                    path: /etc/motd
                    content: |
                      managed
                    """);
            Change change = s.diff(s.observe());
            assertThat(change.action()).isEqualTo(Action.REPLACE);
            assertThat(change.diffs()).extracting(Diff::field).containsExactly("type", "content", "mode");
            assertThat(change.diffs().get(0)).isEqualTo(new Diff.Field("type", "symlink", "file"));

            s.apply(change);
            Path motd = root.resolve("etc/motd");
            assertThat(Files.isSymbolicLink(motd)).isFalse();
            assertThat(Files.isRegularFile(motd, LinkOption.NOFOLLOW_LINKS)).isTrue();
            assertThat(motd).hasContent("managed");
            assertThat(mode(motd)).isEqualTo("rw-r--r--");
            assertThat(outside.resolve("motd")).hasContent("outside");
            assertThat(inRoot(outside).resolve("motd")).hasContent("inside");
            assertThat(s.diff(s.observe())).isEqualTo(Change.NOOP);
        }

        @Test
        void aModeOnlyDriftIsFixedByChmodWithoutRewritingTheFile() throws Exception {
            Subject s = load("""
                    type: file
                    path: /etc/app.conf
                    content: |
                      port 8080
                    mode: "0640"
                    """);
            s.apply(s.diff(s.observe()));
            Path file = root.resolve("etc/app.conf");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            FileTime past = FileTime.fromMillis(1_000_000_000_000L);
            Files.setLastModifiedTime(file, past);
            Object inode = Files.getAttribute(file, "unix:ino");

            Change change = s.diff(s.observe());
            assertThat(change.action()).isEqualTo(Action.UPDATE);
            assertThat(change.diffs()).containsExactly(new Diff.Field("mode", "0600", "0640"));
            s.apply(change);

            assertThat(mode(file)).isEqualTo("rw-r-----");
            assertThat(Files.getAttribute(file, "unix:ino")).as("inode: the file was not rewritten").isEqualTo(inode);
            assertThat(Files.getLastModifiedTime(file)).isEqualTo(past);
            assertThat(file).hasContent("port 8080");
            assertThat(s.diff(s.observe())).isEqualTo(Change.NOOP);
        }

        @Test
        void aContentDriftIsRewrittenAndKeepsAnUnmanagedMode() throws Exception {
            Path file = write(root.resolve("etc/hosts"), "127.0.0.1 localhost\n10.0.0.9 stale\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            Subject s = load("""
                    type: file
                    path: /etc/hosts
                    content: |
                      127.0.0.1 localhost
                    """);
            Change change = s.diff(s.observe());
            assertThat(change.action()).isEqualTo(Action.UPDATE);
            assertThat(change.diffs()).singleElement().isInstanceOfSatisfying(Diff.Content.class, c -> {
                assertThat(c.before().text()).isEqualTo("127.0.0.1 localhost\n10.0.0.9 stale\n");
                assertThat(c.after().text()).isEqualTo("127.0.0.1 localhost\n");
                assertThat(c.after().size()).isEqualTo(20);
            });
            s.apply(change);
            assertThat(file).hasContent("127.0.0.1 localhost");
            assertThat(mode(file)).isEqualTo("rw-------");
            assertThat(s.diff(s.observe())).isEqualTo(Change.NOOP);
        }

        @Test
        void contentAboveTheTextLimitIsKeptAsSizeAndDigestOnly() throws Exception {
            byte[] big = "0123456789abcdef\n".repeat(20_000).getBytes(StandardCharsets.UTF_8);
            writeBytes(control.resolve("files/big.txt"), big);
            write(root.resolve("srv/big.txt"), "small\n");
            Subject s = load("""
                    type: file
                    path: /srv/big.txt
                    source: files/big.txt
                    """);
            Change change = s.diff(s.observe());
            assertThat(change.diffs()).singleElement().isInstanceOfSatisfying(Diff.Content.class, c -> {
                assertThat(c.before()).isEqualTo(new Diff.Blob(6, Digests.sha256("small\n"), "small\n"));
                assertThat(c.after()).isEqualTo(new Diff.Blob(big.length, Digests.sha256(big), null));
            });
            s.apply(change);
            assertThat(Files.readAllBytes(root.resolve("srv/big.txt"))).isEqualTo(big);
        }

        @Test
        void aPathThroughAnAbsoluteSymlinkIsResolvedInsideTheRoot() throws Exception {
            // root/etc -> <outside> (absolute). In the sandbox that is root/<outside>; a naive
            // resolution would write to <outside>, which the test keeps inside its temp dir.
            Path outside = Files.createDirectories(tmp.resolve("outside"));
            Files.createSymbolicLink(root.resolve("etc"), outside);
            Subject s = load("""
                    type: file
                    path: /etc/motd
                    content: |
                      inside
                    """);
            s.apply(s.diff(s.observe()));
            assertThat(inRoot(outside).resolve("motd")).hasContent("inside");
            assertThat(outside).isEmptyDirectory();
            assertThat(s.diff(s.observe())).isEqualTo(Change.NOOP);
        }

        @Test
        void aPathThroughARelativeSymlinkClimbingAboveTheRootStaysInsideTheRoot() throws Exception {
            // root/srv/up -> ../.. : like chroot, '..' stops at the root; naively it is tmp itself.
            Files.createDirectories(root.resolve("srv"));
            Files.createSymbolicLink(root.resolve("srv/up"), Path.of("../.."));
            Subject s = load("""
                    type: file
                    path: /srv/up/escape.txt
                    content: |
                      contained
                    """);
            s.apply(s.diff(s.observe()));
            assertThat(root.resolve("escape.txt")).hasContent("contained");
            assertThat(tmp.resolve("escape.txt")).doesNotExist();
            assertThat(s.diff(s.observe())).isEqualTo(Change.NOOP);
        }
    }

    // ------------------------------------------------------------------ directory

    @Nested
    class DirectoryKind {

        @Test
        void aModeChangeIsAnInPlaceUpdateOfTheModeOnly() throws Exception {
            Path dir = Files.createDirectories(root.resolve("srv/data"));
            write(dir.resolve("keep.txt"), "keep\n");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Object inode = Files.getAttribute(dir, "unix:ino");
            Subject s = load("""
                    type: directory
                    path: /srv/data
                    mode: "0755"
                    """);
            Change change = s.diff(s.observe());
            assertThat(change.action()).isEqualTo(Action.UPDATE);
            assertThat(change.diffs()).containsExactly(new Diff.Field("mode", "0700", "0755"));
            s.apply(change);
            assertThat(mode(dir)).isEqualTo("rwxr-xr-x");
            assertThat(Files.getAttribute(dir, "unix:ino")).isEqualTo(inode);
            assertThat(dir.resolve("keep.txt")).hasContent("keep");
            assertThat(s.diff(s.observe())).isEqualTo(Change.NOOP);
        }

        @Test
        void aNonEmptyDirectoryIsNotDeletedWithoutForce() throws Exception {
            write(root.resolve("srv/old/a.img"), "image\n");
            Subject s = load("""
                    type: directory
                    path: /srv/old
                    ensure: absent
                    """);
            List<String> before = snapshot();
            // Refused already at plan time, so that a plan never promises a deletion apply will refuse.
            assertThatThrownBy(() -> s.diff(s.observe()))
                    .isInstanceOf(ResourceException.class)
                    .hasMessageContaining("/srv/old is not empty (1 entries)")
                    .hasMessageContaining("force: true");
            assertThat(snapshot()).isEqualTo(before);
        }

        @Test
        void aForcedDeletionRemovesSymlinksInTheTreeButNotWhatTheyPointTo() throws Exception {
            write(root.resolve("srv/old/images/a.img"), "image\n");
            write(root.resolve("etc/keep.conf"), "keep\n");
            Files.createSymbolicLink(root.resolve("srv/old/etc"), Path.of("../../etc"));
            Subject s = load("""
                    type: directory
                    path: /srv/old
                    ensure: absent
                    force: true
                    """);
            s.apply(s.diff(s.observe()));
            assertThat(root.resolve("srv/old")).doesNotExist();
            assertThat(root.resolve("srv")).isEmptyDirectory();
            assertThat(root.resolve("etc/keep.conf")).hasContent("keep");
        }

        @Test
        void aDirectoryIsNeverMadeWhereAFileIs() throws Exception {
            write(root.resolve("srv/data"), "a file\n");
            Subject s = load("""
                    type: directory
                    path: /srv/data
                    """);
            Bound.Seen<?, ?> observed = s.observe();
            assertThatThrownBy(() -> s.diff(observed))
                    .isInstanceOf(ResourceException.class)
                    .hasMessageContaining("/srv/data is a file");
        }
    }

    // ------------------------------------------------------------------ link

    @Nested
    class LinkKind {

        @Test
        void aLinkIsRetargeted() throws Exception {
            Files.createDirectories(root.resolve("srv/tftp"));
            Files.createSymbolicLink(root.resolve("srv/tftp/vmlinuz"), Path.of("vmlinuz-6.1.0-41-amd64"));
            Subject s = load("""
                    type: link
                    path: /srv/tftp/vmlinuz
                    target: vmlinuz-6.1.0-42-amd64
                    """);
            Change change = s.diff(s.observe());
            assertThat(change.action()).isEqualTo(Action.UPDATE);
            assertThat(change.diffs()).containsExactly(
                    new Diff.Field("target", "vmlinuz-6.1.0-41-amd64", "vmlinuz-6.1.0-42-amd64"));
            s.apply(change);
            assertThat(Files.readSymbolicLink(root.resolve("srv/tftp/vmlinuz"))).isEqualTo(Path.of("vmlinuz-6.1.0-42-amd64"));
            assertThat(root.resolve("srv/tftp")).isDirectoryNotContaining(p -> p.getFileName().toString().contains("mosaic-tmp"));
            assertThat(s.diff(s.observe())).isEqualTo(Change.NOOP);
        }

        @Test
        void aLinkRefusesToReplaceARegularFileWithoutForce() throws Exception {
            write(root.resolve("etc/localtime"), "TZif2 local\n");
            Subject s = load("""
                    type: link
                    path: /etc/localtime
                    target: /usr/share/zoneinfo/UTC
                    """);
            List<String> before = snapshot();
            Bound.Seen<?, ?> observed = s.observe();
            assertThatThrownBy(() -> s.diff(observed))
                    .isInstanceOf(ResourceException.class)
                    .hasMessage("/etc/localtime is a file; set 'force: true' to replace it with a link");
            assertThat(snapshot()).isEqualTo(before);
        }

        @Test
        void withForceALinkReplacesARegularFile() throws Exception {
            write(root.resolve("etc/localtime"), "TZif2 local\n");
            Subject s = load("""
                    type: link
                    path: /etc/localtime
                    target: /usr/share/zoneinfo/UTC
                    force: true
                    """);
            Change change = s.diff(s.observe());
            assertThat(change.action()).isEqualTo(Action.REPLACE);
            assertThat(change.diffs()).containsExactly(new Diff.Field("type", "file", "symlink"),
                    new Diff.Field("target", null, "/usr/share/zoneinfo/UTC"));
            s.apply(change);
            assertThat(Files.readSymbolicLink(root.resolve("etc/localtime"))).isEqualTo(Path.of("/usr/share/zoneinfo/UTC"));
        }

        @Test
        void aLinkNeverReplacesADirectoryEvenWithForce() throws Exception {
            write(root.resolve("etc/ssl/certs/ca.pem"), "pem\n");
            Subject s = load("""
                    type: link
                    path: /etc/ssl/certs
                    target: /usr/share/ca-certificates
                    force: true
                    """);
            Bound.Seen<?, ?> observed = s.observe();
            assertThatThrownBy(() -> s.diff(observed))
                    .isInstanceOf(ResourceException.class)
                    .hasMessageContaining("is a directory");
        }
    }

    // ------------------------------------------------------------------ copy

    @Nested
    class CopyKind {

        @Test
        void withPurgeCopyReportsAddedChangedAndRemovedPathsAndRemovesTheExtras() throws Exception {
            Path src = control.resolve("tree");
            write(src.resolve("new.txt"), "new\n");
            write(src.resolve("same.txt"), "same\n");
            write(src.resolve("sub/changed.txt"), "v2\n");
            Path dest = root.resolve("opt/tree");
            write(dest.resolve("same.txt"), "same\n");
            write(dest.resolve("sub/changed.txt"), "v1\n");
            write(dest.resolve("extra.txt"), "extra\n");
            write(dest.resolve("olddir/x.txt"), "x\n");
            Object sameInode = Files.getAttribute(dest.resolve("same.txt"), "unix:ino");
            Subject s = load("""
                    type: copy
                    source: tree
                    dest: /opt/tree
                    purge: true
                    """);
            Change change = s.diff(s.observe());
            assertThat(change.action()).isEqualTo(Action.UPDATE);
            assertThat(change.diffs()).containsExactly(new Diff.Tree("files",
                    List.of("new.txt"), List.of("sub/changed.txt"), List.of("extra.txt", "olddir/", "olddir/x.txt")));

            s.apply(change);
            assertThat(TreeSnapshot.shape(dest)).isEqualTo(TreeSnapshot.shape(src));
            assertThat(Files.getAttribute(dest.resolve("same.txt"), "unix:ino"))
                    .as("an identical file is not rewritten").isEqualTo(sameInode);
            assertThat(s.diff(s.observe())).isEqualTo(Change.NOOP);
        }

        @Test
        void withoutPurgeCopyKeepsFilesTheSourceDoesNotHave() throws Exception {
            Path src = control.resolve("tree");
            write(src.resolve("a.txt"), "a\n");
            Path dest = root.resolve("opt/tree");
            write(dest.resolve("local.txt"), "local\n");
            Subject s = load("""
                    type: copy
                    source: tree
                    dest: /opt/tree
                    """);
            Change change = s.diff(s.observe());
            assertThat(change.diffs()).containsExactly(new Diff.Tree("files", List.of("a.txt"), List.of(), List.of()));
            s.apply(change);
            assertThat(dest.resolve("a.txt")).hasContent("a");
            assertThat(dest.resolve("local.txt")).hasContent("local");
        }

        @Test
        void copyCopiesSymlinksAsSymlinksAndKeepsExecBitsAndDirectoryModes() throws Exception {
            Path src = control.resolve("tree");
            sourceTree(src);
            Files.createSymbolicLink(src.resolve("absolute"), Path.of("/usr/lib/mosaic-test/nowhere"));
            Subject s = load("""
                    type: copy
                    source: tree
                    dest: /opt/tree
                    """);
            Change change = s.diff(s.observe());
            assertThat(change.action()).isEqualTo(Action.CREATE);
            assertThat(change.diffs()).containsExactly(new Diff.Tree("files",
                    List.of("absolute", "bin/", "bin/run.sh", "current", "lib/", "lib/data.txt", "readme.txt"),
                    List.of(), List.of()));
            s.apply(change);

            Path dest = root.resolve("opt/tree");
            assertThat(TreeSnapshot.shape(dest)).isEqualTo(TreeSnapshot.shape(src));
            assertThat(Files.readSymbolicLink(dest.resolve("current"))).isEqualTo(Path.of("lib"));
            assertThat(Files.readSymbolicLink(dest.resolve("absolute"))).isEqualTo(Path.of("/usr/lib/mosaic-test/nowhere"));
            assertThat(mode(dest.resolve("bin/run.sh"))).isEqualTo("rwxr-xr-x");
            assertThat(mode(dest.resolve("lib"))).isEqualTo("rwxr-x---");
            assertThat(s.diff(s.observe())).isEqualTo(Change.NOOP);
        }

        @Test
        void copyReportsAModeOnlyChangeAndAFileTheSourceTurnedIntoADirectory() throws Exception {
            Path src = control.resolve("tree");
            write(src.resolve("run.sh"), "#!/bin/sh\n");
            Files.setPosixFilePermissions(src.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
            write(src.resolve("conf/a.conf"), "a\n");
            Path dest = root.resolve("opt/tree");
            write(dest.resolve("run.sh"), "#!/bin/sh\n");
            Files.setPosixFilePermissions(dest.resolve("run.sh"), PosixFilePermissions.fromString("rw-r--r--"));
            write(dest.resolve("conf"), "was a file\n");
            Subject s = load("""
                    type: copy
                    source: tree
                    dest: /opt/tree
                    """);
            Change change = s.diff(s.observe());
            assertThat(change.diffs()).containsExactly(new Diff.Tree("files",
                    List.of("conf/a.conf"), List.of("conf/", "run.sh"), List.of()));
            s.apply(change);
            assertThat(TreeSnapshot.shape(dest)).isEqualTo(TreeSnapshot.shape(src));
            assertThat(s.diff(s.observe())).isEqualTo(Change.NOOP);
        }

        @Test
        void aChangedSourceIsAnInputChangeNotDrift() throws Exception {
            Path src = control.resolve("tree");
            write(src.resolve("a.txt"), "v1\n");
            Subject s = load("""
                    type: copy
                    source: tree
                    dest: /opt/tree
                    """);
            Bound.Seen<?, ?> first = s.observe();
            String digest = first.inputDigest();
            s.apply(s.diff(first));
            assertThat(s.observe().inputDigest()).isEqualTo(digest);
            write(src.resolve("a.txt"), "v2\n");
            assertThat(s.observe().inputDigest()).isNotEqualTo(digest);
        }
    }

    // ------------------------------------------------------------------ patch

    @Nested
    class PatchKind {

        private static final String ADD_A_LINE = """
                type: patch
                dir: /usr/src/app
                strip: 1
                content: |
                  --- a/motd.txt
                  +++ b/motd.txt
                  @@ -1,3 +1,4 @@
                   one
                   two
                  +two and a half
                   three
                """;

        @Test
        void aPatchThatOnlyAddsLinesIsSeenAsAppliedAndNeverAppliedTwice() throws Exception {
            Path motd = write(root.resolve("usr/src/app/motd.txt"), "one\ntwo\nthree\n");
            Subject s = load(ADD_A_LINE);
            Change change = s.diff(s.observe());
            assertThat(change.diffs()).containsExactly(new Diff.Field("state", "not applied", "applied"),
                    new Diff.Tree("files", List.of(), List.of("motd.txt"), List.of()));
            s.apply(change);
            assertThat(motd).hasContent("one\ntwo\ntwo and a half\nthree");
            assertThat(s.diff(s.observe())).isEqualTo(Change.NOOP);
            assertThat(s.engineApply().outcomes()).singleElement()
                    .satisfies(o -> assertThat(o.status()).isEqualTo(Outcome.Status.UNCHANGED));
            assertThat(motd).hasContent("one\ntwo\ntwo and a half\nthree");
        }

        @Test
        void aPatchThatDoesNotApplyIsAnErrorNamingTheFailedHunkAndTheTreeIsLeftAlone() throws Exception {
            write(root.resolve("usr/src/app/motd.txt"), "one\nTWO\nthree\n");
            Subject s = load("""
                    type: patch
                    dir: /usr/src/app
                    content: |
                      --- a/motd.txt
                      +++ b/motd.txt
                      @@ -1,3 +1,3 @@
                       one
                      -two
                      +2
                       three
                    """);
            List<String> before = snapshot();
            Bound.Seen<?, ?> observed = s.observe();
            assertThatThrownBy(() -> s.diff(observed))
                    .isInstanceOf(ResourceException.class)
                    .hasMessageContaining("does not apply to /usr/src/app")
                    .hasMessageContaining("motd.txt: hunk #1 failed at line 1");
            assertThat(snapshot()).isEqualTo(before);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A loaded resource with the calls of the contract, made as the engine makes them. */
    private final class Subject {
        final Playbook playbook;
        final ResourceDecl decl;
        final Context ctx;
        /** The resource's notes, kept as the engine's state would keep them between calls. */
        final Map<String, String> notes = new ConcurrentHashMap<>();
        final Map<String, String> pinned = new ConcurrentHashMap<>();
        final Memory memory = new Memory() {
            @Override
            public Optional<String> get(String key) {
                return Optional.ofNullable(notes.get(key));
            }

            @Override
            public void put(String key, String value) {
                notes.put(key, value);
            }
        };
        final Pins pins = new Pins() {
            @Override
            public Optional<String> sha256(String url) {
                return Optional.ofNullable(pinned.get(url));
            }

            @Override
            public void pin(String url, String sha256) {
                pinned.put(url, sha256);
            }
        };

        Subject(Playbook playbook) {
            this.playbook = playbook;
            this.decl = playbook.resources().get(0);
            Path base = playbook.baseDir();
            this.ctx = new Context() {
                @Override
                public Host host() {
                    return host;
                }

                @Override
                public Host control() {
                    return CONTROL;
                }

                @Override
                public Path baseDir() {
                    return base;
                }

                @Override
                public void output(String line) {
                }

                @Override
                public Memory memory() {
                    return memory;
                }

                @Override
                public Path cacheDir() {
                    return tmp.resolve("cache");
                }

                @Override
                public Pins pins() {
                    return pins;
                }
            };
        }

        Bound.Seen<?, ?> observe() throws IOException, ResourceException {
            return decl.bound().observe(ctx);
        }

        Change diff(Bound.Seen<?, ?> observed) throws ResourceException {
            return observed.diff();
        }

        void apply(Change change) throws IOException, ResourceException {
            decl.bound().apply(change, ctx);
        }

        /** Applies through the engine, with its state (and the kinds' memory) in the sandbox. */
        Engine.ApplyResult engineApply() throws IOException {
            return engine().apply(playbook, graph());
        }

        Plan enginePlan() {
            return engine().plan(playbook, graph());
        }

        private Engine engine() {
            return new Engine(host, CONTROL, StateStore.open(tmp.resolve("state")), Events.NONE, 1);
        }

        private ResourceGraph graph() {
            Diagnostics diags = new Diagnostics();
            ResourceGraph graph = GraphBuilder.build(playbook, diags);
            diags.throwIfErrors();
            return graph;
        }
    }

    private Subject prepare(Fixture f) throws IOException {
        if (f.body() == null) {
            fail("kind '" + f.kind() + "' is registered in BuiltinKinds but has no fixture in "
                    + "ResourceContractTest.FIXTURES nor a ContractFixtures class in its test package; add one so that"
                    + " the kind is held to the contract");
        }
        f.setup().prepare(root, control);
        Subject s = load(f.body());
        assertThat(s.decl.type().kind()).isEqualTo(f.kind());
        return s;
    }

    /** Loads a one-resource playbook (schema and kind checks included) whose resource has this body. */
    private Subject load(String body) {
        String text = "resources:\n  subject:\n" + body.indent(4);
        Playbook playbook = new PlaybookLoader(KINDS).load(control.resolve("playbook.yml"), text, Map.of());
        assertThat(playbook.resources()).hasSize(1);
        return new Subject(playbook);
    }

    /** The sandbox: target root and control side (state, which apply writes, aside). */
    private List<String> snapshot() throws IOException {
        return TreeSnapshot.of(new TreeMap<>(Map.of("root", root, "control", control)));
    }

    /** The sandbox and Mosaic's state (with the kinds' memory) that the engine keeps beside it. */
    private List<String> snapshotWithState() throws IOException {
        return TreeSnapshot.of(new TreeMap<>(Map.of("root", root, "control", control, "state", tmp.resolve("state"))));
    }

    /** Where an absolute local path lands when it is read as a target path inside the root. */
    private Path inRoot(Path absolute) {
        return root.resolve(absolute.toString().substring(1));
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    static Path write(Path file, String text) throws IOException {
        return writeBytes(file, text.getBytes(StandardCharsets.UTF_8));
    }

    static Path writeBytes(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    /** Deterministic bytes that are not text: every byte value, NUL included. */
    /** A tar.gz of the given files (paths to text), the scripts among them executable. */
    static byte[] tarGz(Map<String, String> files) {
        try {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(
                    new java.util.zip.GZIPOutputStream(bytes))) {
                for (Map.Entry<String, String> f : new TreeMap<>(files).entrySet()) {
                    byte[] data = f.getValue().getBytes(StandardCharsets.UTF_8);
                    var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(f.getKey());
                    e.setSize(data.length);
                    e.setMode(f.getValue().startsWith("#!") ? 0100755 : 0100644);
                    tar.putArchiveEntry(e);
                    tar.write(data);
                    tar.closeArchiveEntry();
                }
                var link = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("kit/current",
                        org.apache.commons.compress.archivers.tar.TarConstants.LF_SYMLINK);
                link.setLinkName("config-2.4.22-ltsp-2");
                tar.putArchiveEntry(link);
                tar.closeArchiveEntry();
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static byte[] binary(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + i / 256);
        }
        return b;
    }

    /**
     * A stand-in kernel tree: a Makefile with the two targets kernel_config runs, {@code tinyconfig}
     * (writes a small .config) and {@code olddefconfig} (keeps it as it is), like Kconfig would
     * for symbols without dependencies.
     */
    static void fakeKernelTree(Path dir) throws IOException {
        write(dir.resolve("Makefile"), """
                tinyconfig:
                \tprintf 'CONFIG_64BIT=y\\n# CONFIG_E1000 is not set\\nCONFIG_LOG_BUF_SHIFT=14\\n' > .config
                olddefconfig:
                \t@test -f .config
                """);
    }

    /** A small tree: nested directories with their own modes, an executable, a relative link. */
    static void sourceTree(Path src) throws IOException {
        write(src.resolve("readme.txt"), "read me\n");
        write(src.resolve("bin/run.sh"), "#!/bin/sh\necho run\n");
        Files.setPosixFilePermissions(src.resolve("bin/run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        write(src.resolve("lib/data.txt"), "data\n");
        Files.setPosixFilePermissions(src.resolve("bin"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(src.resolve("lib"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.createSymbolicLink(src.resolve("current"), Path.of("lib"));
    }
}
