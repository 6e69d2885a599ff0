// SPDX-License-Identifier: GPL-2.0
/*
 * The inference of compare (see cmp.h and docs/analysis.md): rows' values
 * grouped into runs and runs into invocations (the runs of one `flushbench
 * run` command), each summarised by one statistic; the variance between
 * invocations estimated from the table (moderated across its rows by
 * empirical Bayes, Smyth 2004) or taken from the host's calibration; a
 * t test in invocations; Holm per family; the minimum detectable effect
 * of that test; the table-wide geometric mean; and the calibration's own
 * variance components (within a run, between runs of an invocation,
 * between invocations, between boots).
 *
 * Why invocations: runs of one command are minutes closer in time than
 * runs of two commands and share more of the host's state. Measured here
 * (scripts/bench-verdict.sh, --repeat 3, 20 invocations): the means of
 * invocations vary beyond what their runs' spread explains, with a
 * standard deviation of 0.9-2.6% against 1.7-5.9% between runs. Taking
 * an invocation's runs as independent gave 2 false A/A tables in 10.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_statistics_double.h>

#include "cmp.h"

/* Var(median of m normal values) / (sigma^2 / m): pi/2 as m grows. */
#define MEDIAN_VAR	M_PI_2
/* ... and at least this much for m from 3 to 10 (a floor) */
#define MEDIAN_VAR_MIN	1.3

/* --- runs and invocations --- */

void flb_side_runs_free(struct flb_side_runs *s)
{
	free(s->r);
	free(s->g);
	s->r = NULL;
	s->g = NULL;
	s->n = s->ng = 0;
}

/* The invocation of run id in set ("" when unknown: the run alone). */
static const char *invocation_of(const struct flb_set *set, int64_t id)
{
	for (size_t i = 0; set && i < set->nruns; i++)
		if (set->runs[i].id == id)
			return set->runs[i].invocation;
	return "";
}

/* Each run's statistic and within-run spread; 0 or -ENOMEM. */
static int run_stats(const struct flb_vals *v, bool logscale,
		     struct flb_side_runs *out)
{
	double *buf = malloc(2 * v->n * sizeof(*buf)), ssw = 0, dfw = 0;
	double tot = 0, rsum = 0;
	size_t k = 0, nr = 0;

	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < v->n; i++) {
		struct flb_run_stat *rs;
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
		rs->stat = logscale ? flb_median(buf, m) : gsl_stats_mean(buf, 1, m);
		rs->wvar = m > 1 ? gsl_stats_variance(buf, 1, m) : NAN;
		rs->rvar = NAN;
		if (m > 1) {
			ssw += rs->wvar * (double)(m - 1);
			dfw += (double)(m - 1);
		}
		if (logscale && m > 2) {
			double mad = gsl_stats_mad(buf, 1, m, buf + m);

			rs->rvar = mad * mad;
			rsum += rs->rvar;
			nr++;
		}
		tot += (double)m;
	}
	free(buf);
	out->n = k;
	out->m = tot / (double)k;
	if (logscale && dfw > 0)
		out->wvar = ssw / dfw;
	/*
	 * The median of m values varies at least as much as sampling makes
	 * it, whatever the runs do: sigma from the MAD, so that an outlying
	 * sample does not inflate it.
	 */
	if (nr)
		out->floor = MEDIAN_VAR_MIN * rsum / (double)nr / out->m;
	return 0;
}

