// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of analysis/stats.c against known values: Mann-Whitney p by
 * brute-force enumeration of every rank assignment and on R's textbook
 * example, interval coverage on synthetic draws with a known ratio, Holm
 * on a textbook example, and the minimum detectable effect by simulation.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "analysis/stats.h"

static double u_of(const double *x, size_t nx, const double *y, size_t ny)
{
	double u = 0;

	for (size_t i = 0; i < nx; i++)
		for (size_t j = 0; j < ny; j++)
			u += (x[i] > y[j]) + 0.5 * (x[i] == y[j]);
	return u;
}

/*
 * Two-sided permutation p-value by enumerating every way of choosing which
 * nx of the pooled values are x: P(|U - mu| >= |u_obs - mu|).
 */
static double brute_p(const double *x, size_t nx, const double *y, size_t ny)
{
	size_t n = nx + ny, hits = 0, total = 0;
	double all[32], xs[32], ys[32], mu = (double)nx * ny / 2;
	double dev = fabs(u_of(x, nx, y, ny) - mu);

	for (size_t i = 0; i < nx; i++)
		all[i] = x[i];
	for (size_t i = 0; i < ny; i++)
		all[nx + i] = y[i];
	for (uint32_t mask = 0; mask < (1u << n); mask++) {
		size_t a = 0, b = 0;

		if ((size_t)__builtin_popcount(mask) != nx)
			continue;
		for (size_t i = 0; i < n; i++) {
			if (mask & (1u << i))
				xs[a++] = all[i];
			else
				ys[b++] = all[i];
		}
		total++;
		hits += fabs(u_of(xs, nx, ys, ny) - mu) >= dev - 1e-9;
	}
	return (double)hits / total;
}

static void test_median_cv(void **state)
{
	double odd[] = { 5, 1, 3 }, even[] = { 4, 1, 3, 2 };
	double c[] = { 9, 10, 11 };
	struct fb_summary s;

	(void)state;
	assert_float_equal(fb_median(odd, 3), 3, 1e-12);
	assert_float_equal(fb_median(even, 4), 2.5, 1e-12);
	assert_true(isnan(fb_median(odd, 0)));
	assert_float_equal(fb_cv(c, 3), 0.1, 1e-12);
	assert_true(isnan(fb_cv(c, 1)));
	assert_int_equal(fb_summarize(even, 4, &s), 0);
	assert_float_equal(s.min, 1, 0);
	assert_float_equal(s.max, 4, 0);
	assert_float_equal(s.q1, 1.75, 1e-12);
	assert_float_equal(s.q3, 3.25, 1e-12);
	/* input untouched */
	assert_float_equal(even[0], 4, 0);
}

static void test_mw_null_counts(void **state)
{
	double c[7 * 9 + 1], total = 0;

	(void)state;
	assert_int_equal(fb_mw_null_counts(7, 9, c), 0);
	for (int u = 0; u <= 63; u++) {
		total += c[u];
		assert_float_equal(c[u], c[63 - u], 0);	/* symmetric */
	}
	assert_float_equal(total, 11440, 0);		/* C(16, 7) */
	assert_float_equal(c[0], 1, 0);
	assert_float_equal(c[1], 1, 0);
	assert_float_equal(c[2], 2, 0);
	/* the largest case still counts exactly: C(40, 20) */
	{
		static double big[401];

		total = 0;
		assert_int_equal(fb_mw_null_counts(20, 20, big), 0);
		for (int u = 0; u <= 400; u++)
			total += big[u];
		assert_float_equal(total, 137846528820.0, 0);
	}
}

