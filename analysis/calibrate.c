// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench calibrate LABEL: the variance components of every primary
 * row from A/A runs of one host and config (Kalibera & Jones 2013): the
 * variance of a sample's log value within a run, of a run's statistic
 * (the median of its log values) between runs, and between boots when
 * the runs come from several boots. They are stored in the store, keyed
 * by host and config, where compare and ci use them for sides of a
 * single run and plan turns them into runs x samples for a target.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analysis.h"
#include "cmp.h"
#include "plan.h"

static const char *const headers[] = {
	"Benchmark", "Result Class", "Invocations x runs x samples",
	"Within-run CV", "Run-to-run CV", "Between-invocation CV",
	"Between-boot CV", "MDE, as many invocations",
};
#define NCOLS ((int)(sizeof(headers) / sizeof(headers[0])))

/*
 * The MDE of a compare of as many invocations (of as many runs and
 * samples) against as many; NAN from a single invocation.
 */
static double same_design_mde(const struct flb_cmp *c, const struct flb_cal *k,
			      size_t nrows)
{
	double inv = (double)k->invocations;
	double d0 = c->cal_prior.d0 > 0 ? c->cal_prior.d0 : 0;
	double v = flb_cal_var(k, k->m, (double)k->runs / inv);

	if (isnan(v) || inv < 2)
		return NAN;
	return expm1(flb_t_mde(sqrt(2 * v / inv), 2 * (inv - 1) + d0,
			      c->o.alpha / (double)nrows, c->o.power));
}

static void cv_cell(char *buf, double var)
{
	if (isnan(var))
		snprintf(buf, FLB_CELL, "-");
	else
		snprintf(buf, FLB_CELL, "%.2f%%", sqrt(var) * 100);
}

static void print_text(const struct flb_cmp *c, const struct flb_calib *k,
		       size_t n, FILE *f)
{
	struct flb_line *l = calloc(n + 1, sizeof(*l));

	if (!l) {
		flb_msg(c->o.cmd, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct flb_row row = { .workload = (char *)k[i].workload,
				      .params = (char *)k[i].params,
				      .metric = (char *)k[i].metric, .unit = "" };

		if (!i || strcmp(k[i - 1].workload, k[i].workload)) {
			snprintf(l[i].cell[0], FLB_CELL, "%s", k[i].workload);
			l[i].group_start = true;
		}
		flb_row_class(&row, l[i].cell[1], FLB_CELL);
		snprintf(l[i].cell[2], FLB_CELL, "%ld x %.3g x %.0f",
			 k[i].invocations,
			 (double)k[i].runs / (double)k[i].invocations,
			 k[i].samples_per_run);
		cv_cell(l[i].cell[3], k[i].within_var);
		cv_cell(l[i].cell[4], k[i].run_var);
		cv_cell(l[i].cell[5], k[i].inv_var);
		cv_cell(l[i].cell[6], k[i].boot_var);
		if (isnan(same_design_mde(c, &c->cal[i], n)))
			snprintf(l[i].cell[7], FLB_CELL, "- (1 invocation)");
		else
			snprintf(l[i].cell[7], FLB_CELL, "%.2f%%",
				 same_design_mde(c, &c->cal[i], n) * 100);
	}
	if (c->o.format == FLB_FMT_MD)
		flb_print_md(f, headers, NCOLS, l, n);
	else
		flb_print_rst(f, headers, NCOLS, l, n);
	free(l);
}

static void print_csv(const struct flb_cmp *c, const struct flb_calib *k,
		      size_t n, FILE *f)
{
	fputs("workload,params,metric,runs,invocations,boots,samples_per_run,within_var,run_var,inv_var,boot_var,within_run_cv_pct,run_to_run_cv_pct,inv_cv_pct,boot_cv_pct,sample_seconds,median,mde_pct\n",
	      f);
	for (size_t i = 0; i < n; i++) {
		flb_csv_field(f, k[i].workload, false);
		flb_csv_field(f, k[i].params, false);
		flb_csv_field(f, k[i].metric, false);
		flb_csv_num(f, k[i].runs, false);
		flb_csv_num(f, k[i].invocations, false);
		flb_csv_num(f, k[i].boots, false);
		flb_csv_num(f, k[i].samples_per_run, false);
		flb_csv_num(f, k[i].within_var, false);
		flb_csv_num(f, k[i].run_var, false);
		flb_csv_num(f, k[i].inv_var, false);
		flb_csv_num(f, k[i].boot_var, false);
		flb_csv_num(f, sqrt(k[i].within_var) * 100, false);
		flb_csv_num(f, sqrt(k[i].run_var) * 100, false);
		flb_csv_num(f, sqrt(k[i].inv_var) * 100, false);
		flb_csv_num(f, sqrt(k[i].boot_var) * 100, false);
		flb_csv_num(f, k[i].sample_seconds, false);
		flb_csv_num(f, k[i].median, false);
		flb_csv_num(f, same_design_mde(c, &c->cal[i], n) * 100, true);
	}
}

static void print_json(const struct flb_cmp *c, const struct flb_calib *k,
		       size_t n, FILE *f)
{
	json_t *root = json_object(), *rows = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
			"workload", k[i].workload, "params", k[i].params,
			"metric", k[i].metric, "runs", (json_int_t)k[i].runs,
			"invocations", (json_int_t)k[i].invocations,
			"boots", (json_int_t)k[i].boots,
			"inv_var", flb_jnum(k[i].inv_var),
			"inv_cv_pct", flb_jnum(sqrt(k[i].inv_var) * 100),
			"samples_per_run", flb_jnum(k[i].samples_per_run),
			"within_var", flb_jnum(k[i].within_var),
			"run_var", flb_jnum(k[i].run_var),
			"boot_var", flb_jnum(k[i].boot_var),
			"within_run_cv_pct", flb_jnum(sqrt(k[i].within_var) * 100),
			"run_to_run_cv_pct", flb_jnum(sqrt(k[i].run_var) * 100),
			"boot_cv_pct", flb_jnum(sqrt(k[i].boot_var) * 100),
			"sample_seconds", flb_jnum(k[i].sample_seconds),
			"median", flb_jnum(k[i].median),
			"mde_pct", flb_jnum(same_design_mde(c, &c->cal[i], n) * 100)));
	json_object_set_new(root, "label", json_string(c->set[0].spec));
	json_object_set_new(root, "runs", json_integer(c->set[0].nruns));
	json_object_set_new(root, "host", json_string(c->set[0].runs[0].host));
	json_object_set_new(root, "config_hash",
			    json_string(c->set[0].runs[0].config_hash));
	json_object_set_new(root, "prior_df",
			    flb_jnum(c->cal_prior.d0 > 0 ? c->cal_prior.d0 : NAN));
	json_object_set_new(root, "alpha", json_real(c->o.alpha));
	json_object_set_new(root, "power", json_real(c->o.power));
	json_object_set_new(root, "environment", flb_env_json(&c->set[0].env));
	json_object_set_new(root, "rows", rows);
	json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	fputc('\n', f);
	json_decref(root);
}

