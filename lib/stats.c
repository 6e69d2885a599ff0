// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics for A/B comparisons (see stats.h and docs/analysis.md):
 * summaries; rank tests and rank-based intervals for comparisons within
 * one run or of paired values; Holm; and the run-level inference that
 * compare uses between runs (Student t, empirical-Bayes moderation of
 * variances across rows, Welch-Satterthwaite degrees of freedom, the
 * minimum detectable effect of that test). GSL supplies distributions,
 * digamma/trigamma, sorting and quantiles.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_psi.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "stats.h"

static double *sorted_copy(const double *x, size_t n)
{
	double *s = malloc((n ? n : 1) * sizeof(*s));

	if (!s)
		return NULL;
	memcpy(s, x, n * sizeof(*s));
	gsl_sort(s, 1, n);
	return s;
}

double flb_median(const double *x, size_t n)
{
	double *s, m;

	if (!n)
		return NAN;
	s = sorted_copy(x, n);
	if (!s)
		return NAN;
	m = gsl_stats_median_from_sorted_data(s, 1, n);
	free(s);
	return m;
}

double flb_cv(const double *x, size_t n)
{
	double mean;

	if (n < 2)
		return NAN;
	mean = gsl_stats_mean(x, 1, n);
	if (mean == 0)
		return NAN;
	return gsl_stats_sd_m(x, 1, n, mean) / fabs(mean);
}

int flb_summarize(const double *x, size_t n, struct flb_summary *s)
{
	double *v;

	memset(s, 0, sizeof(*s));
	if (!n)
		return -EINVAL;
	v = sorted_copy(x, n);
	if (!v)
		return -ENOMEM;
	s->n = n;
	s->min = v[0];
	s->max = v[n - 1];
	s->q1 = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.25);
	s->median = gsl_stats_median_from_sorted_data(v, 1, n);
	s->q3 = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.75);
	s->mean = gsl_stats_mean(v, 1, n);
	s->sd = n > 1 ? gsl_stats_sd_m(v, 1, n, s->mean) : NAN;
	s->cv = flb_cv(v, n);
	free(v);
	return 0;
}

int flb_mw_null_counts(unsigned int n1, unsigned int n2, double *counts)
{
	/*
	 * Walk the merged order: cell (i, j) counts the orderings of i x's
	 * and j y's by U; an x placed after j y's adds j to U.
	 */
	size_t umax = (size_t)n1 * n2, w = umax + 1;
	double *dp;

	dp = calloc((size_t)(n1 + 1) * (n2 + 1) * w, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
#define CELL(i, j) (dp + ((size_t)(i) * (n2 + 1) + (j)) * w)
	CELL(0, 0)[0] = 1;
	for (unsigned int i = 0; i <= n1; i++) {
		for (unsigned int j = 0; j <= n2; j++) {
			double *c = CELL(i, j);

			if (i) {
				const double *a = CELL(i - 1, j);

				for (size_t u = j; u < w; u++)
					c[u] += a[u - j];
			}
			if (j) {
				const double *b = CELL(i, j - 1);

				for (size_t u = 0; u < w; u++)
					c[u] += b[u];
			}
		}
	}
	memcpy(counts, CELL(n1, n2), w * sizeof(*counts));
#undef CELL
	free(dp);
	return 0;
}

/*
 * The exact null CDF of U: a malloc'd array cdf[u] = P(U <= u) for u in
 * 0..n1*n2, or NULL when out of memory.
 */
static double *mw_null_cdf(unsigned int n1, unsigned int n2)
{
	size_t w = (size_t)n1 * n2 + 1;
	double *c = malloc(w * sizeof(*c)), total = 0;

	if (!c)
		return NULL;
	if (flb_mw_null_counts(n1, n2, c)) {
		free(c);
		return NULL;
	}
	for (size_t u = 0; u < w; u++) {
		total += c[u];
		c[u] = total;
	}
	for (size_t u = 0; u < w; u++)
		c[u] /= total;
	return c;
}

struct tagged {
	double v;
	int side;
};

static int cmp_tagged(const void *a, const void *b)
{
	double x = ((const struct tagged *)a)->v, y = ((const struct tagged *)b)->v;

	return (x > y) - (x < y);
}

int flb_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
		    struct flb_mw *r)
{
	size_t n = nx + ny, i, j;
	struct tagged *t;
	double rsum = 0, ties = 0, mu, var, lo;

