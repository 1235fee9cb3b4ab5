/*
 *  linux/init/main.c
 *
 *  Copyright (C) 1991, 1992  Linus Torvalds
 */
#include <linux/config.h>
#include <linux/kernel.h>

asmlinkage void __init start_kernel(void)
{
	printk(linux_banner);
	setup_arch(&command_line);
	trap_init();
	sched_init();
#ifdef CONFIG_MOSIX
	init_mosix();
#endif
	time_init();
	rest_init();
}
