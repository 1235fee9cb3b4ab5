package dev.mosaic.resource.initrd;

import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The newc archives the kernel unpacks as an initramfs, checked header field by header field. */
class CpioTest {

    @TempDir
    Path tmp;

    /**
     * One newc header: magic, then ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor,
     * rdevmajor, rdevminor, namesize and check as eight hex digits each, the name, a NUL, and NULs
     * up to a multiple of four bytes.
     */
    private static String header(int ino, int mode, int uid, int gid, int nlink, long mtime, long size,
                                 int rdevMajor, int rdevMinor, String name) {
        StringBuilder h = new StringBuilder("070701");
        long[] fields = {ino, mode, uid, gid, nlink, mtime, size, 0, 0, rdevMajor, rdevMinor,
                name.getBytes(StandardCharsets.UTF_8).length + 1, 0};
        for (long f : fields) {
            h.append(String.format("%08x", f));
        }
        return padded(h.append(name).append('\0').toString());
    }

    /** Headers and data both end on a multiple of four bytes. */
    private static String padded(String s) {
        return s + "\0".repeat((4 - s.length() % 4) % 4);
    }

    private static String write(Cpio cpio, long mtime) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        cpio.writeTo(out, mtime);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void everyKindOfEntry_isWrittenInPathOrder_withItsModeOwnerDeviceNumbersAndPadding() throws IOException {
        Cpio cpio = new Cpio();
        cpio.node("/dev/console", false, 5, 1, 0600);
        cpio.node("/dev/sda", true, 8, 0, 0660);
        cpio.symlink("/bin/sh", "busybox");
        cpio.dir("/home/user", 0700, 1000, 1000);
        cpio.file("/init", "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8), 0755);
        long t = 1_700_000_000L;

        String s = write(cpio, t);

        // Parents are directories made for the path (0755, root's), entries sorted, inodes in that order.
        assertThat(s).isEqualTo(
                header(1, 040755, 0, 0, 2, t, 0, 0, 0, "bin")
                        + header(2, 0120777, 0, 0, 1, t, 7, 0, 0, "bin/sh") + padded("busybox")
                        + header(3, 040755, 0, 0, 2, t, 0, 0, 0, "dev")
                        + header(4, 020600, 0, 0, 1, t, 0, 5, 1, "dev/console")
                        + header(5, 060660, 0, 0, 1, t, 0, 8, 0, "dev/sda")
                        + header(6, 040755, 0, 0, 2, t, 0, 0, 0, "home")
                        + header(7, 040700, 1000, 1000, 2, t, 0, 0, 0, "home/user")
                        + header(8, 0100755, 0, 0, 1, t, 10, 0, 0, "init") + padded("#!/bin/sh\n")
                        + header(0, 0, 0, 0, 1, 0, 0, 0, 0, "TRAILER!!!"));
        assertThat(s.length() % 4).isZero();
    }

    @Test
    void theSameEntriesAddedInAnotherOrder_giveTheSameBytes() throws IOException {
        Cpio a = new Cpio();
        a.file("/etc/motd", "hello\n".getBytes(StandardCharsets.UTF_8), 0644);
        a.symlink("/bin/sh", "busybox");
        a.dir("/etc", 0700);
        Cpio b = new Cpio();
        b.dir("/etc", 0700);
        b.symlink("/bin/sh", "busybox");
        b.file("/etc/motd", "hello\n".getBytes(StandardCharsets.UTF_8), 0644);

        assertThat(write(a, 0)).isEqualTo(write(b, 0));
    }

    @Test
    void aFileOnDisk_isStreamedIntoTheArchive_andReadsBackWhole() throws IOException {
        byte[] content = new byte[70_001]; // not a multiple of 4: the data is padded
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31);
        }
        Path blob = Files.write(tmp.resolve("blob"), content);
        Cpio cpio = new Cpio();
        cpio.file("/usr/lib/libbig.so", blob, content.length, 0644, 101, 102);
        cpio.file("/etc/n\u00e9", new byte[0], 0600);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        cpio.writeTo(out, 42);

        List<String> names = new ArrayList<>();
        byte[] read = null;
        try (CpioArchiveInputStream in = new CpioArchiveInputStream(new ByteArrayInputStream(out.toByteArray()), "UTF-8")) {
            for (CpioArchiveEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
                if (e.getName().equals("usr/lib/libbig.so")) {
                    assertThat(e.getUID()).isEqualTo(101);
                    assertThat(e.getGID()).isEqualTo(102);
                    assertThat(e.getTime()).isEqualTo(42);
                    read = in.readAllBytes();
                }
            }
        }
        assertThat(names).containsExactly("etc", "etc/n\u00e9", "usr", "usr/lib", "usr/lib/libbig.so");
        assertThat(read).isEqualTo(content);
    }

    @Test
    void aFileThatGrewSinceItWasAdded_isRefused_notCut() throws IOException {
        Path blob = Files.writeString(tmp.resolve("blob"), "four");
        Cpio cpio = new Cpio();
        cpio.file("/data", blob, 4, 0644, 0, 0);
        Files.writeString(blob, "four and more");

        assertThatThrownBy(() -> cpio.writeTo(new ByteArrayOutputStream(), 0))
                .isInstanceOf(IOException.class).hasMessage(blob + " changed size while the archive was written");
    }

    @Test
    void aFileThatShrankSinceItWasAdded_isRefused() throws IOException {
        Path blob = Files.writeString(tmp.resolve("blob"), "four and more");
        Cpio cpio = new Cpio();
        cpio.file("/data", blob, 13, 0644, 0, 0);
        Files.writeString(blob, "four");

        assertThatThrownBy(() -> cpio.writeTo(new ByteArrayOutputStream(), 0))
                .isInstanceOf(IOException.class).hasMessage(blob + " changed size while the archive was written");
    }

    @Test
    void writing_leavesTheCallersStreamOpen_forTheGzipAroundIt() throws IOException {
        boolean[] closed = {false};
        ByteArrayOutputStream out = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        new Cpio().writeTo(out, 0);

        assertThat(closed[0]).isFalse();
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).startsWith("070701").contains("TRAILER!!!");
    }
}
