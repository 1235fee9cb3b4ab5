package dev.mosaic.kernel;

import java.nio.file.Path;

/**
 * A miniature Linux source tree for tests: a top Makefile with the configuration targets
 * (tinyconfig, defconfig, olddefconfig, oldconfig) and the image targets (bzImage, modules,
 * modules_install), and Kconfig in a page of shell.
 *
 * <p>{@code scripts/symbols} lists the known options, one per line: {@code NAME DEFAULT DEPENDENCY
 * RANGE} ({@code -} for none). As Kconfig does, resolution leaves out an option whose dependency is
 * not {@code y} (so olddefconfig drops {@code CONFIG_NEEDS_FOO} unless {@code CONFIG_FOO=y}), puts
 * a number outside its range back to its default, and drops unknown options. {@code oldconfig}
 * asks for every option missing from .config and reads the answer from standard input with
 * {@code read}; when standard input is closed it fails, so only a {@code yes ""} style feeding gets
 * through it.
 *
 * <p>Every make target appends its name to {@code $MOSAIC_ROOT/var/log/make-count/<target>}
 * (outside the tree, so the counters are not build inputs): {@link Sandbox#count} of
 * {@link #counter} tells how often each ran. {@code bzImage} is the concatenation of .config and
 * the C sources, so it changes with the configuration and with the sources; {@code Documentation/}
 * is ignored by every target.
 */
public final class MiniKernel {

    /** Where the tests put the tree on the target. */
    public static final String DIR = "/usr/src/linux-1.0";

    public static final String MAKEFILE = """
            # A miniature Linux tree: the configuration and image targets of the real top Makefile.
            KERNELRELEASE = 1.0
            COUNT = $(if $(MOSAIC_ROOT),$(MOSAIC_ROOT)/var/log/make-count,$(error MOSAIC_ROOT is not set: run me through mosaic))
            count = @mkdir -p $(COUNT) && echo $@ >> $(COUNT)/$@

            tinyconfig defconfig olddefconfig oldconfig:
            \t$(count)
            \t@sh scripts/kconfig.sh $@

            bzImage:
            \t$(count)
            \t@test -f .config || { echo "no .config: run make oldconfig first" >&2; exit 1; }
            \t@mkdir -p arch/i386/boot
            \t@cat .config init/main.c kernel/*.c drivers/net/*.c > arch/i386/boot/bzImage
            \t@echo "Kernel: arch/i386/boot/bzImage is ready"

            modules:
            \t$(count)
            \t@rm -rf .tmp_modules && mkdir .tmp_modules
            \t@if grep -q '^CONFIG_E1000=m' .config; then cp drivers/net/e1000.c .tmp_modules/e1000.o; fi

            modules_install:
            \t$(count)
            \t@test -n "$(INSTALL_MOD_PATH)" || { echo "INSTALL_MOD_PATH is not set" >&2; exit 1; }
            \t@rm -rf $(INSTALL_MOD_PATH)/lib/modules/$(KERNELRELEASE)
            \t@mkdir -p $(INSTALL_MOD_PATH)/lib/modules/$(KERNELRELEASE)/kernel/drivers/net
            \t@for o in .tmp_modules/*.o; do [ -e "$$o" ] || continue; cp $$o $(INSTALL_MOD_PATH)/lib/modules/$(KERNELRELEASE)/kernel/drivers/net/$$(basename $$o .o).ko; done
            \t@cd $(INSTALL_MOD_PATH)/lib/modules/$(KERNELRELEASE) && find kernel -name '*.ko' | sort > modules.dep

            .PHONY: tinyconfig defconfig olddefconfig oldconfig bzImage modules modules_install
            """;

    public static final String KCONFIG_SH = """
            #!/bin/sh
            # Kconfig in miniature; see scripts/symbols.
            set -e
            target=$1
            case $target in
              tinyconfig)
                printf 'CONFIG_TINY=y\\n' > .config
                while read -r name def dep range; do
                  case $name in ''|'#'*|CONFIG_TINY) continue ;; esac
                  case $def in y|m|n) echo "# $name is not set" >> .config ;; esac
                done < scripts/symbols
                mode=defaults ;;
              defconfig)
                cp "arch/${ARCH:?ARCH is not set}/defconfig" .config
                mode=defaults ;;
              olddefconfig) mode=defaults ;;
              oldconfig) mode=ask ;;
              *) echo "kconfig.sh: unknown target $target" >&2; exit 2 ;;
            esac
            [ -f .config ] || { echo "kconfig.sh: no .config" >&2; exit 1; }
            exec 3<&0
            value() {
              if grep -q "^# $1 is not set\\$" "$2"; then echo n; return; fi
              grep "^$1=" "$2" | head -n 1 | cut -d= -f2-
            }
            : > .config.new
            while read -r name def dep range; do
              case $name in ''|'#'*) continue ;; esac
              if [ "$dep" != - ] && [ "$(value "$dep" .config.new)" != y ]; then
                continue
              fi
              v=$(value "$name" .config)
              if [ -n "$v" ] && [ "$range" != - ]; then
                min=${range%:*}; max=${range#*:}
                if [ "$v" -lt "$min" ] || [ "$v" -gt "$max" ]; then v=; fi
              fi
              if [ -z "$v" ]; then
                if [ "$mode" = ask ]; then
                  printf '%s [%s] (NEW) ' "$name" "$def"
                  if ! read -r answer <&3; then
                    echo; echo "kconfig.sh: no answer for $name: standard input is closed" >&2; exit 1
                  fi
                  echo "$answer"
                  v=${answer:-$def}
                else
                  v=$def
                fi
              fi
              if [ "$v" = n ]; then echo "# $name is not set"; else echo "$name=$v"; fi >> .config.new
            done < scripts/symbols
            mv .config.new .config
            """;

