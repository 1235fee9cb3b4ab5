package dev.mosaic.state;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One apply at a time per target: a lock file in the target's state directory naming its holder
 * (PID, host, user, start time), created atomically. A lock whose process is gone on this host is
 * taken over with a warning, so a crash or a kill never needs a manual unlock. Plans never lock.
 */
public final class ApplyLock implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Who holds a lock. */
    public record Holder(long pid, String host, String user, String started) {
        @Override
        public String toString() {
            return "PID " + pid + " of " + user + " on " + host + ", since " + started;
        }
    }

    /** The lock is held by someone else and did not come free in time. */
    public static final class Busy extends Exception {
        private final Holder holder;

        Busy(Holder holder) {
            super("another apply holds the lock of this target: " + holder);
            this.holder = holder;
        }

        public Holder holder() {
            return holder;
        }
    }

    private final Path file;

    private ApplyLock(Path file) {
        this.file = file;
    }

    /**
     * Takes the lock of the target whose state lives in {@code stateDir}, waiting up to
     * {@code timeout} for a live holder to finish. {@code warnings} hears about stale locks taken over.
     */
    public static ApplyLock acquire(Path stateDir, Duration timeout, Consumer<String> warnings)
            throws IOException, Busy, InterruptedException {
        Files.createDirectories(stateDir);
        Path file = stateDir.resolve("apply.lock");
        Holder me = new Holder(ProcessHandle.current().pid(), hostName(), System.getProperty("user.name", "?"),
                Instant.now().toString());
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            try {
                Files.writeString(file, JSON.writeValueAsString(me), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                return new ApplyLock(file);
            } catch (FileAlreadyExistsException e) {
                Optional<Holder> holder;
                try {
                    holder = read(file);
                } catch (NoSuchFileException gone) {
                    continue; // released meanwhile
                }
                if (holder.isEmpty() || stale(holder.get(), me)) {
                    warnings.accept(holder.map(h -> "took over the lock of " + h + ": that process is gone")
                            .orElse("removed an unreadable lock file " + file));
                    Files.deleteIfExists(file);
                    continue;
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new Busy(holder.get());
                }
                Thread.sleep(200);
            }
        }
    }

    private static boolean stale(Holder h, Holder me) {
        return h.host().equals(me.host()) && ProcessHandle.of(h.pid()).map(p -> !p.isAlive()).orElse(true);
    }

    /** The holder, or empty when the file cannot be understood (a crash mid-write). */
    private static Optional<Holder> read(Path file) throws NoSuchFileException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            return Optional.empty();
        }
        try {
            Map<?, ?> m = JSON.readValue(text, Map.class);
            return Optional.of(new Holder(((Number) m.get("pid")).longValue(), String.valueOf(m.get("host")),
                    String.valueOf(m.get("user")), String.valueOf(m.get("started"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(file);
    }
}
