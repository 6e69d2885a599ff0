/* SPDX-License-Identifier: GPL-2.0 */
/* The runner's side of struct flb_job (workloads see only workload.h). */
#ifndef FLB_JOB_H
#define FLB_JOB_H

#include <pthread.h>
#include <signal.h>
#include <sys/types.h>

#include "workload.h"

struct flb_job {
	const struct flb_workload *wl;
	const void *params;
	unsigned int ntasks;
	int *cpus;		/* placed CPU per task, -1 unbound */
	int *ran_on;		/* CPU each task was last seen on, -1 unknown */
	pid_t *tids;		/* a task's thread when it has said so, else 0 */
	struct flb_extra extra;
	char reason[256];
	struct flb_metric metrics[FLB_MAX_METRICS];
	unsigned int nmetrics;
	pid_t owner;		/* flb_job_pin records only in this process */
	pthread_mutex_t lock;
};

/*
 * A job for workload wl with ntasks tasks placed on cpus (NULL: unbound),
 * adding extra to every op (NULL: nothing).
 */
struct flb_job *flb_job_new(const struct flb_workload *wl, const void *params,
			  unsigned int ntasks, const int *cpus,
			  const struct flb_extra *extra);
void flb_job_free(struct flb_job *job);
/*
 * Where each task that gave its thread (flb_job_note_tid, workload.h)
 * last ran, read from /proc/self/task/TID/stat into ran_on: after a
 * sample, outside its timing.
 */
void flb_job_note_tids(struct flb_job *job);
/* Forget the reason and metrics of the previous sample. */
void flb_job_sample_reset(struct flb_job *job);

/* Set by the runner's SIGINT/SIGTERM handler. */
extern volatile sig_atomic_t flb_stop_requested;

#endif
