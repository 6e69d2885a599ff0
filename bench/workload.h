/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between the runner and a workload.
 *
 * A workload is one .c file under workloads/<name>/ exporting one
 * `const struct flb_workload flb_wl_<name>` and one line in bench/workloads.def.
 * Its parameters are a plain struct described by an option table (options
 * are data): the config loader fills, range-checks and defaults the struct,
 * so a workload never parses text.
 *
 * A sample is one call of ->run(ops): the runner starts the clock and the
 * counters, calls run, stops both. Everything run does is measured, so it
 * does only the operations (and flb_extra_work()); what a sample needs
 * done besides them, untimed, goes in ->presample.
 */
#ifndef FLB_WORKLOAD_H
#define FLB_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "options.h"
#include "result.h"

#define FLB_WORKLOAD_VERSION 1

struct flb_job;	/* one configured job: see accessors below */

struct flb_workload {
	unsigned int version;		/* FLB_WORKLOAD_VERSION */
	const char *name;
	const char *summary;		/* one line: what it stresses */
	size_t params_size;
	const struct flb_option *options;	/* FLB_OPTION_END-terminated */
	/*
	 * The metric an A/B comparison tests for this workload (its Holm
	 * family holds one metric per job): NULL means ns_per_op.
	 */
	const char *primary;
	/*
	 * Programs the workload starts (servers, ...), NULL-terminated, each
	 * as the path below the tree where make builds it, e.g.
	 * "workloads/redis-like/kv-server": the workload's module.mk adds the
	 * same to HELPER_PROGS. Found with flb_helper_path(); `flushbench
	 * list --helpers` names them, so guests carry them. NULL: none.
	 */
	const char *const *helpers;
	/* tasks (threads or processes) the job places on CPUs; NULL means 1 */
	unsigned int (*ntasks)(const void *params);
	/*
	 * Prepare one job. Runs on task 0's CPU (already pinned). Return
	 * FLB_OK, or FLB_SKIP / FLB_FAIL after flb_job_reason().
	 */
	int (*setup)(struct flb_job *job, const void *params, void **state);
	/*
	 * Do `ops` operations and store how many were done in *done. Return
	 * FLB_OK, or FLB_FAIL / FLB_UNTRUSTWORTHY / FLB_SKIP with flb_job_reason().
	 */
	int (*run)(struct flb_job *job, void *state, uint64_t ops, uint64_t *done);
	void (*teardown)(struct flb_job *job, void *state);
	/*
	 * Optional (NULL: none): an untimed step before each measured sample
	 * (not calibration or warm-up), outside the clock and the counters:
	 * a check that costs far more than the operations and so cannot be
	 * one of them (iommu's stale-IOTLB check). Its metrics are stored
	 * with the sample. A status other than FLB_OK (after flb_job_reason())
	 * is the sample's, and the sample is not run.
	 */
	int (*presample)(struct flb_job *job, void *state);
};

/* Why this job or sample is not plainly ok (shown and stored). */
void flb_job_reason(struct flb_job *job, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Number of tasks placed, and the CPU task i is placed on (-1: unbound). */
unsigned int flb_job_ntasks(const struct flb_job *job);
int flb_job_cpu(const struct flb_job *job, unsigned int task);

/*
 * Bind the calling thread to task i's CPU and record where it runs.
 * Returns 0 or -errno. Safe from any thread of the job; in a forked child
 * it only binds (records go nowhere).
 */
int flb_job_pin(struct flb_job *job, unsigned int task);
/* Record the CPU a task actually ran on (e.g. after a hop). */
void flb_job_note_cpu(struct flb_job *job, unsigned int task, int cpu);
/*
 * The calling thread is task's for the rest of the job, running through
 * samples without noting its CPU (a spinner): the runner reads where it
 * last ran after each sample, so nothing is added to its loop.
 */
void flb_job_note_tid(struct flb_job *job, unsigned int task);

/*
 * Known extra work per operation, for testing the analysis (all 0: none).
 * ns waits out wall time reading the clock: its share of an op changes
 * when the host runs the op faster or slower. loops is a fixed
 * count of a dependent multiply-add chain: CPU work that speeds up and
 * slows down with the op, as the instructions a patch adds would.
 */
struct flb_extra {
	uint64_t ns;
	uint64_t loops;
};
/* The job's extra work per operation. */
const struct flb_extra *flb_job_extra(const struct flb_job *job);
/* Spin for ns nanoseconds of wall time (real CPU work). */
void flb_spin_ns(uint64_t ns);
/* Run n iterations of the multiply-add chain (not optimised away). */
void flb_spin_loops(uint64_t n);
static inline void flb_extra_work(const struct flb_extra *x)
{
	if (x->ns)
		flb_spin_ns(x->ns);
	if (x->loops)
		flb_spin_loops(x->loops);
}

/* True once the user asked the run to stop (SIGINT/SIGTERM). */
bool flb_job_stopping(const struct flb_job *job);

/*
 * An extra metric of the current sample (latency percentiles, GB/s ...),
 * stored beside ns/op and ops/s. Call from ->run or ->presample. Returns
 * 0 or -1 when the per-sample table is full (FLB_MAX_METRICS).
 */
int flb_job_metric(struct flb_job *job, const char *name, double value,
		  const char *unit, enum flb_better better);

/* The registry: NULL-terminated, in bench/workloads.def order. */
extern const struct flb_workload *const flb_workloads[];
const struct flb_workload *flb_workload_find(const char *name);
/* The metric compare tests for workload name (ns_per_op when unknown). */
const char *flb_workload_primary(const char *name);
/*
 * The parameters of a job as a result class, as patch mails show them
 * ("Clients: 100 Ratio: 1:5"): those of params (the canonical "k=v ..."
 * text a run stores) whose value is not the workload's default, and the
 * placement when it is not spread; "" when all are defaults. For an
 * unknown workload, every pair.
 */
void flb_params_class(const char *name, const char *params, char *buf,
		     size_t len);
/*
 * Where a helper program (an entry of ->helpers) is, into path:
 * $FLUSHBENCH_<NAME> when set (NAME: its file name in capitals, '-' as
 * '_', e.g. FLUSHBENCH_KV_SERVER); else the program beside flushbench
 * (where guests carry it); else where make builds it, below flushbench's
 * directory, or below $FLUSHBENCH_TOP (the tree, for programs other than
 * flushbench). 0 when it is executable; -1 with the last place tried.
 */
int flb_helper_path(const char *helper, char *path, size_t len);
/* Both, for analysis (lib/result.h). */
extern const struct flb_catalog flb_workload_catalog;

#endif
