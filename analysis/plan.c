// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench plan: how many runs x samples per side a comparison needs
 * to see a change of --target, or what a --budget of time can see, from
 * the variance components `flushbench calibrate` stored for this host and
 * config (Kalibera & Jones, "Rigorous benchmarking in reasonable time",
 * 2013: repeat at the level that carries the variance). Each run is its
 * own invocation, the sides interleaved: the variance between
 * invocations is only lowered by more of them.
 *
 * The test is the one compare uses: Welch's t on run statistics, at the
 * first Holm step over the suite's primary rows, with the calibration's
 * prior degrees of freedom added (compare moderates the same way).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analysis.h"
#include "cmp.h"
#include "options.h"
#include "plan.h"
#include "stats.h"

/* A job run's start: exec, config, store, counters (measured: ~50 ms). */
#define RUN_START_S 0.05

const unsigned int flb_plan_samples[] = { 3, 5, 10, 20, 40, 80, 0 };

double flb_plan_run_var(const struct flb_plan_row *r, double m)
{
	if (isnan(r->within))
		return r->inv + r->between;
	return r->inv + r->between + M_PI_2 * r->within / m;
}

double flb_plan_run_seconds(const struct flb_plan_row *r,
			   const struct flb_plan_opts *o, unsigned int m)
{
	/* warm-up, and one sample's worth to calibrate the op count */
	return (double)(m + o->warmup + 1) * r->sample_s + RUN_START_S;
}

double flb_plan_mde(const struct flb_plan_row *r, const struct flb_plan_opts *o,
		   unsigned int runs, unsigned int m)
{
	double v = flb_plan_run_var(r, m), se, df;

	if (runs < 2 || !(v >= 0))
		return NAN;
	se = sqrt(2 * v / runs);
	df = 2.0 * (runs - 1) + (r->extra_df > 0 ? r->extra_df : 0);
	return expm1(flb_t_mde(se, df, o->alpha, o->power));
}

bool flb_plan_cheapest(const struct flb_plan_row *r,
		      const struct flb_plan_opts *o, double target,
		      struct flb_plan *out)
{
	bool found = false;

	memset(out, 0, sizeof(*out));
	out->mde = NAN;
	for (const unsigned int *m = flb_plan_samples; *m; m++) {
		for (unsigned int n = 2; n <= FLB_PLAN_MAX_RUNS; n++) {
			double mde = flb_plan_mde(r, o, n, *m);
			double t = 2 * n * flb_plan_run_seconds(r, o, *m);

			if (!(mde <= target))
				continue;
			if (!found || t < out->seconds) {
				*out = (struct flb_plan){ n, *m, mde, t };
				found = true;
			}
			break;
		}
	}
	return found;
}

/* --- flushbench plan --- */

struct plan_ctx {
	struct flb_cmp c;
	struct flb_plan_opts po;
	double target, budget;
	size_t nrows;
	struct flb_plan_row *pr;
	const struct flb_cal **cal;
};

/* The suite at R runs x m samples per side: seconds, and each row's MDE. */
static double suite_seconds(const struct plan_ctx *x, unsigned int runs,
			    unsigned int m)
{
	double t = 0;

	for (size_t i = 0; i < x->nrows; i++)
		t += flb_plan_run_seconds(&x->pr[i], &x->po, m);
	return 2 * runs * t;
}

/* The fewest seconds at which every row reaches the target. */
static bool suite_cheapest(const struct plan_ctx *x, unsigned int *runs,
			   unsigned int *m, double *secs)
{
	bool found = false;

	for (const unsigned int *s = flb_plan_samples; *s; s++) {
		for (unsigned int n = 2; n <= FLB_PLAN_MAX_RUNS; n++) {
			bool all = true;

			for (size_t i = 0; i < x->nrows && all; i++)
				all = flb_plan_mde(&x->pr[i], &x->po, n, *s) <=
				      x->target;
			if (!all)
				continue;
			if (!found || suite_seconds(x, n, *s) < *secs) {
				*runs = n;
				*m = *s;
				*secs = suite_seconds(x, n, *s);
				found = true;
			}
			break;
		}
	}
	return found;
}

