/**
 * The {@code copy} kind: a directory tree kept in sync with a source tree, as
 * {@code cp -r /lib/modules/2.4.22 /opt/ltsp/i386/lib/modules} would make it, but writing only the
 * files that differ. Regular files keep their permission bits, symlinks are copied as symlinks.
 * With {@code purge: true}, files of the destination that the source does not have are removed.
 *
 * <pre>{@code
 * node-modules:
 *   type: copy
 *   source: /lib/modules/2.4.22          # absolute: on the target; relative: next to the playbook
 *   dest: /opt/ltsp/i386/lib/modules/2.4.22
 *   purge: true
 * }</pre>
 */
package dev.mosaic.resource.copy;
