// SPDX-License-Identifier: GPL-2.0
/*
 * The comparison engine (see cmp.h): reads two sets of runs through the
 * store API only, read-only; groups their values into rows; tests each
 * row (Mann-Whitney), estimates the change with an interval
 * (Hodges-Lehmann on logs, or a bootstrap of the ratio of medians),
 * corrects the p-values for the whole table (Holm) and marks a row only
 * when it is significant and at least --min-effect. docs/analysis.md
 * explains the choices.
 */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "cmp.h"

void fb_msg(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "flushbench %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void fb_cmp_defaults(struct fb_cmp_opts *o, const char *cmd)
{
	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->effect_opt = "--min-effect";
	o->db = "results.db";
	o->min_effect = 0.01;
	o->alpha = 0.05;
	o->conf = 0.95;
	o->power = 0.8;
	o->ci = FB_CI_HL;
	o->nboot = 2000;
	o->seed = 1;
	o->run_effect = true;
	o->format = FB_FMT_RST;
}

int fb_parse_pct(const char *s, double *frac)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !isfinite(v) || v < 0)
		return -1;
	if (*end == '%')
		end++;
	if (*end)
		return -1;
	*frac = v / 100;
	return 0;
}

static int parse_fraction(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return end == s || *end || errno || !(*v > 0 && *v < 1) ? -1 : 0;
}

static int parse_ulong(const char *s, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return end == s || *end || errno || *s == '-' ? -1 : 0;
}

static const char *const formats[] = { "rst", "md", "json", "csv", NULL };

int fb_cmp_opt(struct fb_cmp_opts *o, int argc, char **argv, int *i)
{
	const char *opt = argv[*i], *val;
	unsigned long ul;

	if (!strcmp(opt, "--brief")) {
		o->brief = true;
		return 1;
	}
	if (!strcmp(opt, "--no-run-effect")) {
		o->run_effect = false;
		return 1;
	}
	if (strcmp(opt, "--db") && strcmp(opt, "--format") &&
	    strcmp(opt, "--min-effect") && strcmp(opt, "--alpha") &&
	    strcmp(opt, "--ci") && strcmp(opt, "--bootstrap") &&
	    strcmp(opt, "--seed") && strcmp(opt, "--metric") &&
	    strcmp(opt, "--workload") && strcmp(opt, "-o") &&
	    strcmp(opt, "--power") && strcmp(opt, "--conf"))
		return 0;
	if (*i + 1 >= argc) {
		fb_msg(o->cmd, "%s needs a value", opt);
		return -1;
	}
	val = argv[++*i];
	if (!strcmp(opt, "--db")) {
		o->db = val;
	} else if (!strcmp(opt, "-o")) {
		o->out = val;
	} else if (!strcmp(opt, "--metric")) {
		o->metric = val;
	} else if (!strcmp(opt, "--workload")) {
		o->workload = val;
	} else if (!strcmp(opt, "--format")) {
		unsigned int f;

		for (f = 0; formats[f] && strcmp(formats[f], val); f++)
			;
		if (!formats[f]) {
			fb_msg(o->cmd, "--format '%s': expected rst, md, json or csv",
			       val);
			return -1;
		}
		o->format = (enum fb_format)f;
	} else if (!strcmp(opt, "--min-effect")) {
		if (fb_parse_pct(val, &o->min_effect)) {
			fb_msg(o->cmd, "--min-effect '%s': expected a percentage such as 1 or 2.5%%",
			       val);
			return -1;
		}
	} else if (!strcmp(opt, "--alpha") || !strcmp(opt, "--power") ||
		   !strcmp(opt, "--conf")) {
		double *dst = !strcmp(opt, "--alpha") ? &o->alpha :
			      !strcmp(opt, "--power") ? &o->power : &o->conf;

		if (parse_fraction(val, dst)) {
			fb_msg(o->cmd, "%s '%s': expected a number between 0 and 1",
			       opt, val);
			return -1;
		}
	} else if (!strcmp(opt, "--ci")) {
		if (!strcmp(val, "hl")) {
			o->ci = FB_CI_HL;
		} else if (!strcmp(val, "bootstrap")) {
			o->ci = FB_CI_BOOTSTRAP;
		} else {
			fb_msg(o->cmd, "--ci '%s': expected hl or bootstrap", val);
			return -1;
		}
	} else if (!strcmp(opt, "--bootstrap")) {
		if (parse_ulong(val, &ul) || ul < 100 || ul > 1000000) {
			fb_msg(o->cmd, "--bootstrap '%s': expected 100 to 1000000 resamples",
			       val);
			return -1;
		}
		o->nboot = ul;
	} else if (!strcmp(opt, "--seed")) {
		if (parse_ulong(val, &ul)) {
			fb_msg(o->cmd, "--seed '%s': expected a non-negative integer",
			       val);
			return -1;
		}
		o->seed = ul;
	}
	return 1;
}

