/**
 * The {@code initrd} kind: a gzip'd {@code newc} cpio archive (an initramfs) built in-process from
 * declared content — an init script, files, whole trees, symlinks, directories and device nodes.
 *
 * <p>The bytes are deterministic: entries sorted by path, parents added automatically, mtimes 0,
 * owner root, inode numbers in order, gzip without a timestamp. The same inputs give the same
 * digest, so whatever consumes the image (a TFTP tree, a PXE entry) is left alone when nothing
 * really changed. A digest of the inputs is remembered, so an unchanged initrd is recognised
 * without rebuilding it.
 *
 * <pre>{@code
 * node-initrd:
 *   type: initrd
 *   path: /srv/tftp/initrd.img
 *   init: |
 *     #!/bin/sh
 *     mount -t proc proc /proc
 *     echo "node ${name} up"
 *     exec sh
 *   files:
 *     - { path: /bin/busybox, source: /usr/bin/busybox, mode: "0755" }   # absolute source: on the target
 *     - { path: /etc/hostname, content: "node1\n" }
 *   trees:
 *     - { path: /lib/modules/6.1.0-42-amd64, source: /lib/modules/6.1.0-42-amd64 }
 *   links:
 *     - { path: /bin/sh, target: busybox }
 *   dirs: [/proc, /sys, /dev, /tmp]
 *   nodes:
 *     - { path: /dev/console, kind: char, major: 5, minor: 1, mode: "0600" }
 * }</pre>
 */
package dev.mosaic.resource.initrd;