	memset(r, 0, sizeof(*r));
	if (!nx || !ny)
		return -EINVAL;
	t = malloc(n * sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (i = 0; i < nx; i++)
		t[i] = (struct tagged){ x[i], 0 };
	for (i = 0; i < ny; i++)
		t[nx + i] = (struct tagged){ y[i], 1 };
	qsort(t, n, sizeof(*t), cmp_tagged);
	/* midranks; ties contribute t^3 - t to the variance correction */
	for (i = 0; i < n; i = j) {
		double rank, k;

		for (j = i + 1; j < n && t[j].v == t[i].v; j++)
			;
		k = (double)(j - i);
		rank = (double)(i + j + 1) / 2;	/* mean of ranks i+1 .. j */
		for (size_t q = i; q < j; q++)
			if (!t[q].side)
				rsum += rank;
		ties += k * k * k - k;
	}
	free(t);
	r->u = rsum - (double)nx * (nx + 1) / 2;
	mu = (double)nx * ny / 2;
	var = (double)nx * ny / 12 *
	      ((n + 1) - (n > 1 ? ties / ((double)n * (n - 1)) : 0));
	if (var <= 0) {		/* every value equal */
		r->p = 1;
		return 0;
	}
	/* continuity correction towards the mean */
	lo = fabs(r->u - mu) - 0.5;
	r->z = (r->u > mu ? 1 : -1) * fmax(lo, 0) / sqrt(var);
	if (!ties && nx <= FLB_MW_EXACT_MAX && ny <= FLB_MW_EXACT_MAX) {
		/* U is an integer here: no ties */
		size_t umin = (size_t)fmin(r->u, (double)nx * ny - r->u);
		double *cdf = mw_null_cdf(nx, ny);

		if (!cdf)
			return -ENOMEM;
		r->exact = true;
		r->p = fmin(1.0, 2 * cdf[umin]);
		free(cdf);
		return 0;
	}
	r->p = fmin(1.0, 2 * gsl_cdf_ugaussian_Q(fabs(r->z)));
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Whether x and y hold a value twice (then Mann-Whitney is not exact). */
static int have_ties(const double *x, size_t nx, const double *y, size_t ny,
		     bool *ties)
{
	double *v = malloc((nx + ny) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	memcpy(v, x, nx * sizeof(*v));
	memcpy(v + nx, y, ny * sizeof(*v));
	gsl_sort(v, 1, nx + ny);
	*ties = false;
	for (size_t i = 1; i < nx + ny && !*ties; i++)
		*ties = v[i] == v[i - 1];
	free(v);
	return 0;
}

/*
 * The rank k (1-based) of the lower interval end among the m pairwise
 * differences, from the null distribution of U that flb_mann_whitney uses
 * for the same values, so that the interval is the set of shifts the
 * test does not reject: exact (the largest k with P(U <= k - 1) <=
 * (1 - conf) / 2) without ties up to FLB_MW_EXACT_MAX a side, otherwise
 * the normal approximation with the continuity correction (its variance
 * without the tie correction: ties only make the test more significant,
 * so an interval that excludes a shift implies p <= 1 - conf). Also the coverage
 * actually achieved. k = 0 when the test cannot reject any shift at this
 * level (3 values against 3: p >= 0.1): the interval is unbounded.
 */
static int hl_cutoff(size_t nx, size_t ny, double conf, bool ties,
		     size_t *k, double *achieved)
{
	size_t m = nx * ny;
	double half = (1 - conf) / 2;
	double sigma = sqrt((double)m * (nx + ny + 1) / 12);
	double z = gsl_cdf_ugaussian_Qinv(half);
	double kk = floor((double)m / 2 - z * sigma + 0.5);
	size_t kn = kk < 1 ? 0 : (size_t)kk;

	*k = kn;
	*achieved = 1 - 2 * gsl_cdf_ugaussian_P(((double)kn - 0.5 -
						 (double)m / 2) / sigma);
	if (!ties && nx <= FLB_MW_EXACT_MAX && ny <= FLB_MW_EXACT_MAX) {
		double *cdf = mw_null_cdf(nx, ny);
		size_t ke;

		if (!cdf)
			return -ENOMEM;
		/* ke - 1 is the largest u with P(U <= u) <= half */
		for (ke = 0; ke <= m && cdf[ke] <= half + 1e-12; ke++)
			;
		*k = ke;
		if (ke)
			*achieved = 1 - 2 * cdf[ke - 1];
		free(cdf);
	}
	if (!*k)
		*achieved = 1;
	return 0;
}

static int hl(const double *x, size_t nx, const double *y, size_t ny,
	      double conf, bool logscale, struct flb_ratio *r)
{
	size_t m = nx * ny, k, i, j;
	double *d, achieved;
	bool ties;
	int err;

	memset(r, 0, sizeof(*r));
	if (!nx || !ny || !(conf > 0 && conf < 1))
		return -EINVAL;
	if (m > FLB_HL_MAX_PAIRS)
		return -E2BIG;
	err = have_ties(x, nx, y, ny, &ties);
	if (err)
		return err;
	d = malloc(m * sizeof(*d));
	if (!d)
		return -ENOMEM;
	for (i = 0; i < nx; i++) {
		for (j = 0; j < ny; j++) {
			if (logscale && (x[i] <= 0 || y[j] <= 0)) {
				free(d);
				return -EINVAL;
			}
			d[i * ny + j] = logscale ? log(y[j]) - log(x[i])
						 : y[j] - x[i];
		}
	}
	qsort(d, m, sizeof(*d), cmp_double);
	err = hl_cutoff(nx, ny, conf, ties, &k, &achieved);
	if (err) {
		free(d);
		return err;
	}
	if (k > (m + 1) / 2)
		k = (m + 1) / 2;
	r->est = gsl_stats_median_from_sorted_data(d, 1, m);
	r->lo = k ? d[k - 1] : -INFINITY;
	r->hi = k ? d[m - k] : INFINITY;
	r->achieved = achieved;
	free(d);
	if (logscale) {
		r->est = exp(r->est);
		r->lo = exp(r->lo);
		r->hi = exp(r->hi);
	}
	return 0;
}

int flb_hl_ratio(const double *x, size_t nx, const double *y, size_t ny,
		double conf, struct flb_ratio *r)
{
	return hl(x, nx, y, ny, conf, true, r);
}

int flb_hl_shift(const double *x, size_t nx, const double *y, size_t ny,
		double conf, struct flb_ratio *r)
{
	return hl(x, nx, y, ny, conf, false, r);
}

int flb_holm(const double *p, size_t n, double *adj)
{
	size_t *order;
	double run = 0, *tmp;

	if (!n)
		return 0;
	order = malloc(n * sizeof(*order));
	tmp = malloc(n * sizeof(*tmp));
	if (!order || !tmp) {
		free(order);
		free(tmp);
		return -ENOMEM;
	}
	gsl_sort_index(order, p, 1, n);
	/* step down: the i-th smallest p is multiplied by n - i, kept monotone */
	for (size_t i = 0; i < n; i++) {
		double a = fmin(1.0, (double)(n - i) * p[order[i]]);

		run = fmax(run, a);
		tmp[order[i]] = run;
	}
	memcpy(adj, tmp, n * sizeof(*adj));
	free(tmp);
	free(order);
	return 0;
}


/* --- run-level inference --- */

double flb_t_p(double t, double df)
{
	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(t))
		return 0;
	if (isinf(df))
		return fmin(1.0, 2 * gsl_cdf_ugaussian_Q(fabs(t)));
	return fmin(1.0, 2 * gsl_cdf_tdist_Q(fabs(t), df));
}

double flb_t_quantile(double p, double df)
{
	if (!(df > 0) || !(p > 0 && p < 1))
		return NAN;
	return isinf(df) ? gsl_cdf_ugaussian_Pinv(p) : gsl_cdf_tdist_Pinv(p, df);
}

/*
 * The inverse of the trigamma function by Newton's method, as Smyth
 * (2004) and limma's trigammaInverse do it: y with psi'(y) = x, x > 0.
 */
static double trigamma_inverse(double x)
{
	double y, d;

	if (x > 1e7)
		return 1 / sqrt(x);
	if (x < 1e-6)
		return 1 / x;
	y = 0.5 + 1 / x;
	for (int i = 0; i < 50; i++) {
		double tri = gsl_sf_psi_1(y);

		d = tri * (1 - tri / x) / gsl_sf_psi_n(2, y);
		y += d;
		if (-d / y < 1e-8)
			break;
	}
	return y;
}

int flb_eb_prior(const double *s2, const double *df, size_t n,
		struct flb_prior *p)
{
	double *e, mean = 0, var = 0, tri = 0;
	size_t k = 0;

	memset(p, 0, sizeof(*p));
	e = malloc((n ? n : 1) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	/*
	 * Smyth (2004), section 6.2: the log of a scaled chi-square variable
	 * has mean log(s0^2) + psi(d/2) - log(d/2) and variance psi'(d/2);
	 * matching the moments of log s^2 across rows gives d0 and s0^2.
	 */
	for (size_t i = 0; i < n; i++) {
		if (!(s2[i] > 0) || !(df[i] >= 1) || !isfinite(s2[i]))
			continue;
		e[k] = log(s2[i]) - gsl_sf_psi(df[i] / 2) + log(df[i] / 2);
		tri += gsl_sf_psi_1(df[i] / 2);
		mean += e[k++];
	}
	p->n = k;
	if (k < FLB_EB_MIN) {
		free(e);
		return 0;	/* too few rows to learn from: no prior */
	}
	mean /= k;
	for (size_t i = 0; i < k; i++)
		var += (e[i] - mean) * (e[i] - mean);
	var = var / (k - 1) - tri / k;
	free(e);
	if (var > 0) {
		p->d0 = 2 * trigamma_inverse(var);
		p->s02 = exp(mean + gsl_sf_psi(p->d0 / 2) - log(p->d0 / 2));
	} else {
		/* no more spread than sampling alone gives: one variance */
		p->d0 = INFINITY;
		p->s02 = exp(mean);
	}
	return 0;
}

double flb_eb_post(const struct flb_prior *p, double s2, double df,
		  double *df_post)
{
	bool have = df >= 1 && s2 >= 0;

	if (!(p->d0 > 0)) {
		*df_post = have ? df : 0;
		return have ? s2 : NAN;
	}
	if (isinf(p->d0)) {
		*df_post = INFINITY;
		return p->s02;
	}
	if (!have) {
		*df_post = p->d0;
		return p->s02;
	}
	*df_post = p->d0 + df;
	return (p->d0 * p->s02 + df * s2) / (p->d0 + df);
}

double flb_satterthwaite(const double *var, const double *df, size_t n)
{
	double sum = 0, den = 0;

	for (size_t i = 0; i < n; i++) {
		if (!(var[i] >= 0) || !(df[i] > 0))
			return NAN;
		sum += var[i];
		if (isfinite(df[i]))
			den += var[i] * var[i] / df[i];
	}
	if (!(sum > 0))
		return NAN;
	return den > 0 ? sum * sum / den : INFINITY;
}

double flb_t_mde(double se, double df, double alpha, double power)
{
	double crit, pw;

	if (!(se >= 0) || !(df > 0) || !(alpha > 0 && alpha < 1) ||
	    !(power > 0 && power < 1))
		return NAN;
	crit = flb_t_quantile(1 - alpha / 2, df);
	pw = flb_t_quantile(power, df);
	/*
	 * The shifted central t approximation of the non-central t: an
	 * effect d is found with the given power when d is (crit + pw) se;
	 * the far tail is ignored.
	 */
	return (crit + pw) * se;
}

struct pair_ref {
	unsigned int round;
	unsigned char swap;
	double d;
};

static int by_round(const void *a, const void *b)
{
	const struct pair_ref *x = a, *y = b;

	if (x->round != y->round)
		return x->round < y->round ? -1 : 1;
	return x->d < y->d ? -1 : x->d > y->d;
}

int flb_paired_rounds(const double *d, const unsigned int *round,
		      const unsigned char *swap, size_t n, double alpha,
		      double power, struct flb_paired *r)
{
	struct pair_ref *p = malloc((n ? n : 1) * sizeof(*p));
	double *med = malloc((n ? n : 1) * sizeof(*med));
	unsigned char *sw = malloc(n ? n : 1);
	double sum[2] = { 0, 0 }, ss = 0, crit;
	size_t k = 0, m = 0, cnt[2] = { 0, 0 };
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (!p || !med || !sw || !(alpha > 0 && alpha < 1))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (isfinite(d[i]))
			p[k++] = (struct pair_ref){ round[i], swap ? !!swap[i] : 0, d[i] };
	qsort(p, k, sizeof(*p), by_round);
	/* each round's median, its pairs sorted by d within it */
	for (size_t i = 0, j; i < k; i = j) {
		for (j = i; j < k && p[j].round == p[i].round; j++)
			if (p[j].swap != p[i].swap)
				goto out;	/* one assignment per round */
		med[m] = (j - i) % 2 ? p[i + (j - i) / 2].d :
			 (p[i + (j - i) / 2 - 1].d + p[i + (j - i) / 2].d) / 2;
		sw[m++] = p[i].swap;
	}
	r->rounds = m;
	r->pairs = k;
	for (size_t i = 0; i < m; i++) {
		sum[sw[i]] += med[i];
		cnt[sw[i]]++;
	}
	if (!swap) {
		if (m < 2)
			goto out;
		r->est = sum[0] / m;
		for (size_t i = 0; i < m; i++)
			ss += (med[i] - r->est) * (med[i] - r->est);
		r->df = (double)(m - 1);
		r->se = sqrt(ss / r->df / m);
	} else {
		double mean[2];

		if (m < 3 || !cnt[0] || !cnt[1])
			goto out;
		mean[0] = sum[0] / cnt[0];
		mean[1] = sum[1] / cnt[1];
		r->est = (mean[0] + mean[1]) / 2;
		for (size_t i = 0; i < m; i++)
			ss += (med[i] - mean[sw[i]]) * (med[i] - mean[sw[i]]);
		r->df = (double)(m - 2);
		r->se = sqrt(ss / r->df * (1.0 / cnt[0] + 1.0 / cnt[1]) / 4);
	}
	crit = flb_t_quantile(1 - alpha / 2, r->df);
	r->lo = r->est - crit * r->se;
	r->hi = r->est + crit * r->se;
	r->mde = flb_t_mde(r->se, r->df, alpha, power);
	if (r->se > 0) {
		r->t = r->est / r->se;
		r->p = flb_t_p(r->t, r->df);
	} else {
		/* rounds that all agree: no variance to test against */
		r->t = r->est ? copysign(INFINITY, r->est) : 0;
		r->p = r->est ? 0 : 1;
	}
	ret = 0;
out:
	free(p);
	free(med);
	free(sw);
	return ret;
}
