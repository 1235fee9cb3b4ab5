package dev.mosaic.cli;

import dev.mosaic.playbook.Playbook;
import dev.mosaic.session.Session;
import dev.mosaic.session.Settings;
import dev.mosaic.yaml.YNode;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    @Option(names = "--modules", paramLabel = "DIR",
            description = "Also look for modules below DIR (repeatable), after modules/ next to the playbook and ../modules/.")
    List<Path> moduleDirs = new ArrayList<>();

    @Option(names = "--json", description = "Print machine-readable JSON instead of text (schemas/*.schema.json); a failure prints one error document (schemas/errors.schema.json) on stdout.")
    boolean json;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N",
            description = "How many resources to work on at once (default: number of cores).")
    int jobs = Runtime.getRuntime().availableProcessors();

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where Mosaic keeps its state for this target (default: ROOT/var/lib/mosaic).")
    Path stateDir;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "The download cache shared by all playbooks (default: $MOSAIC_CACHE_DIR, else ~/.cache/mosaic).")
    Path cacheDir;

    /** {@code --target} of plan and apply (set by them: the other commands run on the whole playbook). */
    List<String> targets = List.of();

    /** These options as every session of the command shares them (read when called: a saved plan adds its variables first). */
    Settings settings() {
        return new Settings(BuiltinKinds.create(), vars, moduleDirs, jobs, stateDir, cacheDir(), targets);
    }

    /** The target {@code --root} names (this machine's / without it), its playbook loaded. */
    Session open(Path playbook, boolean writes) {
        PathChecks.common(playbook, this);
        return Session.open(playbook, root, settings(), writes);
    }

    /**
     * The playbook with these options' variables and an inventory host's own, checked but not
     * planned against any target.
     */
    Playbook load(Path playbook, Map<String, YNode> inventoryVars) {
        PathChecks.common(playbook, this);
        return Session.load(playbook, settings(), inventoryVars);
    }

    Path cacheDir() {
        if (cacheDir != null) {
            return cacheDir.toAbsolutePath().normalize(); // the control host refuses a ".." (TargetPath)
        }
        String env = System.getenv("MOSAIC_CACHE_DIR");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath().normalize();
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("mosaic");
    }
}
