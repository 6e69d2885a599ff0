// SPDX-License-Identifier: GPL-2.0
/*
 * The comparison engine (see cmp.h): reads two sets of runs through the
 * store API only, read-only; groups their values into rows and each
 * row's values into runs. The run is the unit of inference: each run is
 * summarised by one statistic (the median of its log values), the
 * variance between runs is moderated across the rows of the table
 * (empirical Bayes, Smyth 2004) or taken from the host's calibration when
 * a side has one run, and the change is tested with Welch's t in runs;
 * Holm over one primary metric per job; a mark needs significance and
 * |log ratio| >= --min-effect. docs/analysis.md explains the choices.
 */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <stddef.h>

#include <gsl/gsl_statistics_double.h>

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

static const char *const formats[] = { "rst", "md", "json", "csv", NULL };

int fb_cmp_opt(struct fb_cmp_opts *o, int argc, char **argv, int *i)
{
	const char *opt = argv[*i], *val;

	if (!strcmp(opt, "--brief")) {
		o->brief = true;
		return 1;
	}
	if (!strcmp(opt, "--no-calibration")) {
		o->no_calib = true;
		return 1;
	}
	if (strcmp(opt, "--db") && strcmp(opt, "--format") &&
	    strcmp(opt, "--min-effect") && strcmp(opt, "--alpha") &&
	    strcmp(opt, "--metric") && strcmp(opt, "--workload") &&
	    strcmp(opt, "-o") && strcmp(opt, "--power") && strcmp(opt, "--conf"))
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

static int vals_add(struct fb_vals *s, double v, double el, int64_t run)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		double *nv = realloc(s->v, cap * sizeof(*nv)), *ne;
		int64_t *nr;

		if (!nv)
			return -ENOMEM;
		s->v = nv;
		ne = realloc(s->el, cap * sizeof(*ne));
		if (!ne)
			return -ENOMEM;
		s->el = ne;
		nr = realloc(s->run, cap * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		s->run = nr;
		s->cap = cap;
	}
	s->v[s->n] = v;
	s->el[s->n] = el;
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
	if (!r || vals_add(&r->side[l->side], v->value, v->elapsed_ns, v->run)) {
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
	return rc ? rc : fb_cmp_load_calib(c);
}

static void row_free(struct fb_row *r);

void fb_cmp_free(struct fb_cmp *c)
{
	for (size_t i = 0; i < c->nrows; i++)
		row_free(&c->rows[i]);
	free(c->rows);
	for (size_t i = 0; i < c->ncal; i++) {
		struct fb_cal *k = &c->cal[i];

		free(k->workload);
		free(k->params);
		free(k->metric);
		free(k->label);
		free(k->created_at);
	}
	free(c->cal);
	for (int s = 0; s < 2; s++) {
		free(c->set[s].runs);
		free(c->set[s].mixed);
		fb_env_free(&c->set[s].env);
	}
	if (c->st)
		fb_store_close(c->st);
	memset(c, 0, sizeof(*c));
}

/* --- calibration --- */

int fb_cmp_add_cal(struct fb_cmp *c, const struct fb_calib *k)
{
	struct fb_cal *d, *g = realloc(c->cal, (c->ncal + 1) * sizeof(*g));

	if (!g)
		return -ENOMEM;
	c->cal = g;
	d = &c->cal[c->ncal];
	memset(d, 0, sizeof(*d));
	d->workload = strdup(k->workload);
	d->params = strdup(k->params);
	d->metric = strdup(k->metric);
	d->label = strdup(k->label ? k->label : "");
	d->created_at = strdup(k->created_at ? k->created_at : "");
	c->ncal++;
	if (!d->workload || !d->params || !d->metric || !d->label ||
	    !d->created_at)
		return -ENOMEM;
	d->runs = k->runs;
	d->boots = k->boots;
	d->m = k->samples_per_run;
	d->run_var = k->run_var;
	d->within_var = k->within_var;
	d->boot_var = k->boot_var;
	d->sample_s = k->sample_seconds;
	d->median = k->median;
	d->post = d->df = NAN;
	return 0;
}

static int on_cal(void *arg, const struct fb_calib *k)
{
	return fb_cmp_add_cal(arg, k);
}

/* The one value every run of both sets has for a field, or NULL. */
static const char *common_run_field(const struct fb_cmp *c, size_t off)
{
	const char *v = NULL;

	for (unsigned int s = 0; s < c->nsets; s++) {
		for (size_t i = 0; i < c->set[s].nruns; i++) {
			const char *f = (const char *)&c->set[s].runs[i] + off;

			if (!v)
				v = f;
			else if (strcmp(v, f))
				return NULL;
		}
	}
	return v && *v ? v : NULL;
}

int fb_cmp_load_calib(struct fb_cmp *c)
{
	const char *host = common_run_field(c, offsetof(struct fb_run_row, host));
	const char *hash[2];
	int err = 0;

	if (c->o.no_calib) {
		c->no_cal_why = "--no-calibration";
		return 0;
	}
	if (!host) {
		c->no_cal_why = "the runs come from more than one host";
		return 0;
	}
	/* BASE's config first, then NEW's (an injected change edits it) */
	hash[0] = c->set[0].nruns ? c->set[0].runs[0].config_hash : "";
	hash[1] = c->nsets > 1 && c->set[1].nruns ? c->set[1].runs[0].config_hash : "";
	for (int i = 0; i < 2 && !c->ncal && !err; i++) {
		if (!*hash[i] || (i && !strcmp(hash[0], hash[1])))
			continue;
		err = fb_store_calib_get(c->st, host, hash[i], on_cal, c);
		if (c->ncal) {
			c->cal_host = host;
			c->cal_config = hash[i];
		}
	}
	if (err == -ENOMEM) {
		fb_msg(c->o.cmd, "out of memory");
		return 2;
	}
	if (err) {
		fb_msg(c->o.cmd, "%s: %s", c->o.db, fb_store_error(c->st));
		return 2;
	}
	if (!c->ncal)
		c->no_cal_why = "no calibration of this host and config is stored (flushbench calibrate LABEL, on A/A runs)";
	return 0;
}

double fb_cal_var(const struct fb_cal *k, double m)
{
	double v = isnan(k->post) ? k->run_var : k->post, w, b;

	if (isnan(k->within_var) || !(k->m > 0) || !(m > 0))
		return v;
	w = M_PI_2 * k->within_var;
	b = fmax(0, v - w / k->m);
	return b + w / m;
}

/* Between-boot variance of run statistics: one-way ANOVA by boot. */
static double boot_variance(const struct fb_set *set,
			    const struct fb_side_runs *x, long *nboots)
{
	const char **boot = calloc(x->n + 1, sizeof(*boot));
	double *sum = calloc(x->n + 1, sizeof(*sum)), grand = 0, ssb = 0;
	double ssw = 0, n2 = 0, v = NAN;
	size_t *cnt = calloc(x->n + 1, sizeof(*cnt)), *of = calloc(x->n + 1, sizeof(*of));
	size_t k = 0;

	*nboots = 0;
	if (!boot || !sum || !cnt || !of)
		goto out;
	for (size_t i = 0; i < x->n; i++) {
		const char *b = "";
		size_t j;

		for (size_t r = 0; r < set->nruns; r++)
			if (set->runs[r].id == x->r[i].run)
				b = set->runs[r].boot_id;
		for (j = 0; j < k && strcmp(boot[j], b); j++)
			;
		if (j == k)
			boot[k++] = b;
		of[i] = j;
		sum[j] += x->r[i].stat;
		cnt[j]++;
		grand += x->r[i].stat;
	}
	*nboots = (long)k;
	if (k < 2 || x->n <= k)
		goto out;
	grand /= (double)x->n;
	for (size_t j = 0; j < k; j++) {
		double d = sum[j] / (double)cnt[j] - grand;

		ssb += (double)cnt[j] * d * d;
		n2 += (double)(cnt[j] * cnt[j]);
	}
	for (size_t i = 0; i < x->n; i++) {
		double d = x->r[i].stat - sum[of[i]] / (double)cnt[of[i]];

		ssw += d * d;
	}
	{
		double msb = ssb / (double)(k - 1);
		double msw = ssw / (double)(x->n - k);
		double n0 = ((double)x->n - n2 / (double)x->n) / (double)(k - 1);

		v = fmax(0, (msb - msw) / n0);
	}
out:
	free(boot);
	free(sum);
	free(cnt);
	free(of);
	return v;
}

static double median_elapsed(const struct fb_vals *v)
{
	return fb_median(v->el, v->n) / 1e9;
}

int fb_cmp_calibration(const struct fb_cmp *c, struct fb_calib **out,
		       size_t *n)
{
	struct fb_calib *k = calloc(c->nrows + 1, sizeof(*k));

	*n = 0;
	*out = k;
	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < c->nrows; i++) {
		const struct fb_row *r = &c->rows[i];
		const struct fb_side_runs *x = &r->rs[0];
		struct fb_calib *d = &k[*n];

		if (r->role != FB_ROLE_PRIMARY || x->n < 2)
			continue;
		d->workload = r->workload;
		d->params = r->params;
		d->metric = r->metric;
		d->label = c->set[0].spec;
		d->runs = (long)x->n;
		d->samples_per_run = x->m;
		d->run_var = x->s2;
		d->within_var = x->wvar;
		d->boot_var = boot_variance(&c->set[0], x, &d->boots);
		d->sample_seconds = median_elapsed(&r->side[0]);
		d->median = r->sum[0].median;
		(*n)++;
	}
	return 0;
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
		d = (int)x->role - (int)y->role;
	if (!d)
		d = metric_rank(x->metric) - metric_rank(y->metric);
	if (!d)
		d = strcmp(x->metric, y->metric);
	return d;
}