    public static final String SYMBOLS = """
            # NAME DEFAULT DEPENDENCY RANGE
            CONFIG_TINY n - -
            CONFIG_E1000 n - -
            CONFIG_FOO n - -
            CONFIG_NEEDS_FOO n CONFIG_FOO -
            CONFIG_MOSIX_MAXTOPOLOGY 4 - 2:64
            CONFIG_CMDLINE "" - -
            """;

    public static final String DEFCONFIG = """
            CONFIG_E1000=m
            CONFIG_CMDLINE="console=tty0"
            """;

    public static final String MAIN_C = """
            #include <linux/kernel.h>

            void start_kernel(void)
            {
            \tprintk("Linux version 1.0\\n");
            \tsetup_arch();
            \tsched_init();
            \tcpu_idle();
            }
            """;

    public static final String SCHED_C = """
            #include <linux/sched.h>

            void sched_init(void)
            {
            }
            """;

    public static final String E1000_C = """
            /* Intel PRO/1000 */
            int e1000_probe(void) { return 0; }
            """;

    public static final String README = """
            Linux 1.0 in miniature. Nothing in Documentation/ is built.
            """;

    public static final String MOSIX_C = """
            /* openMosix: process migration for Linux clusters */
            void om_init(void) { }
            """;

    private MiniKernel() {
    }

    /**
     * An openMosix-like patch made with {@code diff -ruN linux-1.0.orig linux-1.0}, applied with
     * {@code cd /usr/src; patch -p0}: a line in init/main.c, a new option {@code CONFIG_MOSIX} that
     * {@code CONFIG_MOSIX_MAXTOPOLOGY} now depends on, and a new file kernel/mosix.c.
     */
    public static String openMosixPatch() {
        String main = MAIN_C.replace("\tprintk(\"Linux version 1.0\\n\");\n",
                "\tprintk(\"Linux version 1.0\\n\");\n\tom_init();\n");
        String symbols = SYMBOLS.replace("CONFIG_MOSIX_MAXTOPOLOGY 4 - 2:64\n",
                "CONFIG_MOSIX n - -\nCONFIG_MOSIX_MAXTOPOLOGY 4 CONFIG_MOSIX 2:64\n");
        if (main.equals(MAIN_C) || symbols.equals(SYMBOLS)) {
            throw new IllegalStateException("the patch no longer matches the tree");
        }
        return Diffs.unified("linux-1.0.orig/init/main.c", "linux-1.0/init/main.c", MAIN_C, main)
                + Diffs.unified("linux-1.0.orig/scripts/symbols", "linux-1.0/scripts/symbols", SYMBOLS, symbols)
                + Diffs.unified(null, "linux-1.0/kernel/mosix.c", null, MOSIX_C);
    }

    /** Writes the pristine tree at target path {@code dir} (normally {@link #DIR}). */
    public static void write(Sandbox box, String dir) {
        box.write(dir + "/Makefile", MAKEFILE);
        box.write(dir + "/scripts/kconfig.sh", KCONFIG_SH);
        box.write(dir + "/scripts/symbols", SYMBOLS);
        box.write(dir + "/arch/i386/defconfig", DEFCONFIG);
        box.write(dir + "/init/main.c", MAIN_C);
        box.write(dir + "/kernel/sched.c", SCHED_C);
        box.write(dir + "/drivers/net/e1000.c", E1000_C);
        box.write(dir + "/Documentation/README", README);
    }

    public static void write(Sandbox box) {
        write(box, DIR);
    }

    /** The counter file of a make target: {@code box.count(MiniKernel.counter("bzImage"))}. */
    public static String counter(String target) {
        return "/var/log/make-count/" + target;
    }

    /** How often each of the tree's make targets ran, e.g. {@code {bzImage=1, olddefconfig=1, …}}. */
    public static java.util.Map<String, Integer> counts(Sandbox box) {
        java.util.Map<String, Integer> out = new java.util.TreeMap<>();
        for (String t : new String[] {"tinyconfig", "defconfig", "olddefconfig", "oldconfig", "bzImage", "modules",
                "modules_install"}) {
            int n = box.count(counter(t));
            if (n > 0) {
                out.put(t, n);
            }
        }
        return out;
    }

    /** Local path helper: the tree's directory below the sandbox root. */
    public static Path tree(Sandbox box) {
        return box.at(DIR);
    }
}
