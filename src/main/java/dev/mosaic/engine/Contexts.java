package dev.mosaic.engine;

import dev.mosaic.diag.Sensitive;
import dev.mosaic.host.Host;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.resource.Address;
import dev.mosaic.resource.Capability;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Memory;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.Pins;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.resource.TargetPaths;
import dev.mosaic.state.KeyValueDir;
import dev.mosaic.state.LockFile;
import dev.mosaic.state.StateStore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a resource sees of the run ({@link Context}): the target, the control machine, its own
 * notes, the lock file's pins, the download cache, and who else manages a path.
 */
final class Contexts {

    private final Host host;
    private final ControlInputs control;
    private final StateStore state;
    private final Events events;
    private final Path cacheDir;
    private final Map<Path, LockFile> lockFiles = new ConcurrentHashMap<>();
    /** Every path each resource produces, by playbook, for {@link Context#managedByOther}. */
    private final Map<Playbook, NavigableMap<String, Address>> owners = new ConcurrentHashMap<>();

    Contexts(Host host, ControlInputs control, StateStore state, Events events, Path cacheDir) {
        this.host = host;
        this.control = control;
        this.state = state;
        this.events = events;
        this.cacheDir = cacheDir;
    }

    Context of(Playbook playbook, Address address) {
        return of(playbook, address, null, host);
    }

    /**
     * @param log    where the resource's output lines go besides the events (null: nowhere)
     * @param target the target as this resource sees it (during apply, a {@link ResourceHost})
     */
    Context of(Playbook playbook, Address address, ResourceLog log, Host target) {
        Path base = playbook.baseDirOf(address); // a module's resources read relative paths in the module
        KeyValueDir notes = KeyValueDir.forOwner(state.dir().resolve("memory"), address.toString());
        LockFile lock = lockFiles.computeIfAbsent(playbook.baseDir(), b -> new LockFile(b.resolve("mosaic.lock")));
        Memory memory = new Memory() {
            @Override
            public Optional<String> get(String key) throws IOException {
                return notes.get(key);
            }

            @Override
            public void put(String key, String value) throws IOException {
                notes.put(key, value);
            }
        };
        Pins pins = new Pins() {
            @Override
            public Optional<String> sha256(String url) throws IOException {
                return lock.get(url);
            }

            @Override
            public void pin(String url, String sha256) throws IOException {
                lock.pin(url, sha256);
            }
        };
        return new Context() {
            @Override
            public Memory memory() {
                return memory;
            }

            @Override
            public Path cacheDir() {
                return cacheDir;
            }

            @Override
            public Pins pins() {
                return pins;
            }

            @Override
            public boolean managedByOther(String path) {
                return Contexts.this.managedByOther(playbook, address, path, false);
            }

            @Override
            public boolean producedByOther(String path) {
                return Contexts.this.managedByOther(playbook, address, path, true);
            }

            @Override
            public boolean sharedWithOther(String path) {
                return Contexts.this.sharedWithOther(playbook, address, path);
            }

            @Override
            public Host host() {
                return target;
            }

            @Override
            public Host control() {
                return control;
            }

            @Override
            public Path baseDir() {
                return base;
            }

            @Override
            public void output(String line) {
                // Scrubbed here, before any encoding (a JSON event escapes a quote in a secret),
                // as well as by the output streams, which also match the encoded forms.
                String shown = Sensitive.scrub(line);
                if (log != null) {
                    log.append(shown);
                }
                events.output(address, shown);
            }
        };
    }

    /** Whether a resource of the playbook produces {@code path}, a tree with it, or something below it. */
    boolean managedByPlaybook(Playbook playbook, String path) {
        return managedByOther(playbook, null, path, true)
                || !owners(playbook).subMap(path + "/", true, path + "0", false).isEmpty();
    }

    /** @param content only producers that make the path's content count (not container directories) */
    private boolean managedByOther(Playbook playbook, Address self, String path, boolean content) {
        NavigableMap<String, Address> byPath = owners(playbook);
        for (String p = path; p != null; p = TargetPaths.parent(p)) {
            Address owner = byPath.get(p);
            if (owner != null && !owner.equals(self)
                    && (!content || p.equals(path) || !kindOf(playbook, owner).has(Capability.CONTAINERS_ONLY))) {
                return true;
            }
        }
        return false;
    }

    /**
     * See {@link Context#sharedWithOther}. A directory above {@code path} that another resource
     * merely creates (a {@code directory}) is not shared: it is made first and holds nothing of it.
     */
    private static boolean sharedWithOther(Playbook playbook, Address self, String path) {
        for (ResourceDecl d : playbook.resources()) {
            if (d.address().equals(self)) {
                continue;
            }
            Paths p = d.bound().paths();
            boolean contentBelow = !d.type().has(Capability.CONTAINERS_ONLY);
            for (String other : p.produces()) {
                if (other.equals(path) || TargetPaths.isUnder(other, path) || contentBelow && TargetPaths.isUnder(path, other)) {
                    return true;
                }
            }
            for (String other : union(p.modifies(), p.fills())) {
                if (other.equals(path) || TargetPaths.isUnder(other, path) || TargetPaths.isUnder(path, other)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return all;
    }

    private NavigableMap<String, Address> owners(Playbook playbook) {
        return owners.computeIfAbsent(playbook, p -> {
            TreeMap<String, Address> m = new TreeMap<>();
            for (ResourceDecl d : p.resources()) {
                d.bound().paths().produces().forEach(x -> m.putIfAbsent(x, d.address()));
            }
            return m;
        });
    }

    private static ResourceType<?, ?> kindOf(Playbook playbook, Address a) {
        return playbook.resources().stream().filter(d -> d.address().equals(a)).findFirst().orElseThrow().type();
    }
}
