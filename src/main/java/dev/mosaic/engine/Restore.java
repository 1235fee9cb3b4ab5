package dev.mosaic.engine;

import dev.mosaic.base.TargetPath;
import dev.mosaic.diag.UserError;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.state.BackupStore;
import dev.mosaic.state.History;
import dev.mosaic.state.StateStore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * {@code mosaic restore ID [ADDRESS]}: puts every path an apply touched back as it was before that
 * apply — a file's content and mode from the backup store, a link's target; a path the apply
 * created is removed (a directory only when empty). Writes go through the host's atomic writes
 * and are themselves recorded as a run of the history, so a restore can be undone the same way.
 * The caller holds the target's apply lock.
 */
public final class Restore {

    /**
     * What a restore did: one line per path put back, what it could not do, and the refreshes it
     * left owed ({@code build[reload] (notified by file[conf])}).
     */
    public record Result(String historyId, List<String> restored, List<String> problems, List<String> owed,
                         List<String> laterChanges) {
        public Result {
            restored = List.copyOf(restored);
            problems = List.copyOf(problems);
            owed = List.copyOf(owed);
            laterChanges = List.copyOf(laterChanges);
        }
    }

    private Restore() {
    }

    /**
     * @param address only the paths this resource touched (null: all)
     * @param dryRun  only say what would be put back: nothing is written, nothing recorded
     * @throws UserError when the history has no such apply, or the apply did not touch {@code address}
     */
    public static Result run(Host host, Path stateDir, String id, String address, boolean dryRun) throws IOException {
        History history = History.of(stateDir);
        Optional<History.Run> run = Optional.empty();
        if (History.isId(id)) {
            run = history.run(id);
        }
        if (run.isEmpty()) {
            List<String> ids = history.runs().stream().map(History.Run::id).toList();
            throw new UserError("no apply '" + id + "' in the history of this target (" + history.dir() + ")"
                    + (ids.isEmpty() ? "; it has none yet" : "; the last ones: "
                    + String.join(", ", ids.subList(Math.max(0, ids.size() - 5), ids.size())) + " (see mosaic history)"));
        }
        // A journal that cannot be trusted whole is not restored from at all: putting back part
        // of an apply, and saying it is done, would leave a target that no run ever made.
        List<String> damage = history.damage(id);
        if (!damage.isEmpty()) {
            throw new UserError("the history journal of apply " + id + " (" + history.dir().resolve(id + ".journal")
                    + ") is damaged: " + String.join("; ", damage) + ". Nothing was restored: what it records cannot be"
                    + " trusted whole. The file contents it names are kept in " + BackupStore.of(stateDir).dir() + ".");
        }
        List<History.Touch> touches = history.touches(id);
        if (address != null) {
            TreeSet<String> known = new TreeSet<>();
            touches.forEach(t -> known.add(t.address()));
            touches = touches.stream().filter(t -> t.address().equals(address)).toList();
            if (touches.isEmpty()) {
                throw new UserError("apply " + id + " touched nothing of " + address
                        + dev.mosaic.diag.Suggest.hint(address, known)
                        + (known.isEmpty() ? "" : "; it touched: " + String.join(", ", known)));
            }
        }
        List<String> later = laterChanges(history, id, touches);
        BackupStore store = BackupStore.of(stateDir);
        History.Recorder recorder = dryRun ? null : history.begin("restore " + id + (address == null ? "" : " " + address),
                run.get().playbook(), host.name(), System.getProperty("user.name", "?"));
        Backups backups = dryRun ? null : new Backups(store, recorder);
        List<String> restored = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        // Resources whose files were put back: those they notify owe a refresh, as after any
        // change of them (a reload must see the restored configuration).
        TreeSet<String> changedAddresses = new TreeSet<>();
        // Removals deepest first, then what comes back parents first.
        List<History.Touch> created = touches.stream().filter(t -> t.before().equals("absent"))
                .sorted(Comparator.comparing(History.Touch::path).reversed()).toList();
        List<History.Touch> existed = touches.stream().filter(t -> !t.before().equals("absent"))
                .sorted(Comparator.comparing(History.Touch::path)).toList();
        List<String> owed = List.of();
        // What is (or, in a dry run, would be) removed: a directory left with nothing else is empty.
        java.util.Set<String> removed = new java.util.HashSet<>();
        try {
            for (History.Touch t : created) {
                Host h = new ResourceHost(host, t.address(), backups);
                TargetPath path = TargetPath.of(t.path());
                FileStat now = host.stat(path);
                if (now.isDirectory() && !host.walk(path).stream()
                        .allMatch(e -> removed.contains(t.path() + "/" + e.relativePath()))) {
                    problems.add(t.path() + ": kept, a directory that is not empty (it did not exist before " + id + ")");
                } else if (now.exists()) {
                    if (!dryRun) {
                        h.delete(path);
                    }
                    removed.add(t.path());
                    changedAddresses.add(t.address());
                    restored.add(verb(dryRun, "removed") + t.path() + " (" + t.address() + "; it did not exist before " + id + ")");
                }
            }
            for (History.Touch t : existed) {
                Host h = new ResourceHost(host, t.address(), backups);
                TargetPath path = TargetPath.of(t.path());
                FileStat now = host.stat(path);
                switch (t.before()) {
                    case "file" -> {
                        Optional<byte[]> content = t.sha256() == null ? Optional.empty() : store.get(t.sha256());
                        if (content.isEmpty()) {
                            problems.add(t.path() + ": its backup is no longer kept (the backup store keeps "
                                    + BackupStore.DEFAULT_CAP / (1024 * 1024) + " MiB, oldest out first)");
                        } else if (now.isDirectory()) {
                            problems.add(t.path() + ": a directory is there now; not replaced");
                        } else if (!(now.isFile() && now.mode() == t.mode() && t.sha256().equals(host.sha256(path)))) {
                            if (!dryRun) {
                                h.writeAtomic(path, new ByteArrayInputStream(content.get()), t.mode());
                            }
                            changedAddresses.add(t.address());
                            restored.add(verb(dryRun, "restored") + t.path() + " (" + t.address() + ")");
                        }
                    }
                    case "symlink" -> {
                        if (now.isDirectory()) {
                            problems.add(t.path() + ": a directory is there now; not replaced");
                        } else if (!(now.isSymlink() && t.linkTarget().equals(now.linkTarget()))) {
                            if (!dryRun) {
                                h.symlink(path, t.linkTarget());
                            }
                            changedAddresses.add(t.address());
                            restored.add(verb(dryRun, "restored") + "link " + t.path() + " -> " + t.linkTarget() + " (" + t.address() + ")");
                        }
                    }
                    case "directory" -> {
                        if (!now.exists()) {
                            if (!dryRun) {
                                h.mkdirs(path, t.mode());
                            }
                            changedAddresses.add(t.address());
                            restored.add(verb(dryRun, "restored") + "directory " + t.path() + " (" + t.address() + ")");
                        }
                    }
                    default -> problems.add(t.path() + ": was a " + t.before() + ", which Mosaic does not restore");
                }
            }
        } finally {
            if (!dryRun) {
                recorder.finish(restored, problems.isEmpty() ? "ok" : "failed");
                owed = oweRefreshes(stateDir, changedAddresses);
            }
        }
        return new Result(dryRun ? null : recorder.id(), restored, problems, owed, later);
    }

