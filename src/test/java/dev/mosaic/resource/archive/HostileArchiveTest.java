package dev.mosaic.resource.archive;

import dev.mosaic.resource.ResourceException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile archives are refused with a message naming the entry, and nothing at all is written:
 * each archive starts with a harmless file, which must not appear either.
 */
class HostileArchiveTest extends ArchiveTestSupport {

    private Map<String, String> before;

    @BeforeEach
    void destinationWithAnExistingFile() throws Exception {
        Files.createDirectories(rig.at("/srv/unpack"));
        Files.writeString(rig.at("/srv/unpack/keep.txt"), "precious\n");
        Files.createDirectories(rig.at("/etc"));
        Files.writeString(rig.at("/etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
        before = snapshot(rig.root);
    }

    private static Archives harmlessFirst() {
        return Archives.of().file("aaa-harmless.txt", "hello\n");
    }

    /** Unpacks {@code name} from the playbook dir; returns the refusal's message. */
    private String refused(String name, byte[] archive, String extra) {
        playbookFile(name, archive);
        ArchiveSpec spec = spec("""
                type: archive
                source: %s
                dest: /srv/unpack
                %s
                """.formatted(name, extra));

        ResourceException e = refusal(spec, rig);

        assertThat(snapshot(rig.root)).as("the target after the refusal").isEqualTo(before);
        assertThat(rig.memoryDir.resolve(Manifest.KEY)).doesNotExist();
        return e.getMessage();
    }

    private String refused(String name, byte[] archive) {
        return refused(name, archive, "");
    }

    @Test
    void aZipSlipEntryClimbingOutWithDotDotIsRefused() {
        String message = refused("evil.zip", harmlessFirst().file("../evil", "pwned").zip());

        assertThat(message).contains("entry '../evil'").contains("'..'").contains("nothing was written to /srv/unpack");
    }

    @Test
    void aTarEntryClimbingOutWithDotDotInTheMiddleIsRefused() {
        String message = refused("evil.tar", harmlessFirst().file("sub/../../../etc/passwd", "pwned").tar());

        assertThat(message).contains("entry 'sub/../../../etc/passwd'").contains("'..'");
    }

    @Test
    void anAbsolutePathEntryIsRefused() {
        String message = refused("evil.tar.gz", harmlessFirst().file("/etc/passwd", "pwned").tarGz());

        assertThat(message).contains("entry '/etc/passwd'").contains("absolute path");
    }

    @Test
    void aSymlinkPointingOutsideTheDestinationIsRefused() {
        String message = refused("evil.tar", harmlessFirst().symlink("etc", "../../../etc").tar());

        assertThat(message).contains("entry 'etc'").contains("symlink to '../../../etc'").contains("outside /srv/unpack");
    }

    @Test
    void anAbsoluteSymlinkOutsideTheDestinationIsRefused() {
        String message = refused("evil.zip", harmlessFirst().symlink("shadow", "/etc/shadow").zip());

        assertThat(message).contains("entry 'shadow'").contains("outside /srv/unpack");
    }

    @Test
    void aSymlinkThatEscapesOnlyThroughAnotherSymlinkIsRefused() {
        // Each target stays inside on its own; followed together, "up/.." is the parent of dest.
        String message = refused("evil.tar", harmlessFirst()
                .symlink("up", ".")
                .symlink("out", "up/..")
                .tar());

        assertThat(message).contains("entry 'out'").contains("outside /srv/unpack");
    }

    @Test
    void anEntryWrittenThroughASymlinkOfTheSameArchiveIsRefused() {
        String message = refused("evil.tar", harmlessFirst()
                .dir("real/")
                .symlink("alias", "real")
                .file("alias/payload", "through the link")
                .tar());

        assertThat(message).contains("entry 'alias/payload'").contains("below 'alias'");
    }

    @Test
    void aHardLinkToAnAbsolutePathOutsideIsRefused() {
        String message = refused("evil.tar", harmlessFirst().hardlink("passwd", "/etc/passwd").tar());

        assertThat(message).contains("entry 'passwd'").contains("hard link to '/etc/passwd'");
    }

    @Test
    void aHardLinkClimbingOutWithDotDotIsRefused() {
        String message = refused("evil.tar", harmlessFirst().hardlink("passwd", "../../etc/passwd").tar());

        assertThat(message).contains("entry 'passwd'").contains("hard link to '../../etc/passwd'").contains("'..'");
    }

    @Test
    void aHardLinkToAnEntryThatIsNotInTheArchiveIsRefused() {
        String message = refused("evil.tar", harmlessFirst().hardlink("passwd", "etc/passwd").tar());

        assertThat(message).contains("entry 'passwd'").contains("not a regular file unpacked earlier");
    }

    @Test
    void aCharacterDeviceIsRefused() {
        String message = refused("dev.tar", harmlessFirst().charDevice("dev/mem").tar());

        assertThat(message).contains("entry 'dev/mem'").contains("character device");
    }

    @Test
    void aDeviceNodeInAZipIsRefused() {
        String message = refused("dev.zip", harmlessFirst().charDevice("dev/kmem").zip());

        assertThat(message).contains("entry 'dev/kmem'").contains("character device");
    }

    @Test
    void aFifoIsRefused() {
        String message = refused("fifo.tar", harmlessFirst().fifo("initctl").tar());

        assertThat(message).contains("entry 'initctl'").contains("fifo");
    }

    @Test
    void aSetuidFileIsRefusedUnlessAllowed() {
        String message = refused("suid.tar", harmlessFirst().file("bin/rootshell", "ELF", 04755).tar());

        assertThat(message).contains("entry 'bin/rootshell'").contains("setuid").contains("4755")
                .contains("allow_setuid");
    }

    @Test
    void aSetgidFileIsRefusedUnlessAllowed() {
        String message = refused("sgid.tar", harmlessFirst().file("bin/wall", "ELF", 02755).tar());

        assertThat(message).contains("entry 'bin/wall'").contains("setgid");
    }

    @Test
    void aZipWithTwoEntriesOfTheSameName_isRefusedNamingTheEntry() {
        byte[] zip = harmlessFirst().file("etc/motd", "hello\n").file("etc/motd", "owned\n").zip();

        String message = refused("dup.zip", zip);

        assertThat(message).contains("entry 'etc/motd'").contains("twice");
    }

    @Test
    void aZipDeclaredAsTar_isRefusedInsteadOfUnpackingNothing() {
        String message = refused("really-a-zip.bin", harmlessFirst().zip(), "format: tar");

        assertThat(message).contains("read as tar").contains("zip");
    }

    @Test
    void aZipNamedLikeATarGz_isRefusedByItsFirstBytes() {
        String message = refused("really-a-zip.tar.gz", harmlessFirst().zip());

        assertThat(message).contains("read as tar.gz").contains("zip");
    }

    @Test
    void bytesThatAreNoArchiveAtAllDeclaredAsTar_areRefused() {
        String message = refused("notes.tar", "just some text, no tar header at all\n".repeat(40).getBytes(),
                "format: tar");

        assertThat(message).contains("not a tar archive");
    }

    @Test
    void aDecompressionBombBeyondMaxRatioIsRefused() {
        byte[] bomb = harmlessFirst().file("zeros.img", new byte[16 << 20], 0644).tarGz();
        assertThat(bomb.length).isLessThan(100_000);

        String message = refused("bomb.tar.gz", bomb);

        assertThat(message).contains("entry 'zeros.img'").contains("max_ratio (200)");
    }

    @Test
    void anArchiveUnpackingBeyondMaxSizeIsRefused() {
        byte[] big = harmlessFirst().file("big.img", new byte[2 << 20], 0644).tarGz();

        String message = refused("big.tar.gz", big, "max_size: 1MiB\nmax_ratio: 100000");

        assertThat(message).contains("entry 'big.img'").contains("max_size (1.0 MiB)");
    }

    @Test
    void aSingleCompressedFileBombIsRefused() {
        String message = refused("zeros.gz", Archives.gz(new byte[8 << 20]), "max_ratio: 10");

        assertThat(message).contains("entry 'zeros'").contains("max_ratio (10)");
    }

    @Test
    void anArchiveWithMoreEntriesThanMaxEntriesIsRefused() {
        String message = refused("many.tar", harmlessFirst().file("b", "").file("c", "").file("d", "").tar(),
                "max_entries: 3");

        assertThat(message).contains("entry 'd'").contains("max_entries (3)");
    }

    @Test
    void aWrongSha256ForALocalFileIsRefusedWithBothDigests() {
        byte[] archive = harmlessFirst().tar();
        String wrong = "0".repeat(64);

        String message = refused("good.tar", archive, "sha256: \"" + wrong + "\"");

        assertThat(message).contains("expected sha256:" + wrong).contains("got sha256:" + sha256(archive));
    }

    @Test
    void harmlessRelativeSymlinksInsideTheDestinationAreFine() throws Exception {
        playbookFile("ok.tar", harmlessFirst()
                .dir("usr/lib/")
                .file("usr/lib/libc-2.3.2.so", "ELF")
                .symlink("usr/lib/libc.so.6", "libc-2.3.2.so")
                .symlink("usr/lib/self", "../lib/./")
                .symlink("usr/top", "/srv/unpack/usr/lib")
                .tar());

        converge(spec("""
                type: archive
                source: ok.tar
                dest: /srv/unpack
                """), rig);

        assertThat(Files.readSymbolicLink(rig.at("/srv/unpack/usr/lib/libc.so.6"))).isEqualTo(Path.of("libc-2.3.2.so"));
        assertThat(text(rig.at("/srv/unpack/usr/lib/libc.so.6"))).isEqualTo("ELF");
    }

    // ------------------------------------------------------------------ a new destination, one pass

    /**
     * Unpacks {@code archive} into {@code dest}, which does not exist: the single pass, checking
     * while it writes into a staging tree. Returns the refusal's message; nothing may be left,
     * the staging tree and the parents made for it included.
     */
    private String refusedIntoANewDestination(String name, byte[] archive, String dest, String extra) {
        playbookFile(name, archive);
        ArchiveSpec spec = spec("""
                type: archive
                source: %s
                dest: %s
                %s
                """.formatted(name, dest, extra));

        ResourceException e = refusal(spec, rig);

        assertThat(snapshot(rig.root)).as("the target after the refusal").isEqualTo(before);
        assertThat(rig.memoryDir.resolve(Manifest.KEY)).doesNotExist();
        return e.getMessage();
    }

    @Test
    void intoANewDestination_aSymlinkLeadingOutFoundOnlyAtTheEnd_leavesNothing() {
        String message = refusedIntoANewDestination("evil.tar.gz", harmlessFirst().dir("sub/").file("sub/more", "x")
                .symlink("etc", "../../../etc").tarGz(), "/srv/new", "");

        assertThat(message).contains("entry 'etc'").contains("outside /srv/new").contains("nothing was written to /srv/new");
    }

    @Test
    void intoANewDestination_anEntryBelowASymlinkOfTheArchive_leavesNothing() {
        String message = refusedIntoANewDestination("evil.tar.xz", harmlessFirst().dir("real/").symlink("alias", "real")
                .file("alias/payload", "through the link").tarXz(), "/srv/new", "");

        assertThat(message).contains("entry 'alias/payload'").contains("below 'alias'");
    }

    @Test
    void intoANewDestinationWhoseParentsAreMissing_aDotDotEntry_leavesNoParentBehind() {
        String message = refusedIntoANewDestination("evil.tar.gz", harmlessFirst().file("sub/../../../etc/passwd", "pwned")
                .tarGz(), "/opt/vendor/new", "");

        assertThat(message).contains("entry 'sub/../../../etc/passwd'").contains("'..'");
    }

    @Test
    void intoANewDestination_aFilePastMaxSize_isRefusedWhileItIsRead() {
        byte[] big = harmlessFirst().file("big.img", new byte[2 << 20], 0644).tarGz();

        String message = refusedIntoANewDestination("big.tar.gz", big, "/srv/new", "max_size: 1MiB\nmax_ratio: 100000");

        assertThat(message).contains("entry 'big.img'").contains("max_size (1.0 MiB)");
    }

    @Test
    void intoANewDestination_aSetuidFile_leavesNothing() {
        String message = refusedIntoANewDestination("suid.tar.gz", harmlessFirst().file("bin/su", "ELF", 04755).tarGz(),
                "/srv/new", "");

        assertThat(message).contains("entry 'bin/su'").contains("setuid");
    }

    @Test
    void intoANewDestination_anArchiveChangedBetweenPlanAndApply_isRefusedBeforeItsTreeAppears() throws Exception {
        playbookFile("src.tar.gz", harmlessFirst().file("v", "1").tarGz());
        ArchiveSpec spec = spec("""
                type: archive
                source: src.tar.gz
                dest: /opt/new
                """);
        dev.mosaic.resource.Change planned = plan(spec, rig);
        byte[] other = harmlessFirst().file("v", "2").tarGz();
        playbookFile("src.tar.gz", other);

        ResourceException e = org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> ARCHIVE.apply(spec, planned, rig), ResourceException.class);

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("changed since it was observed").contains("sha256:" + sha256(other));
        assertThat(snapshot(rig.root)).isEqualTo(before);
    }

    @Test
    void intoANewDestination_aTruncatedArchive_isReadAgainByJavaAndRefusedWithoutATrace() {
        byte[] whole = harmlessFirst().file("big.bin", new byte[1 << 16], 0644).file("z", "end").tarGz();
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length / 2);
        playbookFile("cut.tar.gz", cut);
        ArchiveSpec spec = spec("""
                type: archive
                source: cut.tar.gz
                dest: /srv/new
                """);

        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> converge(spec, rig));

        assertThat(t).isNotNull();
        assertThat(snapshot(rig.root)).isEqualTo(before);
    }
}