static void test_mw_exact_vs_enumeration(void **state)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	size_t sizes[][2] = { { 3, 4 }, { 5, 5 }, { 4, 7 }, { 6, 6 }, { 2, 9 },
			      { 7, 6 }, { 1, 5 } };

	(void)state;
	gsl_rng_set(rng, 7);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (int rep = 0; rep < 20; rep++) {
			size_t nx = sizes[s][0], ny = sizes[s][1];
			double x[16], y[16], shift = 0.3 * (rep % 5);
			struct fb_mw r;

			for (size_t i = 0; i < nx; i++)
				x[i] = gsl_rng_uniform(rng);
			for (size_t i = 0; i < ny; i++)
				y[i] = gsl_rng_uniform(rng) + shift;
			assert_int_equal(fb_mann_whitney(x, nx, y, ny, &r), 0);
			assert_true(r.exact);
			assert_float_equal(r.u, u_of(x, nx, y, ny), 1e-9);
			assert_float_equal(r.p, brute_p(x, nx, y, ny), 1e-12);
		}
	}
	gsl_rng_free(rng);
}

/*
 * R, ?wilcox.test: W = 35, one-sided p = 0.1272, so two-sided 0.2544
 * (also the enumeration: 0.254412...).
 */
static void test_mw_textbook(void **state)
{
	double x[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73,
		       1.46 };
	double y[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	struct fb_mw r;

	(void)state;
	assert_int_equal(fb_mann_whitney(x, 10, y, 5, &r), 0);
	assert_float_equal(r.u, 35, 1e-12);
	assert_true(r.exact);
	assert_float_equal(r.p, 0.2544, 1e-4);
	/* symmetric in its arguments */
	assert_int_equal(fb_mann_whitney(y, 5, x, 10, &r), 0);
	assert_float_equal(r.u, 15, 1e-12);
	assert_float_equal(r.p, 0.2544, 1e-4);
}

/* With ties: the normal approximation is close to the permutation p. */
static void test_mw_ties_normal(void **state)
{
	double x[] = { 1, 2, 2, 3, 3, 3, 5, 6 };
	double y[] = { 3, 4, 4, 5, 5, 6, 7, 7 };
	double same[] = { 2, 2, 2, 2 };
	struct fb_mw r;

	(void)state;
	assert_int_equal(fb_mann_whitney(x, 8, y, 8, &r), 0);
	assert_false(r.exact);
	assert_true(r.z < 0);
	assert_float_equal(r.p, brute_p(x, 8, y, 8), 0.01);
	assert_true(r.p < 0.05);
	/* every value tied: no evidence at all */
	assert_int_equal(fb_mann_whitney(same, 4, same, 4, &r), 0);
	assert_float_equal(r.p, 1, 0);
	assert_int_equal(fb_mann_whitney(x, 0, y, 8, &r), -EINVAL);
}

/* Large samples: a clear shift is detected, none is not. */
static void test_mw_large(void **state)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double x[200], y[200], z[200];
	struct fb_mw r;

	(void)state;
	gsl_rng_set(rng, 11);
	for (int i = 0; i < 200; i++) {
		x[i] = 100 + gsl_ran_gaussian(rng, 1);
		y[i] = 101 + gsl_ran_gaussian(rng, 1);
		z[i] = 100 + gsl_ran_gaussian(rng, 1);
	}
	assert_int_equal(fb_mann_whitney(x, 200, y, 200, &r), 0);
	assert_false(r.exact);
	assert_true(r.p < 1e-10);
	assert_int_equal(fb_mann_whitney(x, 200, z, 200, &r), 0);
	assert_true(r.p > 0.01);
	gsl_rng_free(rng);
}

/* Lognormal draws around median m with log-sd sigma. */
static void draw(gsl_rng *rng, double *v, size_t n, double m, double sigma)
{
	for (size_t i = 0; i < n; i++)
		v[i] = m * exp(gsl_ran_gaussian(rng, sigma));
}

/*
 * Fraction of the intervals that hold the true ratio, over ndraws pairs
 * of samples whose medians differ by exactly `ratio`.
 */
