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

#define CELL FLB_CELL

const char *const flb_cmp_headers[] = {
	"Benchmark", "Result Class", "Improvement", "95% CI", "p Holm (raw)",
	"BASE", "NEW", "Inv x runs x samples", "Run-to-run CV", "MDE", NULL,
};
#define NCOLS FLB_CMP_NCOLS

const char *const flb_cmp_sec_headers[] = {
	"Benchmark", "Result Class", "Improvement", "95% CI", "p Holm (raw)",
	"BASE", "NEW", "Invocations", NULL,
};
#define NSEC FLB_CMP_NSEC

static const char *mark_str(enum flb_mark m)
{
	return m == FLB_MARK_IMPROVED ? "(I) " :
	       m == FLB_MARK_REGRESSED ? "(R) " : "";
}

static void pct(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f%%", v);
}

/* The value a side stands for: exp(mean run statistic) of log rows. */
static double side_value(const struct flb_row *r, int s)
{
	if (!r->side[s].n)
		return NAN;
	return r->logscale ? exp(r->rs[s].mean) : r->rs[s].mean;
}

/*
 * The CV of an invocation's statistic of a log row (one variance for both
 * sides but for the calibration's, at BASE's runs and samples), with
 * where it came from.
 */
static void rr_cell(const struct flb_row *r, int s, char *buf, size_t len)
{
	const struct flb_side_runs *x = &r->rs[s];
	static const char *const src[] = {
		[FLB_VAR_NONE] = "", [FLB_VAR_RUNS] = "",
		[FLB_VAR_PRIOR] = " (prior)", [FLB_VAR_CALIB] = " (cal)",
	};

	if (x->src == FLB_VAR_NONE || !r->logscale || isnan(x->var))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f%%%s", sqrt(x->var) * 100, src[x->src]);
}

static void change_cells(const struct flb_cmp *c, const struct flb_row *r,
			 struct flb_line *l)
{
	const char *why = flb_row_untested_why(c, r);
	double lo, hi, imp = flb_row_improvement(r);

	if (!r->tested) {
		snprintf(l->cell[2], CELL, "%s", why);
		return;
	}
	if (isnan(imp))
		snprintf(l->cell[2], CELL, "%sn/a (BASE 0)", mark_str(r->mark));
	else
		snprintf(l->cell[2], CELL, "%s%.2f%%", mark_str(r->mark), imp);
	if (why) {
		snprintf(l->cell[3], CELL, "%s", why);
		return;
	}
	flb_row_improvement_ci(r, &lo, &hi);
	if (!isnan(lo))
		snprintf(l->cell[3], CELL, "[%.2f%%, %.2f%%]", lo, hi);
	snprintf(l->cell[4], CELL, "%.2g (%.2g)", r->p_adj, r->p);
}

static void row_cells(const struct flb_cmp *c, const struct flb_row *r,
		      struct flb_line *l)
{
	memset(l, 0, sizeof(*l));
	flb_row_class(r, l->cell[1], CELL);
	change_cells(c, r, l);
	for (int s = 0; s < 2; s++)
		if (r->side[s].n)
			snprintf(l->cell[5 + s], CELL, "%.6g", side_value(r, s));
	if (r->role == FLB_ROLE_SECONDARY) {
		snprintf(l->cell[7], CELL, "%zu/%zu", r->rs[0].ng, r->rs[1].ng);
		return;
	}
	snprintf(l->cell[7], CELL, "%zux%.3gx%.0f/%zux%.3gx%.0f", r->rs[0].ng,
		 r->rs[0].rpg, r->rs[0].m, r->rs[1].ng, r->rs[1].rpg, r->rs[1].m);
	rr_cell(r, 0, l->cell[8], CELL);
	if (r->tested && isnan(r->mde))
		snprintf(l->cell[9], CELL, "not detectable");
	else if (r->tested)
		pct(l->cell[9], CELL, flb_row_mde_pct(r));
}

static bool shown(const struct flb_row *r, bool secondary)
{
	return secondary ? r->role == FLB_ROLE_SECONDARY :
	       r->role == FLB_ROLE_PRIMARY;
}

