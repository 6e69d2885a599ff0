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
 * differences, from the null distribution of U that fb_mann_whitney uses
 * for the same values, so that the interval is the set of shifts the
 * test does not reject: exact (the largest k with P(U <= k - 1) <=
 * (1 - conf) / 2) without ties up to FB_MW_EXACT_MAX a side, otherwise
 * the normal approximation with the continuity correction (its variance
 * without the tie correction: ties only make the test more significant,
 * so an interval that excludes a shift implies p <= 1 - conf). deff > 1
 * multiplies the variance of U (the design effect of runs): the normal
 * cut-off is used too, and the smaller k kept. Also the coverage
 * actually achieved. k = 0 when the test cannot reject any shift at this
 * level (3 values against 3: p >= 0.1): the interval is unbounded.
 */
static int hl_cutoff(size_t nx, size_t ny, double conf, bool ties,
		     double deff, size_t *k, double *achieved)
{
	size_t m = nx * ny;
	double half = (1 - conf) / 2;
	double sigma = sqrt((double)m * (nx + ny + 1) / 12 * fmax(deff, 1));
	double z = gsl_cdf_ugaussian_Qinv(half);
	double kk = floor((double)m / 2 - z * sigma + 0.5);
	size_t kn = kk < 1 ? 0 : (size_t)kk;

	*k = kn;
	*achieved = 1 - 2 * gsl_cdf_ugaussian_P(((double)kn - 0.5 -
						 (double)m / 2) / sigma);
	if (!ties && nx <= FB_MW_EXACT_MAX && ny <= FB_MW_EXACT_MAX) {
		double *cdf = mw_null_cdf(nx, ny);
		size_t ke;

		if (!cdf)
			return -ENOMEM;
		/* ke - 1 is the largest u with P(U <= u) <= half */
		for (ke = 0; ke <= m && cdf[ke] <= half + 1e-12; ke++)
			;
		if (!(deff > 1) || ke <= kn) {
			*k = ke;
			if (ke && !(deff > 1))
				*achieved = 1 - 2 * cdf[ke - 1];
		}
		free(cdf);
	}
	if (!*k)
		*achieved = 1;
	return 0;
}

static int hl(const double *x, size_t nx, const double *y, size_t ny,
	      double conf, double deff, bool logscale, struct fb_ratio *r)
{
	size_t m = nx * ny, k, i, j;
	double *d, achieved;
	bool ties;
	int err;

	memset(r, 0, sizeof(*r));
	if (!nx || !ny || !(conf > 0 && conf < 1))
		return -EINVAL;
	if (m > FB_HL_MAX_PAIRS)
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
	err = hl_cutoff(nx, ny, conf, ties, deff, &k, &achieved);
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

int fb_hl_ratio(const double *x, size_t nx, const double *y, size_t ny,
		double conf, struct fb_ratio *r)
{
	return hl(x, nx, y, ny, conf, 1, true, r);
}

int fb_hl_shift(const double *x, size_t nx, const double *y, size_t ny,
		double conf, struct fb_ratio *r)
{
	return hl(x, nx, y, ny, conf, 1, false, r);
}

static double resample_median(const gsl_rng *rng, const double *x, size_t n,
			      double *buf)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = x[gsl_rng_uniform_int(rng, n)];
	gsl_sort(buf, 1, n);
	return gsl_stats_median_from_sorted_data(buf, 1, n);
}

/*
 * Percentile bootstrap of median(y) / median(x), or with shift of
 * (median(y) - median(x)) / median(x) + 1 over the fixed BASE median.
 */
static int bootstrap(const double *x, size_t nx, const double *y, size_t ny,
		     double conf, unsigned int nboot, unsigned long seed,
		     bool shift, struct fb_ratio *r)
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

		if (shift)
			ratios[b] = 1 + (by - bx) / mx;
		else
			ratios[b] = bx > 0 ? by / bx : INFINITY;
	}
	gsl_sort(ratios, 1, nboot);
	r->est = my / mx;
	r->lo = gsl_stats_quantile_from_sorted_data(ratios, 1, nboot,
						    (1 - conf) / 2);
	r->hi = gsl_stats_quantile_from_sorted_data(ratios, 1, nboot,
						    (1 + conf) / 2);
	/*
	 * The medians of resamples take few values: the percentile interval
	 * can miss the observed estimate. Extend it (conservative).
	 */
	r->lo = fmin(r->lo, r->est);
	r->hi = fmax(r->hi, r->est);
	r->achieved = conf;
	r->shift = shift;
	err = 0;
