// SPDX-License-Identifier: GPL-2.0
/*
 * Monte Carlo test of compare's verdicts (analysis/verdict.c) on
 * generated tables: does a mark mean what it claims? Each table has 30
 * jobs (rows of the primary metric, ns/op) whose log values are
 *
 *   log v = mu_row + effect + u_inv + u_run + e_sample,
 *   u_inv ~ N(0, si_row^2) (between invocations of flushbench run),
 *   u_run ~ N(0, sb_row^2) (between runs of one invocation),
 *   e_sample ~ N(0, sw_row^2),
 *
 * as on a shared host, where runs differ far more than the samples of
 * one run, and runs of two invocations minutes apart more than runs of
 * one. Two noise scenarios: every row alike (invocation CV 1.5%, run CV
 * 2%, within-run 3%: the numbers of issue 9 and of the invocations
 * measured here) and rows unlike each other (invocation 0.5-3%, run 1-8%,
 * within-run 1-10%, log-uniform, one sample in 20 hit by a +50%
 * outlier). Designs, per side: 2, 3 and 5 invocations of 1 run (the
 * sides interleaved), 3 invocations of 3 runs, 1 invocation of 1 run and
 * of 3 runs with a calibration of 5 invocations x 2 runs, 10 samples a
 * run.
 *
 * Checked, with fixed seeds (the results are the same on every machine):
 *  - false alarms: the share of null tables (A/A) with any (I) or (R) is
 *    at most 5% + 3 Monte Carlo standard errors (N tables: sqrt(.05 .95
 *    / N); 2000 tables: 5% + 1.5%);
 *  - power: in each table, row 0 is moved by the minimum detectable
 *    effect compare printed for it in that table (the variance estimates,
 *    and so the MDE, do not move with a shift): it is marked (R) in at
 *    least 75% of the tables (the MDE claims 80%);
 *  - symmetry: the same noise moved slower and faster, by the MDE and by
 *    1%, is marked (R) and (I) at rates within 3 standard errors;
 *  - 1 invocation a side without a calibration (1 run, or 3 runs of one
 *    `--repeat 3`): nothing is ever marked.
 * The rates are printed, so the README can quote them.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "analysis/cmp.h"
#include "workload.h"

#define ROWS 30
#define SAMPLES 10
#define CAL_INV 5	/* the calibration: invocations of CAL_RUNS runs */
#define CAL_RUNS 2

struct scenario {
	const char *name;
	bool mixed;		/* rows unlike each other, with outliers */
};

struct design {
	const char *name;
	unsigned int inv, runs;	/* per side: invocations of runs each */
	bool calib;		/* with a calibration */
};

struct truth {
	double si[ROWS], sb[ROWS], sw[ROWS], mu[ROWS];
};

static void draw_truth(gsl_rng *rng, const struct scenario *sc,
		       struct truth *t)
{
	for (int i = 0; i < ROWS; i++) {
		t->mu[i] = log(1000.0 * (i + 1));
		if (sc->mixed) {
			t->si[i] = exp(log(0.005) + gsl_rng_uniform(rng) * log(6.0));
			t->sb[i] = exp(log(0.01) + gsl_rng_uniform(rng) * log(8.0));
			t->sw[i] = exp(log(0.01) + gsl_rng_uniform(rng) * log(10.0));
		} else {
			t->si[i] = 0.015;
			t->sb[i] = 0.02;
			t->sw[i] = 0.03;
		}
	}
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	return d;
}

/*
 * Start an empty two-set comparison of rows 0..ROWS-1: each side inv
 * invocations of runs runs (when inv is 1 and runs 1, or the runs are
 * not grouped, a run is its own invocation).
 */