struct flb_line *flb_cmp_lines(const struct flb_cmp *c, bool secondary,
			     size_t *n)
{
	struct flb_line *l = calloc(c->nrows + 2, sizeof(*l));
	const char *last = NULL;
	size_t k = 0;

	*n = 0;
	if (!l)
		return NULL;
	for (size_t i = 0; i < c->nrows; i++) {
		const struct flb_row *r = &c->rows[i];

		if (!shown(r, secondary))
			continue;
		row_cells(c, r, &l[k]);
		if (!last || strcmp(last, r->workload)) {
			snprintf(l[k].cell[0], CELL, "%s", r->workload);
			l[k].group_start = true;
		}
		last = r->workload;
		k++;
	}
	if (!secondary && c->geo.n > 1) {
		const struct flb_geo *g = &c->geo;
		double pe = (g->est < 0 ? -1 : 1) * expm1(fabs(g->est)) * 100;

		l[k].group_start = true;
		snprintf(l[k].cell[0], CELL, "all");
		snprintf(l[k].cell[1], CELL, "geometric mean (%zu rows)", g->n);
		snprintf(l[k].cell[2], CELL, "%.2f%%", pe);
		if (!isnan(g->lo))
			snprintf(l[k].cell[3], CELL, "[%.2f%%, %.2f%%]",
				 (g->lo < 0 ? -1 : 1) * expm1(fabs(g->lo)) * 100,
				 (g->hi < 0 ? -1 : 1) * expm1(fabs(g->hi)) * 100);
		k++;
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

void flb_print_rst(FILE *f, const char *const *headers, int ncols,
		  const struct flb_line *l, size_t n)
{
	size_t w[FLB_NCOLS];
	char head[FLB_NCOLS][CELL];

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

void flb_print_md(FILE *f, const char *const *headers, int ncols,
		 const struct flb_line *l, size_t n)
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

void flb_csv_field(FILE *f, const char *s, bool last)
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

void flb_csv_num(FILE *f, double v, bool last)
{
	char buf[64];

	if (isnan(v))
		buf[0] = 0;
	else
		snprintf(buf, sizeof(buf), "%.10g", v);
	flb_csv_field(f, buf, last);
}

void flb_xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, f);
		}
	}
}

static const char *presence(const struct flb_row *r)
{
	return r->tested ? "both" : r->side[FLB_BASE].n ? "base_only" : "new_only";
}

static const char *mark_name(enum flb_mark m)
{
	return m == FLB_MARK_IMPROVED ? "I" : m == FLB_MARK_REGRESSED ? "R" : "";
}

static const char *const role_names[] = {
	[FLB_ROLE_PRIMARY] = "primary", [FLB_ROLE_MIRROR] = "mirror",
	[FLB_ROLE_SECONDARY] = "secondary",
};

static const char *const src_names[] = {
	[FLB_VAR_NONE] = "none", [FLB_VAR_RUNS] = "runs",
	[FLB_VAR_PRIOR] = "prior", [FLB_VAR_CALIB] = "calibration",
};

static void print_csv(const struct flb_cmp *c, FILE *f)
{
	fputs("workload,params,metric,unit,better,role,presence,base_runs,base_samples,base_value,base_var_source,new_runs,new_samples,new_value,new_var_source,improvement_pct,ci_lo_pct,ci_hi_pct,p,p_holm,df,mark,mde_pct,untested\n",
	      f);
	for (size_t i = 0; i < c->nrows; i++) {
		const struct flb_row *r = &c->rows[i];
		const char *why = flb_row_untested_why(c, r);
		double lo = NAN, hi = NAN;

		if (r->testable)
			flb_row_improvement_ci(r, &lo, &hi);
		flb_csv_field(f, r->workload, false);
		flb_csv_field(f, r->params, false);
		flb_csv_field(f, r->metric, false);
		flb_csv_field(f, r->unit, false);
		flb_csv_field(f, r->better == FLB_HIGHER_IS_BETTER ? "higher" : "lower",
			     false);
		flb_csv_field(f, role_names[r->role], false);
		flb_csv_field(f, presence(r), false);
		for (int s = 0; s < 2; s++) {
			flb_csv_num(f, r->rs[s].n, false);
			flb_csv_num(f, r->side[s].n, false);
			flb_csv_num(f, side_value(r, s), false);
			flb_csv_field(f, src_names[r->rs[s].src], false);
		}
		flb_csv_num(f, r->tested ? flb_row_improvement(r) : NAN, false);
		flb_csv_num(f, lo, false);
		flb_csv_num(f, hi, false);
		flb_csv_num(f, r->p, false);
		flb_csv_num(f, r->p_adj, false);
		flb_csv_num(f, r->df, false);
		flb_csv_field(f, mark_name(r->mark), false);
		flb_csv_num(f, flb_row_mde_pct(r), false);
		flb_csv_field(f, why ? why : "", true);
	}
}