/* All runs of the label: one host, one config. 0 or 2 after a message. */
static int one_host_config(const struct flb_cmp *c)
{
	const struct flb_set *s = &c->set[0];

	for (size_t i = 1; i < s->nruns; i++) {
		if (strcmp(s->runs[i].host, s->runs[0].host)) {
			flb_msg(c->o.cmd, "'%s' has runs from hosts %s and %s: calibrate A/A runs of one host",
			       s->spec, s->runs[0].host, s->runs[i].host);
			return 2;
		}
		if (strcmp(s->runs[i].config_hash, s->runs[0].config_hash)) {
			flb_msg(c->o.cmd, "'%s' has runs of two configs (#%lld and #%lld differ): calibrate A/A runs of one config",
			       s->spec, (long long)s->runs[0].id,
			       (long long)s->runs[i].id);
			return 2;
		}
	}
	return 0;
}

static int save(const struct flb_cmp *c, const struct flb_calib *k, size_t n)
{
	struct flb_store *st;
	char err[512];
	int rc = 0;

	if (flb_store_open(c->o.db, FLB_STORE_RW, &st, err, sizeof(err))) {
		flb_msg(c->o.cmd, "%s", err);
		return 2;
	}
	if (flb_store_calib_put(st, c->set[0].runs[0].host,
			       c->set[0].runs[0].config_hash, k, n)) {
		flb_msg(c->o.cmd, "%s", flb_store_error(st));
		rc = 2;
	}
	flb_store_close(st);
	return rc;
}

struct calib_args {
	struct flb_cmp_opts o;
	struct flb_plan_args p;
	bool nosave;
};

static const struct flb_cliopt calib_opts[] = {
	FLB_CLI_FLAG(0, "no-save", struct calib_args, nosave,
		     "print only, store nothing"),
	FLB_CLI_INCLUDE(struct calib_args, p, flb_plan_cliopts),
	FLB_CLI_TYPED(0, "format", struct calib_args, o.format, "FMT",
		      &flb_cmp_format, "rst (default), md, json or csv"),
	FLB_CLI_STRING('o', NULL, struct calib_args, o.out, "FILE",
		       "write to FILE instead of stdout"),
	FLB_CLI_INCLUDE(struct calib_args, o, flb_cmp_cliopts),
	FLB_CLI_END
};

