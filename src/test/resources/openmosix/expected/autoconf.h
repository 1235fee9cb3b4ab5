/*
 * Automatically generated C config: don't edit
 */
#define AUTOCONF_INCLUDED
#define CONFIG_X86 1

/*
 * openMosix
 */
#define CONFIG_MOSIX 1
#define CONFIG_MOSIX_TOPOLOGY 1
#define CONFIG_MOSIX_MAXTOPOLOGY (4)
#define CONFIG_MOSIX_SECUREPORTS 1
#define CONFIG_MOSIX_DISCLOSURE (1)
#define CONFIG_MOSIX_FS 1
#define CONFIG_MOSIX_DFSA 1
#define CONFIG_MOSIX_PIPE_EXCEPTIONS 1
#define CONFIG_openMosix_NO_OOM 1
#define CONFIG_MOSIX_LOADLIMIT 1

/*
 * General setup
 */
#define CONFIG_NET 1
#define CONFIG_PCI 1
#define CONFIG_BINFMT_ELF 1

/*
 * Block devices
 */
#define CONFIG_BLK_DEV_RAM 1
#define CONFIG_BLK_DEV_RAM_SIZE (4096)
#define CONFIG_BLK_DEV_INITRD 1

/*
 * Network device support
 */
#define CONFIG_NETDEVICES 1
#undef  CONFIG_VORTEX
#define CONFIG_VORTEX_MODULE 1
#undef  CONFIG_EEPRO100
#define CONFIG_EEPRO100_MODULE 1
#undef  CONFIG_NE2K_PCI
#define CONFIG_NE2K_PCI_MODULE 1