/* --- loading --- */

struct loader {
	struct fb_cmp *c;
	unsigned int side;
	size_t *slots;		/* open addressing: row index + 1, 0 empty */
	size_t nslots;
	size_t cap;		/* rows allocated */
	int err;
};

static uint64_t key_hash(const char *w, const char *p, const char *m)
{
	uint64_t h = 1469598103934665603ull;
	const char *parts[3] = { w, p, m };

	for (int i = 0; i < 3; i++) {
		for (const char *s = parts[i]; *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ull;
		h = (h ^ 0x1f) * 1099511628211ull;
	}
	return h;
}

static bool row_is(const struct fb_row *r, const struct fb_value *v)
{
	return !strcmp(r->workload, v->workload) &&
	       !strcmp(r->params, v->params) && !strcmp(r->metric, v->metric);
}

static int rehash(struct loader *l)
{
	size_t n = l->nslots ? l->nslots * 2 : 256;
	size_t *s = calloc(n, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < l->c->nrows; i++) {
		const struct fb_row *r = &l->c->rows[i];
		size_t h = key_hash(r->workload, r->params, r->metric) & (n - 1);

		while (s[h])
			h = (h + 1) & (n - 1);
		s[h] = i + 1;
	}
	free(l->slots);
	l->slots = s;
	l->nslots = n;
	return 0;
}

static struct fb_row *row_get(struct loader *l, const struct fb_value *v)
{
	struct fb_cmp *c = l->c;
	struct fb_row *r;
	size_t h;

	if ((c->nrows + 1) * 2 > l->nslots && rehash(l))
		return NULL;
	h = key_hash(v->workload, v->params, v->metric) & (l->nslots - 1);
	while (l->slots[h]) {
		r = &c->rows[l->slots[h] - 1];
		if (row_is(r, v))
			return r;
		h = (h + 1) & (l->nslots - 1);
	}
	if (c->nrows == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct fb_row *rows = realloc(c->rows, cap * sizeof(*rows));

		if (!rows)
			return NULL;
		c->rows = rows;
		l->cap = cap;
	}
	r = &c->rows[c->nrows];
	memset(r, 0, sizeof(*r));
	r->workload = strdup(v->workload);
	r->params = strdup(v->params ? v->params : "");
	r->metric = strdup(v->metric);
	r->unit = strdup(v->unit ? v->unit : "");
	r->better = v->better;
	if (!r->workload || !r->params || !r->metric || !r->unit) {
		free(r->workload);
		free(r->params);
		free(r->metric);
		free(r->unit);
		return NULL;
	}
	l->slots[h] = ++c->nrows;
	return r;
}

static int vals_add(struct fb_vals *s, double v, int64_t run)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		double *nv = realloc(s->v, cap * sizeof(*nv));
		int64_t *nr;

		if (!nv)
			return -ENOMEM;
		s->v = nv;
		nr = realloc(s->run, cap * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		s->run = nr;
		s->cap = cap;
	}
	s->v[s->n] = v;
	s->run[s->n++] = run;
	return 0;
}

static int on_value(void *arg, const struct fb_value *v)
{
	struct loader *l = arg;
	const struct fb_cmp_opts *o = &l->c->o;
	struct fb_row *r;

	if (!isfinite(v->value))
		return 0;
	if ((o->metric && strcmp(o->metric, v->metric)) ||
	    (o->workload && strcmp(o->workload, v->workload)))
		return 0;
	r = row_get(l, v);
	if (!r || vals_add(&r->side[l->side], v->value, v->run)) {
		l->err = -ENOMEM;
		return 1;
	}
	l->c->set[l->side].nvalues++;
	return 0;
}

