/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The comparison engine shared by compare, plot, report, ci and
 * calibrate: two sets of runs read from the store (read-only), their
 * values grouped into rows (workload, params, metric), and per row the
 * medians, the change with its interval, the p-value, Holm's adjustment,
 * the (I)/(R) mark and the noise floor.
 */
#ifndef FB_CMP_H
#define FB_CMP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "env.h"
#include "store.h"
#include "stats.h"

enum fb_side_idx { FB_BASE, FB_NEW };

enum fb_ci_method { FB_CI_HL, FB_CI_BOOTSTRAP };

enum fb_format { FB_FMT_RST, FB_FMT_MD, FB_FMT_JSON, FB_FMT_CSV };

enum fb_mark {
	FB_MARK_NONE,
	FB_MARK_IMPROVED,	/* (I) */
	FB_MARK_REGRESSED,	/* (R) */
};

struct fb_cmp_opts {
	const char *cmd;	/* for messages: "compare", "ci", ... */
	const char *db;
	double min_effect;	/* fraction: 0.01 = 1% */
	const char *effect_opt;	/* its option name, for messages */
	double alpha;		/* family-wise, for Holm */
	double conf;		/* interval level */
	double power;		/* for the minimum detectable effect */
	enum fb_ci_method ci;
	unsigned int nboot;
	unsigned long seed;
	const char *metric;	/* only this metric (NULL: all) */
	const char *workload;	/* only this workload (NULL: all) */
	enum fb_format format;
	bool brief;		/* rst: only the seed's three columns */
	bool run_effect;	/* correct p and interval for run-to-run variance */
	const char *out;	/* -o */
};

/* One side's values of one row, with the run each came from. */
struct fb_vals {
	double *v;
	int64_t *run;
	size_t n, cap;
};

struct fb_row {
	char *workload, *params, *metric, *unit;
	enum fb_better better;
	struct fb_vals side[2];
	/* filled by fb_cmp_analyse */
	struct fb_summary sum[2];
	size_t nruns[2];	/* runs contributing values */
	double rr_cv[2];	/* CV of the per-run medians; NAN under 2 runs */
	double within_cv[2];	/* median of the runs' own CVs */
	bool tested;		/* present on both sides */
	bool have_ratio;	/* est/lo/hi hold NEW/BASE */
	struct fb_ratio r;
	double p, p_adj;	/* p after the run correction; after Holm */
	double p_pooled;	/* p treating every sample as independent */
	double icc, deff;	/* between-run share, design effect (1: none) */
	double mde, floor;	/* fractions */
	enum fb_mark mark;
};

struct fb_set {
	const char *spec;
	struct fb_run_row *runs;
	size_t nruns;
	struct fb_env env;	/* of the first run */
	const char **mixed;	/* keys whose value differs between its runs */
	size_t nmixed;
	size_t nvalues;
};

struct fb_cmp {
	struct fb_cmp_opts o;
	struct fb_store *st;
	struct fb_set set[2];
	unsigned int nsets;	/* 1 for calibrate */
	struct fb_row *rows;
	size_t nrows;
	size_t ntested;
};

/* One difference of configuration between the two sets. */
struct fb_envdiff {
	const char *key;
	const char *base, *new;		/* "" when absent */
};

void fb_cmp_defaults(struct fb_cmp_opts *o, const char *cmd);
/* Help lines of the options fb_cmp_opt parses. */
extern const char fb_cmp_common_help[];
/*
 * Parse a command's argv (argv[0] is its name) into o and at most max
 * positional arguments (*npos of them). 0; 1 on --help; 2 after a message.
 * Options the command handles itself are not accepted here.
 */
int fb_cmp_args(struct fb_cmp_opts *o, int argc, char **argv,
		const char **pos, int max, int *npos);
/*
 * Parse one option shared by the commands (--db, --format, --min-effect,
 * --alpha, --ci, --bootstrap, --seed, --metric, --workload, --brief, -o).
 * Returns 1 if consumed (*i advanced past its value), 0 if not ours, -1
 * after a message on a bad value.
 */
int fb_cmp_opt(struct fb_cmp_opts *o, int argc, char **argv, int *i);
/*
 * The start of a command over nsets (1 or 2) sets: parse argv, check the
 * positional arguments (what: "BASE and NEW"), load and analyse. 0: c is
 * ready; 1: --help was printed with usage(); 2: error, message given.
 * fb_cmp_free(c) is needed (and safe) in every case.
 */