/* Runs into invocations: the groups, their statistics, the spread within. */
static int group_stats(const struct flb_set *set, struct flb_side_runs *out)
{
	double ss = 0, df = 0, sum = 0, ssg = 0;

	out->g = calloc(out->n, sizeof(*out->g));
	if (!out->g)
		return -ENOMEM;
	for (size_t i = 0; i < out->n; i++) {
		const char *id = invocation_of(set, out->r[i].run);
		size_t j = out->ng;

		if (*id)
			for (j = 0; j < out->ng && strcmp(out->g[j].id, id); j++)
				;
		if (j == out->ng)
			out->g[out->ng++] = (struct flb_group){
				.id = id, .run = out->r[i].run };
		out->r[i].group = j;
		out->g[j].stat += out->r[i].stat;
		out->g[j].nruns++;
	}
	for (size_t j = 0; j < out->ng; j++)
		out->g[j].stat /= (double)out->g[j].nruns;
	for (size_t i = 0; i < out->n; i++) {
		double d = out->r[i].stat - out->g[out->r[i].group].stat;

		ss += d * d;
	}
	df = (double)(out->n - out->ng);
	out->rvar = df > 0 ? ss / df : NAN;
	out->rdf = df;
	out->rpg = (double)out->n / (double)out->ng;
	for (size_t j = 0; j < out->ng; j++)
		sum += out->g[j].stat;
	out->mean = sum / (double)out->ng;
	for (size_t j = 0; j < out->ng; j++)
		ssg += (out->g[j].stat - out->mean) * (out->g[j].stat - out->mean);
	out->s2 = out->ng > 1 ? ssg / (double)(out->ng - 1) : NAN;
	return 0;
}

int flb_side_runs(const struct flb_vals *v, const struct flb_set *set,
		 bool logscale, struct flb_side_runs *out)
{
	flb_side_runs_free(out);
	memset(out, 0, sizeof(*out));
	out->mean = out->s2 = out->wvar = out->var = out->floor = NAN;
	out->rvar = NAN;
	if (!v->n)
		return 0;
	out->r = calloc(v->n, sizeof(*out->r));
	if (!out->r || run_stats(v, logscale, out) || group_stats(set, out)) {
		flb_side_runs_free(out);
		return -ENOMEM;
	}
	return 0;
}

/* --- calibration: the variance components of one set's rows --- */

/*
 * One-way ANOVA of x[i] in groups of[i] (0..k-1): the variance between
 * groups beyond what the spread within explains (clipped at 0), *within
 * the variance within groups (NAN without degrees of freedom). NAN when
 * there are fewer than two groups or no spread within to separate it
 * from.
 */
static double between_groups(const double *x, const size_t *of, size_t n,
			     size_t k, double *within)
{
	double *sum = calloc(k + 1, sizeof(*sum)), grand = 0, ssb = 0;
	double ssw = 0, n2 = 0, v = NAN;
	size_t *cnt = calloc(k + 1, sizeof(*cnt));

	*within = NAN;
	if (!sum || !cnt)
		goto out;
	for (size_t i = 0; i < n; i++) {
		sum[of[i]] += x[i];
		cnt[of[i]]++;
		grand += x[i];
	}
	grand /= (double)n;
	for (size_t i = 0; i < n; i++) {
		double d = x[i] - sum[of[i]] / (double)cnt[of[i]];

		ssw += d * d;
	}
	if (n > k)
		*within = ssw / (double)(n - k);
	if (k < 2 || n <= k)
		goto out;
	for (size_t j = 0; j < k; j++) {
		double d = sum[j] / (double)cnt[j] - grand;

		ssb += (double)cnt[j] * d * d;
		n2 += (double)(cnt[j] * cnt[j]);
	}
	v = fmax(0, (ssb / (double)(k - 1) - *within) /
		    (((double)n - n2 / (double)n) / (double)(k - 1)));
out:
	free(sum);
	free(cnt);
	return v;
}

/* The boots of a side's runs: group index per run; the number of boots. */
static size_t boot_groups(const struct flb_set *set,
			  const struct flb_side_runs *x, size_t *of)
{
	const char **ids = calloc(x->n + 1, sizeof(*ids));
	size_t k = 0;

	if (!ids)
		return 0;
	for (size_t i = 0; i < x->n; i++) {
		const char *b = "";
		size_t j;

		for (size_t r = 0; r < set->nruns; r++)
			if (set->runs[r].id == x->r[i].run)
				b = set->runs[r].boot_id;
		for (j = 0; j < k && strcmp(ids[j], b); j++)
			;
		if (j == k)
			ids[k++] = b;
		of[i] = j;
	}
	free(ids);
	return k;
}

