// SPDX-License-Identifier: GPL-2.0
/*
 * fb-mkdb: write one synthetic run into a results database through the
 * store API, for the analysis tests. A fixed set of rows (fork, mprotect,
 * munmap at two sizes, with a page-faults counter and a latency metric)
 * with lognormal noise of a given CV, seeded, so every test database is
 * the same on every machine; --slow makes one row do more work per op.
 *
 * usage: fb-mkdb DB LABEL [--seed N] [--samples N] [--cv PCT]
 *        [--slow WORKLOAD/PARAMS=FACTOR]... [--env KEY=VALUE]...
 *        [--skip WORKLOAD]... [--status fail] [--runs N] [--run-cv PCT]
 *        [--copies N] [--sparse MEAN] [--config HASH]
 *        [--bad WORKLOAD/PARAMS=STATUS:K]...
 * --copies N repeats every row N times (params + " copy=i"), for big tables.
 * --sparse MEAN adds counters that are mostly 0 per op, as interrupts and
 * remote flushes are: irq:TLB with Poisson(MEAN) events per sample of
 * 1000 ops (times the row's --slow factor), irq:IWI always 0.
 * --run-cv gives each run of a row its own lognormal offset (run-to-run
 * variance that pooling the samples of runs would hide).
 * --config HASH stores the runs under that config hash (default
 * "synthetic"): calibrations are kept per host and config.
 * --bad W/P=STATUS:K stores the first K samples of that row (every one
 * when K is 0) as STATUS (skip, fail or untrustworthy), with a reason.
 */
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "env.h"
#include "store.h"

struct synth {
	const char *workload, *params;
	double ns_per_op;	/* median */
	double faults;		/* page faults per op */
	double factor;		/* --slow */
	bool skip;		/* --skip WORKLOAD */
	enum flb_status bad;	/* --bad: the status of its first nbad samples */
	unsigned long nbad;	/* ULONG_MAX: every sample */
};

static struct synth rows[] = {
	{ "fork", "rss=0 threads=0", 90000, 40, 1, false, FLB_OK, 0 },
	{ "fork", "rss=64M threads=0", 410000, 70, 1, false, FLB_OK, 0 },
	{ "mprotect", "npages=1 threads=0", 850, 0, 1, false, FLB_OK, 0 },
	{ "mprotect", "npages=64 threads=1", 5200, 0, 1, false, FLB_OK, 0 },
	{ "munmap", "size=2M threads=0", 31000, 512, 1, false, FLB_OK, 0 },
	{ "munmap", "size=64K threads=1", 4100, 16, 1, false, FLB_OK, 0 },
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))
#define MAXENV 32

/* The row "WORKLOAD/PARAMS=..." names (up to its last '='), or NROWS. */
static size_t row_of(const char *v, const char **eq)
{
	size_t k;

	*eq = strrchr(v, '=');
	for (k = 0; *eq && k < NROWS; k++) {
		size_t wl = strlen(rows[k].workload);

		if (!strncmp(v, rows[k].workload, wl) && v[wl] == '/' &&
		    strlen(rows[k].params) == (size_t)(*eq - v - wl - 1) &&
		    !strncmp(v + wl + 1, rows[k].params, *eq - v - wl - 1))
			break;
	}
	return k;
}

static int die(const char *what)
{
	fprintf(stderr, "fb-mkdb: %s\n", what);
	return 2;
}

