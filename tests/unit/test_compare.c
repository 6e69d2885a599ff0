// SPDX-License-Identifier: GPL-2.0
/*
 * The comparison engine (analysis/cmp.c) on rows built in memory, no
 * database: a row's improvement, its interval and its p-value must agree
 * with each other, above all for counts per op that are often 0 (irq:TLB/op,
 * remote_send_ipi/op), where the estimate is a shift on the raw scale.
 * Checked for both directions (lower and higher is better), with one and
 * with several runs per side (the run-to-run correction widens the
 * interval), with the Hodges-Lehmann and the bootstrap interval.
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

#define MAXN 64

/* One row: BASE x (runs xr) against NEW y (runs yr), analysed. */
static void analyse_row(struct fb_cmp *c, enum fb_better better,
			enum fb_ci_method ci, const double *x,
			const int64_t *xr, size_t nx, const double *y,
			const int64_t *yr, size_t ny)
{
	struct fb_row *r;
	const double *v[2] = { x, y };
	const int64_t *run[2] = { xr, yr };
	size_t n[2] = { nx, ny };

	memset(c, 0, sizeof(*c));
	fb_cmp_defaults(&c->o, "test");
	c->o.ci = ci;
	c->o.nboot = 500;
	c->nsets = 2;
	c->nrows = 1;
	c->rows = r = calloc(1, sizeof(*r));
	assert_non_null(r);
	r->workload = strdup("mprotect");
	r->params = strdup("npages=16");
	r->metric = strdup(better == FB_LOWER_IS_BETTER ? "irq:TLB/op" : "tput");
	r->unit = strdup("events/op");
	r->better = better;
	for (int s = 0; s < 2; s++) {
		r->side[s].v = malloc(n[s] * sizeof(double));
		r->side[s].run = malloc(n[s] * sizeof(int64_t));
		assert_non_null(r->side[s].v);
		assert_non_null(r->side[s].run);
		memcpy(r->side[s].v, v[s], n[s] * sizeof(double));
		for (size_t i = 0; i < n[s]; i++)
			r->side[s].run[i] = run[s] ? run[s][i] : s + 1;
		r->side[s].n = r->side[s].cap = n[s];
	}
	assert_int_equal(fb_cmp_analyse(c), 0);
}

static int sign(double v)
{
	return (v > 0) - (v < 0);
}

/*
 * What a reader of one table line must be able to rely on: the estimate
 * lies in its interval; improvement and change point the same way (the
 * opposite way when lower is better); an interval that excludes "no
 * change" comes with p <= 1 - conf (the interval inverts the test); the
 * row is marked only in the direction of its estimate.
 */
static void check_consistent(const struct fb_cmp *c, bool hl)
{
	const struct fb_row *r = &c->rows[0];
	double imp, lo, hi, chg;
	int s = r->better == FB_HIGHER_IS_BETTER ? 1 : -1;

	if (!r->have_ratio) {
		assert_true(r->sum[FB_BASE].median == 0);
		return;
	}
	imp = fb_row_improvement(r);
	chg = fb_row_change(r);
	fb_row_improvement_ci(r, &lo, &hi);
	/* an end is infinite only when no change can be rejected (k = 0) */
	if (!(isfinite(imp) && !isnan(lo) && !isnan(hi) &&
	      (isfinite(lo) || r->r.achieved == 1) &&
	      (isfinite(hi) || r->r.achieved == 1) &&
	      lo <= imp + 1e-9 && imp <= hi + 1e-9))
		fail_msg("improvement %g%% outside its interval [%g%%, %g%%] (ratio %g [%g, %g], medians %g -> %g)",
			 imp, lo, hi, r->r.est, r->r.lo, r->r.hi,
			 r->sum[0].median, r->sum[1].median);
	assert_true(r->r.lo <= r->r.est && r->r.est <= r->r.hi);
	if (sign(imp) != s * sign(chg))
		fail_msg("improvement %g%% against a change of %g%% (%s is better)",
			 imp, chg, s > 0 ? "higher" : "lower");
	if (hl && (lo > 0 || hi < 0) && r->p > 1 - c->o.conf)
		fail_msg("interval [%g%%, %g%%] excludes 0 but p = %g",
			 lo, hi, r->p);
	/*
	 * Marked rows: p is significant, so a Hodges-Lehmann interval does
	 * not reach past 0 (with ties its end can be 0 itself: the test
	 * splits tied pairs, the interval's order statistics cannot).
	 */
	if (hl && ((r->mark == FB_MARK_IMPROVED && !(imp > 0 && lo >= 0)) ||
	    (r->mark == FB_MARK_REGRESSED && !(imp < 0 && hi <= 0))))
		fail_msg("marked %s with %g%% [%g%%, %g%%], p %g (pooled %g), n %zu/%zu, medians %g -> %g",
			 r->mark == FB_MARK_IMPROVED ? "(I)" : "(R)", imp, lo, hi,
			 r->p, r->p_pooled, r->side[0].n, r->side[1].n,
			 r->sum[0].median, r->sum[1].median);
}

