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

enum fb_format { FB_FMT_RST, FB_FMT_MD, FB_FMT_JSON, FB_FMT_CSV };

enum fb_mark {
	FB_MARK_NONE,
	FB_MARK_IMPROVED,	/* (I) */
	FB_MARK_REGRESSED,	/* (R) */
};

/*
 * What a row is to the verdict. Each job has one primary metric (its
 * workload's declared one, else ns_per_op): these rows are the Holm
 * family that marks and gates. ops_per_sec of an ns_per_op job (or the
 * reverse) is the same samples: shown, never tested twice. Counters per
 * op and the workloads' other metrics explain a change: tested in a
 * family of their own, never gating.
 */
enum fb_role { FB_ROLE_PRIMARY, FB_ROLE_MIRROR, FB_ROLE_SECONDARY };

/* Where the variance of a side's run statistic comes from. */
enum fb_var_src {
	FB_VAR_NONE,	/* unknown: one run, no calibration, no prior */
	FB_VAR_RUNS,	/* its own runs, moderated across the table's rows */
	FB_VAR_PRIOR,	/* one run: the prior fitted on the table's other runs */
	FB_VAR_CALIB,	/* one run: the host's stored calibration */
};

struct fb_cmp_opts {
	const char *cmd;	/* for messages: "compare", "ci", ... */
	const char *db;
	double min_effect;	/* fraction: 0.01 = 1% of |log ratio| */
	const char *effect_opt;	/* its option name, for messages */
	double alpha;		/* family-wise, for Holm */
	double conf;		/* interval level */
	double power;		/* for the minimum detectable effect */
	const char *metric;	/* only this metric (NULL: all) */
	const char *workload;	/* only this workload (NULL: all) */
	enum fb_format format;
	bool brief;		/* rst/md: only the seed's three columns */
	bool no_calib;		/* do not use the stored calibration */
	const char *out;	/* -o */
};

/* One side's values of one row, with the run each came from. */
struct fb_vals {
	double *v;
	double *el;		/* elapsed ns of the value's sample */
	int64_t *run;
	size_t n, cap;
};

/* One run's values of a row. */
struct fb_run_stat {
	int64_t run;
	size_t n;	/* samples */
	size_t group;	/* its invocation: index into the side's groups */
	double stat;	/* log rows: median of log values; else the mean */
	double wvar;	/* log rows: variance of the log values; NAN: n < 2 */
	double rvar;	/* the same from the MAD (robust); NAN: n < 3 */
};

/*
 * The runs of one invocation (one `flushbench run` command, its rounds):
 * runs close in time share the host's state, so the invocation is the
 * unit of inference.
 */
struct fb_group {
	const char *id;	/* run.invocation ("": the run alone), borrowed */
	int64_t run;	/* its first run */
	size_t nruns;
	double stat;	/* the mean of its runs' statistics */
};

/* A side of a row: runs, and invocations. */
struct fb_side_runs {
	struct fb_run_stat *r;
	size_t n;		/* runs */
	struct fb_group *g;
	size_t ng;		/* invocations */
	double mean, s2;	/* of the invocation statistics; s2 NAN under 2 */
	double m;		/* samples per run, mean */
	double rpg;		/* runs per invocation, mean */
	double wvar;		/* pooled within-run variance (log rows), NAN */
	double rvar, rdf;	/* of run statistics within invocations, df */
	double floor;		/* the variance a run's median has at the least */
	enum fb_var_src src;
	double var, df;		/* variance of one invocation's statistic, df */
};

/* A stored calibration row, matched to a table row. */
struct fb_cal {
	char *workload, *params, *metric, *label, *created_at;
	long runs, invocations, boots;
	double m, run_var, inv_var, within_var, boot_var, sample_s, median;
	double inv_post, inv_df;	/* inv_var moderated across rows */
};

