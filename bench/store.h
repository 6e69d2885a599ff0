/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The results store: the only user of SQLite. Schema (versioned, created
 * and migrated here) is documented in docs/schema.md.
 *
 * Writers commit each sample in its own transaction, so a run killed
 * midway keeps every finished sample; a run left 'running' by a process
 * that is gone is marked 'aborted' by the next writer that opens the store
 * (readers report it as aborted without writing).
 */
#ifndef FLB_STORE_H
#define FLB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "env.h"
#include "result.h"

#define FLB_SCHEMA_VERSION 4
/* A run's uuid as text: 8-4-4-4-12 hex digits and the NUL. */
#define FLB_UUID_LEN 37

struct flb_store;

enum flb_store_mode { FLB_STORE_RO, FLB_STORE_RW };

/*
 * Open path. RW creates or migrates the schema; RO requires an existing
 * store of this schema version and never writes. 0, or -1 with err
 * ("results.db: file is not a database", "results.db: schema version 7 is
 * newer than this flushbench (1)", ...); a refused file is left untouched.
 * A store is used by one thread; a forked child opens its own.
 */
int flb_store_open(const char *path, enum flb_store_mode mode,
		  struct flb_store **out, char *err, size_t len);
void flb_store_close(struct flb_store *st);
/* The last error message of this store. */
const char *flb_store_error(const struct flb_store *st);

/*
 * What the last error was, when the store itself cannot take writes: its
 * file system is full (SQLITE_FULL, ENOSPC, EDQUOT) or it is read-only
 * (SQLITE_READONLY, EROFS, EACCES). Its message then starts with
 * "results store full: " or "results store read-only: " and says what to
 * do; a writer should stop, as every later write would fail the same way.
 */
enum flb_store_fault {
	FLB_STORE_NO_FAULT,	/* any other error, or none */
	FLB_STORE_FULL,
	FLB_STORE_READONLY,
};
enum flb_store_fault flb_store_fault(const struct flb_store *st);

/*
 * --- writing a run ---
 * Each call is one transaction of its own. Ids are > 0; -1 is an error.
 * label may be NULL (no label); env may be NULL.
 */
int64_t flb_store_run_begin(struct flb_store *st, const char *label,
			   const char *config_path, const char *config_text,
			   const char *config_hash, const struct flb_env *env);
int flb_store_env_put(struct flb_store *st, int64_t run, const char *key,
		     const char *value);
int flb_store_unsupported(struct flb_store *st, int64_t run, const char *event,
			 const char *why);

struct flb_sample_rec {
	unsigned int job;		/* index of the job in the run */
	const char *workload;
	const char *params;		/* canonical "k=v k=v" */
	unsigned int seq;		/* sample number, warm-up excluded */
	enum flb_status status;
	const char *reason;		/* NULL or "" for plain ok */
	uint64_t ops;
	uint64_t elapsed_ns;
	const char *cpus;		/* CPUs the tasks ran on: "0,1" */
	/*
	 * A counting sample (kind 'counting'): its counters are stored, its
	 * time and metrics are not measurements (perf events were on), so
	 * ns_per_op and ops_per_sec stay NULL and sample_values leaves them.
	 */
	bool counting;
	size_t ncounters;
	const char *const *counter_names;
	const double *counter_values;
	size_t nmetrics;
	const struct flb_metric *metrics;
};

/*
 * Store one sample (with counters and metrics) in one transaction; the run
 * must still be running. Counter and metric values must be finite.
 */
int64_t flb_store_sample_add(struct flb_store *st, int64_t run,
			    const struct flb_sample_rec *s);
/* status: "complete", "aborted" or "failed" */
int flb_store_run_end(struct flb_store *st, int64_t run, const char *status);

/* --- reading --- */
struct flb_run_row {
	int64_t id;
	char label[128];
	char status[16];	/* stale 'running' reads as 'aborted' */
	char started_at[32];
	char ended_at[32];
	char config_hash[80];
	char host[256];
	char boot_id[64];
	char invocation[80];	/* environment run.invocation, or "" */
	char uuid[FLB_UUID_LEN];	/* the same in every store it is imported to */
	long nsamples;
};

/*
 * Runs named by spec: a label (all its runs), or a run id ("12" or "#12";
 * a label "12" wins over run 12, "#12" is always the id). NULL spec: every
 * run. Ordered by id. *rows is malloc'd. 0, or -1 with the store error
 * (an unknown label or id is an error: "no run with label or id 'X'").
 */
int flb_store_runs(struct flb_store *st, const char *spec,
		  struct flb_run_row **rows, size_t *n);

