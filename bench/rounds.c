// SPDX-License-Identifier: GPL-2.0
/*
 * `flushbench run --repeat R`: randomized multiple interleaved trials
 * (Abedi & Brecht, "Conducting Repeatable Experiments in Highly Variable
 * Cloud Computing Environments", ICPE 2017). The suite runs R times; each
 * round is a run of its own in the store (same label, repeat.* in its
 * environment), its jobs in an order shuffled per round from one seed, so
 * that drift of the machine spreads over every job instead of biasing the
 * ones that come last. Each job of each round runs in a fresh worker
 * process (flushbench-worker, driven by bench/runner.c), so that what
 * differs from one process to the next (address space, heap, page-table
 * layout) shows as run-to-run variance, which `compare` accounts for,
 * instead of one process's luck passing for the machine's behaviour.
 */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "result.h"
#include "job.h"
#include "run.h"
#include "stats.h"

/* A job over the rounds. */
struct job_rounds {
	double *medians, *cvs;	/* of each run where it had ok samples */
	unsigned int nmedians;
	unsigned int nok, nskip, nfail, nuntrust;	/* runs by status */
	char reason[256];
};

struct rounds {
	const struct flb_run_opts *o;
	const struct flb_suite *s;
	struct flb_store *st;
	struct flb_runner *r;
	bool progress;
	size_t done, total;	/* samples over all rounds, for the ETA */
	uint64_t t0;		/* CLOCK_MONOTONIC ns at the start */
	int64_t *runs;		/* one per round begun */
	const char **ended;	/* how each ended */
	unsigned int nruns;
	struct job_rounds *jobs;
	struct flb_summary_row *rows;	/* a round's, one per job */
};

static uint64_t fresh_seed(void)
{
	uint64_t s;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) == sizeof(s))
		return s;
	return (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
}

/*
 * Round i's order: a Fisher-Yates shuffle (gsl_ran_shuffle) by mt19937
 * seeded from seed and i alone, so any round can be reproduced. mt19937
 * keeps 32 bits of its seed: splitmix64's finaliser mixes all 64 of seed
 * and the round into them.
 */
static void round_order(gsl_rng *rng, uint64_t seed, unsigned int round,
			size_t *order, size_t n)
{
	uint64_t z = seed + round * 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	gsl_rng_set(rng, (unsigned long)((z ^ (z >> 32)) & 0xffffffffu));
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	gsl_ran_shuffle(rng, order, n, sizeof(*order));
}

static void tally(struct job_rounds *j, const struct flb_summary_row *row)
{
	if (!strcmp(row->status, "ok"))
		j->nok++;
	else if (!strcmp(row->status, "skip"))
		j->nskip++;
	else if (!strcmp(row->status, "untrustworthy"))
		j->nuntrust++;
	else
		j->nfail++;
	if (row->n && row->median > 0) {
		j->medians[j->nmedians] = row->median;
		j->cvs[j->nmedians++] = row->cv;
	}
	if (row->reason[0])
		snprintf(j->reason, sizeof(j->reason), "%s", row->reason);
}

/* A job's row over the rounds: medians of the run medians and CVs. */
static void summarize(struct job_rounds *j, struct flb_summary_row *row)
{
	size_t n = j->nmedians;

	row->status = j->nfail ? "fail" : j->nuntrust ? "untrustworthy" :
		      j->nok ? "ok" : j->nskip ? "skip" : NULL;
	row->n = j->nmedians;
	row->run_cv = -1;
	snprintf(row->reason, sizeof(row->reason), "%s", j->reason);
	if (!n)
		return;
	row->median = flb_median(j->medians, n);
	row->ops_s = 1e9 / row->median;
	row->cv = flb_median(j->cvs, n);
	if (n > 1)
		row->run_cv = 100.0 * flb_cv(j->medians, n);
}

/* "runs 12-14 (label) complete in results.db": consecutive alike runs */
static void print_runs(const struct rounds *x)
{
	for (unsigned int i = 0, k; i < x->nruns; i = k + 1) {
		bool done = !strcmp(x->ended[i], "complete");

		for (k = i; k + 1 < x->nruns && x->runs[k + 1] == x->runs[k] + 1 &&
		     !strcmp(x->ended[k + 1], x->ended[i]); k++)
			;
		if (k == i)
			printf("run %" PRId64, x->runs[i]);
		else
			printf("runs %" PRId64 "-%" PRId64, x->runs[i], x->runs[k]);
		printf(" (%s) %s%s%s in %s\n", x->o->label,
		       done ? "complete" : "NOT complete (", done ? "" : x->ended[i],
		       done ? "" : ")", x->o->db);
	}
}

