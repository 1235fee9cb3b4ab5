package dev.mosaic.resource.archive;

import dev.mosaic.resource.Change;
import dev.mosaic.resource.ResourceException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * An archive found by observe (in the cache, or on the control machine) and unpacked into a
 * destination that exists is hashed on its way into the spool, not read once more before: the
 * digest is still checked before any entry is read, and a mismatch leaves the target as it was.
 */
class HashedSpoolTest extends ArchiveTestSupport {

    private static final byte[] DEB = Archives.of()
            .dir("./").dir("./usr/").dir("./usr/src/")
            .file("./usr/src/linux-source-6.1.tar.xz", "the kernel's source")
            .dir("./usr/share/").dir("./usr/share/doc/").dir("./usr/share/doc/linux-source-6.1/")
            .file("./usr/share/doc/linux-source-6.1/copyright", "GPL-2")
            .deb("xz");
    private static final byte[] OTHER_DEB = Archives.of()
            .dir("./").dir("./usr/").dir("./usr/src/")
            .file("./usr/src/linux-source-6.1.tar.xz", "something else entirely")
            .deb("xz");

    private ArchiveSpec package61() {
        return ArchiveSpec.deb("apt:linux-source-6.1=6.1.192-3", sha256(DEB), "/", List.of("/usr/src/linux-source-6.1.tar.xz"));
    }

    private Path cached() {
        return ArchiveType.cachedPath(rig.cacheDir, sha256(DEB));
    }

    private List<Path> spooled() throws Exception {
        Path spool = rig.cacheDir.resolve("unpack-spool");
        if (!Files.exists(spool)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(spool)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void aCachedDebUnpacksItsSelectedPathIntoAnExistingTree() throws Exception {
        Archives.write(cached(), DEB);
        Files.createDirectories(rig.at("/usr/src"));
        Files.writeString(rig.at("/usr/src/README"), "kept");

        converge(package61(), rig);

        assertThat(text(rig.at("/usr/src/linux-source-6.1.tar.xz"))).isEqualTo("the kernel's source");
        assertThat(text(rig.at("/usr/src/README"))).isEqualTo("kept");
        assertThat(rig.at("/usr/share")).doesNotExist();
        assertThat(spooled()).isEmpty();
        assertThat(cached()).exists();
    }

    @Test
    void aCachedDebWhoseDigestIsNotAptsIsRefusedRemovedAndNothingIsWritten() throws Exception {
        Archives.write(cached(), OTHER_DEB); // under the digest apt's index gives, another content
        Files.createDirectories(rig.at("/usr/src"));
        Files.writeString(rig.at("/usr/src/README"), "kept");
        Map<String, String> before = snapshot(rig.root);

        ResourceException e = refusal(package61(), rig);

        assertThat(e.getMessage()).contains("damaged").contains("sha256:" + sha256(OTHER_DEB)).contains("nothing was unpacked");
        assertThat(cached()).doesNotExist();
        assertThat(snapshot(rig.root)).isEqualTo(before);
        assertThat(spooled()).isEmpty();
    }

    @Test
    void aLocalArchiveChangedBetweenPlanAndApplyIsRefusedBeforeAnyEntryIsWritten() throws Exception {
        byte[] v1 = Archives.of().dir("linux/").file("linux/Makefile", "VERSION = 6\n").tarXz();
        byte[] v2 = Archives.of().dir("linux/").file("linux/Makefile", "VERSION = 7\n").file("linux/evil", "x").tarXz();
        playbookFile("linux.tar.xz", v1);
        Files.createDirectories(rig.at("/usr/src"));
        Files.writeString(rig.at("/usr/src/README"), "kept");
        ArchiveSpec spec = spec("""
                type: archive
                source: linux.tar.xz
                dest: /usr/src
                """);
        Change planned = plan(spec, rig);
        playbookFile("linux.tar.xz", v2);
        Map<String, String> before = snapshot(rig.root);

        ResourceException e = catchThrowableOfType(() -> new ArchiveType().apply(spec, planned, rig), ResourceException.class);

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("changed since it was observed").contains("sha256:" + sha256(v2));
        assertThat(snapshot(rig.root)).isEqualTo(before);
        assertThat(spooled()).isEmpty();
        playbookFile("linux.tar.xz", v1);
        converge(spec, rig);
        assertThat(text(rig.at("/usr/src/linux/Makefile"))).isEqualTo("VERSION = 6\n");
    }
}