int main(int argc, char **argv)
{
	unsigned long seed = 1, samples = 20, runs = 1, copies = 1;
	double cv = 0.01, run_cv = 0, sparse = -1;
	const char *status = "ok", *config = "synthetic";
	struct flb_kv kv[MAXENV];
	struct flb_env env = { kv, 0 };
	struct flb_store *st;
	char err[256];
	gsl_rng *rng;

	if (argc < 3)
		return die("usage: fb-mkdb DB LABEL [--seed N] [--samples N] [--cv PCT] [--slow W/P=F] [--env K=V] [--status fail] [--runs N]");
	for (int i = 3; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			return die("option without value");
		i++;
		if (!strcmp(o, "--seed")) {
			seed = strtoul(v, NULL, 10);
		} else if (!strcmp(o, "--samples")) {
			samples = strtoul(v, NULL, 10);
		} else if (!strcmp(o, "--copies")) {
			copies = strtoul(v, NULL, 10);
		} else if (!strcmp(o, "--runs")) {
			runs = strtoul(v, NULL, 10);
		} else if (!strcmp(o, "--run-cv")) {
			run_cv = atof(v) / 100;
		} else if (!strcmp(o, "--sparse")) {
			sparse = atof(v);
		} else if (!strcmp(o, "--cv")) {
			cv = atof(v) / 100;
		} else if (!strcmp(o, "--skip")) {
			for (size_t k = 0; k < NROWS; k++)
				rows[k].skip |= !strcmp(rows[k].workload, v);
		} else if (!strcmp(o, "--config")) {
			config = v;
		} else if (!strcmp(o, "--status")) {
			status = v;
		} else if (!strcmp(o, "--env")) {
			/* argv outlives the run: point into it */
			char *eq = strchr(argv[i], '=');

			if (!eq || env.n == MAXENV)
				return die("--env KEY=VALUE");
			*eq = 0;
			kv[env.n].key = argv[i];
			kv[env.n++].value = eq + 1;
		} else if (!strcmp(o, "--slow")) {
			const char *eq;
			size_t k = row_of(v, &eq);

			if (k == NROWS)
				return die("--slow: no such WORKLOAD/PARAMS row");
			rows[k].factor = atof(eq + 1);
		} else if (!strcmp(o, "--bad")) {
			const char *eq, *colon;
			size_t k = row_of(v, &eq);

			colon = eq ? strchr(eq, ':') : NULL;
			if (k == NROWS || !colon)
				return die("--bad: WORKLOAD/PARAMS=STATUS:K");
			rows[k].bad = !strncmp(eq + 1, "skip:", 5) ? FLB_SKIP :
				      !strncmp(eq + 1, "fail:", 5) ? FLB_FAIL :
				      !strncmp(eq + 1, "untrustworthy:", 14) ?
				      FLB_UNTRUSTWORTHY : FLB_OK;
			if (rows[k].bad == FLB_OK)
				return die("--bad: STATUS is skip, fail or untrustworthy");
			rows[k].nbad = strtoul(colon + 1, NULL, 10);
			if (!rows[k].nbad)
				rows[k].nbad = ULONG_MAX;
		} else {
			return die("unknown option");
		}
	}
	if (flb_store_open(argv[1], FLB_STORE_RW, &st, err, sizeof(err))) {
		fprintf(stderr, "fb-mkdb: %s: %s\n", argv[1], err);
		return 2;
	}
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, seed);
	for (unsigned long r = 0; r < runs; r++) {
		double offset[NROWS];
		int64_t run = flb_store_run_begin(st, argv[2], "synthetic.yaml",
						 "synthetic: true\n", config,
						 &env);

		if (run < 0) {
			fprintf(stderr, "fb-mkdb: %s\n", flb_store_error(st));
			return 2;
		}
		/* a run's own offset, shared by all its samples of a row */
		for (size_t k = 0; k < NROWS; k++)
			offset[k] = run_cv ? exp(gsl_ran_gaussian(rng, run_cv)) : 1;
		for (size_t k = 0; k < NROWS * copies; k++) {
			const struct synth *w = &rows[k % NROWS];
			char params[160];

			/* copy c > 0 of a row: the same job with " copy=c" */
			if (k < NROWS)
				snprintf(params, sizeof(params), "%s", w->params);
			else
				snprintf(params, sizeof(params), "%s copy=%zu",
					 w->params, k / NROWS);
			for (unsigned long s = 0; s < samples && !w->skip; s++) {
				const char *cnames[] = { "page-faults", "irq:TLB",
							 "irq:IWI" };
				double noise = exp(gsl_ran_gaussian(rng, cv));
				double ns = w->ns_per_op * w->factor *
					    offset[k % NROWS] * noise;
				double lat = ns * 1.5 * exp(gsl_ran_gaussian(rng, cv));
				double counts[] = {
					w->faults * 1000,
					sparse > 0 ? gsl_ran_poisson(rng, sparse * w->factor) : 0,
					0,
				};
				struct flb_metric m = { "p99_latency", "ns", lat,
						       FLB_LOWER_IS_BETTER };
				struct flb_sample_rec rec = {
					.job = k, .workload = w->workload,
					.params = params, .seq = s,
					.status = strcmp(status, "ok") ? FLB_FAIL : FLB_OK,
					.reason = strcmp(status, "ok") ? "synthetic failure" : NULL,
					.ops = 1000, .elapsed_ns = (uint64_t)llround(ns * 1000),
					.cpus = "0", .ncounters = sparse < 0 ? 1 : 3,
					.counter_names = cnames, .counter_values = counts,
					.nmetrics = 1, .metrics = &m,
				};

				if (s < w->nbad) {
					rec.status = w->bad;
					rec.reason = "synthetic bad sample";
				}
				if (flb_store_sample_add(st, run, &rec) < 0) {
					fprintf(stderr, "fb-mkdb: %s\n", flb_store_error(st));
					return 2;
				}
			}
		}
		flb_store_run_end(st, run, "complete");
	}
	gsl_rng_free(rng);
	flb_store_close(st);
	return 0;
}
