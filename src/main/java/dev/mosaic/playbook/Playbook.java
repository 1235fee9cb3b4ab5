package dev.mosaic.playbook;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A loaded, interpolated and validated playbook: immutable, with resources in declaration order.
 * {@code digest} is the sha256 of the playbook text, {@code vars} the resolved scalar variables.
 */
public record Playbook(Path file, String name, Path baseDir, Map<String, String> vars, List<ResourceDecl> resources,
                       String digest) {

    public Playbook {
        vars = Map.copyOf(vars);
        resources = List.copyOf(resources);
    }

    public Optional<ResourceDecl> byId(String id) {
        return resources.stream().filter(r -> r.id().equals(id)).findFirst();
    }
}
