package dev.mosaic.base;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AtomicFileTest {

    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void write_replacesTheFileWhole_andLeavesNoTempFile() throws Exception {
        Path f = dir.resolve("state.json");
        Files.writeString(f, "old content, longer than the new");

        AtomicFile.write(f, "new".getBytes(StandardCharsets.UTF_8));

        assertThat(f).hasContent("new");
        assertThat(names()).containsExactly("state.json");
    }

    @Test
    void write_aContentThatFails_leavesTheOldFileAndNoTempFile() throws Exception {
        Path f = dir.resolve("state.json");
        Files.writeString(f, "old");

        assertThatThrownBy(() -> AtomicFile.write(f, out -> {
            out.write("half".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        })).hasMessage("disk full");

        assertThat(f).hasContent("old");
        assertThat(names()).containsExactly("state.json");
    }

    @Test
    void write_aLinkAtTheTarget_isReplaced_neverWrittenThrough() throws Exception {
        Path outside = Files.createDirectory(dir.resolve("outside")).resolve("victim");
        Files.writeString(outside, "untouched");
        Path f = dir.resolve("state.json");
        Files.createSymbolicLink(f, outside);

        AtomicFile.write(f, "mine".getBytes(StandardCharsets.UTF_8));

        assertThat(Files.isSymbolicLink(f)).isFalse();
        assertThat(f).hasContent("mine");
        assertThat(outside).hasContent("untouched");
    }

    @Test
    void write_twoWritersAtOnce_eachRenameAWholeFile() throws Exception {
        Path f = dir.resolve("shared.json");
        String a = "a".repeat(100_000);
        String b = "b".repeat(100_000);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String content = i % 2 == 0 ? a : b;
                runs.add(pool.submit(() -> {
                    AtomicFile.write(f, content.getBytes(StandardCharsets.UTF_8));
                    return null;
                }));
            }
            for (Future<?> r : runs) {
                r.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(Files.readString(f)).isIn(a, b);
        assertThat(names()).containsExactly("shared.json");
    }

    @Test
    void stage_thenPublishAs_namesTheFileAfterWhatItHolds() throws Exception {
        java.security.MessageDigest md = Sha256.digest();
        AtomicFile.Temp tmp = AtomicFile.stage(dir, "incoming",
                out -> new java.security.DigestOutputStream(out, md).write("blob".getBytes(StandardCharsets.UTF_8)));
        assertThat(AtomicFile.isTemp(tmp.path().getFileName().toString())).isTrue();
        String hex = java.util.HexFormat.of().formatHex(md.digest());

        tmp.publishAs(dir.resolve(hex));

        assertThat(hex).isEqualTo(Sha256.hex("blob"));
        assertThat(dir.resolve(hex)).hasContent("blob");
        assertThat(names()).containsExactly(hex);
    }

    @Test
    void stage_thenDiscard_leavesNothing() throws Exception {
        AtomicFile.stage(dir, "incoming", out -> out.write(1)).discard();

        assertThat(names()).isEmpty();
    }

    @Test
    void tempName_isFreshEachTime_keepsWithinAFileNameForLongNames_andIsRecognised() {
        String longName = "é".repeat(300);
        String one = AtomicFile.tempName(longName);
        String two = AtomicFile.tempName(longName);

        assertThat(one).isNotEqualTo(two);
        assertThat(one.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        assertThat(AtomicFile.isTemp(one)).isTrue();
        assertThat(AtomicFile.isTemp("state.json")).isFalse();
        assertThat(AtomicFile.isTemp(".state.json.tmp")).as("no random part: not one of ours").isFalse();
    }

    @Test
    void tempName_neverCutsACharacterInHalf() {
        String name = "x".repeat(49) + "\uD83D\uDE00" + "y";

        String temp = AtomicFile.tempName(name); // .<stem>.<16 hex>.tmp
        String stem = temp.substring(1, temp.length() - ".0123456789abcdef.tmp".length());

        assertThat(stem).isEqualTo("x".repeat(49));
    }

    /** A file named {@code name} below {@link #dir}, last modified at {@code when}. */
    private Path plant(String name, java.time.Instant when) throws IOException {
        Path f = dir.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, "left");
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(when));
        return f;
    }

    @Test
    void sweep_removesOnlyOldTempFilesOfTheExactPattern_neverThroughALink() throws Exception {
        java.time.Instant start = java.time.Instant.now().minusSeconds(60);
        java.time.Instant before = start.minusSeconds(3600);
        Path leftover = plant(".state.json.0123456789abcdef.tmp", before);
        Path deeper = plant("memory/owner/.key.fedcba9876543210.tmp", before);
        Path tooDeep = plant("memory/owner/sub/.key.fedcba9876543210.tmp", before);
        List<Path> stay = List.of(
                plant(".state.json.tmp", before), // no random part
                plant("state.json.0123456789abcdef.tmp", before), // no leading dot
                plant(".state.json.0123456789ABCDEF.tmp", before), // not lowercase hex
                plant(".state.json.0123456789abcde.tmp", before), // 15 hex
                plant(".state.json.0123456789abcdef.tmp.bak", before),
                plant(".state.json.0123456789abcdef.tmp.d/x", before),
                plant(".young.0123456789abcdef.tmp", start.plusSeconds(1))); // written during this run
        Files.createDirectories(dir.resolve(".dir.0123456789abcdef.tmp"));
        Path outside = Files.writeString(Files.createTempDirectory("sweep-outside").resolve(".victim.0123456789abcdef.tmp"), "keep");
        Files.setLastModifiedTime(outside, java.nio.file.attribute.FileTime.from(before));
        Path link = Files.createSymbolicLink(dir.resolve(".link.0123456789abcdef.tmp"), outside);
        Path linkedDir = Files.createSymbolicLink(dir.resolve("linked"), outside.getParent());

        assertThat(AtomicFile.sweep(dir, 3, start)).isEqualTo(2);

        assertThat(leftover).doesNotExist();
        assertThat(deeper).doesNotExist();
        assertThat(tooDeep).as("below the depth asked").exists();
        assertThat(stay).allSatisfy(p -> assertThat(p).exists());
        assertThat(dir.resolve(".dir.0123456789abcdef.tmp")).isDirectory();
        assertThat(Files.isSymbolicLink(link)).as("a link is no temp file of ours: left").isTrue();
        assertThat(Files.isSymbolicLink(linkedDir)).isTrue();
        assertThat(outside).as("nothing removed through a link").hasContent("keep");
        Files.delete(outside);
        Files.delete(outside.getParent());
    }

    @Test
    void sweep_anAbsentDirectory_removesNothing_andDoesNotFail() {
        assertThat(AtomicFile.sweep(dir.resolve("absent"), 3, java.time.Instant.now())).isZero();
    }

    @Test
    void runStart_isBeforeAnyTempFileThisProcessMakes() throws Exception {
        AtomicFile.Temp t = AtomicFile.stage(dir, "fresh", out -> out.write(1));

        assertThat(AtomicFile.sweep(dir, 1, AtomicFile.RUN_START)).isZero();
        assertThat(t.path()).exists();
        t.discard();
    }
}
