// SPDX-License-Identifier: GPL-2.0
/*
 * Output of a comparison: rst (a grid table laid out like the tables in
 * kernel patch mails: Benchmark | Result Class | Improvement, then the
 * evidence), md, json (jansson) and csv. One set of cells feeds rst and
 * md; json and csv carry the raw numbers.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmp.h"

#define NCOLS 10
#define CELL FB_CELL

const char *const fb_cmp_headers[NCOLS] = {
	"Benchmark", "Result Class", "Improvement", "95% CI", "p Holm (raw)",
	"BASE median", "NEW median", "n", "CV", "Floor",
};

static const char *mark_str(enum fb_mark m)
{
	return m == FB_MARK_IMPROVED ? "(I) " :
	       m == FB_MARK_REGRESSED ? "(R) " : "";
}

static void pct(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f%%", v * 100);
}

static void row_cells(const struct fb_row *r, struct fb_line *l)
{
	double lo, hi;

	memset(l, 0, sizeof(*l));
	fb_row_class(r, l->cell[1], CELL);
	if (!r->tested) {
		snprintf(l->cell[2], CELL, "only in %s",
			 r->side[FB_BASE].n ? "BASE" : "NEW");
	} else if (!r->have_ratio) {
		snprintf(l->cell[2], CELL, "%sn/a (BASE median 0)",
			 mark_str(r->mark));
	} else {
		snprintf(l->cell[2], CELL, "%s%.2f%%", mark_str(r->mark),
			 fb_row_improvement(r));
		fb_row_improvement_ci(r, &lo, &hi);
		snprintf(l->cell[3], CELL, "[%.2f%%, %.2f%%]", lo, hi);
	}
	if (r->tested)
		snprintf(l->cell[4], CELL, "%.2g (%.2g)", r->p_adj, r->p);
	for (int s = 0; s < 2; s++) {
		if (r->side[s].n)
			snprintf(l->cell[5 + s], CELL, "%.6g", r->sum[s].median);
	}
	snprintf(l->cell[7], CELL, "%zu/%zu", r->side[0].n, r->side[1].n);
	{
		char a[40], b[40];

		pct(a, sizeof(a), r->sum[0].cv);
		pct(b, sizeof(b), r->sum[1].cv);
		snprintf(l->cell[8], CELL, "%s/%s", a, b);
		if (r->tested)
			pct(l->cell[9], CELL, r->floor);
	}
}

struct fb_line *fb_cmp_lines(const struct fb_cmp *c, size_t *n)
{
	struct fb_line *l = calloc(2 * c->nrows + 1, sizeof(*l));
	size_t k = 0;

	*n = 0;
	if (!l)
		return NULL;
	for (size_t i = 0; i < c->nrows; i++) {
		const struct fb_row *r = &c->rows[i];
		bool first = !i || strcmp(c->rows[i - 1].workload, r->workload);
		bool last = i + 1 == c->nrows ||
			    strcmp(c->rows[i + 1].workload, r->workload);
		double g;
		size_t ng;

		row_cells(r, &l[k]);
		if (first) {
			snprintf(l[k].cell[0], CELL, "%s", r->workload);
			l[k].group_start = true;
		}
		k++;
		if (last && fb_cmp_geomean(c, r->workload, &g, &ng) && ng > 1) {
			snprintf(l[k].cell[1], CELL, "geometric mean (%zu rows)", ng);
			snprintf(l[k].cell[2], CELL, "%.2f%%", g);
			k++;
		}
	}
	*n = k;
	return l;
}

static void rst_rule(FILE *f, const size_t *w, int ncols, char ch)
{
	for (int j = 0; j < ncols; j++) {
		fputc('+', f);
		for (size_t k = 0; k < w[j] + 2; k++)
			fputc(ch, f);
	}
	fputs("+\n", f);
}

static void rst_line(FILE *f, const size_t *w, int ncols,
		     const char cells[][CELL])
{
	for (int j = 0; j < ncols; j++)
		fprintf(f, j == 2 ? "| %*s " : "| %-*s ", (int)w[j], cells[j]);
	fputs("|\n", f);
}

void fb_print_rst(FILE *f, const char *const *headers, int ncols,
		  const struct fb_line *l, size_t n)
{
	size_t w[FB_NCOLS];
	char head[FB_NCOLS][CELL];

	for (int j = 0; j < ncols; j++) {
		snprintf(head[j], CELL, "%s", headers[j]);
		w[j] = strlen(head[j]);
		for (size_t i = 0; i < n; i++)
			if (strlen(l[i].cell[j]) > w[j])
				w[j] = strlen(l[i].cell[j]);
	}
	rst_rule(f, w, ncols, '-');
	rst_line(f, w, ncols, head);
	rst_rule(f, w, ncols, '=');
	/*
	 * A rule after every line: lines without one between them would be
	 * one row of multi-line cells (paragraphs) to an rst reader.
	 */
	for (size_t i = 0; i < n; i++) {
		rst_line(f, w, ncols, l[i].cell);
		rst_rule(f, w, ncols, '-');
	}
}

