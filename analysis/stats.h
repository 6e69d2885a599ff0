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
 * A change NEW/BASE with a confidence interval, lo <= est <= hi (ends
 * can be infinite: see fb_hl_ratio).
 * achieved: the coverage the interval really has (HL intervals are
 * discrete; tiny samples cannot reach the level asked for).
 * shift: est, lo and hi are 1 + d / (BASE median) for a shift d of the
 * raw values (rows with zeros): they can be 0 or below, so they are read
 * linearly (fb_improvement), never inverted.
 */
struct fb_ratio {
	double est, lo, hi;
	double achieved;
	bool shift;
};

/*
 * Hodges-Lehmann shift of log(y) against log(x), as a ratio y/x, with its
 * distribution-free interval (order statistics of the pairwise
 * differences, cut-off from the U distribution of the Mann-Whitney test
 * of the same values: exact for small samples without ties). When no
 * shift can be rejected at that level (3 values against 3), the interval
 * is unbounded: [0, inf] (shifts: [-inf, inf]), achieved 1.
 * All values must be > 0. conf: e.g. 0.95.
 */
int fb_hl_ratio(const double *x, size_t nx, const double *y, size_t ny,
		double conf, struct fb_ratio *r);
/*
 * Hodges-Lehmann shift of y against x on the raw scale, with the same
 * interval: est, lo, hi are differences y - x (not ratios).
 */
int fb_hl_shift(const double *x, size_t nx, const double *y, size_t ny,
		double conf, struct fb_ratio *r);
/*
 * Percentile bootstrap of median(y) / median(x): nboot resamples of each
 * side with GSL's MT19937 seeded with seed (same seed, same interval).
 * Where the medians' discreteness leaves est outside the percentile
 * interval, the interval is extended to it.
 */
int fb_bootstrap_ratio(const double *x, size_t nx, const double *y,
		       size_t ny, double conf, unsigned int nboot,
		       unsigned long seed, struct fb_ratio *r);

/*
 * The change of a row, y (NEW) against x (BASE), as compare estimates it:
 * - every value > 0: a ratio y/x, Hodges-Lehmann on logs (or with
 *   bootstrap set, the bootstrapped ratio of medians);
 * - some value 0 (counts per op): the shift of the raw values,
 *   Hodges-Lehmann (or the bootstrapped difference of medians), divided by
 *   the BASE median: r->shift is set;
 * - every value 0 on both sides: no change, 1 [1, 1] (shift).
 * More than FB_HL_MAX_PAIRS pairs falls back to the bootstrap.
 * The Hodges-Lehmann interval is the set of shifts Mann-Whitney (as
 * fb_mann_whitney computes it, its variance times deff) does not reject:
 * when it excludes no change, p <= 1 - conf. A bootstrap interval is
 * widened by sqrt(deff) instead (not past the most extreme pairwise
 * change of the data) and is not tied to p.
 * -EDOM when the BASE median is 0 and not every value is (no scale for a
 * relative change); -EINVAL for negative values or no values.
 */
struct fb_change_opts {
	double conf;		/* e.g. 0.95 */
	bool bootstrap;		/* bootstrap instead of Hodges-Lehmann */
	unsigned int nboot;
	unsigned long seed;
	double deff;		/* design effect of runs; <= 1: none */
};
int fb_change(const double *x, size_t nx, const double *y, size_t ny,
	      const struct fb_change_opts *o, struct fb_ratio *r);
/*
 * The improvement (> 0: better, 0.05 = 5%) that the value v (r->est,
 * r->lo or r->hi) of r stands for. Ratios: the change of the value, or of
 * its reciprocal when lower is better (100 -> 90 ns/op is +11.1%, what
 * ops/s shows). Shifts: the change as a fraction of the BASE median,
 * negated when lower is better (a reciprocal does not exist for a ratio
 * <= 0, nor is it monotonic across 0).
 */
double fb_improvement(const struct fb_ratio *r, bool higher_is_better,
		      double v);
/* The interval of the improvement, lo <= fb_improvement(r, .., r->est) <= hi. */
void fb_improvement_ci(const struct fb_ratio *r, bool higher_is_better,
		       double *lo, double *hi);

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
