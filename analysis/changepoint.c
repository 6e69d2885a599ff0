// SPDX-License-Identifier: GPL-2.0
/*
 * Change-points in the mean of a series by PELT (Killick, Fearnhead &
 * Eckley 2012): the segmentation minimising the sum of the segments'
 * costs plus a penalty per change, found exactly in O(n) to O(n^2) by
 * dynamic programming, with the start points that can no longer be
 * optimal pruned. The cost of a segment is the Gaussian mean-shift
 * cost with known variances: sum w_i (x_i - m)^2, w_i = 1 / var_i, m the
 * weighted mean (twice the negative log-likelihood, up to a constant).
 * tests/unit/test_changepoint.c measures its false alarms and detection.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

#include "changepoint.h"
#include "stats.h"

double flb_cpt_penalty(size_t n, double alpha, double df)
{
	double q;

	if (n < 2 || !(alpha > 0 && alpha < 1) || !(df > 0))
		return INFINITY;
	q = alpha / (double)(n - 1);
	return isinf(df) ? gsl_cdf_chisq_Qinv(q, 1) : gsl_cdf_fdist_Qinv(q, 1, df);
}

double flb_cpt_series_df(size_t n)
{
	return n > 1 ? 0.37 * (double)(n - 1) : 0;
}

double flb_cpt_series_var(const double *x, size_t n)
{
	double *d, s = 0, v;

	if (n < 2)
		return 0;
	d = malloc((n - 1) * sizeof(*d));
	if (!d)
		return NAN;
	for (size_t i = 0; i + 1 < n; i++) {
		d[i] = fabs(x[i + 1] - x[i]);
		s += d[i] * d[i];
	}
	v = 1.4826 * flb_median(d, n - 1);
	v = v * v / 2;
	free(d);
	return v > 0 ? v : s / (double)(n - 1) / 2;
}

/* Prefix sums of w, w x and w x^2 (x centred): a segment's cost in O(1). */
struct cpt_sums {
	double *w, *wx, *wxx;
};

static double seg_cost(const struct cpt_sums *s, size_t a, size_t b)
{
	double w = s->w[b] - s->w[a], wx = s->wx[b] - s->wx[a];
	double c = s->wxx[b] - s->wxx[a] - wx * wx / w;

	return c > 0 ? c : 0;	/* rounding below 0 */
}

static int sums_fill(struct cpt_sums *s, const double *x, const double *var,
		     size_t n, double v0)
{
	double mean = 0;

	s->w = calloc(3 * (n + 1), sizeof(double));
	if (!s->w)
		return -ENOMEM;
	s->wx = s->w + n + 1;
	s->wxx = s->wx + n + 1;
	for (size_t i = 0; i < n; i++)
		mean += x[i] / (double)n;
	for (size_t i = 0; i < n; i++) {
		double v = var ? var[i] : v0, w = 1 / v, y = x[i] - mean;

		if (!(v > 0) || !isfinite(v) || !isfinite(x[i])) {
			free(s->w);
			return -EINVAL;
		}
		s->w[i + 1] = s->w[i] + w;
		s->wx[i + 1] = s->wx[i] + w * y;
		s->wxx[i + 1] = s->wxx[i] + w * y * y;
	}
	return 0;
}

/*
 * PELT: f[t] the least penalised cost of x[0..t-1], last[t] where its
 * last segment starts; cand the start points still possible.
 */
static int pelt(const struct cpt_sums *s, size_t n, double beta,
		size_t *last)
{
	double *f = malloc((n + 1) * sizeof(*f));
	size_t *cand = malloc((n + 1) * sizeof(*cand)), nc = 1;

	if (!f || !cand) {
		free(f);
		free(cand);
		return -ENOMEM;
	}
	f[0] = -beta;
	cand[0] = 0;
	for (size_t t = 1; t <= n; t++) {
		size_t k = 0;

		f[t] = INFINITY;
		for (size_t i = 0; i < nc; i++) {
			double v = f[cand[i]] + seg_cost(s, cand[i], t) + beta;

			if (v < f[t]) {
				f[t] = v;
				last[t] = cand[i];
			}
		}
		for (size_t i = 0; i < nc; i++)
			if (f[cand[i]] + seg_cost(s, cand[i], t) <= f[t])
				cand[k++] = cand[i];
		cand[k++] = t;
		nc = k;
	}
	free(f);
	free(cand);
	return 0;
}

int flb_changepoints(const double *x, const double *var, size_t n,
		     double penalty, size_t *at, size_t *nat)
{
	struct cpt_sums s;
	size_t *last, k = 0;
	double v0 = 0;
	int rc;

	*nat = 0;
	if (!(penalty >= 0) || n < 2)
		return n < 2 && penalty >= 0 ? 0 : -EINVAL;
	if (!var) {
		v0 = flb_cpt_series_var(x, n);
		if (isnan(v0))
			return -ENOMEM;
		if (v0 == 0)
			return 0;	/* constant: nothing shifts */
	}
	rc = sums_fill(&s, x, var, n, v0);
	if (rc)
		return rc;
	last = calloc(n + 1, sizeof(*last));
	rc = last ? pelt(&s, n, penalty, last) : -ENOMEM;
	for (size_t t = n; !rc && last[t] > 0; t = last[t])
		at[k++] = last[t];
	for (size_t i = 0; i < k / 2; i++) {	/* ascending */
		size_t tmp = at[i];

		at[i] = at[k - 1 - i];
		at[k - 1 - i] = tmp;
	}
	*nat = rc ? 0 : k;
	free(last);
	free(s.w);
	return rc;
}