/* Keys whose value differs between the runs of one set. */
static int note_mixed(struct fb_set *s, const struct fb_env *e)
{
	for (size_t k = 0; k < s->env.n; k++) {
		const char *key = s->env.kv[k].key;
		const char *v = fb_env_get(e, key);
		const char **m;

		if (v && !strcmp(v, s->env.kv[k].value))
			continue;
		if (fb_env_volatile(key))
			continue;
		for (size_t i = 0; i < s->nmixed; i++)
			if (!strcmp(s->mixed[i], key))
				goto next;
		m = realloc(s->mixed, (s->nmixed + 1) * sizeof(*m));
		if (!m)
			return -ENOMEM;
		s->mixed = m;
		s->mixed[s->nmixed++] = key;
next:;
	}
	return 0;
}

static int load_set(struct fb_cmp *c, unsigned int side, const char *spec,
		    struct loader *l)
{
	struct fb_set *s = &c->set[side];
	const char *cmd = c->o.cmd;
	int64_t *ids;

	s->spec = spec;
	if (fb_store_runs(c->st, spec, &s->runs, &s->nruns)) {
		fb_msg(cmd, "%s: %s", c->o.db, fb_store_error(c->st));
		return 2;
	}
	if (!s->nruns) {
		fb_msg(cmd, "%s: no run is labelled '%s'", c->o.db, spec);
		return 2;
	}
	ids = malloc(s->nruns * sizeof(*ids));
	if (!ids)
		goto oom;
	for (size_t i = 0; i < s->nruns; i++)
		ids[i] = s->runs[i].id;
	l->side = side;
	if (fb_store_values(c->st, ids, s->nruns, on_value, l) && !l->err) {
		free(ids);
		fb_msg(cmd, "%s: reading '%s': %s", c->o.db, spec,
		       fb_store_error(c->st));
		return 2;
	}
	free(ids);
	if (l->err)
		goto oom;
	if (!s->nvalues) {
		fb_msg(cmd, "%s: '%s' (%zu run%s) has no ok sample%s", c->o.db,
		       spec, s->nruns, s->nruns == 1 ? "" : "s",
		       c->o.metric || c->o.workload ?
		       " matching --metric/--workload" : "");
		return 2;
	}
	for (size_t i = 0; i < s->nruns; i++) {
		struct fb_env e = { 0 };

		if (fb_store_env(c->st, s->runs[i].id, i ? &e : &s->env)) {
			fb_msg(cmd, "%s: environment of run %lld: %s", c->o.db,
			       (long long)s->runs[i].id, fb_store_error(c->st));
			return 2;
		}
		if (i && note_mixed(s, &e)) {
			fb_env_free(&e);
			goto oom;
		}
		fb_env_free(&e);
	}
	return 0;
oom:
	fb_msg(cmd, "out of memory");
	return 2;
}

int fb_cmp_load(struct fb_cmp *c, const struct fb_cmp_opts *o,
		const char *const *specs, unsigned int n)
{
	struct loader l = { .c = c };
	char err[256];
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->o = *o;
	c->nsets = n;
	if (fb_store_open(o->db, FB_STORE_RO, &c->st, err, sizeof(err))) {
		c->st = NULL;
		fb_msg(o->cmd, "%s: %s", o->db, err);
		return 2;
	}
	for (unsigned int i = 0; i < n && !rc; i++)
		rc = load_set(c, i, specs[i], &l);
	free(l.slots);
	return rc;
}

void fb_cmp_free(struct fb_cmp *c)
{
	for (size_t i = 0; i < c->nrows; i++) {
		struct fb_row *r = &c->rows[i];

		free(r->workload);
		free(r->params);
		free(r->metric);
		free(r->unit);
		for (int s = 0; s < 2; s++) {
			free(r->side[s].v);
			free(r->side[s].run);
		}
	}
	free(c->rows);
	for (int s = 0; s < 2; s++) {
		free(c->set[s].runs);
		free(c->set[s].mixed);
		fb_env_free(&c->set[s].env);
	}
	if (c->st)
		fb_store_close(c->st);
	memset(c, 0, sizeof(*c));
}

/* --- analysis --- */

