/**
 * The {@code dnsmasq} kind: the DHCP and TFTP side of a netboot server, as one dnsmasq
 * configuration file — the TFTP root, the boot file for PXE clients and for iPXE (so iPXE does not
 * loop back into itself), the address range, and one {@code dhcp-host} line per node. Reloading
 * the daemon is a {@code notify} away: point it at a {@code build} whose command reloads dnsmasq.
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
 *   notify: [dnsmasq-reload]
 * dnsmasq-reload:
 *   type: build
 *   dir: /
 *   command: systemctl reload dnsmasq     # refreshed when the configuration changes
 *   toolchain: []
 * }</pre>
 */
package dev.mosaic.resource.dnsmasq;
