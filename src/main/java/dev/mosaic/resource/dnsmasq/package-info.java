/**
 * The {@code dnsmasq} kind: the DHCP and TFTP side of a netboot server, as one dnsmasq
 * configuration file — the TFTP root, the boot file for PXE clients and for iPXE (so iPXE does not
 * loop back into itself), the address range, and one {@code dhcp-host} line per node. Reloading
 * the daemon is a {@code notify} away: point it at a {@code build} whose command reloads dnsmasq.
 *
 * <p>{@code ipxe_boot} may be a URL ({@code http://10.0.0.1/boot.ipxe}): iPXE fetches the script
 * over HTTP, and resolves the absolute paths the {@code pxe} kind writes ({@code /vmlinuz},
 * {@code /ipxe/<mac>.ipxe}) against it, so kernel and initrds come over HTTP from the same server
 * — a web server serving the TFTP root read-only is all it takes. {@code ra_only} adds IPv6 router
 * advertisements without DHCPv6 ({@code enable-ra}, {@code dhcp-range=VALUE,ra-only}): without a
 * router iPXE waits seconds for one before it boots.
 *
 * <p>{@code source:} (a template file, relative to the playbook or the module) or {@code template:}
 * (inline) replaces the built-in rendering (UEFI tags, options of your own), rendered as the
 * {@code template} kind does: strictly, at plan time, errors at the template's {@code file:line:col}.
 * It sees the fields as parsed — {@code path}, {@code interface}, {@code listen_address},
 * {@code dns_port}, {@code tftp_root}, {@code range}, {@code ra_only}, {@code boot}, {@code ipxe_boot} (null when not
 * given), {@code nodes} ({@code name}, {@code mac} in lower case with colons, {@code ip}; null when
 * not given), {@code extra} — over the scope's variables. The built-in rendering is shipped as
 * {@code examples/templates/dnsmasq/dnsmasq.conf.j2} (a test keeps it byte for byte the same), with
 * {@code dnsmasq-uefi.conf.j2}, which boots UEFI clients into GRUB.
 *
 * <pre>{@code
 * dhcp:
 *   type: dnsmasq
 *   path: /etc/dnsmasq.d/mosaic-netboot.conf
 *   interface: eth1
 *   tftp_root: /srv/tftp
 *   range: 10.0.0.100,10.0.0.200,12h
 *   boot: pxelinux.0
 *   ipxe_boot: boot.ipxe
 *   nodes:
 *     - { name: node1, mac: "52:54:00:00:00:01", ip: 10.0.0.11 }
 *   # source: examples/templates/dnsmasq/dnsmasq-uefi.conf.j2   # a template instead of the built-in rendering
 *   notify: [dnsmasq-reload]
 * dnsmasq-reload:
 *   type: build
 *   dir: /
 *   command: systemctl reload dnsmasq     # refreshed when the configuration changes
 *   toolchain: []
 * }</pre>
 */
package dev.mosaic.resource.dnsmasq;
