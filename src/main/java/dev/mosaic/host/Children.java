package dev.mosaic.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The commands an apply runs on this machine, remembered while they run, so that an apply killed
 * with SIGKILL does not leave a build running unseen next to the one the following apply starts.
 *
 * <p>For a tracked root, each command runs in a process group of its own ({@code setsid}), and a
 * file in the record directory names the group and its leader's start time while it runs. The next
 * apply of the same target, holding the apply lock, stops what still runs of those groups before it
 * starts anything ({@link #stopLeftovers}). A normal end, Ctrl-C or SIGTERM stop them at once (a
 * shutdown hook); only SIGKILL or a power cut leaves work for the next apply.
 */
public final class Children {

    private static final Path SETSID = Path.of("/usr/bin/setsid");
    /** Record directory by target root. */
    private static final Map<Path, Path> DIRS = new ConcurrentHashMap<>();
    /** Process groups running now. */
    private static final Set<Long> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(g -> kill(members(g, 0))),
                "mosaic-stop-commands"));
    }

    private Children() {
    }

    /** Commands run below {@code root} are recorded in {@code recordDir} while they run. */
    public static void track(Path root, Path recordDir) {
        DIRS.put(root, recordDir);
    }

    static boolean tracked(Path root) {
        return DIRS.containsKey(root) && Files.isExecutable(SETSID);
    }

    /** {@code argv} run in a new session and process group; the command must exist (checked here). */
    static List<String> inOwnGroup(List<String> argv, Map<String, String> env, Path dir) throws IOException {
        String command = argv.get(0);
        if (!command.contains("/") ? findInPath(command, env.get("PATH")).isEmpty()
                : !Files.isExecutable(dir.resolve(command))) {
            throw new IOException("cannot run " + command + ": no such program");
        }
        List<String> out = new ArrayList<>(argv.size() + 1);
        out.add(SETSID.toString());
        out.addAll(argv);
        return out;
    }

    private static Optional<Path> findInPath(String command, String path) {
        for (String d : (path == null ? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" : path).split(":")) {
            Path p = Path.of(d.isEmpty() ? "." : d, command);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Records a started command (its pid is its process group); returns what {@link #finished} takes. */
    static Path started(Path root, Process p) throws IOException {
        long group = p.pid();
        RUNNING.add(group);
        Path dir = realDirectory(DIRS.get(root), true);
        Path record = dir.resolve(Long.toString(group));
        // A record left with this number (a reused pid), or a link planted there, is removed
        // itself; the new one is made with O_EXCL, so nothing is ever written through a link.
        Files.deleteIfExists(record);
        Files.write(record, (group + " " + startTicks(group).orElse(0L) + "\n").getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return record;
    }

    static void finished(Process p, Path record) {
        RUNNING.remove(p.pid());
        try {
            Files.deleteIfExists(record);
        } catch (IOException e) {
            // the next apply finds a group with no member and removes the record
        }
    }

    /**
     * Stops the commands that an earlier apply of this target started and did not see end: those
     * of its process groups that still have members started no earlier than the recorded leader.
     * Call it holding the target's apply lock.
     */
    public static void stopLeftovers(Path recordDir, Consumer<String> warnings) throws IOException {
        if (realDirectory(recordDir, false) == null) {
            return;
        }
        List<Path> records;
        try (Stream<Path> s = Files.list(recordDir)) {
            records = s.toList();
        }
        for (Path record : records) {
            if (!Files.isRegularFile(record, LinkOption.NOFOLLOW_LINKS)) {
                // Never read through a link: a planted record could name any process group.
                warnings.accept("ignored and removed " + record + ": not a record Mosaic wrote (a link or a directory)");
                deleteQuietly(record);
                continue;
            }
            String[] f;
            try (InputStream in = Files.newInputStream(record, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                f = new String(in.readNBytes(256), StandardCharsets.UTF_8).trim().split(" ");
            }
            if (f.length == 1 && f[0].isEmpty()) {
                // What a kill leaves between the record's creation and its one write: it names no
                // process group, so there is nothing to stop and nothing to warn about.
                Files.deleteIfExists(record);
                continue;
            }
            try {
                long group = Long.parseLong(f[0]);
                long since = f.length > 1 ? Long.parseLong(f[1]) : 0;
                List<Long> left = members(group, since);
                if (!left.isEmpty()) {
                    kill(left);
                    warnings.accept("stopped " + left.size() + " process(es) of a command that an interrupted apply"
                            + " left running (process group " + group + ")");
                }
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                warnings.accept("ignored a damaged record of a running command: " + record);
            }
            Files.deleteIfExists(record);
        }
    }

    /**
     * {@code dir} when it is a real directory (made when absent and {@code create}); null when
     * absent. A link or a file there is refused, never followed.
     */
    private static Path realDirectory(Path dir, boolean create) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (!create) {
                return null;
            }
            Files.createDirectories(dir);
        }
        if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " is " + (Files.isSymbolicLink(dir) ? "a symbolic link" : "not a directory")
                    + ", where Mosaic records the commands it runs; Mosaic never follows links there. Remove it, then"
                    + " run again.");
        }
        return dir;
    }

    private static void deleteQuietly(Path p) {
        try {
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                return; // a directory is left for the user: the warning names it
            }
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // the warning said it
        }
    }

    /**
     * The live processes of process group {@code group} started at or after {@code sinceTicks}. A
     * zombie (state Z or X) is not one: it has ended, and only waits for its new parent to reap it,
     * which an init that is not systemd may do late.
     */
    private static List<Long> members(long group, long sinceTicks) {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit)).forEach(n -> {
                long pid = Long.parseLong(n);
                String[] st = stat(pid);
                // after "pid (comm)": state ppid pgrp session ... starttime is field 22 of the line
                if (st != null && !st[0].equals("Z") && !st[0].equals("X") && Long.parseLong(st[2]) == group && Long.parseLong(st[19]) >= sinceTicks
                        && pid != ProcessHandle.current().pid()) {
                    out.add(pid);
                }
            });
        } catch (IOException | RuntimeException e) {
            // no /proc: nothing can be found, nothing is killed
        }
        return out;
    }

    private static Optional<Long> startTicks(long pid) {
        String[] st = stat(pid);
        return st == null ? Optional.empty() : Optional.of(Long.parseLong(st[19]));
    }

    /** The fields of {@code /proc/PID/stat} after the command name; null when the process is gone. */
    private static String[] stat(long pid) {
        try {
            String line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            return line.substring(line.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void kill(List<Long> pids) {
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (long pid : pids) {
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            while (h.isPresent() && h.get().isAlive() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
