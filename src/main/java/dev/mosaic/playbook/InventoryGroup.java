package dev.mosaic.playbook;

import dev.mosaic.diag.SourcePos;
import dev.mosaic.yaml.YNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A group of an inventory: its hosts (by name, as listed) and the variables they all get. */
public record InventoryGroup(String name, String description, List<String> hosts, Map<String, YNode> vars,
                             SourcePos pos) {

    public InventoryGroup {
        hosts = List.copyOf(hosts);
        vars = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(vars));
    }
}