/* Counts per op: Poisson(lambda) events over 1000 ops, so mostly 0..3/1000. */
static void counts(gsl_rng *rng, double *v, size_t n, double lambda)
{
	for (size_t i = 0; i < n; i++)
		v[i] = gsl_ran_poisson(rng, lambda) / 1000.0;
}

/*
 * Many random rows of sparse counts, every one consistent: case c picks
 * the rate, the factor NEW/BASE, the size, the direction, one or three
 * runs a side and the interval method.
 */
static void test_sparse_counts_consistent(void **state)
{
	static const double lambda[] = { 0.8, 1.5, 4 };
	static const double factor[] = { 0.3, 0.7, 1, 1.5, 3 };
	static const size_t sizes[] = { 6, 12, 25 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double x[MAXN], y[MAXN];
	int64_t xr[MAXN], yr[MAXN];
	int ncases = 3 * 5 * 3 * 2 * 2 * 2;

	(void)state;
	gsl_rng_set(rng, 42);
	for (int c = 0; c < 8 * ncases; c++) {
		double l = lambda[c % 3], f = factor[c / 3 % 5];
		size_t n = sizes[c / 15 % 3];
		bool higher = c / 45 % 2, boot = c / 90 % 2;
		int runs = c / 180 % 2 ? 3 : 1;
		struct fb_cmp cmp;

		counts(rng, x, n, l);
		counts(rng, y, n, l * f);
		for (size_t i = 0; i < n; i++) {
			xr[i] = 10 + i % runs;
			yr[i] = 20 + i % runs;
		}
		analyse_row(&cmp, higher ? FB_HIGHER_IS_BETTER : FB_LOWER_IS_BETTER,
			    boot ? FB_CI_BOOTSTRAP : FB_CI_HL, x, xr, n, y, yr, n);
		check_consistent(&cmp, !boot);
		fb_cmp_free(&cmp);
	}
	print_message("# %d rows of sparse counts consistent\n", 8 * ncases);
	gsl_rng_free(rng);
}

/*
 * A count per op that halves, with many zeros (the 0.000148 -> 0.000123
 * irq rows of a real run, scaled): lower is better, so the improvement is
 * positive, inside its interval, and points the way of the medians.
 */
static void test_sparse_halved(void **state)
{
	double x[] = { 3, 0, 2, 4, 1, 2, 0, 3, 2, 5, 1, 2, 3, 0, 2, 4 };
	double y[] = { 1, 0, 0, 2, 1, 0, 1, 0, 2, 1, 0, 1, 3, 0, 1, 1 };
	size_t n = sizeof(x) / sizeof(*x);
	struct fb_cmp c;
	double imp, lo, hi, mr;

	(void)state;
	for (size_t i = 0; i < n; i++)
		x[i] /= 10000, y[i] /= 10000;
	for (int better = 0; better < 2; better++) {
		analyse_row(&c, better ? FB_HIGHER_IS_BETTER : FB_LOWER_IS_BETTER,
			    FB_CI_HL, x, NULL, n, y, NULL, n);
		check_consistent(&c, true);
		imp = fb_row_improvement(&c.rows[0]);
		fb_row_improvement_ci(&c.rows[0], &lo, &hi);
		mr = c.rows[0].sum[1].median / c.rows[0].sum[0].median;
		assert_true(mr < 1);
		/* fewer events: better when lower is better, worse otherwise */
		assert_int_equal(sign(imp), better ? -1 : 1);
		assert_true(better ? hi <= 0 : lo >= 0);
		assert_true(c.rows[0].p < 0.05);
		fb_cmp_free(&c);
	}
}

/*
 * NEW mostly 0, BASE mostly 1: the shift is about -1 BASE median, and
 * its interval reaches beyond -100% of it: a ratio NEW/BASE at or below
 * 0, which has no reciprocal. The estimate must still be inside.
 */
static void test_shift_beyond_base(void **state)
{
	double x[] = { 1, 1, 0, 1, 2, 1, 1, 0, 3, 1 };
	double y[] = { 0, 0, 1, 0, 0, 0, 2, 0, 0, 1 };
	struct fb_cmp c;

	(void)state;
	for (int better = 0; better < 2; better++) {
		analyse_row(&c, better ? FB_HIGHER_IS_BETTER : FB_LOWER_IS_BETTER,
			    FB_CI_HL, x, NULL, 10, y, NULL, 10);
		check_consistent(&c, true);
		assert_int_equal(sign(fb_row_improvement(&c.rows[0])),
				 better ? -1 : 1);
		fb_cmp_free(&c);
	}
}

/* Identical values with zeros: no change, and an interval holding 0. */
static void test_sparse_same(void **state)
{
	double x[] = { 0, 1, 0, 2, 1, 0, 1, 1, 0, 3 };
	struct fb_cmp c;
	double lo, hi;

	(void)state;
	for (int better = 0; better < 2; better++) {
		analyse_row(&c, better ? FB_HIGHER_IS_BETTER : FB_LOWER_IS_BETTER,
			    FB_CI_HL, x, NULL, 10, x, NULL, 10);
		check_consistent(&c, true);
		assert_float_equal(fb_row_improvement(&c.rows[0]), 0, 1e-12);
		fb_row_improvement_ci(&c.rows[0], &lo, &hi);
		assert_true(lo < 0 && hi > 0);
		assert_int_equal(c.rows[0].mark, FB_MARK_NONE);
		fb_cmp_free(&c);
	}
}

/* 0 on both sides: no change, no interval width, no mark, p = 1. */
static void test_all_zero(void **state)
{
	double z[12] = { 0 };
	struct fb_cmp c;
	double lo, hi;

	(void)state;
	for (int ci = 0; ci < 2; ci++) {
		analyse_row(&c, FB_LOWER_IS_BETTER, ci ? FB_CI_BOOTSTRAP : FB_CI_HL,
			    z, NULL, 12, z, NULL, 12);
		check_consistent(&c, true);
		assert_true(c.rows[0].have_ratio);
		assert_float_equal(fb_row_improvement(&c.rows[0]), 0, 0);
		assert_float_equal(fb_row_change(&c.rows[0]), 0, 0);
		fb_row_improvement_ci(&c.rows[0], &lo, &hi);
		assert_float_equal(lo, 0, 0);
		assert_float_equal(hi, 0, 0);
		assert_float_equal(c.rows[0].p, 1, 0);
		assert_int_equal(c.rows[0].mark, FB_MARK_NONE);
		fb_cmp_free(&c);
	}
}

/*
 * 3 values against 3: no rank test reaches p < 0.1, so at 95% no change
 * can be excluded and the interval is unbounded, however far apart the
 * values (it used to be the range of the pairwise ratios, excluding 0).
 */
static void test_three_against_three(void **state)
{
	double x[] = { 100, 101, 102 }, y[] = { 200, 201, 202 };
	double cx[] = { 0, 1, 2 }, cy[] = { 4, 5, 6 };
	struct fb_cmp c;
	double lo, hi;

	(void)state;
	analyse_row(&c, FB_LOWER_IS_BETTER, FB_CI_HL, x, NULL, 3, y, NULL, 3);
	check_consistent(&c, true);
	assert_true(c.rows[0].p >= 0.1);
	fb_row_improvement_ci(&c.rows[0], &lo, &hi);
	assert_float_equal(lo, -100, 1e-12);	/* NEW could be 0 ns */
	assert_true(isinf(hi));
	fb_cmp_free(&c);
	analyse_row(&c, FB_LOWER_IS_BETTER, FB_CI_HL, cx, NULL, 3, cy, NULL, 3);
	check_consistent(&c, true);
	fb_row_improvement_ci(&c.rows[0], &lo, &hi);
	assert_true(isinf(lo) && isinf(hi));
	fb_cmp_free(&c);
}

/*
 * Positive values (ns/op): the improvement of a lower-is-better metric is
 * still the change of the reciprocal, 100 -> 90 ns/op is +11.1%.
 */
static void test_positive_reciprocal(void **state)
{
	double x[] = { 100, 101, 99, 100.5, 99.5, 100.2, 99.8, 100.1 };
	double y[8];
	struct fb_cmp c;

	(void)state;
	for (int i = 0; i < 8; i++)
		y[i] = x[i] * 0.9;
	analyse_row(&c, FB_LOWER_IS_BETTER, FB_CI_HL, x, NULL, 8, y, NULL, 8);
	check_consistent(&c, true);
	assert_float_equal(fb_row_improvement(&c.rows[0]), 100 / 0.9 - 100, 1e-6);
	assert_float_equal(fb_row_change(&c.rows[0]), -10, 1e-6);
	fb_cmp_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sparse_halved),
		cmocka_unit_test(test_shift_beyond_base),
		cmocka_unit_test(test_sparse_same),
		cmocka_unit_test(test_all_zero),
		cmocka_unit_test(test_three_against_three),
		cmocka_unit_test(test_positive_reciprocal),
		cmocka_unit_test(test_sparse_counts_consistent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
