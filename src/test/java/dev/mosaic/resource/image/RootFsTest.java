package dev.mosaic.resource.image;

import dev.mosaic.resource.ResourceException;
import dev.mosaic.testing.Canary;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A package's data tar is never trusted: names that climb out, entries below a symlink of the
 * image, special files and dangling hard links are refused before anything is written; what is
 * kept lands in the staging directory only, and {@code exclude} globs drop paths.
 */
class RootFsTest {

    @TempDir
    Path tmp;

    /** One tar entry: a type flag ('0' file, '2' symlink, '1' hard link, '5' directory, '3' char device), a name and a link or content. */
    record E(char type, String name, String value) {
    }

    private Path tar(E... entries) throws IOException {
        Path t = tmp.resolve("data-" + System.nanoTime() + ".tar");
        try (OutputStream f = Files.newOutputStream(t); TarArchiveOutputStream out = new TarArchiveOutputStream(f)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (E e : entries) {
                TarArchiveEntry te = new TarArchiveEntry(e.name(), (byte) e.type(), true);
                if (e.type() == '2' || e.type() == '1') {
                    te.setLinkName(e.value());
                }
                byte[] data = e.type() == '0' ? e.value().getBytes(StandardCharsets.UTF_8) : new byte[0];
                te.setSize(data.length);
                te.setMode(e.type() == '5' ? 040755 : e.type() == '0' ? 0100644 : e.type() == '3' ? 020600 : 0120777);
                out.putArchiveEntry(te);
                out.write(data);
                out.closeArchiveEntry();
            }
        }
        return t;
    }

    private RootFs fs(String... exclude) throws IOException {
        return new RootFs(Files.createDirectories(tmp.resolve("staging")), new Globs(List.of(exclude)));
    }

    @Test
    void aPackagesTree_isKeptByImagePath_withExcludedPathsLeftOut() throws IOException, ResourceException {
        RootFs fs = fs("/usr/share/doc/**");
        fs.addTar(tar(new E('5', "./", ""), new E('5', "./usr/bin/", ""), new E('0', "./usr/bin/tool", "#!/bin/sh\n"),
                new E('0', "./usr/share/doc/tool/README", "docs"), new E('2', "./usr/bin/t", "tool"),
                new E('1', "./usr/bin/tool2", "./usr/bin/tool")), "tool");
        assertThat(fs.nodes().keySet()).containsExactly("usr", "usr/bin", "usr/bin/t", "usr/bin/tool", "usr/bin/tool2");
        assertThat(fs.nodes().get("usr/bin/tool2")).isEqualTo(fs.nodes().get("usr/bin/tool"));
    }

    @Test
    void namesThatClimbOut_areRefused_beforeAnythingIsKept() throws IOException {
        for (E hostile : List.of(new E('0', "../../outside/canary.txt", "x"), new E('0', "./usr/../../etc/passwd", "x"),
                new E('0', "/etc/passwd", "x"))) {
            RootFs fs = fs();
            assertThatThrownBy(() -> fs.addTar(tar(hostile), "evil")).isInstanceOf(ResourceException.class)
                    .hasMessageContaining("package evil: refusing the entry");
            assertThat(fs.nodes()).isEmpty();
        }
    }

    @Test
    void anEntryBelowASymlinkOfTheImage_isRefused_evenFromALaterPackage() throws IOException, ResourceException {
        Canary canary = Canary.plant(tmp.resolve("outside"));
        RootFs fs = fs();
        fs.addTar(tar(new E('2', "./lib", canary.dir().toString())), "first");
        assertThatThrownBy(() -> fs.addTar(tar(new E('0', "./lib/canary.txt", "overwritten")), "second"))
                .isInstanceOf(ResourceException.class).hasMessageContaining("package second")
                .hasMessageContaining("lies below /lib, which the image has as a symlink");
        assertThatThrownBy(() -> fs.addFile("/lib/canary.txt", "x".getBytes(StandardCharsets.UTF_8), 0644, 0, 0))
                .isInstanceOf(ResourceException.class).hasMessageContaining("the playbook");
        Path out = tmp.resolve("materialized");
        fs.materialize(out);
        assertThat(Files.isSymbolicLink(out.resolve("lib"))).isTrue();
        canary.assertUntouched();
    }

    @Test
    void specialFilesAndHardLinksToNothing_areRefused() throws IOException {
        assertThatThrownBy(() -> fs().addTar(tar(new E('3', "./dev/mem", "")), "dev"))
                .isInstanceOf(ResourceException.class).hasMessageContaining("special file");
        assertThatThrownBy(() -> fs().addTar(tar(new E('1', "./bin/x", "./bin/absent")), "hl"))
                .isInstanceOf(ResourceException.class).hasMessageContaining("hard link");
    }

    @Test
    void aDirectoryHoldingEntries_isNotReplacedByAFileOrALink() throws IOException, ResourceException {
        RootFs fs = fs();
        fs.addTar(tar(new E('0', "./etc/app/conf", "x")), "a");
        assertThatThrownBy(() -> fs.addLink("/etc/app", "/tmp")).isInstanceOf(ResourceException.class)
                .hasMessageContaining("refusing to replace the directory /etc/app");
    }

    @Test
    void theCpio_isSortedOwnedAsDeclaredAndStampedWithTheEpoch() throws IOException, ResourceException {
        RootFs fs = fs();
        fs.addFile("/etc/b", "b".getBytes(StandardCharsets.UTF_8), 0600, 101, 102);
        fs.addDir("/a");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fs.writeCpio(out, 1_700_000_000L);
        String s = out.toString(StandardCharsets.ISO_8859_1);
        // newc headers: magic, ino, mode, uid, gid, nlink, mtime, ...
        assertThat(s.indexOf("a\0")).isLessThan(s.indexOf("etc\0")).isLessThan(s.indexOf("etc/b\0"));
        assertThat(s).contains("070701" + "00000003" + "00008180" + "00000065" + "00000066" + "00000001" + "6553f100");
        assertThat(Files.exists(tmp.resolve("staging/blobs"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    }
}
