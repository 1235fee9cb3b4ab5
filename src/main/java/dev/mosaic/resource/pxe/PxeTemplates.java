package dev.mosaic.resource.pxe;

import dev.mosaic.resource.SpecReader;
import dev.mosaic.resource.Templates;
import dev.mosaic.yaml.YNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The user's templates of a {@code pxe} resource ({@code templates:}, one per kind of file), each
 * replacing the built-in rendering of its files. A template decides what a file says, never which
 * files there are: that stays the kind's (loaders and nodes), so a node removed from the list
 * still has its files deleted, and a label naming a missing kernel still fails the plan.
 *
 * <p>A template sees the resource's fields as parsed (see {@link #vars}) over the scope's
 * variables; a per-node template also {@code node} and its {@code label}.
 */
final class PxeTemplates {

    /** A kind of file a template may replace, the loader it belongs to, and whether it is one per node. */
    record Role(String name, String loader, boolean perNode) {
    }

    static final List<Role> ROLES = List.of(
            new Role("pxelinux_default", "pxelinux", false),  // pxelinux.cfg/default
            new Role("pxelinux_node", "pxelinux", true),      // pxelinux.cfg/01-<mac> (and <HEXIP>)
            new Role("ipxe_boot", "ipxe", false),             // boot.ipxe
            new Role("ipxe_default", "ipxe", false),          // ipxe/default.ipxe
            new Role("ipxe_node", "ipxe", true),              // ipxe/<mac>.ipxe
            new Role("grub", "grub", false));                 // grub/grub.cfg

    private PxeTemplates() {
    }

    /**
     * Renders the templates of {@code templates:} for {@code spec}: the files they give, by path
     * below the TFTP root. Problems are reported on {@code r} (the first failing node only: the
     * same template fails the same way for the others).
     */
    static Map<String, String> render(SpecReader r, PxeSpec spec) {
        Map<String, String> files = new LinkedHashMap<>();
        if (!(r.raw("templates") instanceof YNode.Map templates)) {
            return files;
        }
        Map<String, Object> common = vars(spec);
        for (YNode.Entry e : templates.entries().values()) {
            Optional<Role> role = ROLES.stream().filter(x -> x.name().equals(e.key())).findFirst();
            String field = "templates." + e.key();
            if (role.isEmpty() || !(e.value() instanceof YNode.Scalar source)) {
                r.errorAt(e.value().pos(), "field '" + field + "': expected one of "
                        + String.join(", ", ROLES.stream().map(Role::name).toList()) + ", each a template file");
                continue;
            }
            if (!spec.loaders().contains(role.get().loader())) {
                r.errorAt(e.value().pos(), "field '" + field + "': a template for " + role.get().loader()
                        + " files, which is not among the loaders (" + String.join(", ", spec.loaders()) + ")");
                continue;
            }
            Templates.Template template = Templates.read(r, field, source.pos(), source.text());
            if (template == null) {
                continue;
            }
            render(r, spec, role.get(), template, common, files);
        }
        return files;
    }

    private static void render(SpecReader r, PxeSpec spec, Role role, Templates.Template template,
                               Map<String, Object> common, Map<String, String> files) {
        switch (role.name()) {
            case "pxelinux_default" -> put(files, "pxelinux.cfg/default", Templates.render(r, template, common));
            case "ipxe_boot" -> put(files, "boot.ipxe", Templates.render(r, template, common));
            case "ipxe_default" -> {
                Map<String, Object> vars = new LinkedHashMap<>(common);
                vars.put("label", common.get("default_label"));
                put(files, "ipxe/default.ipxe", Templates.render(r, template, vars));
            }
            case "grub" -> put(files, "grub/grub.cfg", Templates.render(r, template, common));
            default -> {
                for (PxeSpec.Node n : spec.nodes()) {
                    PxeSpec.Label l = spec.label(n.label()).orElseThrow();
                    Map<String, Object> vars = new LinkedHashMap<>(common);
                    vars.put("node", node(n, l));
                    vars.put("label", label(l));
                    String text = Templates.render(r, template, vars);
                    if (text == null) {
                        return;
                    }
                    if (role.name().equals("ipxe_node")) {
                        files.put("ipxe/" + n.mac().replace(':', '-') + ".ipxe", text);
                    } else {
                        files.put("pxelinux.cfg/" + Renderers.pxelinuxMacName(n.mac()), text);
                        n.ip().ifPresent(ip -> files.put("pxelinux.cfg/" + Renderers.hexIp(ip), text));
                    }
                }
            }
        }
    }

    private static void put(Map<String, String> files, String path, String text) {
        if (text != null) {
            files.put(path, text);
        }
    }

    /**
     * What every template of the resource sees: {@code root}, {@code loaders}, {@code style}
     * ({@code modern} or {@code classic}), {@code menu} ({@code prompt}, {@code timeout},
     * {@code default}), {@code labels}, {@code nodes} and {@code default_label} (the menu's
     * default label), as {@link #label} and {@link #node} describe them.
     */
    static Map<String, Object> vars(PxeSpec spec) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("root", spec.root());
        vars.put("loaders", spec.loaders());
        vars.put("style", spec.classic() ? "classic" : "modern");
        Map<String, Object> menu = new LinkedHashMap<>();
        menu.put("prompt", spec.prompt());
        menu.put("timeout", spec.timeout());
        menu.put("default", spec.defaultLabel());
        vars.put("menu", menu);
        List<Object> labels = new ArrayList<>();
        spec.labels().forEach(l -> labels.add(label(l)));
        vars.put("labels", labels);
        List<Object> nodes = new ArrayList<>();
        spec.nodes().forEach(n -> nodes.add(node(n, spec.label(n.label()).orElseThrow())));
        vars.put("nodes", nodes);
        vars.put("default_label", label(spec.label(spec.defaultLabel()).orElseThrow()));
        return vars;
    }

    /**
     * A label: {@code name}, {@code kernel}, {@code initrds} (the list of initrd files, empty
     * without), {@code initrd} (the same names joined by commas as PXELINUX's {@code initrd=}
     * takes them — the one file when there is one — or null without), {@code append} as written, and {@code args}: the kernel arguments of the default entry ({@code {name}}
     * is {@code default}; a word with {@code {mac}} or {@code {ip}} is left out).
     */
    static Map<String, Object> label(PxeSpec.Label l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", l.name());
        m.put("kernel", l.kernel());
        m.put("initrds", l.initrds());
        m.put("initrd", l.initrdList().orElse(null));
        m.put("append", l.append());
        m.put("args", Renderers.args(l, "", "default", null, null));
        return m;
    }

    /**
     * A node: {@code name}, {@code mac} (lower case, colons), {@code ip} (null without one),
     * {@code label} (the label's name), {@code append} as written, {@code args} (its label's
     * {@code append} then its own, filled in for this node), {@code pxelinux_file}
     * ({@code 01-<mac with dashes>}) and {@code hex_ip} (PXELINUX's name for its IP, or null).
     */
    static Map<String, Object> node(PxeSpec.Node n, PxeSpec.Label l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", n.name());
        m.put("mac", n.mac());
        m.put("ip", n.ip().orElse(null));
        m.put("label", n.label());
        m.put("append", n.append());
        m.put("args", Renderers.args(l, n.append(), n.name(), n.mac(), n.ip().orElse(null)));
        m.put("pxelinux_file", Renderers.pxelinuxMacName(n.mac()));
        m.put("hex_ip", n.ip().map(Renderers::hexIp).orElse(null));
        return m;
    }
}
