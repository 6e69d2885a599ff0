// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of lib/stats.c against known values: Mann-Whitney p by
 * brute-force enumeration of every rank assignment and on R's textbook
 * example, interval coverage on synthetic draws with a known ratio, Holm
 * on a textbook example; Student t against R, Welch-Satterthwaite, the
 * empirical-Bayes prior by simulation, and the t test's minimum detectable
 * effect by simulation.
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

#include "lib/stats.h"

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
	struct flb_summary s;

	(void)state;
	assert_float_equal(flb_median(odd, 3), 3, 1e-12);
	assert_float_equal(flb_median(even, 4), 2.5, 1e-12);
	assert_true(isnan(flb_median(odd, 0)));
	assert_float_equal(flb_cv(c, 3), 0.1, 1e-12);
	assert_true(isnan(flb_cv(c, 1)));
	assert_int_equal(flb_summarize(even, 4, &s), 0);
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
	assert_int_equal(flb_mw_null_counts(7, 9, c), 0);
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
		assert_int_equal(flb_mw_null_counts(20, 20, big), 0);
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
			struct flb_mw r;

			for (size_t i = 0; i < nx; i++)
				x[i] = gsl_rng_uniform(rng);
			for (size_t i = 0; i < ny; i++)
				y[i] = gsl_rng_uniform(rng) + shift;
			assert_int_equal(flb_mann_whitney(x, nx, y, ny, &r), 0);
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
	struct flb_mw r;

	(void)state;
	assert_int_equal(flb_mann_whitney(x, 10, y, 5, &r), 0);
	assert_float_equal(r.u, 35, 1e-12);
	assert_true(r.exact);
	assert_float_equal(r.p, 0.2544, 1e-4);
	/* symmetric in its arguments */
	assert_int_equal(flb_mann_whitney(y, 5, x, 10, &r), 0);
	assert_float_equal(r.u, 15, 1e-12);
	assert_float_equal(r.p, 0.2544, 1e-4);
}

/* With ties: the normal approximation is close to the permutation p. */
static void test_mw_ties_normal(void **state)
{
	double x[] = { 1, 2, 2, 3, 3, 3, 5, 6 };
	double y[] = { 3, 4, 4, 5, 5, 6, 7, 7 };
	double same[] = { 2, 2, 2, 2 };
	struct flb_mw r;

	(void)state;
	assert_int_equal(flb_mann_whitney(x, 8, y, 8, &r), 0);
	assert_false(r.exact);
	assert_true(r.z < 0);
	assert_float_equal(r.p, brute_p(x, 8, y, 8), 0.01);
	assert_true(r.p < 0.05);
	/* every value tied: no evidence at all */
	assert_int_equal(flb_mann_whitney(same, 4, same, 4, &r), 0);
	assert_float_equal(r.p, 1, 0);
	assert_int_equal(flb_mann_whitney(x, 0, y, 8, &r), -EINVAL);
}

/* Large samples: a clear shift is detected, none is not. */
static void test_mw_large(void **state)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double x[200], y[200], z[200];
	struct flb_mw r;

	(void)state;
	gsl_rng_set(rng, 11);
	for (int i = 0; i < 200; i++) {
		x[i] = 100 + gsl_ran_gaussian(rng, 1);
		y[i] = 101 + gsl_ran_gaussian(rng, 1);
		z[i] = 100 + gsl_ran_gaussian(rng, 1);
	}
	assert_int_equal(flb_mann_whitney(x, 200, y, 200, &r), 0);
	assert_false(r.exact);
	assert_true(r.p < 1e-10);
	assert_int_equal(flb_mann_whitney(x, 200, z, 200, &r), 0);
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
static double coverage(size_t n, int ndraws, double ratio)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double x[64], y[64];
	int hit = 0;

	gsl_rng_set(rng, 1234);
	for (int d = 0; d < ndraws; d++) {
		struct flb_ratio r;

		draw(rng, x, n, 1000, 0.03);
		draw(rng, y, n, 1000 * ratio, 0.03);
		assert_int_equal(flb_hl_ratio(x, n, y, n, 0.95, &r), 0);
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
	c = coverage(15, 400, 1.05);
	print_message("# HL 95%% interval coverage, n=15: %.3f\n", c);
	assert_true(c >= 0.90 && c <= 0.99);
	c = coverage(30, 300, 0.97);		/* normal-approximation cut-off */
	print_message("# HL 95%% interval coverage, n=30: %.3f\n", c);
	assert_true(c >= 0.90 && c <= 0.99);
}

