package dev.mosaic.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Options every command that reads a playbook shares. */
public final class CommonOptions {

    @Option(names = "--root", paramLabel = "DIR",
            description = "Manage the target below DIR instead of /: every absolute path of the playbook, and Mosaic's own state, live under DIR.")
    Path root;

    @Option(names = "--var", paramLabel = "NAME=VALUE",
            description = "Override a playbook variable (repeatable).")
    Map<String, String> vars = new LinkedHashMap<>();

    @Option(names = "--json", description = "Print machine-readable JSON instead of text.")
    boolean json;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N",
            description = "How many resources to work on at once (default: number of cores).")
    int jobs = Runtime.getRuntime().availableProcessors();
}
