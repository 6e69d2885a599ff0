/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parts of a report a maintainer reads, in the order a report shows
 * them: the verdict paragraph, the seed-style table, the plots, the
 * environment. `flushbench report BASE NEW` uses them over one
 * comparison; a report over many comparisons (a matrix of kernels,
 * preempt models, native and VM) calls the same functions with a column
 * per comparison. Each writes markdown, or with html an HTML fragment
 * (text escaped) for a page that carries report_css's classes.
 */
#ifndef FLB_REPORT_H
#define FLB_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "cmp.h"

/* --- the seed-style table (analysis/seed.c) --- */

/* One column of a seed-style table: one comparison, already analysed. */
struct flb_seed_col {
	const char *name;		/* its header: "v2", "K vs A" */
	const struct flb_cmp *c;	/* NULL: the column was not run */
};

/* Which primary rows a table keeps (NULL: all of them). */
typedef bool (*flb_seed_keep)(const struct flb_row *r);

/*
 * The seed-style table, as the posted patches show theirs: Benchmark |
 * Result Class | a column per comparison, one line per primary row of
 * any column that keep keeps (a row missing from a column reads "not
 * run"), a workload's rows together, each cell flb_seed_cell's, then a
 * line saying how to read the cells. In HTML a marked cell has class "I"
 * or "R", and its row the classes of the marks it has. Returns the lines
 * of the table (0: nothing written) or -ENOMEM (nothing written).
 */
int flb_seed_table(FILE *f, const struct flb_seed_col *col, size_t ncol,
		   flb_seed_keep keep, bool html);

/*
 * A row's cell: "(R) -12.30% (MDE 3.1%)", "+0.40% (MDE 2.0%)", or
 * "n/t (why)" when it has no test (only on one side, one run a side...),
 * "not run" when r is NULL.
 */
void flb_seed_cell(const struct flb_cmp *c, const struct flb_row *r,
		   char *buf, size_t len);

/* A row of a table, as the Result Class sees it. */
struct flb_seed_key {
	const char *workload;
	const char *params;	/* "npages=64 threads=1 placement=spread" */
};

/*
 * The parameters of row i of a table of n rows that tell it apart from
 * the table's other rows of its workload, as "npages=64 threads=1"
 * (guest/matrix.c's rule, the seed's tables). A workload's only row keeps
 * its parameters that are not the workload's defaults (the catalog's
 * flb_row_class rule), "defaults" when none is.
 */
void flb_seed_class(const struct flb_seed_key *k, size_t n, size_t i,
		    char *buf, size_t len);

/* The metric as the seed's tables label it: "time/op", "Ops/sec". */
void flb_seed_metric(const struct flb_row *r, char *buf, size_t len);

/* Text escaped for markdown table cells and text (HTML: flb_xml_text). */
void flb_md_text(FILE *f, const char *s);

/* --- the rest of a report (analysis/report.c) --- */

/* The primary rows of a comparison by what the test could say of them. */
struct flb_verdict_counts {
	size_t rows;		/* primary rows, on either side */
	size_t improved, regressed;	/* marked (I), (R) */
	size_t unmarked;	/* testable, no mark: no change above its MDE */
	size_t untestable;	/* on both sides, no test (one run a side) */
	size_t one_side;	/* only in BASE or only in NEW */
	double mde_lo, mde_hi;	/* the unmarked rows' MDE range, % (NAN) */
};
void flb_verdict_count(const struct flb_cmp *c, struct flb_verdict_counts *n);

/*
 * The verdict in one paragraph: n improved, n regressed (the rows named),
 * n unmarked (no change seen above its MDE, with the MDEs' range), n not
 * testable and why, out of n primary rows; and the geometric mean of the
 * primary changes with its interval (c->geo).
 */
void flb_report_verdict(const struct flb_cmp *c, FILE *f, bool html);

/*
 * The environments: the configuration keys that differ between BASE and
 * NEW as a table (key, BASE, NEW), then the others (the same on both
 * sides, or volatile: times, ids) folded in a <details> element in HTML,
 * in one compact paragraph "key=value; key=value" in markdown.
 */
void flb_report_env(const struct flb_cmp *c, FILE *f, bool html);

/*
 * DIR/NAME.svg inlined in an HTML page: from its <svg element on (no XML
 * prolog or DOCTYPE), its ids and the references to them prefixed with
 * NAME- so that several plots in one page keep theirs apart. 0, or -1
 * after a message (cmd's) when it is unreadable or no SVG.
 */
int flb_report_svg(FILE *f, const char *cmd, const char *dir,
		   const char *name);

/* The <style> of a report page: the classes the functions above use. */
extern const char flb_report_css[];

#endif
