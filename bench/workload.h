/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between the runner and a workload.
 *
 * A workload is one .c file under workloads/<name>/ exporting one
 * `const struct fb_workload fb_wl_<name>` and one line in bench/workloads.def.
 * Its parameters are a plain struct described by an option table (options
 * are data): the config loader fills, range-checks and defaults the struct,
 * so a workload never parses text.
 *
 * A sample is one call of ->run(ops): the runner starts the clock and the
 * counters, calls run, stops both. Everything run does is measured, so it
 * does only the operations (and fb_extra_work()).
 */
#ifndef FB_WORKLOAD_H
#define FB_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FB_WORKLOAD_VERSION 1
#define FB_STR_MAX 128

enum fb_status {
	FB_OK = 0,		/* measured */
	FB_SKIP,		/* cannot run here; reason says why */
	FB_FAIL,		/* ran and got a wrong result, or an error */
	FB_UNTRUSTWORTHY,	/* measured, but something disturbed it */
};

enum fb_opt_type {
	FB_OPT_U64,	/* uint64_t: 12, 0x10 */
	FB_OPT_SIZE,	/* uint64_t bytes: 4096, 4K, 64M, 1G (binary units) */
	FB_OPT_NS,	/* uint64_t nanoseconds: 500ns, 20us, 10ms, 0.5s */
	FB_OPT_BOOL,	/* bool: true/false, yes/no, on/off */
	FB_OPT_ENUM,	/* int: index into choices[] */
	FB_OPT_STR,	/* char[FB_STR_MAX] */
};

struct fb_option {
	const char *name;
	enum fb_opt_type type;
	size_t offset;			/* into the params struct */
	uint64_t min, max;		/* inclusive bounds for U64/SIZE/NS */
	const char *def;		/* default, written as in a config */
	const char *const *choices;	/* FB_OPT_ENUM: NULL-terminated */
	const char *help;
	/* optional extra check of a value; 0 if fine, else -1 and why */
	int (*check)(const void *value, char *why, size_t len);
};

#define FB_OPTION_END { .name = NULL }
#define FB_OFF(type, field) offsetof(type, field)

struct fb_job;	/* one configured job: see accessors below */

struct fb_workload {
	unsigned int version;		/* FB_WORKLOAD_VERSION */
	const char *name;
	const char *summary;		/* one line: what it stresses */
	size_t params_size;
	const struct fb_option *options;	/* FB_OPTION_END-terminated */
	/*
	 * The metric an A/B comparison tests for this workload (its Holm
	 * family holds one metric per job): NULL means ns_per_op.
	 */
	const char *primary;
	/* tasks (threads or processes) the job places on CPUs; NULL means 1 */
	unsigned int (*ntasks)(const void *params);
	/*
	 * Prepare one job. Runs on task 0's CPU (already pinned). Return
	 * FB_OK, or FB_SKIP / FB_FAIL after fb_job_reason().
	 */
	int (*setup)(struct fb_job *job, const void *params, void **state);
	/*
	 * Do `ops` operations and store how many were done in *done. Return
	 * FB_OK, or FB_FAIL / FB_UNTRUSTWORTHY / FB_SKIP with fb_job_reason().
	 */
	int (*run)(struct fb_job *job, void *state, uint64_t ops, uint64_t *done);
	void (*teardown)(struct fb_job *job, void *state);
};

/* Why this job or sample is not plainly ok (shown and stored). */
void fb_job_reason(struct fb_job *job, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Number of tasks placed, and the CPU task i is placed on (-1: unbound). */
unsigned int fb_job_ntasks(const struct fb_job *job);
int fb_job_cpu(const struct fb_job *job, unsigned int task);

/*
 * Bind the calling thread to task i's CPU and record where it runs.
 * Returns 0 or -errno. Safe from any thread of the job; in a forked child
 * it only binds (records go nowhere).
 */
int fb_job_pin(struct fb_job *job, unsigned int task);
/* Record the CPU a task actually ran on (e.g. after a hop). */
void fb_job_note_cpu(struct fb_job *job, unsigned int task, int cpu);

/* The job-level extra work per operation in ns (0: none). */
uint64_t fb_job_extra_work_ns(const struct fb_job *job);
/* Spin for ns nanoseconds of real CPU work; costs nothing when ns is 0. */
void fb_spin_ns(uint64_t ns);
static inline void fb_extra_work(uint64_t ns)
{
	if (ns)
		fb_spin_ns(ns);
}

/* True once the user asked the run to stop (SIGINT/SIGTERM). */
bool fb_job_stopping(const struct fb_job *job);

enum fb_better { FB_LOWER_IS_BETTER, FB_HIGHER_IS_BETTER };
/*
 * An extra metric of the current sample (latency percentiles, GB/s ...),
 * stored beside ns/op and ops/s. Call from ->run. Returns 0 or -1 when the
 * per-sample table is full (FB_MAX_METRICS).
 */
#define FB_MAX_METRICS 32
int fb_job_metric(struct fb_job *job, const char *name, double value,
		  const char *unit, enum fb_better better);

/* The registry: NULL-terminated, in bench/workloads.def order. */
extern const struct fb_workload *const fb_workloads[];
const struct fb_workload *fb_workload_find(const char *name);
/* The metric compare tests for workload name (ns_per_op when unknown). */
const char *fb_workload_primary(const char *name);
/*
 * The parameters of a job as a result class, as patch mails show them
 * ("Clients: 100 Ratio: 1:5"): those of params (the canonical "k=v ..."
 * text a run stores) whose value is not the workload's default, and the
 * placement when it is not spread; "" when all are defaults. For an
 * unknown workload, every pair.
 */
void fb_params_class(const char *name, const char *params, char *buf,
		     size_t len);

#endif