int flb_cmp_calibration(const struct flb_cmp *c, struct flb_calib **out,
		       size_t *n)
{
	struct flb_calib *k = calloc(c->nrows + 1, sizeof(*k));

	*n = 0;
	*out = k;
	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < c->nrows; i++) {
		const struct flb_row *r = &c->rows[i];
		const struct flb_side_runs *x = &r->rs[0];
		struct flb_calib *d = &k[*n];
		double *st = calloc(x->n + 1, sizeof(*st)), within;
		size_t *of = calloc(x->n + 1, sizeof(*of));

		if (!st || !of) {
			free(st);
			free(of);
			return -ENOMEM;
		}
		if (r->role != FLB_ROLE_PRIMARY || x->n < 2) {
			free(st);
			free(of);
			continue;
		}
		for (size_t j = 0; j < x->n; j++) {
			st[j] = x->r[j].stat;
			of[j] = x->r[j].group;
		}
		d->workload = r->workload;
		d->params = r->params;
		d->metric = r->metric;
		d->label = c->set[0].spec;
		d->runs = (long)x->n;
		d->invocations = (long)x->ng;
		d->samples_per_run = x->m;
		d->inv_var = between_groups(st, of, x->n, x->ng, &within);
		d->run_var = within;
		if (isnan(d->run_var) && x->ng >= 2)
			d->inv_var = x->s2;	/* runs alone: not separable */
		d->within_var = x->wvar;
		d->boots = (long)boot_groups(&c->set[0], x, of);
		d->boot_var = between_groups(st, of, x->n, (size_t)d->boots,
					     &within);
		d->sample_seconds = flb_median(r->side[0].el, r->side[0].n) / 1e9;
		d->median = r->sum[0].median;
		(*n)++;
		free(st);
		free(of);
	}
	return 0;
}

/*
 * A row's variance s2 (df degrees of freedom) moderated by the prior p,
 * the prior counting for at most PRIOR_CAP times the row's own degrees of
 * freedom. The Monte Carlo test (tests/unit/test_verdict.c) chose it:
 * with 2 invocations a side (2 degrees of freedom) and rows whose CVs
 * spread over 1-8%, a prior of a few dozen degrees of freedom marked 8.1%
 * of A/A tables; counting for at most 4x (df <= 10) 4.6%, at a cost of
 * about 20% in MDE (13.2% -> 15.8%) when the rows are alike; 2x, 2.5%
 * and 41%. From 3 invocations a side the cap seldom binds.
 */
#define PRIOR_CAP 4
static double moderate(const struct flb_prior *p, double s2, double df,
		       double *df_post)
{
	struct flb_prior q = *p;

	if (df >= 1 && q.d0 > PRIOR_CAP * df) {
		q.d0 = PRIOR_CAP * df;
		if (isinf(p->d0))
			q.s02 = p->s02;
	}
	return flb_eb_post(&q, s2, df, df_post);
}

double flb_cal_run_var(const struct flb_cal *k, double m)
{
	double w, b;

	if (isnan(k->run_var))
		return 0;	/* in inv_var: runs of one invocation each */
	if (isnan(k->within_var) || !(k->m > 0) || !(m > 0))
		return k->run_var;
	w = MEDIAN_VAR * k->within_var;
	b = fmax(0, k->run_var - w / k->m);
	return b + w / m;
}

double flb_cal_var(const struct flb_cal *k, double m, double runs)
{
	if (isnan(k->inv_post))
		return NAN;
	return k->inv_post + flb_cal_run_var(k, m) / (runs > 0 ? runs : 1);
}

