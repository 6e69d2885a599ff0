// SPDX-License-Identifier: GPL-2.0
/*
 * The comparison engine (see cmp.h): options, and the sets of runs read
 * through the store API only, read-only, their values grouped into rows
 * (workload, params, metric), with this host's calibration; the
 * configuration differences of the two sets. The inference is in
 * verdict.c; docs/analysis.md explains the choices.
 */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cmp.h"

void flb_msg(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "flushbench %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *no_primary(const char *workload)
{
	(void)workload;
	return "ns_per_op";
}

static void no_class(const char *workload, const char *params, char *buf,
		     size_t len)
{
	(void)workload;
	snprintf(buf, len, "%s", params);
}

static const struct flb_catalog no_catalog = { no_primary, no_class };
static const struct flb_catalog *catalog = &no_catalog;

void flb_cmp_set_catalog(const struct flb_catalog *c)
{
	catalog = c ? c : &no_catalog;
}

const char *flb_cmp_primary(const char *workload)
{
	return catalog->primary(workload);
}

void flb_cmp_params_class(const char *workload, const char *params,
			  char *buf, size_t len)
{
	catalog->params_class(workload, params, buf, len);
}

void flb_cmp_defaults(struct flb_cmp_opts *o, const char *cmd)
{
	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->effect_opt = "--min-effect";
	o->db = "results.db";
	o->min_effect = 0.01;
	o->alpha = 0.05;
	o->conf = 0.95;
	o->power = 0.8;
	o->format = FLB_FMT_RST;
}

int flb_parse_pct(const char *s, double *frac)
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

int flb_cmp_cli_pct(const struct flb_cliopt *o, const char *value, void *dst,
		    char *why, size_t len)
{
	(void)o;
	if (!flb_parse_pct(value, dst))
		return 0;
	snprintf(why, len, "'%s' is not a percentage (such as 1 or 2.5%%)", value);
	return -1;
}

static int cli_fraction(const struct flb_cliopt *o, const char *value,
			void *dst, char *why, size_t len)
{
	(void)o;
	if (!parse_fraction(value, dst))
		return 0;
	snprintf(why, len, "'%s' is not a number between 0 and 1", value);
	return -1;
}

static const char *const formats[] = { "rst", "md", "json", "csv", NULL };
_Static_assert(sizeof(enum flb_format) == sizeof(int),
	       "--format is parsed as an FLB_OPT_ENUM (an int)");

const struct flb_option flb_cmp_format = {
	.name = "format", .type = FLB_OPT_ENUM, .choices = formats,
};

const struct flb_cliopt flb_cmp_cliopts[] = {
	FLB_CLI_STRING(0, "db", struct flb_cmp_opts, db, "PATH",
		       "results database, opened read-only (default results.db)"),
	FLB_CLI_CALLBACK(0, "min-effect", struct flb_cmp_opts, min_effect, "PCT",
			 flb_cmp_cli_pct, NULL,
			 "smallest |change| that gets a mark (default 1): a 1%\n"
			 "slowdown and a 1% speed-up alike"),
	FLB_CLI_CALLBACK(0, "alpha", struct flb_cmp_opts, alpha, "A",
			 cli_fraction, NULL,
			 "family-wise significance level, Holm (default 0.05)"),
	FLB_CLI_CALLBACK(0, "conf", struct flb_cmp_opts, conf, "C", cli_fraction,
			 NULL, "interval level (default 0.95)"),
	FLB_CLI_CALLBACK(0, "power", struct flb_cmp_opts, power, "P", cli_fraction,
			 NULL, "power for the minimum detectable effect (default 0.8)"),
	FLB_CLI_FLAG(0, "no-calibration", struct flb_cmp_opts, no_calib,
		     "do not use this host's stored calibration for sides\n"
		     "of a single run (they then cannot be marked)"),
	FLB_CLI_STRING(0, "metric", struct flb_cmp_opts, metric, "NAME",
		       "only this metric (ns_per_op, ops_per_sec, ...)"),
	FLB_CLI_STRING(0, "workload", struct flb_cmp_opts, workload, "NAME",
		       "only this workload"),
	FLB_CLI_STRING(0, "host", struct flb_cmp_opts, host, "NAME",
		       "only the runs of this host (of a store merged by\n"
		       "`flushbench import`), on each side"),
	FLB_CLI_END
};

/* --- loading --- */

struct loader {
	struct flb_cmp *c;
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

static bool row_is(const struct flb_row *r, const struct flb_value *v)
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
		const struct flb_row *r = &l->c->rows[i];
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

static struct flb_row *row_get(struct loader *l, const struct flb_value *v)
{
	struct flb_cmp *c = l->c;
	struct flb_row *r;
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
		struct flb_row *rows = realloc(c->rows, cap * sizeof(*rows));

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

static int vals_add(struct flb_vals *s, double v, double el, int64_t run)
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

static int on_value(void *arg, const struct flb_value *v)
{
	struct loader *l = arg;
	const struct flb_cmp_opts *o = &l->c->o;
	struct flb_row *r;

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
static int note_mixed(struct flb_set *s, const struct flb_env *e)
{
	for (size_t k = 0; k < s->env.n; k++) {
		const char *key = s->env.kv[k].key;
		const char *v = flb_env_get(e, key);
		const char **m;

		if (v && !strcmp(v, s->env.kv[k].value))
			continue;
		if (flb_env_volatile(key))
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

/*
 * --host: keep s's runs of that host; -1 (the runs as they were, for the
 * message: their distinct hosts joined in runs[0].host) when none is.
 */
static int keep_host(struct flb_set *s, const char *host)
{
	struct flb_run_row *r = s->runs;
	size_t n = 0;

	for (size_t i = 0; i < s->nruns; i++)
		if (!strcmp(r[i].host, host))
			r[n++] = r[i];
	if (n) {
		s->nruns = n;
		return 0;
	}
	for (size_t i = 1; i < s->nruns; i++) {
		size_t len = strlen(r[0].host);

		if (strstr(r[0].host, r[i].host))
			continue;
		snprintf(r[0].host + len, sizeof(r[0].host) - len, ", %s",
			 r[i].host);
	}
	return -1;
}

static int load_set(struct flb_cmp *c, unsigned int side, const char *spec,
		    struct loader *l)
{
	struct flb_set *s = &c->set[side];
	const char *cmd = c->o.cmd;
	int64_t *ids;

	s->spec = spec;
	if (flb_store_runs(c->st, spec, &s->runs, &s->nruns)) {
		flb_msg(cmd, "%s: %s", c->o.db, flb_store_error(c->st));
		return 2;
	}
	if (!s->nruns) {
		flb_msg(cmd, "%s: no run is labelled '%s'", c->o.db, spec);
		return 2;
	}
	if (c->o.host && keep_host(s, c->o.host)) {
		flb_msg(cmd, "%s: '%s' has no run of host '%s' (its hosts: %s)",
			c->o.db, spec, c->o.host, s->runs[0].host);
		return 2;
	}
	ids = malloc(s->nruns * sizeof(*ids));
	if (!ids)
		goto oom;
	for (size_t i = 0; i < s->nruns; i++)
		ids[i] = s->runs[i].id;
	l->side = side;
	if (flb_store_values(c->st, ids, s->nruns, on_value, l) && !l->err) {
		free(ids);
		flb_msg(cmd, "%s: reading '%s': %s", c->o.db, spec,
		       flb_store_error(c->st));
		return 2;
	}
	free(ids);
	if (l->err)
		goto oom;
	if (!s->nvalues) {
		flb_msg(cmd, "%s: '%s' (%zu run%s) has no ok sample%s", c->o.db,
		       spec, s->nruns, s->nruns == 1 ? "" : "s",
		       c->o.metric || c->o.workload ?
		       " matching --metric/--workload" : "");
		return 2;
	}
	for (size_t i = 0; i < s->nruns; i++) {
		struct flb_env e = { 0 };

		if (flb_store_env(c->st, s->runs[i].id, i ? &e : &s->env)) {
			flb_msg(cmd, "%s: environment of run %lld: %s", c->o.db,
			       (long long)s->runs[i].id, flb_store_error(c->st));
			return 2;
		}
		if (i && note_mixed(s, &e)) {
			flb_env_free(&e);
			goto oom;
		}
		flb_env_free(&e);
	}
	return 0;
oom:
	flb_msg(cmd, "out of memory");
	return 2;
}

int flb_cmp_load(struct flb_cmp *c, const struct flb_cmp_opts *o,
		const char *const *specs, unsigned int n)
{
	struct loader l = { .c = c };
	char err[256];
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->o = *o;
	c->nsets = n;
	if (flb_store_open(o->db, FLB_STORE_RO, &c->st, err, sizeof(err))) {
		c->st = NULL;
		flb_msg(o->cmd, "%s: %s", o->db, err);
		return 2;
	}
	for (unsigned int i = 0; i < n && !rc; i++)
		rc = load_set(c, i, specs[i], &l);
	free(l.slots);
	return rc ? rc : flb_cmp_load_calib(c);
}

void flb_cmp_free(struct flb_cmp *c)
{
	for (size_t i = 0; i < c->nrows; i++)
		flb_row_free(&c->rows[i]);
	free(c->rows);
	for (size_t i = 0; i < c->ncal; i++) {
		struct flb_cal *k = &c->cal[i];

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
		flb_env_free(&c->set[s].env);
	}
	if (c->st)
		flb_store_close(c->st);
	memset(c, 0, sizeof(*c));
}

/* --- calibration --- */

int flb_cmp_add_cal(struct flb_cmp *c, const struct flb_calib *k)
{
	struct flb_cal *d, *g = realloc(c->cal, (c->ncal + 1) * sizeof(*g));

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
	d->invocations = k->invocations;
	d->boots = k->boots;
	d->m = k->samples_per_run;
	d->run_var = k->run_var;
	d->inv_var = k->inv_var;
	d->within_var = k->within_var;
	d->boot_var = k->boot_var;
	d->sample_s = k->sample_seconds;
	d->median = k->median;
	d->inv_post = d->inv_df = NAN;
	return 0;
}

static int on_cal(void *arg, const struct flb_calib *k)
{
	return flb_cmp_add_cal(arg, k);
}

/* The one value every run of both sets has for a field, or NULL. */
static const char *common_run_field(const struct flb_cmp *c, size_t off)
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

int flb_cmp_load_calib(struct flb_cmp *c)
{
	const char *host = common_run_field(c, offsetof(struct flb_run_row, host));
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
		err = flb_store_calib_get(c->st, host, hash[i], on_cal, c);
		if (c->ncal) {
			c->cal_host = host;
			c->cal_config = hash[i];
		}
	}
	if (err == -ENOMEM) {
		flb_msg(c->o.cmd, "out of memory");
		return 2;
	}
	if (err) {
		flb_msg(c->o.cmd, "%s: %s", c->o.db, flb_store_error(c->st));
		return 2;
	}
	if (!c->ncal)
		c->no_cal_why = "no calibration of this host and config is stored (flushbench calibrate LABEL, on A/A runs)";
	return 0;
}

void flb_row_free(struct flb_row *r)
{
	free(r->workload);
	free(r->params);
	free(r->metric);
	free(r->unit);
	for (int s = 0; s < 2; s++) {
		free(r->side[s].v);
		free(r->side[s].el);
		free(r->side[s].run);
		flb_side_runs_free(&r->rs[s]);
	}
}

void flb_metric_label(const struct flb_row *r, char *buf, size_t len)
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

void flb_row_class(const struct flb_row *r, char *buf, size_t len)
{
	char cls[FLB_CELL], m[FLB_CELL];

	flb_cmp_params_class(r->workload, r->params, cls, sizeof(cls));
	flb_metric_label(r, m, sizeof(m));
	snprintf(buf, len, "%s%s(%s)", cls, *cls ? " " : "", m);
}

/* --- configuration differences --- */

/* Keys that differ between any two runs and say nothing about configuration. */
static const char *const volatile_keys[] = {
	"*time*", "*date*", "*start*", "*end*", "*uptime*", "*boot_id*",
	"*pid*", "*elapsed*", "matrix.slot", "matrix.round", "matrix.seed",
	"repeat.*", "run.invocation", "vmduet.*", "import.source", "lab.job_id",
	NULL,
};

bool flb_env_volatile(const char *key)
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
	const struct flb_envdiff *x = a, *y = b;
	int d = key_rank(x->key) - key_rank(y->key);

	return d ? d : strcmp(x->key, y->key);
}

static bool is_mixed(const struct flb_set *s, const char *key)
{
	for (size_t i = 0; i < s->nmixed; i++)
		if (!strcmp(s->mixed[i], key))
			return true;
	return false;
}

size_t flb_cmp_envdiff(const struct flb_cmp *c, struct flb_envdiff **out)
{
	const struct flb_env *e[2] = { &c->set[0].env, &c->set[1].env };
	struct flb_envdiff *d;
	size_t n = 0;

	*out = NULL;
	d = malloc((e[0]->n + e[1]->n + 1) * sizeof(*d));
	if (!d)
		return 0;
	for (int s = 0; s < 2; s++) {
		for (size_t k = 0; k < e[s]->n; k++) {
			const char *key = e[s]->kv[k].key;
			const char *v0 = flb_env_get(e[0], key);
			const char *v1 = flb_env_get(e[1], key);

			if (flb_env_volatile(key) || (s == 1 && v0))
				continue;	/* volatile, or seen from side 0 */
			if (v0 && v1 && !strcmp(v0, v1) &&
			    !is_mixed(&c->set[0], key) &&
			    !is_mixed(&c->set[1], key))
				continue;
			d[n++] = (struct flb_envdiff){ key, v0 ? v0 : "",
						      v1 ? v1 : "" };
		}
	}
	qsort(d, n, sizeof(*d), cmp_diff);
	*out = d;
	return n;
}
