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
 * <p>A label's {@code initrd} is one file or a list ({@code initrd: [node.img, overlay.img]}),
 * loaded in that order — Linux unpacks concatenated initramfs archives one over the other, so a
 * small per-server overlay can follow an image shared by every server: PXELINUX gets
 * {@code initrd=node.img,overlay.img}, iPXE an {@code initrd} line each (and each name as an
 * {@code initrd=} argument on the kernel line, which a kernel booted through its EFI stub needs),
 * GRUB one {@code initrd} command naming all. Every one must exist or be produced, like the kernel.
 *
 * <p>In {@code append}, {@code {name}}, {@code {mac}} and {@code {ip}} stand for the node the
 * file is for. The default entry is for every machine, so its {@code {name}} is {@code default}
 * and a word with {@code {mac}} or {@code {ip}} is left out of it whole, as it is for a node
 * without {@code ip:}: {@code ip={ip}} never becomes {@code ip=unknown}. Style
 * {@code classic} writes PXELINUX files as the 2003 openMosix-LTSP recipe did ({@code prompt=0},
 * unindented, {@code initrd=} at the end of {@code append}).
 *
 * <p>{@code templates:} replaces the built-in rendering of a kind of file with a template of the
 * user's (Jinja syntax, rendered as the {@code template} kind does: strictly, at plan time, errors at
 * the template's {@code file:line:col} and the field that names it): {@code pxelinux_default},
 * {@code pxelinux_node}, {@code ipxe_boot}, {@code ipxe_default}, {@code ipxe_node}, {@code grub},
 * each a file relative to the playbook (or the module). A template decides what a file says, not
 * which files there are. It sees the resource's fields as parsed — {@code root}, {@code loaders},
 * {@code style}, {@code menu} ({@code prompt}, {@code timeout}, {@code default}), {@code labels}
 * ({@code name}, {@code kernel}, {@code initrds} (a list, empty without), {@code initrd} (the
 * names joined by commas as PXELINUX takes them, or null), {@code append}, {@code args}),
 * {@code nodes} ({@code name}, {@code mac}, {@code ip} or null, {@code label}, {@code append},
 * {@code args}, {@code pxelinux_file}, {@code hex_ip}), {@code default_label} — over the scope's
 * variables; a per-node template also {@code node} and its {@code label}; {@code ipxe_default}
 * gets the default label as {@code label}. {@code args} are the kernel arguments with
 * {@code {name}}, {@code {mac}}, {@code {ip}} filled in. The built-in renderings are shipped as
 * templates in {@code examples/templates/pxe/} (a test keeps them byte for byte the same), with
 * {@code menu-c32.j2}, a {@code menu.c32} menu with an entry per node.
 *
 * <pre>{@code
 * boot-entries:
 *   type: pxe
 *   root: /srv/tftp
 *   loaders: [pxelinux, ipxe]
 *   menu: { prompt: 0, timeout: 0, default: linux }
 *   labels:
 *     - { name: linux, kernel: vmlinuz, initrd: initrd.img, append: "console=ttyS0 node={name}" }
 *     - { name: layered, kernel: vmlinuz, initrd: [node.img, overlay.img] }   # loaded in order
 *   nodes:
 *     - { name: node1, mac: "52:54:00:00:00:01" }
 *     - { name: node2, mac: "52:54:00:00:00:02", ip: 10.0.0.12 }
 *   templates:                        # optional: files of your own instead of the built-in ones
 *     pxelinux_default: examples/templates/pxe/menu-c32.j2     # relative to the playbook
 * }</pre>
 */
package dev.mosaic.resource.pxe;
