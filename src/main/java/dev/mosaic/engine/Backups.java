package dev.mosaic.engine;

import dev.mosaic.host.FileStat;
import dev.mosaic.host.Host;
import dev.mosaic.state.BackupStore;
import dev.mosaic.state.History;

import java.io.IOException;
import java.io.InputStream;

/**
 * Keeps what one apply is about to overwrite or delete: the first time a run touches a path, its
 * current state goes to the run's {@link History} journal, and a regular file's content to the
 * {@link BackupStore}, before the path changes. What {@code mosaic restore} puts back.
 */
final class Backups {

    private final BackupStore store;
    private final History.Recorder run;

    Backups(BackupStore store, History.Recorder run) {
        this.store = store;
        this.run = run;
    }

    History.Recorder run() {
        return run;
    }

    BackupStore store() {
        return store;
    }

    /** Records what {@code path} holds now, unless this run recorded it already. */
    void before(Host host, String address, String path) throws IOException {
        if (!run.seen(path)) {
            before(host, address, path, host.stat(path));
        }
    }

    /** The same, given what {@code path} is now ({@code host.stat(path)}). */
    void before(Host host, String address, String path, FileStat st) throws IOException {
        if (run.seen(path)) {
            return;
        }
        History.Touch t = switch (st.kind()) {
            case ABSENT -> new History.Touch(address, path, "absent", null, 0, null);
            case FILE -> {
                String sha;
                try (InputStream in = host.open(path)) {
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
}
