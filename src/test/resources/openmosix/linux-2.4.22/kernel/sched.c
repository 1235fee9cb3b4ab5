/*
 *  kernel/sched.c
 *
 *  Kernel scheduler and related syscalls
 */
#include <linux/sched.h>

void __init sched_init(void)
{
	init_bh(TIMER_BH, timer_bh);
}