static enum fb_role role_of(const struct fb_row *r)
{
	const char *p = fb_workload_primary(r->workload);

	if (!strcmp(r->metric, p))
		return FB_ROLE_PRIMARY;
	if ((!strcmp(p, "ns_per_op") && !strcmp(r->metric, "ops_per_sec")) ||
	    (!strcmp(p, "ops_per_sec") && !strcmp(r->metric, "ns_per_op")))
		return FB_ROLE_MIRROR;
	return FB_ROLE_SECONDARY;
}

static bool all_zero(const struct fb_vals *v)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i] != 0)
			return false;
	return true;
}

static bool all_positive(const struct fb_vals *v)
{
	for (size_t i = 0; i < v->n; i++)
		if (!(v->v[i] > 0))
			return false;
	return true;
}

static void row_free(struct fb_row *r)
{
	free(r->workload);
	free(r->params);
	free(r->metric);
	free(r->unit);
	for (int s = 0; s < 2; s++) {
		free(r->side[s].v);
		free(r->side[s].el);
		free(r->side[s].run);
		fb_side_runs_free(&r->rs[s]);
	}
}

/* Rows that are 0 on every side explain nothing: dropped. */
static void drop_zero_rows(struct fb_cmp *c)
{
	size_t k = 0;

	for (size_t i = 0; i < c->nrows; i++) {
		struct fb_row *r = &c->rows[i];

		if (all_zero(&r->side[0]) && all_zero(&r->side[1])) {
			row_free(r);
			continue;
		}
		c->rows[k++] = *r;
	}
	c->nrows = k;
}

