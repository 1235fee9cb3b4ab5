package dev.mosaic.playbook;

import dev.mosaic.resource.Address;
import dev.mosaic.resource.Diff;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A loaded, interpolated and validated playbook: immutable, with resources in declaration order
 * (the resources of the modules it calls first, then its own). {@code digest} is the sha256 of the
 * playbook text, {@code vars} the resolved scalar variables (a sensitive one as {@code (sensitive)}),
 * {@code sensitive} the resources built from a sensitive value, {@code sensitiveVars} the names of
 * the sensitive variables, {@code kernels} what each {@code ${kernel:METAPACKAGE}} it used stood
 * for (metapackage → release; what the run compares with and records in {@code mosaic.lock}).
 */
public record Playbook(Path file, String name, Path baseDir, Map<String, String> vars, List<ResourceDecl> resources,
                       String digest, Set<Address> sensitive, Set<String> sensitiveVars, Map<String, String> kernels) {

    public Playbook {
        vars = Map.copyOf(vars);
        resources = List.copyOf(resources);
        sensitive = Set.copyOf(sensitive);
        sensitiveVars = Set.copyOf(sensitiveVars);
        kernels = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(kernels));
    }

    public Playbook(Path file, String name, Path baseDir, Map<String, String> vars, List<ResourceDecl> resources,
                    String digest) {
        this(file, name, baseDir, vars, resources, digest, Set.of(), Set.of(), Map.of());
    }

    /**
     * Whether a resource was built from a sensitive value (a sensitive variable or module param,
     * {@code ${env:…}}, {@code ${file:…}}): its diffs are shown as {@code (sensitive)}.
     */
    public boolean isSensitive(Address address) {
        return sensitive.contains(address);
    }

    /** The diffs of a resource as they may be shown: hidden when the resource is sensitive. */
    public List<Diff> shown(Address address, List<Diff> diffs) {
        return isSensitive(address) ? Diff.sensitive(diffs) : diffs;
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