static void test_hl_known(void **state)
{
	double x[] = { 100, 102, 98, 101, 99 };
	double y[] = { 110, 112.2, 107.8, 111.1, 108.9 };	/* x * 1.1 */
	double z[] = { 0, 0, 1, 0, 2 }, w[] = { 1, 1, 2, 1, 3 };
	struct flb_ratio r;

	(void)state;
	assert_int_equal(flb_hl_ratio(x, 5, y, 5, 0.95, &r), 0);
	assert_float_equal(r.est, 1.1, 1e-9);
	assert_true(r.lo <= r.est && r.est <= r.hi);
	assert_true(r.lo > 1.05 && r.hi < 1.15);
	/* 5 vs 5 exactly: P(U <= 2) = 4/252, so the interval is 1 - 8/252 */
	assert_float_equal(r.achieved, 1 - 8.0 / 252, 1e-12);
	/* reversed, the ratio is the inverse */
	assert_int_equal(flb_hl_ratio(y, 5, x, 5, 0.95, &r), 0);
	assert_float_equal(r.est, 1 / 1.1, 1e-9);
	/* zeros: log scale refused, raw shift works */
	assert_int_equal(flb_hl_ratio(z, 5, w, 5, 0.95, &r), -EINVAL);
	assert_int_equal(flb_hl_shift(z, 5, w, 5, 0.95, &r), 0);
	assert_float_equal(r.est, 1, 1e-12);
}

/* Holm (1979) style example: reject the two smallest at alpha 0.05. */
static void test_holm_textbook(void **state)
{
	double p[] = { 0.01, 0.04, 0.03, 0.005 }, adj[4];

	(void)state;
	assert_int_equal(flb_holm(p, 4, adj), 0);
	assert_float_equal(adj[3], 0.02, 1e-12);	/* 4 x 0.005 */
	assert_float_equal(adj[0], 0.03, 1e-12);	/* 3 x 0.01 */
	assert_float_equal(adj[2], 0.06, 1e-12);	/* 2 x 0.03 */
	assert_float_equal(adj[1], 0.06, 1e-12);	/* max(0.04, 0.06) */
	assert_true(adj[3] <= 0.05 && adj[0] <= 0.05);
	assert_true(adj[1] > 0.05 && adj[2] > 0.05);
	/* in place, capped at 1 */
	{
		double q[] = { 0.5, 0.4, 0.9 };

		assert_int_equal(flb_holm(q, 3, q), 0);
		assert_float_equal(q[1], 1, 0);
		assert_float_equal(q[0], 1, 0);
		assert_float_equal(q[2], 1, 0);
	}
}

/* Student t against R's pt/qt; df = Inf is the normal. */
static void test_t(void **state)
{
	(void)state;
	assert_float_equal(flb_t_p(2.0, 10), 0.07338803, 1e-7);	/* 2*pt(-2,10) */
	assert_float_equal(flb_t_p(-2.0, 10), 0.07338803, 1e-7);
	assert_float_equal(flb_t_p(1.959964, INFINITY), 0.05, 1e-6);
	assert_float_equal(flb_t_quantile(0.975, 5), 2.570582, 1e-6);
	assert_float_equal(flb_t_quantile(0.8, 6), 0.9057033, 1e-6);
	assert_float_equal(flb_t_p(INFINITY, 3), 0, 0);
	assert_true(isnan(flb_t_p(1, 0)));
	assert_true(isnan(flb_t_quantile(0.5, -1)));
}

