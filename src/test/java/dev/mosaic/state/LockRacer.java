package dev.mosaic.state;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A separate JVM for {@link ApplyLockTest}: {@code LockRacer STATE N} takes the lock of STATE N
 * times; while holding it, makes {@code STATE/holder} with O_EXCL (which fails if another holder
 * is inside), waits a moment, removes it. Exit 0: never two holders; 2: two holders seen.
 * {@code LockRacer STATE hold} takes the lock, prints "held" and waits to be killed.
 */
public final class LockRacer {

    public static void main(String[] args) throws Exception {
        Path state = Path.of(args[0]);
        if (args[1].equals("hold")) {
            ApplyLock lock = ApplyLock.acquire(state, Duration.ZERO, w -> { });
            System.out.println("held");
            System.out.flush();
            Thread.sleep(600_000);
            lock.close();
            return;
        }
        int n = Integer.parseInt(args[1]);
        for (int i = 0; i < n; i++) {
            try (ApplyLock lock = ApplyLock.acquire(state, Duration.ofSeconds(60), w -> { })) {
                Path marker = state.resolve("holder");
                try {
                    Files.createFile(marker);
                } catch (FileAlreadyExistsException e) {
                    System.out.println("two holders at once");
                    System.exit(2);
                }
                Thread.onSpinWait();
                Files.delete(marker);
            }
        }
        System.exit(0);
    }

    private LockRacer() {
    }
}
