/**
 * The {@code line} kind: one line of a file that something else owns, as Puppet's
 * {@code file_line} and Ansible's {@code lineinfile} keep it. Present: nothing to do when the file
 * has the line; else it replaces the first line {@code match} finds (a regular expression, which
 * must match the line itself), else it is appended; a missing file is created with the line.
 * Absent: every line equal to {@code line}, or found by {@code match}, is removed. The file is
 * rewritten atomically through the target's host (over SSH too), with its mode and owner kept;
 * the plan shows the file's diff.
 *
 * <pre>{@code
 * slurm-defaults:
 *   type: line
 *   path: /etc/default/slurmd
 *   line: SLURMD_OPTIONS="--conf-server head"
 *   match: ^SLURMD_OPTIONS=
 * no-swap:
 *   type: line
 *   path: /etc/fstab
 *   match: '\sswap\s'
 *   ensure: absent
 * }</pre>
 */
package dev.mosaic.resource.line;
