/**
 * The {@code directory} kind: a directory with its mode and ownership, or its absence. Missing
 * parents are created (mode 0755), as {@code mkdir -p} would.
 *
 * <pre>{@code
 * tftp-root:
 *   type: directory
 *   path: /srv/tftp
 *   mode: "0755"
 * old-images:
 *   type: directory
 *   path: /srv/tftp/old
 *   ensure: absent
 *   force: true      # also remove what is inside
 * }</pre>
 */
package dev.mosaic.resource.directory;