static void table_init(struct flb_cmp *c, unsigned int inv, unsigned int per)
{
	unsigned int runs[2] = { inv * per, inv * per };
	int64_t id = 1;

	memset(c, 0, sizeof(*c));
	flb_cmp_defaults(&c->o, "test");
	c->nsets = 2;
	c->nrows = ROWS;
	c->rows = calloc(ROWS, sizeof(*c->rows));
	assert_non_null(c->rows);
	for (int s = 0; s < 2; s++) {
		c->set[s].spec = s ? "NEW" : "BASE";
		c->set[s].nruns = runs[s];
		c->set[s].runs = calloc(runs[s], sizeof(*c->set[s].runs));
		assert_non_null(c->set[s].runs);
		for (unsigned int r = 0; r < runs[s]; r++) {
			c->set[s].runs[r].id = id++;
			strcpy(c->set[s].runs[r].host, "mc");
			strcpy(c->set[s].runs[r].boot_id, "boot-1");
			snprintf(c->set[s].runs[r].invocation,
				 sizeof(c->set[s].runs[r].invocation),
				 "inv-%d-%u", s, r / per);
		}
	}
	for (int i = 0; i < ROWS; i++) {
		struct flb_row *r = &c->rows[i];
		char p[32];

		snprintf(p, sizeof(p), "npages=%d", i + 1);
		r->workload = xstrdup("mprotect");
		r->params = xstrdup(p);
		r->metric = xstrdup("ns_per_op");
		r->unit = xstrdup("ns");
		r->better = FLB_LOWER_IS_BETTER;
		for (int s = 0; s < 2; s++) {
			size_t n = (size_t)runs[s] * SAMPLES;

			r->side[s].v = malloc(n * sizeof(double));
			r->side[s].el = malloc(n * sizeof(double));
			r->side[s].run = malloc(n * sizeof(int64_t));
			assert_non_null(r->side[s].v);
			assert_non_null(r->side[s].el);
			assert_non_null(r->side[s].run);
			r->side[s].cap = n;
		}
	}
}

/* Fill side s of the table: effect[i] is row i's true log change. */
static void fill_side(gsl_rng *rng, const struct scenario *sc,
		      const struct truth *t, struct flb_cmp *c, int s,
		      const double *effect)
{
	for (int i = 0; i < ROWS; i++) {
		struct flb_vals *v = &c->rows[i].side[s];

		double inv = 0;

		v->n = 0;
		for (size_t r = 0; r < c->set[s].nruns; r++) {
			double u;

			/* a new invocation: its own offset */
			if (!r || strcmp(c->set[s].runs[r].invocation,
					 c->set[s].runs[r - 1].invocation))
				inv = gsl_ran_gaussian(rng, t->si[i]);
			u = inv + gsl_ran_gaussian(rng, t->sb[i]);

			for (int k = 0; k < SAMPLES; k++) {
				double e = gsl_ran_gaussian(rng, t->sw[i]);

				if (sc->mixed && gsl_rng_uniform(rng) < 0.05)
					e += log(1.5);
				v->v[v->n] = exp(t->mu[i] + (effect ? effect[i] : 0) + u + e);
				v->el[v->n] = 0.2e9;
				v->run[v->n++] = c->set[s].runs[r].id;
			}
		}
	}
}

/* The calibration of CAL_INV x CAL_RUNS A/A runs of the same truth. */
static void calibrate_into(gsl_rng *rng, const struct scenario *sc,
			   const struct truth *t, struct flb_cmp *dst)
{
	struct flb_calib *k;
	struct flb_cmp c;
	size_t n;

	table_init(&c, CAL_INV, CAL_RUNS);
	c.nsets = 1;
	fill_side(rng, sc, t, &c, 0, NULL);
	assert_int_equal(flb_cmp_analyse(&c), 0);
	assert_int_equal(flb_cmp_calibration(&c, &k, &n), 0);
	assert_int_equal(n, ROWS);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(flb_cmp_add_cal(dst, &k[i]), 0);
	dst->cal_host = "mc";
	dst->cal_config = "mc";
	free(k);
	flb_cmp_free(&c);
}