void fb_side_runs_free(struct fb_side_runs *s)
{
	free(s->r);
	s->r = NULL;
	s->n = 0;
}

int fb_side_runs(const struct fb_vals *v, bool logscale,
		 struct fb_side_runs *out)
{
	double *buf = NULL, ssw = 0, dfw = 0, tot = 0, rsum = 0;
	size_t k = 0, nr = 0;

	fb_side_runs_free(out);
	memset(out, 0, sizeof(*out));
	out->mean = out->s2 = out->wvar = out->var = out->floor = NAN;
	if (!v->n)
		return 0;
	out->r = calloc(v->n, sizeof(*out->r));
	buf = malloc(2 * v->n * sizeof(*buf));
	if (!out->r || !buf) {
		free(buf);
		fb_side_runs_free(out);
		return -ENOMEM;
	}
	for (size_t i = 0; i < v->n; i++) {
		struct fb_run_stat *rs;
		size_t j, m = 0;

		for (j = 0; j < k && out->r[j].run != v->run[i]; j++)
			;
		if (j < k)
			continue;
		for (j = i; j < v->n; j++)
			if (v->run[j] == v->run[i])
				buf[m++] = logscale ? log(v->v[j]) : v->v[j];
		rs = &out->r[k++];
		rs->run = v->run[i];
		rs->n = m;
		rs->stat = logscale ? fb_median(buf, m) : gsl_stats_mean(buf, 1, m);
		rs->wvar = m > 1 ? gsl_stats_variance(buf, 1, m) : NAN;
		rs->rvar = NAN;
		if (logscale && m > 2) {
			double mad = gsl_stats_mad(buf, 1, m, buf + m);

			rs->rvar = mad * mad;
			rsum += rs->rvar;
			nr++;
		}
		if (m > 1) {
			ssw += rs->wvar * (double)(m - 1);
			dfw += (double)(m - 1);
		}
		tot += (double)m;
	}
	free(buf);
	out->n = k;
	out->m = tot / (double)k;
	{
		double sum = 0, ss = 0;

		for (size_t i = 0; i < k; i++)
			sum += out->r[i].stat;
		out->mean = sum / (double)k;
		for (size_t i = 0; i < k; i++)
			ss += (out->r[i].stat - out->mean) * (out->r[i].stat - out->mean);
		out->s2 = k > 1 ? ss / (double)(k - 1) : NAN;
	}
	if (logscale && dfw > 0)
		out->wvar = ssw / dfw;
	/*
	 * Between runs or not, the median of m values varies at least as
	 * much as sampling makes it: about 1.3 sigma^2 / m for normal values
	 * at m from 3 to 10 (pi/2 sigma^2 / m as m grows), sigma from the MAD
	 * so that an outlying sample does not inflate it.
	 */
	if (nr)
		out->floor = 1.3 * rsum / (double)nr / out->m;
	return 0;
}

