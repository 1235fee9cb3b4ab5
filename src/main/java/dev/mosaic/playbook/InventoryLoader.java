package dev.mosaic.playbook;

import dev.mosaic.diag.Diagnostics;
import dev.mosaic.diag.SourcePos;
import dev.mosaic.diag.Suggest;
import dev.mosaic.diag.UserError;
import dev.mosaic.yaml.YNode;
import dev.mosaic.yaml.YamlReader;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads an inventory file: YAML with positions, {@code schemas/inventory.schema.json}, then what a
 * schema cannot say (a group listing an undeclared host, a group named like a host, ssh settings
 * on a local host, two local hosts sharing a root). Every problem is reported at once as a
 * {@link UserError}, in the playbook's {@code file:line:col: error: message} form.
 *
 * <pre>{@code
 * groups:
 *   labs:
 *     vars: { tftp_root: /srv/tftp }
 *     hosts: [lab1, lab2]
 * hosts:
 *   lab1: { connection: local, root: /tmp/lab1, vars: { nic: eth1 } }
 *   lab2: { connection: ssh, address: 127.0.0.1, port: 2222, user: root, identity: keys/id_ed25519 }
 * }</pre>
 */
public final class InventoryLoader {

    private static final List<String> SSH_FIELDS = List.of("address", "port", "user", "identity", "known_hosts");

    private final SchemaValidator schemas = new SchemaValidator();

    public Inventory load(Path file) {
        String text;
        try {
            Diagnostics diags = new Diagnostics();
            text = YamlReader.readFile(file, diags);
            diags.throwIfErrors();
        } catch (NoSuchFileException e) {
            throw new UserError("cannot read inventory " + file + ": no such file");
        } catch (IOException e) {
            throw new UserError("cannot read inventory " + file + ": " + dev.mosaic.diag.IoProblems.reason(e));
        }
        return load(file, text);
    }

