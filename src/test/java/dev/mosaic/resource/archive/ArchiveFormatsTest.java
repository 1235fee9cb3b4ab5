package dev.mosaic.resource.archive;

import dev.mosaic.resource.Action;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.ResourceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** Every supported format unpacks to the same tree, with modes and links, into dest. */
class ArchiveFormatsTest extends ArchiveTestSupport {

    /** A small kernel-like tree: directories, a script, a symlink. */
    private static Archives kernelTree() {
        return Archives.of()
                .dir("linux-2.4.22/")
                .dir("linux-2.4.22/scripts/")
                .file("linux-2.4.22/Makefile", "VERSION = 2\nPATCHLEVEL = 4\nSUBLEVEL = 22\n")
                .file("linux-2.4.22/scripts/mkdep.sh", "#!/bin/sh\necho deps\n", 0755)
                .symlink("linux-2.4.22/Makefile.link", "Makefile");
    }

    private static byte[] containerOf(String format) {
        Archives tree = kernelTree();
        return switch (format) {
            case "tar" -> tree.tar();
            case "tar.gz", "tgz" -> tree.tarGz();
            case "tar.bz2" -> tree.tarBz2();
            case "tar.xz" -> tree.tarXz();
            case "zip" -> tree.zip();
            case "deb" -> tree.deb("xz");
            default -> throw new IllegalArgumentException(format);
        };
    }

    private void assertKernelTree(Path dest) throws Exception {
        Path top = dest.resolve("linux-2.4.22");
        assertThat(text(top.resolve("Makefile"))).isEqualTo("VERSION = 2\nPATCHLEVEL = 4\nSUBLEVEL = 22\n");
        assertThat(mode(top.resolve("Makefile"))).isEqualTo(0644);
        assertThat(text(top.resolve("scripts/mkdep.sh"))).isEqualTo("#!/bin/sh\necho deps\n");
        assertThat(mode(top.resolve("scripts/mkdep.sh"))).isEqualTo(0755);
        assertThat(Files.isSymbolicLink(top.resolve("Makefile.link"))).isTrue();
        assertThat(Files.readSymbolicLink(top.resolve("Makefile.link")).toString()).isEqualTo("Makefile");
        assertThat(mode(top)).isEqualTo(0755);
    }

    @ParameterizedTest(name = "a {0} archive named {1} unpacks with format: {2}")
    @CsvSource({
        "tar,     linux-2.4.22.tar,     auto",
        "tar.gz,  linux-2.4.22.tar.gz,  auto",
        "tgz,     linux-2.4.22.tgz,     auto",
        "tar.bz2, linux-2.4.22.tar.bz2, auto",
        "tar.xz,  linux-2.4.22.tar.xz,  auto",
        "zip,     linux-2.4.22.zip,     auto",
        "deb,     linux-2.4.22.deb,     auto",
        "tar.gz,  linux-src,            tar.gz",
        "tgz,     linux-src,            tgz",
        "tar.bz2, linux-src,            tar.bz2",
        "tar.xz,  linux-src,            tar.xz",
        "zip,     linux-src,            zip",
        "deb,     linux-src,            deb",
    })
    void eachTreeFormatUnpacksTheSameTree(String container, String fileName, String format) throws Exception {
        playbookFile(fileName, containerOf(container));
        ArchiveSpec spec = spec("""
                type: archive
                source: %s
                dest: /usr/src
                format: %s
                """.formatted(fileName, format));

        Change change = converge(spec, rig);

        assertThat(change.action()).isEqualTo(Action.CREATE);
        assertKernelTree(rig.at("/usr/src"));
    }

    @ParameterizedTest(name = "an archive without a telling name is recognised as {0} by its content")
    @CsvSource({"tar", "tar.gz", "tar.bz2", "tar.xz", "zip", "deb"})
    void formatAutoRecognisesAnUnnamedArchiveByItsContent(String container) throws Exception {
        playbookFile("download", containerOf(container));
        ArchiveSpec spec = spec("""
                type: archive
                source: download
                dest: /usr/src
                """);

        converge(spec, rig);

        assertKernelTree(rig.at("/usr/src"));
    }

