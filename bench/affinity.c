// SPDX-License-Identifier: GPL-2.0
/*
 * Binding a task to the CPU the runner placed it on (bench/pin.c computes
 * the places with hwloc; this half needs none, so the worker process,
 * bench/worker.c, links it without hwloc). sched_setaffinity(2) on the
 * calling thread: works from any thread and in forked children.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>

#include "pin.h"

/* The affinity the process had before any binding: where -1 goes back to. */
static cpu_set_t initial;
static bool initial_ok;
static pthread_once_t initial_once = PTHREAD_ONCE_INIT;

static void initial_save(void)
{
	initial_ok = !sched_getaffinity(0, sizeof(initial), &initial);
}

int flb_pin_self(int cpu)
{
	cpu_set_t *set;
	size_t size;
	int ret = 0;

	pthread_once(&initial_once, initial_save);
	if (cpu < 0) {
		if (!initial_ok)
			return 0;
		return sched_setaffinity(0, sizeof(initial), &initial) ? -errno : 0;
	}
	set = CPU_ALLOC(cpu + 1);
	if (!set)
		return -ENOMEM;
	size = CPU_ALLOC_SIZE(cpu + 1);
	CPU_ZERO_S(size, set);
	CPU_SET_S(cpu, size, set);
	if (sched_setaffinity(0, size, set))
		ret = -errno;
	CPU_FREE(set);
	return ret;
}
