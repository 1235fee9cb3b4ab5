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

    @Option(names = {"-f", "--forks"}, paramLabel = "N",
            description = "With --inventory: how many hosts to work on at once (default: ${DEFAULT-VALUE}); each host's output is printed whole, in inventory order.")
    int forks = 5;

    boolean active() {
        return inventory != null;
    }
}
