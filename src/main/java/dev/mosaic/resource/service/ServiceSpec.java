package dev.mosaic.resource.service;

import java.util.Optional;

/**
 * A systemd service as desired state. Every part is optional but the name: what is not given is
 * left as it is (a service whose {@code state} is not given is neither started nor stopped).
 *
 * @param name     the unit's name without {@code .service} ({@code dnsmasq})
 * @param unit     the unit file's content, written to {@code /etc/systemd/system/NAME.service}
 * @param source   the same from a file (next to the playbook, or an absolute path on the target)
 * @param dropin   a drop-in's content, written to {@code /etc/systemd/system/NAME.service.d/mosaic.conf}
 * @param enabled  whether it starts at boot
 * @param state    whether it runs now
 * @param onNotify what a {@code notify} does; empty: reload when the unit can, else restart
 */
public record ServiceSpec(String name, Optional<String> unit, Optional<String> source, Optional<String> dropin,
                          Optional<Boolean> enabled, Optional<State> state, Optional<OnNotify> onNotify) {

    public enum State { RUNNING, STOPPED }

    public enum OnNotify { RELOAD, RESTART }

    static final String UNIT_DIR = "/etc/systemd/system";

    /** The unit's full name, as systemctl and journalctl take it. */
    public String unitName() {
        return name + ".service";
    }

    /** Where the unit file is written, when the playbook gives it. */
    public String unitPath() {
        return UNIT_DIR + "/" + unitName();
    }

    public String dropinDir() {
        return UNIT_DIR + "/" + unitName() + ".d";
    }

    /** Mosaic's own drop-in: one file of the directory, so drop-ins of packages or admins stay. */
    public String dropinPath() {
        return dropinDir() + "/mosaic.conf";
    }

    public boolean managesUnit() {
        return unit.isPresent() || source.isPresent();
    }
}
