package dev.mosaic.state;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApplyLockTest {

    @TempDir
    Path state;

    @Test
    void aSecondApply_isRefusedNamingTheHolder_whileTheFirstHoldsTheLock() throws Exception {
        try (ApplyLock first = ApplyLock.acquire(state, Duration.ZERO, w -> { })) {
            assertThatThrownBy(() -> ApplyLock.acquire(state, Duration.ofMillis(300), w -> { }))
                    .isInstanceOf(ApplyLock.Busy.class)
                    .hasMessageContaining("another apply holds the lock of this target: PID " + ProcessHandle.current().pid());
        }
        assertThat(state.resolve("apply.lock")).as("never deleted: emptied on release").exists().isEmptyFile();
        List<String> warnings = new ArrayList<>();
        try (ApplyLock again = ApplyLock.acquire(state, Duration.ZERO, warnings::add)) {
            assertThat(state.resolve("apply.lock")).content().contains("\"pid\":" + ProcessHandle.current().pid());
        }
        assertThat(warnings).as("the last holder released it normally").isEmpty();
    }

    @Test
    void aLockLeftByAProcessThatIsGone_isTakenOverWithAWarning() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        String host = java.net.InetAddress.getLocalHost().getHostName();
        Files.writeString(state.resolve("apply.lock"),
                "{\"pid\":" + p.pid() + ",\"host\":\"" + host + "\",\"user\":\"cron\",\"started\":\"2026-01-01T00:00:00Z\"}");
        List<String> warnings = new ArrayList<>();

        try (ApplyLock lock = ApplyLock.acquire(state, Duration.ZERO, warnings::add)) {
            assertThat(warnings).singleElement().asString()
                    .contains("took over the lock of PID " + p.pid() + " of cron on " + host).contains("that process is gone");
        }
    }

    @Test
    void anEmptyLockFileLockedByAnotherHolder_isBusy_andNeverDeleted() throws Exception {
        Path file = state.resolve("apply.lock");
        Files.createFile(file);
        Object inode = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE); FileLock held = ch.lock()) {
            assertThatThrownBy(() -> ApplyLock.acquire(state, Duration.ofMillis(200), w -> { }))
                    .isInstanceOf(ApplyLock.Busy.class).hasMessageContaining("it is just starting");
            assertThat(Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey())
                    .as("the same file, never deleted while its holder writes it").isEqualTo(inode);
        }
    }

    @Test
    void aLockWaitedFor_isTakenOnceItsHolderReleasesIt() throws Exception {
        ApplyLock first = ApplyLock.acquire(state, Duration.ZERO, w -> { });
        Thread release = new Thread(() -> {
            try {
                Thread.sleep(300);
                first.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        release.start();
        try (ApplyLock second = ApplyLock.acquire(state, Duration.ofSeconds(30), w -> { })) {
            assertThat(state.resolve("apply.lock")).exists();
        }
        release.join();
    }

    @Test
    void manyThreadsRacing_neverHoldTheLockTwice() throws Exception {
        int threads = 8;
        int rounds = 60;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger taken = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < rounds; i++) {
                    try (ApplyLock lock = ApplyLock.acquire(state, Duration.ofSeconds(60), w -> { })) {
                        if (inside.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        taken.incrementAndGet();
                        Thread.yield();
                        inside.decrementAndGet();
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();
        assertThat(taken.get()).isEqualTo(threads * rounds);
        assertThat(overlaps.get()).as("two holders at once").isZero();
    }

    @Test
    void manyProcessesRacing_neverHoldTheLockTwice() throws Exception {
        int processes = 4;
        int rounds = 100;
        List<Process> racers = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            racers.add(new ProcessBuilder(java(LockRacer.class.getName(), state.toString(), Integer.toString(rounds)))
                    .redirectErrorStream(true).start());
        }
        for (Process p : racers) {
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as("racer %s: %s", p.pid(), out).isZero();
        }
        assertThat(state.resolve("holder")).doesNotExist();
    }

    @Test
    void aHolderKilledWithSigkill_releasesTheLockAtOnce_theNextSaysItWasStopped() throws Exception {
        Process holder = new ProcessBuilder(java(LockRacer.class.getName(), state.toString(), "hold")).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(r.readLine()).isEqualTo("held");
            assertThatThrownBy(() -> ApplyLock.acquire(state, Duration.ZERO, w -> { }))
                    .isInstanceOf(ApplyLock.Busy.class).hasMessageContaining("PID " + holder.pid());
        } finally {
            holder.destroyForcibly();
            holder.waitFor(30, TimeUnit.SECONDS);
        }
        List<String> warnings = new ArrayList<>();
        try (ApplyLock lock = ApplyLock.acquire(state, Duration.ZERO, warnings::add)) {
            assertThat(warnings).singleElement().asString().contains("took over the lock of PID " + holder.pid())
                    .contains("that process is gone");
        }
    }

    @Test
    void aReadOnlyStateDirectory_isAClearErrorNamingIt_andLeavesNothing() throws Exception {
        Path dir = Files.createDirectories(state.resolve("immutable"));
        Assumptions.assumeTrue(chattr("+i", dir), "chattr +i is not available here");
        try {
            assertThatThrownBy(() -> ApplyLock.acquire(dir, Duration.ZERO, w -> { }))
                    .isInstanceOf(StateDirError.class)
                    .hasMessageContaining("cannot write " + dir.resolve("apply.lock"))
                    .hasMessageContaining("Operation not permitted");
        } finally {
            chattr("-i", dir);
        }
        try (var s = Files.list(dir)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void aStateDirectoryWhoseParentIsAFile_isAClearError() throws Exception {
        Files.writeString(state.resolve("file"), "x");

        assertThatThrownBy(() -> ApplyLock.acquire(state.resolve("file/state"), Duration.ZERO, w -> { }))
                .isInstanceOf(StateDirError.class).hasMessageContaining("is not a directory");
    }

    /** chattr as root stops even root from writing in a directory (chmod does not). */
    static boolean chattr(String flag, Path dir) throws Exception {
        try {
            Process p = new ProcessBuilder("chattr", flag, dir.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static List<String> java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void takingTheLock_sweepsWhatKilledRunsLeft_andNothingElse() throws Exception {
        java.time.Instant old = dev.mosaic.base.AtomicFile.RUN_START.minusSeconds(600);
        Path leftover = Files.writeString(state.resolve(".state.json.0123456789abcdef.tmp"), "{\"half\":");
        Path memory = Files.createDirectories(state.resolve("memory/owner")).resolve(".sha256.0123456789abcdef.tmp");
        Files.writeString(memory, "half");
        Path lookAlike = Files.writeString(state.resolve(".state.json.tmp"), "kept by hand");
        Path young = Files.writeString(state.resolve(".state.json.fedcba9876543210.tmp"), "this run's");
        for (Path p : List.of(leftover, memory, lookAlike)) {
            Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.from(old));
        }

        try (ApplyLock lock = ApplyLock.acquire(state, Duration.ZERO, w -> { })) {
            assertThat(leftover).doesNotExist();
            assertThat(memory).doesNotExist();
            assertThat(lookAlike).hasContent("kept by hand");
            assertThat(young).as("younger than this run: a live writer's").exists();
        }
    }

    @Test
    void aBusyLock_sweepsNothing() throws Exception {
        Path leftover = Files.writeString(state.resolve(".state.json.0123456789abcdef.tmp"), "another apply's");
        Files.setLastModifiedTime(leftover, java.nio.file.attribute.FileTime.from(dev.mosaic.base.AtomicFile.RUN_START.minusSeconds(600)));
        try (FileChannel ch = FileChannel.open(Files.createFile(state.resolve("apply.lock")), StandardOpenOption.WRITE);
             FileLock held = ch.lock()) {
            // the lock of this JVM's channel: ApplyLock sees it busy without touching the file
            assertThatThrownBy(() -> ApplyLock.acquire(state, Duration.ZERO, w -> { })).isInstanceOf(ApplyLock.Busy.class);
        }
        assertThat(leftover).exists();
    }
}
