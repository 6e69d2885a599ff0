/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Spinner tasks for workloads: extra threads of the calling process (so of
 * the same mm), each bound to its task's CPU with fb_job_pin() and spinning
 * in userspace until stopped. While they run, the mm is live on their CPUs,
 * so every TLB invalidation of it must reach them (IPI or broadcast TLBI).
 *
 * Start them in ->setup and stop them in ->teardown, so starting and
 * stopping is never measured; they spin through every sample in between.
 * Signals are blocked in them, so SIGINT/SIGTERM reach the runner's thread.
 * A task placed on no CPU (-1) keeps the affinity of the thread that
 * started it.
 */
#ifndef FB_TASKS_H
#define FB_TASKS_H

#include "region.h"
#include "workload.h"

#define FB_TASKS_MAX 255

/* The `threads` option, the same in every workload that takes spinners. */
#define FB_OPTION_THREADS(ptype, field) {				\
	.name = "threads", .type = FB_OPT_U64,				\
	.offset = FB_OFF(ptype, field), .min = 0, .max = FB_TASKS_MAX,	\
	.def = "0",							\
	.help = "extra threads sharing the mm, spinning in userspace on "	\
		"tasks 1..threads (remote TLB invalidation); 0: single-threaded mm", \
}

struct fb_tasks;

/*
 * Start n spinners for tasks first..first+n-1 of job and return once every
 * one is bound and about to spin. 0, or -1 after fb_job_reason() naming who
 * (n == 0 starts nothing and sets *out to NULL).
 */
int fb_tasks_start(struct fb_tasks **out, struct fb_job *job, const char *who,
		   unsigned int first, unsigned int n);
/* Stop and join them (NULL is fine). */
void fb_tasks_stop(struct fb_tasks *t);

/*
 * What most workloads run against: a region and spinners sharing its mm.
 * A workload's state struct starts with one, so fb_mm_ctx_new() can
 * allocate the whole state and fb_mm_ctx_free() release it.
 */
struct fb_mm_ctx {
	struct fb_region r;
	struct fb_tasks *tasks;
	uint64_t extra_ns;	/* fb_job_extra_work_ns(), cached */
};

/*
 * Allocate a zeroed state of size bytes (a struct fb_mm_ctx first), make
 * its region (fb_region_new(len, how)) and start threads spinners on tasks
 * 1..threads. Returns FB_OK with *state set, or FB_SKIP / FB_FAIL after
 * fb_job_reason("<who>: ...").
 */
int fb_mm_ctx_new(void **state, size_t size, struct fb_job *job,
		  const char *who, size_t len, enum fb_region_how how,
		  unsigned int threads);
/* Stop the spinners, release the region, free the state (NULL is fine). */
void fb_mm_ctx_free(void *state);
/* The same as a ->teardown, for workloads with nothing else to undo. */
void fb_mm_ctx_teardown(struct fb_job *job, void *state);

#endif