static void md_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
}

void fb_print_md(FILE *f, const char *const *headers, int ncols,
		 const struct fb_line *l, size_t n)
{
	for (int j = 0; j < ncols; j++)
		fprintf(f, "| %s ", headers[j]);
	fputs("|\n", f);
	for (int j = 0; j < ncols; j++)
		fputs(j == 2 ? "|---:" : "|---", f);
	fputs("|\n", f);
	for (size_t i = 0; i < n; i++) {
		for (int j = 0; j < ncols; j++) {
			bool bold = j == 2 && (l[i].cell[2][0] == '(');

			fputs("| ", f);
			if (bold)
				fputs("**", f);
			md_escape(f, l[i].cell[j]);
			fputs(bold ? "** " : " ", f);
		}
		fputs("|\n", f);
	}
}

void fb_csv_field(FILE *f, const char *s, bool last)
{
	if (strpbrk(s, ",\"\n")) {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', f);
			fputc(*s, f);
		}
		fputc('"', f);
	} else {
		fputs(s, f);
	}
	fputc(last ? '\n' : ',', f);
}

void fb_csv_num(FILE *f, double v, bool last)
{
	char buf[64];

	if (isnan(v))
		buf[0] = 0;
	else
		snprintf(buf, sizeof(buf), "%.10g", v);
	fb_csv_field(f, buf, last);
}

static const char *presence(const struct fb_row *r)
{
	return r->tested ? "both" : r->side[FB_BASE].n ? "base_only" : "new_only";
}

static const char *mark_name(enum fb_mark m)
{
	return m == FB_MARK_IMPROVED ? "I" : m == FB_MARK_REGRESSED ? "R" : "";
}

static void print_csv(const struct fb_cmp *c, FILE *f)
{
	fputs("workload,params,metric,unit,better,presence,base_n,base_median,base_cv_pct,base_runs,new_n,new_median,new_cv_pct,new_runs,change_pct,ci_lo_pct,ci_hi_pct,p,p_holm,mark,improvement_pct,noise_floor_pct,design_effect\n",
	      f);
	for (size_t i = 0; i < c->nrows; i++) {
		const struct fb_row *r = &c->rows[i];
		bool ratio = r->tested && r->have_ratio;

		fb_csv_field(f, r->workload, false);
		fb_csv_field(f, r->params, false);
		fb_csv_field(f, r->metric, false);
		fb_csv_field(f, r->unit, false);
		fb_csv_field(f, r->better == FB_HIGHER_IS_BETTER ? "higher" : "lower",
			  false);
		fb_csv_field(f, presence(r), false);
		for (int s = 0; s < 2; s++) {
			fb_csv_num(f, r->side[s].n, false);
			fb_csv_num(f, r->side[s].n ? r->sum[s].median : NAN, false);
			fb_csv_num(f, r->side[s].n ? r->sum[s].cv * 100 : NAN, false);
			fb_csv_num(f, r->nruns[s], false);
		}
		fb_csv_num(f, ratio ? fb_row_change(r) : NAN, false);
		fb_csv_num(f, ratio ? (r->r.lo - 1) * 100 : NAN, false);
		fb_csv_num(f, ratio ? (r->r.hi - 1) * 100 : NAN, false);
		fb_csv_num(f, r->tested ? r->p : NAN, false);
		fb_csv_num(f, r->tested ? r->p_adj : NAN, false);
		fb_csv_field(f, mark_name(r->mark), false);
		fb_csv_num(f, ratio ? fb_row_improvement(r) : NAN, false);
		fb_csv_num(f, r->tested ? r->floor * 100 : NAN, false);
		fb_csv_num(f, r->tested ? r->deff : NAN, true);
	}
}

