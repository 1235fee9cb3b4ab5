package dev.mosaic.cli;

import dev.mosaic.graph.ResourceGraph;
import dev.mosaic.playbook.InventoryHost;
import dev.mosaic.playbook.Playbook;

import java.nio.file.Path;

/**
 * How Mosaic reaches an inventory host for one run: the seam where the SSH transport plugs in.
 * {@link #open} gives a {@link Target} (the host's {@code Host} and state) or says why it cannot.
 * {@code local} is this machine below the host's {@code root:}; {@code ssh} is not available yet.
 */
interface Transport {

    /**
     * @param writes whether the run may write Mosaic's state on the host (apply: yes; plan: never)
     * @throws Unavailable when this transport cannot reach the host; the host is reported as
     *                     failed and the run goes on with the others
     */
    Target open(InventoryHost host, Playbook playbook, ResourceGraph graph, CommonOptions options, boolean writes)
            throws Unavailable;

    /** The transport a host's {@code connection:} names. */
    static Transport of(InventoryHost.Connection connection) {
        return switch (connection) {
            case LOCAL -> LOCAL;
            case SSH -> SSH;
        };
    }

    Transport LOCAL = (host, playbook, graph, options, writes) -> {
        Path root = host.root() == null ? Path.of("/") : host.root().toAbsolutePath().normalize();
        return Target.local(playbook, graph, root, root.resolve(Target.STATE_DIR), options, writes,
                host.name() + " (" + host.describe() + ")");
    };

    Transport SSH = (host, playbook, graph, options, writes) -> {
        throw new Unavailable("ssh transport not available yet");
    };

    /** A host this transport cannot reach (yet); the message says why, without the host's name. */
    final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }
}