static double coverage(int boot, size_t n, int ndraws, double ratio)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double x[64], y[64];
	int hit = 0;

	gsl_rng_set(rng, 1234 + boot);
	for (int d = 0; d < ndraws; d++) {
		struct fb_ratio r;

		draw(rng, x, n, 1000, 0.03);
		draw(rng, y, n, 1000 * ratio, 0.03);
		if (boot)
			assert_int_equal(fb_bootstrap_ratio(x, n, y, n, 0.95,
							    1000, d, &r), 0);
		else
			assert_int_equal(fb_hl_ratio(x, n, y, n, 0.95, &r), 0);
		assert_true(r.lo <= r.hi);
		hit += r.lo <= ratio && ratio <= r.hi;
	}
	gsl_rng_free(rng);
	return (double)hit / ndraws;
}

static void test_hl_coverage(void **state)
{
	double c;

	(void)state;
	c = coverage(0, 15, 400, 1.05);
	print_message("# HL 95%% interval coverage, n=15: %.3f\n", c);
	assert_true(c >= 0.90 && c <= 0.99);
	c = coverage(0, 30, 300, 0.97);		/* normal-approximation cut-off */
	print_message("# HL 95%% interval coverage, n=30: %.3f\n", c);
	assert_true(c >= 0.90 && c <= 0.99);
}

static void test_bootstrap_coverage(void **state)
{
	double c;

	(void)state;
	c = coverage(1, 31, 300, 1.05);
	print_message("# bootstrap 95%% interval coverage, n=31: %.3f\n", c);
	assert_true(c >= 0.90 && c <= 0.99);
}

static void test_hl_known(void **state)
{
	double x[] = { 100, 102, 98, 101, 99 };
	double y[] = { 110, 112.2, 107.8, 111.1, 108.9 };	/* x * 1.1 */
	double z[] = { 0, 0, 1, 0, 2 }, w[] = { 1, 1, 2, 1, 3 };
	struct fb_ratio r;

	(void)state;
	assert_int_equal(fb_hl_ratio(x, 5, y, 5, 0.95, &r), 0);
	assert_float_equal(r.est, 1.1, 1e-9);
	assert_true(r.lo <= r.est && r.est <= r.hi);
	assert_true(r.lo > 1.05 && r.hi < 1.15);
	/* 5 vs 5 exactly: P(U <= 2) = 4/252, so the interval is 1 - 8/252 */
	assert_float_equal(r.achieved, 1 - 8.0 / 252, 1e-12);
	/* reversed, the ratio is the inverse */
	assert_int_equal(fb_hl_ratio(y, 5, x, 5, 0.95, &r), 0);
	assert_float_equal(r.est, 1 / 1.1, 1e-9);
	/* zeros: log scale refused, raw shift works */
	assert_int_equal(fb_hl_ratio(z, 5, w, 5, 0.95, &r), -EINVAL);
	assert_int_equal(fb_hl_shift(z, 5, w, 5, 0.95, &r), 0);
	assert_float_equal(r.est, 1, 1e-12);
	/* bootstrap: reproducible with the same seed */
	{
		struct fb_ratio a, b;

		assert_int_equal(fb_bootstrap_ratio(x, 5, y, 5, 0.95, 500, 3,
						    &a), 0);
		assert_int_equal(fb_bootstrap_ratio(x, 5, y, 5, 0.95, 500, 3,
						    &b), 0);
		assert_float_equal(a.est, 1.1, 1e-9);
		assert_float_equal(a.lo, b.lo, 0);
		assert_float_equal(a.hi, b.hi, 0);
	}
}

/*
 * fb_change on counts per op with zeros: a shift over the BASE median,
 * read linearly (no reciprocal of a ratio that can be <= 0); 0 on both
 * sides is no change; a BASE median of 0 has no relative change.
 */
