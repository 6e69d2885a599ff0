// SPDX-License-Identifier: GPL-2.0
/* Job accessors used by workloads (see workload.h). */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "job.h"
#include "pin.h"

volatile sig_atomic_t flb_stop_requested;

struct flb_job *flb_job_new(const struct flb_workload *wl, const void *params,
			  unsigned int ntasks, const int *cpus,
			  const struct flb_extra *extra)
{
	struct flb_job *job = calloc(1, sizeof(*job));

	if (!job)
		return NULL;
	job->cpus = calloc(ntasks ? ntasks : 1, sizeof(int));
	job->ran_on = calloc(ntasks ? ntasks : 1, sizeof(int));
	job->tids = calloc(ntasks ? ntasks : 1, sizeof(pid_t));
	if (!job->cpus || !job->ran_on || !job->tids) {
		flb_job_free(job);
		return NULL;
	}
	job->wl = wl;
	job->params = params;
	job->ntasks = ntasks;
	for (unsigned int i = 0; i < ntasks; i++) {
		job->cpus[i] = cpus ? cpus[i] : -1;
		job->ran_on[i] = -1;
	}
	if (extra)
		job->extra = *extra;
	job->owner = getpid();
	pthread_mutex_init(&job->lock, NULL);
	return job;
}

void flb_job_free(struct flb_job *job)
{
	if (!job)
		return;
	free(job->cpus);
	free(job->ran_on);
	free(job->tids);
	free(job);
}

void flb_job_note_tid(struct flb_job *job, unsigned int task)
{
	if (task >= job->ntasks || getpid() != job->owner)
		return;
	pthread_mutex_lock(&job->lock);
	job->tids[task] = (pid_t)syscall(SYS_gettid);
	pthread_mutex_unlock(&job->lock);
}

/* The processor field (39th) of /proc/self/task/TID/stat, or -1. */
static int task_cpu(pid_t tid)
{
	char path[64], buf[1024], *p;
	int cpu = -1, field = 2;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* the command name may hold spaces */
	for (; p && *p; p++) {
		if (*p != ' ')
			continue;
		if (++field == 39) {
			cpu = atoi(p + 1);
			break;
		}
	}
	return cpu;
}

void flb_job_note_tids(struct flb_job *job)
{
	for (unsigned int t = 0; t < job->ntasks; t++) {
		int cpu;

		if (!job->tids[t])
			continue;
		cpu = task_cpu(job->tids[t]);
		if (cpu >= 0)
			flb_job_note_cpu(job, t, cpu);
	}
}

void flb_job_sample_reset(struct flb_job *job)
{
	job->reason[0] = '\0';
	job->nmetrics = 0;
}

void flb_job_reason(struct flb_job *job, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(job->reason, sizeof(job->reason), fmt, ap);
	va_end(ap);
}

unsigned int flb_job_ntasks(const struct flb_job *job)
{
	return job->ntasks;
}

int flb_job_cpu(const struct flb_job *job, unsigned int task)
{
	return task < job->ntasks ? job->cpus[task] : -1;
}

void flb_job_note_cpu(struct flb_job *job, unsigned int task, int cpu)
{
	if (task >= job->ntasks || getpid() != job->owner)
		return;
	pthread_mutex_lock(&job->lock);
	job->ran_on[task] = cpu;
	pthread_mutex_unlock(&job->lock);
}

int flb_job_pin(struct flb_job *job, unsigned int task)
{
	int ret;

	if (task >= job->ntasks)
		return -EINVAL;
	ret = flb_pin_self(job->cpus[task]);
	if (ret)
		return ret;
	flb_job_note_cpu(job, task, sched_getcpu());
	return 0;
}

const struct flb_extra *flb_job_extra(const struct flb_job *job)
{
	return &job->extra;
}

bool flb_job_stopping(const struct flb_job *job)
{
	(void)job;
	return flb_stop_requested != 0;
}

void flb_spin_ns(uint64_t ns)
{
	struct timespec t0, t;
	uint64_t el;

	clock_gettime(CLOCK_MONOTONIC_RAW, &t0);
	do {
		clock_gettime(CLOCK_MONOTONIC_RAW, &t);
		el = (uint64_t)(t.tv_sec - t0.tv_sec) * 1000000000ull +
		     (uint64_t)t.tv_nsec - (uint64_t)t0.tv_nsec;
	} while (el < ns);
}

void flb_spin_loops(uint64_t n)
{
	uint64_t x = n;

	while (n--) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		__asm__ volatile("" : "+r"(x));
	}
}

int flb_job_metric(struct flb_job *job, const char *name, double value,
		  const char *unit, enum flb_better better)
{
	struct flb_metric *m;

	if (job->nmetrics >= FLB_MAX_METRICS)
		return -1;
	m = &job->metrics[job->nmetrics++];
	snprintf(m->name, sizeof(m->name), "%s", name);
	snprintf(m->unit, sizeof(m->unit), "%s", unit ? unit : "");
	m->value = value;
	m->better = better;
	return 0;
}
