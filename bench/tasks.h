/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Spinner tasks for workloads: extra threads of the calling process (so of
 * the same mm), each bound to its task's CPU with flb_job_pin() and spinning
 * in userspace until stopped. While they run, the mm is live on their CPUs,
 * so every TLB invalidation of it must reach them (IPI or broadcast TLBI).
 *
 * Start them in ->setup and stop them in ->teardown, so starting and
 * stopping is never measured; they spin through every sample in between.
 * Signals are blocked in them, so SIGINT/SIGTERM reach the runner's thread.
 * A task placed on no CPU (-1) keeps the affinity of the thread that
 * started it.
 */
#ifndef FLB_TASKS_H
#define FLB_TASKS_H

#include "region.h"
#include "workload.h"

#define FLB_TASKS_MAX 255

/* The `threads` option, the same in every workload that takes spinners. */
#define FLB_OPTION_THREADS(ptype, field) {				\
	.name = "threads", .type = FLB_OPT_U64,				\
	.offset = FLB_OFF(ptype, field), .min = 0, .max = FLB_TASKS_MAX,	\
	.def = "0",							\
	.help = "extra threads sharing the mm, spinning in userspace on "	\
		"tasks 1..threads (remote TLB invalidation); 0: single-threaded mm", \
}

struct flb_tasks;

/*
 * Start n spinners for tasks first..first+n-1 of job and return once every
 * one is bound and about to spin. 0, or -1 after flb_job_reason() naming who
 * (n == 0 starts nothing and sets *out to NULL).
 */
int flb_tasks_start(struct flb_tasks **out, struct flb_job *job, const char *who,
		   unsigned int first, unsigned int n);
/* Stop and join them (NULL is fine). */
void flb_tasks_stop(struct flb_tasks *t);

/*
 * What most workloads run against: a region and spinners sharing its mm.
 * A workload's state struct starts with one, so flb_mm_ctx_new() can
 * allocate the whole state and flb_mm_ctx_free() release it.
 */
struct flb_mm_ctx {
	struct flb_region r;
	struct flb_tasks *tasks;
	struct flb_extra extra;	/* flb_job_extra(), copied */
};

/*
 * Allocate a zeroed state of size bytes (a struct flb_mm_ctx first), make
 * its region (flb_region_new(len, how)) and start threads spinners on tasks
 * 1..threads. Returns FLB_OK with *state set, or FLB_SKIP / FLB_FAIL after
 * flb_job_reason("<who>: ...").
 */
int flb_mm_ctx_new(void **state, size_t size, struct flb_job *job,
		  const char *who, size_t len, enum flb_region_how how,
		  unsigned int threads);
/* Stop the spinners, release the region, free the state (NULL is fine). */
void flb_mm_ctx_free(void *state);
/* The same as a ->teardown, for workloads with nothing else to undo. */
void flb_mm_ctx_teardown(struct flb_job *job, void *state);

#endif