/* One round: a run of the suite, its jobs in order, each in a worker. */
static int run_round(struct rounds *x, struct flb_env *env, uint64_t seed,
		     const size_t *order)
{
	const struct flb_suite *s = x->s;
	char *text = calloc(s->njobs, 21);
	size_t w = 0;
	int64_t run;
	int errors = 0;

	for (size_t i = 0; text && i < s->njobs; i++)
		w += sprintf(text + w, "%s%zu", i ? "," : "", order[i]);
	if (!text || flb_env_set(env, "repeat.round", "%u", x->nruns + 1) ||
	    flb_env_set(env, "repeat.rounds", "%u", x->o->rounds) ||
	    flb_env_set(env, "repeat.seed", "%" PRIu64, seed) ||
	    flb_env_set(env, "repeat.order", "%s", text)) {
		fprintf(stderr, "flushbench run: out of memory\n");
		free(text);
		return -1;
	}
	run = flb_store_run_begin(x->st, x->o->label, x->o->config, s->resolved,
				 s->hash, env);
	if (run < 0) {
		fprintf(stderr, "flushbench run: %s\n", flb_store_error(x->st));
		free(text);
		return -1;
	}
	x->runs[x->nruns++] = run;
	if (!x->o->quiet)
		fprintf(stderr, "flushbench run: round %u/%u: run %" PRId64
			" '%s', %zu jobs in the order %s, into %s\n", x->nruns,
			x->o->rounds, run, x->o->label, s->njobs, text,
			x->o->db);
	free(text);
	for (size_t p = 0; p < s->njobs && !flb_stop_requested &&
	     !flb_runner_store_lost(x->r); p++) {
		size_t j = order[p];

		if (s->jobs[j].duet == 'b')
			continue;	/* it runs with its side a */
		memset(&x->rows[j], 0, sizeof(*x->rows) *
		       (s->jobs[j].duet == 'a' ? 2 : 1));
		errors += flb_runner_job(x->r, run, j, x->nruns, p, x->done,
					 x->total, x->rows);
		for (size_t k = j; k <= j + (s->jobs[j].duet == 'a'); k++) {
			tally(&x->jobs[k], &x->rows[k]);
			free(x->rows[k].what);
			x->done += s->jobs[k].set.samples;
		}
	}
	x->ended[x->nruns - 1] = flb_run_end(x->st, run, errors);
	return 0;
}

int flb_rounds_run(const struct flb_run_opts *o, const struct flb_suite *s,
		  struct flb_store *st, struct flb_env *env, struct flb_runner *r)
{
	struct rounds x = { .o = o, .s = s, .st = st, .r = r };
	uint64_t seed = o->seeded ? o->seed : fresh_seed();
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	size_t *order = calloc(s->njobs, sizeof(*order));
	double *vals = calloc(2 * s->njobs * o->rounds, sizeof(double));
	struct flb_summary_row *rows = calloc(s->njobs, sizeof(*rows));
	unsigned int failed_jobs = 0;
	bool broken = false;
	struct timespec t;
	int ret = FLB_EXIT_FAIL;

	x.runs = calloc(o->rounds, sizeof(*x.runs));
	x.ended = calloc(o->rounds, sizeof(*x.ended));
	x.jobs = calloc(s->njobs, sizeof(*x.jobs));
	x.rows = calloc(s->njobs, sizeof(*x.rows));
	if (!rng || !order || !vals || !rows || !x.runs || !x.ended || !x.jobs ||
	    !x.rows) {
		fprintf(stderr, "flushbench run: out of memory\n");
		ret = FLB_EXIT_USAGE;
		goto out;
	}
	for (size_t i = 0; i < s->njobs; i++) {
		x.jobs[i].medians = vals + 2 * i * o->rounds;
		x.jobs[i].cvs = x.jobs[i].medians + o->rounds;
		x.total += s->jobs[i].set.samples * o->rounds;
	}
	printf("flushbench run: %u round%s, seed %" PRIu64 "\n", o->rounds,
	       o->rounds > 1 ? "s" : "", seed);
	fflush(stdout);
	x.progress = !o->quiet && isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &t);
	x.t0 = (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
	flb_run_catch_stop();
	for (unsigned int i = 1; i <= o->rounds && !flb_stop_requested &&
	     !flb_runner_store_lost(r); i++) {
		round_order(rng, seed, i, order, s->njobs);
		if (run_round(&x, env, seed, order)) {
			broken = true;
			break;
		}
	}
	if (x.progress)
		fprintf(stderr, "\r\033[K");
	if (!x.nruns) {
		ret = FLB_EXIT_USAGE;	/* as a single run that cannot begin */
		goto out;
	}
	if (flb_stop_requested)
		fprintf(stderr, "flushbench run: interrupted; run %" PRId64
			" kept its finished samples and is marked aborted; no "
			"further round\n", x.runs[x.nruns - 1]);
	for (size_t i = 0; i < s->njobs; i++) {
		summarize(&x.jobs[i], &rows[i]);
		rows[i].what = flb_run_what(&s->jobs[i]);
		failed_jobs += x.jobs[i].nfail > 0;
	}
	flb_run_summary(s, rows, true);
	print_runs(&x);
	if (failed_jobs)
		printf("%u job(s) FAILED: a wrong result is a bug, not a fast "
		       "sample (see the reasons above)\n", failed_jobs);
	ret = broken || failed_jobs ? FLB_EXIT_FAIL : FLB_EXIT_OK;
	for (unsigned int i = 0; i < x.nruns; i++)
		if (strcmp(x.ended[i], "complete"))
			ret = FLB_EXIT_FAIL;	/* aborted or failed */
out:
	for (size_t i = 0; rows && i < s->njobs; i++)
		free(rows[i].what);
	free(rows);
	free(x.jobs);
	free(x.rows);
	free(x.ended);
	free(x.runs);
	free(vals);
	free(order);
	gsl_rng_free(rng);
	return ret;
}
