package dev.mosaic.resource.pkg;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A killed run's leftovers in the download cache ({@link Debs#sweep}), planted in a real directory: only the exact
 * patterns of a run that is gone, last written over an hour ago, are removed; look-alikes, links, recent and live
 * runs' files stay.
 */
class LeftoversTest {

    @TempDir
    Path tmp;
    Path cache;
    Path store;
    long dead;
    long self = ProcessHandle.current().pid();
    FileTime longAgo = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));

    @BeforeEach
    void setUp() throws Exception {
        cache = Files.createDirectories(tmp.resolve("cache"));
        store = Files.createDirectories(cache.resolve("sha256"));
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        dead = p.pid();
        assumeTrue(ProcessHandle.of(dead).isEmpty(), "the finished process's number not reused yet");
    }

    private Path dirWithFile(Path parent, String name) throws IOException {
        Path d = Files.createDirectories(parent.resolve(name));
        Files.writeString(d.resolve("linux-source-6.1_6.1.192-3_all.deb"), "partial");
        return d;
    }

    @Test
    void aKilledRunsDownloadDirectoryGoes_aLiveRunsAndLookAlikesStay() throws Exception {
        Path killed = dirWithFile(store, ".download-" + dead + "-123");
        Path live = dirWithFile(store, ".download-" + self + "-456");
        Path alike1 = dirWithFile(store, ".download-" + dead + "-12x");
        Path alike2 = dirWithFile(store, "download-" + dead + "-12");
        Path alike3 = dirWithFile(store, ".download-" + dead + "-12.keep");
        Path file = Files.writeString(store.resolve(".download-" + dead + "-77"), "not a directory");
        Path kept = Files.writeString(store.resolve("0".repeat(64)), "a kept .deb");
        for (Path p : new Path[] {killed, alike1, alike2, alike3, file, kept}) { // the live one is as fresh as its run
            Files.setLastModifiedTime(p, longAgo);
        }

        Debs.sweep(store, cache);

        assertThat(killed).doesNotExist();
        assertThat(live.resolve("linux-source-6.1_6.1.192-3_all.deb")).exists();
        assertThat(alike1).exists();
        assertThat(alike2).exists();
        assertThat(alike3).exists();
        assertThat(file).exists();
        assertThat(kept).hasContent("a kept .deb");
    }

    @Test
    void aDeadOwnersDirectoryWrittenWithinTheHourStays() throws Exception {
        // a cache shared with another machine or PID namespace: there the number says nothing
        Path recent = dirWithFile(store, ".download-" + dead + "-5");
        Files.setLastModifiedTime(recent, FileTime.from(Instant.now().minus(Debs.GRACE).plusSeconds(120)));
        Path oldLayout = dirWithFile(store, ".download-4141");
        Files.setLastModifiedTime(oldLayout, FileTime.from(Instant.now().minus(Debs.GRACE).plusSeconds(120)));

        Debs.sweep(store, cache);

        assertThat(recent.resolve("linux-source-6.1_6.1.192-3_all.deb")).exists();
        assertThat(oldLayout).exists();
    }

    @Test
    void aLinkOfTheExactPatternStays_andSoDoesWhatItLeadsTo() throws Exception {
        Path outside = dirWithFile(tmp, "outside");
        Files.setLastModifiedTime(outside, longAgo);
        Path owned = Files.createSymbolicLink(store.resolve(".download-" + dead + "-9"), outside);
        Path old = Files.createSymbolicLink(store.resolve(".download-99"), outside);
        Path oldFile = Files.writeString(tmp.resolve("part"), "outside");
        Files.setLastModifiedTime(oldFile, longAgo);
        Path fetchLink = Files.createSymbolicLink(cache.resolve(".fetch-5.part"), oldFile);

        Debs.sweep(store, cache);

        assertThat(Files.isSymbolicLink(owned)).isTrue();
        assertThat(Files.isSymbolicLink(old)).isTrue();
        assertThat(Files.isSymbolicLink(fetchLink)).isTrue();
        assertThat(outside.resolve("linux-source-6.1_6.1.192-3_all.deb")).exists();
        assertThat(oldFile).hasContent("outside");
    }

    @Test
    void theOlderLayoutsGoWhenWrittenLongBeforeThisProcessStarted_freshOnesStay() throws Exception {
        assumeTrue(ProcessHandle.current().info().startInstant().isPresent(), "this process's start time known");
        Path oldDownload = dirWithFile(store, ".download-4242");
        Files.setLastModifiedTime(oldDownload, longAgo);
        Path freshDownload = dirWithFile(store, ".download-4343");
        Path oldPart = Files.writeString(cache.resolve(".fetch-77.part"), "half");
        Files.setLastModifiedTime(oldPart, longAgo);
        Path freshPart = Files.writeString(cache.resolve(".fetch-78.part"), "half");
        Path oldAlike = Files.writeString(cache.resolve(".fetch-79.partial"), "half");
        Files.setLastModifiedTime(oldAlike, longAgo);

        Debs.sweep(store, cache);

        assertThat(oldDownload).doesNotExist();
        assertThat(oldPart).doesNotExist();
        assertThat(freshDownload).exists();
        assertThat(freshPart).exists();
        assertThat(oldAlike).exists();
    }

    @Test
    void aNewWorkDirectoryIsNamedByThisProcessAndSurvivesItsOwnSweep() throws Exception {
        Path work = Debs.workDir(store);

        Debs.sweep(store, cache);

        assertThat(work.getFileName().toString()).startsWith(".download-" + self + "-");
        assertThat(Files.isDirectory(work, LinkOption.NOFOLLOW_LINKS)).isTrue();
    }
}