static const struct flb_cli calib_cli = {
	.cmd = "calibrate", .usage = "[OPTIONS] LABEL",
	.about = "Variance components of every primary row of LABEL's runs (A/A runs: the\n"
		 "same kernel, config and host, from several invocations of flushbench run,\n"
		 "spread over time, ideally several boots): within a run, between runs of\n"
		 "one invocation, between invocations, between boots. Stored in the\n"
		 "database for this host and config (compare and ci use them when a side\n"
		 "has a single invocation; plan turns them into designs). With --target,\n"
		 "also the plan.",
	.footer = "Exit: 0 done, 2 usage or data error (fewer than 2 runs, several hosts\n"
		  "or configs under LABEL, a store that cannot be written).",
	.opts = calib_opts,
};

int flb_cmd_calibrate(int argc, char **argv)
{
	const char *pos[1];
	struct calib_args a = { .p = { .warmup = 2 } };
	struct flb_cmp_opts o;
	struct flb_cmp c = { 0 };
	struct flb_calib *k = NULL;
	bool nosave;
	struct flb_plan_args pa;
	FILE *f = stdout;
	size_t n = 0;
	int npos, rc;

	flb_cmp_defaults(&a.o, "calibrate");
	npos = flb_cli_parse(&calib_cli, argc, argv, &a, pos, 1);
	if (npos < 0)
		return flb_cli_exit(npos);
	if (npos != 1)
		return flb_cli_usage_error(&calib_cli, "expected one LABEL");
	o = a.o;
	pa = a.p;
	nosave = a.nosave;
	o.no_calib = true;	/* measuring it, not using an old one */
	rc = flb_cmp_load(&c, &o, pos, 1);
	if (!rc)
		rc = flb_cmp_analyse(&c);
	if (!rc)
		rc = one_host_config(&c);
	if (rc)
		goto out;
	if (c.set[0].nruns < 2) {
		flb_msg(o.cmd, "'%s' has 1 run: the variance between runs needs at least 2 (flushbench run --repeat R --label %s)",
		       c.set[0].spec, c.set[0].spec);
		rc = 2;
		goto out;
	}
	if (flb_cmp_calibration(&c, &k, &n)) {
		flb_msg(o.cmd, "out of memory");
		rc = 2;
		goto out;
	}
	if (!n) {
		flb_msg(o.cmd, "'%s': no primary row has 2 runs", c.set[0].spec);
		rc = 2;
		goto out;
	}
	/* the measured rows as c's calibration: moderated as compare will */
	for (size_t i = 0; i < n && !rc; i++)
		rc = flb_cmp_add_cal(&c, &k[i]);
	if (rc || flb_cmp_fit_cal(&c)) {
		flb_msg(o.cmd, "out of memory");
		rc = 2;
		goto out;
	}
	if (k[0].invocations < 2)
		flb_msg(o.cmd, "warning: '%s' comes from 1 invocation: the variance between invocations is unknown, so compare cannot use this calibration for sides of one invocation and plan cannot plan (run the label several times: flushbench run -l %s --repeat 2, spread over time)",
		       c.set[0].spec, c.set[0].spec);
	if (!nosave && (rc = save(&c, k, n)))
		goto out;
	if (o.out && !(f = fopen(o.out, "w"))) {
		flb_msg(o.cmd, "%s: %m", o.out);
		rc = 2;
		goto out;
	}
	if (o.format == FLB_FMT_JSON) {
		print_json(&c, k, n, f);
	} else if (o.format == FLB_FMT_CSV) {
		print_csv(&c, k, n, f);
	} else {
		const char *p = o.format == FLB_FMT_MD ? "- " : "";

		fprintf(f, "%sLabel %s: %zu runs, %zu primary rows; host %s, config %s%s\n",
			p, c.set[0].spec, c.set[0].nruns, n,
			c.set[0].runs[0].host, c.set[0].runs[0].config_hash,
			nosave ? " (not stored: --no-save)" : " (stored)");
		fprintf(f, "%sCVs are standard deviations of log values: within a run (one sample), between the runs of one invocation (a run's median), between invocations and between boots beyond that; MDE: the change a compare of as many invocations per side finds with power %g at Holm level %g/%zu\n",
			p, o.power, o.alpha, n);
		fputc('\n', f);
		print_text(&c, k, n, f);
	}
	if (pa.target > 0) {
		struct flb_cmp p = { 0 };
		const char *spec[1] = { pos[0] };

		fputc('\n', f);
		o.no_calib = false;
		o.format = o.format == FLB_FMT_JSON ? FLB_FMT_JSON : o.format;
		if (nosave) {
			flb_msg(o.cmd, "--target: plans from the stored calibration; with --no-save there is none to read");
			rc = 2;
		} else if (!(rc = flb_cmp_load(&p, &o, spec, 1)) &&
			   !(rc = flb_cmp_analyse(&p))) {
			rc = flb_plan_print(&p, pa.target, pa.budget, pa.warmup, f);
		}
		flb_cmp_free(&p);
	}
	if (f != stdout && fclose(f)) {
		flb_msg(o.cmd, "%s: %m", o.out);
		rc = 2;
	}
out:
	free(k);
	flb_cmp_free(&c);
	return rc;
}
