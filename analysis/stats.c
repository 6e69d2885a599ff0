// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics for A/B comparisons (see stats.h and docs/analysis.md).
 * Rank tests and rank-based intervals, because benchmark samples are
 * skewed and carry outliers (a sample hit by an interrupt storm); GSL
 * supplies the normal distribution, sorting, quantiles and the RNG.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
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

double fb_median(const double *x, size_t n)
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

double fb_cv(const double *x, size_t n)
{
	double mean;

	if (n < 2)
		return NAN;
	mean = gsl_stats_mean(x, 1, n);
	if (mean == 0)
		return NAN;
	return gsl_stats_sd_m(x, 1, n, mean) / fabs(mean);
}

int fb_summarize(const double *x, size_t n, struct fb_summary *s)
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
	s->cv = fb_cv(v, n);
	free(v);
	return 0;
}

int fb_mw_null_counts(unsigned int n1, unsigned int n2, double *counts)
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
	if (fb_mw_null_counts(n1, n2, c)) {
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

int fb_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
		    struct fb_mw *r)
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
	if (!ties && nx <= FB_MW_EXACT_MAX && ny <= FB_MW_EXACT_MAX) {
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

/*
 * The rank k (1-based) of the lower interval end among the m pairwise
 * differences: the largest k with P(U <= k - 1) <= (1 - conf) / 2.
 * Also the coverage actually achieved. k >= 1 always.
 */
static int hl_cutoff(size_t nx, size_t ny, double conf, size_t *k,
		     double *achieved)
{
	size_t m = nx * ny;
	double half = (1 - conf) / 2;

	if (nx <= FB_MW_EXACT_MAX && ny <= FB_MW_EXACT_MAX) {
		double *cdf = mw_null_cdf(nx, ny);

		if (!cdf)
			return -ENOMEM;
		/* k - 1 is the largest u with P(U <= u) <= half */
		for (*k = 0; *k <= m && cdf[*k] <= half + 1e-12; (*k)++)
			;
		if (!*k)
			*k = 1;
		*achieved = 1 - 2 * cdf[*k - 1];
		free(cdf);
	} else {
		double sigma = sqrt((double)m * (nx + ny + 1) / 12);
		double z = gsl_cdf_ugaussian_Qinv(half);
		double kk = floor((double)m / 2 - z * sigma + 0.5);

		*k = kk < 1 ? 1 : (size_t)kk;
		*achieved = 1 - 2 * gsl_cdf_ugaussian_P(((double)*k - 0.5 -
						   (double)m / 2) / sigma);
	}
	return 0;
}

static int hl(const double *x, size_t nx, const double *y, size_t ny,
	      double conf, bool logscale, struct fb_ratio *r)
{
	size_t m = nx * ny, k, i, j;
	double *d, achieved;
	int err;

	memset(r, 0, sizeof(*r));
	if (!nx || !ny || !(conf > 0 && conf < 1))
		return -EINVAL;
	if (m > FB_HL_MAX_PAIRS)
		return -E2BIG;
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
	err = hl_cutoff(nx, ny, conf, &k, &achieved);
	if (err) {
		free(d);
		return err;
	}
	if (k > (m + 1) / 2)
		k = (m + 1) / 2;
	r->est = gsl_stats_median_from_sorted_data(d, 1, m);
	r->lo = d[k - 1];
	r->hi = d[m - k];
	r->achieved = achieved;
	free(d);
	if (logscale) {
		r->est = exp(r->est);
		r->lo = exp(r->lo);
		r->hi = exp(r->hi);
	}
	return 0;
}

int fb_hl_ratio(const double *x, size_t nx, const double *y, size_t ny,
		double conf, struct fb_ratio *r)
{
	return hl(x, nx, y, ny, conf, true, r);
}

int fb_hl_shift(const double *x, size_t nx, const double *y, size_t ny,
		double conf, struct fb_ratio *r)
{
	return hl(x, nx, y, ny, conf, false, r);
}

static double resample_median(const gsl_rng *rng, const double *x, size_t n,
			      double *buf)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = x[gsl_rng_uniform_int(rng, n)];
	gsl_sort(buf, 1, n);
	return gsl_stats_median_from_sorted_data(buf, 1, n);
}

