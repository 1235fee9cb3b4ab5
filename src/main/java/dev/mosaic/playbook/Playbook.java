package dev.mosaic.playbook;

import dev.mosaic.resource.Address;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A loaded, interpolated and validated playbook: immutable, with resources in declaration order
 * (the resources of the modules it calls first, then its own). {@code digest} is the sha256 of the
 * playbook text, {@code vars} the resolved scalar variables.
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

    /** Where relative control-side paths of a resource are read: its module's directory, or the playbook's. */
    public Path baseDirOf(Address address) {
        if (address.modules().isEmpty()) {
            return baseDir;
        }
        return resources.stream().filter(r -> r.address().equals(address) && r.baseDir() != null)
                .map(ResourceDecl::baseDir).findFirst().orElse(baseDir);
    }
}
