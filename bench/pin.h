/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Placement: the only user of hwloc. Turns a placement policy and a task
 * count into one CPU (OS index) per task, or says why the machine cannot.
 */
#ifndef FLB_PIN_H
#define FLB_PIN_H

#include <stddef.h>

enum flb_placement {
	FLB_PLACE_NONE,		/* not bound: the scheduler decides */
	FLB_PLACE_SAME_CORE,	/* hardware threads of one core */
	FLB_PLACE_SAME_PACKAGE,	/* one package (a cluster on arm64), distinct cores first */
	FLB_PLACE_SPREAD,	/* distinct cores, across packages */
	FLB_PLACE_CPUS,		/* an explicit list of CPUs */
};

extern const char *const flb_placement_names[];	/* NULL-terminated, enum order */

int flb_pin_init(void);		/* 0, or -1 after printing why */
unsigned int flb_pin_ncpus(void);	/* CPUs this process may use */
/* 1 if the OS CPU index exists and is allowed here */
int flb_pin_cpu_ok(int cpu);
/*
 * One CPU per task into out[ntasks] (-1 for FLB_PLACE_NONE). cpus/ncpus is the
 * list for FLB_PLACE_CPUS (tasks take it in order; fewer CPUs than tasks is
 * impossible). Returns 0, or -1 with why filled.
 */
int flb_pin_assign(enum flb_placement p, const int *cpus, size_t ncpus,
		  unsigned int ntasks, int *out, char *why, size_t len);
/*
 * Bind the calling thread to cpu (-1: unbind, back to the CPUs the process
 * could use when it first called in). 0 or -errno. In bench/affinity.c:
 * sched_setaffinity(2) alone, no hwloc, so the worker links it.
 */
int flb_pin_self(int cpu);
/* "1 package, 2 cores, 2 PUs; L3 32M x1 ..." for the environment */
const char *flb_pin_topology(void);

#endif