/* Welch-Satterthwaite: the textbook case, infinite and missing parts. */
static void test_satterthwaite(void **state)
{
	double v[] = { 0.4, 0.6 }, d[] = { 9, 14 }, inf[] = { INFINITY, INFINITY };
	double one[] = { 0.4, 0.6 }, dm[] = { 9, 0 };

	(void)state;
	/* s1^2 = 4, n1 = 10; s2^2 = 9, n2 = 15 */
	assert_float_equal(flb_satterthwaite(v, d, 2),
			   1 / (0.16 / 9 + 0.36 / 14), 1e-9);
	assert_true(isinf(flb_satterthwaite(v, inf, 2)));
	assert_true(isnan(flb_satterthwaite(one, dm, 2)));
	/* one estimate: its own degrees of freedom */
	assert_float_equal(flb_satterthwaite(v, d, 1), 9, 1e-12);
}

/*
 * The empirical-Bayes prior (Smyth 2004): variances of 2000 rows drawn
 * from a scaled inverse chi-square with d0 = 8 around s0^2 = 1e-4, each
 * seen through a sample variance with 4 degrees of freedom; the fit
 * recovers both (the moment estimate of d0 is noisy: its spread is why
 * the Monte Carlo test of compare checks the error rates it gives). Rows that share one variance give a large d0 (or infinity); too
 * few rows give no prior; the posterior is the weighted mean.
 */
static void test_eb_prior(void **state)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double s2[2000], df[2000], post, dp;
	struct flb_prior p;

	(void)state;
	gsl_rng_set(rng, 11);
	for (int i = 0; i < 2000; i++) {
		double sigma2 = 1e-4 * 8 / gsl_ran_chisq(rng, 8);

		s2[i] = sigma2 * gsl_ran_chisq(rng, 4) / 4;
		df[i] = 4;
	}
	assert_int_equal(flb_eb_prior(s2, df, 2000, &p), 0);
	print_message("# prior fitted on 2000 rows, true d0 8, s0^2 1e-4: d0 %.2f, s0^2 %.3g\n",
		      p.d0, p.s02);
	assert_int_equal(p.n, 2000);
	assert_true(p.d0 > 6 && p.d0 < 11);
	assert_true(p.s02 > 0.85e-4 && p.s02 < 1.15e-4);
	post = flb_eb_post(&p, 4e-4, 2, &dp);
	assert_float_equal(dp, p.d0 + 2, 1e-12);
	assert_float_equal(post, (p.d0 * p.s02 + 2 * 4e-4) / (p.d0 + 2), 1e-15);
	/* a row without its own estimate: the prior alone */
	post = flb_eb_post(&p, NAN, 0, &dp);
	assert_float_equal(post, p.s02, 0);
	assert_float_equal(dp, p.d0, 0);
	/* one common variance: nothing but sampling spread */
	for (int i = 0; i < 400; i++)
		s2[i] = 1e-4 * gsl_ran_chisq(rng, 4) / 4, df[i] = 4;
	assert_int_equal(flb_eb_prior(s2, df, 400, &p), 0);
	print_message("# prior on 400 rows of one variance: d0 %.3g\n", p.d0);
	assert_true(p.d0 > 50);
	assert_true(p.s02 > 0.9e-4 && p.s02 < 1.1e-4);
	/* too few rows to learn from */
	assert_int_equal(flb_eb_prior(s2, df, FLB_EB_MIN - 1, &p), 0);
	assert_true(p.d0 == 0);
	post = flb_eb_post(&p, 3e-4, 4, &dp);
	assert_float_equal(post, 3e-4, 0);
	assert_float_equal(dp, 4, 0);
	post = flb_eb_post(&p, NAN, 0, &dp);
	assert_true(isnan(post) && dp == 0);
	/* zero variances and missing degrees of freedom are left out */
	s2[0] = 0;
	df[1] = 0;
	assert_int_equal(flb_eb_prior(s2, df, 400, &p), 0);
	assert_int_equal(p.n, 398);
	gsl_rng_free(rng);
}

/*
 * The minimum detectable effect of the t test: the formula, the smallest
 * markable effect, and by simulation: a pooled two-sample t test with 4
 * runs a side (6 df) at alpha 0.05 finds an effect of one MDE about
 * `power` of the time (the shifted central t approximation of the
 * non-central t is within a point or two here).
 */
