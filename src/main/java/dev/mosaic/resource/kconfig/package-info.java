/**
 * The {@code kernel_config} kind: the chosen options of a kernel tree's {@code .config}.
 *
 * <p>The configuration is always rebuilt the same way — the base (a make target such as
 * {@code tinyconfig}, or a config file such as a kit's {@code config-2.4.22-ltsp-2}), then the
 * requested options, then Kconfig's own resolution run non-interactively ({@code make
 * olddefconfig}, or {@code yes "" | make oldconfig} for trees that predate olddefconfig) — so the
 * result depends only on the playbook and the tree. Afterwards every requested option is checked:
 * an option Kconfig dropped (unmet dependency, unknown symbol) is an error naming the option and
 * what it got. Plans show option-level changes ({@code CONFIG_E1000: n -> y}), a changed base,
 * and a {@code .config} edited by hand, never a 5,000-line diff. A change of the tree's Kconfig
 * files ({@code Kconfig*}, and in a 2.4 tree every {@code Config.in} and
 * {@code arch/<arch>/config.in}), such as a patch adding options, resolves again. {@code ranges}
 * are checked at plan time: a value out of range (often a {@code --var}) is refused before anything
 * runs, at the position of the option's value.
 *
 * <pre>{@code
 * kconfig:
 *   type: kernel_config
 *   dir: /usr/src/linux-6.1
 *   base: tinyconfig
 *   options:
 *     CONFIG_64BIT: y
 *     CONFIG_SERIAL_8250_CONSOLE: y
 *     CONFIG_E1000: y
 *     CONFIG_CMDLINE: "console=ttyS0"
 *   ranges:
 *     CONFIG_NR_CPUS: { min: 1, max: 8 }
 * }</pre>
 */
package dev.mosaic.resource.kconfig;
