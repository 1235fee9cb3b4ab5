/**
 * The {@code node_image} kind: a network-booted node's root file system, built on the control
 * machine from Debian packages with their dependency closure and packed reproducibly.
 *
 * <p>apt resolves the closure from the control machine's lists as if nothing were installed
 * ({@code apt-get install -s -o Dir::State::status=/dev/null}, no recommends); each .deb is
 * fetched into the content-addressed download cache by the sha256 of apt's index (only at apply,
 * only what the cache lacks) and read through {@code dpkg-deb --fsys-tarfile}: no maintainer
 * script runs, and every tar entry is checked (no absolute name, no {@code ..}, nothing below a
 * symlink of the image) before it is kept in a staging directory of the cache. {@code exclude}
 * drops package paths by glob; {@code files}, {@code links} and {@code dirs} come on top.
 *
 * <p>The bytes depend on the inputs only: entries sorted by path, owned by root unless a file says
 * {@code owner}/{@code group} (numeric ids), every mtime at {@code epoch} (default 0, 1970-01-01),
 * gzip without a timestamp or name; a squashfs is packed with {@code mksquashfs -reproducible}
 * and that same time. The image is kept in the control machine's cache under the digest of its
 * inputs (resolved package versions and .deb digests, file contents, options) and copied to every
 * target that declares it, checked by its sha256 on arrival; a second apply rebuilds nothing. A
 * file marked {@code sensitive} makes the plan warn that whoever can fetch the image reads it.
 *
 * <pre>{@code
 * node-image:
 *   type: node_image
 *   path: /srv/tftp/node.img
 *   format: cpio                 # or squashfs
 *   packages: [busybox, slurmd, munge]
 *   exclude: [/usr/share/doc/**, /usr/share/man/**, /usr/share/locale/**]
 *   files:
 *     - { path: /init, source: files/node-init.sh, mode: "0755" }
 *     - { path: /etc/munge/munge.key, source: /etc/munge/munge.key, mode: "0400", owner: "101", sensitive: true }
 *   links:
 *     - { path: /bin/sh, target: busybox }
 *   dirs: [/proc, /sys, /dev, /run, /tmp]
 *   epoch: 0
 * }</pre>
 */
package dev.mosaic.resource.image;