    @ParameterizedTest(name = "a single {0} file decompresses to dest/openMosix-2.4.22-1")
    @CsvSource({"gz", "bz2", "xz"})
    void aSingleCompressedFileDecompressesToItsNameWithoutTheSuffix(String suffix) throws Exception {
        byte[] patch = "--- linux/kernel/fork.c\n+++ linux/kernel/fork.c\n@@ -1 +1 @@\n-a\n+b\n".repeat(100)
                .getBytes(StandardCharsets.UTF_8);
        Function<byte[], byte[]> compress = switch (suffix) {
            case "gz" -> Archives::gz;
            case "bz2" -> Archives::bz2;
            default -> Archives::xz;
        };
        playbookFile("openMosix-2.4.22-1." + suffix, compress.apply(patch));
        ArchiveSpec spec = spec("""
                type: archive
                source: openMosix-2.4.22-1.%s
                dest: /usr/src
                """.formatted(suffix));

        converge(spec, rig);

        Path out = rig.at("/usr/src/openMosix-2.4.22-1");
        assertThat(Files.readAllBytes(out)).isEqualTo(patch);
        assertThat(mode(out)).isEqualTo(0644);
        assertThat(rig.at("/usr/src").toFile().list()).containsExactly("openMosix-2.4.22-1");
    }

    @Test
    void aDebianPackageUnpacksItsDataTarXz() throws Exception {
        byte[] deb = Archives.of()
                .dir("./")
                .dir("./usr/")
                .dir("./usr/sbin/")
                .file("./usr/sbin/ltsp-update-image", "#!/bin/sh\nexit 0\n", 0755)
                .dir("./etc/")
                .file("./etc/lts.conf", "[default]\nX_MOUSE_PROTOCOL = \"PS/2\"\n")
                .deb("xz");
        playbookFile("ltsp-client_5.0_i386.deb", deb);
        ArchiveSpec spec = spec("""
                type: archive
                source: ltsp-client_5.0_i386.deb
                dest: /opt/ltsp/i386
                """);

        converge(spec, rig);

        Path chroot = rig.at("/opt/ltsp/i386");
        assertThat(text(chroot.resolve("usr/sbin/ltsp-update-image"))).isEqualTo("#!/bin/sh\nexit 0\n");
        assertThat(mode(chroot.resolve("usr/sbin/ltsp-update-image"))).isEqualTo(0755);
        assertThat(text(chroot.resolve("etc/lts.conf"))).contains("X_MOUSE_PROTOCOL");
        assertThat(chroot.resolve("control")).doesNotExist();
        assertThat(chroot.resolve("debian-binary")).doesNotExist();
    }

    @Test
    void aDebianPackageWithZstdDataIsRefusedWithAClearReason() throws Exception {
        playbookFile("pkg.deb", Archives.of().file("./etc/x", "x").deb("zst"));
        ArchiveSpec spec = spec("""
                type: archive
                source: pkg.deb
                dest: /opt/ltsp/i386
                """);

        ResourceException e = refusal(spec, rig);

        assertThat(e.getMessage()).contains("data.tar.zst").contains("zstd is not supported").contains("xz");
        assertThat(snapshot(rig.at("/opt/ltsp/i386"))).isEmpty();
    }

    @Test
    void stripComponentsDropsTheLeadingDirectory() throws Exception {
        playbookFile("linux-2.4.22.tar.gz", kernelTree().tarGz());
        ArchiveSpec spec = spec("""
                type: archive
                source: linux-2.4.22.tar.gz
                dest: /usr/src/linux
                strip_components: 1
                """);

        converge(spec, rig);

        Path dest = rig.at("/usr/src/linux");
        assertThat(text(dest.resolve("Makefile"))).startsWith("VERSION = 2");
        assertThat(mode(dest.resolve("scripts/mkdep.sh"))).isEqualTo(0755);
        assertThat(dest.resolve("linux-2.4.22")).doesNotExist();
    }

    @Test
    void aFileUrlAndAnAbsolutePathAreReadOnTheControlMachine() throws Exception {
        Path archive = Archives.write(tmp.resolve("dist/linux-2.4.22.tar.bz2"), kernelTree().tarBz2());
        ArchiveSpec byUrl = spec("""
                type: archive
                source: %s
                dest: /usr/src/a
                """.formatted(archive.toUri()));
        ArchiveSpec byPath = spec("""
                type: archive
                source: %s
                dest: /usr/src/b
                """.formatted(archive));

        converge(byUrl, rig);
        converge(byPath, rig("other"));

        assertKernelTree(rig.at("/usr/src/a"));
        assertKernelTree(rig("other").at("/usr/src/b"));
        assertThat(tmp.resolve("cache")).doesNotExist();
    }

    @Test
    void hardLinksAreUnpackedAsCopiesOfTheirTarget() throws Exception {
        playbookFile("busybox.tar", Archives.of()
                .file("bin/busybox", "ELF...", 0755)
                .hardlink("bin/sh", "bin/busybox")
                .tar());
        ArchiveSpec spec = spec("""
                type: archive
                source: busybox.tar
                dest: /opt/ltsp/i386
                """);

        converge(spec, rig);

        assertThat(text(rig.at("/opt/ltsp/i386/bin/sh"))).isEqualTo("ELF...");
        assertThat(mode(rig.at("/opt/ltsp/i386/bin/sh"))).isEqualTo(0755);
    }

