package dev.mosaic.playbook;

import dev.mosaic.diag.SourcePos;
import dev.mosaic.yaml.YNode;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One host of an inventory. A {@code local} host is this machine below {@code root} (null: /);
 * an {@code ssh} host is reached at {@code address:port} as {@code user} with {@code identity},
 * its key checked against {@code knownHosts}, and {@code root} is a directory on it (unset fields
 * are null). {@code vars} are the host's own, as written (positions kept);
 * {@code groups} the groups that list it, sorted by name.
 */
public record InventoryHost(String name, Connection connection, Path root, String address, Integer port,
                            String user, Path identity, Path knownHosts, Map<String, YNode> vars, List<String> groups,
                            SourcePos pos) {

    public enum Connection {
        LOCAL, SSH;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public InventoryHost {
        vars = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(vars));
        groups = List.copyOf(groups);
    }

    /** {@code local}, {@code local, root /tmp/lab1}, {@code ssh, root@10.0.0.5:2222}. */
    public String describe() {
        if (connection == Connection.LOCAL) {
            return root == null || root.toString().equals("/") ? "local" : "local, root " + root;
        }
        return "ssh, " + (user == null ? "" : user + "@") + address + (port == null ? "" : ":" + port);
    }
}
