package dev.mosaic.host;

import dev.mosaic.base.TargetPath;
import static dev.mosaic.testing.Tp.tp;
import dev.mosaic.testing.Canary;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An attacker who can write below the root plants a link (or a hard link) at a name Mosaic is
 * about to write, and aims it at a canary outside the root. Every host call that writes, changes
 * a mode or owner, makes or deletes, must leave the canary as it was: content, mode, owner, mtime.
 */
class HostileWritesTest {

    /** What the attacker left at or around {@code /etc/x} before Mosaic's call. */
    enum Plant {
        LINK_AT_FINAL_NAME_TO_FILE, LINK_AT_FINAL_NAME_TO_DIR, DANGLING_LINK_AT_FINAL_NAME,
        LINK_AT_OLD_TEMP_NAME, LINK_AT_A_GUESSED_TEMP_NAME, PARENT_IS_ABSOLUTE_LINK_OUT,
        PARENT_IS_RELATIVE_LINK_CLIMBING_OUT, HARD_LINK_AT_FINAL_NAME
    }

    /** The host call under attack, on {@code /etc/x}. */
    enum Call { WRITE, CHMOD, CHOWN, MKDIRS, SYMLINK, DELETE, DELETE_TREE }

    @TempDir
    Path tmp;

    private Path root;
    private Canary canary;
    private LocalHost host;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(tmp.resolve("root"));
        canary = Canary.plant(tmp.resolve("outside"));
        host = new LocalHost(root);
    }

    static Stream<Arguments> everyPlantTimesEveryCall() {
        List<Arguments> cases = new ArrayList<>();
        for (Plant p : Plant.values()) {
            for (Call c : Call.values()) {
                cases.add(Arguments.of(p, c));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} then {1}: canary untouched")
    @MethodSource("everyPlantTimesEveryCall")
    void hostileEntryPlanted_anyHostCall_neverChangesAnythingOutsideTheRoot(Plant plant, Call call) throws IOException {
        plant(plant, root.resolve("etc"));
        try {
            call(call, host, "/etc/x");
        } catch (IOException e) {
            // a refusal is fine (a link has no mode of its own); it must say what and where
            assertThat(e.getMessage()).as("%s", e).isNotBlank();
        }
        canary.assertUntouched();
        assertWhatTheCallPromises(call, host, "/etc/x");
    }

    /**
     * Without {@code --root} (the whole machine), links in the path are the machine's own and are
     * followed; a link at the temp name or at the final name, or a hard link, still never is.
     */
    static Stream<Arguments> unconfinedCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Plant p : List.of(Plant.LINK_AT_FINAL_NAME_TO_FILE, Plant.LINK_AT_FINAL_NAME_TO_DIR, Plant.DANGLING_LINK_AT_FINAL_NAME,
                Plant.LINK_AT_OLD_TEMP_NAME, Plant.LINK_AT_A_GUESSED_TEMP_NAME, Plant.HARD_LINK_AT_FINAL_NAME)) {
            for (Call c : List.of(Call.WRITE, Call.CHMOD, Call.CHOWN, Call.SYMLINK, Call.DELETE)) {
                cases.add(Arguments.of(p, c));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "without a root, {0} then {1}: canary untouched")
    @MethodSource("unconfinedCases")
    void withoutRoot_hostileEntryPlanted_neverChangesTheCanary(Plant plant, Call call) throws IOException {
        Path etc = root.resolve("etc");
        plant(plant, etc);
        LocalHost machine = new LocalHost(Path.of("/"));
        String path = etc.resolve("x").toString();
        try {
            call(call, machine, path);
        } catch (IOException e) {
            assertThat(e.getMessage()).as("%s", e).isNotBlank();
        }
        canary.assertUntouched();
        assertWhatTheCallPromises(call, machine, path);
    }

    private void plant(Plant plant, Path etc) throws IOException {
        switch (plant) {
            case LINK_AT_FINAL_NAME_TO_FILE -> link(etc.resolve("x"), canary.file());
            case LINK_AT_FINAL_NAME_TO_DIR -> link(etc.resolve("x"), canary.subdir());
            case DANGLING_LINK_AT_FINAL_NAME -> link(etc.resolve("x"), canary.dir().resolve("planted"));
            case LINK_AT_OLD_TEMP_NAME -> {
                link(etc.resolve(".x.mosaic-tmp"), canary.file());
                Files.writeString(etc.resolve("x"), "old\n");
            }
            case LINK_AT_A_GUESSED_TEMP_NAME -> {
                link(etc.resolve(".x.0123456789abcdef.mosaic-tmp"), canary.file());
                Files.writeString(etc.resolve("x"), "old\n");
            }
            case PARENT_IS_ABSOLUTE_LINK_OUT -> link(etc, canary.subdir());
            case PARENT_IS_RELATIVE_LINK_CLIMBING_OUT -> link(etc, Path.of("../../../../../../../../..").resolve(
                    canary.subdir().toString().substring(1)));
            case HARD_LINK_AT_FINAL_NAME -> {
                Files.createDirectories(etc);
                Files.createLink(etc.resolve("x"), canary.file());
            }
            default -> throw new IllegalStateException();
        }
    }

    private static void link(Path at, Path to) throws IOException {
        Files.createDirectories(at.getParent());
        Files.createSymbolicLink(at, to);
    }

    private static void call(Call call, Host host, String path) throws IOException {
        switch (call) {
            case WRITE -> host.writeAtomic(tp(path), new ByteArrayInputStream("written by mosaic\n".getBytes()), 0600);
            case CHMOD -> host.chmod(tp(path), 0600);
            case CHOWN -> host.chown(tp(path), 4321, 4321);
            case MKDIRS -> host.mkdirs(tp(path + "/sub"), 0700);
            case SYMLINK -> host.symlink(tp(path), "/nowhere");
            case DELETE -> host.delete(tp(path));
            case DELETE_TREE -> host.deleteTree(tp(path));
            default -> throw new IllegalStateException();
        }
    }

    /** Besides the canary: what a successful call leaves, seen through the host. */
    private static void assertWhatTheCallPromises(Call call, Host host, String path) throws IOException {
        FileStat st = host.stat(tp(path));
        switch (call) {
            case WRITE -> {
                assertThat(st.isFile()).as("%s after a write", path).isTrue();
                assertThat(new String(host.read(tp(path)))).isEqualTo("written by mosaic\n");
                assertThat(st.mode()).isEqualTo(0600);
            }
            case SYMLINK -> assertThat(st.linkTarget()).as("%s after symlink", path).isEqualTo("/nowhere");
            case DELETE, DELETE_TREE -> assertThat(st.exists()).as("%s after a delete", path).isFalse();
            case CHMOD -> {
                if (!st.isSymlink() && st.exists()) {
                    assertThat(st.mode()).as("%s after chmod", path).isEqualTo(0600);
                }
            }
            case CHOWN -> {
                if (!st.isSymlink() && st.exists()) {
                    assertThat(st.uid()).as("%s after chown", path).isEqualTo(4321);
                }
            }
            case MKDIRS -> {
                FileStat sub = host.stat(tp(path + "/sub"));
                assertThat(sub.isDirectory() || !st.exists() || st.isFile()).as("%s/sub after mkdirs", path).isTrue();
            }
            default -> throw new IllegalStateException();
        }
        if (call == Call.WRITE || call == Call.SYMLINK) {
            // no temp file stays behind, and the one planted at a guessed name is gone (unlinked)
            String dir = path.substring(0, path.lastIndexOf('/'));
            try (Stream<TreeEntry> t = host.walk(tp(dir)).stream()) {
                assertThat(t.map(TreeEntry::relativePath)).noneMatch(AtomicWriter::isTemp);
            }
        }
    }

    // ---------------------------------------------------------------- hard links

    @Test
    void chmod_fileHardLinkedFromOutsideTheRoot_getsAnInodeOfItsOwn_outsideKeepsItsMode() throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.createLink(root.resolve("etc/x"), canary.file());
        host.chmod(tp("/etc/x"), 0600);
        canary.assertUntouched();
        FileStat st = host.stat(tp("/etc/x"));
        assertThat(st.mode()).isEqualTo(0600);
        assertThat(Files.getAttribute(root.resolve("etc/x"), "unix:nlink")).isEqualTo(1);
        assertThat(new String(host.read(tp("/etc/x")))).isEqualTo(Files.readString(canary.file()));
        assertThat(Files.getLastModifiedTime(root.resolve("etc/x"))).isEqualTo(Files.getLastModifiedTime(canary.file()));
    }

    @Test
    void chown_fileHardLinkedFromOutsideTheRoot_keepsTheOutsideOwner_andTheModeInside() throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.createLink(root.resolve("etc/x"), canary.file());
        host.chown(tp("/etc/x"), 4321, -1);
        canary.assertUntouched();
        FileStat st = host.stat(tp("/etc/x"));
        assertThat(st.uid()).isEqualTo(4321);
        assertThat(st.gid()).isEqualTo((Integer) Files.getAttribute(canary.file(), "unix:gid"));
        assertThat(st.mode()).isEqualTo(0644);
    }

    // ---------------------------------------------------------------- other ways out

    @Test
    void chmod_symlinkAtThePath_isRefusedNamingThePath() throws IOException {
        link(root.resolve("etc/x"), canary.file());
        assertThatThrownBy(() -> host.chmod(tp("/etc/x"), 0600))
                .hasMessage("cannot change the mode of /etc/x: it is a symbolic link");
        canary.assertUntouched();
    }

    @Test
    void write_afterACommandReplacedAKnownDirectoryWithALinkOut_staysInsideTheRoot() throws IOException {
        host.writeAtomic(tp("/srv/out/a"), new ByteArrayInputStream("a".getBytes()), 0644); // /srv/out now known as a directory
        Exec.Result r = host.exec(Exec.of(TargetPath.ROOT, "sh", "-c", "rm -rf srv/out && ln -s " + canary.subdir() + " srv/out"));
        assertThat(r.exitCode()).as("%s", r).isZero();
        host.writeAtomic(tp("/srv/out/b"), new ByteArrayInputStream("b".getBytes()), 0644);
        host.mkdirs(tp("/srv/out/c"), 0755);
        canary.assertUntouched();
        assertThat(root.resolve(canary.subdir().toString().substring(1)).resolve("b")).hasContent("b");
    }

    @Test
    void write_leftoverTempFilesOfAKilledRun_areRemovedByTheNextWriteIntoTheirDirectory() throws IOException {
        Path etc = Files.createDirectories(root.resolve("etc"));
        Path left = Files.writeString(etc.resolve(AtomicWriter.tempName("motd")), "half a motd");
        Path leftLink = Files.createSymbolicLink(etc.resolve(AtomicWriter.tempName("hosts")), canary.file());
        host.writeAtomic(tp("/etc/issue"), new ByteArrayInputStream("Debian\n".getBytes()), 0644);
        assertThat(left).doesNotExist();
        assertThat(Files.exists(leftLink, LinkOption.NOFOLLOW_LINKS)).isFalse();
        try (Stream<Path> s = Files.list(etc)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("issue");
        }
        canary.assertUntouched();
    }

    @ParameterizedTest(name = "write and symlink of {0} are refused")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"/", "//", "/./"})
    void writeOrSymlink_ofThePathThatIsTheRootItself_isRefused_nothingIsMadeAboveIt(String path) throws IOException {
        Files.createDirectories(root.resolve("etc"));
        List<Path> beside;
        try (Stream<Path> s = Files.list(tmp)) {
            beside = s.sorted().toList();
        }
        // every spelling of the root is the one target path /, and the message names it so
        assertThatThrownBy(() -> host.writeAtomic(tp(path), new ByteArrayInputStream("x".getBytes()), 0644))
                .hasMessage("cannot replace /: it is the root directory");
        assertThatThrownBy(() -> host.symlink(tp(path), "/nowhere"))
                .hasMessage("cannot replace /: it is the root directory");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.sorted().toList()).as("entries beside the root").isEqualTo(beside);
        }
        assertThat(Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)).isTrue();
        canary.assertUntouched();
    }

    /** A {@code ..} is never resolved, not even where it would stay inside the root (TargetPath). */
    @ParameterizedTest(name = "write and symlink of {0} are refused")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"/etc/..", "/..", "/etc/../../..", "/etc/../issue"})
    void writeOrSymlink_ofAPathWithDotDot_isRefused_nothingIsMadeAnywhere(String path) throws IOException {
        Files.createDirectories(root.resolve("etc"));
        List<Path> beside;
        try (Stream<Path> s = Files.list(tmp)) {
            beside = s.sorted().toList();
        }
        List<String> inside = dev.mosaic.testing.TreeSnapshot.of(root);
        String refusal = "refusing '" + path + "': a target path may not hold '..' (it is never resolved, on any host)";
        assertThatThrownBy(() -> host.writeAtomic(tp(path), new ByteArrayInputStream("x".getBytes()), 0644)).hasMessage(refusal);
        assertThatThrownBy(() -> host.symlink(tp(path), "/nowhere")).hasMessage(refusal);
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.sorted().toList()).as("entries beside the root").isEqualTo(beside);
        }
        assertThat(dev.mosaic.testing.TreeSnapshot.of(root)).as("the root").isEqualTo(inside);
        canary.assertUntouched();
    }

    /**
     * The one tree delete of the local host and of a new tree's leftovers: a read-only directory
     * inside goes with the rest, and a link inside is removed, never followed (its target's mode
     * is not opened either).
     */
    @Test
    void deleteTree_ofATreeWithAReadOnlyDirectoryAndLinksOut_removesItAll_andLeavesTheCanary() throws IOException {
        Path tree = Files.createDirectories(root.resolve("srv/tree/ro/deep"));
        Files.writeString(tree.resolve("f"), "x");
        Files.createSymbolicLink(root.resolve("srv/tree/out"), canary.subdir());
        Files.createSymbolicLink(root.resolve("srv/tree/ro/file-out"), canary.file());
        AtomicWriter.setMode(tree, 0555);
        AtomicWriter.setMode(root.resolve("srv/tree/ro"), 0500);

        host.deleteTree(tp("/srv/tree"));

        assertThat(Files.exists(root.resolve("srv/tree"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.isDirectory(root.resolve("srv"))).isTrue();
        canary.assertUntouched();
    }
}