json_t *fb_jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *fb_env_json(const struct fb_env *e)
{
	json_t *o = json_object();

	for (size_t i = 0; i < e->n; i++)
		json_object_set_new(o, e->kv[i].key, json_string(e->kv[i].value));
	return o;
}

static json_t *set_json(const struct fb_set *s)
{
	json_t *o = json_object(), *runs = json_array();

	for (size_t i = 0; i < s->nruns; i++) {
		json_t *r = json_object();

		json_object_set_new(r, "id", json_integer(s->runs[i].id));
		json_object_set_new(r, "label", json_string(s->runs[i].label));
		json_object_set_new(r, "status", json_string(s->runs[i].status));
		json_object_set_new(r, "started_at",
				    json_string(s->runs[i].started_at));
		json_array_append_new(runs, r);
	}
	json_object_set_new(o, "spec", json_string(s->spec));
	json_object_set_new(o, "runs", runs);
	json_object_set_new(o, "values", json_integer(s->nvalues));
	json_object_set_new(o, "environment", fb_env_json(&s->env));
	return o;
}

static json_t *side_json(const struct fb_row *r, int s)
{
	json_t *o = json_object();

	json_object_set_new(o, "n", json_integer(r->side[s].n));
	json_object_set_new(o, "runs", json_integer(r->nruns[s]));
	if (r->side[s].n) {
		json_object_set_new(o, "median", fb_jnum(r->sum[s].median));
		json_object_set_new(o, "cv", fb_jnum(r->sum[s].cv));
		json_object_set_new(o, "run_to_run_cv", fb_jnum(r->rr_cv[s]));
	}
	return o;
}

static json_t *row_json(const struct fb_row *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "workload", json_string(r->workload));
	json_object_set_new(o, "params", json_string(r->params));
	json_object_set_new(o, "metric", json_string(r->metric));
	json_object_set_new(o, "unit", json_string(r->unit));
	json_object_set_new(o, "better", json_string(
		r->better == FB_HIGHER_IS_BETTER ? "higher" : "lower"));
	json_object_set_new(o, "presence", json_string(presence(r)));
	json_object_set_new(o, "base", side_json(r, FB_BASE));
	json_object_set_new(o, "new", side_json(r, FB_NEW));
	if (!r->tested)
		return o;
	if (r->have_ratio) {
		double lo, hi;

		fb_row_improvement_ci(r, &lo, &hi);
		json_object_set_new(o, "ratio", fb_jnum(r->r.est));
		json_object_set_new(o, "ratio_ci", json_pack("[o,o]",
				    fb_jnum(r->r.lo), fb_jnum(r->r.hi)));
		json_object_set_new(o, "ci_coverage", fb_jnum(r->r.achieved));
		json_object_set_new(o, "change_pct", fb_jnum(fb_row_change(r)));
		json_object_set_new(o, "improvement_pct",
				    fb_jnum(fb_row_improvement(r)));
		json_object_set_new(o, "improvement_ci_pct",
				    json_pack("[o,o]", fb_jnum(lo), fb_jnum(hi)));
	}
	json_object_set_new(o, "p", fb_jnum(r->p));
	json_object_set_new(o, "p_pooled", fb_jnum(r->p_pooled));
	json_object_set_new(o, "icc", fb_jnum(r->icc));
	json_object_set_new(o, "design_effect", fb_jnum(r->deff));
	json_object_set_new(o, "p_holm", fb_jnum(r->p_adj));
	json_object_set_new(o, "mark", json_string(mark_name(r->mark)));
	json_object_set_new(o, "mde_pct", fb_jnum(r->mde * 100));
	json_object_set_new(o, "noise_floor_pct", fb_jnum(r->floor * 100));
	return o;
}