out:
	if (rng)
		gsl_rng_free(rng);
	free(ratios);
	free(buf);
	return err;
}

int fb_bootstrap_ratio(const double *x, size_t nx, const double *y,
		       size_t ny, double conf, unsigned int nboot,
		       unsigned long seed, struct fb_ratio *r)
{
	return bootstrap(x, nx, y, ny, conf, nboot, seed, false, r);
}

static bool all_positive(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(x[i] > 0))
			return false;
	return true;
}

static bool all_zero(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (x[i] != 0)
			return false;
	return true;
}

static bool any_negative(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(x[i] >= 0))
			return true;
	return false;
}

/*
 * The run correction of a bootstrap interval: widened by sqrt(deff)
 * around the estimate (on the log scale for ratios, all > 0 here; the
 * raw scale for shifts), but never past the most extreme pairwise change
 * the data hold (ratios y/x; shifts y - x over the BASE median mx), as
 * Hodges-Lehmann intervals never are: a count cannot fall below 0.
 */
static void boot_widen(struct fb_ratio *r, const double *x, size_t nx,
		       const double *y, size_t ny, double deff, double mx)
{
	double x0 = gsl_stats_min(x, 1, nx), x1 = gsl_stats_max(x, 1, nx);
	double y0 = gsl_stats_min(y, 1, ny), y1 = gsl_stats_max(y, 1, ny);
	double f = sqrt(deff), lo, hi;

	if (r->shift) {
		r->lo = r->est - (r->est - r->lo) * f;
		r->hi = r->est + (r->hi - r->est) * f;
		lo = 1 + (y0 - x1) / mx;
		hi = 1 + (y1 - x0) / mx;
	} else {
		r->lo = r->est * pow(r->lo / r->est, f);
		r->hi = r->est * pow(r->hi / r->est, f);
		lo = y0 / x1;
		hi = y1 / x0;
	}
	r->lo = fmin(fmax(r->lo, lo), r->est);
	r->hi = fmax(fmin(r->hi, hi), r->est);
}

int fb_change(const double *x, size_t nx, const double *y, size_t ny,
	      const struct fb_change_opts *o, struct fb_ratio *r)
{
	bool pos = all_positive(x, nx) && all_positive(y, ny);
	double mx, deff = o->deff > 1 ? o->deff : 1;
	int err = -E2BIG;

	memset(r, 0, sizeof(*r));
	if (!nx || !ny || any_negative(x, nx) || any_negative(y, ny))
		return -EINVAL;
	if (all_zero(x, nx) && all_zero(y, ny)) {
		/* a count that is 0 on both sides did not change */
		*r = (struct fb_ratio){ 1, 1, 1, 1, true };
		return 0;
	}
	if (pos) {
		if (!o->bootstrap)
			err = hl(x, nx, y, ny, o->conf, deff, true, r);
		if (err == -E2BIG) {
			err = bootstrap(x, nx, y, ny, o->conf, o->nboot,
					o->seed, false, r);
			if (!err)
				boot_widen(r, x, nx, y, ny, deff, 1);
		}
		return err;
	}
	/*
	 * Counts per op can be 0: logs and ratios of medians do not exist,
	 * a shift of the raw values does. It is read as a fraction of the
	 * BASE median, so BASE must have one.
	 */
	mx = fb_median(x, nx);
	if (isnan(mx))
		return -ENOMEM;
	if (!(mx > 0))
		return -EDOM;
	if (!o->bootstrap)
		err = hl(x, nx, y, ny, o->conf, deff, false, r);
	if (err == -E2BIG) {
		err = bootstrap(x, nx, y, ny, o->conf, o->nboot, o->seed,
				true, r);
		if (!err)
			boot_widen(r, x, nx, y, ny, deff, mx);
		return err;
	}
	if (err)
		return err;
	r->est = 1 + r->est / mx;
	r->lo = 1 + r->lo / mx;
	r->hi = 1 + r->hi / mx;
	r->shift = true;
	return 0;
}

double fb_improvement(const struct fb_ratio *r, bool higher_is_better,
		      double v)
{
	if (r->shift)
		return higher_is_better ? v - 1 : 1 - v;
	return (higher_is_better ? v : 1 / v) - 1;
}

void fb_improvement_ci(const struct fb_ratio *r, bool higher_is_better,
		       double *lo, double *hi)
{
	/* both maps are monotonic: increasing, or decreasing (swap) */
	double a = fb_improvement(r, higher_is_better, r->lo);
	double b = fb_improvement(r, higher_is_better, r->hi);

	*lo = fmin(a, b);
	*hi = fmax(a, b);
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
