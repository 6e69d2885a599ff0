// SPDX-License-Identifier: GPL-2.0
/*
 * The comparison engine (analysis/cmp.c) on tables built in memory, no
 * database: what a reader of a line relies on. The improvement lies in
 * its interval; the interval excludes "no change" exactly when p is
 * significant (it is the t interval of the same test); a mark points the
 * way of the estimate; a 1% slowdown and a 1% speed-up read alike; ns/op
 * is the primary metric of a job and ops/s its mirror, never tested
 * twice; counters form a family of their own; rows that are 0 on both
 * sides are dropped; one run a side without a calibration marks nothing;
 * the calibrated between-boot variance is added when the sides share no
 * boot.
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

#include "cmp_tables.h"

static struct flb_row *find(struct flb_cmp *c, const char *p, const char *m)
{
	for (size_t i = 0; i < c->nrows; i++)
		if (!strcmp(c->rows[i].params, p) && !strcmp(c->rows[i].metric, m))
			return &c->rows[i];
	return NULL;
}

/*
 * What every tested row must satisfy: estimate in its interval, the
 * improvement in its own; the interval excludes no change exactly when
 * p <= 1 - conf; a mark agrees with the sign of the improvement and
 * comes with an interval on that side of 0.
 */
static void check_consistent(const struct flb_cmp *c)
{
	for (size_t i = 0; i < c->nrows; i++) {
		const struct flb_row *r = &c->rows[i];
		double imp = flb_row_improvement(r), lo, hi;
		bool excl;

		if (!r->testable) {
			assert_int_equal(r->mark, FLB_MARK_NONE);
			continue;
		}
		assert_true(r->lo <= r->est && r->est <= r->hi);
		flb_row_improvement_ci(r, &lo, &hi);
		if (isnan(imp))
			continue;	/* BASE 0: no relative change */
		if (!(lo <= imp + 1e-9 && imp <= hi + 1e-9))
			fail_msg("%s %s: improvement %g%% outside [%g%%, %g%%]",
				 r->params, r->metric, imp, lo, hi);
		excl = r->lo > 0 || r->hi < 0;
		if (r->se > 0 && excl != (r->p <= 1 - c->o.conf + 1e-12))
			fail_msg("%s %s: interval [%g, %g] and p %g disagree",
				 r->params, r->metric, r->lo, r->hi, r->p);
		if ((r->mark == FLB_MARK_IMPROVED && !(imp > 0 && lo > 0)) ||
		    (r->mark == FLB_MARK_REGRESSED && !(imp < 0 && hi < 0)))
			fail_msg("%s %s: marked %d with %g%% [%g%%, %g%%]",
				 r->params, r->metric, r->mark, imp, lo, hi);
	}
}

/* A table of 8 jobs: ns/op lognormal, a counter that is often 0. */
static void random_table(gsl_rng *rng, struct flb_cmp *c, unsigned int nb,
			 unsigned int nn, double factor, double cfactor)
{
	table(c, nb, nn);
	for (int j = 0; j < 8; j++) {
		char p[32];
		struct flb_row *t, *k;

		snprintf(p, sizeof(p), "npages=%d", j + 1);
		row(c, "mprotect", p, "ns_per_op", FLB_LOWER_IS_BETTER);
		row(c, "mprotect", p, "irq:TLB/op", FLB_LOWER_IS_BETTER);
		/* row() moves the rows: take both now */
		t = &c->rows[c->nrows - 2];
		k = &c->rows[c->nrows - 1];
		for (int s = 0; s < 2; s++) {
			for (unsigned int r = 0; r < (s ? nn : nb); r++) {
				double u = gsl_ran_gaussian(rng, 0.03);

				for (int i = 0; i < 8; i++) {
					double f = s && !j ? factor : 1;
					double cf = s && !j ? cfactor : 1;

					put(c, t, s, r, 1000 * (j + 1) * f *
					    exp(u + gsl_ran_gaussian(rng, 0.02)));
					put(c, k, s, r, gsl_ran_poisson(rng, 2 * cf) / 1000.0);
				}
			}
		}
	}
	assert_int_equal(flb_cmp_analyse(c), 0);
}