/* Row 0's primary row in c. */
static struct flb_row *row0(struct flb_cmp *c)
{
	for (size_t i = 0; i < c->nrows; i++)
		if (!strcmp(c->rows[i].params, "npages=1") &&
		    c->rows[i].role == FLB_ROLE_PRIMARY)
			return &c->rows[i];
	fail_msg("row 0 is missing");
	return NULL;
}

/*
 * Row 0's mark after its NEW values are moved by a true log change of
 * shift (the values of every other row, and row 0's noise, unchanged).
 */
static enum flb_mark shifted(struct flb_cmp *c, double shift)
{
	struct flb_vals *v = &row0(c)->side[FLB_NEW];
	enum flb_mark m;

	for (size_t i = 0; i < v->n; i++)
		v->v[i] *= exp(shift);
	assert_int_equal(flb_cmp_analyse(c), 0);
	m = row0(c)->mark;
	v = &row0(c)->side[FLB_NEW];
	for (size_t i = 0; i < v->n; i++)
		v->v[i] *= exp(-shift);
	return m;
}

struct tally {
	int n, any;		/* tables; with any mark under the null */
	int slow, fast;		/* row 0 marked at +MDE (R), -MDE (I) */
	int slow1, fast1;	/* row 0 marked at +1% (R), -1% (I) */
	double mde[2000];	/* row 0's MDE per table, percent */
};

/*
 * One table of the design: A/A first (any mark is a false alarm), then
 * row 0 moved by the MDE compare printed for it in this very table,
 * slower and faster, and by 1% either way. The variance estimates do not
 * move with a shift, so the MDE stays what was printed (checked).
 */
static void one_table(gsl_rng *rng, const struct scenario *sc,
		      const struct design *d, const struct truth *t,
		      struct tally *y)
{
	struct flb_cmp c;
	double mde, delta;

	table_init(&c, d->inv, d->runs);
	if (d->calib)
		calibrate_into(rng, sc, t, &c);
	fill_side(rng, sc, t, &c, 0, NULL);
	fill_side(rng, sc, t, &c, 1, NULL);
	assert_int_equal(flb_cmp_analyse(&c), 0);
	for (size_t i = 0; i < c.nrows; i++)
		if (c.rows[i].role == FLB_ROLE_PRIMARY &&
		    c.rows[i].mark != FLB_MARK_NONE) {
			y->any++;
			break;
		}
	mde = flb_row_mde_pct(row0(&c));
	y->mde[y->n++] = mde;
	if (!isnan(mde)) {
		delta = log1p(mde / 100);
		y->slow += shifted(&c, delta) == FLB_MARK_REGRESSED;
		assert_float_equal(flb_row_mde_pct(row0(&c)), mde, 1e-9 * mde);
		y->fast += shifted(&c, -delta) == FLB_MARK_IMPROVED;
		y->slow1 += shifted(&c, log(1.01)) == FLB_MARK_REGRESSED;
		y->fast1 += shifted(&c, -log(1.01)) == FLB_MARK_IMPROVED;
	}
	flb_cmp_free(&c);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* 3 Monte Carlo standard errors above 5% for n tables */
static double fa_bound(int n)
{
	return 0.05 + 3 * sqrt(0.05 * 0.95 / n);
}

/* Two rates of n tables each differ by more than 3 standard errors. */
static bool differ(int a, int b, int n)
{
	double pa = (double)a / n, pb = (double)b / n;

	return fabs(pa - pb) > 3 * sqrt((pa * (1 - pa) + pb * (1 - pb)) / n) + 1e-9;
}

static void run_design(const struct scenario *sc, const struct design *d,
		       unsigned long seed)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct tally *y = calloc(1, sizeof(*y));
	const int n = 2000;
	struct truth t;
	double fa, pw;