    /** "removed " or, in a dry run, "would remove " ("restored " / "would restore "). */
    private static String verb(boolean dryRun, String past) {
        return dryRun ? "would " + past.substring(0, past.length() - 1) + " " : past + " ";
    }

    /**
     * The paths {@code id} touched that a later run (an apply or a restore) touched again: putting
     * them back to before {@code id} undoes that later change too, which the user should know.
     */
    private static List<String> laterChanges(History history, String id, List<History.Touch> touches) throws IOException {
        TreeSet<String> paths = new TreeSet<>();
        touches.forEach(t -> paths.add(t.path()));
        List<String> out = new ArrayList<>();
        for (History.Run r : history.runs()) {
            if (r.id().compareTo(id) <= 0) {
                continue;
            }
            TreeSet<String> again = new TreeSet<>();
            for (History.Touch t : history.touches(r.id())) {
                if (paths.contains(t.path())) {
                    again.add(t.path());
                }
            }
            if (!again.isEmpty()) {
                out.add(String.join(", ", again) + " changed again by " + r.id() + " (" + r.command() + ")");
            }
        }
        return out;
    }

    /**
     * Journals, durably, a refresh owed by each resource that a restored one notifies (as the
     * last apply recorded it in the state): the next plan shows it and the next apply does it.
     */
    private static List<String> oweRefreshes(Path stateDir, TreeSet<String> changed) throws IOException {
        List<String> owed = new ArrayList<>();
        if (changed.isEmpty()) {
            return owed;
        }
        StateStore state = StateStore.open(stateDir);
        for (String a : changed) {
            for (String n : state.get(a).map(StateStore.Entry::notifies).orElse(List.of())) {
                state.oweRefresh(n, a);
                owed.add(n + " (notified by " + a + ")");
            }
        }
        state.commit();
        return owed;
    }
}
