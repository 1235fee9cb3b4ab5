package dev.mosaic.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a command run for a target with {@code --root} is confined: under bubblewrap, the host's file
 * system read-only, the root writable at its own path (commands get paths below the root: their
 * working directory, {@code $MOSAIC_ROOT}), a private {@code /tmp}, a minimal {@code /dev}, their
 * own process ids, and no network unless the resource asks for it.
 *
 * <p>Mosaic's state directory, when it lies below the root, is read-only too: commands have no
 * business there. The download and build caches are written by Mosaic itself, never by a command,
 * so they stay read-only as well.
 *
 * <p>Capabilities: Mosaic often runs as root, and a root process keeps every capability inside
 * bubblewrap unless told otherwise — with {@code CAP_SYS_ADMIN} it could remount {@code /}
 * read-write. All are dropped but those that act on files the process may already write (owner,
 * mode, set-id bits), so an install script may still {@code chown} below the root.
 *
 * @param bwrap where bubblewrap is; a missing one refuses the command (never runs it unconfined)
 */
public record Sandbox(Path bwrap) {

    /** Debian's bubblewrap, as installed by {@code apt-get install bubblewrap}. */
    public static final Sandbox SYSTEM = new Sandbox(Path.of("/usr/bin/bwrap"));

    /** What a command that tried to write outside is told, after the path. */
    public static final String RULE = "commands under --root may write only below the root; see README, \"Commands under --root\"";

    /** Capabilities kept: file ownership and modes below the root, changing user (setuid to drop root). */
    private static final List<String> KEPT_CAPS = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
            "CAP_SETUID", "CAP_SETGID");

    /** The message of a command refused because bubblewrap is missing. */
    public Optional<String> missing() {
        if (Files.isExecutable(bwrap)) {
            return Optional.empty();
        }
        return Optional.of("commands for a target with --root run confined by bubblewrap, and " + bwrap
                + " is not installed: install the package bubblewrap (apt-get install bubblewrap)");
    }

    /**
     * {@code argv} wrapped in bubblewrap. {@code ownSession}: detach from Mosaic's terminal (a
     * command that is not already in a session of its own could push input into it).
     */
    List<String> wrap(List<String> argv, Path root, Path dir, List<Path> readOnly, boolean network, boolean ownSession)
            throws IOException {
        Optional<String> missing = missing();
        if (missing.isPresent()) {
            throw new IOException(missing.get());
        }
        List<String> out = new ArrayList<>(List.of(bwrap.toString(),
                "--ro-bind", "/", "/",
                "--dev", "/dev",
                "--proc", "/proc",
                // Before the root's bind: a root below /tmp must stay visible over the private /tmp.
                "--tmpfs", "/tmp",
                // A read-only mount does not stop connect(): the daemons' sockets (systemd, D-Bus,
                // Docker) under /run would let a command change the host through them.
                "--tmpfs", "/run",
                "--bind", root.toString(), root.toString()));
        for (Path p : readOnly) {
            out.addAll(List.of("--ro-bind-try", p.toString(), p.toString()));
        }
        out.addAll(List.of("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"));
        if (!network) {
            out.add("--unshare-net");
        }
        out.add("--die-with-parent");
        if (ownSession) {
            out.add("--new-session");
        }
        out.addAll(List.of("--cap-drop", "ALL"));
        KEPT_CAPS.forEach(c -> out.addAll(List.of("--cap-add", c)));
        out.addAll(List.of("--chdir", dir.toString(), "--"));
        out.addAll(argv);
        return out;
    }

    /** {@code sh: 1: cannot create /etc/x: Read-only file system}, {@code touch: cannot touch '/etc/x': …}. */
    private static final Pattern BEFORE = Pattern.compile("(?:'([^']+)'|\"([^\"]+)\"|([^\\s'\":]+)): Read-only file system");
    /** Python's {@code [Errno 30] Read-only file system: '/etc/x'}. */
    private static final Pattern AFTER = Pattern.compile("Read-only file system: (?:'([^']+)'|\"([^\"]+)\"|(\\S+))");

    /**
     * The path a line of a confined command's output says it could not write, when it says so
     * (EROFS, the errno of every write outside the root): relative paths are resolved against the
     * command's directory, since that is what the command named.
     */
    static Optional<String> refusedWrite(String line, Path dir) {
        if (!line.contains("Read-only file system")) {
            return Optional.empty();
        }
        Matcher m = AFTER.matcher(line);
        if (!m.find()) {
            m = BEFORE.matcher(line);
            if (!m.find()) {
                return Optional.of("(path not named by the command: " + line.strip() + ")");
            }
        }
        String path = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
        return Optional.of(path.startsWith("/") ? path : dir.resolve(path).normalize().toString());
    }
}