/* One stored value: a metric of one ok sample. */
struct flb_value {
	int64_t run;
	int64_t sample;
	const char *workload;
	const char *params;
	const char *metric;	/* "ns_per_op", "ops_per_sec", "<counter>/op", metric name */
	const char *unit;
	enum flb_better better;
	double value;
	double elapsed_ns;	/* of the sample */
};

/*
 * Call fn for each value of the ok samples of the given runs (run by run,
 * then by sample id and metric name). The strings of v live until fn
 * returns. fn != 0 stops the walk and is returned; else 0, or -1 with the
 * store error.
 */
int flb_store_values(struct flb_store *st, const int64_t *runs, size_t nruns,
		    int (*fn)(void *arg, const struct flb_value *v), void *arg);
/* A timed ok sample of a run, for paired (duet) analysis: its job and window. */
struct flb_timed {
	int64_t run;
	unsigned int job, seq;
	const char *workload, *params;
	double ns_per_op;
};

/*
 * Call fn for each timed ok sample of run with ns_per_op, by job then seq
 * (the strings live until fn returns). fn != 0 stops the walk and is
 * returned; else 0, or -1 with the store error. A version 1 or 2 store
 * has only timed samples.
 */
int flb_store_timed(struct flb_store *st, int64_t run,
		   int (*fn)(void *arg, const struct flb_timed *t), void *arg);
/* A job of a run with samples that are not ok: skipped or failed. */
struct flb_not_ok {
	int64_t run;
	unsigned int job, samples;
	const char *workload, *params, *status, *reason;
};

/*
 * Call fn for each job and status of run's samples that are not ok (the
 * count, and one reason). fn != 0 stops the walk and is returned; else 0,
 * or -1 with the store error.
 */
int flb_store_not_ok(struct flb_store *st, int64_t run,
		     int (*fn)(void *arg, const struct flb_not_ok *t), void *arg);
/*
 * The stored environment of a run (keys sorted) into env, which is
 * overwritten (free it with flb_env_free). 0, or -1 (unknown run).
 */
int flb_store_env(struct flb_store *st, int64_t run, struct flb_env *env);
/* The config text a run was made from. malloc'd, or NULL. */
char *flb_store_run_config(struct flb_store *st, int64_t run);

/*
 * --- calibration: variance components of rows, per host and config ---
 * Written by `flushbench calibrate`, read by compare, ci and plan. The
 * run statistic is the median of the log values of one run's samples;
 * runs of one `flushbench run` command form an invocation.
 */
struct flb_calib {
	const char *workload, *params, *metric;
	const char *label;		/* the label it was measured on */
	const char *created_at;		/* ignored by flb_store_calib_put */
	long runs, invocations, boots;
	double samples_per_run;		/* m, the mean over the runs */
	double run_var;			/* between runs of one invocation; NAN */
	double inv_var;			/* between invocations, beyond; NAN */
	double within_var;		/* of log values within a run; NAN */
	double boot_var;		/* between boots; NAN: one boot */
	double sample_seconds;		/* median length of a sample */
	double median;			/* of the values */
};
/*
 * Store the rows of one calibration of host and config_hash in one
 * transaction, replacing earlier ones of the same (host, config, row).
 * 0, or -1 with the store error and nothing written.
 */
int flb_store_calib_put(struct flb_store *st, const char *host,
		       const char *config_hash, const struct flb_calib *rows,
		       size_t n);
/*
 * Call fn for each stored calibration row of host and config_hash (the
 * strings live until fn returns). A store of schema version 1 has none.
 * fn != 0 stops the walk and is returned; else 0, or -1 on error.
 */
int flb_store_calib_get(struct flb_store *st, const char *host,
		       const char *config_hash,
		       int (*fn)(void *arg, const struct flb_calib *c),
		       void *arg);

/* --- whole stores --- */

/*
 * Copy every run of the flushbench database src_path (e.g. one a guest
 * wrote) into st in one transaction, with its environment, samples,
 * counters, metrics and unsupported events; origin becomes 'imported'.
 * A run that is not complete in the source keeps 'failed', or else comes
 * in as 'aborted': never as complete. label (if not NULL) replaces the
 * source labels; extra's keys are added to (or replace) each run's
 * environment. A run is known by its uuid: one already in st is not
 * copied again (importing a store twice is a no-op); *runs (malloc'd)
 * gets each source run's id in st, in source order, and *present (if not
 * NULL) how many of them were there already. The source is opened
 * read-only and never written. 0, or -1 with the store error and nothing
 * imported.
 */
int flb_store_import(struct flb_store *st, const char *src_path,
		    const char *label, const struct flb_env *extra,
		    int64_t **runs, size_t *n, size_t *present);
/* PRAGMA integrity_check: 0 if the file is sound, else -1 and why. */
int flb_store_check(struct flb_store *st);

#endif
