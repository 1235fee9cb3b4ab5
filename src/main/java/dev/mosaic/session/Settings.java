package dev.mosaic.session;

import dev.mosaic.resource.Kinds;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What every session of one command shares, as the command line gave it: the kinds known, the
 * playbook's variables and module directories, how many resources to work on at once, where the
 * state goes when it is not below the root ({@code --state-dir}, null for the default), the
 * download cache, and the addresses {@code --target} limits the run to (empty: all).
 */
public record Settings(Kinds kinds, Map<String, String> vars, List<Path> moduleDirs, int jobs, Path stateDir,
                       Path cacheDir, List<String> targets) {

    public Settings {
        targets = List.copyOf(targets);
    }

    public Settings(Kinds kinds, Map<String, String> vars, List<Path> moduleDirs, int jobs, Path stateDir, Path cacheDir) {
        this(kinds, vars, moduleDirs, jobs, stateDir, cacheDir, List.of());
    }
}
