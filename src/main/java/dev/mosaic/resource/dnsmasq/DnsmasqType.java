package dev.mosaic.resource.dnsmasq;

import dev.mosaic.resource.Action;
import dev.mosaic.resource.Change;
import dev.mosaic.resource.Context;
import dev.mosaic.resource.Diff;
import dev.mosaic.resource.Paths;
import dev.mosaic.resource.ResourceException;
import dev.mosaic.resource.ResourceType;
import dev.mosaic.resource.SpecReader;
import dev.mosaic.host.FileStat;
import dev.mosaic.yaml.YNode;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A dnsmasq configuration for netboot: TFTP root, boot files, DHCP range, one host line per node. */
public final class DnsmasqType implements ResourceType<DnsmasqType.Spec, DnsmasqType.Observed> {

    /** The rendered configuration and where it goes. */
    public record Spec(String path, String text) {
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

    @Override
    public Spec parse(SpecReader r) {
        String path = r.absolutePath("path");
        StringBuilder b = new StringBuilder("# Managed by Mosaic: local edits are reverted.\n");
        r.optLine("interface").ifPresent(i -> b.append("interface=").append(i).append("\nbind-interfaces\n"));
        r.optLine("listen_address").ifPresent(a -> b.append("listen-address=").append(a).append('\n'));
        b.append("port=").append(r.integer("dns_port", 0)).append('\n');
        r.optLine("tftp_root").ifPresent(t -> b.append("enable-tftp\ntftp-root=").append(t).append('\n'));
        r.optLine("range").ifPresent(x -> b.append("dhcp-range=").append(x).append('\n'));
        Optional<String> ipxe = r.optLine("ipxe_boot");
        if (ipxe.isPresent()) {
            b.append("dhcp-match=set:ipxe,175\n");
            r.optLine("boot").ifPresent(x -> b.append("dhcp-boot=tag:!ipxe,").append(x).append('\n'));
            b.append("dhcp-boot=tag:ipxe,").append(ipxe.get()).append('\n');
        } else {
            r.optLine("boot").ifPresent(x -> b.append("dhcp-boot=").append(x).append('\n'));
        }
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
                b.append("dhcp-host=").append(norm);
                if (!ip.isEmpty()) {
                    b.append(',').append(ip);
                }
                if (!name.isEmpty()) {
                    b.append(',').append(name);
                }
                b.append('\n');
            }
        }
        for (String extra : r.stringList("extra")) {
            String problem = SpecReader.lineProblem(extra);
            if (problem != null) { // one item, one line: more lines are more items
                r.error("extra", "each item " + problem);
            }
            b.append(extra).append('\n');
        }
        return new Spec(path, b.toString());
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

    @Override
    public Observed observe(Spec spec, Context ctx) throws IOException {
        FileStat s = ctx.host().stat(spec.path());
        return new Observed(s, s.isFile() ? new String(ctx.host().read(spec.path()), StandardCharsets.UTF_8) : null);
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
        ctx.host().writeAtomic(spec.path(), new ByteArrayInputStream(spec.text().getBytes(StandardCharsets.UTF_8)), 0644);
    }
}
