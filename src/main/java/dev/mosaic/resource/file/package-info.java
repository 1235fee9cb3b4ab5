/**
 * The {@code file} kind: a regular file with its content, mode and ownership.
 *
 * <pre>{@code
 * pxe-default:
 *   type: file
 *   path: /srv/tftp/pxelinux.cfg/default
 *   content: |
 *     prompt 0
 *     label linux
 *       kernel vmlinuz-${kernel_version}
 *   mode: "0644"
 * motd:
 *   type: file
 *   path: /etc/motd
 *   source: files/motd        # relative: read next to the playbook; absolute: on the target
 * stale:
 *   type: file
 *   path: /srv/tftp/old.cfg
 *   ensure: absent
 * }</pre>
 */
package dev.mosaic.resource.file;
