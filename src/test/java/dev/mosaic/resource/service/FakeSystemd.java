package dev.mosaic.resource.service;

import static dev.mosaic.testing.Tp.tp;
import dev.mosaic.base.TargetPath;
import dev.mosaic.host.Exec;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.host.LocalHost;
import dev.mosaic.host.TreeDigest;
import dev.mosaic.host.TreeEntry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A whole machine whose files live below a test directory and whose systemd is a small model: it
 * answers {@code systemctl show} from what it loaded at its last {@code daemon-reload}, starts a
 * unit with a new main PID, and lets a unit whose {@code ExecStart=} is {@code /bin/false} die
 * right after a start that said yes (a {@code Type=simple} service failing at once). Every
 * command is recorded, so a test can hold the kind to the exact commands and their order.
 */
final class FakeSystemd implements Host {

    /** One unit as the model knows it. */
    private static final class Unit {
        boolean loaded;
        boolean enabled;
        boolean active;
        boolean canReload;
        boolean dies;
        long pid;
        String failed = "";
    }

    final List<List<String>> commands = Collections.synchronizedList(new ArrayList<>());
    private final LocalHost files;
    private final Map<String, Unit> units = new HashMap<>();
    private long nextPid = 100;

    FakeSystemd(Path root) {
        this.files = new LocalHost(root);
    }

    /** A unit that is installed already (by a package), loaded, in the given state. */
    synchronized void installed(String unit, boolean enabled, boolean active, boolean canReload) {
        Unit u = units.computeIfAbsent(unit, k -> new Unit());
        u.loaded = true;
        u.enabled = enabled;
        u.canReload = canReload;
        u.active = active;
        u.pid = active ? nextPid++ : 0;
    }

    synchronized long mainPid(String unit) {
        return units.get(unit).pid;
    }

    /** The commands run, as lines, without the queries ({@code show}, {@code journalctl}). */
    List<String> changes() {
        return commands.stream().filter(c -> !c.get(1).equals("show") && !c.get(0).equals("journalctl"))
                .map(c -> String.join(" ", c)).toList();
    }

    /** Counts what changed the machine, as a remote host does (queries do not count). */
    private long generation;

    @Override
    public synchronized long generation() {
        return generation;
    }

    @Override
    public synchronized Exec.Result exec(Exec exec) throws IOException {
        List<String> argv = exec.argv();
        commands.add(argv);
        if (!argv.get(0).equals("journalctl") && !argv.get(1).equals("show")) {
            generation++;
        }
        if (argv.get(0).equals("journalctl")) {
            String unit = argv.get(2);
            return say(exec, 0, "Dec 02 17:00:00 lab systemd[1]: Started " + unit + ".",
                    "Dec 02 17:00:00 lab " + unit + "[" + nextPid + "]: boom: cannot open /etc/missing.conf",
                    "Dec 02 17:00:00 lab systemd[1]: " + unit + ": Main process exited, code=exited, status=1/FAILURE");
        }
        String verb = argv.get(1);
        if (verb.equals("daemon-reload")) {
            for (Map.Entry<String, Unit> e : units.entrySet()) {
                load(e.getKey(), e.getValue());
            }
            try (var list = Files.list(files.resolve(tp("/etc/systemd/system"), true))) {
                for (Path p : list.filter(p -> p.toString().endsWith(".service")).toList()) {
                    load(p.getFileName().toString(), units.computeIfAbsent(p.getFileName().toString(), k -> new Unit()));
                }
            } catch (java.nio.file.NoSuchFileException e) {
                // nothing written yet
            }
            return say(exec, 0);
        }
        if (verb.equals("show")) {
            List<String> out = new ArrayList<>();
            for (String name : argv.subList(5, argv.size())) {
                Unit u = units.getOrDefault(name, new Unit());
                String active = u.active ? "active" : u.failed.isEmpty() ? "inactive" : "failed";
                out.addAll(List.of("Id=" + name, "LoadState=" + (u.loaded ? "loaded" : "not-found"),
                        "ActiveState=" + active, "SubState=" + (u.active ? "running" : u.failed.isEmpty() ? "dead" : "failed"),
                        "UnitFileState=" + (!u.loaded ? "" : u.enabled ? "enabled" : "disabled"),
                        "MainPID=" + u.pid, "CanReload=" + (u.canReload ? "yes" : "no"),
                        "FragmentPath=" + (u.loaded ? "/etc/systemd/system/" + name : ""), ""));
            }
            return say(exec, 0, out.toArray(String[]::new));
        }
        Unit u = units.get(argv.get(2));
        if (u == null || !u.loaded) {
            return say(exec, 5, "Failed to " + verb + " " + argv.get(2) + ": Unit " + argv.get(2) + " not found.");
        }
        switch (verb) {
            case "enable", "disable" -> u.enabled = verb.equals("enable");
            case "start", "restart" -> {
                if (verb.equals("start") && u.active) {
                    break;
                }
                if (u.dies) {
                    u.active = false;
                    u.pid = 0;
                    u.failed = "failed";
                } else {
                    u.active = true;
                    u.pid = nextPid++;
                }
            }
            case "stop" -> {
                u.active = false;
                u.pid = 0;
            }
            case "reload" -> {
                if (!u.canReload) {
                    return say(exec, 1, "Failed to reload " + argv.get(2) + ": Job type reload is not applicable for unit " + argv.get(2) + ".");
                }
            }
            default -> throw new AssertionError("unexpected systemctl " + verb);
        }
        return say(exec, 0);
    }