static void test_change_zeros(void **state)
{
	double x[] = { 2, 0, 2, 3, 1, 2, 0, 4, 2, 2 };	/* median 2 */
	double y[] = { 0, 0, 1, 0, 2, 0, 0, 1, 0, 0 };	/* about 2 fewer */
	double z[10] = { 0 }, lo, hi, imp;
	struct fb_change_opts o = { .conf = 0.95, .nboot = 500, .seed = 1 };
	struct fb_ratio r, s;

	(void)state;
	assert_int_equal(fb_change(x, 10, y, 10, &o, &r), 0);
	assert_true(r.shift);
	assert_int_equal(fb_hl_shift(x, 10, y, 10, 0.95, &s), 0);
	assert_float_equal(r.est, 1 + s.est / 2, 1e-12);
	assert_float_equal(r.lo, 1 + s.lo / 2, 1e-12);
	assert_true(r.lo <= 0);		/* a "ratio" with no reciprocal */
	for (int hib = 0; hib < 2; hib++) {
		imp = fb_improvement(&r, hib, r.est);
		fb_improvement_ci(&r, hib, &lo, &hi);
		assert_true(lo <= imp && imp <= hi);
		assert_float_equal(imp, hib ? r.est - 1 : 1 - r.est, 1e-12);
		/* fewer events: better only when lower is better */
		assert_true(hib ? imp < 0 : imp > 0);
	}
	/* the bootstrap: difference of medians over the BASE median */
	o.bootstrap = true;
	assert_int_equal(fb_change(x, 10, y, 10, &o, &r), 0);
	assert_true(r.shift);
	assert_float_equal(r.est, 0, 1e-12);	/* medians 2 -> 0 */
	assert_true(r.lo <= r.est && r.est <= r.hi);
	/* never past the most extreme pairwise change: y 0 - x 4 over 2 */
	o.deff = 100;
	assert_int_equal(fb_change(x, 10, y, 10, &o, &r), 0);
	assert_true(r.lo >= 1 - 4.0 / 2 && r.hi <= 1 + 2.0 / 2);
	o.bootstrap = false;
	o.deff = 0;
	/* 0 on both sides: no change, for either direction */
	assert_int_equal(fb_change(z, 10, z, 10, &o, &r), 0);
	assert_float_equal(r.est, 1, 0);
	assert_float_equal(r.lo, 1, 0);
	assert_float_equal(r.hi, 1, 0);
	for (int hib = 0; hib < 2; hib++) {
		fb_improvement_ci(&r, hib, &lo, &hi);
		assert_float_equal(fb_improvement(&r, hib, r.est), 0, 0);
		assert_float_equal(lo, 0, 0);
		assert_float_equal(hi, 0, 0);
	}
	/* BASE median 0: no scale for a relative change */
	assert_int_equal(fb_change(z, 10, x, 10, &o, &r), -EDOM);
	/* all positive: HL on logs, the reciprocal for lower is better */
	{
		double a[] = { 100, 102, 98, 101, 99 };
		double b[] = { 90, 91.8, 88.2, 90.9, 89.1 };	/* a * 0.9 */

		assert_int_equal(fb_change(a, 5, b, 5, &o, &r), 0);
		assert_false(r.shift);
		assert_float_equal(r.est, 0.9, 1e-9);
		assert_float_equal(fb_improvement(&r, false, r.est), 1 / 0.9 - 1,
				   1e-9);
		fb_improvement_ci(&r, false, &lo, &hi);
		assert_true(lo > 0 && lo <= 1 / 0.9 - 1 && 1 / 0.9 - 1 <= hi);
	}
	/* negative values are not counts */
	x[3] = -1;
	assert_int_equal(fb_change(x, 10, y, 10, &o, &r), -EINVAL);
}

/*
 * The Hodges-Lehmann interval is the set of shifts Mann-Whitney does not
 * reject, also with ties (counts) and with a design effect: whenever it
 * excludes no change, the p-value compare reports (the pooled p, or the
 * one with z / sqrt(deff) if larger) is at most 1 - conf.
 */