static void test_t_mde(void **state)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double se = sqrt(2.0 / 4), mde, x[4], y[4];
	int found = 0, n = 20000;

	(void)state;
	mde = flb_t_mde(se, 6, 0.05, 0.8);
	assert_float_equal(mde, (2.446912 + 0.9057033) * se, 1e-5);
	assert_true(flb_t_mde(se, INFINITY, 0.05, 0.8) < mde);
	assert_true(isnan(flb_t_mde(se, 0, 0.05, 0.8)));
	gsl_rng_set(rng, 99);
	for (int r = 0; r < n; r++) {
		double mx = 0, my = 0, ss = 0, t;

		for (int i = 0; i < 4; i++) {
			x[i] = gsl_ran_gaussian(rng, 1);
			y[i] = mde + gsl_ran_gaussian(rng, 1);
			mx += x[i] / 4;
			my += y[i] / 4;
		}
		for (int i = 0; i < 4; i++)
			ss += (x[i] - mx) * (x[i] - mx) + (y[i] - my) * (y[i] - my);
		t = (my - mx) / sqrt(ss / 6 * 0.5);
		found += flb_t_p(t, 6) <= 0.05;
	}
	print_message("# power at the t MDE (4 runs a side, df 6): %.3f\n",
		      (double)found / n);
	assert_true(found >= 0.78 * n && found <= 0.86 * n);
	gsl_rng_free(rng);
}

/*
 * Paired rounds (flb_paired_rounds): a hand-checked case, then Monte
 * Carlo on generated duets. Each round has a random effect (what each
 * side's process got: sd 0.05 on the log ratio), with `swap` an
 * alternating one (the CPU assignment swapped every round: +-0.03), and
 * window noise (sd 0.03, normal or Student t with 3 df, heavy-tailed).
 * The false alarm rate at no change must stay at or under 5% (within
 * Monte Carlo error), and a change of the size the MDE formula gives for
 * the true spread of the estimate must be found about 80% of the time.
 */
static double window_noise(gsl_rng *rng, bool heavy)
{
	/* t(3) scaled to sd 1: its variance is 3 */
	return heavy ? gsl_ran_tdist(rng, 3) / sqrt(3.0) : gsl_ran_gaussian(rng, 1);
}

/* One generated duet: rounds x w pairs, the change delta; its p value. */
static double paired_sim(gsl_rng *rng, unsigned int rounds, unsigned int w,
			 double delta, bool heavy, bool swapped, bool model,
			 struct flb_paired *out)
{
	double d[20 * 10];
	unsigned int rd[20 * 10];
	unsigned char sw[20 * 10];
	size_t n = 0;

	for (unsigned int k = 0; k < rounds; k++) {
		double u = gsl_ran_gaussian(rng, 0.05);

		if (swapped)
			u += k % 2 ? 0.03 : -0.03;
		for (unsigned int i = 0; i < w; i++) {
			d[n] = delta + u + 0.03 * window_noise(rng, heavy);
			sw[n] = k % 2;
			rd[n++] = k;
		}
	}
	assert_int_equal(flb_paired_rounds(d, rd, model ? sw : NULL, n, 0.05,
					   0.8, out), 0);
	return out->p;
}

/* false alarms and power over n generated duets of one design */
static void paired_mc(gsl_rng *rng, unsigned int R, unsigned int W, bool heavy,
		      bool swapped, bool model, int n, double *fa, double *power)
{
	struct flb_paired r;
	double sum = 0, sum2 = 0, se, mde;
	int f = 0, hit = 0;

	for (int i = 0; i < n; i++) {
		f += paired_sim(rng, R, W, 0, heavy, swapped, model, &r) <= 0.05;
		sum += r.est;
		sum2 += r.est * r.est;
	}
	/* the true standard error of the estimate, from its spread */
	se = sqrt(sum2 / n - (sum / n) * (sum / n));
	mde = flb_t_mde(se, model ? R - 2 : R - 1, 0.05, 0.8);
	for (int i = 0; i < n; i++)
		hit += paired_sim(rng, R, W, mde, heavy, swapped, model, &r) <= 0.05;
	*fa = (double)f / n;
	*power = (double)hit / n;
	print_message("# paired, %2u rounds x %2u windows, %-6s %-22s: false alarms %.4f, power at the MDE (%.4f) %.3f\n",
		      R, W, heavy ? "t3" : "normal",
		      !swapped ? "no swap" : model ? "swap, as a factor" : "swap, left as noise",
		      *fa, mde, *power);
}