static int metric_rank(const char *m)
{
	if (!strcmp(m, "ns_per_op"))
		return 0;
	if (!strcmp(m, "ops_per_sec"))
		return 1;
	return 2;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct fb_row *x = a, *y = b;
	int d = strcmp(x->workload, y->workload);

	if (!d)
		d = strcmp(x->params, y->params);
	if (!d)
		d = metric_rank(x->metric) - metric_rank(y->metric);
	if (!d)
		d = strcmp(x->metric, y->metric);
	return d;
}

/*
 * Noise of one side of a row, run by run: the CV of the medians of the
 * runs that gave values (run-to-run spread; NAN under two runs) and the
 * median of the runs' own CVs (within-run noise).
 */
static void run_noise(const struct fb_vals *s, size_t *nruns, double *rr_cv,
		      double *within_cv)
{
	double *med = NULL, *cvs = NULL, *buf = NULL;
	int64_t *ids = NULL;
	size_t k = 0, ncv = 0;

	*nruns = 0;
	*rr_cv = *within_cv = NAN;
	if (!s->n)
		return;
	ids = malloc(s->n * sizeof(*ids));
	med = malloc(s->n * sizeof(*med));
	cvs = malloc(s->n * sizeof(*cvs));
	buf = malloc(s->n * sizeof(*buf));
	if (!ids || !med || !cvs || !buf)
		goto out;
	for (size_t i = 0; i < s->n; i++) {
		size_t j, m = 0;

		for (j = 0; j < k && ids[j] != s->run[i]; j++)
			;
		if (j < k)
			continue;
		ids[k] = s->run[i];
		for (j = i; j < s->n; j++)
			if (s->run[j] == s->run[i])
				buf[m++] = s->v[j];
		med[k++] = fb_median(buf, m);
		if (m >= 2 && !isnan(fb_cv(buf, m)))
			cvs[ncv++] = fb_cv(buf, m);
	}
	*nruns = k;
	if (k >= 2)
		*rr_cv = fb_cv(med, k);
	if (ncv)
		*within_cv = fb_median(cvs, ncv);
out:
	free(ids);
	free(med);
	free(cvs);
	free(buf);
}

/*
 * Samples of one run share its state (layout, frequency, co-tenants), so
 * with several runs per side they are not independent: the Kish design
 * effect deff = 1 + (m - 1) ICC (m samples per run on average, ICC the
 * share of the variance between runs, estimated from both sides) is the
 * factor by which pooling overstates the information. The test statistic
 * is divided by sqrt(deff) and the interval is the one of that test (the
 * variance of U times deff, see fb_change). Needs two runs
 * on one side at least; single runs cannot show their spread (calibrate).
 */
int fb_row_icc(const struct fb_row *r, unsigned int nsides, double *icc,
	       double *m)
{
	bool logs = r->sum[0].min > 0 && (nsides < 2 || r->sum[1].min > 0);
	struct fb_icc a = { 0 };
	double *buf;

	*icc = NAN;
	*m = 0;
	for (unsigned int s = 0; s < nsides; s++) {
		const struct fb_vals *v = &r->side[s];
		int err;

		buf = malloc((v->n + 1) * sizeof(*buf));
		if (!buf)
			return -ENOMEM;
		for (size_t i = 0; i < v->n; i++)
			buf[i] = logs ? log(v->v[i]) : v->v[i];
		err = fb_icc_add(&a, buf, v->run, v->n);
		free(buf);
		if (err)
			return err;
	}
	*icc = fb_icc(&a);
	*m = a.groups ? a.n / a.groups : 0;
	return 0;
}

static int run_effect(const struct fb_cmp *c, struct fb_row *r,
		      const struct fb_mw *mw)
{
	double m, sq;
	int err;

	r->deff = 1;
	err = fb_row_icc(r, 2, &r->icc, &m);
	if (err || !c->o.run_effect || !(r->icc > 0) || m <= 1)
		return err;
	r->deff = 1 + (m - 1) * r->icc;
	sq = sqrt(r->deff);
	r->p = fmax(r->p, fmin(1.0, 2 * gsl_cdf_ugaussian_Q(fabs(mw->z) / sq)));
	return 0;
}