static const struct fb_cal *cal_find(const struct fb_cmp *c,
				     const struct fb_row *r)
{
	for (size_t i = 0; i < c->ncal; i++) {
		const struct fb_cal *k = &c->cal[i];

		if (!strcmp(k->workload, r->workload) &&
		    !strcmp(k->params, r->params) && !strcmp(k->metric, r->metric))
			return k;
	}
	return NULL;
}

int fb_cmp_fit_cal(struct fb_cmp *c)
{
	double *s2 = malloc(2 * (c->ncal + 1) * sizeof(*s2)), *df;
	size_t n = 0;
	int err;

	if (!s2)
		return -ENOMEM;
	df = s2 + c->ncal + 1;
	for (size_t i = 0; i < c->ncal; i++) {
		struct fb_cal *k = &c->cal[i];

		if (strcmp(k->metric, fb_workload_primary(k->workload)))
			continue;
		s2[n] = k->run_var;
		df[n++] = (double)(k->runs - 1);
	}
	err = fb_eb_prior(s2, df, n, &c->cal_prior);
	for (size_t i = 0; !err && i < c->ncal; i++) {
		struct fb_cal *k = &c->cal[i];

		k->post = fmax(fb_eb_post(&c->cal_prior, k->run_var,
					  (double)(k->runs - 1), &k->df),
			       k->run_var);	/* as row_var: never lowered */
	}
	free(s2);
	return err;
}

/*
 * The variance of a primary row's run statistics pooled over its two
 * sides (each around its own mean), with its degrees of freedom counted
 * in runs: NAN and 0 when both sides have a single run.
 */
static double pooled_var(const struct fb_row *r, double *df)
{
	double ss = 0;

	*df = 0;
	for (unsigned int s = 0; s < 2; s++) {
		if (r->rs[s].n < 2)
			continue;
		ss += r->rs[s].s2 * (double)(r->rs[s].n - 1);
		*df += (double)(r->rs[s].n - 1);
	}
	return *df > 0 ? ss / *df : NAN;
}

/* The prior of the run variances of the table's primary rows. */
static int fit_prior(struct fb_cmp *c)
{
	double *s2 = malloc(2 * (c->nrows + 1) * sizeof(*s2)), *df;
	size_t n = 0;
	int err;

	if (!s2)
		return -ENOMEM;
	df = s2 + c->nrows + 1;
	for (size_t i = 0; i < c->nrows; i++) {
		const struct fb_row *r = &c->rows[i];

		if (r->role != FB_ROLE_PRIMARY || !r->tested || !r->logscale)
			continue;
		s2[n] = pooled_var(r, &df[n]);
		n += df[n] >= 1;
	}
	err = fb_eb_prior(s2, df, n, &c->prior);
	free(s2);
	return err;
}