static void test_paired_rounds(void **state)
{
	static const unsigned int R[] = { 6, 10, 20 }, W[] = { 5, 10 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double d[] = { 0.10, 0.30, 0.20, 0.50, 0.40, NAN, -0.10, 0.00, 0.05 };
	unsigned int rd[] = { 7, 7, 7, 3, 3, 3, 1, 1, 1 };
	unsigned char sw[] = { 1, 1, 1, 0, 0, 0, 1, 1, 1 }, bad[] = { 1, 0, 1, 0, 0, 0, 1, 1, 1 };
	struct flb_paired r;
	double fa, power, fa_noise, power_noise;
	const int n = 4000;

	(void)state;
	/* round 7: median 0.2; round 3: 0.45 (NaN left out); round 1: 0.0 */
	assert_int_equal(flb_paired_rounds(d, rd, NULL, 9, 0.05, 0.8, &r), 0);
	assert_int_equal(r.rounds, 3);
	assert_int_equal(r.pairs, 8);
	assert_float_equal(r.est, (0.2 + 0.45 + 0.0) / 3, 1e-12);
	assert_float_equal(r.df, 2, 0);
	assert_float_equal(r.se, 0.225462487 / sqrt(3), 1e-6);
	assert_true(r.lo < r.est && r.est < r.hi);
	/* swapped: assignment 0 has round 3 (0.45), 1 has rounds 7 and 1 */
	assert_int_equal(flb_paired_rounds(d, rd, sw, 9, 0.05, 0.8, &r), 0);
	assert_float_equal(r.est, (0.45 + 0.1) / 2, 1e-12);
	assert_float_equal(r.df, 1, 0);
	assert_float_equal(r.se, sqrt(0.02 / 1 * (1.0 / 1 + 1.0 / 2) / 4), 1e-12);
	/* two assignments in one round, one round, one assignment: no test */
	assert_int_equal(flb_paired_rounds(d, rd, bad, 9, 0.05, 0.8, &r), -1);
	assert_int_equal(flb_paired_rounds(d, rd, NULL, 3, 0.05, 0.8, &r), -1);
	assert_int_equal(flb_paired_rounds(d, rd, sw, 6, 0.05, 0.8, &r), -1);

	gsl_rng_set(rng, 2026);
	for (size_t a = 0; a < sizeof(R) / sizeof(R[0]); a++) {
		for (size_t b = 0; b < sizeof(W) / sizeof(W[0]); b++) {
			for (int heavy = 0; heavy < 2; heavy++) {
				/* no CPU effect: the plain test */
				paired_mc(rng, R[a], W[b], heavy, false, false, n, &fa, &power);
				/* 5% plus 3 Monte Carlo standard errors (0.0034) */
				assert_true(fa <= 0.0604);
				/* the shifted-t approximation: about 0.8 */
				assert_true(power >= 0.75 && power <= 0.9);
				/* CPU sets swapped every round, modelled */
				paired_mc(rng, R[a], W[b], heavy, true, true, n, &fa, &power);
				assert_true(fa <= 0.0604);
				assert_true(power >= 0.75 && power <= 0.9);
				/* and not: conservative, and blunter than modelled */
				paired_mc(rng, R[a], W[b], heavy, true, false, n, &fa_noise, &power_noise);
				assert_true(fa_noise <= 0.0604);
				assert_true(power_noise < power);
			}
		}
	}
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
		cmocka_unit_test(test_holm_textbook),
		cmocka_unit_test(test_t),
		cmocka_unit_test(test_satterthwaite),
		cmocka_unit_test(test_eb_prior),
		cmocka_unit_test(test_t_mde),
		cmocka_unit_test(test_paired_rounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