/* Within the budget: the design with the smallest worst-row MDE. */
static bool suite_in_budget(const struct plan_ctx *x, unsigned int *runs,
			    unsigned int *m, double *worst)
{
	bool found = false;

	for (const unsigned int *s = flb_plan_samples; *s; s++) {
		double per = suite_seconds(x, 1, *s), w = 0;
		unsigned int n = per > 0 ? (unsigned int)fmin(x->budget / per,
							     FLB_PLAN_MAX_RUNS) : 0;

		if (n < 2)
			continue;
		for (size_t i = 0; i < x->nrows; i++)
			w = fmax(w, flb_plan_mde(&x->pr[i], &x->po, n, *s));
		if (!found || w < *worst) {
			*runs = n;
			*m = *s;
			*worst = w;
			found = true;
		}
	}
	return found;
}

static int plan_rows(struct plan_ctx *x)
{
	struct flb_cmp *c = &x->c;

	x->pr = calloc(c->ncal + 1, sizeof(*x->pr));
	x->cal = calloc(c->ncal + 1, sizeof(*x->cal));
	if (!x->pr || !x->cal)
		return -1;
	for (size_t i = 0; i < c->ncal; i++) {
		const struct flb_cal *k = &c->cal[i];
		struct flb_plan_row *r = &x->pr[x->nrows];

		if (strcmp(k->metric, flb_cmp_primary(k->workload)) ||
		    isnan(k->inv_post))
			continue;
		r->inv = k->inv_post;
		r->within = k->within_var;
		r->between = isnan(k->within_var) ? flb_cal_run_var(k, k->m) :
			     fmax(0, flb_cal_run_var(k, k->m) -
				  M_PI_2 * k->within_var / k->m);
		r->sample_s = isnan(k->sample_s) ? 0 : k->sample_s;
		r->extra_df = isinf(c->cal_prior.d0) ? 1e6 : c->cal_prior.d0;
		x->cal[x->nrows++] = k;
	}
	x->po.alpha = c->o.alpha / (double)(x->nrows ? x->nrows : 1);
	return 0;
}

static void print_plan(struct plan_ctx *x, FILE *f)
{
	const struct flb_cmp *c = &x->c;
	bool md = c->o.format == FLB_FMT_MD;
	const char *p = md ? "- " : "";
	static const char *const head[] = {
		"Benchmark", "Result Class", "Run-to-run CV", "Within-run CV",
		"Needs (runs x samples)", "Time alone", "MDE in budget",
	};
	struct flb_line *l = calloc(x->nrows + 1, sizeof(*l));
	unsigned int runs = 0, m = 0, br = 0, bm = 0;
	double secs = 0, worst = NAN;
	bool all = suite_cheapest(x, &runs, &m, &secs);
	bool inb = x->budget > 0 && suite_in_budget(x, &br, &bm, &worst);

	if (!l)
		return;
	fprintf(f, "%sCalibration: host %s, config %s, label %s (%ld runs, %s); %zu primary rows; power %g; Holm level %g/%zu\n",
		p, c->cal_host, c->cal_config, x->cal[0]->label,
		x->cal[0]->runs, x->cal[0]->created_at, x->nrows, c->o.power,
		c->o.alpha, x->nrows);
	if (all)
		fprintf(f, "%sTarget %g%%: every row with %u runs of %u samples per side, each its own invocation (run --repeat 1, the sides alternating), %.0f s for both sides\n",
			p, x->target * 100, runs, m, secs);
	else
		fprintf(f, "%sTarget %g%%: not reachable for every row with up to %d runs per side\n",
			p, x->target * 100, FLB_PLAN_MAX_RUNS);
	if (x->budget > 0 && inb)
		fprintf(f, "%sBudget %.0f s: best is %u runs of %u samples per side; the worst row then detects %.1f%%%s\n",
			p, x->budget, br, bm, worst * 100,
			worst <= x->target ? "" : " (the target is NOT reachable in this budget)");
	else if (x->budget > 0)
		fprintf(f, "%sBudget %.0f s: too short for 2 runs a side\n", p,
			x->budget);
	fputc('\n', f);
	for (size_t i = 0; i < x->nrows; i++) {
		const struct flb_cal *k = x->cal[i];
		struct flb_row row = { .workload = k->workload, .params = k->params,
				      .metric = k->metric, .unit = "" };
		struct flb_plan pl;

		if (!i || strcmp(x->cal[i - 1]->workload, k->workload)) {
			snprintf(l[i].cell[0], FLB_CELL, "%s", k->workload);
			l[i].group_start = true;
		}
		flb_row_class(&row, l[i].cell[1], FLB_CELL);
		snprintf(l[i].cell[2], FLB_CELL, "%.2f%%",
			 sqrt(flb_plan_run_var(&x->pr[i], k->m)) * 100);
		if (isnan(x->pr[i].within))
			snprintf(l[i].cell[3], FLB_CELL, "-");
		else
			snprintf(l[i].cell[3], FLB_CELL, "%.2f%%",
				 sqrt(x->pr[i].within) * 100);
		if (flb_plan_cheapest(&x->pr[i], &x->po, x->target, &pl)) {
			snprintf(l[i].cell[4], FLB_CELL, "%u x %u", pl.runs,
				 pl.samples);
			snprintf(l[i].cell[5], FLB_CELL, "%.0f s", pl.seconds);
		} else {
			snprintf(l[i].cell[4], FLB_CELL, "> %d runs",
				 FLB_PLAN_MAX_RUNS);
		}
		if (inb)
			snprintf(l[i].cell[6], FLB_CELL, "%.1f%%",
				 flb_plan_mde(&x->pr[i], &x->po, br, bm) * 100);
	}
	if (md)
		flb_print_md(f, head, 7, l, x->nrows);
	else
		flb_print_rst(f, head, 7, l, x->nrows);
	free(l);
}

