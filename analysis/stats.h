/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics for A/B comparisons of benchmark samples: pure functions, no
 * I/O. Distribution functions come from GSL. See docs/analysis.md for why
 * these tests (Mann-Whitney, Hodges-Lehmann, Holm) and how to read them.
 *
 * Functions that can fail return 0 or -errno (-EINVAL: too few or bad
 * values, -ENOMEM, -E2BIG: too many pairs for Hodges-Lehmann).
 */
#ifndef FB_STATS_H
#define FB_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exact Mann-Whitney null distribution up to this many values per side. */
#define FB_MW_EXACT_MAX 20
/* Hodges-Lehmann sorts all n1 * n2 pairwise differences: at most this many. */
#define FB_HL_MAX_PAIRS (4u << 20)

struct fb_summary {
	size_t n;
	double min, q1, median, q3, max;
	double mean, sd;
	double cv;		/* sd / mean; NAN when n < 2 or mean == 0 */
};

/* Median of x (not modified); NAN when n == 0 or out of memory. */
double fb_median(const double *x, size_t n);
/* Coefficient of variation (sample sd / mean); NAN when undefined. */
double fb_cv(const double *x, size_t n);
/* Five-number summary, mean, sd and CV of x. */
int fb_summarize(const double *x, size_t n, struct fb_summary *s);

struct fb_mw {
	double u;	/* U of x: #(x_i > y_j) + #(x_i == y_j) / 2 */
	double z;	/* normal score (also when p is exact) */
	double p;	/* two-sided p-value */
	bool exact;	/* p from the exact null distribution */
};

/*
 * Mann-Whitney U test of x against y, two-sided. Exact p when there are no
 * ties and both sides have at most FB_MW_EXACT_MAX values; otherwise the
 * normal approximation with tie and continuity correction.
 */
int fb_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
		    struct fb_mw *r);
/*
 * The exact null distribution of U for sizes n1, n2: counts[u] for u in
 * 0..n1*n2 is the number of the C(n1+n2, n1) orderings with that U
 * (exact in a double for n1, n2 <= FB_MW_EXACT_MAX).
 */
int fb_mw_null_counts(unsigned int n1, unsigned int n2, double *counts);

/*
 * A ratio NEW/BASE with a confidence interval: est in [lo, hi] (except
 * for the bootstrap, whose percentile interval may not contain est).
 * achieved: the coverage the interval really has (HL intervals are
 * discrete; tiny samples cannot reach the level asked for).
 */
struct fb_ratio {
	double est, lo, hi;
	double achieved;
};

/*
 * Hodges-Lehmann shift of log(y) against log(x), as a ratio y/x, with its
 * distribution-free interval (order statistics of the pairwise
 * differences, cut-off from the exact U distribution for small samples).
 * All values must be > 0. conf: e.g. 0.95.
 */
int fb_hl_ratio(const double *x, size_t nx, const double *y, size_t ny,
		double conf, struct fb_ratio *r);
/*
 * Hodges-Lehmann shift of y against x on the raw scale, with the same
 * interval: for rows whose values can be 0 (counts per op).
 */
int fb_hl_shift(const double *x, size_t nx, const double *y, size_t ny,
		double conf, struct fb_ratio *r);
/*
 * Percentile bootstrap of median(y) / median(x): nboot resamples of each
 * side with GSL's MT19937 seeded with seed (same seed, same interval).
 */
int fb_bootstrap_ratio(const double *x, size_t nx, const double *y,
		       size_t ny, double conf, unsigned int nboot,
		       unsigned long seed, struct fb_ratio *r);

/*
 * Holm-Bonferroni: adj[i] is p[i] adjusted for the n tests (reject test i
 * at family-wise level alpha when adj[i] <= alpha). adj may alias p.
 */
int fb_holm(const double *p, size_t n, double *adj);

/*
 * Intra-class correlation of values in groups (runs): the share of the
 * variance that lies between groups, by the one-way random-effects ANOVA
 * estimator for unequal group sizes, clipped at 0. Several independent
 * sets (BASE and NEW: their means differ) are added one by one, each with
 * its own mean. fb_icc is NAN without a degree of freedom between groups
 * (every set a single group) or within them.
 */
struct fb_icc {
	double ssb, ssw;	/* sums of squares between and within groups */
	double n, groups, dfb;
	double n2_over_n;	/* sum over sets of sum(n_i^2) / n_set */
};
int fb_icc_add(struct fb_icc *a, const double *x, const int64_t *group,
	       size_t n);
double fb_icc(const struct fb_icc *a);

/*
 * Minimum detectable relative effect of a two-sided rank test between two
 * sides of n values each with coefficient of variation cv, at level alpha
 * and the given power (normal approximation, Mann-Whitney's asymptotic
 * efficiency 3/pi relative to the t test). 0.05 = 5%. NAN if n < 2.
 */
double fb_mde(double n, double cv, double alpha, double power);

#endif
