// SPDX-License-Identifier: GPL-2.0
/*
 * The seed-style table (analysis/seed.c) on comparisons built in memory:
 * the Result Class keeps what tells a workload's rows apart (a lone row:
 * what is not the workload's default); a table of several columns has a
 * line per primary row of any column, "not run" where a column lacks it,
 * a workload's rows together; the slowed row reads (R) in its column
 * only, with class R in HTML; a row of one run a side reads n/t; a
 * filter keeps its rows only.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "analysis/report.h"
#include "cmp_tables.h"
#include "workload.h"

static void class_of(const struct flb_seed_key *k, size_t n, size_t i,
		     const char *want)
{
	char buf[FLB_CELL];

	flb_seed_class(k, n, i, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_class(void **state)
{
	static const struct flb_seed_key k[] = {
		{ "fork", "rss=0 threads=0 placement=spread" },
		{ "fork", "rss=64M threads=0 placement=spread" },
		{ "munmap", "size=2M threads=0" },
		{ "munmap", "size=64K threads=1" },
		{ "mprotect", "npages=512 threads=1 placement=spread" },
		{ "migrate", "hop_cpus=2 npages=512 placement=spread" },
		{ "nosuch", "a=1 placement=spread" },
	};

	(void)state;
	/* the words one row of the workload lacks; shared ones dropped */
	class_of(k, 7, 0, "rss=0");
	class_of(k, 7, 1, "rss=64M");
	class_of(k, 7, 2, "size=2M threads=0");
	class_of(k, 7, 3, "size=64K threads=1");
	/* a lone row: what is not the workload's default (npages=512) */
	class_of(k, 7, 4, "threads=1");
	class_of(k, 7, 6, "a=1");
	/* every word a default: said so, never an empty cell */
	class_of(k, 7, 5, "defaults");
}

/* An ns_per_op row of 10 values a run, NEW factor times BASE's. */
static void slow_row(struct flb_cmp *c, gsl_rng *rng, const char *w,
		     const char *p, double factor)
{
	struct flb_row *r = row(c, w, p, "ns_per_op", FLB_LOWER_IS_BETTER);

	for (int s = 0; s < 2; s++)
		for (unsigned int k = 0; k < c->set[s].nruns * 10; k++)
			put(c, r, s, k / 10, (s ? factor : 1) * 1000 *
			    exp(gsl_ran_gaussian(rng, 0.01)));
}

static bool only_fork(const struct flb_row *r)
{
	return !strcmp(r->workload, "fork");
}

/* The table of col[0..n-1] (the rows keep keeps), of lines lines. */
static char *print(const struct flb_seed_col *col, size_t n,
		   flb_seed_keep keep, int lines, bool html)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(flb_seed_table(f, col, n, keep, html), lines);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_columns(void **state)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct flb_cmp a, b, one;
	const struct flb_seed_col col[] = {
		{ "v2", &a }, { "off", &b }, { "none", NULL }, { "1 run", &one },
	};
	char *md, *html, *p;

	(void)state;
	gsl_rng_set(rng, 7);
	table(&a, 4, 4);
	slow_row(&a, rng, "fork", "rss=0 threads=0", 1.3);
	slow_row(&a, rng, "munmap", "size=2M threads=0", 1);
	slow_row(&a, rng, "fork", "rss=64M threads=0", 1);
	table(&b, 4, 4);
	slow_row(&b, rng, "munmap", "size=2M threads=0", 1);
	slow_row(&b, rng, "munmap", "size=64K threads=1", 1);
	slow_row(&b, rng, "fork", "rss=0 threads=0", 1);
	table(&one, 1, 1);
	slow_row(&one, rng, "fork", "rss=0 threads=0", 1);
	assert_int_equal(flb_cmp_analyse(&a), 0);
	assert_int_equal(flb_cmp_analyse(&b), 0);
	assert_int_equal(flb_cmp_analyse(&one), 0);
	assert_int_equal(a.rows[0].mark, FLB_MARK_REGRESSED);
	md = print(col, 4, NULL, 4, false);
	p = strstr(md, "| Benchmark | Result Class | v2 | off | none | 1 run |\n| --- | --- | ---: | ---: | ---: | ---: |\n");
	assert_non_null(p);
	/* the workloads' rows together, in their first column's order */
	p = strstr(p, "\n| fork | rss=0 (time/op) | (R) -");
	assert_non_null(p);
	assert_non_null(strstr(p, "| not run | n/t (1 run per side) |\n| fork | rss=64M (time/op) | "));
	p = strstr(p, "\n| fork | rss=64M (time/op) | ");
	assert_non_null(strstr(p, "| not run | not run | not run |\n| munmap | size=2M threads=0 (time/op) | "));
	p = strstr(p, "\n| munmap | size=2M threads=0 (time/op) | ");
	p = strstr(p + 1, "\n| munmap | size=64K threads=1 (time/op) | not run | ");
	assert_non_null(p);
	assert_non_null(strstr(p, "| not run | not run |\n\nEach cell:"));
	/* (R) in v2 only: no other cell is marked */
	*strstr(md, "\n\nEach cell:") = '\0';
	assert_null(strstr(strstr(md, "(R)") + 1, "(R)"));
	assert_null(strstr(md, "(I)"));

	html = print(col, 4, NULL, 4, true);
	assert_non_null(strstr(html, "<tr class=\"R\"><td>fork</td><td>rss=0 (time/op)</td><td class=\"num R\">(R) -"));
	assert_non_null(strstr(html, "<tr><td>fork</td><td>rss=64M (time/op)</td><td class=\"num\">"));
	free(md);
	free(html);
	/* a filter keeps its rows only */
	md = print(col, 4, only_fork, 2, false);
	assert_null(strstr(md, "munmap"));
	free(md);
	flb_cmp_free(&a);
	flb_cmp_free(&b);
	flb_cmp_free(&one);
	gsl_rng_free(rng);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_class),
		cmocka_unit_test(test_columns),
	};

	flb_cmp_set_catalog(&flb_workload_catalog);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
