/**
 * The {@code tftp_tree} kind: the whole layout of a TFTP root as desired state — bootloaders
 * ({@code pxelinux.0}, {@code ldlinux.c32}, iPXE binaries, GRUB EFI images), kernels and initrds,
 * copied from files on the target (absolute sources, such as the outputs of a build or of an
 * unpacked package) or next to the playbook (relative sources). With {@code purge: true}, files
 * that no resource declares are removed; files that other resources manage below the root (PXE
 * entries, an initrd) are left alone. Plans show the tree diff with sizes and digests. File names
 * take variables like values do ({@code vmlinuz-${kernel_version}: …}).
 *
 * <pre>{@code
 * tftp:
 *   type: tftp_tree
 *   root: /srv/tftp
 *   purge: true
 *   files:
 *     pxelinux.0: /usr/lib/PXELINUX/pxelinux.0
 *     ldlinux.c32: /usr/lib/syslinux/modules/bios/ldlinux.c32
 *     vmlinuz: { source: /usr/src/linux/arch/x86/boot/bzImage, mode: "0644" }
 * }</pre>
 */
package dev.mosaic.resource.tftp;
