package dev.mosaic.resource.pxe;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Renders a {@link PxeSpec} into the files each loader reads, as relative paths below the TFTP
 * root mapped to their text. Pure and deterministic.
 */
final class Renderers {

    static final String HEADER = "# Managed by Mosaic: local edits are reverted.\n";

    private Renderers() {
    }

    /** Every file, built-in or from the user's templates ({@link PxeSpec#custom}). */
    static Map<String, String> render(PxeSpec spec) {
        Map<String, String> files = builtIn(spec);
        files.putAll(spec.custom());
        return files;
    }

    /** The files as the kind writes them without templates; which files there are never depends on a template. */
    static Map<String, String> builtIn(PxeSpec spec) {
        Map<String, String> files = new LinkedHashMap<>();
        if (spec.loaders().contains("pxelinux")) {
            pxelinux(spec, files);
        }
        if (spec.loaders().contains("ipxe")) {
            ipxe(spec, files);
        }
        if (spec.loaders().contains("grub")) {
            files.put("grub/grub.cfg", grub(spec));
        }
        return files;
    }

    /** MAC aa:bb:… as PXELINUX's file name 01-aa-bb-…. */
    static String pxelinuxMacName(String mac) {
        return "01-" + mac.replace(':', '-');
    }

    /** IPv4 as PXELINUX's upper-case hex file name (10.0.0.12 -> 0A00000C). */
    static String hexIp(String ip) {
        StringBuilder b = new StringBuilder();
        for (String part : ip.split("\\.")) {
            b.append(String.format("%02X", Integer.parseInt(part)));
        }
        return b.toString();
    }

    /**
     * {@code template} with {@code {name}}, {@code {mac}} and {@code {ip}} filled in. A word
     * (space-separated) naming a value this entry does not have (null: the default entry's MAC and
     * address, a node without {@code ip:}) is left out whole: {@code ip={ip}} must not become
     * {@code ip=unknown}, which the kernel would try to use.
     */
    static String fill(String template, String name, String mac, String ip) {
        boolean dropsNone = (mac != null || !template.contains("{mac}")) && (ip != null || !template.contains("{ip}"));
        if (dropsNone) { // as written, spacing included (style classic reproduces a recipe byte for byte)
            return template.replace("{name}", name).replace("{mac}", mac == null ? "" : mac).replace("{ip}", ip == null ? "" : ip);
        }
        StringJoiner out = new StringJoiner(" ");
        for (String word : template.trim().split(" +")) {
            if (word.isEmpty() || (mac == null && word.contains("{mac}")) || (ip == null && word.contains("{ip}"))) {
                continue;
            }
            out.add(word.replace("{name}", name)
                    .replace("{mac}", mac == null ? "" : mac)
                    .replace("{ip}", ip == null ? "" : ip));
        }
        return out.toString();
    }

    /** The kernel arguments of label {@code l} for one node: its {@code append}, then the node's, filled in. */
    static String args(PxeSpec.Label l, String extra, String name, String mac, String ip) {
        String a = fill(l.append(), name, mac, ip);
        String b = fill(extra, name, mac, ip);
        return a.isEmpty() ? b : b.isEmpty() ? a : a + " " + b;
    }

    private static void pxelinux(PxeSpec spec, Map<String, String> files) {
        StringBuilder d = new StringBuilder(spec.classic() ? "" : HEADER);
        menu(spec, d, spec.defaultLabel());
        for (PxeSpec.Label l : spec.labels()) {
            pxelinuxLabel(spec, d, l, args(l, "", "default", null, null));
        }
        files.put("pxelinux.cfg/default", d.toString());
        for (PxeSpec.Node n : spec.nodes()) {
            PxeSpec.Label l = spec.label(n.label()).orElseThrow();
            StringBuilder b = new StringBuilder(spec.classic() ? "" : HEADER + "# node " + n.name() + "\n");
            menu(spec, b, l.name());
            pxelinuxLabel(spec, b, l, args(l, n.append(), n.name(), n.mac(), n.ip().orElse(null)));
            files.put("pxelinux.cfg/" + pxelinuxMacName(n.mac()), b.toString());
            n.ip().ifPresent(ip -> files.put("pxelinux.cfg/" + hexIp(ip), b.toString()));
        }
    }

    private static void menu(PxeSpec spec, StringBuilder b, String defaultLabel) {
        if (spec.classic()) {
            b.append("prompt=").append(spec.prompt()).append('\n');
            return;
        }
        b.append("prompt ").append(spec.prompt()).append('\n');
        b.append("timeout ").append(spec.timeout()).append('\n');
        b.append("default ").append(defaultLabel).append('\n');
    }