int fb_bootstrap_ratio(const double *x, size_t nx, const double *y,
		       size_t ny, double conf, unsigned int nboot,
		       unsigned long seed, struct fb_ratio *r)
{
	double *buf, *ratios, mx, my;
	gsl_rng *rng;
	int err = -ENOMEM;

	memset(r, 0, sizeof(*r));
	if (!nx || !ny || nboot < 10 || !(conf > 0 && conf < 1))
		return -EINVAL;
	mx = fb_median(x, nx);
	my = fb_median(y, ny);
	if (!(mx > 0) || !(my >= 0))
		return -EINVAL;
	buf = malloc((nx > ny ? nx : ny) * sizeof(*buf));
	ratios = malloc(nboot * sizeof(*ratios));
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!buf || !ratios || !rng)
		goto out;
	gsl_rng_set(rng, seed);
	for (unsigned int b = 0; b < nboot; b++) {
		double bx = resample_median(rng, x, nx, buf);
		double by = resample_median(rng, y, ny, buf);

		ratios[b] = bx > 0 ? by / bx : INFINITY;
	}
	gsl_sort(ratios, 1, nboot);
	r->est = my / mx;
	r->lo = gsl_stats_quantile_from_sorted_data(ratios, 1, nboot,
						    (1 - conf) / 2);
	r->hi = gsl_stats_quantile_from_sorted_data(ratios, 1, nboot,
						    (1 + conf) / 2);
	r->achieved = conf;
	err = 0;
out:
	if (rng)
		gsl_rng_free(rng);
	free(ratios);
	free(buf);
	return err;
}

int fb_holm(const double *p, size_t n, double *adj)
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

int fb_icc_add(struct fb_icc *a, const double *x, const int64_t *group,
	       size_t n)
{
	int64_t *ids;
	double *sum, *cnt, mean = 0;
	size_t k = 0;

	if (!n)
		return 0;
	ids = malloc(n * sizeof(*ids));
	sum = calloc(n, sizeof(*sum));
	cnt = calloc(n, sizeof(*cnt));
	if (!ids || !sum || !cnt) {
		free(ids);
		free(sum);
		free(cnt);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		size_t g;

		for (g = 0; g < k && ids[g] != group[i]; g++)
			;
		if (g == k)
			ids[k++] = group[i];
		sum[g] += x[i];
		cnt[g]++;
		mean += x[i];
	}
	mean /= n;
	for (size_t i = 0; i < n; i++) {
		size_t g;
		double d;

		for (g = 0; ids[g] != group[i]; g++)
			;
		d = x[i] - sum[g] / cnt[g];
		a->ssw += d * d;
	}
	for (size_t g = 0; g < k; g++) {
		double d = sum[g] / cnt[g] - mean;

		a->ssb += cnt[g] * d * d;
		a->n2_over_n += cnt[g] * cnt[g] / n;
	}
	a->n += n;
	a->groups += k;
	a->dfb += k - 1;
	free(ids);
	free(sum);
	free(cnt);
	return 0;
}

double fb_icc(const struct fb_icc *a)
{
	double dfw = a->n - a->groups, msb, msw, n0, sb;

	if (a->dfb < 1 || dfw < 1)
		return NAN;
	msb = a->ssb / a->dfb;
	msw = a->ssw / dfw;
	/* the average group size, corrected for unequal sizes */
	n0 = (a->n - a->n2_over_n) / a->dfb;
	sb = (msb - msw) / n0;
	if (sb <= 0)
		return 0;
	return sb / (sb + msw);
}

double fb_mde(double n, double cv, double alpha, double power)
{
	double z;

	if (n < 2 || !(cv >= 0) || !(alpha > 0 && alpha < 1) ||
	    !(power > 0 && power < 1))
		return NAN;
	z = gsl_cdf_ugaussian_Qinv(alpha / 2) + gsl_cdf_ugaussian_Pinv(power);
	return z * cv * sqrt(2 / n) / sqrt(3 / M_PI);
}
