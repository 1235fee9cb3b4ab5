package dev.mosaic.playbook;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.SourcePos;
import dev.mosaic.diag.Suggest;
import dev.mosaic.diag.UserError;
import dev.mosaic.yaml.YNode;
import dev.mosaic.yaml.YamlReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Finds modules and reads their {@code module.yml}: YAML with positions, {@code
 * schemas/module.schema.json}, and the checks of the params' declarations. Each file is read once
 * per load, however many aliases call it, so problems of the file itself are reported once.
 *
 * <p>A playbook's call of {@code source: NAME} looks in {@code modules/NAME} next to the
 * playbook, then {@code ../modules/NAME}, then below each {@code --modules} directory. A module's
 * call looks in its own {@code modules/NAME} (vendored), then next to itself ({@code ../NAME}: a
 * module of the same directory), then where the playbook looks. A source with a '/' is a path
 * relative to the calling file's directory (or absolute).
 */
public final class ModuleReader {

    public static final String FILE_NAME = "module.yml";

    private final SchemaValidator schemas;
    private final List<Path> moduleDirs;
    private final Path playbookFile;
    private final Map<Path, Optional<ModuleDef>> cache = new HashMap<>();

    public ModuleReader(List<Path> moduleDirs) {
        this(new SchemaValidator(), moduleDirs, null);
    }

    /** @param playbookFile the playbook being loaded: modules are looked for next to it */
    ModuleReader(SchemaValidator schemas, List<Path> moduleDirs, Path playbookFile) {
        this.schemas = schemas;
        this.moduleDirs = List.copyOf(moduleDirs);
        this.playbookFile = playbookFile;
    }

    /**
     * Reads one module on its own (for {@code mosaic module-schema}): {@code path} is its
     * directory or its {@code module.yml}. Problems are thrown as a {@link UserError}.
     */
    public ModuleDef load(Path path) {
        boolean isFile = !Files.isDirectory(path) && path.getFileName() != null
                && path.getFileName().toString().matches(".*\\.ya?ml");
        Path dir = isFile ? parent(path) : path;
        if (!Files.isRegularFile(dir.resolve(FILE_NAME))) {
            throw new UserError("no module at " + path + ": " + dir.resolve(FILE_NAME) + " does not exist");
        }
        Diagnostics diags = new Diagnostics();
        ModuleDef def = read(dir, diags);
        diags.throwIfErrors();
        return def;
    }

