// SPDX-License-Identifier: GPL-2.0
/*
 * The change-point detector of plot --trend (analysis/changepoint.c) on
 * series with known answers: a step is found where it is, two steps
 * both, a constant series has none; on 200 seeded flat noisy series it
 * raises a false alarm at most at about its level (the measured rates
 * are printed), and it finds a step of 4 standard deviations in 6 points
 * nearly always, at the right index.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "analysis/changepoint.h"

#define SEEDS 200
#define ALPHA 0.05

static void test_exact_step(void **state)
{
	const double x[] = { 0, 0, 0, 1, 1, 1 }, var[] = { .01, .01, .01,
							   .01, .01, .01 };
	size_t at[5], n;

	(void)state;
	assert_int_equal(flb_changepoints(x, var, 6,
					  flb_cpt_penalty(6, ALPHA, INFINITY),
					  at, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(at[0], 3);
	/* the same with the variance taken from the series */
	const double y[] = { 0, .01, -.01, 1, 1.01, .99, 1.02 };

	assert_int_equal(flb_changepoints(y, NULL, 7,
					  flb_cpt_penalty(7, ALPHA,
							  flb_cpt_series_df(7)),
					  at, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(at[0], 3);
}

static void test_two_steps(void **state)
{
	double x[12], var[12];
	size_t at[11], n;

	(void)state;
	for (int i = 0; i < 12; i++) {
		x[i] = i < 4 ? 10 : i < 8 ? 10.5 : 10.2;
		x[i] += 0.01 * ((i * 7) % 3 - 1);	/* a little wobble */
		var[i] = 0.0004;
	}
	assert_int_equal(flb_changepoints(x, var, 12,
					  flb_cpt_penalty(12, ALPHA, INFINITY),
					  at, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(at[0], 4);
	assert_int_equal(at[1], 8);
}

static void test_flat_constant(void **state)
{
	const double x[] = { 3, 3, 3, 3, 3 }, var[] = { 1, 1, 1, 1, 1 };
	size_t at[4], n = 99;

	(void)state;
	assert_int_equal(flb_changepoints(x, var, 5,
					  flb_cpt_penalty(5, ALPHA, INFINITY),
					  at, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(flb_changepoints(x, NULL, 5,
					  flb_cpt_penalty(5, ALPHA, 1), at, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(flb_changepoints(x, var, 1, 1, at, &n), 0);
	assert_int_equal(n, 0);
}

static void test_bad_input(void **state)
{
	const double x[] = { 1, 2, 3 }, var[] = { 1, 0, 1 };
	size_t at[2], n;

	(void)state;
	assert_int_equal(flb_changepoints(x, var, 3, 5, at, &n), -EINVAL);
	assert_int_equal(flb_changepoints(x, NULL, 3, NAN, at, &n), -EINVAL);
	assert_true(isinf(flb_cpt_penalty(1, ALPHA, INFINITY)));
	/* the penalty is the chi-square(1) quantile at 1 - alpha / (n - 1) */
	assert_float_equal(flb_cpt_penalty(2, ALPHA, INFINITY), 3.841459, 1e-5);
	assert_float_equal(flb_cpt_penalty(6, ALPHA, INFINITY), 6.634897, 1e-5);
}

/*
 * The share of SEEDS series of n points (noise sd 1, a step of size
 * step at index k when step != 0) where the detector answers exactly
 * "no change" (step 0) or exactly "one change at k"; var known or not.
 */
static double rate(size_t n, double step, size_t k, bool known)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double x[64], var[64];
	double penalty = flb_cpt_penalty(n, ALPHA, known ? INFINITY :
					 flb_cpt_series_df(n));
	size_t at[63], nat, good = 0;

	assert_non_null(rng);
	assert_true(n <= 64);
	for (unsigned long seed = 1; seed <= SEEDS; seed++) {
		gsl_rng_set(rng, seed);
		for (size_t i = 0; i < n; i++) {
			x[i] = gsl_ran_gaussian(rng, 1) + (i >= k ? step : 0);
			var[i] = 1;
		}
		assert_int_equal(flb_changepoints(x, known ? var : NULL, n,
						  penalty, at, &nat), 0);
		good += step == 0 ? nat == 0 : nat == 1 && at[0] == k;
	}
	gsl_rng_free(rng);
	return (double)good / SEEDS;
}

static void test_false_alarms(void **state)
{
	double fa6 = 1 - rate(6, 0, 0, true), fa20 = 1 - rate(20, 0, 0, true);
	double fa20u = 1 - rate(20, 0, 0, false);

	(void)state;
	printf("# flat series, %d seeds, alpha %g: false alarms %.1f%% (6 points, known variance), %.1f%% (20 points), %.1f%% (20 points, variance from the series)\n",
	       SEEDS, ALPHA, 100 * fa6, 100 * fa20, 100 * fa20u);
	/* at most alpha by construction; binomial slack of 200 draws */
	assert_true(fa6 <= ALPHA + 0.03);
	assert_true(fa20 <= ALPHA + 0.03);
	/* an estimated variance: its F penalty keeps the level */
	assert_true(fa20u <= ALPHA + 0.03);
}

static void test_detection(void **state)
{
	double d6 = rate(6, 4, 3, true), d20 = rate(20, 3, 12, true);
	double d20u = rate(20, 3, 12, false);

	(void)state;
	printf("# one step, %d seeds: found exactly at its index %.1f%% (4 sd at 3 of 6 points, known variance), %.1f%% (3 sd at 12 of 20), %.1f%% (3 sd at 12 of 20, variance from the series)\n",
	       SEEDS, 100 * d6, 100 * d20, 100 * d20u);
	assert_true(d6 >= 0.75);
	assert_true(d20 >= 0.75);
	assert_true(d20u >= 0.6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_step),
		cmocka_unit_test(test_two_steps),
		cmocka_unit_test(test_flat_constant),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_false_alarms),
		cmocka_unit_test(test_detection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
