package dev.mosaic.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --inventory} and {@code --limit}: run a playbook once per host of an inventory. */
public final class InventoryOptions {

    @Option(names = {"-i", "--inventory"}, paramLabel = "FILE",
            description = "Run once per host of this inventory (local hosts below their 'root:'); see schemas/inventory.schema.json.")
    Path inventory;

    @Option(names = "--limit", paramLabel = "PATTERN",
            description = "With --inventory: only these hosts — comma-separated host or group names, '*' as a wildcard.")
    String limit;

    boolean active() {
        return inventory != null;
    }
}