json_t *flb_jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *flb_env_json(const struct flb_env *e)
{
	json_t *o = json_object();

	for (size_t i = 0; i < e->n; i++)
		json_object_set_new(o, e->kv[i].key, json_string(e->kv[i].value));
	return o;
}

static json_t *set_json(const struct flb_set *s)
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
	json_object_set_new(o, "environment", flb_env_json(&s->env));
	return o;
}

static json_t *side_json(const struct flb_row *r, int s)
{
	const struct flb_side_runs *x = &r->rs[s];
	json_t *o = json_object(), *runs = json_array();

	json_object_set_new(o, "n", json_integer(r->side[s].n));
	json_object_set_new(o, "runs", json_integer(x->n));
	json_object_set_new(o, "invocations", json_integer(x->ng));
	if (!r->side[s].n)
		return o;
	for (size_t i = 0; i < x->n; i++)
		json_array_append_new(runs, json_pack("{s:I,s:I,s:s,s:o}",
				      "run", (json_int_t)x->r[i].run,
				      "n", (json_int_t)x->r[i].n,
				      "invocation", x->g[x->r[i].group].id,
				      "stat", flb_jnum(x->r[i].stat)));
	json_object_set_new(o, "value", flb_jnum(side_value(r, s)));
	json_object_set_new(o, "median", flb_jnum(r->sum[s].median));
	json_object_set_new(o, "cv", flb_jnum(r->sum[s].cv));
	json_object_set_new(o, "samples_per_run", flb_jnum(x->m));
	json_object_set_new(o, "runs_per_invocation", flb_jnum(x->rpg));
	json_object_set_new(o, "run_var_within_invocations", flb_jnum(x->rvar));
	json_object_set_new(o, "stat_mean", flb_jnum(x->mean));
	json_object_set_new(o, "stat_var", flb_jnum(x->s2));
	json_object_set_new(o, "within_run_var", flb_jnum(x->wvar));
	json_object_set_new(o, "var_source", json_string(src_names[x->src]));
	json_object_set_new(o, "var", flb_jnum(x->var));
	json_object_set_new(o, "var_df", flb_jnum(x->df));
	json_object_set_new(o, "per_run", runs);
	return o;
}

static json_t *row_json(const struct flb_cmp *c, const struct flb_row *r)
{
	const char *why = flb_row_untested_why(c, r);
	json_t *o = json_object();
	double lo, hi;

	json_object_set_new(o, "workload", json_string(r->workload));
	json_object_set_new(o, "params", json_string(r->params));
	json_object_set_new(o, "metric", json_string(r->metric));
	json_object_set_new(o, "unit", json_string(r->unit));
	json_object_set_new(o, "better", json_string(
		r->better == FLB_HIGHER_IS_BETTER ? "higher" : "lower"));
	json_object_set_new(o, "role", json_string(role_names[r->role]));
	json_object_set_new(o, "presence", json_string(presence(r)));
	json_object_set_new(o, "scale", json_string(r->logscale ? "log" : "linear"));
	json_object_set_new(o, "base", side_json(r, FLB_BASE));
	json_object_set_new(o, "new", side_json(r, FLB_NEW));
	json_object_set_new(o, "testable", json_boolean(r->testable));
	json_object_set_new(o, "untested", why ? json_string(why) : json_null());
	json_object_set_new(o, "mark", json_string(mark_name(r->mark)));
	if (!r->tested || r->role == FLB_ROLE_MIRROR)
		return o;
	json_object_set_new(o, "estimate", flb_jnum(r->est));
	json_object_set_new(o, "improvement_pct",
			    flb_jnum(flb_row_improvement(r)));
	if (!r->testable)
		return o;
	flb_row_improvement_ci(r, &lo, &hi);
	json_object_set_new(o, "se", flb_jnum(r->se));
	json_object_set_new(o, "df", flb_jnum(r->df));
	json_object_set_new(o, "ci", json_pack("[o,o]", flb_jnum(r->lo),
					       flb_jnum(r->hi)));
	json_object_set_new(o, "improvement_ci_pct",
			    json_pack("[o,o]", flb_jnum(lo), flb_jnum(hi)));
	json_object_set_new(o, "p", flb_jnum(r->p));
	json_object_set_new(o, "p_holm", flb_jnum(r->p_adj));
	json_object_set_new(o, "mde_pct", flb_jnum(flb_row_mde_pct(r)));
	json_object_set_new(o, "boot_variance_included",
			    json_boolean(r->boot_added));
	if (r->cal)
		json_object_set_new(o, "calibration", json_pack("{s:s,s:I,s:I,s:s}",
				    "label", r->cal->label,
				    "runs", (json_int_t)r->cal->runs,
				    "invocations", (json_int_t)r->cal->invocations,
				    "created_at", r->cal->created_at));
	return o;
}

