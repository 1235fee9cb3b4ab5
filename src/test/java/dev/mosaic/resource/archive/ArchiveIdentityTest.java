package dev.mosaic.resource.archive;

import static dev.mosaic.testing.Tp.tp;
import dev.mosaic.host.FileStat;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.TargetPaths;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The manifest's quick check: a file whose identity (size, mtime, inode) is unchanged is not read;
 * one whose identity changed is compared by content (CRC32C, or SHA-256 in an old manifest).
 */
class ArchiveIdentityTest extends ArchiveTestSupport {

    private static final byte[] TREE = Archives.of()
            .dir("ltsp/")
            .dir("ltsp/etc/")
            .file("ltsp/etc/lts.conf", "[default]\nSERVER = 192.168.0.254\n")
            .file("ltsp/etc/inittab", "id:5:initdefault:\n")
            .symlink("ltsp/etc/X11", "../X11R6/etc")
            .tarGz();

    private ArchiveSpec ltsp() {
        return spec("""
                type: archive
                source: ltsp.tgz
                dest: /opt
                """);
    }

    private Manifest manifest() throws Exception {
        return Manifest.read(rig.memory()).orElseThrow();
    }

    /** The manifest rewritten entry by entry. */
    private void rewrite(java.util.function.UnaryOperator<Manifest.Entry> change) throws Exception {
        Manifest m = manifest();
        List<Manifest.Entry> entries = new ArrayList<>();
        for (Manifest.Entry e : m.entries()) {
            entries.add(e.kind().equals("file") ? change.apply(e) : e);
        }
        new Manifest(m.version(), m.archive(), m.source(), m.dest(), m.format(), m.strip(), entries).write(rig.memory());
    }

    private FileStat stat(Manifest.Entry e) throws Exception {
        return rig.host().stat(tp(TargetPaths.join("/opt", e.path())));
    }

