package dev.mosaic.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
        assertThat(state.resolve("apply.lock")).doesNotExist();
        try (ApplyLock again = ApplyLock.acquire(state, Duration.ZERO, w -> { })) {
            assertThat(state.resolve("apply.lock")).exists();
        }
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
    void aLockHeldOnAnotherHost_isNeverTakenOver() throws Exception {
        Files.writeString(state.resolve("apply.lock"),
                "{\"pid\":1,\"host\":\"elsewhere\",\"user\":\"admin\",\"started\":\"2026-01-01T00:00:00Z\"}");

        assertThatThrownBy(() -> ApplyLock.acquire(state, Duration.ZERO, w -> { }))
                .isInstanceOf(ApplyLock.Busy.class).hasMessageContaining("PID 1 of admin on elsewhere");
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
}
