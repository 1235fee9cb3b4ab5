package dev.mosaic.playbook;

import dev.mosaic.diag.SourcePos;
import dev.mosaic.yaml.YNode;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A module as its {@code module.yml} declares it, before any call: its params and the still
 * uninterpolated {@code resources}, {@code outputs} and nested {@code modules} (each call
 * interpolates them with its own param values). {@code file} is the path messages show,
 * {@code dir} the module's directory (relative {@code source:} paths of its resources are read
 * there).
 */
public record ModuleDef(String name, String description, Path file, Path dir, SourcePos paramsPos,
                        Map<String, ModuleParam> params, YNode.Map resources, YNode.Map outputs,
                        YNode.Map modules) {

    public ModuleDef {
        params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** Where the params are declared (the {@code params:} key), or the file's start. */
    public SourcePos declaration() {
        return paramsPos;
    }
}
