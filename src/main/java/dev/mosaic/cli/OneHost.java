package dev.mosaic.cli;

import dev.mosaic.diag.Suggest;
import dev.mosaic.diag.UserError;
import dev.mosaic.playbook.Inventory;
import dev.mosaic.playbook.InventoryHost;
import dev.mosaic.playbook.InventoryLoader;
import dev.mosaic.session.Session;
import dev.mosaic.session.Transport;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code --inventory FILE --host NAME}: one host of an inventory, for the commands about one
 * target (explain, graph, history, logs, restore). The host is reached as an apply over the inventory
 * reaches it, with its own variables, root and state directory.
 */
public final class OneHost {

    @Option(names = {"-i", "--inventory"}, paramLabel = "FILE",
            description = "The inventory the host is in (with --host); see schemas/inventory.schema.json.")
    Path inventory;

    @Option(names = "--host", paramLabel = "NAME", description = "With --inventory: the host this is about.")
    String host;

    /** Whether a host of an inventory is named; refuses one option without the other. */
    boolean active() {
        if (host != null && inventory == null) {
            throw new UserError("--host " + host + " needs the inventory it is in: --inventory FILE");
        }
        if (inventory != null && host == null) {
            throw new UserError("--inventory names several hosts: say which one with --host NAME");
        }
        return inventory != null;
    }

    /** The named host, or an error naming the inventory's hosts. */
    InventoryHost find() {
        PathChecks.inputFile("--inventory", inventory);
        return find(new InventoryLoader().load(inventory));
    }

    InventoryHost find(Inventory loaded) {
        java.util.List<String> names = loaded.select(null).stream().map(InventoryHost::name).toList();
        return loaded.select(null).stream().filter(h -> h.name().equals(host)).findFirst()
                .orElseThrow(() -> new UserError("no host " + host + " in the inventory " + inventory
                        + Suggest.hint(host, names) + "; its hosts: " + String.join(", ", names)));
    }

    /** The host's session for the playbook, read-only (a plan's), or why it cannot be reached. */
    Session open(Path playbook, CommonOptions options) {
        Fleet fleet = fleet(playbook, options);
        try {
            return fleet.open(fleet.members().get(0), false);
        } catch (Transport.Unavailable u) {
            throw new UserError("host " + host + ": " + u.getMessage());
        }
    }

    /** The playbook loaded for this host alone, with its variables. */
    Fleet fleet(Path playbook, CommonOptions options) {
        InventoryOptions inv = new InventoryOptions();
        inv.inventory = inventory;
        inv.forks = 1;
        return Fleet.load(playbook, options, inv, this);
    }

    /**
     * The state directory a command about one target reads: the named host's ({@link #stateDir}),
     * or else the one {@code --root}/{@code --state-dir} give (default {@code ROOT/var/lib/mosaic}),
     * checked either way.
     */
    Path stateDirOf(Path rootOption, Path stateDirOption) {
        PathChecks.directoryIfExists("--root", rootOption);
        PathChecks.directoryIfExists("--state-dir", stateDirOption);
        if (active()) {
            return stateDir(find(), rootOption, stateDirOption);
        }
        Path root = rootOption == null ? Path.of("/") : rootOption.toAbsolutePath().normalize();
        Path state = stateDirOption != null ? stateDirOption.toAbsolutePath().normalize() : root.resolve(Session.STATE_DIR);
        Session.checkStateDir(state, root);
        return state;
    }

    /**
     * The host's state directory, as an apply over the inventory keeps it, checked like a single
     * target's: below the host's root for a local host, on this machine for an ssh host.
     */
    Path stateDir(InventoryHost h, Path rootOption, Path stateDirOption) {
        if (rootOption != null) {
            throw new UserError("--root and --inventory do not go together: the inventory gives each local host its 'root:'");
        }
        Path state = Transport.stateDir(h, stateDirOption);
        Session.checkStateDir(state, h.connection() == InventoryHost.Connection.SSH ? null
                : h.root() == null ? Path.of("/") : h.root().toAbsolutePath().normalize());
        return state;
    }
}