static void print_json(const struct fb_cmp *c, FILE *f)
{
	json_t *root = json_object(), *rows = json_array(), *geo = json_array();
	json_t *diffs = json_array(), *opts;
	struct fb_envdiff *d;
	size_t nd = fb_cmp_envdiff(c, &d);

	for (size_t i = 0; i < nd; i++)
		json_array_append_new(diffs, json_pack("{s:s,s:s,s:s}",
				      "key", d[i].key, "base", d[i].base,
				      "new", d[i].new));
	free(d);
	for (size_t i = 0; i < c->nrows; i++) {
		const char *w = c->rows[i].workload;
		double g;
		size_t ng;

		json_array_append_new(rows, row_json(&c->rows[i]));
		if ((i + 1 == c->nrows || strcmp(c->rows[i + 1].workload, w)) &&
		    fb_cmp_geomean(c, w, &g, &ng))
			json_array_append_new(geo, json_pack("{s:s,s:i,s:f}",
					      "workload", w, "rows", (int)ng,
					      "improvement_pct", g));
	}
	opts = json_pack("{s:f,s:f,s:f,s:s,s:i}", "min_effect_pct",
			 c->o.min_effect * 100, "alpha", c->o.alpha,
			 "confidence", c->o.conf, "interval",
			 c->o.ci == FB_CI_HL ? "hodges-lehmann" : "bootstrap",
			 "rows_tested", (int)c->ntested);
	json_object_set_new(root, "base", set_json(&c->set[FB_BASE]));
	json_object_set_new(root, "new", set_json(&c->set[FB_NEW]));
	json_object_set_new(root, "config_differences", diffs);
	json_object_set_new(root, "options", opts);
	json_object_set_new(root, "rows", rows);
	json_object_set_new(root, "geomean", geo);
	json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	fputc('\n', f);
	json_decref(root);
}

static void print_set(const struct fb_set *s, FILE *f, const char *name,
		      const char *prefix)
{
	fprintf(f, "%s%s: %s (%zu run%s:", prefix, name, s->spec, s->nruns,
		s->nruns == 1 ? "" : "s");
	for (size_t i = 0; i < s->nruns; i++) {
		fprintf(f, " #%lld", (long long)s->runs[i].id);
		if (strcmp(s->runs[i].status, "complete"))
			fprintf(f, " (%s)", s->runs[i].status);
	}
	fprintf(f, "; %zu values)\n", s->nvalues);
}

