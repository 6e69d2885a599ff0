/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `flushbench run` inside: bench/runner.c runs jobs, each in a worker
 * process of its own (flushbench-worker, bench/worker.c), as one run;
 * bench/rounds.c runs --repeat rounds, each a run of its own whose jobs
 * it has the runner run in a shuffled order. What they share is here.
 */
#ifndef FLB_RUN_H
#define FLB_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "env.h"
#include "store.h"

struct flb_run_opts {
	const char *config, *db, *label;
	const char *const *only;	/* --only workloads, as given */
	size_t nonly;
	bool quiet;
	unsigned int rounds;		/* 0: one run, in this process */
	uint64_t seed;			/* of the rounds' shuffle */
	bool seeded;			/* --seed given (else a fresh one) */
	const char *argv0;		/* our name, as typed */
};

/* The program each job runs in (bench/worker.c, bench/module.mk). */
#define FLB_WORKER_NAME "flushbench-worker"

/*
 * Where it is: $FLUSHBENCH_WORKER, else beside this program, else in the
 * build/ directory beside it. 0, or -1 with the places tried in path.
 */
int flb_run_worker_path(char *path, size_t len);

/* One row of the summary: a job in one run, or over the rounds. */
struct flb_summary_row {
	char *what;		/* the parameters that differ from the defaults */
	const char *status;	/* ok, skip, fail, untrustworthy; NULL: not run */
	unsigned int n;		/* ok samples; over rounds: runs with a median */
	double median, ops_s;	/* ns/op; over rounds: median of run medians */
	double cv;		/* %, within a run; over rounds: their median */
	double run_cv;		/* over rounds: % CV of the run medians, <0: none */
	char reason[256];	/* the last reason a sample was not plainly ok */
};

/* The parameters of js that differ from the workload's defaults (malloc'd). */
char *flb_run_what(const struct flb_jobspec *js);
/* SIGINT and SIGTERM set flb_stop_requested (no SA_RESTART: calls see EINTR). */
void flb_run_catch_stop(void);
/*
 * End a run as every run ends: ended_at, then aborted (stop requested),
 * failed (errors: the store failed) or complete; returns that status.
 */
const char *flb_run_end(struct flb_store *st, int64_t run, int errors);
/* The table that ends a run; rounds: a runs column and the run-to-run CV. */
void flb_run_summary(const struct flb_suite *s, const struct flb_summary_row *rows,
		    bool rounds);

/* The runner of bench/runner.c, as rounds drive it. */
struct flb_runner;
/*
 * Has its store failed for good (full or read-only, said once on stderr)?
 * Then nothing more is run: every sample would be lost.
 */
bool flb_runner_store_lost(const struct flb_runner *r);
/*
 * Job ji of the suite into run, in a fresh worker, its summary row into
 * row (row->what malloc'd); round, pos (its place in the round's order),
 * done and total (samples) for the progress line. The store errors met.
 */
int flb_runner_job(struct flb_runner *r, int64_t run, size_t ji,
		   unsigned int round, size_t pos, size_t done, size_t total,
		   struct flb_summary_row *rows);

/*
 * Rounds (bench/rounds.c): o->rounds runs of the suite s into st, each with
 * env plus repeat.*, each job of a round in a fresh worker process (r), in
 * an order shuffled per round from o->seed; then the summary. Returns the
 * exit status.
 */
int flb_rounds_run(const struct flb_run_opts *o, const struct flb_suite *s,
		  struct flb_store *st, struct flb_env *env,
		  struct flb_runner *r);

#endif
