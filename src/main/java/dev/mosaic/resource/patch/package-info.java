/**
 * The {@code patch} kind: a unified diff applied to a tree with GNU patch, all hunks or none.
 *
 * <p>Its state is one of three. <em>Applied</em>: the touched files are as this very patch left
 * them when Mosaic applied it (their digests are in the resource's memory), or the reverse patch
 * would apply cleanly ({@code patch -R --dry-run}), so there is nothing to do. <em>Not
 * applied</em>: the forward patch applies cleanly; plan lists the files it touches and those it
 * creates. When both directions apply (lines added or removed amid repeated context, such as a
 * table of zeros), exact context ({@code --fuzz=0}) decides, and failing that whether Mosaic applied
 * it here before. <em>Conflicting</em>: neither; the error lists every failed hunk with its file
 * and line (or the file it could not find), and the tree is left exactly as it was. Apply backs up
 * the touched files (content and mode) before patching and puts them back if GNU patch fails
 * midway.
 *
 * <pre>{@code
 * openmosix:
 *   type: patch
 *   dir: /usr/src                       # where patch runs, like "cd /usr/src"
 *   source: openMosix-2.4.22-1          # relative: next to the playbook; absolute: on the target
 *   strip: 0                            # patch -p0
 * boot-message:
 *   type: patch
 *   dir: /usr/src/linux-6.1
 *   strip: 1
 *   content: |
 *     --- a/init/main.c
 *     +++ b/init/main.c
 *     ...
 * }</pre>
 */
package dev.mosaic.resource.patch;