struct fb_row {
	char *workload, *params, *metric, *unit;
	enum fb_better better;
	enum fb_role role;
	struct fb_vals side[2];
	/* filled by fb_cmp_analyse */
	struct fb_summary sum[2];
	struct fb_side_runs rs[2];
	const struct fb_cal *cal;	/* this host's calibration, or NULL */
	bool tested;		/* present on both sides */
	bool testable;		/* and a variance on both: p, interval, mark */
	bool logscale;		/* est is log(NEW/BASE), else NEW - BASE */
	bool boot_added;	/* the calibrated between-boot variance is in se */
	double est, se, df;	/* the change and its standard error */
	double lo, hi;		/* its interval, at conf */
	double p, p_adj;	/* t test; after Holm in the row's family */
	double mde;		/* on est's scale; NAN: not detectable */
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

/* The table-wide geometric mean of the primary rows' changes. */
struct fb_geo {
	size_t n;		/* rows in it */
	bool by_run;		/* per-run suite scores (else rows independent) */
	double est, lo, hi;	/* mean better-oriented log change, interval */
};

struct fb_cmp {
	struct fb_cmp_opts o;
	struct fb_store *st;
	struct fb_set set[2];
	unsigned int nsets;	/* 1 for calibrate */
	struct fb_row *rows;
	size_t nrows;
	size_t ntested;		/* rows on both sides */
	size_t nprimary;	/* primary rows tested: the Holm family */
	size_t nsecondary;	/* secondary rows tested: their own family */
	struct fb_prior prior;	/* fitted on the primary rows' runs */
	struct fb_prior cal_prior;	/* on the calibration's rows */
	struct fb_cal *cal;	/* the calibration of this host and config */
	size_t ncal;
	const char *cal_host, *cal_config;	/* its key (borrowed) */
	const char *no_cal_why;	/* why none is used, or NULL */
	bool boots_differ;	/* BASE and NEW share no boot */
	struct fb_geo geo;
};
void fb_cmp_defaults(struct fb_cmp_opts *o, const char *cmd);
/* Help lines of the options fb_cmp_opt parses. */
extern const char fb_cmp_common_help[];
/*
 * A command's own options: argv[*i] taken (1, *i past its value), not
 * one of them (0), or bad (-1, after a message).
 */
typedef int (*fb_cmp_own_opt)(void *ctx, int argc, char **argv, int *i);
/*
 * Parse a command's argv (argv[0] is its name) into o and at most max
 * positional arguments (*npos of them), offering each option to own
 * first (when not NULL). 0; 1 on --help; 2 after a message.
 */
int fb_cmp_args(struct fb_cmp_opts *o, int argc, char **argv,
		const char **pos, int max, int *npos, fb_cmp_own_opt own,
		void *ctx);
/*
 * Parse one option shared by the commands (--db, --format, --min-effect,
 * --alpha, --conf, --power, --metric, --workload, --brief, --no-calibration,
 * -o).
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
 * One side of a row run by run and invocation by invocation (set gives
 * each run's invocation; NULL or "": each run its own): statistics, the
 * invocations' mean and variance, the spread within. 0 or -ENOMEM.
 */
int fb_side_runs(const struct fb_vals *v, const struct fb_set *set,
		 bool logscale, struct fb_side_runs *out);
void fb_side_runs_free(struct fb_side_runs *s);
void fb_row_free(struct fb_row *r);
/*
 * A calibrated row: the variance of one run's statistic within an
 * invocation at m samples per run (the between-run part, plus the
 * within-run part at m: the median of m values varies pi/2 times as much
 * as their mean), and of an invocation's statistic of that many runs (the
 * moderated between-invocation variance added; NAN when the calibration
 * came from one invocation).
 */
double fb_cal_run_var(const struct fb_cal *k, double m);
double fb_cal_var(const struct fb_cal *k, double m, double runs);
/* Load this host's calibration for c's sets (0, or 2 after a message). */
int fb_cmp_load_calib(struct fb_cmp *c);
/* Add one calibration row to c (copied). 0 or -ENOMEM. */
int fb_cmp_add_cal(struct fb_cmp *c, const struct fb_calib *k);
/*
 * The prior of c's calibration rows (their primary rows' variances
 * between invocations), and each row's moderated one (never below its
 * own) with its degrees of freedom (fb_cmp_analyse does it). 0 or
 * -ENOMEM.
 */
int fb_cmp_fit_cal(struct fb_cmp *c);
/*
 * The calibration of every primary row of c's first set with two runs or
 * more (c analysed): the variance between runs of one invocation, between
 * invocations (two or more), between boots (two or more); *out is
 * malloc'd, its strings borrowed from c. 0 or -ENOMEM.
 */
int fb_cmp_calibration(const struct fb_cmp *c, struct fb_calib **out,
		       size_t *n);

/*
 * The improvement (%, > 0 better) a change v on r's scale stands for.
 * Log rows: x% faster or more is +x% (e^|d| - 1, the gain in ops/s),
 * x% slower -x% (the growth of ns/op): a 1% slowdown and a 1% speed-up
 * read alike. Other rows: the change as a share of the BASE mean.
 */
double fb_row_pct(const struct fb_row *r, double v);
double fb_row_improvement(const struct fb_row *r);
/* The interval of the improvement in percent (lo <= hi). */
void fb_row_improvement_ci(const struct fb_row *r, double *lo, double *hi);
/* The minimum detectable effect in percent (NAN: not detectable). */
double fb_row_mde_pct(const struct fb_row *r);
/* "Clients: 100 Ratio: 1:5 (Ops/sec)", as patch mails show a row. */
void fb_row_class(const struct fb_row *r, char *buf, size_t len);
/* "ns/op", "Ops/sec", "tlb:tlb_flush/op", "latency_p99 (us)" */
void fb_metric_label(const struct fb_row *r, char *buf, size_t len);
/* What a row without a test lacks, for cells and messages. */
const char *fb_row_untested_why(const struct fb_cmp *c,
				const struct fb_row *r);

/* One difference of configuration between the two sets. */
struct fb_envdiff {
	const char *key;
	const char *base, *new;		/* "" when absent */
};

/*
 * Configuration differences: *out is malloc'd (keys borrowed from the
 * sets' environments). Volatile keys (times, ...) are left out.
 */
size_t fb_cmp_envdiff(const struct fb_cmp *c, struct fb_envdiff **out);
/* Whether key is left out of configuration differences. */
bool fb_env_volatile(const char *key);

/* Lines of a text table (rst grid or markdown). */
#define FB_NCOLS 12
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
 * The comparison as text lines (malloc'd, *n of them): the primary rows
 * and the table-wide geometric mean (columns fb_cmp_headers), or with
 * secondary set the secondary rows (fb_cmp_sec_headers).
 */
struct fb_line *fb_cmp_lines(const struct fb_cmp *c, bool secondary,
			     size_t *n);
extern const char *const fb_cmp_headers[];
extern const char *const fb_cmp_sec_headers[];
#define FB_CMP_NCOLS 10		/* of fb_cmp_headers */
#define FB_CMP_NSEC 8		/* of fb_cmp_sec_headers */

/* Print the table in o.format. */
void fb_cmp_print(const struct fb_cmp *c, FILE *f);
/* Header lines (sets and their configuration differences), "prefix" first. */
void fb_cmp_print_header(const struct fb_cmp *c, FILE *f, const char *prefix);
/* The --min-effect against detectable effect warning, on stderr. */
void fb_cmp_warn_floor(const struct fb_cmp *c);

/* Create the output directory (it may exist). 0 or -1 after a message. */
int fb_mkdir_out(const char *cmd, const char *dir);
/* change.{png,svg} and dist.{png,svg} of c into dir. 0 or 2 after a message. */
int fb_plot_compare(const struct fb_cmp *c, const char *dir);

/* "flushbench CMD: " messages on stderr. */
void fb_msg(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