/* The boots a side's runs ran in (distinct boot ids), 0 if unknown. */
static size_t nboots(const struct fb_set *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nruns; i++) {
		size_t j;

		if (!*s->runs[i].boot_id)
			return 0;
		for (j = 0; j < i && strcmp(s->runs[j].boot_id, s->runs[i].boot_id); j++)
			;
		n += j == i;
	}
	return n;
}

static bool share_boot(const struct fb_set *a, const struct fb_set *b)
{
	for (size_t i = 0; i < a->nruns; i++)
		for (size_t j = 0; j < b->nruns; j++)
			if (*a->runs[i].boot_id &&
			    !strcmp(a->runs[i].boot_id, b->runs[j].boot_id))
				return true;
	return false;
}

/* The least variance a run's statistic of this row can have. */
static double floor_var(const struct fb_row *r)
{
	double w = 0;
	int k = 0;

	for (unsigned int s = 0; s < 2; s++) {
		if (!isnan(r->rs[s].floor)) {
			w += r->rs[s].floor;
			k++;
		}
	}
	return k ? w / k : 0;
}

/*
 * The variance of a primary row's run statistics, the same on both sides
 * (the moderated t of limma, Smyth 2004): the sides' runs pooled and
 * moderated towards the prior of the table's rows, with d0 + runs - 2
 * degrees of freedom. Moderation may raise a row's variance towards the
 * table's, never lower it: a row noisier than the others keeps its own
 * (and never goes below what its within-run noise alone gives its
 * median). Rows unlike each other would otherwise be shrunk towards the
 * middle, and the noisiest would be marked on noise: the Monte Carlo test
 * (tests/unit/test_verdict.c) measured 11% false tables with 2 runs a
 * side, 6.5% with 3, when rows' run-to-run CVs spread over 1-8%.
 * With a single run a side: the host's calibration (at each side's
 * samples per run), else the table's prior alone.
 */
static void row_var(const struct fb_cmp *c, struct fb_row *r)
{
	double d, s2 = pooled_var(r, &d), v, df = 0;
	enum fb_var_src src = FB_VAR_NONE;

	v = NAN;
	if (d >= 1) {
		v = fmax(fmax(fb_eb_post(&c->prior, s2, d, &df), s2),
			 floor_var(r));
		src = FB_VAR_RUNS;
	} else if (r->cal && r->cal->df > 0) {
		src = FB_VAR_CALIB;
		df = r->cal->df;
	} else if (c->prior.d0 > 0) {
		v = c->prior.s02;
		df = c->prior.d0;
		src = FB_VAR_PRIOR;
	}
	for (unsigned int s = 0; s < 2; s++) {
		r->rs[s].src = src;
		r->rs[s].df = df;
		r->rs[s].var = src == FB_VAR_CALIB ? fb_cal_var(r->cal, r->rs[s].m) : v;
	}
}

/*
 * The standard error of a primary row's change and its degrees of
 * freedom; with the calibrated between-boot variance added when the
 * sides share no boot (Welch-Satterthwaite over the two parts).
 */
static void primary_se(const struct fb_cmp *c, struct fb_row *r)
{
	double var[2], df[2];
	size_t n = 0;

	var[n] = r->rs[0].var / (double)r->rs[0].n +
		 r->rs[1].var / (double)r->rs[1].n;
	df[n++] = r->rs[0].df;
	r->boot_added = false;
	if (c->boots_differ && r->cal && r->cal->boots >= 2 &&
	    isfinite(r->cal->boot_var)) {
		size_t ba = nboots(&c->set[0]), bb = nboots(&c->set[1]);

		var[n] = r->cal->boot_var * (1.0 / (double)(ba ? ba : 1) +
					     1.0 / (double)(bb ? bb : 1));
		df[n++] = (double)(r->cal->boots - 1);
		r->boot_added = true;
	}
	r->se = sqrt(var[0] + (n > 1 ? var[1] : 0));
	r->df = n > 1 ? fb_satterthwaite(var, df, n) : df[0];
	if (isnan(r->df) && r->se == 0)
		r->df = INFINITY;	/* no spread at all: exact */
}