static double fmax_nan(double a, double b)
{
	if (isnan(a))
		return b;
	if (isnan(b))
		return a;
	return fmax(a, b);
}

/*
 * The change NEW/BASE of one tested row with its interval (fb_change),
 * allowing for the run effect (r->deff) as the p-value does.
 */
static void row_interval(const struct fb_cmp *c, struct fb_row *r, size_t i)
{
	const struct fb_vals *b = &r->side[FB_BASE], *n = &r->side[FB_NEW];
	struct fb_change_opts o = {
		.conf = c->o.conf, .bootstrap = c->o.ci == FB_CI_BOOTSTRAP,
		.nboot = c->o.nboot, .seed = c->o.seed + i, .deff = r->deff,
	};

	/* -EDOM: BASE median 0, no relative change (shown as n/a) */
	r->have_ratio = !fb_change(b->v, b->n, n->v, n->n, &o, &r->r);
}

int fb_cmp_analyse(struct fb_cmp *c)
{
	double *p = NULL, *adj = NULL;
	size_t k = 0;

	qsort(c->rows, c->nrows, sizeof(*c->rows), cmp_rows);
	c->ntested = 0;
	for (size_t i = 0; i < c->nrows; i++) {
		struct fb_row *r = &c->rows[i];

		for (unsigned int s = 0; s < c->nsets; s++) {
			if (r->side[s].n && fb_summarize(r->side[s].v, r->side[s].n,
							 &r->sum[s]))
				goto oom;
			run_noise(&r->side[s], &r->nruns[s], &r->rr_cv[s],
				  &r->within_cv[s]);
		}
		r->tested = c->nsets == 2 && r->side[0].n && r->side[1].n;
		c->ntested += r->tested;
	}
	if (c->nsets == 2 && !c->ntested) {
		fb_msg(c->o.cmd, "'%s' and '%s' have no (workload, params, metric) row in common",
		       c->set[0].spec, c->set[1].spec);
		return 2;
	}
	p = malloc((c->ntested + 1) * sizeof(*p));
	adj = malloc((c->ntested + 1) * sizeof(*adj));
	if (!p || !adj)
		goto oom;
	for (size_t i = 0; i < c->nrows; i++) {
		struct fb_row *r = &c->rows[i];
		struct fb_mw mw;
		double cv, neff;

		if (!r->tested)
			continue;
		if (fb_mann_whitney(r->side[0].v, r->side[0].n, r->side[1].v,
				    r->side[1].n, &mw))
			goto oom;
		r->p = r->p_pooled = mw.p;
		if (run_effect(c, r, &mw))
			goto oom;
		row_interval(c, r, i);
		p[k++] = r->p;
		/* noise floor: MDE at the Bonferroni level of the table */
		cv = fmax_nan(r->sum[0].cv, r->sum[1].cv);
		neff = 2 / (1.0 / r->side[0].n + 1.0 / r->side[1].n);
		r->mde = fb_mde(neff, cv, c->o.alpha / c->ntested, c->o.power) *
			 sqrt(r->deff);
		r->floor = fmax_nan(r->mde, fmax_nan(r->rr_cv[0], r->rr_cv[1]));
	}
	if (fb_holm(p, k, adj))
		goto oom;
	k = 0;
	for (size_t i = 0; i < c->nrows; i++) {
		struct fb_row *r = &c->rows[i];
		double imp;

		if (!r->tested)
			continue;
		r->p_adj = adj[k++];
		r->mark = FB_MARK_NONE;
		if (r->p_adj > c->o.alpha)
			continue;
		if (r->have_ratio) {
			imp = fb_row_improvement(r);
			if (fabs(imp) < c->o.min_effect * 100 - 1e-9)
				continue;
		} else {	/* BASE median 0: any significant change counts */
			imp = r->sum[FB_NEW].median - r->sum[FB_BASE].median;
			if (r->better == FB_LOWER_IS_BETTER)
				imp = -imp;
			if (!imp)
				continue;
		}
		r->mark = imp > 0 ? FB_MARK_IMPROVED : FB_MARK_REGRESSED;
	}
	free(p);
	free(adj);
	return 0;
oom:
	free(p);
	free(adj);
	fb_msg(c->o.cmd, "out of memory");
	return 2;
}