static void test_random_tables_consistent(void **state)
{
	static const double factors[] = { 0.8, 0.97, 1, 1.03, 1.3 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	int marked = 0;

	(void)state;
	gsl_rng_set(rng, 42);
	for (int k = 0; k < 300; k++) {
		struct flb_cmp c;

		random_table(rng, &c, 2 + k % 4, 2 + (k / 4) % 4,
			     factors[k % 5], factors[(k / 5) % 5]);
		check_consistent(&c);
		for (size_t i = 0; i < c.nrows; i++)
			marked += c.rows[i].mark != FLB_MARK_NONE;
		flb_cmp_free(&c);
	}
	print_message("# 300 random tables consistent (%d marks)\n", marked);
	assert_true(marked > 50);
	gsl_rng_free(rng);
}

/*
 * ns/op is a job's primary metric; ops/s of the same samples its mirror
 * (shown, never tested); a counter is secondary, in a family of its own;
 * redis_like's primary metric is ops/s.
 */
static void test_roles(void **state)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	const char *rows[][2] = {
		{ "mprotect", "ns_per_op" }, { "mprotect", "ops_per_sec" },
		{ "mprotect", "page-faults/op" }, { "redis_like", "ops_per_sec" },
		{ "redis_like", "ns_per_op" },
	};
	static const enum flb_role want[] = {
		FLB_ROLE_PRIMARY, FLB_ROLE_MIRROR, FLB_ROLE_SECONDARY,
		FLB_ROLE_PRIMARY, FLB_ROLE_MIRROR,
	};
	struct flb_cmp c;

	(void)state;
	gsl_rng_set(rng, 1);
	table(&c, 3, 3);
	for (int i = 0; i < 5; i++) {
		struct flb_row *r = row(&c, rows[i][0], "x=1", rows[i][1],
				       strstr(rows[i][1], "ops_per") ?
				       FLB_HIGHER_IS_BETTER : FLB_LOWER_IS_BETTER);

		for (int s = 0; s < 2; s++)
			for (unsigned int k = 0; k < 3; k++)
				for (int j = 0; j < 5; j++)
					put(&c, r, s, k, 100 + gsl_rng_uniform(rng));
	}
	assert_int_equal(flb_cmp_analyse(&c), 0);
	for (int i = 0; i < 5; i++) {
		const struct flb_row *r = NULL;

		for (size_t k = 0; k < c.nrows; k++)
			if (!strcmp(c.rows[k].workload, rows[i][0]) &&
			    !strcmp(c.rows[k].metric, rows[i][1]))
				r = &c.rows[k];
		assert_non_null(r);
		assert_int_equal(r->role, want[i]);
		assert_int_equal(r->testable, want[i] != FLB_ROLE_MIRROR);
	}
	assert_int_equal(c.nprimary, 2);
	assert_int_equal(c.nsecondary, 1);
	flb_cmp_free(&c);
	gsl_rng_free(rng);
}

/*
 * The same noise, NEW 1% slower or 1% faster: the improvement reads
 * -1.00% and +1.00%, both are marked at --min-effect 1 (the threshold is
 * on |log ratio|), and 100 -> 90 ns/op reads +11.11%, 100 -> 110 -10.00%.
 */
static void test_symmetric(void **state)
{
	static const double f[] = { 1.01, 1 / 1.01, 0.9, 1.1 };
	static const double want[] = { -1, 1, 100 / 0.9 - 100, -10 };
	static const enum flb_mark mark[] = {
		FLB_MARK_REGRESSED, FLB_MARK_IMPROVED, FLB_MARK_IMPROVED,
		FLB_MARK_REGRESSED,
	};

	(void)state;
	for (int k = 0; k < 4; k++) {
		gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
		struct flb_cmp c;
		struct flb_row *r;

		gsl_rng_set(rng, 3);
		table(&c, 4, 4);
		for (int j = 0; j < 8; j++) {
			char p[16];

			snprintf(p, sizeof(p), "npages=%d", j);
			r = row(&c, "mprotect", p, "ns_per_op", FLB_LOWER_IS_BETTER);
			for (unsigned int q = 0; q < 4; q++) {
				for (int i = 0; i < 6; i++) {
					double v = 100 * exp(gsl_ran_gaussian(rng, 0.0005));

					put(&c, r, 0, q, v);
					put(&c, r, 1, q, v * (j ? 1 : f[k]));
				}
			}
		}
		assert_int_equal(flb_cmp_analyse(&c), 0);
		check_consistent(&c);
		r = find(&c, "npages=0", "ns_per_op");
		assert_float_equal(flb_row_improvement(r), want[k], 1e-6);
		assert_int_equal(r->mark, mark[k]);
		flb_cmp_free(&c);
		gsl_rng_free(rng);
	}
}

