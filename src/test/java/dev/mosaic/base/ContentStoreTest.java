package dev.mosaic.base;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContentStoreTest {

    @TempDir
    Path tmp;
    /** The store's directory; {@code tmp/outside} is beside it. */
    Path dir;

    @BeforeEach
    void makeStore() throws IOException {
        dir = Files.createDirectory(tmp.resolve("store"));
    }

    private ContentStore store() {
        return new ContentStore(dir);
    }

    private String put(String text) throws IOException {
        return store().put(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    private long files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void put_namesTheFileByItsDigest_andKeepsTheSameContentOnce() throws Exception {
        String a = put("kernel");
        String b = put("kernel");

        assertThat(a).isEqualTo(b).isEqualTo(Sha256.hex("kernel"));
        assertThat(dir.resolve(a)).hasContent("kernel");
        assertThat(files()).as("one file, no temp file left").isEqualTo(1);
        assertThat(store().get(a)).hasValueSatisfying(bytes -> assertThat(new String(bytes, StandardCharsets.UTF_8))
                .isEqualTo("kernel"));
    }

    @Test
    void put_againRenewsTheFile_soTrimRemovesIt_last() throws Exception {
        String old = put("old");
        String young = put("young");
        Files.setLastModifiedTime(dir.resolve(old), FileTime.fromMillis(1_000));
        Files.setLastModifiedTime(dir.resolve(young), FileTime.fromMillis(2_000));

        put("old"); // stored again: now the most recent

        assertThat(store().trim(3)).isEqualTo(1);
        assertThat(dir.resolve(old)).exists();
        assertThat(dir.resolve(young)).doesNotExist();
    }

    @Test
    void get_aCopyDamagedOnDisk_isNoCopy() throws Exception {
        String sha = put("intact");
        Files.writeString(dir.resolve(sha), "damaged");

        assertThat(store().get(sha)).isEmpty();
    }

    @Test
    void get_aNameThatIsNoDigest_isNothing_andNeverLeavesTheStore() throws Exception {
        assertThat(store().get("../../etc/passwd")).isEmpty();
        assertThat(store().path("ABC")).isEmpty();
    }

    @Test
    void aLinkAtADigestsName_isNeverReadNorWrittenThrough_norTrimmedThrough() throws Exception {
        Path outside = tmp.resolve("outside");
        Files.writeString(outside, "payload");
        String sha = Sha256.hex("payload");
        Files.createSymbolicLink(dir.resolve(sha), outside);

        assertThat(store().get(sha)).as("a link is not a copy this store kept").isEmpty();
        assertThat(store().trim(0)).isZero();
        assertThat(outside).as("never trimmed through the link").exists();
        assertThat(put("payload")).isEqualTo(sha);

        assertThat(Files.isSymbolicLink(dir.resolve(sha))).as("the link was replaced").isFalse();
        assertThat(Files.isRegularFile(dir.resolve(sha), LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(outside).hasContent("payload");
    }

    @Test
    void trim_removesTheLeastRecentlyStoredFirst_untilTheTotalFits() throws Exception {
        String[] shas = {put("aaaa"), put("bbbb"), put("cccc")};
        for (int i = 0; i < shas.length; i++) {
            Files.setLastModifiedTime(dir.resolve(shas[i]), FileTime.fromMillis(1_000L * (i + 1)));
        }

        assertThat(store().trim(8)).isEqualTo(1);

        assertThat(dir.resolve(shas[0])).doesNotExist();
        assertThat(dir.resolve(shas[1])).exists();
        assertThat(dir.resolve(shas[2])).exists();
    }

    @Test
    void receive_keepsOnlyWhatTheCallerKeeps_andLeavesNoTempFile() throws Exception {
        String wanted;
        try (ContentStore.Incoming in = store().receive(out -> {
            out.write("refused".getBytes(StandardCharsets.UTF_8));
            return Sha256.hex("refused");
        })) {
            assertThat(in.digest()).isEqualTo(Sha256.hex("refused"));
            // not kept: closed
        }
        assertThat(files()).as("nothing left of what was not kept").isZero();

        try (ContentStore.Incoming in = store().receive(out -> {
            out.write("kept".getBytes(StandardCharsets.UTF_8));
            return Sha256.hex("kept");
        })) {
            wanted = in.digest();
            assertThat(in.keep()).isEqualTo(dir.resolve(wanted));
        }
        assertThat(dir.resolve(wanted)).hasContent("kept");
        assertThat(files()).isEqualTo(1);
    }

    @Test
    void receive_aWriterThatFails_orGivesNoDigest_leavesNothing() {
        assertThatThrownBy(() -> store().receive(out -> {
            out.write(1);
            throw new IOException("connection reset");
        })).hasMessage("connection reset");
        assertThatThrownBy(() -> store().receive(out -> "../../etc/passwd")).hasMessageContaining("not a sha256");

        assertThat(dir.toFile().list()).isEmpty();
    }

    @Test
    void adopt_renamesAFileWrittenInTheStore_underTheGivenDigest_andRefusesALink() throws Exception {
        Path work = Files.createDirectory(dir.resolve(".work"));
        Path deb = Files.writeString(work.resolve("x.deb"), "package");
        String sha = ContentStore.sha256Of(deb);

        assertThat(store().adopt(deb, sha)).isEqualTo(dir.resolve(sha)).hasContent("package");
        assertThat(deb).doesNotExist();

        Path outside = Files.writeString(tmp.resolve("outside"), "payload");
        Path link = Files.createSymbolicLink(work.resolve("y.deb"), outside);
        assertThatThrownBy(() -> store().adopt(link, Sha256.hex("payload"))).isInstanceOf(IOException.class);
        assertThat(dir.resolve(Sha256.hex("payload"))).doesNotExist();
        assertThatThrownBy(() -> ContentStore.sha256Of(link)).as("hashing never follows a link").isInstanceOf(IOException.class);
    }

    @Test
    void checked_aDamagedCopyIsRemoved_anIntactOneKept_aLinkIgnored() throws Exception {
        String intact = put("intact");
        String damaged = put("damaged");
        Files.writeString(dir.resolve(damaged), "DAMAGED");
        Path outside = Files.writeString(tmp.resolve("outside"), "payload");
        Files.createSymbolicLink(dir.resolve(Sha256.hex("payload")), outside);

        assertThat(store().checked(intact)).contains(dir.resolve(intact));
        assertThat(store().checked(damaged)).isEmpty();
        assertThat(dir.resolve(damaged)).as("removed, so that it is stored again").doesNotExist();
        assertThat(store().checked(Sha256.hex("payload"))).isEmpty();
        assertThat(outside).hasContent("payload");
        assertThat(store().checked("not-a-digest")).isEmpty();
    }

    @Test
    void theFirstWriteOfARun_sweepsTempFilesKilledPutsLeft_olderThanAnHour() throws Exception {
        java.time.Instant longAgo = AtomicFile.RUN_START.minus(ContentStore.LEFTOVER_AGE).minusSeconds(60);
        Path leftover = Files.writeString(dir.resolve(".incoming.0123456789abcdef.tmp"), "half a download");
        Files.setLastModifiedTime(leftover, FileTime.from(longAgo));
        Path recent = Files.writeString(dir.resolve(".incoming.fedcba9876543210.tmp"), "another run's download, stalled");
        Files.setLastModifiedTime(recent, FileTime.from(java.time.Instant.now().minusSeconds(600)));
        Path lookAlike = Files.writeString(dir.resolve(".incoming.tmp"), "not ours");
        Files.setLastModifiedTime(lookAlike, FileTime.from(longAgo));

        String sha = put("whole");

        assertThat(leftover).doesNotExist();
        assertThat(recent).exists();
        assertThat(lookAlike).exists();
        assertThat(dir.resolve(sha)).hasContent("whole");
    }
}