int fb_cmp_begin(struct fb_cmp *c, struct fb_cmp_opts *o, int argc,
		 char **argv, unsigned int nsets, const char *what,
		 void (*usage)(FILE *f));
/* Parse a percentage "1", "1.5", "2%" into a fraction. 0 or -1. */
int fb_parse_pct(const char *s, double *frac);

/*
 * Open the store read-only and load the sets named by specs[0..n-1]
 * (n is 1 or 2). 0, or 2 after a message (unknown label, empty set,
 * unreadable or foreign database).
 */
int fb_cmp_load(struct fb_cmp *c, const struct fb_cmp_opts *o,
		const char *const *specs, unsigned int n);
/* Statistics of every row; 0 or 2 after a message. */
int fb_cmp_analyse(struct fb_cmp *c);
void fb_cmp_free(struct fb_cmp *c);

/*
 * The share of a row's variance that lies between runs (ICC, NAN when no
 * side has two runs) over its first nsides sides, on log values when all
 * are positive; *m: the average samples per run. 0 or -ENOMEM.
 */
int fb_row_icc(const struct fb_row *r, unsigned int nsides, double *icc,
	       double *m);
/* Percent change NEW vs BASE, and the same signed so that > 0 is better. */
double fb_row_change(const struct fb_row *r);
double fb_row_improvement(const struct fb_row *r);
/* The interval of the improvement in percent (needs have_ratio). */
void fb_row_improvement_ci(const struct fb_row *r, double *lo, double *hi);
/* "ns_per_op (ns)" style label; "rss=64M ns_per_op (ns)" with params. */
void fb_row_class(const struct fb_row *r, char *buf, size_t len);
/* Geometric mean of the improvement ratios of one workload's tested rows. */
bool fb_cmp_geomean(const struct fb_cmp *c, const char *workload,
		    double *improvement_pct, size_t *nrows);

/*
 * Configuration differences: *out is malloc'd (keys borrowed from the
 * sets' environments). Volatile keys (times, ...) are left out.
 */
size_t fb_cmp_envdiff(const struct fb_cmp *c, struct fb_envdiff **out);
/* Whether key is left out of configuration differences. */
bool fb_env_volatile(const char *key);

/* Lines of a text table (rst grid or markdown). */
#define FB_NCOLS 10
#define FB_CELL 160
struct fb_line {
	char cell[FB_NCOLS][FB_CELL];
	bool group_start;	/* first line of a group (rst: a rule above) */
};
void fb_print_rst(FILE *f, const char *const *headers, int ncols,
		  const struct fb_line *l, size_t n);
void fb_print_md(FILE *f, const char *const *headers, int ncols,
		 const struct fb_line *l, size_t n);
/* A CSV field (quoted when needed) or number (empty when NAN). */
void fb_csv_field(FILE *f, const char *s, bool last);
void fb_csv_num(FILE *f, double v, bool last);
/* A JSON number, null when not finite; an environment as an object. */
struct json_t;
struct json_t *fb_jnum(double v);
struct json_t *fb_env_json(const struct fb_env *e);

/*
 * The comparison as text lines (malloc'd, *n of them): a line per row and
 * a geometric-mean line per workload; columns fb_cmp_headers.
 */
struct fb_line *fb_cmp_lines(const struct fb_cmp *c, size_t *n);
extern const char *const fb_cmp_headers[FB_NCOLS];

/* Print the table in o.format. */
void fb_cmp_print(const struct fb_cmp *c, FILE *f);
/* Header lines (sets and their configuration differences), "prefix" first. */
void fb_cmp_print_header(const struct fb_cmp *c, FILE *f, const char *prefix);
/* The --min-effect against noise floor warning, on stderr. */
void fb_cmp_warn_floor(const struct fb_cmp *c);

/* Create the output directory (it may exist). 0 or -1 after a message. */
int fb_mkdir_out(const char *cmd, const char *dir);
/* change.{png,svg} and dist.{png,svg} of c into dir. 0 or 2 after a message. */
int fb_plot_compare(const struct fb_cmp *c, const char *dir);

/* "flushbench CMD: " messages on stderr. */
void fb_msg(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
