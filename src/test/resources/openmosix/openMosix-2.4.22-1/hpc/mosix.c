/*
 *	openMosix: process migration for Linux clusters
 *	Copyright (C) 2002-2003 Moshe Bar and the openMosix team
 */
#include <linux/config.h>
#include <hpc/hpc.h>

void __init init_mosix(void)
{
	printk("openMosix configured for a maximum of %d topology levels\n", CONFIG_MOSIX_MAXTOPOLOGY);
}