static void test_change_inverts_test(void **state)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	static const double deffs[] = { 1, 1.7, 4 };
	double x[40], y[40];
	int excluded = 0, cases = 0;

	(void)state;
	gsl_rng_set(rng, 5);
	for (int d = 0; d < 600; d++) {
		size_t nx = 4 + d % 25, ny = 4 + (d / 3) % 30;
		bool counts = d % 2;
		double deff = deffs[d % 3], shift = 1 + 0.6 * (d % 5) / 4;
		struct fb_change_opts o = { .conf = 0.95, .deff = deff };
		struct fb_ratio r;
		struct fb_mw mw;
		double p;

		for (size_t i = 0; i < nx; i++)
			x[i] = counts ? gsl_ran_poisson(rng, 3) :
					100 * exp(gsl_ran_gaussian(rng, 0.05));
		for (size_t i = 0; i < ny; i++)
			y[i] = counts ? gsl_ran_poisson(rng, 3 * shift) :
					100 * shift * exp(gsl_ran_gaussian(rng, 0.05));
		if (fb_change(x, nx, y, ny, &o, &r))
			continue;	/* BASE median 0 */
		assert_int_equal(fb_mann_whitney(x, nx, y, ny, &mw), 0);
		p = fmax(mw.p, 2 * gsl_cdf_ugaussian_Q(fabs(mw.z) / sqrt(deff)));
		assert_true(r.lo <= r.est && r.est <= r.hi);
		cases++;
		if (r.lo > 1 || r.hi < 1) {
			excluded++;
			if (p > 0.05)
				fail_msg("n %zu/%zu deff %g %s: interval [%g, %g] excludes 1, p %g",
					 nx, ny, deff, counts ? "counts" : "lognormal",
					 r.lo, r.hi, p);
		}
	}
	print_message("# %d of %d intervals exclude no change, each with p <= 0.05\n",
		      excluded, cases);
	assert_true(excluded > cases / 4);
	gsl_rng_free(rng);
}

/* Holm (1979) style example: reject the two smallest at alpha 0.05. */
static void test_holm_textbook(void **state)
{
	double p[] = { 0.01, 0.04, 0.03, 0.005 }, adj[4];

	(void)state;
	assert_int_equal(fb_holm(p, 4, adj), 0);
	assert_float_equal(adj[3], 0.02, 1e-12);	/* 4 x 0.005 */
	assert_float_equal(adj[0], 0.03, 1e-12);	/* 3 x 0.01 */
	assert_float_equal(adj[2], 0.06, 1e-12);	/* 2 x 0.03 */
	assert_float_equal(adj[1], 0.06, 1e-12);	/* max(0.04, 0.06) */
	assert_true(adj[3] <= 0.05 && adj[0] <= 0.05);
	assert_true(adj[1] > 0.05 && adj[2] > 0.05);
	/* in place, capped at 1 */
	{
		double q[] = { 0.5, 0.4, 0.9 };

		assert_int_equal(fb_holm(q, 3, q), 0);
		assert_float_equal(q[1], 1, 0);
		assert_float_equal(q[0], 1, 0);
		assert_float_equal(q[2], 1, 0);
	}
}

/*
 * ICC, one-way ANOVA estimator: by hand for two balanced groups (MSB 13.5,
 * MSW 1, n0 3: (13.5 - 1) / 3 / ((13.5 - 1) / 3 + 1) = 25/31); unequal
 * groups in two sets; none between; undefined; by simulation.
 */
