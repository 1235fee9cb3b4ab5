/**
 * The {@code build} kind: commands that turn declared inputs into declared outputs, run only when
 * needed — Nix's and Bazel's idea applied to {@code make}.
 *
 * <p>The fingerprint of a build is the digest of its commands, working directory, environment,
 * toolchain versions ({@code toolchain} probes, e.g. {@code cc --version}) and the content of its
 * input files and trees (through the host's stat cache, so a 75,000-file kernel tree is
 * re-checked in about a second). The fingerprint is taken <em>after</em> each successful run and
 * remembered with the digests of the outputs: a build that writes into its own input tree
 * (objects next to sources) is therefore not re-run for its own leftovers. A build runs when that
 * fingerprint changed, when an output is missing or was modified, or when notified. Touching a
 * file without changing its bytes changes nothing.
 *
 * <p>With {@code --root} the commands run under bubblewrap ({@code host.Sandbox}): they may write
 * only below the root and in a private {@code /tmp}, without network unless {@code network: true}.
 *
 * <p>Early cutoff comes for free: consumers compare content, so a rebuild producing identical
 * outputs leaves them unchanged.
 *
 * <pre>{@code
 * bzImage:
 *   type: build
 *   dir: /usr/src/linux-6.1
 *   command: make bzImage
 *   jobs: 2                      # exported as MAKEFLAGS=-j2
 *   env: { KBUILD_BUILD_TIMESTAMP: "2024-01-01" }
 *   inputs: [/usr/src/linux-6.1]
 *   outputs: [/usr/src/linux-6.1/arch/x86/boot/bzImage]
 *   timeout: 3600                # seconds
 *   network: false               # with --root, commands run confined and offline unless true
 * buildk:
 *   type: build
 *   dir: /root/ltsp_initrd_kit
 *   command: ./buildk
 *   stdin: "1\n/usr/src/linux-2.4.22\n2500\n300\n"   # the answers to its questions
 *   outputs: [/root/ltsp_initrd_kit/bzImage-2.4.22-openmosix-2]
 * }</pre>
 */
package dev.mosaic.resource.build;
