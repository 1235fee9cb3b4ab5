package dev.mosaic.host;

import static dev.mosaic.testing.Tp.tp;
import dev.mosaic.testing.Canary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link LocalHost#newTree}: a tree written in a staging directory, renamed into place whole. */
class NewTreeTest {

    @TempDir
    Path tmp;

    private static InputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private Path root() throws IOException {
        return Files.createDirectories(tmp.resolve("root"));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void newTree_showsNothingBeforeCommit_andTheWholeTreeAfter() throws IOException {
        Path root = root();
        LocalHost host = new LocalHost(root);
        try (NewTree tree = host.newTree(tp("/srv/tree"), 0750).orElseThrow()) {
            tree.mkdir(tp("/srv/tree/etc"), 0555);
            tree.write(tp("/srv/tree/etc/lts.conf"), text("SERVER = 192.168.0.254\n"), 0644);
            tree.write(tp("/srv/tree/bin/startx"), text("#!/bin/sh\n"), 04755);
            tree.symlink(tp("/srv/tree/etc/X11"), "../X11R6/etc");
            try (InputStream in = tree.open(tp("/srv/tree/etc/lts.conf"))) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("SERVER = 192.168.0.254\n");
            }
            tree.chmod(tp("/srv/tree/etc"), 0555);
            assertThat(root.resolve("srv/tree")).as("before commit").doesNotExist();
            tree.commit();
        }
        assertThat(Files.readString(root.resolve("srv/tree/etc/lts.conf"))).isEqualTo("SERVER = 192.168.0.254\n");
        assertThat(host.stat(tp("/srv/tree")).mode()).isEqualTo(0750);
        assertThat(host.stat(tp("/srv/tree/etc")).mode()).isEqualTo(0555);
        assertThat(host.stat(tp("/srv/tree/bin/startx")).mode()).isEqualTo(04755);
        assertThat(host.stat(tp("/srv/tree/etc/X11")).linkTarget()).isEqualTo("../X11R6/etc");
        assertThat(names(root.resolve("srv"))).containsExactly("tree");
    }

    @Test
    void aTreeOfMoreFilesThanFlushedOneByOne_isFlushedOnce_andCommittedWhole() throws IOException {
        Path root = root();
        LocalHost host = new LocalHost(root);
        int files = LocalNewTree.SYNCFS_ABOVE + 300;
        try (NewTree tree = host.newTree(tp("/usr/src/linux"), 0755).orElseThrow()) {
            for (int i = 0; i < files; i++) {
                tree.write(tp("/usr/src/linux/d" + (i % 40) + "/f" + i + ".c"), text("int f" + i + ";\n"), 0644);
            }
            tree.symlink(tp("/usr/src/linux/latest"), "d0");
            assertThat(root.resolve("usr/src/linux")).as("before commit").doesNotExist();
            tree.commit();
        }
        for (int i = 0; i < files; i++) {
            assertThat(root.resolve("usr/src/linux/d" + (i % 40) + "/f" + i + ".c")).hasContent("int f" + i + ";");
        }
        assertThat(host.stat(tp("/usr/src/linux/latest")).linkTarget()).isEqualTo("d0");
        assertThat(names(root.resolve("usr/src"))).containsExactly("linux");
    }

    @Test
    void syncfs_tellsWhetherTheFileSystemWasFlushed() throws IOException {
        assertThat(LocalNewTree.syncfs(root())).isTrue();
        assertThat(LocalNewTree.syncfs(tmp.resolve("missing"))).as("a failed sync -f: flushed file by file").isFalse();
    }

    @Test
    void closeWithoutCommit_leavesTheDestinationAbsentAndNoStagingDirectory() throws IOException {
        Path root = root();
        LocalHost host = new LocalHost(root);
        try (NewTree tree = host.newTree(tp("/srv/tree"), 0755).orElseThrow()) {
            tree.mkdir(tp("/srv/tree/ro"), 0500);
            tree.write(tp("/srv/tree/ro/a"), text("a"), 0400);
            tree.chmod(tp("/srv/tree/ro"), 0500);
        }
        assertThat(names(root.resolve("srv"))).isEmpty();
    }

    @Test
    void aKilledTreesStagingDirectory_isRemovedByTheNextTreeOfThatName_andAnotherNamesIsKept() throws IOException {
        Path root = root();
        Path srv = Files.createDirectories(root.resolve("srv"));
        Path killed = Files.createDirectories(srv.resolve(AtomicWriter.tempName("tree")).resolve("sub"));
        Files.writeString(killed.resolve("half"), "half a tree");
        Path other = Files.createDirectories(srv.resolve(AtomicWriter.tempName("other")));
        Files.writeString(other.resolve("a"), "another resource's tree, maybe being written");
        LocalHost host = new LocalHost(root);

        try (NewTree tree = host.newTree(tp("/srv/tree"), 0755).orElseThrow()) {
            tree.write(tp("/srv/tree/a"), text("a"), 0644);
            tree.commit();
        }

        assertThat(names(srv)).containsExactly(other.getFileName().toString(), "tree");
    }

    @Test
    void aDestinationThatExists_evenAsADanglingLink_getsNoNewTree() throws IOException {
        Path root = root();
        Files.createDirectories(root.resolve("srv"));
        Files.createSymbolicLink(root.resolve("srv/tree"), Path.of("/nowhere"));
        LocalHost host = new LocalHost(root);

        assertThat(host.newTree(tp("/srv/tree"), 0755)).isEmpty();
        assertThat(names(root.resolve("srv"))).containsExactly("tree");
    }

    @Test
    void theRootItself_getsNoNewTree_evenBeforeItExists() throws IOException {
        LocalHost host = new LocalHost(tmp.resolve("not-yet"));

        assertThat(host.newTree(tp("/"), 0755)).isEmpty();
        assertThat(tmp.resolve("not-yet")).doesNotExist();
    }

    @Test
    void aWriteThroughASymlinkOfTheTree_isRefused_andTheCanaryIsUntouched() throws IOException {
        Path root = root();
        Canary canary = Canary.plant(tmp.resolve("outside"));
        LocalHost host = new LocalHost(root);
        try (NewTree tree = host.newTree(tp("/srv/tree"), 0755).orElseThrow()) {
            tree.symlink(tp("/srv/tree/out"), canary.dir().toString());

            assertThatThrownBy(() -> tree.write(tp("/srv/tree/out/planted"), text("x"), 0644)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> tree.mkdir(tp("/srv/tree/out/sub"), 0755)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> tree.write(tp("/srv/tree/../escaped"), text("x"), 0644)).isInstanceOf(IOException.class);
        }
        canary.assertUntouched();
        assertThat(root.resolve("srv/tree")).doesNotExist();
    }

    @Test
    void aDestinationMadeMeanwhile_stopsTheCommit_andIsKept() throws IOException {
        Path root = root();
        LocalHost host = new LocalHost(root);
        try (NewTree tree = host.newTree(tp("/srv/tree"), 0755).orElseThrow()) {
            tree.write(tp("/srv/tree/a"), text("a"), 0644);
            Files.createDirectory(root.resolve("srv/tree"));
            Files.writeString(root.resolve("srv/tree/mine"), "someone else's");

            assertThatThrownBy(tree::commit).isInstanceOf(IOException.class).hasMessageContaining("/srv/tree");
        }
        assertThat(names(root.resolve("srv/tree"))).containsExactly("mine");
        assertThat(names(root.resolve("srv"))).containsExactly("tree");
    }
}