int flb_cmp_fit_cal(struct flb_cmp *c)
{
	double *s2 = malloc(2 * (c->ncal + 1) * sizeof(*s2)), *df;
	size_t n = 0;
	int err;

	if (!s2)
		return -ENOMEM;
	df = s2 + c->ncal + 1;
	for (size_t i = 0; i < c->ncal; i++) {
		struct flb_cal *k = &c->cal[i];

		if (strcmp(k->metric, flb_cmp_primary(k->workload)) ||
		    isnan(k->inv_var))
			continue;
		s2[n] = k->inv_var;
		df[n++] = (double)(k->invocations - 1);
	}
	err = flb_eb_prior(s2, df, n, &c->cal_prior);
	for (size_t i = 0; !err && i < c->ncal; i++) {
		struct flb_cal *k = &c->cal[i];

		k->inv_post = k->inv_df = NAN;
		if (isnan(k->inv_var))
			continue;
		/* as compare's own: moderation may raise, never lower */
		k->inv_post = fmax(moderate(&c->cal_prior, k->inv_var,
					    (double)(k->invocations - 1),
					    &k->inv_df), k->inv_var);
	}
	free(s2);
	return err;
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
	const struct flb_row *x = a, *y = b;
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

static enum flb_role role_of(const struct flb_row *r)
{
	const char *p = flb_cmp_primary(r->workload);

	if (!strcmp(r->metric, p))
		return FLB_ROLE_PRIMARY;
	if ((!strcmp(p, "ns_per_op") && !strcmp(r->metric, "ops_per_sec")) ||
	    (!strcmp(p, "ops_per_sec") && !strcmp(r->metric, "ns_per_op")))
		return FLB_ROLE_MIRROR;
	return FLB_ROLE_SECONDARY;
}

static bool all_zero(const struct flb_vals *v)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i] != 0)
			return false;
	return true;
}

static bool all_positive(const struct flb_vals *v)
{
	for (size_t i = 0; i < v->n; i++)
		if (!(v->v[i] > 0))
			return false;
	return true;
}

/* Rows that are 0 on every side explain nothing: dropped. */
static void drop_zero_rows(struct flb_cmp *c)
{
	size_t k = 0;

	for (size_t i = 0; i < c->nrows; i++) {
		struct flb_row *r = &c->rows[i];

		if (all_zero(&r->side[0]) && all_zero(&r->side[1])) {
			flb_row_free(r);
			continue;
		}
		c->rows[k++] = *r;
	}
	c->nrows = k;
}

static const struct flb_cal *cal_find(const struct flb_cmp *c,
				     const struct flb_row *r)
{
	for (size_t i = 0; i < c->ncal; i++) {
		const struct flb_cal *k = &c->cal[i];

		if (!strcmp(k->workload, r->workload) &&
		    !strcmp(k->params, r->params) && !strcmp(k->metric, r->metric))
			return k;
	}
	return NULL;
}

/*
 * The variance of a row's invocation statistics pooled over its two
 * sides (each around its own mean), with its degrees of freedom counted
 * in invocations: NAN and 0 when each side has a single invocation.
 */
static double pooled_var(const struct flb_row *r, double *df)
{
	double ss = 0;

	*df = 0;
	for (unsigned int s = 0; s < 2; s++) {
		if (r->rs[s].ng < 2)
			continue;
		ss += r->rs[s].s2 * (double)(r->rs[s].ng - 1);
		*df += (double)(r->rs[s].ng - 1);
	}
	return *df > 0 ? ss / *df : NAN;
}

/* The prior of the invocation variances of the table's primary rows. */
static int fit_prior(struct flb_cmp *c)
{
	double *s2 = malloc(2 * (c->nrows + 1) * sizeof(*s2)), *df;
	size_t n = 0;
	int err;

	if (!s2)
		return -ENOMEM;
	df = s2 + c->nrows + 1;
	for (size_t i = 0; i < c->nrows; i++) {
		const struct flb_row *r = &c->rows[i];

		if (r->role != FLB_ROLE_PRIMARY || !r->tested || !r->logscale)
			continue;
		s2[n] = pooled_var(r, &df[n]);
		n += df[n] >= 1;
	}
	err = flb_eb_prior(s2, df, n, &c->prior);
	free(s2);
	return err;
}