/*
 * Counts per op: a counter that halves is an improvement (lower is
 * better), in its own family; a counter 0 on both sides is dropped; one
 * that is 0 in BASE only has no relative change but is still tested.
 */
static void test_counters(void **state)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct flb_cmp c;
	struct flb_row *r;

	(void)state;
	gsl_rng_set(rng, 5);
	table(&c, 3, 3);
	r = row(&c, "munmap", "size=2M", "ns_per_op", FLB_LOWER_IS_BETTER);
	for (int s = 0; s < 2; s++)
		for (unsigned int k = 0; k < 3; k++)
			for (int i = 0; i < 10; i++)
				put(&c, r, s, k, 1000 + gsl_rng_uniform(rng));
	r = row(&c, "munmap", "size=2M", "irq:TLB/op", FLB_LOWER_IS_BETTER);
	for (int s = 0; s < 2; s++)
		for (unsigned int k = 0; k < 3; k++)
			for (int i = 0; i < 10; i++)
				put(&c, r, s, k, gsl_ran_poisson(rng, s ? 50 : 100) / 1000.0);
	r = row(&c, "munmap", "size=2M", "irq:IWI/op", FLB_LOWER_IS_BETTER);
	for (int s = 0; s < 2; s++)
		for (unsigned int k = 0; k < 3; k++)
			put(&c, r, s, k, 0);
	r = row(&c, "munmap", "size=2M", "irq:CAL/op", FLB_LOWER_IS_BETTER);
	for (int s = 0; s < 2; s++)
		for (unsigned int k = 0; k < 3; k++)
			for (int i = 0; i < 4; i++)
				put(&c, r, s, k, s ? 1 + i % 2 : 0);
	assert_int_equal(flb_cmp_analyse(&c), 0);
	check_consistent(&c);
	assert_null(find(&c, "size=2M", "irq:IWI/op"));
	r = find(&c, "size=2M", "irq:TLB/op");
	assert_int_equal(r->role, FLB_ROLE_SECONDARY);
	assert_true(flb_row_improvement(r) > 30);
	assert_int_equal(r->mark, FLB_MARK_IMPROVED);
	r = find(&c, "size=2M", "irq:CAL/op");
	assert_true(r->testable);
	assert_true(isnan(flb_row_improvement(r)));
	assert_int_equal(r->mark, FLB_MARK_REGRESSED);
	assert_int_equal(c.nsecondary, 2);
	assert_int_equal(c.nprimary, 1);
	flb_cmp_free(&c);
	gsl_rng_free(rng);
}

/*
 * One run a side: the run-to-run variance is unknown, nothing is marked
 * however far apart; with a calibration of the row it is known (and
 * says where it came from).
 */
static void test_one_run(void **state)
{
	struct flb_calib k = {
		.workload = "fork", .params = "rss=0", .metric = "ns_per_op",
		.label = "aa", .created_at = "now", .runs = 10,
		.invocations = 5, .boots = 1, .samples_per_run = 10,
		.run_var = 0.02 * 0.02, .inv_var = 0.015 * 0.015,
		.within_var = 0.01 * 0.01, .boot_var = NAN,
	};

	(void)state;
	for (int cal = 0; cal < 2; cal++) {
		struct flb_cmp c;
		struct flb_row *r;

		table(&c, 1, 1);
		r = row(&c, "fork", "rss=0", "ns_per_op", FLB_LOWER_IS_BETTER);
		for (int i = 0; i < 10; i++) {
			put(&c, r, 0, 0, 1000 + i);
			put(&c, r, 1, 0, 1500 + i);
		}
		if (cal)
			assert_int_equal(flb_cmp_add_cal(&c, &k), 0);
		assert_int_equal(flb_cmp_analyse(&c), 0);
		r = &c.rows[0];
		assert_int_equal(r->testable, cal);
		if (cal) {
			assert_int_equal(r->rs[0].src, FLB_VAR_CALIB);
			assert_int_equal(r->mark, FLB_MARK_REGRESSED);
			assert_false(isnan(flb_row_mde_pct(r)));
		} else {
			assert_string_equal(flb_row_untested_why(&c, r),
					    "1 run per side: run-to-run variance unknown");
			assert_int_equal(r->mark, FLB_MARK_NONE);
			assert_true(isnan(flb_row_mde_pct(r)));
		}
		assert_float_equal(flb_row_improvement(r), -50, 1);
		flb_cmp_free(&c);
	}
}

