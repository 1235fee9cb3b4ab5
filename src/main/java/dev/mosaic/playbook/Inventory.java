package dev.mosaic.playbook;

import dev.mosaic.diag.Suggest;
import dev.mosaic.diag.UserError;
import dev.mosaic.yaml.YNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The hosts a playbook runs on ({@code --inventory FILE}), read by {@link InventoryLoader}: hosts
 * in the order written, groups by name.
 */
public record Inventory(Path file, List<InventoryHost> hosts, Map<String, InventoryGroup> groups) {

    public Inventory {
        hosts = List.copyOf(hosts);
        groups = java.util.Collections.unmodifiableMap(new TreeMap<>(groups));
    }

    /**
     * A host's variables for the playbook: the vars of its groups in alphabetical order (a later
     * group wins), then its own. The playbook's vars come before them, {@code --var} after.
     */
    public Map<String, YNode> varsFor(InventoryHost host) {
        Map<String, YNode> out = new LinkedHashMap<>();
        for (String g : host.groups()) {
            out.putAll(groups.get(g).vars());
        }
        out.putAll(host.vars());
        return out;
    }

    /**
     * The hosts a {@code --limit} selects, in inventory order: comma-separated host names, group
     * names (all their hosts) or globs with {@code *} matching either. Null or blank: every host.
     * A part that matches nothing is an error.
     */
    public List<InventoryHost> select(String limit) {
        if (limit == null || limit.isBlank()) {
            return hosts;
        }
        Set<String> chosen = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        Map<String, InventoryHost> byName = new LinkedHashMap<>();
        hosts.forEach(h -> byName.put(h.name(), h));
        for (String raw : limit.split(",")) {
            String part = raw.trim();
            if (part.isEmpty()) {
                continue;
            }
            Set<String> matched = new LinkedHashSet<>();
            Pattern glob = Pattern.compile(globToRegex(part));
            for (String h : byName.keySet()) {
                if (glob.matcher(h).matches()) {
                    matched.add(h);
                }
            }
            boolean anyGroup = false;
            for (InventoryGroup g : groups.values()) {
                if (glob.matcher(g.name()).matches()) {
                    matched.addAll(g.hosts());
                    anyGroup = true;
                }
            }
            if (matched.isEmpty()) {
                List<String> names = new ArrayList<>(byName.keySet());
                names.addAll(groups.keySet());
                problems.add("--limit: '" + part + "' matches " + (anyGroup ? "only groups without hosts"
                        : "no host or group" + (part.contains("*") ? "" : Suggest.hint(part, names)))
                        + "; hosts: " + String.join(", ", byName.keySet())
                        + (groups.isEmpty() ? "" : "; groups: " + String.join(", ", groups.keySet())));
            }
            chosen.addAll(matched);
        }
        if (!problems.isEmpty()) {
            throw new UserError(problems.stream().map(p -> dev.mosaic.diag.Diagnostic.error(
                    dev.mosaic.diag.SourcePos.NONE, p)).toList());
        }
        return hosts.stream().filter(h -> chosen.contains(h.name())).toList();
    }

    /** {@code lab*} → {@code \Qlab\E.*}: only '*' is special. */
    private static String globToRegex(String glob) {
        return java.util.Arrays.stream(glob.split("\\*", -1)).map(Pattern::quote)
                .collect(java.util.stream.Collectors.joining(".*"));
    }
}
