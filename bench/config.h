/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Suites: a YAML file of jobs, validated in full before anything runs.
 *
 *   samples: 5            # suite-level job settings, overridable per job
 *   warmup: 1
 *   duration: 100ms       # per sample (ops calibrated in warm-up), or ops: N
 *   placement: spread
 *   repeat: 3             # suite only: rounds, each a run (bench/rounds.c)
 *   counters:
 *     events: [task-clock, page-faults, tlb:tlb_flush]
 *     arm64: [L1D_TLB_REFILL]
 *     mode: separate      # counting samples apart from the timed ones
 *     every: 5            # one counting sample per 5 timed (or: inline)
 *   jobs:
 *     - workload: fork
 *       rss: [0, 64M]       # a list sweeps: one job per value (cartesian)
 *
 * Every message carries file:line:column.
 */
#ifndef FLB_CONFIG_H
#define FLB_CONFIG_H

#include <stdio.h>

#include "counters.h"
#include "options.h"
#include "pin.h"
#include "workload.h"

#define FLB_MAX_CPUS 256
#define FLB_MAX_EVENTS 64

/* Settings every job has, whatever its workload (see flb_job_options). */
struct flb_job_settings {
	uint64_t samples;
	uint64_t warmup;
	uint64_t duration_ns;	/* target time per sample (ops calibrated) */
	uint64_t ops;		/* fixed ops per sample; 0: calibrate */
	uint64_t extra_work_ns;	/* extra wall time spun per op (0: none) */
	uint64_t extra_work_loops; /* extra CPU work per op, in loops */
	int placement;		/* enum flb_placement */
	int ncpus;		/* explicit list for FLB_PLACE_CPUS */
	int cpus[FLB_MAX_CPUS];
};

/*
 * How counters are taken (the suite's `counters:` mapping, docs/counters.md).
 * separate: timed samples run with no perf event open; ceil(samples/every)
 * extra counting samples, spread among them, carry the counters (perf
 * events attached to the worker's tasks for that sample only) and no time.
 * inline: the events are attached before setup and count every timed
 * sample, children inheriting them: what flushbench did before.
 */
enum flb_count_mode { FLB_COUNT_SEPARATE, FLB_COUNT_INLINE };

struct flb_count_settings {
	int scope;		/* enum flb_counter_scope */
	int mode;		/* enum flb_count_mode */
	uint64_t every;		/* separate: timed samples per counting one */
};

/* Settings of the whole suite, top level only (see flb_suite_options). */
struct flb_suite_settings {
	uint64_t repeat;	/* rounds of the suite, each one run */
};

struct flb_jobspec {
	const struct flb_workload *wl;
	void *params;			/* wl->params_size bytes */
	struct flb_job_settings set;
	char *params_text;		/* identity: "rss=64M threads=0 placement=spread" */
	unsigned int ntasks;
	int *cpus;			/* one per task (-1 unbound) */
	char skip[256];			/* impossible placement with `impossible: skip` */
	/*
	 * A native duet (`duet: {KEY: [A, B]}`, docs/duet.md): side 'a' is
	 * this job and side 'b' the next one, the same job but for KEY; 0
	 * for a plain job. duet_alternate: the two sides cannot have CPUs of
	 * their own here, so they share the placement and take turns, window
	 * by window (ABAB); else each has its half (cpus), swapped in even
	 * rounds of --repeat.
	 */
	char duet;
	bool duet_alternate;
	const struct flb_option *duet_setting;	/* the duet's key, a job setting */
	int line, col;
};

struct flb_suite {
	char *path;
	char *resolved;			/* the fully resolved suite, as text */
	char hash[17];			/* FNV-1a 64 of resolved, hex */
	struct flb_jobspec *jobs;
	size_t njobs;
	char *events[FLB_MAX_EVENTS];	/* for this machine's architecture */
	size_t nevents;
	struct flb_count_settings count;
	/* not in resolved or hash: every round is a run of the same suite */
	struct flb_suite_settings set;
};

extern const struct flb_option flb_job_options[];
extern const struct flb_option flb_suite_options[];
extern const struct flb_option flb_count_options[];

/* Counting samples a job of `samples` timed ones gets (0: inline or none). */
uint64_t flb_counting_samples(const struct flb_suite *s, uint64_t samples);

/*
 * Set before flb_config_load: a job whose placement is impossible here is
 * a skip row whatever the suite's `impossible:` says (a duet's guest,
 * whose vCPUs are the duet's choice: `flushbench run --sync`).
 */
extern bool flb_config_impossible_skip;

/*
 * Load and validate path; only jobs of the workloads in only[] (NULL: all).
 * On error print "file:line:col: message" lines to err and return -1.
 */
int flb_config_load(const char *path, const char *const *only, size_t nonly,
		   struct flb_suite *suite, FILE *err);
void flb_config_free(struct flb_suite *suite);

#endif
