// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench calibrate LABEL: how noisy each row is under one label, and
 * so how small a change compare can be trusted to find. Runs of the label
 * made at different times are kept apart: the run-to-run spread (CV of
 * the run medians) is reported beside the within-run CV, because pooling
 * samples hides it. Noise floor = max(minimum detectable effect at the
 * sample count used, run-to-run CV), the same floor compare warns about.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analysis.h"
#include "cmp.h"

static const char *const headers[] = {
	"Benchmark", "Result Class", "n (runs)", "CV within run",
	"Run-to-run CV", "Between-run share", "MDE", "Noise floor",
};
#define NCOLS ((int)(sizeof(headers) / sizeof(headers[0])))

static void usage(FILE *f)
{
	fprintf(f,
"usage: flushbench calibrate [OPTIONS] LABEL\n"
"Noise of every row under LABEL, run-to-run spread across its runs, and the\n"
"minimum detectable effect (MDE) when comparing against as many values.\n"
"  --format FMT       rst (default), md, json or csv\n%s"
"Exit: 0 done, 2 usage or data error.\n", fb_cmp_common_help);
}

/*
 * MDE and floor of row r of a table of nrows rows, as compare would see
 * it, and the share of its variance between runs (ICC).
 */
static int row_floor(const struct fb_cmp *c, struct fb_row *r, size_t nrows)
{
	double cv = isnan(r->within_cv[0]) ? r->sum[0].cv : r->within_cv[0];
	double m;

	int err = fb_row_icc(r, 1, &r->icc, &m);

	/*
	 * Runs are not independent samples: with the design effect compare
	 * applies, the variance of a pooled side is the total variance times
	 * deff over n (= between-run variance / runs + within / n).
	 */
	if (c->o.run_effect && r->icc > 0 && m > 1)
		r->mde = fb_mde(r->side[0].n, r->sum[0].cv, c->o.alpha / nrows,
				c->o.power) * sqrt(1 + (m - 1) * r->icc);
	else
		r->mde = fb_mde(r->side[0].n, cv, c->o.alpha / nrows,
				c->o.power);
	r->floor = isnan(r->rr_cv[0]) ? r->mde :
		   isnan(r->mde) ? r->rr_cv[0] : fmax(r->mde, r->rr_cv[0]);
	return err;
}

static void pct(char *buf, double v)
{
	if (isnan(v))
		snprintf(buf, FB_CELL, "-");
	else
		snprintf(buf, FB_CELL, "%.2f%%", v * 100);
}

static void print_text(const struct fb_cmp *c, FILE *f)
{
	struct fb_line *l = calloc(c->nrows + 1, sizeof(*l));

	if (!l) {
		fb_msg(c->o.cmd, "out of memory");
		return;
	}
	for (size_t i = 0; i < c->nrows; i++) {
		const struct fb_row *r = &c->rows[i];

		if (!i || strcmp(c->rows[i - 1].workload, r->workload)) {
			snprintf(l[i].cell[0], FB_CELL, "%s", r->workload);
			l[i].group_start = true;
		}
		fb_row_class(r, l[i].cell[1], FB_CELL);
		snprintf(l[i].cell[2], FB_CELL, "%zu (%zu)", r->side[0].n,
			 r->nruns[0]);
		pct(l[i].cell[3], isnan(r->within_cv[0]) ? r->sum[0].cv
							  : r->within_cv[0]);
		pct(l[i].cell[4], r->rr_cv[0]);
		pct(l[i].cell[5], r->icc);
		pct(l[i].cell[6], r->mde);
		pct(l[i].cell[7], r->floor);
	}
	if (c->o.format == FB_FMT_MD)
		fb_print_md(f, headers, NCOLS, l, c->nrows);
	else
		fb_print_rst(f, headers, NCOLS, l, c->nrows);
	free(l);
}

static void print_csv(const struct fb_cmp *c, FILE *f)
{
	fputs("workload,params,metric,unit,n,runs,median,cv_pct,within_run_cv_pct,run_to_run_cv_pct,icc,mde_pct,noise_floor_pct\n",
	      f);
	for (size_t i = 0; i < c->nrows; i++) {
		const struct fb_row *r = &c->rows[i];

		fb_csv_field(f, r->workload, false);
		fb_csv_field(f, r->params, false);
		fb_csv_field(f, r->metric, false);
		fb_csv_field(f, r->unit, false);
		fb_csv_num(f, r->side[0].n, false);
		fb_csv_num(f, r->nruns[0], false);
		fb_csv_num(f, r->sum[0].median, false);
		fb_csv_num(f, r->sum[0].cv * 100, false);
		fb_csv_num(f, r->within_cv[0] * 100, false);
		fb_csv_num(f, r->rr_cv[0] * 100, false);
		fb_csv_num(f, r->icc, false);
		fb_csv_num(f, r->mde * 100, false);
		fb_csv_num(f, r->floor * 100, true);
	}
}