    public Inventory load(Path file, String text) {
        String name = file.toString();
        Diagnostics diags = new Diagnostics();
        YNode root = YamlReader.read(name, text, diags);
        diags.throwIfErrors();
        if (!(root instanceof YNode.Map top)) {
            throw new UserError(root == null ? new SourcePos(name, 1, 1) : root.pos(),
                    "an inventory is a mapping with 'hosts' (and optionally 'groups'); the file is "
                            + (root == null ? "empty" : (root.kindName().matches("[aeiou].*") ? "an " : "a ")
                            + root.kindName()));
        }
        schemas.validate(top, "inventory.schema.json", diags);
        diags.throwIfErrors();

        Path dir = file.toAbsolutePath().normalize().getParent();
        YNode.Map hostsNode = (YNode.Map) top.get("hosts");
        YNode.Map groupsNode = top.get("groups") instanceof YNode.Map g ? g : null;

        Map<String, InventoryGroup> groups = new TreeMap<>();
        Map<String, List<String>> groupsOf = new HashMap<>();
        if (groupsNode != null) {
            for (YNode.Entry e : groupsNode.entries().values()) {
                YNode.Map body = (YNode.Map) e.value();
                if (hostsNode.has(e.key())) {
                    diags.error(e.keyPos(), "group '" + e.key() + "' has the name of a host ("
                            + hostsNode.entries().get(e.key()).keyPos() + "); --limit could not tell them apart");
                }
                List<String> members = new ArrayList<>();
                if (body.get("hosts") instanceof YNode.Seq seq) {
                    for (YNode item : seq.items()) {
                        String h = ((YNode.Scalar) item).text();
                        if (!hostsNode.has(h)) {
                            diags.error(item.pos(), "group '" + e.key() + "': no host '" + h + "'"
                                    + Suggest.hint(h, hostsNode.entries().keySet()) + "; hosts are declared under 'hosts:'");
                        } else if (!members.contains(h)) {
                            members.add(h);
                            groupsOf.computeIfAbsent(h, k -> new ArrayList<>()).add(e.key());
                        }
                    }
                }
                String description = body.get("description") instanceof YNode.Scalar d ? d.text() : "";
                groups.put(e.key(), new InventoryGroup(e.key(), description, members, vars(body), e.keyPos()));
            }
        }

        List<InventoryHost> hosts = new ArrayList<>();
        Map<Path, String> roots = new HashMap<>();
        for (YNode.Entry e : hostsNode.entries().values()) {
            YNode.Map body = (YNode.Map) e.value();
            InventoryHost.Connection connection = InventoryHost.Connection.valueOf(
                    text(body, "connection").toUpperCase(java.util.Locale.ROOT));
            Path hostRoot = null;
            if (text(body, "root") != null) {
                if (connection == InventoryHost.Connection.SSH && !text(body, "root").startsWith("/")) {
                    diags.error(body.get("root").pos(), "host '" + e.key() + "': the root of an ssh host is a directory on"
                            + " that host and must be absolute, not " + text(body, "root"));
                }
                hostRoot = connection == InventoryHost.Connection.SSH ? Path.of(text(body, "root")).normalize()
                        : dir.resolve(text(body, "root")).normalize();
                String problem = connection == InventoryHost.Connection.LOCAL ? localRootProblem(hostRoot) : null;
                if (problem != null) {
                    diags.error(body.get("root").pos(), "host '" + e.key() + "': the root " + problem);
                }
            }
            if (connection == InventoryHost.Connection.LOCAL) {
                for (String f : SSH_FIELDS) {
                    if (body.has(f)) {
                        diags.error(body.entries().get(f).keyPos(), "host '" + e.key() + "': '" + f
                                + "' is an ssh setting, but the host has connection: local");
                    }
                }
                Path key = hostRoot == null ? Path.of("/") : hostRoot;
                String other = roots.putIfAbsent(key, e.key());
                if (other != null) {
                    SourcePos at = body.has("root") ? body.entries().get("root").keyPos() : e.keyPos();
                    diags.error(at, "host '" + e.key() + "': local host '" + other + "' has the root " + key
                            + " already; two hosts would manage the same files");
                }
            }
            String address = text(body, "address");
            if (connection == InventoryHost.Connection.SSH && address == null) {
                address = e.key();
            }
            Integer port = body.get("port") instanceof YNode.Scalar p ? Integer.valueOf(p.text()) : null;
            Path identity = text(body, "identity") == null ? null : dir.resolve(text(body, "identity")).normalize();
            Path knownHosts = text(body, "known_hosts") == null ? null : dir.resolve(text(body, "known_hosts")).normalize();
            List<String> memberOf = new ArrayList<>(groupsOf.getOrDefault(e.key(), List.of()));
            memberOf.sort(null);
            hosts.add(new InventoryHost(e.key(), connection, hostRoot, address, port, text(body, "user"), identity,
                    knownHosts, vars(body), memberOf, e.keyPos()));
        }
        diags.throwIfErrors();
        return new Inventory(file, hosts, groups);
    }

    private static String text(YNode.Map body, String field) {
        return body.get(field) instanceof YNode.Scalar s ? s.text() : null;
    }

    private static Map<String, YNode> vars(YNode.Map body) {
        Map<String, YNode> out = new LinkedHashMap<>();
        if (body.get("vars") instanceof YNode.Map vm) {
            vm.entries().values().forEach(e -> out.put(e.key(), e.value()));
        }
        return out;
    }

    /**
     * What makes a local root unusable, found before any command runs (a root that is a file, or
     * lies below one; a name longer than the file system takes), or null.
     */
    private static String localRootProblem(Path root) {
        for (Path name : root) {
            if (name.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
                return "has a name longer than 255 bytes, which no Linux file system takes";
            }
        }
        Path p = root;
        while (p != null && !java.nio.file.Files.exists(p)) {
            p = p.getParent();
        }
        if (p != null && !java.nio.file.Files.isDirectory(p)) {
            return root + (p.equals(root) ? " is not a directory" : " lies below " + p + ", which is not a directory");
        }
        return null;
    }
}