/* Welch's t on the run means of a secondary row (>= 2 runs a side). */
static void secondary_se(struct fb_row *r)
{
	double var[2], df[2];

	for (unsigned int s = 0; s < 2; s++) {
		var[s] = r->rs[s].s2 / (double)r->rs[s].n;
		df[s] = (double)(r->rs[s].n - 1);
		r->rs[s].src = FB_VAR_RUNS;
		r->rs[s].var = r->rs[s].s2;
		r->rs[s].df = df[s];
	}
	r->se = sqrt(var[0] + var[1]);
	r->df = fb_satterthwaite(var, df, 2);
	if (isnan(r->df) && r->se == 0)
		r->df = INFINITY;
}

/* Test one row whose se and df are known: t, p and the interval. */
static void row_test(const struct fb_cmp *c, struct fb_row *r)
{
	double q = fb_t_quantile(1 - (1 - c->o.conf) / 2, r->df);

	if (r->se > 0) {
		r->p = fb_t_p(r->est / r->se, r->df);
		r->lo = r->est - q * r->se;
		r->hi = r->est + q * r->se;
	} else {
		r->p = r->est == 0 ? 1 : 0;
		r->lo = r->hi = r->est;
	}
}

static double min_effect_scaled(const struct fb_cmp *c, const struct fb_row *r)
{
	if (r->logscale)
		return log1p(c->o.min_effect);
	return c->o.min_effect * fabs(r->rs[FB_BASE].mean);
}

/* Holm over one family, then the marks: significant and big enough. */
static int mark_family(struct fb_cmp *c, enum fb_role role, size_t *k_out)
{
	double *p = malloc((c->nrows + 1) * sizeof(*p));
	size_t k = 0;

	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < c->nrows; i++)
		if (c->rows[i].testable && c->rows[i].role == role)
			p[k++] = c->rows[i].p;
	if (fb_holm(p, k, p)) {
		free(p);
		return -ENOMEM;
	}
	*k_out = k;
	k = 0;
	for (size_t i = 0; i < c->nrows; i++) {
		struct fb_row *r = &c->rows[i];
		double better;

		if (!r->testable || r->role != role)
			continue;
		r->p_adj = p[k++];
		r->mark = FB_MARK_NONE;
		if (!(r->p_adj <= c->o.alpha) || r->est == 0)
			continue;
		if (fabs(r->est) < min_effect_scaled(c, r) * (1 - 1e-12))
			continue;
		better = r->better == FB_HIGHER_IS_BETTER ? r->est : -r->est;
		r->mark = better > 0 ? FB_MARK_IMPROVED : FB_MARK_REGRESSED;
	}
	free(p);
	return 0;
}

/*
 * The table-wide geometric mean of the primary rows' better-oriented
 * changes. With two runs a side or more and every row in every run, the
 * interval is Welch's on per-run suite scores (the mean of a run's
 * better-oriented log statistics over the rows), which allows for rows
 * moving together in a run; otherwise it takes the rows as independent.
 */