/* The boots a side's runs ran in (distinct boot ids), 0 if unknown. */
static size_t nboots(const struct flb_set *s)
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

static bool share_boot(const struct flb_set *a, const struct flb_set *b)
{
	for (size_t i = 0; i < a->nruns; i++)
		for (size_t j = 0; j < b->nruns; j++)
			if (*a->runs[i].boot_id &&
			    !strcmp(a->runs[i].boot_id, b->runs[j].boot_id))
				return true;
	return false;
}

/*
 * The least variance an invocation's statistic of this side can have:
 * that of the mean of its runs, each at least as variable as its runs
 * are (within the invocation) and its samples make its median.
 */
static double floor_var(const struct flb_side_runs *x)
{
	double f = fmax(isnan(x->floor) ? 0 : x->floor,
			isnan(x->rvar) ? 0 : x->rvar);

	return f / x->rpg;
}

/*
 * The variance of a primary row's invocation statistics (the moderated t
 * of limma, Smyth 2004): the sides' invocations pooled and moderated
 * towards the prior of the table's rows, with d0 + invocations - 2
 * degrees of freedom. Moderation may raise a row's variance towards the
 * table's, never lower it, nor below the floor of its runs and samples:
 * rows unlike each other would otherwise be shrunk towards the middle,
 * and the noisiest marked on noise (the Monte Carlo test,
 * tests/unit/test_verdict.c, measured 11% false tables with 2 a side,
 * 6.5% with 3, when rows' CVs spread over 1-8%). With a single
 * invocation a side: the host's calibration of the variance between
 * invocations (at each side's runs and samples), else the table's prior
 * alone, else unknown.
 */
static void row_var(const struct flb_cmp *c, struct flb_row *r)
{
	double d, s2 = pooled_var(r, &d), v = NAN, df = 0;
	enum flb_var_src src = FLB_VAR_NONE;

	if (d >= 1) {
		v = fmax(moderate(&c->prior, s2, d, &df), s2);
		src = FLB_VAR_RUNS;
	} else if (r->cal && !isnan(r->cal->inv_post) && r->cal->inv_df > 0) {
		src = FLB_VAR_CALIB;
		df = r->cal->inv_df;
	} else if (c->prior.d0 > 0) {
		v = c->prior.s02;
		df = c->prior.d0;
		src = FLB_VAR_PRIOR;
	}
	for (unsigned int s = 0; s < 2; s++) {
		struct flb_side_runs *x = &r->rs[s];

		x->src = src;
		x->df = df;
		x->var = src == FLB_VAR_CALIB ? flb_cal_var(r->cal, x->m, x->rpg) : v;
		if (src != FLB_VAR_NONE)
			x->var = fmax(x->var, floor_var(x));
	}
}

/*
 * The standard error of a primary row's change and its degrees of
 * freedom; with the calibrated between-boot variance added when each side
 * ran in one boot and they share none (Welch-Satterthwaite over the two
 * parts).
 */
static void primary_se(const struct flb_cmp *c, struct flb_row *r)
{
	double var[2], df[2];
	size_t n = 0;

	var[n] = r->rs[0].var / (double)r->rs[0].ng +
		 r->rs[1].var / (double)r->rs[1].ng;
	df[n++] = r->rs[0].df;
	r->boot_added = false;
	if (c->boots_differ && nboots(&c->set[0]) == 1 &&
	    nboots(&c->set[1]) == 1 && r->cal && r->cal->boots >= 2 &&
	    isfinite(r->cal->boot_var)) {
		var[n] = 2 * r->cal->boot_var;
		df[n++] = (double)(r->cal->boots - 1);
		r->boot_added = true;
	}
	r->se = sqrt(var[0] + (n > 1 ? var[1] : 0));
	r->df = n > 1 ? flb_satterthwaite(var, df, n) : df[0];
	if (isnan(r->df) && r->se == 0)
		r->df = INFINITY;	/* no spread at all: exact */
}

