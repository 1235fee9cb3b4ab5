package dev.mosaic.resource.archive;

import dev.mosaic.resource.Action;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.ResourceException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Unpacked once, then only what changed: a new archive, or files that drifted from the manifest. */
class ArchiveIdempotenceTest extends ArchiveTestSupport {

    private static final byte[] V1 = Archives.of()
            .dir("ltsp/")
            .dir("ltsp/etc/")
            .file("ltsp/etc/lts.conf", "[default]\nSERVER = 192.168.0.254\n")
            .file("ltsp/etc/inittab", "id:5:initdefault:\n")
            .file("ltsp/bin/startx", "#!/bin/sh\nexec X\n", 0755)
            .symlink("ltsp/etc/X11", "../X11R6/etc")
            .tarGz();

    private static final byte[] V2 = Archives.of()
            .dir("ltsp/")
            .dir("ltsp/etc/")
            .file("ltsp/etc/lts.conf", "[default]\nSERVER = 10.0.0.1\n")
            .file("ltsp/bin/startx", "#!/bin/sh\nexec X -nolisten tcp\n", 0755)
            .tarGz();

    private ArchiveSpec ltsp() {
        return spec("""
                type: archive
                source: ltsp-4.1-i386.tgz
                dest: /opt
                """);
    }

    private Path dest() {
        return rig.at("/opt");
    }

    @Test
    void theFirstPlanCreatesWithTheArchiveDigest() throws Exception {
        playbookFile("ltsp-4.1-i386.tgz", V1);

        Change change = plan(ltsp(), rig);

        assertThat(change.action()).isEqualTo(Action.CREATE);
        assertThat(field(change, "sha256")).isEqualTo(new Diff.Field("sha256", null, sha256(V1)));
        assertThat(dest()).doesNotExist();
    }

    @Test
    void aSecondRunIsANoopThatRewritesNothing() throws Exception {
        playbookFile("ltsp-4.1-i386.tgz", V1);
        converge(ltsp(), rig);
        Map<String, String> before = snapshot(dest());

        Change second = converge(ltsp(), rig);

        assertThat(second.isNoop()).isTrue();
        assertThat(snapshot(dest())).isEqualTo(before);
    }

    @Test
    void aModifiedAndAMissingFileAreListedAndOnlyTheyAreRestored() throws Exception {
        playbookFile("ltsp-4.1-i386.tgz", V1);
        converge(ltsp(), rig);
        Path conf = dest().resolve("ltsp/etc/lts.conf");
        Files.writeString(conf, "[default]\nSERVER = 192.168.0.253\n"); // same size, other content
        Files.delete(dest().resolve("ltsp/etc/inittab"));
        Path startx = dest().resolve("ltsp/bin/startx");
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(startx, old);

        Change drift = plan(ltsp(), rig);

        assertThat(drift.action()).isEqualTo(Action.UPDATE);
        assertThat(drift.diffs()).containsExactly(
                new Diff.Tree("files", List.of("ltsp/etc/inittab"), List.of("ltsp/etc/lts.conf"), List.of()));

        converge(ltsp(), rig);

        assertThat(text(conf)).isEqualTo("[default]\nSERVER = 192.168.0.254\n");
        assertThat(text(dest().resolve("ltsp/etc/inittab"))).isEqualTo("id:5:initdefault:\n");
        assertThat(Files.getLastModifiedTime(startx)).as("an intact file is not rewritten").isEqualTo(old);
    }

