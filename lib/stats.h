/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Statistics for A/B comparisons of benchmark samples: pure functions, no
 * I/O. Distribution functions come from GSL. See docs/analysis.md for why
 * these tests and how to read them: compare infers at the level of runs
 * (moderated Welch t on run statistics, Holm); Mann-Whitney and
 * Hodges-Lehmann are for values that are independent draws (within one
 * run, or paired differences).
 *
 * Functions that can fail return 0 or -errno (-EINVAL: too few or bad
 * values, -ENOMEM, -E2BIG: too many pairs for Hodges-Lehmann).
 */
#ifndef FLB_STATS_H
#define FLB_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exact Mann-Whitney null distribution up to this many values per side. */
#define FLB_MW_EXACT_MAX 20
/* Hodges-Lehmann sorts all n1 * n2 pairwise differences: at most this many. */
#define FLB_HL_MAX_PAIRS (4u << 20)

struct flb_summary {
	size_t n;
	double min, q1, median, q3, max;
	double mean, sd;
	double cv;		/* sd / mean; NAN when n < 2 or mean == 0 */
};

/* Median of x (not modified); NAN when n == 0 or out of memory. */
double flb_median(const double *x, size_t n);
/* Coefficient of variation (sample sd / mean); NAN when undefined. */
double flb_cv(const double *x, size_t n);
/* Five-number summary, mean, sd and CV of x. */
int flb_summarize(const double *x, size_t n, struct flb_summary *s);

struct flb_mw {
	double u;	/* U of x: #(x_i > y_j) + #(x_i == y_j) / 2 */
	double z;	/* normal score (also when p is exact) */
	double p;	/* two-sided p-value */
	bool exact;	/* p from the exact null distribution */
};

/*
 * Mann-Whitney U test of x against y, two-sided. Exact p when there are no
 * ties and both sides have at most FLB_MW_EXACT_MAX values; otherwise the
 * normal approximation with tie and continuity correction.
 */
int flb_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
		    struct flb_mw *r);
/*
 * The exact null distribution of U for sizes n1, n2: counts[u] for u in
 * 0..n1*n2 is the number of the C(n1+n2, n1) orderings with that U
 * (exact in a double for n1, n2 <= FLB_MW_EXACT_MAX).
 */
int flb_mw_null_counts(unsigned int n1, unsigned int n2, double *counts);

/*
 * A Hodges-Lehmann change with its confidence interval, lo <= est <= hi
 * (ends can be infinite: see flb_hl_ratio). achieved: the coverage the
 * interval really has (HL intervals are discrete; tiny samples cannot
 * reach the level asked for).
 */
struct flb_ratio {
	double est, lo, hi;
	double achieved;
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
int flb_hl_ratio(const double *x, size_t nx, const double *y, size_t ny,
		double conf, struct flb_ratio *r);
/*
 * Hodges-Lehmann shift of y against x on the raw scale, with the same
 * interval: est, lo, hi are differences y - x (not ratios).
 */
int flb_hl_shift(const double *x, size_t nx, const double *y, size_t ny,
		double conf, struct flb_ratio *r);
/*
 * Holm-Bonferroni: adj[i] is p[i] adjusted for the n tests (reject test i
 * at family-wise level alpha when adj[i] <= alpha). adj may alias p.
 */
int flb_holm(const double *p, size_t n, double *adj);

/*
 * --- Run-level inference (compare, calibrate, plan) ---
 * Student t: two-sided p of t with df degrees of freedom, and the lower
 * quantile; df = INFINITY is the normal distribution.
 */
double flb_t_p(double t, double df);
double flb_t_quantile(double p, double df);

/*
 * Empirical-Bayes prior of the variances of many rows (Smyth 2004, the
 * moderated t of limma): s2[i] with df[i] degrees of freedom (rows with
 * s2 <= 0 or df < 1 are left out) are taken as draws of s0^2 times a
 * scaled inverse chi-square with d0 degrees of freedom, fitted by the
 * method of moments on log s2. d0 = 0: no prior (fewer than FLB_EB_MIN
 * usable rows); d0 = INFINITY: the rows vary no more than sampling alone
 * makes them, so they share one variance s0^2.
 */
#define FLB_EB_MIN 6
struct flb_prior {
	double d0, s02;
	size_t n;	/* rows it was fitted on */
};
int flb_eb_prior(const double *s2, const double *df, size_t n,
		struct flb_prior *p);
/*
 * The posterior (moderated) variance of a row: (d0 s0^2 + df s2) /
 * (d0 + df), with d0 + df degrees of freedom in *df_post. A row without
 * its own estimate (df < 1) gets the prior alone; without a prior, the
 * row's own (NAN and 0 degrees of freedom when it has none).
 */
double flb_eb_post(const struct flb_prior *p, double s2, double df,
		  double *df_post);
/*
 * Welch-Satterthwaite: the degrees of freedom of a sum of n independent
 * variance estimates var[i] with df[i] each (INFINITY allowed). NAN when
 * an estimate is missing or the sum is 0.
 */
double flb_satterthwaite(const double *var, const double *df, size_t n);
/*
 * The minimum detectable effect of a two-sided t test at level alpha
 * with the given power, for a standard error se with df degrees of
 * freedom: (t(1 - alpha/2) + t(power)) se.
 */
double flb_t_mde(double se, double df, double alpha, double power);

/*
 * --- Paired A/B over rounds (duet runs and alternation, issue 12) ---
 * Pair i has d[i] = log(B_i / A_i) (its two windows, measured together)
 * and belongs to round round[i]. A round's statistic is the median of its
 * pairs' d; the estimate is the mean of the rounds' statistics, and it is
 * tested against 0 with Student t on rounds - 1 degrees of freedom: the
 * rounds are the independent units (Kalibera & Jones), the windows of a
 * round are not. est, lo, hi and mde are on the log scale (exp(est) - 1
 * is the change of B against A). Needs 2 rounds or more, else -1.
 *
 * swap (NULL: none) gives each pair's CPU assignment (0 or 1, the same
 * for every pair of a round): a duet swaps A and B between its CPU sets
 * every round, so that a CPU's own speed cancels. It is then a factor:
 * est is the mean of the two assignments' means of round statistics, its
 * variance the residual one within assignments, on rounds - 2 degrees
 * of freedom (3 rounds or more, both assignments present, else -1).
 * Left in the residual instead, the alternating CPU effect would make
 * the test conservative and blunt (tests/unit/test_stats.c measures it).
 */
struct flb_paired {
	size_t rounds;		/* rounds with at least one pair */
	size_t pairs;		/* finite pairs used */
	double est;		/* mean over rounds of the round medians */
	double se, df, t, p;	/* the t test of est = 0 */
	double lo, hi;		/* its (1 - alpha) interval */
	double mde;		/* what it finds at level alpha with the power asked */
};
int flb_paired_rounds(const double *d, const unsigned int *round,
		      const unsigned char *swap, size_t n, double alpha,
		      double power, struct flb_paired *r);

#endif
