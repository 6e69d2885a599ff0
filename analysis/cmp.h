/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The comparison engine shared by compare, plot, report, ci and
 * calibrate: two sets of runs read from the store (read-only), their
 * values grouped into rows (workload, params, metric), and per row the
 * medians, the change with its interval, the p-value, Holm's adjustment,
 * the (I)/(R) mark and the noise floor.
 */
#ifndef FLB_CMP_H
#define FLB_CMP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cliopt.h"
#include "env.h"
#include "options.h"
#include "store.h"
#include "stats.h"

enum flb_side_idx { FLB_BASE, FLB_NEW };

/*
 * The workloads' primary metrics and result classes, from the
 * dispatcher (lib/result.h). Without one: ns_per_op, and every pair.
 */
void flb_cmp_set_catalog(const struct flb_catalog *c);
const char *flb_cmp_primary(const char *workload);
/* A job's parameters as the catalog's result class ("Rss: 4M"). */
void flb_cmp_params_class(const char *workload, const char *params,
			  char *buf, size_t len);

enum flb_format { FLB_FMT_RST, FLB_FMT_MD, FLB_FMT_JSON, FLB_FMT_CSV };

enum flb_mark {
	FLB_MARK_NONE,
	FLB_MARK_IMPROVED,	/* (I) */
	FLB_MARK_REGRESSED,	/* (R) */
};

/*
 * What a row is to the verdict. Each job has one primary metric (its
 * workload's declared one, else ns_per_op): these rows are the Holm
 * family that marks and gates. ops_per_sec of an ns_per_op job (or the
 * reverse) is the same samples: shown, never tested twice. Counters per
 * op and the workloads' other metrics explain a change: tested in a
 * family of their own, never gating.
 */
enum flb_role { FLB_ROLE_PRIMARY, FLB_ROLE_MIRROR, FLB_ROLE_SECONDARY };

/* Where the variance of a side's run statistic comes from. */
enum flb_var_src {
	FLB_VAR_NONE,	/* unknown: one run, no calibration, no prior */
	FLB_VAR_RUNS,	/* its own runs, moderated across the table's rows */
	FLB_VAR_PRIOR,	/* one run: the prior fitted on the table's other runs */
	FLB_VAR_CALIB,	/* one run: the host's stored calibration */
};

struct flb_cmp_opts {
	const char *cmd;	/* for messages: "compare", "ci", ... */
	const char *db;
	double min_effect;	/* fraction: 0.01 = 1% of |log ratio| */
	const char *effect_opt;	/* its option name, for messages */
	double alpha;		/* family-wise, for Holm */
	double conf;		/* interval level */
	double power;		/* for the minimum detectable effect */
	const char *metric;	/* only this metric (NULL: all) */
	const char *workload;	/* only this workload (NULL: all) */
	const char *host;	/* only the runs of this host (NULL: all) */
	enum flb_format format;
	bool brief;		/* rst/md: only the seed's three columns */
	bool no_calib;		/* do not use the stored calibration */
	const char *out;	/* -o */
	const char *duet;	/* --duet LABEL: its native duets, paired */
	bool paired;		/* BASE NEW from `flushbench duet`: paired */
	bool unpaired;		/* --unpaired: never paired */
	const char *matrix;	/* report --matrix FILE|LABELS */
	const char *baseline;	/* report --baseline KERNEL */
};

/* One side's values of one row, with the run each came from. */
struct flb_vals {
	double *v;
	double *el;		/* elapsed ns of the value's sample */
	int64_t *run;
	size_t n, cap;
};