    private static void pxelinuxLabel(PxeSpec spec, StringBuilder b, PxeSpec.Label l, String args) {
        if (spec.classic()) {
            b.append("label ").append(l.name()).append('\n');
            b.append("kernel ").append(l.kernel()).append('\n');
            String append = args + l.initrdList().map(i -> (args.isEmpty() ? "" : " ") + "initrd=" + i).orElse("");
            if (!append.isEmpty()) {
                b.append("append ").append(append).append('\n');
            }
            return;
        }
        b.append("label ").append(l.name()).append('\n');
        b.append("  kernel ").append(l.kernel()).append('\n');
        String append = l.initrdList().map(i -> "initrd=" + i + (args.isEmpty() ? "" : " ")).orElse("") + args;
        if (!append.isEmpty()) {
            b.append("  append ").append(append).append('\n');
        }
    }

    private static void ipxe(PxeSpec spec, Map<String, String> files) {
        files.put("boot.ipxe", "#!ipxe\n" + HEADER
                + "chain --autofree /ipxe/${mac:hexhyp}.ipxe || chain --autofree /ipxe/default.ipxe\n");
        PxeSpec.Label def = spec.label(spec.defaultLabel()).orElseThrow();
        files.put("ipxe/default.ipxe", ipxeEntry(def, args(def, "", "default", null, null), "default"));
        for (PxeSpec.Node n : spec.nodes()) {
            PxeSpec.Label l = spec.label(n.label()).orElseThrow();
            files.put("ipxe/" + n.mac().replace(':', '-') + ".ipxe",
                    ipxeEntry(l, args(l, n.append(), n.name(), n.mac(), n.ip().orElse(null)), "node " + n.name()));
        }
    }

    private static String ipxeEntry(PxeSpec.Label l, String args, String what) {
        StringBuilder b = new StringBuilder("#!ipxe\n").append(HEADER).append("# ").append(what).append('\n');
        // Each initrd is named on the kernel's line too: a kernel booted through its EFI stub loads
        // the ones named there; a BIOS one gets every initrd iPXE loaded, in order, regardless.
        b.append("kernel ").append(absolute(l.kernel()));
        l.initrds().forEach(i -> b.append(" initrd=").append(name(i)));
        if (!args.isEmpty()) {
            b.append(' ').append(args);
        }
        b.append('\n');
        l.initrds().forEach(i -> b.append("initrd ").append(absolute(i)).append('\n'));
        return b.append("boot\n").toString();
    }

    private static String grub(PxeSpec spec) {
        StringBuilder b = new StringBuilder(HEADER);
        b.append("set timeout=").append(Math.max(0, spec.timeout() / 10)).append('\n');
        String indent = "";
        boolean first = true;
        for (PxeSpec.Node n : spec.nodes()) {
            b.append(first ? "if" : "elif").append(" [ \"$net_default_mac\" = \"").append(n.mac()).append("\" ]; then\n");
            PxeSpec.Label l = spec.label(n.label()).orElseThrow();
            grubEntry(b, "  ", n.name(), l, args(l, n.append(), n.name(), n.mac(), n.ip().orElse(null)));
            first = false;
        }
        if (!spec.nodes().isEmpty()) {
            b.append("else\n");
            indent = "  ";
        }
        PxeSpec.Label def = spec.label(spec.defaultLabel()).orElseThrow();
        grubEntry(b, indent, def.name(), def, args(def, "", "default", null, null));
        for (PxeSpec.Label l : spec.labels()) {
            if (l != def) {
                grubEntry(b, indent, l.name(), l, args(l, "", "default", null, null));
            }
        }
        if (!spec.nodes().isEmpty()) {
            b.append("fi\n");
        }
        return b.toString();
    }

    private static void grubEntry(StringBuilder b, String indent, String title, PxeSpec.Label l, String args) {
        b.append(indent).append("menuentry \"").append(title).append("\" {\n");
        b.append(indent).append("  linux ").append(absolute(l.kernel())).append(args.isEmpty() ? "" : " " + args).append('\n');
        if (!l.initrds().isEmpty()) {
            b.append(indent).append("  initrd");
            l.initrds().forEach(i -> b.append(' ').append(absolute(i)));
            b.append('\n');
        }
        b.append(indent).append("}\n");
    }

    private static String absolute(String p) {
        return p.startsWith("/") ? p : "/" + p;
    }

    private static String name(String p) {
        int i = p.lastIndexOf('/');
        return i < 0 ? p : p.substring(i + 1);
    }

}