/* Welch's t on the invocation means of a secondary row (>= 2 a side). */
static void secondary_se(struct flb_row *r)
{
	double var[2], df[2];

	for (unsigned int s = 0; s < 2; s++) {
		var[s] = r->rs[s].s2 / (double)r->rs[s].ng;
		df[s] = (double)(r->rs[s].ng - 1);
		r->rs[s].src = FLB_VAR_RUNS;
		r->rs[s].var = r->rs[s].s2;
		r->rs[s].df = df[s];
	}
	r->se = sqrt(var[0] + var[1]);
	r->df = flb_satterthwaite(var, df, 2);
	if (isnan(r->df) && r->se == 0)
		r->df = INFINITY;
}

/* Test one row whose se and df are known: t, p and the interval. */
static void row_test(const struct flb_cmp *c, struct flb_row *r)
{
	double q = flb_t_quantile(1 - (1 - c->o.conf) / 2, r->df);

	if (r->se > 0) {
		r->p = flb_t_p(r->est / r->se, r->df);
		r->lo = r->est - q * r->se;
		r->hi = r->est + q * r->se;
	} else {
		r->p = r->est == 0 ? 1 : 0;
		r->lo = r->hi = r->est;
	}
}

static double min_effect_scaled(const struct flb_cmp *c, const struct flb_row *r)
{
	if (r->logscale)
		return log1p(c->o.min_effect);
	return c->o.min_effect * fabs(r->rs[FLB_BASE].mean);
}

/* Holm over one family, then the marks: significant and big enough. */
static int mark_family(struct flb_cmp *c, enum flb_role role, size_t *k_out)
{
	double *p = malloc((c->nrows + 1) * sizeof(*p));
	size_t k = 0;

	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < c->nrows; i++)
		if (c->rows[i].testable && c->rows[i].role == role)
			p[k++] = c->rows[i].p;
	if (flb_holm(p, k, p)) {
		free(p);
		return -ENOMEM;
	}
	*k_out = k;
	k = 0;
	for (size_t i = 0; i < c->nrows; i++) {
		struct flb_row *r = &c->rows[i];
		double better;

		if (!r->testable || r->role != role)
			continue;
		r->p_adj = p[k++];
		r->mark = FLB_MARK_NONE;
		if (!(r->p_adj <= c->o.alpha) || r->est == 0)
			continue;
		if (fabs(r->est) < min_effect_scaled(c, r) * (1 - 1e-12))
			continue;
		better = r->better == FLB_HIGHER_IS_BETTER ? r->est : -r->est;
		r->mark = better > 0 ? FLB_MARK_IMPROVED : FLB_MARK_REGRESSED;
	}
	free(p);
	return 0;
}

static bool geo_row(const struct flb_row *r)
{
	return r->role == FLB_ROLE_PRIMARY && r->tested && r->logscale;
}

/*
 * Per-invocation suite scores of side s: the mean over the rows of an
 * invocation's better-oriented statistic, matched by invocation id
 * across rows; false unless every row has the side's invocations alike.
 */
static bool suite_scores(const struct flb_cmp *c, unsigned int s, size_t n,
			 double *score, size_t *ng)
{
	const struct flb_side_runs *first = NULL;

	for (size_t i = 0; i < c->nrows; i++) {
		const struct flb_row *r = &c->rows[i];
		double sign = r->better == FLB_HIGHER_IS_BETTER ? 1 : -1;

		if (!geo_row(r))
			continue;
		if (!first) {
			first = &r->rs[s];
			*ng = first->ng;
			memset(score, 0, *ng * sizeof(*score));
		}
		if (r->rs[s].ng != *ng)
			return false;
		for (size_t j = 0; j < *ng; j++) {
			const struct flb_group *g = &r->rs[s].g[j];

			if (g->run != first->g[j].run)
				return false;
			score[j] += sign * g->stat / (double)n;
		}
	}
	return first && *ng >= 2;
}

