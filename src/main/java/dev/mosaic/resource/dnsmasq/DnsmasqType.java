package dev.mosaic.resource.dnsmasq;

import dev.mosaic.base.TargetPath;
import dev.mosaic.resource.Action;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.Digests;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.resource.SpecReader;
import dev.mosaic.resource.Templates;
import dev.mosaic.host.FileStat;
import dev.mosaic.yaml.YNode;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A dnsmasq configuration for netboot: TFTP root, boot files, DHCP range, one host line per node. */
public final class DnsmasqType implements ResourceType<DnsmasqType.Spec, DnsmasqType.Observed> {

    /** The rendered configuration and where it goes; {@code templated}: rendered from the user's template. */
    public record Spec(String path, String text, boolean templated) {
    }

    record Observed(FileStat stat, String current) {
    }

    @Override
    public String kind() {
        return "dnsmasq";
    }

    @Override
    public String summary() {
        return "the DHCP/TFTP side of a netboot server as a dnsmasq configuration file";
    }

    /**
     * The fields as parsed, which the built-in rendering and a user template both work from:
     * absent ones are null, a node's MAC is lower case with colons, its name and IP null when
     * not given.
     */
    record Config(String path, String iface, String listenAddress, long dnsPort, String tftpRoot, String range,
                  String raOnly, String boot, String ipxeBoot, List<Node> nodes, List<String> extra) {
    }

    record Node(String name, String mac, String ip) {
    }

    @Override
    public Spec parse(SpecReader r) {
        String path = r.absolutePath("path");
        Optional<String> template = r.optString("template");
        Optional<String> source = r.optString("source");
        if (template.isPresent() && source.isPresent()) {
            r.error("source", "give either 'template' or 'source', not both");
        }
        Config c = new Config(path, r.optLine("interface").orElse(null), r.optLine("listen_address").orElse(null),
                r.integer("dns_port"), r.optLine("tftp_root").orElse(null), r.optLine("range").orElse(null),
                // Empty is "none", so that a playbook can leave it to a variable.
                r.optLine("ra_only").filter(v -> !v.isBlank()).orElse(null), r.optLine("boot").orElse(null), r.optLine("ipxe_boot").orElse(null), nodes(r), extra(r));
        if (template.isEmpty() && source.isEmpty()) {
            return new Spec(path, builtIn(c), false);
        }
        if (r.failed()) {
            return null; // a template sees the fields as parsed: only once they are right
        }
        Templates.Template t = source.isPresent() ? Templates.read(r, "source", source.get())
                : Templates.inline(r, "template", template.get());
        String text = t == null ? null : Templates.render(r, t, vars(c));
        return text == null ? null : new Spec(path, text, true);
    }

    /** The configuration as written without a template (examples/templates/dnsmasq/dnsmasq.conf.j2 writes the same). */
    static String builtIn(Config c) {
        StringBuilder b = new StringBuilder("# Managed by Mosaic: local edits are reverted.\n");
        if (c.iface() != null) {
            b.append("interface=").append(c.iface()).append("\nbind-interfaces\n");
        }
        if (c.listenAddress() != null) {
            b.append("listen-address=").append(c.listenAddress()).append('\n');
        }
        b.append("port=").append(c.dnsPort()).append('\n');
        if (c.tftpRoot() != null) {
            b.append("enable-tftp\ntftp-root=").append(c.tftpRoot()).append('\n');
        }
        if (c.range() != null) {
            b.append("dhcp-range=").append(c.range()).append('\n');
        }
        if (c.raOnly() != null) {
            // iPXE waits seconds for an IPv6 router before it boots; an advertisement without
            // DHCPv6 ends that wait (the issue measured network setup at 18.6 s without, 5.5 s with).
            b.append("enable-ra\ndhcp-range=").append(c.raOnly()).append(",ra-only\n");
        }
        if (c.ipxeBoot() != null) {
            b.append("dhcp-match=set:ipxe,175\n");
            if (c.boot() != null) {
                b.append("dhcp-boot=tag:!ipxe,").append(c.boot()).append('\n');
            }
            b.append("dhcp-boot=tag:ipxe,").append(c.ipxeBoot()).append('\n');
        } else if (c.boot() != null) {
            b.append("dhcp-boot=").append(c.boot()).append('\n');
        }
        for (Node n : c.nodes()) {
            b.append("dhcp-host=").append(n.mac());
            if (n.ip() != null) {
                b.append(',').append(n.ip());
            }
            if (n.name() != null) {
                b.append(',').append(n.name());
            }
            b.append('\n');
        }
        c.extra().forEach(x -> b.append(x).append('\n'));
        return b.toString();
    }

