package dev.mosaic.cli;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.IoProblems;
import dev.mosaic.diag.Suggest;
import dev.mosaic.diag.UserError;
import dev.mosaic.yaml.YNode;
import dev.mosaic.yaml.YamlReader;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Defaults for the command line, as an admin sets them once per machine or per user:
 * {@code /etc/mosaic/config.yml}, then {@code $XDG_CONFIG_HOME/mosaic/config.yml}
 * ({@code ~/.config/mosaic/config.yml}); a key of the later file wins, an option on the command
 * line wins over both. Keys: {@code modules} (directories to find modules in, after
 * {@code --modules}), {@code inventory} (used when neither {@code --inventory} nor {@code --root}
 * is given), {@code forks}, {@code color} ({@code false}: never), {@code cache_dir}. Relative paths
 * are relative to the file. A mistake in the file is an error with its position, like a playbook's.
 */
record Config(List<Path> modules, Optional<Path> inventory, Optional<Integer> forks, Optional<Boolean> color,
              Optional<Path> cacheDir) {

    static final Path SYSTEM = Path.of("/etc/mosaic/config.yml");
    private static final Set<String> KEYS = Set.of("modules", "inventory", "forks", "color", "cache_dir");

    static final Config NONE = new Config(List.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    /** The user's file: {@code $XDG_CONFIG_HOME/mosaic/config.yml}, else under {@code ~/.config}. */
    static Path user(String xdgConfigHome, String home) {
        Path base = xdgConfigHome != null && !xdgConfigHome.isBlank() ? Path.of(xdgConfigHome) : Path.of(home, ".config");
        return base.resolve("mosaic").resolve("config.yml");
    }

    /** The files that exist, in order, merged: a key of a later file replaces the earlier one's. */
    static Config load(List<Path> files) {
        Config c = NONE;
        Diagnostics diags = new Diagnostics();
        for (Path f : files) {
            if (Files.exists(f)) {
                c = c.then(read(f, diags));
            }
        }
        diags.throwIfErrors();
        return c;
    }

    private Config then(Config later) {
        return new Config(later.modules.isEmpty() ? modules : later.modules, later.inventory.or(() -> inventory),
                later.forks.or(() -> forks), later.color.or(() -> color), later.cacheDir.or(() -> cacheDir));
    }

    private static Config read(Path file, Diagnostics diags) {
        String text;
        try {
            text = YamlReader.readFile(file, diags);
        } catch (IOException e) {
            throw new UserError("cannot read the configuration file " + file + ": " + IoProblems.reason(e));
        }
        YNode root = text == null ? null : YamlReader.read(file.toString(), text, diags);
        if (root == null) {
            return NONE;
        }
        if (!(root instanceof YNode.Map map)) {
            diags.error(root.pos(), "the configuration file is a mapping of settings (" + String.join(", ", KEYS.stream().sorted().toList())
                    + "); got " + root.kindName());
            return NONE;
        }
        Path dir = file.toAbsolutePath().getParent();
        List<Path> modules = new ArrayList<>();
        Optional<Path> inventory = Optional.empty();
        Optional<Integer> forks = Optional.empty();
        Optional<Boolean> color = Optional.empty();
        Optional<Path> cache = Optional.empty();
        for (YNode.Entry e : map.entries().values()) {
            YNode v = e.value();
            switch (e.key()) {
                case "modules" -> {
                    if (v instanceof YNode.Seq seq) {
                        for (YNode item : seq.items()) {
                            path(item, dir, diags).ifPresent(modules::add);
                        }
                    } else {
                        diags.error(v.pos(), "modules: a list of directories, e.g. [/srv/mosaic/modules]; got " + v.kindName());
                    }
                }
                case "inventory" -> inventory = path(v, dir, diags);
                case "cache_dir" -> cache = path(v, dir, diags);
                case "forks" -> {
                    if (v instanceof YNode.Scalar s && s.kind() == YNode.Scalar.Kind.INTEGER && parsesPositive(s.text())) {
                        forks = Optional.of(Integer.parseInt(s.text()));
                    } else {
                        diags.error(v.pos(), "forks: a whole number of hosts at once, at least 1");
                    }
                }
                case "color" -> {
                    if (v instanceof YNode.Scalar s && s.kind() == YNode.Scalar.Kind.BOOLEAN) {
                        color = Optional.of(s.asBoolean());
                    } else {
                        diags.error(v.pos(), "color: true (on terminals, the default) or false (never)");
                    }
                }
                default -> diags.error(e.keyPos(), "unknown setting '" + e.key() + "'" + Suggest.hint(e.key(), KEYS)
                        + "; known: " + String.join(", ", KEYS.stream().sorted().toList()));
            }
        }
        return new Config(List.copyOf(modules), inventory, forks, color, cache);
    }

    private static boolean parsesPositive(String text) {
        try {
            return Integer.parseInt(text) >= 1;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static Optional<Path> path(YNode v, Path dir, Diagnostics diags) {
        if (v instanceof YNode.Scalar s && s.kind() == YNode.Scalar.Kind.STRING && !s.text().isBlank() && s.text().indexOf('\0') < 0) {
            return Optional.of(dir.resolve(s.text()).normalize());
        }
        diags.error(v.pos(), "a path (absolute, or relative to this file); got " + v.kindName());
        return Optional.empty();
    }

    /**
     * Sets what the command line left unsaid on the command about to run. The inventory is the
     * default target of validate, plan and apply, only when no {@code --root} names a local one.
     */
    void applyTo(CommandLine.ParseResult command) {
        CommandLine.Model.CommandSpec spec = command.commandSpec();
        forks.ifPresent(n -> unlessGiven(command, spec, "--forks", n));
        cacheDir.ifPresent(d -> unlessGiven(command, spec, "--cache-dir", d));
        // Only where an inventory means "every host": explain, graph, history and restore take
        // one with --host, about one host, which a default could not name.
        if (!command.hasMatchedOption("--root") && Set.of("validate", "plan", "apply").contains(spec.name())) {
            inventory.ifPresent(i -> unlessGiven(command, spec, "--inventory", i));
        }
    }

    private static void unlessGiven(CommandLine.ParseResult command, CommandLine.Model.CommandSpec spec, String option, Object value) {
        CommandLine.Model.OptionSpec o = spec.findOption(option);
        if (o != null && !command.hasMatchedOption(option)) {
            o.setValue(value);
        }
    }
}
