package dev.mosaic.resource.service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What systemd says about one unit: the properties {@code systemctl show} prints for it.
 *
 * @param id            the unit's name ({@code dnsmasq.service})
 * @param loadState     {@code loaded}, {@code not-found}, {@code masked}, …
 * @param activeState   {@code active}, {@code inactive}, {@code failed}, {@code activating}, …
 * @param subState      {@code running}, {@code exited}, {@code dead}, {@code auto-restart}, …
 * @param unitFileState {@code enabled}, {@code disabled}, {@code static}, {@code masked}, … or empty
 *                      when there is no unit file
 * @param mainPid       the main process, 0 when none
 * @param canReload     whether the unit has an {@code ExecReload=}
 * @param fragmentPath  the unit file systemd loaded, empty when none
 */
record UnitStatus(String id, String loadState, String activeState, String subState, String unitFileState,
                  long mainPid, boolean canReload, String fragmentPath) {

    /** The properties asked for, in the order {@link #parse} needs none of: it reads them by name. */
    static final List<String> PROPERTIES = List.of("Id", "LoadState", "ActiveState", "SubState", "UnitFileState",
            "MainPID", "CanReload", "FragmentPath");

    /** Unit file states in which the unit starts at boot, or is pulled in by what does. */
    private static final Set<String> ENABLED = Set.of("enabled", "enabled-runtime", "alias", "static", "indirect",
            "generated");

    /**
     * States that {@code systemctl disable} cannot change: the unit has no {@code [Install]}
     * section, or is made by a generator or another unit's {@code Also=}.
     */
    private static final Set<String> CANNOT_DISABLE = Set.of("static", "indirect", "generated", "transient");

    /** A unit a sandbox root knows only from its files: nothing runs there. */
    static UnitStatus offline(String unitName, String unitFileState) {
        return new UnitStatus(unitName, unitFileState.isEmpty() ? "not-found" : "loaded", "inactive", "dead",
                unitFileState, 0, false, "");
    }

    /**
     * Whether it starts at boot, as Puppet and Ansible count it: {@code systemctl is-enabled} exits 0
     * (a static unit counts, since what needs it starts it).
     */
    boolean enabled() {
        return ENABLED.contains(unitFileState);
    }

    boolean canBeDisabled() {
        return !CANNOT_DISABLE.contains(unitFileState);
    }

    /**
     * Whether it runs: active, reloading or starting — but not waiting to be restarted after it
     * died ({@code activating (auto-restart)}), which is a service that does not run.
     */
    boolean running() {
        return switch (activeState) {
            case "active", "reloading" -> true;
            case "activating" -> !subState.equals("auto-restart");
            default -> false;
        };
    }

    boolean exists() {
        return !loadState.equals("not-found");
    }

    /**
     * Parses {@code systemctl show -p …} output: {@code Key=Value} lines, one block per unit, blocks
     * separated by an empty line, in the order the units were named. A property systemd leaves out
     * (an old version) reads as empty.
     */
    static List<UnitStatus> parse(List<String> lines) {
        List<UnitStatus> out = new ArrayList<>();
        Map<String, String> block = new LinkedHashMap<>();
        for (String line : lines) {
            if (line.isEmpty()) {
                if (!block.isEmpty()) {
                    out.add(of(block));
                    block = new LinkedHashMap<>();
                }
                continue;
            }
            int eq = line.indexOf('=');
            if (eq > 0) {
                block.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        if (!block.isEmpty()) {
            out.add(of(block));
        }
        return out;
    }

    private static UnitStatus of(Map<String, String> p) {
        long pid;
        try {
            pid = Long.parseLong(p.getOrDefault("MainPID", "0"));
        } catch (NumberFormatException e) {
            pid = 0;
        }
        return new UnitStatus(p.getOrDefault("Id", ""), p.getOrDefault("LoadState", ""),
                p.getOrDefault("ActiveState", ""), p.getOrDefault("SubState", ""),
                p.getOrDefault("UnitFileState", ""), pid, "yes".equals(p.get("CanReload")),
                p.getOrDefault("FragmentPath", ""));
    }
}
