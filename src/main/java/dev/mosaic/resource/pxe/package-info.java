/**
 * The {@code pxe} kind: boot entries described once and rendered for several loaders — PXELINUX
 * ({@code pxelinux.cfg/default}, {@code pxelinux.cfg/01-<mac>}, {@code pxelinux.cfg/<HEXIP>}),
 * iPXE ({@code boot.ipxe} chaining to {@code ipxe/<mac>.ipxe} or {@code ipxe/default.ipxe}, all
 * with absolute paths since a chained script resolves relative ones against its own location) and
 * GRUB ({@code grub/grub.cfg}, per-MAC branches on {@code $net_default_mac}).
 *
 * <p>Checks at plan time: MAC syntax, duplicate labels, duplicate MACs across nodes, labels a
 * node or the menu names; and, when observing, that every kernel and initrd an entry names is in
 * the TFTP tree or produced by a resource the entry comes after. Files rendered by an earlier
 * apply and no longer declared (a node removed from the inventory) are deleted.
 *
 * <p>In {@code append}, {@code {name}}, {@code {mac}} and {@code {ip}} stand for the node the
 * file is for ({@code default}, {@code unknown}, {@code unknown} in the default entry). Style
 * {@code classic} writes PXELINUX files as the 2003 openMosix-LTSP recipe did ({@code prompt=0},
 * unindented, {@code initrd=} at the end of {@code append}).
 *
 * <pre>{@code
 * boot-entries:
 *   type: pxe
 *   root: /srv/tftp
 *   loaders: [pxelinux, ipxe]
 *   menu: { prompt: 0, timeout: 0, default: linux }
 *   labels:
 *     - { name: linux, kernel: vmlinuz, initrd: initrd.img, append: "console=ttyS0 node={name}" }
 *   nodes:
 *     - { name: node1, mac: "52:54:00:00:00:01" }
 *     - { name: node2, mac: "52:54:00:00:00:02", ip: 10.0.0.12 }
 * }</pre>
 */
package dev.mosaic.resource.pxe;
