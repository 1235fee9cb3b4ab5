/**
 * The {@code service} kind: a systemd service as desired state — optionally its unit file
 * ({@code unit:} inline or {@code source:} a file, written to
 * {@code /etc/systemd/system/NAME.service}) or a drop-in ({@code dropin:}, written to
 * {@code /etc/systemd/system/NAME.service.d/mosaic.conf}, beside drop-ins of packages and admins),
 * whether it starts at boot ({@code enabled}) and whether it runs now ({@code state: running} or
 * {@code stopped}, Puppet's words). What is not given is left alone.
 *
 * <p>Observed with {@code systemctl show} ({@code Id}, {@code LoadState},
 * {@code ActiveState}, {@code SubState}, {@code UnitFileState}, {@code MainPID},
 * {@code CanReload}, {@code FragmentPath}): over SSH one call for all the services of a host,
 * then one per service for a look after the host changed; plans read {@code state: stopped -> running},
 * {@code enabled: false -> true}, and the unit file's diff. {@code systemctl daemon-reload} runs
 * exactly when the unit file or the drop-in changed, before enable and start; a running service
 * whose unit changed is restarted when the playbook says {@code state: running}. A unit that
 * fails to start, or dies in its first moments, fails the resource with the last 20 lines of its
 * journal, and the resources that depend on it are skipped. A static unit (no {@code [Install]})
 * counts as enabled, as {@code systemctl is-enabled} says; disabling one is refused.
 *
 * <p>A {@code notify} reloads a running service ({@code on_notify: reload}, the default when the
 * unit has an {@code ExecReload=}) or restarts it ({@code restart}, the default otherwise); a
 * service that does not run is left stopped.
 *
 * <p>In a sandbox root ({@code --root}) no systemd runs: unit files are written, enabling is done
 * offline ({@code systemctl --root enable}, as image builders do, confined like every command
 * there), {@code state: running} is refused when the plan is made, and a notify does nothing.
 *
 * <pre>{@code
 * dnsmasq:
 *   type: service
 *   name: dnsmasq                   # dnsmasq.service
 *   enabled: true
 *   state: running
 * netboot-http:
 *   type: service
 *   name: netboot-http
 *   unit: |                         # or source: units/netboot-http.service
 *     [Unit]
 *     Description=HTTP for netboot
 *     [Service]
 *     ExecStart=/usr/bin/python3 -m http.server 8080 --directory /srv/tftp
 *     [Install]
 *     WantedBy=multi-user.target
 *   enabled: true
 *   state: running
 *   on_notify: restart              # default: reload when the unit can (ExecReload=), else restart
 * tftpd-options:
 *   type: service
 *   name: tftpd-hpa
 *   dropin: |                       # /etc/systemd/system/tftpd-hpa.service.d/mosaic.conf
 *     [Service]
 *     Nice=5
 * }</pre>
 */
package dev.mosaic.resource.service;