    @Test
    void anUnpackRecordsAVersion2ManifestWithCrc32cAndNoSha256() throws Exception {
        playbookFile("ltsp.tgz", TREE);
        converge(ltsp(), rig);

        Manifest m = manifest();

        assertThat(m.version()).isEqualTo(2);
        Manifest.Entry conf = m.entries().stream().filter(e -> e.path().equals("ltsp/etc/lts.conf")).findFirst().orElseThrow();
        assertThat(conf.sha256()).isNull();
        assertThat(conf.crc32c()).isEqualTo(Drift.crc32c(new java.io.ByteArrayInputStream(
                "[default]\nSERVER = 192.168.0.254\n".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void aPlanTrustsAnUnchangedIdentityAndReadsNoContent() throws Exception {
        playbookFile("ltsp.tgz", TREE);
        converge(ltsp(), rig);
        // A trap: every file's recorded CRC is wrong, but its identity is the one lstat shows.
        // Were any content read, the plan would list the file as changed.
        rewrite(e -> {
            try {
                FileStat s = stat(e);
                return new Manifest.Entry(e.path(), e.kind(), e.mode(), e.size(), null, "00000000",
                        s.mtimeNanos(), s.inode(), null);
            } catch (Exception x) {
                throw new IllegalStateException(x);
            }
        });

        Change change = plan(ltsp(), rig);

        assertThat(change.isNoop()).as("diffs: %s", change.diffs()).isTrue();
    }

    @Test
    void aFileRewrittenWithTheSameSizeIsFoundByItsNewIdentityAndContent() throws Exception {
        playbookFile("ltsp.tgz", TREE);
        converge(ltsp(), rig);
        Path conf = rig.at("/opt/ltsp/etc/lts.conf");
        Files.setLastModifiedTime(conf, FileTime.fromMillis(Files.getLastModifiedTime(conf).toMillis() - 60_000));
        trustAll(); // recorded a minute in the past, as an old unpack would have
        Files.writeString(conf, "[default]\nSERVER = 192.168.0.253\n");

        Change change = converge(ltsp(), rig);

        assertThat(tree(change).changed()).containsExactly("ltsp/etc/lts.conf");
        assertThat(text(conf)).isEqualTo("[default]\nSERVER = 192.168.0.254\n");
    }

    @Test
    void aTouchedFileWithItsContentIntactIsNoDrift() throws Exception {
        playbookFile("ltsp.tgz", TREE);
        converge(ltsp(), rig);
        trustAll();
        Path conf = rig.at("/opt/ltsp/etc/lts.conf");
        Files.setLastModifiedTime(conf, FileTime.fromMillis(1_000_000_000_000L));

        assertThat(plan(ltsp(), rig).isNoop()).isTrue();
    }

    @Test
    void aDriftRepairRecordsTheRepairedFilesAgain() throws Exception {
        playbookFile("ltsp.tgz", TREE);
        converge(ltsp(), rig);
        Files.delete(rig.at("/opt/ltsp/etc/inittab"));

        converge(ltsp(), rig);

        Manifest m = manifest();
        assertThat(m.entries()).extracting(Manifest.Entry::path)
                .containsExactly("ltsp", "ltsp/etc", "ltsp/etc/lts.conf", "ltsp/etc/inittab", "ltsp/etc/X11");
        Manifest.Entry inittab = m.entries().get(3);
        assertThat(inittab.crc32c()).isEqualTo(Drift.crc32c(new java.io.ByteArrayInputStream(
                "id:5:initdefault:\n".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void aVersion1ManifestIsStillComparedBySha256() throws Exception {
        playbookFile("ltsp.tgz", TREE);
        converge(ltsp(), rig);
        rewrite(e -> {
            try {
                String sha = sha256(Files.readAllBytes(rig.at(TargetPaths.join("/opt", e.path()))));
                return new Manifest.Entry(e.path(), e.kind(), e.mode(), e.size(), sha, null, null, null, null);
            } catch (Exception x) {
                throw new IllegalStateException(x);
            }
        });

        assertThat(plan(ltsp(), rig).isNoop()).isTrue();

        Files.writeString(rig.at("/opt/ltsp/etc/inittab"), "id:3:initdefault:\n");
        assertThat(tree(plan(ltsp(), rig)).changed()).containsExactly("ltsp/etc/inittab");
    }

    @Test
    void theNewestFilesOfAnUnpackGetNoIdentityAsGitsRacyEntries() throws Exception {
        Path dest = rig.at("/srv");
        Files.createDirectories(dest);
        Files.writeString(dest.resolve("old"), "old\n");
        Files.writeString(dest.resolve("new"), "new\n");
        Files.setLastModifiedTime(dest.resolve("old"), FileTime.fromMillis(1_000_000_000_000L));
        // Newer than anything else, the directories included: the file system's clock has not
        // moved past it, so a write within the same tick would keep its identity.
        Files.setLastModifiedTime(dest.resolve("new"), FileTime.fromMillis(System.currentTimeMillis() + 3_600_000));
        List<Manifest.Entry> written = List.of(Manifest.Entry.file("old", 0644, 4, "x"), Manifest.Entry.file("new", 0644, 4, "y"));

        List<Manifest.Entry> stamped = Drift.stamped(written, "/srv", rig.host());

        assertThat(stamped.get(0).mtime()).isEqualTo(1_000_000_000_000L * 1_000_000L);
        assertThat(stamped.get(0).inode()).isEqualTo(rig.host().stat(tp("/srv/old")).inode());
        assertThat(stamped.get(1).mtime()).isNull();
    }

    @Test
    void anMtimeRecordedInWholeSecondsMatchesTheNanosecondsOfALaterProbe() {
        // SFTP tells seconds and no inode right after a write; the next run's probe tells both.
        Manifest.Entry recorded = Manifest.Entry.file("f", 0644, 4, "x").identified(1_700_000_000_000_000_000L, 0);
        FileStat probed = new FileStat(FileStat.Kind.FILE, 4, 1_700_000_000_123_456_789L, 42, 0644, 0, 0, null);
        FileStat later = new FileStat(FileStat.Kind.FILE, 4, 1_700_000_001_000_000_000L, 42, 0644, 0, 0, null);

        assertThat(Drift.sameIdentity(recorded, probed)).isTrue();
        assertThat(Drift.sameIdentity(recorded, later)).isFalse();
        Manifest.Entry precise = recorded.identified(1_700_000_000_123_456_789L, 42);
        assertThat(Drift.sameIdentity(precise, probed)).isTrue();
        assertThat(Drift.sameIdentity(precise.identified(1_700_000_000_123_456_789L, 43), probed)).isFalse();
    }

    @Test
    void aPlanUsesTheArchivesRememberedDigestWhileItsIdentityHolds_andHashesItOnceTouched() throws Exception {
        Path archive = playbookFile("ltsp.tgz", TREE);
        Files.setLastModifiedTime(archive, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        converge(ltsp(), rig);
        // A trap: the remembered digest is changed; a plan that used it shows another archive.
        String note = rig.memory().get(SourceDigest.KEY).orElseThrow();
        rig.memory().put(SourceDigest.KEY, note.replace(sha256(TREE), "f".repeat(64)));

        Change trusted = plan(ltsp(), rig);

        assertThat(field(trusted, "sha256").after()).isEqualTo("f".repeat(64));
        Files.setLastModifiedTime(archive, FileTime.fromMillis(System.currentTimeMillis() - 30_000));
        assertThat(plan(ltsp(), rig).isNoop()).as("hashed again once touched").isTrue();
    }

    /** Gives every file of the manifest the identity it has now, as a run long after the unpack would find. */
    private void trustAll() throws Exception {
        rewrite(e -> {
            try {
                FileStat s = stat(e);
                return e.identified(s.mtimeNanos(), s.inode());
            } catch (Exception x) {
                throw new IllegalStateException(x);
            }
        });
    }
}