void fb_cmp_print_header(const struct fb_cmp *c, FILE *f, const char *prefix)
{
	struct fb_envdiff *d;
	size_t nd = fb_cmp_envdiff(c, &d), marks[3] = { 0 }, only[2] = { 0 };
	const struct fb_env *e = &c->set[FB_BASE].env;
	static const char *const same_keys[] = { "kernel.release", "virt",
						 "kernel.preempt", NULL };

	print_set(&c->set[FB_BASE], f, "BASE", prefix);
	print_set(&c->set[FB_NEW], f, "NEW", prefix);
	if (!nd) {
		fprintf(f, "%sConfiguration: identical", prefix);
		for (int i = 0; same_keys[i]; i++)
			if (fb_env_get(e, same_keys[i]))
				fprintf(f, "%s%s %s", i ? ", " : " (",
					same_keys[i], fb_env_get(e, same_keys[i]));
		fprintf(f, "%s\n", fb_env_get(e, same_keys[0]) ? ")" : "");
	} else {
		fprintf(f, "%sConfiguration differs in %zu key%s (BASE -> NEW):\n",
			prefix, nd, nd == 1 ? "" : "s");
		for (size_t i = 0; i < nd; i++) {
			bool mixed = false;

			for (size_t s = 0; s < 2; s++)
				for (size_t k = 0; k < c->set[s].nmixed; k++)
					mixed |= !strcmp(c->set[s].mixed[k], d[i].key);
			/* markdown: a nested list; text: indented */
			fprintf(f, "%s%s%s: %s -> %s%s\n",
				!strcmp(prefix, "- ") ? "" : prefix,
				!strcmp(prefix, "- ") ? "  - " : "  ", d[i].key,
				*d[i].base ? d[i].base : "(absent)",
				*d[i].new ? d[i].new : "(absent)",
				mixed ? " (differs between runs of one set too)" : "");
		}
	}
	free(d);
	for (size_t i = 0; i < c->nrows; i++) {
		if (c->rows[i].tested)
			marks[c->rows[i].mark]++;
		else
			only[c->rows[i].side[FB_BASE].n ? 0 : 1]++;
	}
	fprintf(f, "%sRows: %zu compared: %zu (I), %zu (R), %zu unmarked; %zu only in BASE, %zu only in NEW\n",
		prefix, c->ntested, marks[FB_MARK_IMPROVED],
		marks[FB_MARK_REGRESSED], marks[FB_MARK_NONE], only[0], only[1]);
	fprintf(f, "%sMarked when Holm-adjusted p <= %g over the %zu rows and |improvement| >= %g%%; %g%% %s interval; Improvement > 0 is better\n",
		prefix, c->o.alpha, c->ntested, c->o.min_effect * 100,
		c->o.conf * 100, c->o.ci == FB_CI_HL ?
		"Hodges-Lehmann" : "bootstrap (ratio of medians)");
}

void fb_cmp_print(const struct fb_cmp *c, FILE *f)
{
	struct fb_line *l;
	size_t n;

	if (c->o.format == FB_FMT_JSON) {
		print_json(c, f);
		return;
	}
	if (c->o.format == FB_FMT_CSV) {
		print_csv(c, f);
		return;
	}
	l = fb_cmp_lines(c, &n);
	if (!l) {
		fb_msg(c->o.cmd, "out of memory");
		return;
	}
	fb_cmp_print_header(c, f, c->o.format == FB_FMT_MD ? "- " : "");
	fputc('\n', f);
	if (c->o.format == FB_FMT_MD)
		fb_print_md(f, fb_cmp_headers, c->o.brief ? 3 : NCOLS, l, n);
	else
		fb_print_rst(f, fb_cmp_headers, c->o.brief ? 3 : NCOLS, l, n);
	free(l);
}

void fb_cmp_warn_floor(const struct fb_cmp *c)
{
	const struct fb_row *worst = NULL;
	size_t below = 0;
	char cls[CELL];

	for (size_t i = 0; i < c->nrows; i++) {
		const struct fb_row *r = &c->rows[i];

		if (!r->tested || !(r->floor > c->o.min_effect))
			continue;
		below++;
		if (!worst || r->floor > worst->floor)
			worst = r;
	}
	if (!worst)
		return;
	fb_row_class(worst, cls, sizeof(cls));
	fb_msg(c->o.cmd, "warning: %s %g%% is below the noise floor of %zu of %zu rows (up to %.1f%%: %s %s); changes smaller than a row's floor can go unmarked or be run-to-run noise (see flushbench calibrate)",
	       c->o.effect_opt, c->o.min_effect * 100, below, c->ntested,
	       worst->floor * 100,
	       worst->workload, cls);
}
