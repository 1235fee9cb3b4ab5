/**
 * The {@code link} kind: a symbolic link, as {@code ln -s} makes it. The target is written
 * literally (relative or absolute) and need not exist. An existing regular file at the path is
 * replaced only with {@code force: true}; a directory never is.
 *
 * <pre>{@code
 * kernel-link:
 *   type: link
 *   path: /usr/src/linux-2.4.22
 *   target: kernel-source-2.4.22
 * }</pre>
 */
package dev.mosaic.resource.link;
