/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Change-points in the mean of a short series (plot --trend): PELT
 * (Killick, Fearnhead & Eckley, JASA 2012) with the Gaussian mean-shift
 * cost, each point weighted by the inverse of its variance, and a penalty
 * per change that a flat series exceeds with probability alpha at most.
 */
#ifndef FLB_CHANGEPOINT_H
#define FLB_CHANGEPOINT_H

#include <stddef.h>

/*
 * The penalty per change for n points at false-alarm level alpha: the
 * chi-square(1) quantile at 1 - alpha / (n - 1). With known variances a
 * change at one given place lowers the cost of a flat series by a
 * chi-square(1) draw, so Bonferroni over the n - 1 places bounds the
 * chance of a false change by alpha. Close to the modified BIC's 3 log n
 * (Zhang & Siegmund 2007) for n of 10-30; stricter for fewer points.
 * With the variance estimated on df degrees of freedom (finite df), the
 * F(1, df) quantile instead: the reduction is then a squared t.
 */
double flb_cpt_penalty(size_t n, double alpha, double df);
/*
 * The degrees of freedom flb_cpt_series_var has on n points: the n - 1
 * differences at the 37% efficiency of the MAD at the normal.
 */
double flb_cpt_series_df(size_t n);

/*
 * The variance of one point of x estimated from the series itself,
 * robust to a few shifts: (1.4826 x the median |x[i+1] - x[i]|)^2 / 2;
 * the mean square difference / 2 when that median is 0. 0 when x is
 * constant.
 */
double flb_cpt_series_var(const double *x, size_t n);

/*
 * The change-points of x[0..n-1]: at[0..*nat-1], ascending, each the
 * index of the first point of a new segment (so 0 < at[i] < n); at has
 * room for n - 1. var[i] is the variance of x[i] (finite, > 0); var NULL:
 * flb_cpt_series_var for every point (no change when it is 0). penalty:
 * flb_cpt_penalty(n, alpha, INFINITY), or with var NULL
 * flb_cpt_penalty(n, alpha, flb_cpt_series_df(n)).
 * 0, -EINVAL (a bad var or penalty) or -ENOMEM.
 */
int flb_changepoints(const double *x, const double *var, size_t n,
		     double penalty, size_t *at, size_t *nat);

#endif