static json_t *prior_json(const struct flb_prior *p)
{
	return json_pack("{s:o,s:o,s:I}", "df", flb_jnum(p->d0 > 0 ? p->d0 : NAN),
			 "var", flb_jnum(p->d0 > 0 ? p->s02 : NAN),
			 "fitted_on", (json_int_t)p->n);
}

static void print_json(const struct flb_cmp *c, FILE *f)
{
	json_t *root = json_object(), *rows = json_array();
	json_t *diffs = json_array(), *opts, *geo;
	struct flb_envdiff *d;
	size_t nd = flb_cmp_envdiff(c, &d);
	const struct flb_geo *g = &c->geo;

	for (size_t i = 0; i < nd; i++)
		json_array_append_new(diffs, json_pack("{s:s,s:s,s:s}",
				      "key", d[i].key, "base", d[i].base,
				      "new", d[i].new));
	free(d);
	for (size_t i = 0; i < c->nrows; i++)
		json_array_append_new(rows, row_json(c, &c->rows[i]));
	geo = json_pack("{s:I,s:b,s:o,s:[o,o]}", "rows", (json_int_t)g->n,
			"by_run", g->by_run,
			"improvement_pct", flb_jnum(expm1(fabs(g->est)) *
						   (g->est < 0 ? -100 : 100)),
			"improvement_ci_pct",
			flb_jnum(expm1(fabs(g->lo)) * (g->lo < 0 ? -100 : 100)),
			flb_jnum(expm1(fabs(g->hi)) * (g->hi < 0 ? -100 : 100)));
	opts = json_pack("{s:f,s:f,s:f,s:f,s:I,s:I,s:I}", "min_effect_pct",
			 c->o.min_effect * 100, "alpha", c->o.alpha,
			 "confidence", c->o.conf, "power", c->o.power,
			 "rows_tested", (json_int_t)c->ntested,
			 "primary_family", (json_int_t)c->nprimary,
			 "secondary_family", (json_int_t)c->nsecondary);
	json_object_set_new(root, "base", set_json(&c->set[FLB_BASE]));
	json_object_set_new(root, "new", set_json(&c->set[FLB_NEW]));
	json_object_set_new(root, "config_differences", diffs);
	json_object_set_new(root, "options", opts);
	json_object_set_new(root, "prior", prior_json(&c->prior));
	json_object_set_new(root, "calibration", c->ncal ?
		json_pack("{s:s,s:s,s:I,s:o}", "host", c->cal_host,
			  "config_hash", c->cal_config,
			  "rows", (json_int_t)c->ncal,
			  "prior", prior_json(&c->cal_prior)) :
		json_pack("{s:s}", "none", c->no_cal_why ? c->no_cal_why : ""));
	json_object_set_new(root, "boots_differ", json_boolean(c->boots_differ));
	json_object_set_new(root, "rows", rows);
	json_object_set_new(root, "geomean", geo);
	json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	fputc('\n', f);
	json_decref(root);
}

static void print_set(const struct flb_set *s, FILE *f, const char *name,
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

static void print_inference(const struct flb_cmp *c, FILE *f,
			    const char *prefix);

/* The distinct hosts of a set's runs, ", "-joined, into buf; how many. */
static size_t set_hosts(const struct flb_set *s, char *buf, size_t len)
{
	size_t n = 0, used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->nruns; i++) {
		size_t j;

		for (j = 0; j < i; j++)
			if (!strcmp(s->runs[j].host, s->runs[i].host))
				break;
		if (j < i)
			continue;
		used += snprintf(buf + used, used < len ? len - used : 0, "%s%s",
				 n ? ", " : "", *s->runs[i].host ?
				 s->runs[i].host : "(unknown)");
		n++;
	}
	return n;
}