/*
 * The table-wide geometric mean of the primary rows' better-oriented
 * changes. With two invocations a side or more, each in every row, the
 * interval is Welch's on per-invocation suite scores, which allows for
 * rows moving together; otherwise it takes the rows as independent.
 */
/* Welch-Satterthwaite as parts are added: sum of v, of v^2 / df. */
struct parts {
	double var, den;
};

static void part_add(struct parts *p, double v, double df)
{
	p->var += v;
	if (isfinite(df) && df > 0)
		p->den += v * v / df;
}

static void geomean(struct flb_cmp *c)
{
	struct flb_geo *g = &c->geo;
	struct parts p = { 0 };
	double sum = 0, q, *score;
	size_t n = 0, ng = 0;
	bool all = true;

	memset(g, 0, sizeof(*g));
	g->est = g->lo = g->hi = NAN;
	for (size_t i = 0; i < c->nrows; i++) {
		const struct flb_row *r = &c->rows[i];

		if (!geo_row(r))
			continue;
		n++;
		sum += r->better == FLB_HIGHER_IS_BETTER ? r->est : -r->est;
		all &= r->testable;
	}
	if (!n)
		return;
	g->n = n;
	g->est = sum / (double)n;
	if (!all)
		return;
	score = calloc(c->set[0].nruns + c->set[1].nruns + 1, sizeof(*score));
	if (!score)
		return;
	g->by_run = true;
	for (unsigned int s = 0; s < 2 && g->by_run; s++) {
		double m = 0, ss = 0;

		g->by_run = suite_scores(c, s, n, score, &ng);
		if (!g->by_run)
			break;
		for (size_t k = 0; k < ng; k++)
			m += score[k] / (double)ng;
		for (size_t k = 0; k < ng; k++)
			ss += (score[k] - m) * (score[k] - m);
		part_add(&p, ss / (double)(ng - 1) / (double)ng, (double)(ng - 1));
	}
	free(score);
	if (!g->by_run) {
		p = (struct parts){ 0 };
		for (size_t i = 0; i < c->nrows; i++) {
			const struct flb_row *r = &c->rows[i];

			if (geo_row(r))
				part_add(&p, r->se * r->se / ((double)n * (double)n),
					 r->df);
		}
	}
	q = p.var > 0 ? flb_t_quantile(1 - (1 - c->o.conf) / 2,
				      p.den > 0 ? p.var * p.var / p.den :
				      INFINITY) : 0;
	if (!isnan(q)) {
		g->lo = g->est - q * sqrt(p.var);
		g->hi = g->est + q * sqrt(p.var);
	}
}

