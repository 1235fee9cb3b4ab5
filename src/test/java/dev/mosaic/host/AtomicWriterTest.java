package dev.mosaic.host;

import static dev.mosaic.testing.Tp.tp;
import dev.mosaic.testing.Canary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one primitive every file write goes through: temp names, their creation, their clean-up. */
class AtomicWriterTest {

    @TempDir
    Path tmp;

    @Test
    void tempName_isFreshForEveryWrite_andRecognisable() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String t = AtomicWriter.tempName("pxelinux.cfg");
            assertThat(t).startsWith(".pxelinux.cfg.").endsWith(".mosaic-tmp");
            assertThat(AtomicWriter.isTemp(t)).as(t).isTrue();
            names.add(t);
        }
        assertThat(names).as("1000 temp names of one file").hasSize(1000);
    }

    @Test
    void tempName_staysWithinNameMax_forLongAndMultibyteNames() {
        for (String name : List.of("a".repeat(255), "é".repeat(127), "€".repeat(85), "😀".repeat(63), "x" + "€".repeat(84))) {
            String t = AtomicWriter.tempName(name);
            assertThat(t.getBytes(StandardCharsets.UTF_8).length).as(t).isLessThanOrEqualTo(255);
            assertThat(AtomicWriter.isTemp(t)).as(t).isTrue();
            assertThat(t).doesNotContain("\uFFFD").doesNotContain("?");
        }
    }

    @Test
    void tempName_ofTwoLongNamesSharingTheirFirst200Characters_differ() {
        String common = "k".repeat(200);
        assertThat(AtomicWriter.tempName(common + "-one")).isNotEqualTo(AtomicWriter.tempName(common + "-two"));
    }

    @Test
    void isTemp_doesNotTakeOrdinaryNamesOrTheOldFixedTempName() {
        assertThat(AtomicWriter.isTemp(".motd.mosaic-tmp")).isFalse();
        assertThat(AtomicWriter.isTemp("motd")).isFalse();
        assertThat(AtomicWriter.isTemp(".motd.0123456789abcdef.mosaic-tmp.bak")).isFalse();
        assertThat(AtomicWriter.isTemp(".motd.0123456789ABCDEF.mosaic-tmp")).isFalse();
        assertThat(AtomicWriter.isTemp(".motd.0123456789abcdef.mosaic-tmp")).isTrue();
    }

    @Test
    void write_leavesOnlyTheTarget_withItsModeAndContent() throws IOException {
        Path target = tmp.resolve("motd");
        AtomicWriter.write(target, out -> out.write("hello\n".getBytes()), 04750, true);
        assertThat(target).hasContent("hello");
        assertThat(Files.getAttribute(target, "unix:mode")).isEqualTo(0104750);
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s).containsExactly(target);
        }
    }

    @Test
    void write_contentFailsMidway_leavesTheOldFileAndNoTempFile() throws IOException {
        Path target = tmp.resolve("motd");
        Files.writeString(target, "old\n");
        assertThatThrownBy(() -> AtomicWriter.write(target, out -> {
            out.write("half".getBytes());
            throw new IOException("source vanished");
        }, 0644, false)).hasMessage("source vanished");
        assertThat(target).hasContent("old");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s).containsExactly(target);
        }
    }

    @Test
    void write_reportLinkPlantedAtTheOldFixedTempName_neverFollowsIt() throws IOException {
        Canary canary = Canary.plant(tmp.resolve("outside"));
        Path dir = Files.createDirectories(tmp.resolve("reports"));
        Files.createSymbolicLink(dir.resolve(".report.html.mosaic-tmp"), canary.file());
        AtomicWriter.write(dir.resolve("report.html"), out -> out.write("<html>".getBytes()), 0644, true);
        assertThat(dir.resolve("report.html")).hasContent("<html>");
        canary.assertUntouched();
    }

    @Test
    void removeLeftovers_unlinksTempFilesAndLinks_neverFollowsThem_keepsEverythingElse() throws IOException {
        Canary canary = Canary.plant(tmp.resolve("outside"));
        Path dir = Files.createDirectories(tmp.resolve("etc"));
        Path leftFile = Files.writeString(dir.resolve(AtomicWriter.tempName("motd")), "half");
        Path leftLink = Files.createSymbolicLink(dir.resolve(AtomicWriter.tempName("hosts")), canary.file());
        Path leftDirLink = Files.createSymbolicLink(dir.resolve(AtomicWriter.tempName("sub")), canary.subdir());
        Path own = Files.writeString(dir.resolve("motd"), "mine");
        Path oldStyle = Files.writeString(dir.resolve(".motd.mosaic-tmp"), "not a name this version makes");
        AtomicWriter.removeLeftovers(dir);
        assertThat(leftFile).doesNotExist();
        assertThat(Files.exists(leftLink, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.exists(leftDirLink, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(own).hasContent("mine");
        assertThat(oldStyle).exists();
        canary.assertUntouched();
    }

    @Test
    void write_twoLongNamesSharingTheirFirst200Characters_writtenConcurrently_neverMix() throws Exception {
        LocalHost host = new LocalHost(tmp.resolve("root"), false, null, false);
        String common = "/srv/" + "n".repeat(230);
        String one = common + "-one";
        String two = common + "-two";
        byte[] a = bytes('A', 256 * 1024);
        byte[] b = bytes('B', 256 * 1024);
        for (int round = 0; round < 100; round++) {
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<Void> first = CompletableFuture.runAsync(() -> write(host, go, one, a));
            CompletableFuture<Void> second = CompletableFuture.runAsync(() -> write(host, go, two, b));
            go.countDown();
            first.get();
            second.get();
            assertThat(host.read(tp(one))).as("round %d: %s", round, one).isEqualTo(a);
            assertThat(host.read(tp(two))).as("round %d: %s", round, two).isEqualTo(b);
        }
    }

    @Test
    void write_nameOf84ThreeByteCharacters_fitsItsTempNameWithinNameMax() throws IOException {
        LocalHost host = new LocalHost(tmp.resolve("root"));
        String path = "/srv/" + "€".repeat(84);
        host.writeAtomic(tp(path), new ByteArrayInputStream("euro\n".getBytes()), 0644);
        assertThat(new String(host.read(tp(path)))).isEqualTo("euro\n");
    }

    private static void write(LocalHost host, CountDownLatch go, String path, byte[] content) {
        try {
            go.await();
            host.writeAtomic(tp(path), new ByteArrayInputStream(content), 0644);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(char c, int n) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) c);
        return b;
    }
}
