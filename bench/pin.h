/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Placement: the only user of hwloc. Turns a placement policy and a task
 * count into one CPU (OS index) per task, or says why the machine cannot.
 */
#ifndef FB_PIN_H
#define FB_PIN_H

#include <stddef.h>

enum fb_placement {
	FB_PLACE_NONE,		/* not bound: the scheduler decides */
	FB_PLACE_SAME_CORE,	/* hardware threads of one core */
	FB_PLACE_SAME_PACKAGE,	/* one package (a cluster on arm64), distinct cores first */
	FB_PLACE_SPREAD,	/* distinct cores, across packages */
	FB_PLACE_CPUS,		/* an explicit list of CPUs */
};

extern const char *const fb_placement_names[];	/* NULL-terminated, enum order */

int fb_pin_init(void);		/* 0, or -1 after printing why */
unsigned int fb_pin_ncpus(void);	/* CPUs this process may use */
/* 1 if the OS CPU index exists and is allowed here */
int fb_pin_cpu_ok(int cpu);
/*
 * One CPU per task into out[ntasks] (-1 for FB_PLACE_NONE). cpus/ncpus is the
 * list for FB_PLACE_CPUS (tasks take it in order; fewer CPUs than tasks is
 * impossible). Returns 0, or -1 with why filled.
 */
int fb_pin_assign(enum fb_placement p, const int *cpus, size_t ncpus,
		  unsigned int ntasks, int *out, char *why, size_t len);
/* Bind the calling thread to cpu (-1: unbind, to every usable CPU). 0 or -errno. */
int fb_pin_self(int cpu);
/* "1 package, 2 cores, 2 PUs; L3 32MiB ..." for the environment */
const char *fb_pin_topology(void);

#endif