	assert_non_null(y);
	gsl_rng_set(rng, seed);
	draw_truth(rng, sc, &t);
	for (int k = 0; k < n; k++)
		one_table(rng, sc, d, &t, y);
	qsort(y->mde, n, sizeof(double), cmp_double);
	fa = (double)y->any / n;
	pw = (double)y->slow / n;
	print_message("# %-6s %-19s false tables %5.2f%% (bound %.2f%%); row 0 MDE %5.1f%% (median; 5-95%%: %.1f-%.1f%%), power there %5.1f%% slower %5.1f%% faster; 1%% change marked %4.1f%% slower %4.1f%% faster\n",
		      sc->name, d->name, fa * 100, fa_bound(n) * 100,
		      y->mde[n / 2], y->mde[n / 20], y->mde[n - n / 20 - 1],
		      pw * 100, 100.0 * y->fast / n, 100.0 * y->slow1 / n,
		      100.0 * y->fast1 / n);
	if (fa > fa_bound(n))
		fail_msg("%s, %s: %.2f%% of A/A tables have a mark (bound %.2f%%)",
			 sc->name, d->name, fa * 100, fa_bound(n) * 100);
	if (pw < 0.75)
		fail_msg("%s, %s: power at the printed MDE is %.1f%% (< 75%%)",
			 sc->name, d->name, pw * 100);
	if (differ(y->slow, y->fast, n) || differ(y->slow1, y->fast1, n))
		fail_msg("%s, %s: asymmetric: at the MDE %d slower vs %d faster marked, at 1%% %d vs %d",
			 sc->name, d->name, y->slow, y->fast, y->slow1, y->fast1);
	free(y);
	gsl_rng_free(rng);
}

static const struct scenario scenarios[] = {
	{ "alike", false },
	{ "unlike", true },
};

static const struct design designs[] = {
	{ "1 x 1 + calibration", 1, 1, true },
	{ "1 x 3 + calibration", 1, 3, true },
	{ "2 x 1", 2, 1, false },
	{ "3 x 1", 3, 1, false },
	{ "5 x 1", 5, 1, false },
	{ "3 x 3", 3, 3, false },
};

static void test_designs(void **state)
{
	unsigned long seed = 100;

	(void)state;
	for (size_t s = 0; s < sizeof(scenarios) / sizeof(*scenarios); s++)
		for (size_t d = 0; d < sizeof(designs) / sizeof(*designs); d++)
			run_design(&scenarios[s], &designs[d], seed++);
}

/*
 * One invocation a side and no calibration (one run, or three runs of one
 * --repeat 3): the variance between invocations is unknown, so nothing
 * may be marked, however large the change looks, and no MDE is claimed.
 */
static void test_one_invocation_no_calibration(void **state)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct truth t;

	(void)state;
	gsl_rng_set(rng, 7);
	draw_truth(rng, &scenarios[0], &t);
	for (int k = 0; k < 200; k++) {
		struct flb_cmp c;

		table_init(&c, 1, k % 2 ? 3 : 1);
		fill_side(rng, &scenarios[0], &t, &c, 0, NULL);
		fill_side(rng, &scenarios[0], &t, &c, 1, NULL);
		for (size_t i = 0; i < c.nrows; i++)
			for (size_t j = 0; j < c.rows[i].side[1].n; j++)
				c.rows[i].side[1].v[j] *= 1.5;
		assert_int_equal(flb_cmp_analyse(&c), 0);
		for (size_t i = 0; i < c.nrows; i++) {
			assert_int_equal(c.rows[i].mark, FLB_MARK_NONE);
			assert_false(c.rows[i].testable);
			assert_true(isnan(flb_row_mde_pct(&c.rows[i])));
		}
		flb_cmp_free(&c);
	}
	gsl_rng_free(rng);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_invocation_no_calibration),
		cmocka_unit_test(test_designs),
	};

	flb_cmp_set_catalog(&flb_workload_catalog);

	return cmocka_run_group_tests(tests, NULL, NULL);
}
