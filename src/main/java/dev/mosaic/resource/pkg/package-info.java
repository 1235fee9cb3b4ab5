/**
 * The {@code package} kind: Debian packages, either {@code installed} on the machine (state from
 * {@code dpkg-query}, changes through {@code apt-get}, non-interactive, waiting for the dpkg lock)
 * or {@code unpacked} into a tree: {@code apt-get download} on the machine running Mosaic, then
 * extraction of the {@code .deb} by the {@code archive} kind's reader (hostile entries refused,
 * only changed files written, drift detected through the manifest), optionally of selected paths
 * only — the way to populate a node root or to take {@code pxelinux.0} out of {@code pxelinux}
 * without installing anything. Unpacking works unprivileged and under {@code --root}; installing
 * needs the whole machine and is refused in a sandbox root.
 *
 * <pre>{@code
 * pxelinux:
 *   type: package
 *   name: pxelinux
 *   state: unpacked
 *   dest: /                          # below --root when one is given
 *   paths: [/usr/lib/PXELINUX/]      # only these (prefixes)
 * tftpd:
 *   type: package
 *   name: tftpd-hpa
 *   state: installed
 *   version: "5.2+20150808-1.4"      # optional pin
 * }</pre>
 */
package dev.mosaic.resource.pkg;