static void print_json(const struct fb_cmp *c, FILE *f)
{
	json_t *root = json_object(), *rows = json_array();

	for (size_t i = 0; i < c->nrows; i++) {
		const struct fb_row *r = &c->rows[i];

		json_array_append_new(rows, json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
			"workload", r->workload, "params", r->params,
			"metric", r->metric, "unit", r->unit,
			"n", (json_int_t)r->side[0].n,
			"runs", (json_int_t)r->nruns[0],
			"median", fb_jnum(r->sum[0].median),
			"cv_pct", fb_jnum(r->sum[0].cv * 100),
			"within_run_cv_pct", fb_jnum(r->within_cv[0] * 100),
			"run_to_run_cv_pct", fb_jnum(r->rr_cv[0] * 100),
			"icc", fb_jnum(r->icc),
			"mde_pct", fb_jnum(r->mde * 100),
			"noise_floor_pct", fb_jnum(r->floor * 100)));
	}
	json_object_set_new(root, "label", json_string(c->set[0].spec));
	json_object_set_new(root, "runs", json_integer(c->set[0].nruns));
	json_object_set_new(root, "alpha", json_real(c->o.alpha));
	json_object_set_new(root, "power", json_real(c->o.power));
	json_object_set_new(root, "environment", fb_env_json(&c->set[0].env));
	json_object_set_new(root, "rows", rows);
	json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	fputc('\n', f);
	json_decref(root);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The floor that covers 90% of the rows: a --min-effect to start from. */
static double suggest(const struct fb_cmp *c)
{
	double *v = malloc((c->nrows + 1) * sizeof(*v)), s = NAN;
	size_t n = 0;

	if (!v)
		return NAN;
	for (size_t i = 0; i < c->nrows; i++)
		if (!isnan(c->rows[i].floor))
			v[n++] = c->rows[i].floor;
	if (n) {
		qsort(v, n, sizeof(*v), cmp_double);
		s = v[(size_t)ceil(0.9 * n) - 1];
	}
	free(v);
	return s;
}

int fb_cmd_calibrate(int argc, char **argv)
{
	struct fb_cmp_opts o;
	struct fb_cmp c;
	FILE *f = stdout;
	int rc;
	double s;

	fb_cmp_defaults(&o, "calibrate");
	rc = fb_cmp_begin(&c, &o, argc, argv, 1, "one LABEL", usage);
	if (rc)
		goto out;
	for (size_t i = 0; i < c.nrows && !rc; i++)
		rc = row_floor(&c, &c.rows[i], c.nrows) ? 2 : 0;
	if (rc) {
		fb_msg(o.cmd, "out of memory");
		goto out;
	}
	if (o.out && !(f = fopen(o.out, "w"))) {
		fb_msg(o.cmd, "%s: %m", o.out);
		rc = 2;
		goto out;
	}
	if (c.set[0].nruns < 2)
		fb_msg(o.cmd, "warning: '%s' has 1 run: run-to-run spread needs at least 2 (run the same config again under this label)",
		       c.set[0].spec);
	s = suggest(&c);
	if (o.format == FB_FMT_JSON) {
		print_json(&c, f);
	} else if (o.format == FB_FMT_CSV) {
		print_csv(&c, f);
	} else {
		const char *p = o.format == FB_FMT_MD ? "- " : "";

		fprintf(f, "%sLabel %s: %zu run%s, %zu values, %zu rows\n", p,
			c.set[0].spec, c.set[0].nruns, c.set[0].nruns == 1 ? "" : "s",
			c.set[0].nvalues, c.nrows);
		fprintf(f, "%sMDE: smallest change found with power %g at Holm/Bonferroni level %g/%zu, comparing as many values per side; noise floor = max(MDE, run-to-run CV)\n",
			p, o.power, o.alpha, c.nrows);
		if (!isnan(s))
			fprintf(f, "%sSuggested --min-effect: %.1f (covers the floor of 90%% of the rows)\n",
				p, ceil(s * 1000) / 10);
		fputc('\n', f);
		print_text(&c, f);
	}
	if (f != stdout && fclose(f)) {
		fb_msg(o.cmd, "%s: %m", o.out);
		rc = 2;
	}
out:
	fb_cmp_free(&c);
	return rc == 1 ? 0 : rc;	/* 1: --help */
}