    private void load(String name, Unit u) throws IOException {
        FileStat st = files.stat(tp("/etc/systemd/system/" + name));
        if (st.isFile()) {
            String text = new String(files.read(tp("/etc/systemd/system/" + name)), StandardCharsets.UTF_8);
            u.loaded = true;
            u.canReload = text.contains("ExecReload=");
            u.dies = text.contains("ExecStart=/bin/false");
        }
    }

    private static Exec.Result say(Exec exec, int code, String... lines) {
        for (String l : lines) {
            exec.output().accept(l);
        }
        return new Exec.Result(code, false, List.of(lines));
    }

    @Override
    public String name() {
        return "lab";
    }

    @Override
    public boolean isSandbox() {
        return false;
    }

    @Override
    public FileStat stat(TargetPath path) throws IOException {
        return files.stat(path);
    }

    @Override
    public byte[] read(TargetPath path) throws IOException {
        return files.read(path);
    }

    @Override
    public InputStream open(TargetPath path) throws IOException {
        return files.open(path);
    }

    @Override
    public String sha256(TargetPath path) throws IOException {
        return files.sha256(path);
    }

    @Override
    public List<TreeEntry> walk(TargetPath dir) throws IOException {
        return files.walk(dir);
    }

    @Override
    public void writeAtomic(TargetPath path, InputStream content, int mode) throws IOException {
        synchronized (this) {
            generation++;
        }
        files.writeAtomic(path, content, mode);
    }

    @Override
    public void mkdirs(TargetPath path, int mode) throws IOException {
        files.mkdirs(path, mode);
    }

    @Override
    public void symlink(TargetPath path, String target) throws IOException {
        files.symlink(path, target);
    }

    @Override
    public void chmod(TargetPath path, int mode) throws IOException {
        files.chmod(path, mode);
    }

    @Override
    public void chown(TargetPath path, int uid, int gid) throws IOException {
        files.chown(path, uid, gid);
    }

    @Override
    public void delete(TargetPath path) throws IOException {
        files.delete(path);
    }

    @Override
    public void deleteTree(TargetPath path) throws IOException {
        files.deleteTree(path);
    }

    @Override
    public TreeDigest digestTree(TargetPath dir) throws IOException {
        return files.digestTree(dir);
    }

    @Override
    public TreeDigest digestTree(TargetPath dir, Predicate<String> names) throws IOException {
        return files.digestTree(dir, names);
    }

    @Override
    public Optional<Integer> uidOf(String user) throws IOException {
        return files.uidOf(user);
    }

    @Override
    public Optional<Integer> gidOf(String group) throws IOException {
        return files.gidOf(group);
    }
}