static void print_plan_json(struct plan_ctx *x, FILE *f)
{
	json_t *root = json_object(), *rows = json_array();
	unsigned int runs = 0, m = 0, br = 0, bm = 0;
	double secs = 0, worst = NAN;

	for (size_t i = 0; i < x->nrows; i++) {
		const struct flb_cal *k = x->cal[i];
		struct flb_plan pl;
		bool ok = flb_plan_cheapest(&x->pr[i], &x->po, x->target, &pl);

		json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o}",
			"workload", k->workload, "params", k->params,
			"metric", k->metric,
			"run_to_run_cv_pct", flb_jnum(sqrt(flb_plan_run_var(&x->pr[i], k->m)) * 100),
			"within_run_cv_pct", flb_jnum(sqrt(x->pr[i].within) * 100),
			"runs", ok ? json_integer(pl.runs) : json_null(),
			"samples", ok ? json_integer(pl.samples) : json_null(),
			"seconds", ok ? flb_jnum(pl.seconds) : json_null(),
			"mde_pct_in_budget", x->budget > 0 &&
				suite_in_budget(x, &br, &bm, &worst) ?
				flb_jnum(flb_plan_mde(&x->pr[i], &x->po, br, bm) * 100) :
				json_null()));
	}
	json_object_set_new(root, "target_pct", json_real(x->target * 100));
	if (suite_cheapest(x, &runs, &m, &secs))
		json_object_set_new(root, "suite", json_pack("{s:i,s:i,s:f}",
				    "runs", runs, "samples", m, "seconds", secs));
	else
		json_object_set_new(root, "suite", json_null());
	if (x->budget > 0 && suite_in_budget(x, &br, &bm, &worst))
		json_object_set_new(root, "budget", json_pack("{s:f,s:i,s:i,s:f}",
				    "seconds", x->budget, "runs", br,
				    "samples", bm, "worst_mde_pct", worst * 100));
	json_object_set_new(root, "rows", rows);
	json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	fputc('\n', f);
	json_decref(root);
}

static int cli_target(const struct flb_cliopt *o, const char *value, void *dst,
		      char *why, size_t len)
{
	(void)o;
	if (!flb_parse_pct(value, dst) && *(double *)dst > 0)
		return 0;
	snprintf(why, len, "'%s' is not a percentage above 0 (such as 2)", value);
	return -1;
}

static const struct flb_option budget_opt = {
	.name = "budget", .type = FLB_OPT_NS, .min = 1, .max = UINT64_MAX,
};

static int cli_budget(const struct flb_cliopt *o, const char *value, void *dst,
		      char *why, size_t len)
{
	uint64_t ns;

	if (flb_cli_typed(o, value, &ns, why, len))
		return -1;
	*(double *)dst = (double)ns / 1e9;
	return 0;
}