int flb_cmp_analyse(struct flb_cmp *c)
{
	size_t k;

	drop_zero_rows(c);
	c->ntested = 0;
	for (size_t i = 0; i < c->nrows; i++) {
		struct flb_row *r = &c->rows[i];

		r->role = role_of(r);
		r->logscale = all_positive(&r->side[0]) && all_positive(&r->side[1]);
		if (r->role == FLB_ROLE_PRIMARY && !r->logscale)
			r->role = FLB_ROLE_SECONDARY;	/* no logs, no ratio */
		for (unsigned int s = 0; s < c->nsets; s++) {
			if (r->side[s].n && flb_summarize(r->side[s].v, r->side[s].n,
							 &r->sum[s]))
				goto oom;
			if (flb_side_runs(&r->side[s], &c->set[s], r->logscale,
					 &r->rs[s]))
				goto oom;
		}
		r->tested = c->nsets == 2 && r->side[0].n && r->side[1].n;
		r->testable = false;
		r->est = r->se = r->df = r->lo = r->hi = NAN;
		r->p = r->p_adj = r->mde = NAN;
		r->mark = FLB_MARK_NONE;
		c->ntested += r->tested;
	}
	qsort(c->rows, c->nrows, sizeof(*c->rows), cmp_rows);
	if (c->nsets == 2 && !c->ntested) {
		flb_msg(c->o.cmd, "'%s' and '%s' have no (workload, params, metric) row in common",
		       c->set[0].spec, c->set[1].spec);
		return 2;
	}
	if (c->nsets == 2)
		c->boots_differ = !share_boot(&c->set[0], &c->set[1]);
	if (flb_cmp_fit_cal(c) || fit_prior(c))
		goto oom;
	for (size_t i = 0; i < c->nrows; i++) {
		struct flb_row *r = &c->rows[i];

		if (!r->tested || r->role == FLB_ROLE_MIRROR)
			continue;
		r->est = r->rs[1].mean - r->rs[0].mean;
		if (r->role == FLB_ROLE_PRIMARY) {
			r->cal = cal_find(c, r);
			row_var(c, r);
			r->testable = r->rs[0].src != FLB_VAR_NONE &&
				      !isnan(r->rs[0].var) && !isnan(r->rs[1].var);
			if (r->testable)
				primary_se(c, r);
		} else {
			r->testable = r->rs[0].ng >= 2 && r->rs[1].ng >= 2;
			if (r->testable)
				secondary_se(r);
		}
		r->testable &= !isnan(r->df) && r->df > 0;
		if (r->testable)
			row_test(c, r);
	}
	if (mark_family(c, FLB_ROLE_PRIMARY, &c->nprimary) ||
	    mark_family(c, FLB_ROLE_SECONDARY, &c->nsecondary))
		goto oom;
	/* detectability: at the first Holm step of the row's family */
	for (size_t i = 0; i < c->nrows; i++) {
		struct flb_row *r = &c->rows[i];

		k = r->role == FLB_ROLE_PRIMARY ? c->nprimary : c->nsecondary;
		if (r->testable && k)
			r->mde = flb_t_mde(r->se, r->df, c->o.alpha / (double)k,
					  c->o.power);
	}
	geomean(c);
	return 0;
oom:
	flb_msg(c->o.cmd, "out of memory");
	return 2;
}

/* --- reading a row --- */

double flb_row_pct(const struct flb_row *r, double v)
{
	double x;

	if (isnan(v))
		return NAN;
	if (r->logscale) {
		x = r->better == FLB_HIGHER_IS_BETTER ? v : -v;
		return (x < 0 ? -1 : 1) * expm1(fabs(x)) * 100;
	}
	if (!(r->rs[FLB_BASE].mean != 0))
		return NAN;
	x = v / fabs(r->rs[FLB_BASE].mean) * 100;
	return r->better == FLB_HIGHER_IS_BETTER ? x : -x;
}

double flb_row_improvement(const struct flb_row *r)
{
	return flb_row_pct(r, r->est);
}

void flb_row_improvement_ci(const struct flb_row *r, double *lo, double *hi)
{
	double a = flb_row_pct(r, r->lo), b = flb_row_pct(r, r->hi);

	*lo = fmin(a, b);
	*hi = fmax(a, b);
}

double flb_row_mde_pct(const struct flb_row *r)
{
	if (isnan(r->mde))
		return NAN;
	if (r->logscale)
		return expm1(r->mde) * 100;
	return r->rs[FLB_BASE].mean != 0 ?
	       r->mde / fabs(r->rs[FLB_BASE].mean) * 100 : NAN;
}

const char *flb_row_untested_why(const struct flb_cmp *c, const struct flb_row *r)
{
	if (!r->tested)
		return r->side[FLB_BASE].n ? "only in BASE" : "only in NEW";
	if (r->role == FLB_ROLE_MIRROR)
		return "the primary metric's samples";
	if (r->testable)
		return NULL;
	if (r->role == FLB_ROLE_SECONDARY)
		return "needs 2 invocations a side";
	if (r->rs[0].n < 2 && r->rs[1].n < 2)
		return "1 run per side: run-to-run variance unknown";
	if (r->cal && isnan(r->cal->inv_post))
		return "1 invocation per side, and the calibration is of 1 invocation: variance between invocations unknown";
	(void)c;
	return "1 invocation per side: variance between invocations unknown";
}