static void test_icc(void **state)
{
	double a[] = { 1, 2, 3, 4, 5, 6 }, b[] = { 1, 2, 3, 4, 5, 6, 7 };
	double c[] = { 10, 12, 11, 13, 15, 9 }, same[] = { 1, 2, 1, 2 };
	int64_t ga[] = { 1, 1, 1, 2, 2, 2 }, gb[] = { 1, 1, 1, 2, 2, 2, 2 };
	int64_t gc[] = { 5, 5, 6, 6, 6, 7 }, gs[] = { 1, 1, 2, 2 };
	struct fb_icc acc = { 0 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double x[300], icc;
	int64_t g[300];

	(void)state;
	assert_int_equal(fb_icc_add(&acc, a, ga, 6), 0);
	assert_float_equal(fb_icc(&acc), 25.0 / 31, 1e-12);
	memset(&acc, 0, sizeof(acc));
	assert_int_equal(fb_icc_add(&acc, b, gb, 7), 0);
	assert_int_equal(fb_icc_add(&acc, c, gc, 6), 0);
	assert_float_equal(fb_icc(&acc), 0.6496542185338865, 1e-12);
	memset(&acc, 0, sizeof(acc));
	assert_int_equal(fb_icc_add(&acc, same, gs, 4), 0);
	assert_float_equal(fb_icc(&acc), 0, 0);		/* clipped at 0 */
	memset(&acc, 0, sizeof(acc));
	assert_int_equal(fb_icc_add(&acc, a, gs, 1), 0);
	assert_true(isnan(fb_icc(&acc)));		/* one group */
	/* 30 groups of 10, between and within variance equal: 0.5 */
	gsl_rng_set(rng, 5);
	memset(&acc, 0, sizeof(acc));
	for (int k = 0; k < 30; k++) {
		double off = gsl_ran_gaussian(rng, 1);

		for (int i = 0; i < 10; i++) {
			x[k * 10 + i] = off + gsl_ran_gaussian(rng, 1);
			g[k * 10 + i] = k;
		}
	}
	assert_int_equal(fb_icc_add(&acc, x, g, 300), 0);
	icc = fb_icc(&acc);
	print_message("# ICC estimate, true 0.5: %.3f\n", icc);
	assert_true(icc > 0.3 && icc < 0.7);
	gsl_rng_free(rng);
}

/*
 * The MDE formula, and by simulation: a true effect equal to the MDE is
 * found about `power` of the time.
 */
static void test_mde(void **state)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double x[40], y[40], mde;
	int found = 0, runs = 400;

	(void)state;
	mde = fb_mde(10, 0.02, 0.05, 0.8);
	assert_float_equal(mde, (1.959964 + 0.841621) * 0.02 * sqrt(0.2) /
				sqrt(3 / M_PI), 1e-5);
	assert_true(fb_mde(40, 0.02, 0.05, 0.8) < mde);
	assert_true(isnan(fb_mde(1, 0.02, 0.05, 0.8)));
	mde = fb_mde(30, 0.02, 0.05, 0.8);
	gsl_rng_set(rng, 99);
	for (int r = 0; r < runs; r++) {
		struct fb_mw mw;

		for (int i = 0; i < 30; i++) {
			x[i] = 100 * (1 + gsl_ran_gaussian(rng, 0.02));
			y[i] = 100 * (1 + mde + gsl_ran_gaussian(rng, 0.02));
		}
		assert_int_equal(fb_mann_whitney(x, 30, y, 30, &mw), 0);
		found += mw.p <= 0.05;
	}
	print_message("# power at the MDE (n=30, cv=2%%): %.3f\n",
		      (double)found / runs);
	assert_true(found >= 0.7 * runs && found <= 0.9 * runs);
	gsl_rng_free(rng);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median_cv),
		cmocka_unit_test(test_mw_null_counts),
		cmocka_unit_test(test_mw_exact_vs_enumeration),
		cmocka_unit_test(test_mw_textbook),
		cmocka_unit_test(test_mw_ties_normal),
		cmocka_unit_test(test_mw_large),
		cmocka_unit_test(test_hl_known),
		cmocka_unit_test(test_hl_coverage),
		cmocka_unit_test(test_bootstrap_coverage),
		cmocka_unit_test(test_change_zeros),
		cmocka_unit_test(test_change_inverts_test),
		cmocka_unit_test(test_holm_textbook),
		cmocka_unit_test(test_mde),
		cmocka_unit_test(test_icc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
