package dev.mosaic.engine;

import dev.mosaic.base.TargetPath;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.state.BackupStore;
import dev.mosaic.state.History;
import dev.mosaic.state.StateDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Keeps what one apply is about to overwrite or delete: the first time a run touches a path, its
 * current state goes to the run's {@link History} journal, and a regular file's content to the
 * {@link BackupStore}, before the path changes. What {@code mosaic restore} puts back.
 *
 * <p>Never a secret: a resource built from a sensitive value keeps nothing of what it changes
 * ({@link #forSensitive}), and the paths it touched are remembered in
 * {@code <state>/sensitive-paths.json} — so that when the playbook later makes the resource
 * non-sensitive, or another resource takes the path over, or the resource is deleted, the secret
 * it left there is not backed up either: what decides is what the path held, not what the
 * resource is now. A path stops being sensitive when a non-sensitive resource rewrites it whole.
 * The file holds paths only (a path holding a secret is refused at load). Thread-safe.
 */
final class Backups {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BackupStore store;
    private final History.Recorder run;
    private final SensitivePaths sensitive;
    /** This view serves a sensitive resource: it records the paths it touches, keeps nothing. */
    private final boolean forSensitive;

    /** @param store the state's backup store ({@code <state>/backups}); the sensitive paths sit beside it */
    Backups(BackupStore store, History.Recorder run) {
        this(store, run, new SensitivePaths(store.dir().resolveSibling("sensitive-paths.json")), false);
    }

    private Backups(BackupStore store, History.Recorder run, SensitivePaths sensitive, boolean forSensitive) {
        this.store = store;
        this.run = run;
        this.sensitive = sensitive;
        this.forSensitive = forSensitive;
    }

    /** The same backups, as a resource built from a sensitive value uses them: nothing kept. */
    Backups forSensitive() {
        return new Backups(store, run, sensitive, true);
    }

    /** Whether this view serves a sensitive resource. */
    boolean isForSensitive() {
        return forSensitive;
    }

    History.Recorder run() {
        return run;
    }

    BackupStore store() {
        return store;
    }

    /** Records what {@code path} holds now, unless this run recorded it already. */
    void before(Host host, String address, TargetPath path) throws IOException {
        if (forSensitive || !run.seen(path.text())) {
            before(host, address, path, host.stat(path));
        }
    }

    /** The same, given what {@code path} is now ({@code host.stat(path)}). */
    void before(Host host, String address, TargetPath target, FileStat st) throws IOException {
        String path = target.text();
        if (forSensitive) {
            // What it holds may be the secret (a directory holds none itself: what a sensitive
            // resource writes inside is marked as it is written, see rewritten).
            if (st.exists() && !st.isDirectory()) {
                sensitive.add(List.of(path));
            }
            return;
        }
        if (run.seen(path) || sensitive.covers(path)) {
            return; // what it holds came from a sensitive resource: a backup would keep the secret
        }
        History.Touch t = switch (st.kind()) {
            case ABSENT -> new History.Touch(address, path, "absent", null, 0, null);
            case FILE -> {
                String sha;
                try (InputStream in = host.open(target)) {
                    sha = store.put(in);
                }
                yield new History.Touch(address, path, "file", sha, st.mode(), null);
            }
            case SYMLINK -> new History.Touch(address, path, "symlink", null, 0, st.linkTarget());
            case DIRECTORY -> new History.Touch(address, path, "directory", null, st.mode(), null);
            case OTHER -> new History.Touch(address, path, "other", null, st.mode(), null);
        };
        run.touched(t);
    }

    /** A sensitive resource produces these paths (also those it writes other than through the host). */
    void sensitive(Collection<String> paths) throws IOException {
        sensitive.add(paths);
    }

    /** {@code path} was rewritten whole: by a sensitive resource it stays marked, by another it is clear. */
    void rewritten(TargetPath target) throws IOException {
        String path = target.text();
        if (forSensitive) {
            sensitive.add(List.of(path));
        } else {
            sensitive.remove(path);
        }
    }

    /** The set of paths last written by a sensitive resource, read once and rewritten when it changes. */
    private static final class SensitivePaths {
        private final Path file;
        private NavigableSet<String> paths;
        /** The file could not be read: every path counts as sensitive, and the file is left as it is. */
        private boolean unreadable;

        SensitivePaths(Path file) {
            this.file = file;
        }

        synchronized boolean covers(String path) {
            NavigableSet<String> all = load();
            if (unreadable) {
                return true;
            }
            for (String p = path; p != null; p = dev.mosaic.resource.TargetPaths.parent(p)) {
                if (all.contains(p)) {
                    return true;
                }
            }
            return false;
        }

        synchronized void add(Collection<String> more) throws IOException {
            boolean added = false;
            for (String p : more) {
                if (!covers(p)) { // below a marked directory is marked already: the list stays short
                    added |= paths.add(p);
                }
            }
            if (added) {
                save();
            }
        }

        synchronized void remove(String path) throws IOException {
            if (load().remove(path)) {
                save();
            }
        }

        private NavigableSet<String> load() {
            if (paths == null) {
                paths = new TreeSet<>();
                try {
                    // never through a link planted at its name (StateDir.read opens it O_NOFOLLOW)
                    Optional<byte[]> bytes = StateDir.read(file);
                    if (bytes.isPresent()) {
                        paths.addAll(JSON.readValue(bytes.get(), new TypeReference<List<String>>() { }));
                    } // else nothing sensitive was ever written on this target
                } catch (IOException | RuntimeException e) {
                    // Which paths held secrets is unknown: back up nothing rather than a secret.
                    unreadable = true;
                }
            }
            return paths;
        }

        private void save() throws IOException {
            if (unreadable) {
                return;
            }
            StateDir.directory(file.getParent());
            StateDir.writeAtomic(file, JSON.writeValueAsBytes(paths));
        }
    }
}