    /**
     * The module directories a call of {@code source} tries, in order. From the playbook:
     * {@code modules/}, {@code ../modules/}, the {@code --modules} directories, the configured and shipped ones. From a module:
     * its own {@code modules/} (vendored), its siblings, then where the playbook looks.
     *
     * @param callerModuleDir the directory of the calling module, or null for the playbook
     */
    List<Path> candidates(String source, Path callerFile, Path callerModuleDir) {
        Path dir = parent(callerFile);
        if (source.contains("/")) {
            return List.of(dir.resolve(source).normalize());
        }
        List<Path> out = new ArrayList<>();
        Set<Path> seen = new java.util.HashSet<>();
        List<Path> roots = new ArrayList<>();
        if (callerModuleDir != null) {
            roots.add(dir.resolve("modules"));
            roots.add(parent(dir));
        }
        Path top = parent(playbookFile == null ? callerFile : playbookFile);
        roots.add(top.resolve("modules"));
        roots.add(top.resolve("..").resolve("modules"));
        roots.addAll(moduleDirs);
        roots.addAll(configured());
        for (Path root : roots) {
            Path c = root.resolve(source).normalize();
            if (seen.add(c.toAbsolutePath().normalize())) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * Tried last: the module directories of the configuration file, then the modules shipped with
     * Mosaic, which the launcher of the package, the tarball and a checkout names
     * ({@code -Dmosaic.modules=/usr/share/mosaic/modules}; a path list).
     */
    static List<Path> configured() {
        String dirs = System.getProperty("mosaic.modules", "");
        return java.util.Arrays.stream(dirs.split(java.util.regex.Pattern.quote(java.io.File.pathSeparator)))
                .filter(d -> !d.isBlank()).map(Path::of).toList();
    }

    /** The directory of the module a call names, or null after reporting where it looked. */
    Path find(String alias, YNode.Scalar source, Path callerFile, Path callerModuleDir, Diagnostics diags) {
        List<Path> tried = candidates(source.text(), callerFile, callerModuleDir);
        for (Path c : tried) {
            if (Files.isRegularFile(c.resolve(FILE_NAME))) {
                return c;
            }
        }
        Set<String> known = new TreeSet<>();
        for (Path c : tried) {
            Path root = c.getParent();
            if (root != null && Files.isDirectory(root)) {
                try (Stream<Path> list = Files.list(root)) {
                    list.filter(p -> Files.isRegularFile(p.resolve(FILE_NAME)))
                            .forEach(p -> known.add(p.getFileName().toString()));
                } catch (IOException e) {
                    // a directory we cannot list holds no modules we could use
                }
            }
        }
        diags.error(source.pos(), "module '" + alias + "': no module '" + source.text() + "'"
                + Suggest.hint(source.text(), known) + "; looked for " + FILE_NAME + " in "
                + String.join(", ", tried.stream().map(Path::toString).toList()));
        return null;
    }

    /** The module of a directory; null when its file has problems (reported in {@code diags}, once). */
    ModuleDef read(Path dir, Diagnostics diags) {
        Path key = dir.toAbsolutePath().normalize();
        Optional<ModuleDef> done = cache.get(key);
        if (done != null) {
            return done.orElse(null);
        }
        Diagnostics local = new Diagnostics();
        ModuleDef def = parse(dir, local);
        diags.addAll(local.sorted());
        cache.put(key, Optional.ofNullable(local.hasErrors() ? null : def));
        return local.hasErrors() ? null : def;
    }

    private ModuleDef parse(Path dir, Diagnostics diags) {
        Path file = dir.resolve(FILE_NAME);
        String name = file.toString();
        String text;
        try {
            text = YamlReader.readFile(file, diags);
        } catch (IOException e) {
            diags.error(new SourcePos(name, 1, 1), "cannot read module: " + dev.mosaic.diag.IoProblems.reason(e));
            return null;
        }
        if (text == null) {
            return null;
        }
        YNode root = YamlReader.read(name, text, diags);
        if (diags.hasErrors()) {
            return null;
        }
        if (!(root instanceof YNode.Map top)) {
            diags.error(root == null ? new SourcePos(name, 1, 1) : root.pos(),
                    "a module is a mapping with 'params', 'resources' and 'outputs'; the file is "
                            + (root == null ? "empty" : root.kindName().matches("[aeiou].*") ? "an " + root.kindName()
                            : "a " + root.kindName()));
            return null;
        }
        schemas.validate(top, "module.schema.json", diags);
        if (diags.hasErrors()) {
            return null;
        }
        String dirName = dir.toAbsolutePath().normalize().getFileName().toString();
        String moduleName = dirName;
        if (top.get("name") instanceof YNode.Scalar n) {
            if (!n.text().equals(dirName)) {
                diags.error(n.pos(), "module name '" + n.text() + "' differs from its directory '" + dirName
                        + "'; a module is called by its directory's name");
            }
            moduleName = n.text();
        }
        LinkedHashMap<String, ModuleParam> params = new LinkedHashMap<>();
        SourcePos paramsPos = top.pos();
        if (top.get("params") instanceof YNode.Map pm) {
            paramsPos = top.entries().get("params").keyPos();
            for (YNode.Entry e : pm.entries().values()) {
                ModuleParam p = param(e, diags);
                if (p != null) {
                    params.put(e.key(), p);
                }
            }
        }
        String description = top.get("description") instanceof YNode.Scalar d ? d.text() : "";
        return new ModuleDef(moduleName, description, file, dir.toAbsolutePath().normalize(), paramsPos, params,
                map(top.get("resources")), map(top.get("outputs")), map(top.get("modules")));
    }

    private static YNode.Map map(YNode n) {
        return n instanceof YNode.Map m ? m : null;
    }

    /** One declaration of {@code params:}; its shape passed the schema already. */
    private static ModuleParam param(YNode.Entry e, Diagnostics diags) {
        YNode.Map body = (YNode.Map) e.value();
        String name = e.key();
        ModuleParam.Type type = ModuleParam.Type.of(((YNode.Scalar) body.get("type")).text());
        List<YNode> allowed = body.get("enum") instanceof YNode.Seq seq ? seq.items() : List.of();
        YNode.Scalar min = body.get("min") instanceof YNode.Scalar s ? s : null;
        YNode.Scalar max = body.get("max") instanceof YNode.Scalar s ? s : null;
        boolean ok = true;
        for (YNode item : allowed) {
            if (!type.accepts(item)) {
                diags.error(item.pos(), "param '" + name + "': enum value " + ModuleParam.describe(item)
                        + " is not " + type.article());
                ok = false;
            }
        }
        if ((min != null || max != null) && !type.numeric()) {
            SourcePos at = body.entries().get(min != null ? "min" : "max").keyPos();
            diags.error(at, "param '" + name + "': min and max apply to integer and number params, not to "
                    + type.word());
            ok = false;
        } else if (min != null && max != null
                && ModuleParam.decimal(min).compareTo(ModuleParam.decimal(max)) > 0) {
            diags.error(max.pos(), "param '" + name + "': max " + max.text() + " is below min " + min.text());
            ok = false;
        }
        String description = body.get("description") instanceof YNode.Scalar d ? d.text() : "";
        boolean sensitive = body.get("sensitive") instanceof YNode.Scalar s && s.asBoolean();
        ModuleParam p = new ModuleParam(name, type, body.get("default"), allowed, min, max, description, sensitive,
                e.keyPos());
        // A default without references is checked here, once; others with each call's values.
        if (ok && p.defaultValue() != null && !hasReference(p.defaultValue())) {
            String problem = p.problem(p.defaultValue());
            if (problem != null) {
                diags.error(p.defaultValue().pos(), "param '" + name + "' (default) " + problem);
                ok = false;
            }
        }
        return ok ? p : null;
    }

    /** Whether a value holds a {@code ${…}} (or {@code $${}) anywhere. */
    static boolean hasReference(YNode n) {
        if (n instanceof YNode.Scalar s) {
            return s.text().contains("${");
        }
        if (n instanceof YNode.Seq seq) {
            return seq.items().stream().anyMatch(ModuleReader::hasReference);
        }
        return ((YNode.Map) n).entries().values().stream().anyMatch(e -> hasReference(e.value()));
    }

    static Path parent(Path file) {
        Path p = file.getParent();
        return p == null ? Path.of("") : p;
    }
}
