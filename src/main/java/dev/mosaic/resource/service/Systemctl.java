package dev.mosaic.resource.service;

import dev.mosaic.base.TargetPath;
import dev.mosaic.host.Exec;
import dev.mosaic.host.Host;
import dev.mosaic.resource.ResourceException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The systemctl and journalctl commands the service kind runs, with their exact argument vectors.
 *
 * <p>Offline commands (a sandbox root) run in the target's {@code /} — the root itself — and say
 * {@code --root=.}: systemctl makes the path absolute from its working directory, so the command
 * needs no shell to learn where the root is, and works the same under bubblewrap (where the root
 * is mounted at its own path) and over SSH.
 */
final class Systemctl {

    /** No pager, no colours, untranslated words: output that a parser can read. */
    static final Map<String, String> ENV = Map.of("LC_ALL", "C", "SYSTEMD_PAGER", "", "SYSTEMD_COLORS", "0");

    /** How many journal lines a failure shows. */
    static final int JOURNAL_LINES = 20;

    private Systemctl() {
    }

    static List<String> show(List<String> units) {
        List<String> argv = new ArrayList<>(List.of("systemctl", "show", "--no-pager", "-p",
                String.join(",", UnitStatus.PROPERTIES)));
        argv.addAll(units);
        return argv;
    }

    static List<String> isEnabledOffline(String unit) {
        return List.of("systemctl", "--root=.", "is-enabled", unit);
    }

    /** {@code enable} or {@code disable}; offline with {@code --root=.}, the way image builders do. */
    static List<String> enablement(boolean enable, String unit, boolean offline) {
        List<String> argv = new ArrayList<>(List.of("systemctl"));
        if (offline) {
            argv.add("--root=.");
        }
        argv.add(enable ? "enable" : "disable");
        argv.add(unit);
        return argv;
    }

    /** {@code start}, {@code stop}, {@code reload}, {@code restart} or {@code daemon-reload} (no unit). */
    static List<String> verb(String verb, String... units) {
        List<String> argv = new ArrayList<>(List.of("systemctl", verb));
        argv.addAll(List.of(units));
        return argv;
    }

    static List<String> journal(String unit) {
        return List.of("journalctl", "-u", unit, "-n", String.valueOf(JOURNAL_LINES), "--no-pager");
    }

    /** Runs a command that only looks; all of its output lines, and whether it succeeded. */
    record Output(Exec.Result result, List<String> lines) {
    }

    static Output query(Host host, List<String> argv) throws IOException {
        List<String> lines = new ArrayList<>();
        Exec.Result r = host.query(new Exec(argv, TargetPath.ROOT, ENV, Optional.empty(), Optional.empty(), lines::add));
        return new Output(r, lines);
    }

    /** Runs a command that changes the host, its output going to the resource's log. */
    static Exec.Result run(Host host, List<String> argv, Consumer<String> output) throws IOException {
        return host.exec(new Exec(argv, TargetPath.ROOT, ENV, Optional.empty(), Optional.empty(), output));
    }

    /** What one {@code systemctl show} for all the services of a host said, and when ({@link Host#generation}). */
    private record Prefetched(long generation, Map<String, UnitStatus> units) {
    }

    /** By host name: each answer serves until read once, or until the host changed anything. */
    private static final Map<String, Prefetched> PREFETCHED = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Asks systemd about all of {@code units} in one {@code systemctl show}, for {@link #status}
     * to answer each first question from. Nothing is kept when the answer is not one block per unit.
     */
    static void prefetch(Host host, List<String> units) throws IOException {
        if (units.isEmpty() || host.generation() < 0) {
            return;
        }
        Output o = query(host, show(units));
        List<UnitStatus> all = UnitStatus.parse(o.lines());
        if (!o.result().ok() || all.size() != units.size()) {
            return; // each resource asks on its own, and gets the error its way
        }
        Map<String, UnitStatus> byName = new java.util.concurrent.ConcurrentHashMap<>();
        for (int i = 0; i < units.size(); i++) { // blocks come in the order asked, under real names (an alias's too)
            byName.put(units.get(i), all.get(i));
        }
        PREFETCHED.put(host.name(), new Prefetched(host.generation(), byName));
    }

    /**
     * What systemd says about {@code unit} on a running machine: the prefetched answer the first
     * time when the host changed nothing since (a plan, a no-op apply), else one {@code systemctl show}.
     */
    static UnitStatus status(Host host, String unit) throws IOException, ResourceException {
        Prefetched known = PREFETCHED.get(host.name());
        UnitStatus seen = known == null || known.generation() != host.generation() ? null : known.units().remove(unit);
        if (seen != null) {
            return seen;
        }
        Output o = query(host, show(List.of(unit)));
        List<UnitStatus> all = UnitStatus.parse(o.lines());
        // One block: the unit's own, under its real name when NAME is an alias (sshd → ssh.service).
        if (!o.result().ok() || all.size() != 1) {
            // A machine without systemd as its init (a container of another kind, a chroot): no
            // resource of the playbook can change that.
            throw new ResourceException("cannot ask systemd about " + unit + " on " + host.name()
                    + " (systemctl show, exit " + o.result().exitCode() + "): " + String.join(" ", o.result().tail()), false);
        }
        return all.get(0);
    }

    /**
     * The unit file state in a sandbox root, from its files: {@code systemctl --root=. is-enabled}
     * prints the state (exit 1 for {@code disabled}, {@code masked}…); a unit without a file is
     * reported as an error, and reads as empty.
     */
    static String unitFileStateOffline(Host host, String unit) throws IOException, ResourceException {
        Output o = query(host, isEnabledOffline(unit));
        String joined = String.join("\n", o.lines());
        if (joined.contains("No such file or directory") || joined.contains("not found")) {
            return "";
        }
        String last = o.lines().isEmpty() ? "" : o.lines().get(o.lines().size() - 1).strip();
        if (!last.matches("[a-z-]+")) {
            throw new ResourceException("cannot read whether " + unit + " is enabled in the root (systemctl --root is-enabled, exit "
                    + o.result().exitCode() + "): " + o.result().refusal() + String.join(" ", o.result().tail()));
        }
        return last;
    }

    /** The last lines of the unit's journal, for a failure message; a note when there are none. */
    static String journalTail(Host host, String unit) throws IOException {
        Output o = query(host, journal(unit));
        List<String> lines = o.lines().stream().filter(l -> !l.startsWith("-- ")).toList();
        if (lines.isEmpty()) {
            return "  (its journal has nothing: " + String.join(" ", o.result().tail()) + ")";
        }
        List<String> last = lines.subList(Math.max(0, lines.size() - JOURNAL_LINES), lines.size());
        return "  " + String.join("\n  ", last);
    }
}