static void geomean(struct fb_cmp *c)
{
	struct fb_geo *g = &c->geo;
	double sum = 0, var = 0, *v, *d, q;
	size_t n = 0, nv = 0;
	bool by_run = true, all = true;

	memset(g, 0, sizeof(*g));
	g->est = g->lo = g->hi = NAN;
	for (size_t i = 0; i < c->nrows; i++) {
		const struct fb_row *r = &c->rows[i];

		if (r->role != FB_ROLE_PRIMARY || !r->tested || !r->logscale)
			continue;
		n++;
		sum += r->better == FB_HIGHER_IS_BETTER ? r->est : -r->est;
		all &= r->testable;
		for (unsigned int s = 0; s < 2; s++)
			by_run &= r->rs[s].n >= 2 &&
				  r->rs[s].n == c->set[s].nruns;
	}
	if (!n)
		return;
	g->n = n;
	g->est = sum / (double)n;
	if (!all)
		return;
	v = calloc(2 * n + 2, sizeof(*v));
	d = calloc(2 * n + 2, sizeof(*d));
	if (!v || !d)
		goto out;
	if (by_run) {
		/* scores per run; runs are matched by id across rows */
		for (unsigned int s = 0; s < 2; s++) {
			size_t nr = c->set[s].nruns;
			double *score = calloc(nr, sizeof(*score)), m = 0, ss = 0;

			if (!score)
				goto out;
			for (size_t i = 0; i < c->nrows; i++) {
				const struct fb_row *r = &c->rows[i];
				double sign = r->better == FB_HIGHER_IS_BETTER ? 1 : -1;

				if (r->role != FB_ROLE_PRIMARY || !r->tested ||
				    !r->logscale)
					continue;
				for (size_t j = 0; j < r->rs[s].n; j++) {
					size_t k;

					for (k = 0; k < nr && c->set[s].runs[k].id !=
					     r->rs[s].r[j].run; k++)
						;
					if (k < nr)
						score[k] += sign * r->rs[s].r[j].stat / (double)n;
				}
			}
			for (size_t k = 0; k < nr; k++)
				m += score[k] / (double)nr;
			for (size_t k = 0; k < nr; k++)
				ss += (score[k] - m) * (score[k] - m);
			free(score);
			v[nv] = ss / (double)(nr - 1) / (double)nr;
			d[nv++] = (double)(nr - 1);
		}
	} else {
		for (size_t i = 0; i < c->nrows; i++) {
			const struct fb_row *r = &c->rows[i];

			if (r->role != FB_ROLE_PRIMARY || !r->tested ||
			    !r->logscale)
				continue;
			v[nv] = r->se * r->se / ((double)n * (double)n);
			d[nv++] = r->df;
		}
	}
	for (size_t i = 0; i < nv; i++)
		var += v[i];
	q = fb_t_quantile(1 - (1 - c->o.conf) / 2, fb_satterthwaite(v, d, nv));
	if (var == 0)
		q = 0;
	g->by_run = by_run;
	if (!isnan(q)) {
		g->lo = g->est - q * sqrt(var);
		g->hi = g->est + q * sqrt(var);
	}
out:
	free(v);
	free(d);
}

int fb_cmp_analyse(struct fb_cmp *c)
{
	size_t k;

	drop_zero_rows(c);
	c->ntested = 0;
	for (size_t i = 0; i < c->nrows; i++) {
		struct fb_row *r = &c->rows[i];

		r->role = role_of(r);
		r->logscale = all_positive(&r->side[0]) && all_positive(&r->side[1]);
		if (r->role == FB_ROLE_PRIMARY && !r->logscale)
			r->role = FB_ROLE_SECONDARY;	/* no logs, no ratio */
		for (unsigned int s = 0; s < c->nsets; s++) {
			if (r->side[s].n && fb_summarize(r->side[s].v, r->side[s].n,
							 &r->sum[s]))
				goto oom;
			if (fb_side_runs(&r->side[s], r->logscale, &r->rs[s]))
				goto oom;
		}
		r->tested = c->nsets == 2 && r->side[0].n && r->side[1].n;
		r->est = r->se = r->df = r->lo = r->hi = NAN;
		r->p = r->p_adj = r->mde = NAN;
		r->mark = FB_MARK_NONE;
		c->ntested += r->tested;
	}
	qsort(c->rows, c->nrows, sizeof(*c->rows), cmp_rows);
	if (c->nsets == 2 && !c->ntested) {
		fb_msg(c->o.cmd, "'%s' and '%s' have no (workload, params, metric) row in common",
		       c->set[0].spec, c->set[1].spec);
		return 2;
	}
	if (c->nsets == 2)
		c->boots_differ = !share_boot(&c->set[0], &c->set[1]);
	if (fb_cmp_fit_cal(c) || fit_prior(c))
		goto oom;
	for (size_t i = 0; i < c->nrows; i++) {
		struct fb_row *r = &c->rows[i];

		if (!r->tested || r->role == FB_ROLE_MIRROR)
			continue;
		r->est = r->rs[1].mean - r->rs[0].mean;
		if (r->role == FB_ROLE_PRIMARY) {
			r->cal = cal_find(c, r);
			row_var(c, r);
			r->testable = r->rs[0].src != FB_VAR_NONE &&
				      r->rs[1].src != FB_VAR_NONE;
			if (r->testable)
				primary_se(c, r);
		} else {
			r->testable = r->rs[0].n >= 2 && r->rs[1].n >= 2;
			if (r->testable)
				secondary_se(r);
		}
		r->testable &= !isnan(r->df) && r->df > 0;
		if (r->testable)
			row_test(c, r);
	}
	if (mark_family(c, FB_ROLE_PRIMARY, &c->nprimary) ||
	    mark_family(c, FB_ROLE_SECONDARY, &c->nsecondary))
		goto oom;
	/* detectability: at the first Holm step of the row's family */
	for (size_t i = 0; i < c->nrows; i++) {
		struct fb_row *r = &c->rows[i];

		k = r->role == FB_ROLE_PRIMARY ? c->nprimary : c->nsecondary;
		if (r->testable && k)
			r->mde = fb_t_mde(r->se, r->df, c->o.alpha / (double)k,
					  c->o.power);
	}
	geomean(c);
	return 0;
oom:
	fb_msg(c->o.cmd, "out of memory");
	return 2;
}