    @Test
    void setgidDirectoriesAndAllowedSetuidFilesKeepTheirBits() throws Exception {
        playbookFile("base.tar", Archives.of()
                .dir("var/mail/", 02775)
                .file("bin/mount", "ELF", 04755)
                .tar());
        ArchiveSpec spec = spec("""
                type: archive
                source: base.tar
                dest: /opt/ltsp/i386
                allow_setuid: true
                """);

        converge(spec, rig);

        assertThat(mode(rig.at("/opt/ltsp/i386/var/mail"))).isEqualTo(02775);
        assertThat(mode(rig.at("/opt/ltsp/i386/bin/mount"))).isEqualTo(04755);
    }

    @Test
    void setgidAndSetuidBitsOfDirectories_areDroppedWithoutAllowSetuid_stickyOnlyFromFiles() throws Exception {
        playbookFile("plain.tar", Archives.of()
                .dir("shared/", 02775)
                .dir("odd/", 04755)
                .dir("tmp/", 01777)
                .file("notes.txt", "sticky means nothing here", 01644)
                .tar());
        ArchiveSpec spec = spec("""
                type: archive
                source: plain.tar
                dest: /srv/x
                """);

        converge(spec, rig);

        assertThat(mode(rig.at("/srv/x/shared"))).isEqualTo(0775);
        assertThat(mode(rig.at("/srv/x/odd"))).isEqualTo(0755);
        assertThat(mode(rig.at("/srv/x/tmp"))).as("a shared tmp keeps its sticky bit").isEqualTo(01777);
        assertThat(mode(rig.at("/srv/x/notes.txt"))).isEqualTo(0644);
        assertThat(plan(spec, rig).action()).as("converged: the manifest has the modes written")
                .isEqualTo(dev.mosaic.resource.Action.NOOP);
    }

    @Test
    void aReadOnlyDirectoryIsFilledAndThenMadeReadOnly() throws Exception {
        playbookFile("ro.tar", Archives.of()
                .dir("share/", 0555)
                .file("share/doc.txt", "read me")
                .tar());
        ArchiveSpec spec = spec("""
                type: archive
                source: ro.tar
                dest: /srv
                """);

        converge(spec, rig);

        assertThat(text(rig.at("/srv/share/doc.txt"))).isEqualTo("read me");
        assertThat(mode(rig.at("/srv/share"))).isEqualTo(0555);
    }

    @Test
    void theCreatesGuardSkipsEverythingWhenItsPathExists() throws Exception {
        playbookFile("linux-2.4.22.tar.gz", kernelTree().tarGz());
        ArchiveSpec spec = spec("""
                type: archive
                source: linux-2.4.22.tar.gz
                dest: /usr/src
                creates: /usr/src/linux-2.4.22/Makefile
                """);
        Files.createDirectories(rig.at("/usr/src/linux-2.4.22"));
        Files.writeString(rig.at("/usr/src/linux-2.4.22/Makefile"), "hand-made\n");

        Change change = converge(spec, rig);

        assertThat(change.isNoop()).isTrue();
        assertThat(text(rig.at("/usr/src/linux-2.4.22/Makefile"))).isEqualTo("hand-made\n");
        assertThat(rig.at("/usr/src/linux-2.4.22/scripts")).doesNotExist();
    }

    @Test
    void theCreatesGuardDoesNotStopTheFirstUnpack() throws Exception {
        playbookFile("linux-2.4.22.tar.gz", kernelTree().tarGz());
        ArchiveSpec spec = spec("""
                type: archive
                source: linux-2.4.22.tar.gz
                dest: /usr/src
                creates: /usr/src/linux-2.4.22
                """);

        Change change = converge(spec, rig);

        assertThat(change.action()).isEqualTo(Action.CREATE);
        assertKernelTree(rig.at("/usr/src"));
    }

    @Test
    void onlyTheCreatesPathIsClaimed_theSharedDestIsFilled() {
        ArchiveSpec guarded = spec("""
                type: archive
                source: linux-2.4.22.tar.gz
                dest: /usr/src
                creates: /usr/src/linux-2.4.22
                """);
        ArchiveSpec plain = spec("""
                type: archive
                source: /srv/dist/linux-2.4.22.tar.gz
                dest: /usr/src
                """);

        assertThat(new ArchiveType().paths(guarded))
                .isEqualTo(new Paths(Set.of("/usr/src/linux-2.4.22"), Set.of(), Set.of(), Set.of("/usr/src")));
        assertThat(new ArchiveType().paths(plain)).isEqualTo(new Paths(Set.of(), Set.of(), Set.of(), Set.of("/usr/src")));
    }
}