/* Runs of more than one host (a store merged by flushbench import): say so. */
static void print_hosts(const struct flb_cmp *c, FILE *f, const char *prefix)
{
	char h[2][1024];
	size_t n[2];

	n[0] = set_hosts(&c->set[FLB_BASE], h[0], sizeof(h[0]));
	n[1] = set_hosts(&c->set[FLB_NEW], h[1], sizeof(h[1]));
	if (n[0] == 1 && n[1] == 1 && !strcmp(h[0], h[1]))
		return;
	fprintf(f, "%sAcross hosts: BASE ran on %s, NEW on %s; the change includes the machines' differences%s\n",
		prefix, h[0], h[1],
		c->o.host ? "" : " (--host NAME keeps one host's runs)");
}

void flb_cmp_print_header(const struct flb_cmp *c, FILE *f, const char *prefix)
{
	struct flb_envdiff *d;
	size_t nd = flb_cmp_envdiff(c, &d);
	const struct flb_env *e = &c->set[FLB_BASE].env;
	static const char *const same_keys[] = { "kernel.release", "virt",
						 "kernel.preempt", NULL };

	print_set(&c->set[FLB_BASE], f, "BASE", prefix);
	print_set(&c->set[FLB_NEW], f, "NEW", prefix);
	print_hosts(c, f, prefix);
	if (!nd) {
		fprintf(f, "%sConfiguration: identical", prefix);
		for (int i = 0; same_keys[i]; i++)
			if (flb_env_get(e, same_keys[i]))
				fprintf(f, "%s%s %s", i ? ", " : " (",
					same_keys[i], flb_env_get(e, same_keys[i]));
		fprintf(f, "%s\n", flb_env_get(e, same_keys[0]) ? ")" : "");
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
	print_inference(c, f, prefix);
}

/* How the rows were tested, and what can be concluded. */
static void print_inference(const struct flb_cmp *c, FILE *f, const char *prefix)
{
	size_t marks[3] = { 0 }, untestable = 0, smarks = 0, only[2] = { 0 };
	size_t src[4] = { 0 }, boots = 0, boots_missing = 0;

	for (size_t i = 0; i < c->nrows; i++) {
		const struct flb_row *r = &c->rows[i];

		if (!r->tested) {
			only[r->side[FLB_BASE].n ? 0 : 1] += r->role == FLB_ROLE_PRIMARY;
			continue;
		}
		if (r->role == FLB_ROLE_SECONDARY) {
			smarks += r->mark != FLB_MARK_NONE;
			continue;
		}
		if (r->role != FLB_ROLE_PRIMARY)
			continue;
		marks[r->mark] += r->testable;
		untestable += !r->testable;
		src[r->rs[0].src]++;
		src[r->rs[1].src]++;
		boots += r->boot_added;
		boots_missing += r->testable && !r->boot_added;
	}
	fprintf(f, "%sInference: invocations are the unit (the runs of one flushbench run; a run's statistic: the median of its log values); t in invocations; Holm over one primary metric per job (%zu rows) at alpha %g; a mark needs |change| >= %g%%\n",
		prefix, c->nprimary, c->o.alpha, c->o.min_effect * 100);
	if (src[FLB_VAR_RUNS]) {
		if (c->prior.d0 > 0)
			fprintf(f, "%sVariance between invocations: the sides' own, moderated across the table (empirical Bayes over %zu rows: prior df %.3g)\n",
				prefix, c->prior.n, c->prior.d0);
		else
			fprintf(f, "%sVariance between invocations: the sides' own (too few rows to moderate: %zu)\n",
				prefix, c->prior.n);
	}
	if (src[FLB_VAR_CALIB])
		fprintf(f, "%sVariance between invocations, for sides of one: this host's calibration (host %s, config %s, label %s, %ld runs in %ld invocations, %s)\n",
			prefix, c->cal_host, c->cal_config, c->cal[0].label,
			c->cal[0].runs, c->cal[0].invocations, c->cal[0].created_at);
	if (src[FLB_VAR_PRIOR])
		fprintf(f, "%sVariance between invocations, for sides of one: the prior fitted on the table's other rows\n",
			prefix);
	if (src[FLB_VAR_NONE])
		fprintf(f, "%sOne invocation per side: the variance between invocations is unknown: %zu row%s cannot be marked (%s; or run each side in several invocations, alternating: flushbench run --repeat 1)\n",
			prefix, untestable, untestable == 1 ? "" : "s",
			c->no_cal_why ? c->no_cal_why :
			"the calibration is of one invocation");
	if (c->boots_differ && boots)
		fprintf(f, "%sBASE and NEW share no boot: the calibrated between-boot variance is included\n",
			prefix);
	else if (c->boots_differ && boots_missing && src[FLB_VAR_RUNS])
		fprintf(f, "%sBASE and NEW share no boot: between-boot variance is not included (calibrate on A/A runs from several boots to include it)\n",
			prefix);
	fprintf(f, "%sRows: %zu primary compared: %zu (I), %zu (R), %zu unmarked, %zu not testable; %zu only in BASE, %zu only in NEW; counters and other metrics: %zu compared, %zu marked (own Holm family, never gating)\n",
		prefix, marks[0] + marks[1] + marks[2] + untestable,
		marks[FLB_MARK_IMPROVED], marks[FLB_MARK_REGRESSED],
		marks[FLB_MARK_NONE], untestable, only[0], only[1],
		c->nsecondary, smarks);
	fprintf(f, "%sImprovement > 0 is better: +x%% is x%% faster (x%% more ops/s), -x%% is x%% slower (x%% more time per op); %g%% interval; MDE: the change found with power %g\n",
		prefix, c->o.conf * 100, c->o.power);
}

void flb_cmp_print(const struct flb_cmp *c, FILE *f)
{
	struct flb_line *l;
	size_t n;

	if (c->o.format == FLB_FMT_JSON) {
		print_json(c, f);
		return;
	}
	if (c->o.format == FLB_FMT_CSV) {
		print_csv(c, f);
		return;
	}
	flb_cmp_print_header(c, f, c->o.format == FLB_FMT_MD ? "- " : "");
	for (int sec = 0; sec < (c->o.brief ? 1 : 2); sec++) {
		const char *const *h = sec ? flb_cmp_sec_headers : flb_cmp_headers;
		int ncols = c->o.brief ? 3 : sec ? NSEC : NCOLS;

		l = flb_cmp_lines(c, sec, &n);
		if (!l) {
			flb_msg(c->o.cmd, "out of memory");
			return;
		}
		if (sec && n)
			fprintf(f, "\nCounters and other metrics (explain the change; Holm over these %zu rows; never gating):\n",
				c->nsecondary);
		if (n || !sec) {
			fputc('\n', f);
			if (c->o.format == FLB_FMT_MD)
				flb_print_md(f, h, ncols, l, n);
			else
				flb_print_rst(f, h, ncols, l, n);
		}
		free(l);
	}
}

void flb_cmp_warn_floor(const struct flb_cmp *c)
{
	const struct flb_row *worst = NULL;
	size_t below = 0;
	char cls[CELL];

	for (size_t i = 0; i < c->nrows; i++) {
		const struct flb_row *r = &c->rows[i];
		double m = flb_row_mde_pct(r);

		if (r->role != FLB_ROLE_PRIMARY || !r->tested)
			continue;
		if (!isnan(m) && m <= c->o.min_effect * 100)
			continue;
		below++;
		if (!worst || isnan(m) || m > flb_row_mde_pct(worst))
			worst = r;
	}
	if (!worst)
		return;
	flb_row_class(worst, cls, sizeof(cls));
	if (isnan(flb_row_mde_pct(worst)))
		flb_msg(c->o.cmd, "warning: %zu of %zu primary rows cannot detect a change of %s %g%% (e.g. %s %s: %s)",
		       below, c->nprimary + (c->ntested ? 0 : 0), c->o.effect_opt,
		       c->o.min_effect * 100, worst->workload, cls,
		       flb_row_untested_why(c, worst));
	else
		flb_msg(c->o.cmd, "warning: %zu primary row%s cannot reliably detect a change of %s %g%% (minimum detectable effect up to %.1f%%: %s %s); see flushbench plan",
		       below, below == 1 ? "" : "s", c->o.effect_opt,
		       c->o.min_effect * 100, flb_row_mde_pct(worst),
		       worst->workload, cls);
}