double fb_row_change(const struct fb_row *r)
{
	return r->have_ratio ? (r->r.est - 1) * 100 : NAN;
}

/* Improvement of a ratio, shift or reciprocal: see fb_improvement. */
static double improve(const struct fb_row *r, double ratio)
{
	return fb_improvement(&r->r, r->better == FB_HIGHER_IS_BETTER, ratio);
}

double fb_row_improvement(const struct fb_row *r)
{
	return r->have_ratio ? improve(r, r->r.est) * 100 : NAN;
}

void fb_row_improvement_ci(const struct fb_row *r, double *lo, double *hi)
{
	fb_improvement_ci(&r->r, r->better == FB_HIGHER_IS_BETTER, lo, hi);
	*lo *= 100;
	*hi *= 100;
}

void fb_row_class(const struct fb_row *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s%s", r->params, *r->params ? " " : "",
		 r->metric, *r->unit ? " (" : "", r->unit, *r->unit ? ")" : "");
}

bool fb_cmp_geomean(const struct fb_cmp *c, const char *workload,
		    double *improvement_pct, size_t *nrows)
{
	double sum = 0;
	size_t n = 0;

	for (size_t i = 0; i < c->nrows; i++) {
		const struct fb_row *r = &c->rows[i];
		double q;

		if (strcmp(r->workload, workload) || !r->tested ||
		    !r->have_ratio)
			continue;
		q = improve(r, r->r.est) + 1;
		if (!(q > 0) || !isfinite(q))
			continue;
		sum += log(q);
		n++;
	}
	*nrows = n;
	if (!n)
		return false;
	*improvement_pct = (exp(sum / n) - 1) * 100;
	return true;
}

/* --- configuration differences --- */

/* Keys that differ between any two runs and say nothing about configuration. */
static const char *const volatile_keys[] = {
	"*time*", "*date*", "*start*", "*end*", "*uptime*", "*boot_id*",
	"*pid*", "*elapsed*", "matrix.slot", "matrix.round", "matrix.seed",
	NULL,
};

bool fb_env_volatile(const char *key)
{
	for (const char *const *k = volatile_keys; *k; k++)
		if (!fnmatch(*k, key, 0))
			return true;
	return false;
}

/* What a reader checks first, in this order; then the rest by name. */
static const char *const key_order[] = {
	"kernel.release", "kernel.version", "kernel.preempt", "virt",
	"kernel.cmdline", "cpu.model", "cpu.count", NULL,
};

static int key_rank(const char *key)
{
	int i;

	for (i = 0; key_order[i]; i++)
		if (!strcmp(key_order[i], key))
			return i;
	return i;
}

static int cmp_diff(const void *a, const void *b)
{
	const struct fb_envdiff *x = a, *y = b;
	int d = key_rank(x->key) - key_rank(y->key);

	return d ? d : strcmp(x->key, y->key);
}

static bool is_mixed(const struct fb_set *s, const char *key)
{
	for (size_t i = 0; i < s->nmixed; i++)
		if (!strcmp(s->mixed[i], key))
			return true;
	return false;
}

size_t fb_cmp_envdiff(const struct fb_cmp *c, struct fb_envdiff **out)
{
	const struct fb_env *e[2] = { &c->set[0].env, &c->set[1].env };
	struct fb_envdiff *d;
	size_t n = 0;

	*out = NULL;
	d = malloc((e[0]->n + e[1]->n + 1) * sizeof(*d));
	if (!d)
		return 0;
	for (int s = 0; s < 2; s++) {
		for (size_t k = 0; k < e[s]->n; k++) {
			const char *key = e[s]->kv[k].key;
			const char *v0 = fb_env_get(e[0], key);
			const char *v1 = fb_env_get(e[1], key);

			if (fb_env_volatile(key) || (s == 1 && v0))
				continue;	/* volatile, or seen from side 0 */
			if (v0 && v1 && !strcmp(v0, v1) &&
			    !is_mixed(&c->set[0], key) &&
			    !is_mixed(&c->set[1], key))
				continue;
			d[n++] = (struct fb_envdiff){ key, v0 ? v0 : "",
						      v1 ? v1 : "" };
		}
	}
	qsort(d, n, sizeof(*d), cmp_diff);
	*out = d;
	return n;
}