    @Test
    void aChangedModeAndARetargetedSymlinkAreDrift() throws Exception {
        playbookFile("ltsp-4.1-i386.tgz", V1);
        converge(ltsp(), rig);
        Files.setPosixFilePermissions(dest().resolve("ltsp/bin/startx"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.delete(dest().resolve("ltsp/etc/X11"));
        Files.createSymbolicLink(dest().resolve("ltsp/etc/X11"), Path.of("/etc/X11"));

        Change drift = converge(ltsp(), rig);

        assertThat(tree(drift).changed()).containsExactly("ltsp/bin/startx", "ltsp/etc/X11");
        assertThat(mode(dest().resolve("ltsp/bin/startx"))).isEqualTo(0755);
        assertThat(Files.readSymbolicLink(dest().resolve("ltsp/etc/X11")).toString()).isEqualTo("../X11R6/etc");
    }

    @Test
    void aNewArchiveIsUnpackedAgainAndShownAsADigestChange() throws Exception {
        playbookFile("ltsp-4.1-i386.tgz", V1);
        converge(ltsp(), rig);
        playbookFile("ltsp-4.1-i386.tgz", V2);

        Change change = converge(ltsp(), rig);

        assertThat(change.action()).isEqualTo(Action.UPDATE);
        assertThat(field(change, "sha256")).isEqualTo(new Diff.Field("sha256", sha256(V1), sha256(V2)));
        assertThat(text(dest().resolve("ltsp/etc/lts.conf"))).contains("10.0.0.1");
        assertThat(text(dest().resolve("ltsp/bin/startx"))).contains("-nolisten tcp");
        assertThat(text(dest().resolve("ltsp/etc/inittab"))).as("unpacking never deletes").isEqualTo("id:5:initdefault:\n");
    }

    @Test
    void aNewArchiveIsAnInputChangeForTheEngine() throws Exception {
        playbookFile("ltsp-4.1-i386.tgz", V1);
        ArchiveType type = new ArchiveType();
        ArchiveType.Observed first = type.observe(ltsp(), rig);
        playbookFile("ltsp-4.1-i386.tgz", V2);
        ArchiveType.Observed second = type.observe(ltsp(), rig);

        assertThat(type.inputDigest(ltsp(), first)).isEqualTo(sha256(V1));
        assertThat(type.inputDigest(ltsp(), second)).isEqualTo(sha256(V2));
    }

    @Test
    void changingStripComponentsUnpacksAgain() throws Exception {
        playbookFile("ltsp-4.1-i386.tgz", V1);
        converge(ltsp(), rig);
        ArchiveSpec stripped = spec("""
                type: archive
                source: ltsp-4.1-i386.tgz
                dest: /opt
                strip_components: 1
                """);

        Change change = converge(stripped, rig);

        assertThat(field(change, "strip_components")).isEqualTo(new Diff.Field("strip_components", "0", "1"));
        assertThat(text(dest().resolve("etc/lts.conf"))).contains("192.168.0.254");
    }

    @Test
    void filesInDestThatTheArchiveDoesNotHaveAreLeftAlone() throws Exception {
        playbookFile("ltsp-4.1-i386.tgz", V1);
        Files.createDirectories(dest().resolve("ltsp/etc"));
        Files.writeString(dest().resolve("ltsp/etc/local.conf"), "mine\n");
        Files.writeString(dest().resolve("README"), "also mine\n");

        converge(ltsp(), rig);
        Files.writeString(dest().resolve("ltsp/etc/local.conf"), "still mine\n");

        assertThat(plan(ltsp(), rig).isNoop()).isTrue();
        assertThat(text(dest().resolve("README"))).isEqualTo("also mine\n");
    }

    @Test
    void aDirectoryInTheWayOfAFileIsRefusedAndNothingIsWritten() throws Exception {
        playbookFile("ltsp-4.1-i386.tgz", V1);
        Files.createDirectories(dest().resolve("ltsp/etc/inittab"));
        Map<String, String> before = snapshot(dest());

        ResourceException e = refusal(ltsp(), rig);

        assertThat(e.getMessage()).contains("/opt/ltsp/etc/inittab is a directory").contains("ltsp/etc/inittab");
        assertThat(snapshot(dest())).isEqualTo(before);
    }

    @Test
    void aMissingSourceIsReportedAtPlan() {
        ResourceException e = org.assertj.core.api.Assertions.catchThrowableOfType(() -> plan(ltsp(), rig),
                ResourceException.class);

        assertThat(e).hasMessageContaining("ltsp-4.1-i386.tgz").hasMessageContaining("does not exist");
    }

    @Test
    void aLostManifestMeansAFreshUnpack() throws Exception {
        playbookFile("ltsp-4.1-i386.tgz", V1);
        converge(ltsp(), rig);
        Files.writeString(rig.memoryDir.resolve(Manifest.KEY), "{not json");

        Change change = converge(ltsp(), rig);

        assertThat(change.action()).isEqualTo(Action.CREATE);
        assertThat(Files.readString(rig.memoryDir.resolve(Manifest.KEY))).contains(sha256(V1));
    }
}