static const struct flb_option warmup_opt = {
	.name = "warmup", .type = FLB_OPT_U64, .max = 1000,
};

const struct flb_cliopt flb_plan_cliopts[] = {
	FLB_CLI_CALLBACK(0, "target", struct flb_plan_args, target, "PCT",
			 cli_target, NULL,
			 "plan the runs x samples per side that detect a change\n"
			 "of PCT (e.g. 2)"),
	FLB_CLI_CALLBACK(0, "budget", struct flb_plan_args, budget, "TIME",
			 cli_budget, &budget_opt,
			 "and what TIME (both sides: 600s, 10m, 1h) can detect"),
	FLB_CLI_TYPED(0, "warmup", struct flb_plan_args, warmup, "N", &warmup_opt,
		      "warm-up samples per job run, for the plan (default 2)"),
	FLB_CLI_END
};

int flb_plan_print(struct flb_cmp *c, double target, double budget,
		  unsigned int warmup, FILE *f)
{
	struct plan_ctx x = { .target = target, .budget = budget };
	int rc = 0;

	x.c = *c;	/* borrowed: not freed here */
	x.po.power = c->o.power;
	x.po.warmup = warmup;
	if (plan_rows(&x)) {
		flb_msg(c->o.cmd, "out of memory");
		rc = 2;
	} else if (!x.nrows) {
		flb_msg(c->o.cmd, "the calibration of host %s, config %s has no primary row with a variance between invocations (calibrate runs from several invocations of flushbench run)",
		       c->cal_host, c->cal_config);
		rc = 2;
	} else if (c->o.format == FLB_FMT_JSON) {
		print_plan_json(&x, f);
	} else {
		print_plan(&x, f);
	}
	free(x.pr);
	free(x.cal);
	return rc;
}

struct plan_args {
	struct flb_cmp_opts o;
	struct flb_plan_args p;
};

static const struct flb_cliopt plan_opts[] = {
	FLB_CLI_INCLUDE(struct plan_args, p, flb_plan_cliopts),
	FLB_CLI_TYPED(0, "format", struct plan_args, o.format, "FMT",
		      &flb_cmp_format, "rst (default), md or json"),
	FLB_CLI_INCLUDE(struct plan_args, o, flb_cmp_cliopts),
	FLB_CLI_END
};

static const struct flb_cli plan_cli = {
	.cmd = "plan", .usage = "[OPTIONS] --target PCT [--budget TIME] LABEL",
	.about = "How many runs x samples per side a comparison of LABEL's suite needs to\n"
		 "detect a change of PCT (power --power, Holm over the suite's primary\n"
		 "rows), and what --budget (both sides, e.g. 10m) can detect, from the\n"
		 "variance components `flushbench calibrate LABEL` stored for this host\n"
		 "and config. Each run its own invocation (run --repeat 1), the two sides\n"
		 "alternating. Nothing is written.",
	.footer = "Exit: 0 done, 2 usage or data error (no calibration: says which command).",
	.opts = plan_opts,
};

int flb_cmd_plan(int argc, char **argv)
{
	const char *pos[1];
	struct plan_args a = { .p = { .warmup = 2 } };
	struct flb_cmp_opts *o = &a.o;
	struct flb_cmp c = { 0 };
	int npos, rc;

	flb_cmp_defaults(o, "plan");
	npos = flb_cli_parse(&plan_cli, argc, argv, &a, pos, 1);
	if (npos < 0)
		return flb_cli_exit(npos);
	if (npos != 1 || !(a.p.target > 0))
		return flb_cli_usage_error(&plan_cli, "expected --target PCT and one LABEL");
	if (o->format == FLB_FMT_CSV)
		return flb_cli_usage_error(&plan_cli, "--format csv: plan writes rst, md or json");
	rc = flb_cmp_load(&c, o, pos, 1);
	if (!rc && !c.ncal) {
		flb_msg(o->cmd, "%s: no calibration of '%s' for this host and config: %s",
		       o->db, pos[0], c.no_cal_why ? c.no_cal_why : "none stored");
		rc = 2;
	}
	if (!rc && flb_cmp_analyse(&c))
		rc = 2;
	if (!rc)
		rc = flb_plan_print(&c, a.p.target, a.p.budget, a.p.warmup, stdout);
	flb_cmp_free(&c);
	return rc;
}
