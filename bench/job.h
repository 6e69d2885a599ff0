/* SPDX-License-Identifier: GPL-2.0 */
/* The runner's side of struct fb_job (workloads see only workload.h). */
#ifndef FB_JOB_H
#define FB_JOB_H

#include <pthread.h>
#include <signal.h>
#include <sys/types.h>

#include "workload.h"

struct fb_metric {
	char name[48];
	char unit[16];
	double value;
	enum fb_better better;
};

struct fb_job {
	const struct fb_workload *wl;
	const void *params;
	unsigned int ntasks;
	int *cpus;		/* placed CPU per task, -1 unbound */
	int *ran_on;		/* CPU each task was last seen on, -1 unknown */
	uint64_t extra_work_ns;
	char reason[256];
	struct fb_metric metrics[FB_MAX_METRICS];
	unsigned int nmetrics;
	pid_t owner;		/* fb_job_pin records only in this process */
	pthread_mutex_t lock;
};

/* A job for workload wl with ntasks tasks placed on cpus (NULL: unbound). */
struct fb_job *fb_job_new(const struct fb_workload *wl, const void *params,
			  unsigned int ntasks, const int *cpus,
			  uint64_t extra_work_ns);
void fb_job_free(struct fb_job *job);
/* Forget the reason and metrics of the previous sample. */
void fb_job_sample_reset(struct fb_job *job);

/* Set by the runner's SIGINT/SIGTERM handler. */
extern volatile sig_atomic_t fb_stop_requested;

#endif
