package dev.mosaic.resource.pkg;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** apt's answers kept between runs: reused while apt's inputs are unchanged, asked again when one changes. */
class AptCandidatesTest {

    private static final String SHA = "5259c57ca92092da39bd2ea803046da0e3c28f2b6a11ea20f6297468188ceb67";

    @TempDir
    Path tmp;
    Path lists;
    Path status;
    Path etc;
    final AtomicInteger asked = new AtomicInteger();

    @BeforeEach
    void inputs() throws IOException {
        lists = Files.createDirectories(tmp.resolve("lists"));
        status = tmp.resolve("status");
        etc = Files.createDirectories(tmp.resolve("etc/apt/preferences.d"));
        write(lists.resolve("deb.debian.org_bookworm_Packages"), "Package: linux-source-6.1\n");
        write(lists.resolve("lock"), "");
        write(status, "Package: apt\n");
        write(tmp.resolve("etc/apt/sources.list"), "deb http://deb.debian.org/debian bookworm main\n");
    }

    /** Writes a file whose times are well in the past (older than the racy window). */
    private static void write(Path p, String text) throws IOException {
        Files.writeString(p, text);
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(60)));
    }

    private AptCandidates store() {
        return new AptCandidates(tmp.resolve("cache"), List.of(lists, status, tmp.resolve("etc/apt"), tmp.resolve("absent")));
    }

    private Apt.Candidate ask(AptCandidates c, String version) throws Exception {
        return c.get("linux-source-6.1", () -> {
            asked.incrementAndGet();
            return new Apt.Candidate(version, SHA, "pool/main/l/linux/linux-source-6.1_" + version + "_all.deb");
        });
    }

    /** Waits out the racy window of the directories the test just changed (their ctime is now). */
    private static void settle() throws InterruptedException {
        Thread.sleep(AptCandidates.RACY_NANOS / 1_000_000 + 200);
    }

    @Test
    void unchangedInputsAnswerWithoutAskingApt() throws Exception {
        settle();
        assertEquals("6.1.192-3", ask(store(), "6.1.192-3").version());
        Apt.Candidate again = ask(store(), "other");
        assertEquals(new Apt.Candidate("6.1.192-3", SHA, "pool/main/l/linux/linux-source-6.1_6.1.192-3_all.deb"), again);
        assertEquals(1, asked.get(), "apt was asked once, by the first store");
        assertEquals(1, store().kept().size());
    }

    @Test
    void anUpdatedListAPinOrDpkgStatusAsksAptAgain() throws Exception {
        settle();
        ask(store(), "1");
        write(lists.resolve("deb.debian.org_bookworm_Packages"), "Package: linux-source-6.1\nVersion: 2\n");
        assertEquals("2", ask(store(), "2").version(), "a list of another size");
        write(tmp.resolve("etc/apt/preferences.d/pin"), "Package: linux-source-6.1\nPin: version 1\n");
        settle();
        assertEquals("3", ask(store(), "3").version(), "a new pin");
        Files.writeString(status, "Package: apt\n"); // same size, same content: only its times change
        settle();
        assertEquals("4", ask(store(), "4").version(), "dpkg's status touched");
        Files.delete(tmp.resolve("etc/apt/preferences.d/pin"));
        settle();
        assertEquals("5", ask(store(), "5").version(), "a pin removed");
        assertEquals(5, asked.get());
        assertEquals("5", ask(store(), "6").version(), "and kept again once unchanged");
        assertEquals(5, asked.get());
    }

    @Test
    void theLockAloneChangesNothingButAnotherPackageIsItsOwnQuestion() throws Exception {
        settle();
        ask(store(), "1");
        Files.setLastModifiedTime(lists.resolve("lock"), FileTime.from(Instant.now()));
        assertEquals("1", ask(store(), "2").version());
        store().get("linux-source-6.2", () -> {
            asked.incrementAndGet();
            return new Apt.Candidate("9", SHA, "");
        });
        assertEquals(2, asked.get());
    }

    @Test
    void anInputChangedJustNowIsNotTrusted() throws Exception {
        Files.writeString(status, "Package: apt\nStatus: install ok installed\n"); // mtime and ctime: now
        ask(store(), "1");
        assertEquals(List.of(), store().kept(), "not kept within the racy window");
        ask(store(), "2");
        assertEquals(2, asked.get());
    }

    @Test
    void aDamagedKeptAnswerIsIgnored() throws Exception {
        settle();
        ask(store(), "1");
        Path kept = tmp.resolve("cache/apt-candidates").resolve(store().kept().get(0));
        Files.writeString(kept, "1\nnot-a-digest\n\n");
        assertEquals("2", ask(store(), "2").version());
        assertEquals(2, asked.get());
        assertTrue(Files.readString(kept).startsWith("2\n" + SHA), "the damaged answer was replaced by apt's");
    }
}