/* One run's values of a row. */
struct flb_run_stat {
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
struct flb_group {
	const char *id;	/* run.invocation ("": the run alone), borrowed */
	int64_t run;	/* its first run */
	size_t nruns;
	double stat;	/* the mean of its runs' statistics */
};

/* A side of a row: runs, and invocations. */
struct flb_side_runs {
	struct flb_run_stat *r;
	size_t n;		/* runs */
	struct flb_group *g;
	size_t ng;		/* invocations */
	double mean, s2;	/* of the invocation statistics; s2 NAN under 2 */
	double m;		/* samples per run, mean */
	double rpg;		/* runs per invocation, mean */
	double wvar;		/* pooled within-run variance (log rows), NAN */
	double rvar, rdf;	/* of run statistics within invocations, df */
	double floor;		/* the variance a run's median has at the least */
	enum flb_var_src src;
	double var, df;		/* variance of one invocation's statistic, df */
};

/* A stored calibration row, matched to a table row. */
struct flb_cal {
	char *workload, *params, *metric, *label, *created_at;
	long runs, invocations, boots;
	double m, run_var, inv_var, within_var, boot_var, sample_s, median;
	double inv_post, inv_df;	/* inv_var moderated across rows */
};

struct flb_row {
	char *workload, *params, *metric, *unit;
	enum flb_better better;
	enum flb_role role;
	struct flb_vals side[2];
	/* filled by flb_cmp_analyse */
	struct flb_summary sum[2];
	struct flb_side_runs rs[2];
	const struct flb_cal *cal;	/* this host's calibration, or NULL */
	bool tested;		/* present on both sides */
	bool testable;		/* and a variance on both: p, interval, mark */
	bool logscale;		/* est is log(NEW/BASE), else NEW - BASE */
	bool boot_added;	/* the calibrated between-boot variance is in se */
	double est, se, df;	/* the change and its standard error */
	double lo, hi;		/* its interval, at conf */
	double p, p_adj;	/* t test; after Holm in the row's family */
	double mde;		/* on est's scale; NAN: not detectable */
	enum flb_mark mark;
};

struct flb_set {
	const char *spec;
	struct flb_run_row *runs;
	size_t nruns;
	struct flb_env env;	/* of the first run */
	const char **mixed;	/* keys whose value differs between its runs */
	size_t nmixed;
	size_t nvalues;
};

/* The table-wide geometric mean of the primary rows' changes. */
struct flb_geo {
	size_t n;		/* rows in it */
	bool by_run;		/* per-run suite scores (else rows independent) */
	double est, lo, hi;	/* mean better-oriented log change, interval */
};

struct flb_cmp {
	struct flb_cmp_opts o;
	struct flb_store *st;
	struct flb_set set[2];
	unsigned int nsets;	/* 1 for calibrate */
	struct flb_row *rows;
	size_t nrows;
	size_t ntested;		/* rows on both sides */
	size_t nprimary;	/* primary rows tested: the Holm family */
	size_t nsecondary;	/* secondary rows tested: their own family */
	struct flb_prior prior;	/* fitted on the primary rows' runs */
	struct flb_prior cal_prior;	/* on the calibration's rows */
	struct flb_cal *cal;	/* the calibration of this host and config */
	size_t ncal;
	const char *cal_host, *cal_config;	/* its key (borrowed) */
	const char *no_cal_why;	/* why none is used, or NULL */
	bool boots_differ;	/* BASE and NEW share no boot */
	struct flb_geo geo;
};
void flb_cmp_defaults(struct flb_cmp_opts *o, const char *cmd);
/*
 * The options every comparison command takes (--db, --min-effect,
 * --alpha, --conf, --power, --no-calibration, --metric, --workload), a
 * table over a struct flb_cmp_opts that each command includes in its own
 * (lib/cliopt.h).
 */
extern const struct flb_cliopt flb_cmp_cliopts[];
/* --format rst|md|json|csv into an enum flb_format (FLB_CLI_TYPED). */
extern const struct flb_option flb_cmp_format;
/* A percentage option into a double fraction (a cliopt callback). */
int flb_cmp_cli_pct(const struct flb_cliopt *o, const char *value, void *dst,
		    char *why, size_t len);
/*
 * The start of compare and report: parse argv with cli (its base o),
 * check for two positional arguments (what: "BASE and NEW"), load and
 * analyse. 0: c is ready; 1: --help was printed; 2: error, message given.
 * flb_cmp_free(c) is needed (and safe) in every case.
 */
int flb_cmp_begin(struct flb_cmp *c, const struct flb_cli *cli,
		 struct flb_cmp_opts *o, int argc, char **argv, const char *what);
/* Parse a percentage "1", "1.5", "2%" into a fraction. 0 or -1. */
int flb_parse_pct(const char *s, double *frac);

/*
 * Open the store read-only and load the sets named by specs[0..n-1]
 * (n is 1 or 2). 0, or 2 after a message (unknown label, empty set,
 * unreadable or foreign database).
 */
int flb_cmp_load(struct flb_cmp *c, const struct flb_cmp_opts *o,
		const char *const *specs, unsigned int n);
/* Statistics of every row; 0 or 2 after a message. */
int flb_cmp_analyse(struct flb_cmp *c);
void flb_cmp_free(struct flb_cmp *c);

/*
 * One side of a row run by run and invocation by invocation (set gives
 * each run's invocation; NULL or "": each run its own): statistics, the
 * invocations' mean and variance, the spread within. 0 or -ENOMEM.
 */
int flb_side_runs(const struct flb_vals *v, const struct flb_set *set,
		 bool logscale, struct flb_side_runs *out);
void flb_side_runs_free(struct flb_side_runs *s);
void flb_row_free(struct flb_row *r);
/*
 * A calibrated row: the variance of one run's statistic within an
 * invocation at m samples per run (the between-run part, plus the
 * within-run part at m: the median of m values varies pi/2 times as much
 * as their mean), and of an invocation's statistic of that many runs (the
 * moderated between-invocation variance added; NAN when the calibration
 * came from one invocation).
 */
double flb_cal_run_var(const struct flb_cal *k, double m);
double flb_cal_var(const struct flb_cal *k, double m, double runs);
/* Load this host's calibration for c's sets (0, or 2 after a message). */
int flb_cmp_load_calib(struct flb_cmp *c);
/* Add one calibration row to c (copied). 0 or -ENOMEM. */
int flb_cmp_add_cal(struct flb_cmp *c, const struct flb_calib *k);
/*
 * The prior of c's calibration rows (their primary rows' variances
 * between invocations), and each row's moderated one (never below its
 * own) with its degrees of freedom (flb_cmp_analyse does it). 0 or
 * -ENOMEM.
 */
int flb_cmp_fit_cal(struct flb_cmp *c);
/*
 * The calibration of every primary row of c's first set with two runs or
 * more (c analysed): the variance between runs of one invocation, between
 * invocations (two or more), between boots (two or more); *out is
 * malloc'd, its strings borrowed from c. 0 or -ENOMEM.
 */
int flb_cmp_calibration(const struct flb_cmp *c, struct flb_calib **out,
		       size_t *n);

/*
 * The improvement (%, > 0 better) a change v on r's scale stands for.
 * Log rows: x% faster or more is +x% (e^|d| - 1, the gain in ops/s),
 * x% slower -x% (the growth of ns/op): a 1% slowdown and a 1% speed-up
 * read alike. Other rows: the change as a share of the BASE mean.
 */
double flb_row_pct(const struct flb_row *r, double v);
double flb_row_improvement(const struct flb_row *r);
/* The interval of the improvement in percent (lo <= hi). */
void flb_row_improvement_ci(const struct flb_row *r, double *lo, double *hi);
/* The minimum detectable effect in percent (NAN: not detectable). */
double flb_row_mde_pct(const struct flb_row *r);
/* "Clients: 100 Ratio: 1:5 (Ops/sec)", as patch mails show a row. */
void flb_row_class(const struct flb_row *r, char *buf, size_t len);
/* "ns/op", "Ops/sec", "tlb:tlb_flush/op", "latency_p99 (us)" */
void flb_metric_label(const struct flb_row *r, char *buf, size_t len);
/* What a row without a test lacks, for cells and messages. */
const char *flb_row_untested_why(const struct flb_cmp *c,
				const struct flb_row *r);

/* One difference of configuration between the two sets. */
struct flb_envdiff {
	const char *key;
	const char *base, *new;		/* "" when absent */
};

/*
 * Configuration differences: *out is malloc'd (keys borrowed from the
 * sets' environments). Volatile keys (times, ...) are left out.
 */
size_t flb_cmp_envdiff(const struct flb_cmp *c, struct flb_envdiff **out);
/* Whether key is left out of configuration differences. */
bool flb_env_volatile(const char *key);

/* Lines of a text table (rst grid or markdown). */
#define FLB_NCOLS 12
#define FLB_CELL 160
struct flb_line {
	char cell[FLB_NCOLS][FLB_CELL];
	bool group_start;	/* first line of a group (rst: a rule above) */
};
void flb_print_rst(FILE *f, const char *const *headers, int ncols,
		  const struct flb_line *l, size_t n);
void flb_print_md(FILE *f, const char *const *headers, int ncols,
		 const struct flb_line *l, size_t n);
/* A CSV field (quoted when needed) or number (empty when NAN). */
void flb_csv_field(FILE *f, const char *s, bool last);
void flb_csv_num(FILE *f, double v, bool last);
/*
 * Text escaped for XML and HTML (JUnit, report.html): markup characters
 * as entities, control characters but newline and tab left out.
 */
void flb_xml_text(FILE *f, const char *s);
/* A JSON number, null when not finite; an environment as an object. */
struct json_t;
struct json_t *flb_jnum(double v);
struct json_t *flb_env_json(const struct flb_env *e);

/*
 * The comparison as text lines (malloc'd, *n of them): the primary rows
 * and the table-wide geometric mean (columns flb_cmp_headers), or with
 * secondary set the secondary rows (flb_cmp_sec_headers).
 */
struct flb_line *flb_cmp_lines(const struct flb_cmp *c, bool secondary,
			     size_t *n);
extern const char *const flb_cmp_headers[];
extern const char *const flb_cmp_sec_headers[];
#define FLB_CMP_NCOLS 10		/* of flb_cmp_headers */
#define FLB_CMP_NSEC 8		/* of flb_cmp_sec_headers */

/* Print the table in o.format. */
void flb_cmp_print(const struct flb_cmp *c, FILE *f);
/* Header lines (sets and their configuration differences), "prefix" first. */
void flb_cmp_print_header(const struct flb_cmp *c, FILE *f, const char *prefix);
/* The --min-effect against detectable effect warning, on stderr. */
void flb_cmp_warn_floor(const struct flb_cmp *c);

/* Create the output directory (it may exist). 0 or -1 after a message. */
int flb_mkdir_out(const char *cmd, const char *dir);
/*
 * change.{png,svg}, change-counters.{png,svg} (when c has counters or
 * other metrics) and dist.{png,svg} of c into dir (analysis/plot.c). 0 or
 * 2 after a message.
 */
int flb_plot_compare(const struct flb_cmp *c, const char *dir);

/*
 * Paired analysis of duets (analysis/duet.c, docs/duet.md), printed as a
 * table: with base NULL, the native duets of o->duet's runs; else base
 * and cand as the two sides of guest duets (`flushbench duet`), when
 * every complete run of each is one side of a round whose other side is
 * in the other; FLB_DUET_UNPAIRED (nothing printed but a note) when they
 * are not. With gate, the exit status of ci: 0 no regression and every
 * row could see one of o->min_effect, 1 a regression, 3 inconclusive (0
 * with allow); else 0. 2 on an error.
 */
#define FLB_DUET_UNPAIRED (-1)
int flb_duet(const struct flb_cmp_opts *o, const char *base, const char *cand,
	     bool gate, bool allow);

/* "flushbench CMD: " messages on stderr. */
void flb_msg(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
