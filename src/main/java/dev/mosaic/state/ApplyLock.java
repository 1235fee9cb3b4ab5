package dev.mosaic.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.base.AtomicFile;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One apply at a time per target: a lock the kernel holds on {@code STATE/apply.lock}
 * ({@link FileChannel#tryLock()}), released by the kernel when the holder ends, however it ends —
 * so a crash or a {@code kill -9} never needs a manual unlock, and no process ever decides that
 * another's lock is stale. The file itself is never deleted (deleting a lock file lets two
 * processes lock two different files of one name); while held it names its holder (PID, host,
 * user, start time) for the "busy" message, and a holder that ends normally empties it, so a
 * holder named there when the lock is free is one that was killed (said in a warning).
 * Plans never lock. Once taken, the temp files that killed runs left in the state directory
 * ({@link AtomicFile#sweep}: older than this run) are removed.
 *
 * <p>The kernel's lock belongs to the process, and closing any descriptor of the file drops it:
 * a second lock of the same file within this JVM is therefore refused from memory
 * ({@link #HELD}) without ever opening the file.
 */
public final class ApplyLock implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How deep temp files are swept below the state directory: {@code memory/<owner>/<key>} is the deepest file. */
    static final int SWEEP_DEPTH = 3;
    /** The lock file, in the state directory. */
    public static final String NAME = "apply.lock";
    /** The lock files this JVM holds now (or is taking), with a token of the taker and the holder. */
    private static final Map<Path, Map.Entry<Object, Holder>> HELD = new ConcurrentHashMap<>();

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

        Busy(Path file, Holder holder) {
            super("another apply holds the lock of this target: " + (holder != null ? holder
                    : "it is just starting (" + file + " does not name it yet)"));
            this.holder = holder;
        }

        /** The holder, when the lock file names it already. */
        public Optional<Holder> holder() {
            return Optional.ofNullable(holder);
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private ApplyLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of the target whose state lives in {@code stateDir}, waiting up to
     * {@code timeout} for the holder to finish. {@code warnings} hears about a holder that was
     * killed holding it.
     *
     * @throws StateDirError when the state directory cannot hold a lock (a link, read-only, full)
     */
    public static ApplyLock acquire(Path stateDir, Duration timeout, Consumer<String> warnings)
            throws IOException, Busy, InterruptedException {
        StateDir.directory(stateDir);
        Path file = stateDir.resolve(NAME).toAbsolutePath().normalize();
        Holder me = new Holder(ProcessHandle.current().pid(), hostName(), System.getProperty("user.name", "?"),
                Instant.now().toString());
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Object token = new Object();
            Holder other;
            Map.Entry<Object, Holder> mine = Map.entry(token, me);
            Map.Entry<Object, Holder> held = HELD.putIfAbsent(file, mine);
            if (held == null) {
                boolean taken = false;
                try {
                    Attempt a = attempt(file, me, warnings);
                    if (a.lock() != null) {
                        taken = true;
                        // Now that no other apply of this target writes here: what killed runs left.
                        AtomicFile.sweep(stateDir, SWEEP_DEPTH, AtomicFile.RUN_START);
                        return a.lock();
                    }
                    other = a.holder();
                } finally {
                    if (!taken) {
                        HELD.remove(file, mine);
                    }
                }
            } else {
                other = held.getValue();
            }
            if (!Instant.now().isBefore(deadline)) {
                throw new Busy(file, other);
            }
            Thread.sleep(50);
        }
    }

    /** The lock taken, or (lock null) who holds it — null when the file does not name anyone yet. */
    private record Attempt(ApplyLock lock, Holder holder) {
    }

    private static Attempt attempt(Path file, Holder me, Consumer<String> warnings) throws IOException {
        createIfAbsent(file, me);
        FileChannel ch;
        try {
            ch = FileChannel.open(file, Set.<OpenOption>of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS));
        } catch (NoSuchFileException e) {
            return new Attempt(null, null); // removed by hand meanwhile: made again at the next attempt
        } catch (IOException e) {
            throw StateDir.refused(file, e);
        }
        FileLock lock = null;
        try {
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // locked by other code of this JVM: busy like any other holder
            }
            if (lock == null) {
                Holder h = read(ch).orElse(null);
                ch.close();
                return new Attempt(null, h);
            }
            Optional<Holder> before = read(ch);
            if (before.isPresent() && !before.get().equals(me) && gone(before.get(), me)) {
                warnings.accept("took over the lock of " + before.get() + ": that process is gone (it was stopped"
                        + " before it could release it; the system released it)");
            }
            write(ch, JSON.writeValueAsBytes(me));
            return new Attempt(new ApplyLock(file, ch, lock), null);
        } catch (IOException | RuntimeException e) {
            try {
                if (lock != null) {
                    ch.truncate(0);
                }
            } catch (IOException ignored) {
                // the error below says what matters
            }
            ch.close();
            if (e instanceof IOException io) {
                throw StateDir.refused(file, io);
            }
            throw e;
        }
    }

    /**
     * Makes the lock file when it is absent, already naming {@code me}: written under a unique
     * temp name, then hard-linked to {@code apply.lock} (atomic; a file made meanwhile by another
     * process wins). A read-only or full state directory thus fails here and leaves nothing.
     */
    private static void createIfAbsent(Path file, Holder me) throws IOException {
        if (StateDir.lstat(file).isPresent()) {
            return;
        }
        Path tmp = file.resolveSibling("." + NAME + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, Set.<OpenOption>of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE))) {
                write(ch, JSON.writeValueAsBytes(me));
            }
            try {
                Files.createLink(file, tmp);
            } catch (FileAlreadyExistsException e) {
                // another process made it first: its file is the lock
            } catch (UnsupportedOperationException | FileSystemException e) {
                // no hard links here: a rename, which replaces a file made meanwhile, whose
                // holder still locks the inode it opened — so the next attempt sees it busy
                if (StateDir.lstat(file).isEmpty()) {
                    Files.move(tmp, file);
                }
            }
        } catch (IOException e) {
            throw StateDir.refused(file, e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Whether the holder a free lock file names has ended: then it was killed holding the lock
     * (a normal end empties the file). A live one is just starting: it made the file and has
     * not locked it yet.
     */
    private static boolean gone(Holder h, Holder me) {
        return !h.host().equals(me.host()) || ProcessHandle.of(h.pid()).map(p -> !p.isAlive()).orElse(true);
    }

    private static void write(FileChannel ch, byte[] bytes) throws IOException {
        ch.truncate(0);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        long pos = 0;
        while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
        }
        ch.force(false);
    }

    /** The holder the file names, or empty when it names none (free, or being written). */
    private static Optional<Holder> read(FileChannel ch) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(4096);
            long pos = 0;
            int n;
            while (buf.hasRemaining() && (n = ch.read(buf, pos)) > 0) {
                pos += n;
            }
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            if (text.isBlank()) {
                return Optional.empty();
            }
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

    /** Releases the lock; the file stays, emptied: the next holder knows this one ended normally. */
    @Override
    public void close() throws IOException {
        try {
            channel.truncate(0);
        } finally {
            try {
                lock.release();
                channel.close();
            } finally {
                HELD.remove(file);
            }
        }
    }
}