/*
 * Sides from different boots: a calibration with a between-boot variance
 * adds it (a larger standard error); from one boot, nothing is added.
 */
static void test_boot_variance(void **state)
{
	struct flb_calib k = {
		.workload = "fork", .params = "rss=0", .metric = "ns_per_op",
		.label = "aa", .created_at = "now", .runs = 8,
		.invocations = 8, .boots = 4, .samples_per_run = 10,
		.run_var = NAN, .inv_var = 0.01 * 0.01,
		.within_var = 0.01 * 0.01, .boot_var = 0.05 * 0.05,
	};
	double se[2];

	(void)state;
	for (int same = 0; same < 2; same++) {
		gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
		struct flb_cmp c;
		struct flb_row *r;

		gsl_rng_set(rng, 9);
		table(&c, 3, 3);
		if (same)
			for (unsigned int q = 0; q < 3; q++)
				strcpy(c.set[1].runs[q].boot_id, "boot-0");
		r = row(&c, "fork", "rss=0", "ns_per_op", FLB_LOWER_IS_BETTER);
		for (int s = 0; s < 2; s++)
			for (unsigned int q = 0; q < 3; q++)
				for (int i = 0; i < 10; i++)
					put(&c, r, s, q, 1000 * exp(gsl_ran_gaussian(rng, 0.01)));
		assert_int_equal(flb_cmp_add_cal(&c, &k), 0);
		assert_int_equal(flb_cmp_analyse(&c), 0);
		assert_int_equal(c.boots_differ, !same);
		assert_int_equal(c.rows[0].boot_added, !same);
		se[same] = c.rows[0].se;
		flb_cmp_free(&c);
		gsl_rng_free(rng);
	}
	assert_true(se[0] > 0.05 && se[1] < 0.02);
}

/*
 * The table-wide geometric mean: every job 5% slower reads about -5%
 * with an interval excluding 0, from per-run suite scores.
 */
static void test_geomean(void **state)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct flb_cmp c;

	(void)state;
	gsl_rng_set(rng, 4);
	table(&c, 4, 4);
	for (int j = 0; j < 6; j++) {
		char p[16];
		struct flb_row *r;

		snprintf(p, sizeof(p), "npages=%d", j);
		r = row(&c, "mprotect", p, "ns_per_op", FLB_LOWER_IS_BETTER);
		for (int s = 0; s < 2; s++)
			for (unsigned int q = 0; q < 4; q++)
				for (int i = 0; i < 5; i++)
					put(&c, r, s, q, (s ? 1.05 : 1) * 100 *
					    exp(gsl_ran_gaussian(rng, 0.005)));
	}
	assert_int_equal(flb_cmp_analyse(&c), 0);
	assert_int_equal(c.geo.n, 6);
	assert_true(c.geo.by_run);
	assert_float_equal(c.geo.est, -log(1.05), 0.005);
	assert_true(c.geo.hi < 0 && c.geo.lo < c.geo.est && c.geo.est < c.geo.hi);
	flb_cmp_free(&c);
	gsl_rng_free(rng);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_symmetric),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_one_run),
		cmocka_unit_test(test_boot_variance),
		cmocka_unit_test(test_geomean),
		cmocka_unit_test(test_random_tables_consistent),
	};

	flb_cmp_set_catalog(&flb_workload_catalog);

	return cmocka_run_group_tests(tests, NULL, NULL);
}
