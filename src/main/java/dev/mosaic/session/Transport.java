package dev.mosaic.session;

import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.host.ssh.SshConnection;
import dev.mosaic.host.ssh.SshHost;
import dev.mosaic.playbook.InventoryHost;
import dev.mosaic.playbook.Playbook;
import dev.mosaic.playbook.ResourceDecl;
import dev.mosaic.resource.Bound;
import dev.mosaic.resource.Capability;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.state.StateStore;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How Mosaic reaches an inventory host for one run. {@link #open} gives a {@link Session} (the
 * host's {@code Host} and state) or says why it cannot. {@code local} is this machine below the
 * host's {@code root:}; {@code ssh} is a lab server reached with Apache MINA SSHD, whose state
 * (fingerprints, manifests, stat cache) is kept on this, the control machine.
 */
public interface Transport {

    /**
     * @param writes whether the run may write Mosaic's state (apply: yes; plan: never)
     * @throws Unavailable when this transport cannot reach the host; the host is reported as
     *                     failed or unreachable and the run goes on with the others
     */
    Session open(InventoryHost host, Playbook playbook, ResourceGraph graph, Settings settings, boolean writes)
            throws Unavailable;

    /** The transport a host's {@code connection:} names. */
    static Transport of(InventoryHost.Connection connection) {
        return switch (connection) {
            case LOCAL -> LOCAL;
            case SSH -> SSH;
        };
    }

    Transport LOCAL = (host, playbook, graph, settings, writes) -> {
        Path root = host.root() == null ? Path.of("/") : host.root().toAbsolutePath().normalize();
        return Session.local(playbook, graph, root, stateDir(host, settings.stateDir()), settings, writes, host.name() + " (" + host.describe() + ")",
                null);
    };

    Transport SSH = (host, playbook, graph, settings, writes) -> {
        Path stateDir = sshStateDir(host, settings.stateDir());
        Connected c = connect(host, stateDir);
        SshHost ssh = c.ssh();
        String root = host.root() == null ? "/" : host.root().toString();
        try {
            prefetch(ssh, playbook);
        } catch (IOException e) {
            try {
                ssh.close();
            } catch (IOException ignored) {
                // already failing
            }
            throw new Unavailable(e.getMessage(), !c.conn().isOpen());
        }
        return new Session(playbook, graph, ssh, StateStore.open(stateDir),
                host.name() + " (" + host.describe() + (root.equals("/") ? "" : ", root " + root) + ")", settings, null);
    };

    /** An ssh host and the connection it runs on. */
    record Connected(SshConnection conn, SshHost ssh) {
    }

    /** Connects to an ssh host, with its stat cache in {@code stateDir} on this machine. */
    private static Connected connect(InventoryHost host, Path stateDir) throws Unavailable {
        SshConnection.Endpoint endpoint = new SshConnection.Endpoint(host.address(),
                host.port() == null ? 22 : host.port(),
                host.user() == null ? System.getProperty("user.name") : host.user(),
                host.identity() == null ? List.of() : List.of(host.identity()),
                host.knownHosts() == null ? Path.of(System.getProperty("user.home"), ".ssh", "known_hosts") : host.knownHosts(),
                Duration.ofSeconds(15));
        SshConnection conn;
        try {
            conn = SshConnection.open(endpoint);
        } catch (SshConnection.Failure f) {
            throw new Unavailable(f.getMessage(), f.kind() == SshConnection.Failure.Kind.UNREACHABLE);
        }
        Session.checkStateDir(stateDir, null);
        String root = host.root() == null ? "/" : host.root().toString();
        // The stat cache is on this machine, not the host: a plan keeps it too, so that the next
        // run need not hash what this one hashed.
        return new Connected(conn, new SshHost(host.name(), conn, root, stateDir.resolve("statcache.bin"), true));
    }

    /**
     * An inventory host reached without a playbook (to put back what an apply changed): this
     * machine below the host's root, or the ssh host. The caller closes an ssh host.
     */
    public static dev.mosaic.host.Host host(InventoryHost host, Path stateDirOption) throws Unavailable {
        if (host.connection() == InventoryHost.Connection.SSH) {
            return connect(host, sshStateDir(host, stateDirOption)).ssh();
        }
        Path root = host.root() == null ? Path.of("/") : host.root().toAbsolutePath().normalize();
        return new dev.mosaic.host.LocalHost(root, true, stateDir(host, stateDirOption).resolve("statcache.bin"), true);
    }

    /**
     * Where an inventory host's state is: for a local host below its root ({@code --state-dir DIR}
     * gives {@code DIR/<host>}), for an ssh host on this machine ({@link #sshStateDir}).
     */
    public static Path stateDir(InventoryHost host, Path stateDirOption) {
        if (host.connection() == InventoryHost.Connection.SSH) {
            return sshStateDir(host, stateDirOption);
        }
        Path root = host.root() == null ? Path.of("/") : host.root().toAbsolutePath().normalize();
        return stateDirOption != null ? stateDirOption.toAbsolutePath().resolve(host.name()) : root.resolve(Session.STATE_DIR);
    }

    /**
     * An ssh host's state lives on the control machine: {@code --state-dir DIR} gives
     * {@code DIR/<host>}, else {@code $XDG_STATE_HOME/mosaic/hosts/<host>} (~/.local/state/…).
     */
    static Path sshStateDir(InventoryHost host, Path stateDirOption) {
        if (stateDirOption != null) {
            return stateDirOption.toAbsolutePath().resolve(host.name());
        }
        String xdg = System.getenv("XDG_STATE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "state");
        return base.resolve("mosaic").resolve("hosts").resolve(host.name());
    }

    /**
     * Asks the host, in one round trip, about every path the playbook manages or reads: the files
     * themselves, and whole trees for what comes with its content (a copy, an unpacked archive)
     * or is read or modified as a tree (a build's inputs, a patched source tree).
     */
    private static void prefetch(SshHost ssh, Playbook playbook) throws IOException {
        Set<String> singles = new LinkedHashSet<>();
        Set<String> trees = new LinkedHashSet<>();
        for (ResourceDecl d : playbook.resources()) {
            Paths p = d.bound().paths();
            (d.type().has(Capability.CONTAINERS_ONLY) ? singles : trees).addAll(p.produces());
            trees.addAll(p.reads());
            trees.addAll(p.modifies());
        }
        List<String> filesOnly = new ArrayList<>(singles);
        filesOnly.removeAll(trees);
        ssh.prefetch(filesOnly, trees);
        // …and each kind about its resources at once (one systemctl show for all the services).
        Map<ResourceType<?, ?>, List<Bound<?, ?>>> byKind = new java.util.LinkedHashMap<>();
        playbook.resources().forEach(d -> byKind.computeIfAbsent(d.type(), t -> new ArrayList<>()).add(d.bound()));
        for (List<Bound<?, ?>> sameKind : byKind.values()) {
            sameKind.get(0).prefetch(sameKind, ssh);
        }
    }

    /** A host this transport cannot reach; the message says why, without the host's name. */
    final class Unavailable extends Exception {

        private final boolean unreachable;

        public Unavailable(String message, boolean unreachable) {
            super(message);
            this.unreachable = unreachable;
        }

        /** Whether the host could not be reached at all (rather than refused us or failed). */
        public boolean unreachable() {
            return unreachable;
        }
    }
}