    /**
     * What a template sees, over the scope's variables: {@code path}, {@code interface},
     * {@code listen_address}, {@code dns_port}, {@code tftp_root}, {@code range}, {@code ra_only}, {@code boot},
     * {@code ipxe_boot} (null when not given), {@code nodes} ({@code name}, {@code mac},
     * {@code ip} each) and {@code extra} (a list of lines).
     */
    static Map<String, Object> vars(Config c) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("path", c.path());
        v.put("interface", c.iface());
        v.put("listen_address", c.listenAddress());
        v.put("dns_port", c.dnsPort());
        v.put("tftp_root", c.tftpRoot());
        v.put("range", c.range());
        v.put("ra_only", c.raOnly());
        v.put("boot", c.boot());
        v.put("ipxe_boot", c.ipxeBoot());
        List<Object> nodes = new ArrayList<>();
        for (Node n : c.nodes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", n.name());
            m.put("mac", n.mac());
            m.put("ip", n.ip());
            nodes.add(m);
        }
        v.put("nodes", nodes);
        v.put("extra", c.extra());
        return v;
    }

    private static List<Node> nodes(SpecReader r) {
        List<Node> nodes = new ArrayList<>();
        Map<String, String> macs = new HashMap<>();
        if (r.raw("nodes") instanceof YNode.Seq seq) {
            for (YNode item : seq.items()) {
                if (!(item instanceof YNode.Map m)) {
                    continue;
                }
                String name = m.get("name") instanceof YNode.Scalar s ? s.text() : "";
                String mac = m.get("mac") instanceof YNode.Scalar s ? s.text() : "";
                String ip = m.get("ip") instanceof YNode.Scalar s ? s.text() : "";
                if (!oneLine(r, m, "name", name) || !oneLine(r, m, "ip", ip)) {
                    continue;
                }
                if (!mac.matches("([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}")) {
                    r.errorAt(m.get("mac") != null ? m.get("mac").pos() : m.pos(), "node '" + name + "': invalid MAC address '" + mac + "'");
                    continue;
                }
                String norm = mac.toLowerCase().replace('-', ':');
                String other = macs.putIfAbsent(norm, name);
                if (other != null) {
                    r.errorAt(m.get("mac").pos(), "node '" + name + "': MAC " + norm + " is already used by node '" + other + "'");
                }
                nodes.add(new Node(name.isEmpty() ? null : name, norm, ip.isEmpty() ? null : ip));
            }
        }
        return nodes;
    }

    private static List<String> extra(SpecReader r) {
        List<String> extra = r.stringList("extra");
        for (String x : extra) {
            String problem = SpecReader.lineProblem(x);
            if (problem != null) { // one item, one line: more lines are more items
                r.error("extra", "each item " + problem);
            }
        }
        return extra;
    }

    /** Whether a node's field can go into its {@code dhcp-host=} line; reported at the field when not. */
    private static boolean oneLine(SpecReader r, YNode.Map node, String field, String text) {
        String problem = SpecReader.lineProblem(text);
        if (problem != null) {
            r.errorAt(node.get(field).pos(), "node field '" + field + "' " + problem);
        }
        return problem == null;
    }

    @Override
    public Paths paths(Spec spec) {
        return new Paths(Set.of(spec.path()), Set.of());
    }

    /** A changed template (or a variable it uses) is a config change, though the fields did not move. */
    @Override
    public String inputDigest(Spec spec, Observed observed) {
        return spec.templated() ? Digests.sha256(spec.text()) : "";
    }

    @Override
    public Observed observe(Spec spec, Context ctx) throws IOException {
        FileStat s = ctx.host().stat(TargetPath.of(spec.path()));
        return new Observed(s, s.isFile() ? new String(ctx.host().read(TargetPath.of(spec.path())), StandardCharsets.UTF_8) : null);
    }

    @Override
    public Change diff(Spec spec, Observed o) throws ResourceException {
        if (o.stat().exists() && !o.stat().isFile()) {
            throw new ResourceException(spec.path() + " is a " + o.stat().kindWord() + ", not a configuration file");
        }
        if (spec.text().equals(o.current())) {
            return Change.NOOP;
        }
        Diff.Blob before = o.current() == null ? null : Diff.Blob.of(o.current().getBytes(StandardCharsets.UTF_8));
        return new Change(o.current() == null ? Action.CREATE : Action.UPDATE,
                List.of(new Diff.Content("config", before, Diff.Blob.of(spec.text().getBytes(StandardCharsets.UTF_8)))));
    }

    @Override
    public void apply(Spec spec, Change change, Context ctx) throws IOException {
        ctx.host().writeAtomic(TargetPath.of(spec.path()), new ByteArrayInputStream(spec.text().getBytes(StandardCharsets.UTF_8)), 0644);
    }
}