double fb_row_pct(const struct fb_row *r, double v)
{
	double x;

	if (isnan(v))
		return NAN;
	if (r->logscale) {
		x = r->better == FB_HIGHER_IS_BETTER ? v : -v;
		return (x < 0 ? -1 : 1) * expm1(fabs(x)) * 100;
	}
	if (!(r->rs[FB_BASE].mean != 0))
		return NAN;
	x = v / fabs(r->rs[FB_BASE].mean) * 100;
	return r->better == FB_HIGHER_IS_BETTER ? x : -x;
}

double fb_row_improvement(const struct fb_row *r)
{
	return fb_row_pct(r, r->est);
}

void fb_row_improvement_ci(const struct fb_row *r, double *lo, double *hi)
{
	double a = fb_row_pct(r, r->lo), b = fb_row_pct(r, r->hi);

	*lo = fmin(a, b);
	*hi = fmax(a, b);
}

double fb_row_mde_pct(const struct fb_row *r)
{
	if (isnan(r->mde))
		return NAN;
	if (r->logscale)
		return expm1(r->mde) * 100;
	return r->rs[FB_BASE].mean != 0 ?
	       r->mde / fabs(r->rs[FB_BASE].mean) * 100 : NAN;
}

void fb_metric_label(const struct fb_row *r, char *buf, size_t len)
{
	if (!strcmp(r->metric, "ns_per_op"))
		snprintf(buf, len, "ns/op");
	else if (!strcmp(r->metric, "ops_per_sec"))
		snprintf(buf, len, "Ops/sec");
	else if (*r->unit && !strstr(r->metric, "/op"))
		snprintf(buf, len, "%s, %s", r->metric, r->unit);
	else
		snprintf(buf, len, "%s", r->metric);
}

void fb_row_class(const struct fb_row *r, char *buf, size_t len)
{
	char cls[FB_CELL], m[FB_CELL];

	fb_params_class(r->workload, r->params, cls, sizeof(cls));
	fb_metric_label(r, m, sizeof(m));
	snprintf(buf, len, "%s%s(%s)", cls, *cls ? " " : "", m);
}

const char *fb_row_untested_why(const struct fb_cmp *c, const struct fb_row *r)
{
	if (!r->tested)
		return r->side[FB_BASE].n ? "only in BASE" : "only in NEW";
	if (r->role == FB_ROLE_MIRROR)
		return "the primary metric's samples";
	if (r->testable)
		return NULL;
	if (r->role == FB_ROLE_SECONDARY)
		return "needs 2 runs a side";
	if (r->rs[0].n < 2 && r->rs[1].n < 2)
		return "1 run per side: run-to-run variance unknown";
	(void)c;
	return "run-to-run variance unknown";
}

/* --- configuration differences --- */

/* Keys that differ between any two runs and say nothing about configuration. */
static const char *const volatile_keys[] = {
	"*time*", "*date*", "*start*", "*end*", "*uptime*", "*boot_id*",
	"*pid*", "*elapsed*", "matrix.slot", "matrix.round", "matrix.seed",
	"repeat.*", NULL,
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
