/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Planning (Kalibera & Jones 2013): from a row's variance components, the
 * runs x samples per side that a comparison needs to detect a change of
 * a given size, and what a time budget can detect. Used by plan,
 * calibrate --target and ci (rows it cannot decide).
 */
#ifndef FLB_PLAN_H
#define FLB_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cliopt.h"

/*
 * One row's variance components, on the log scale. A design is R runs per
 * side, each its own invocation (`flushbench run --repeat 1`, the two
 * sides alternating): the variance between invocations is what a run
 * carries the most of on a shared host, and only more invocations lower
 * it.
 */
struct flb_plan_row {
	double inv;		/* between invocations */
	double between;		/* between runs, beyond the within-run part */
	double within;		/* of one sample's log value; NAN: unknown */
	double sample_s;	/* seconds a sample takes */
	double extra_df;	/* prior degrees of freedom a compare adds */
};

/* What a design gives. */
struct flb_plan {
	unsigned int runs, samples;	/* per side */
	double mde;		/* fraction (0.02 = 2%); NAN: none reachable */
	double seconds;		/* both sides, this row's job alone */
};

struct flb_plan_opts {
	double alpha;		/* per row: the family-wise alpha / rows */
	double power;
	unsigned int warmup;	/* samples run but not kept, per job run */
};

/* The variance of one run's statistic (its own invocation) at m samples. */
double flb_plan_run_var(const struct flb_plan_row *r, double m);
/* Seconds one job run takes at m samples (warm-up and start included). */
double flb_plan_run_seconds(const struct flb_plan_row *r,
			   const struct flb_plan_opts *o, unsigned int m);
/* The MDE (fraction) of R runs x m samples per side. */
double flb_plan_mde(const struct flb_plan_row *r, const struct flb_plan_opts *o,
		   unsigned int runs, unsigned int m);
/*
 * The cheapest design (fewest seconds) whose MDE is at most target
 * (fraction); false when none of up to FLB_PLAN_MAX_RUNS runs reaches it.
 */
#define FLB_PLAN_MAX_RUNS 500
bool flb_plan_cheapest(const struct flb_plan_row *r,
		      const struct flb_plan_opts *o, double target,
		      struct flb_plan *out);
/* The sample counts a plan tries (ascending, 0-terminated). */
extern const unsigned int flb_plan_samples[];

struct flb_cmp;
/* What --target, --budget and --warmup give (flb_plan_cliopts). */
struct flb_plan_args {
	double target, budget;	/* fraction; seconds (0: none) */
	uint64_t warmup;
};
/* Those options, a table over a struct flb_plan_args (lib/cliopt.h). */
extern const struct flb_cliopt flb_plan_cliopts[];
/* The plan of c's calibration (loaded, analysed) on f. 0 or 2. */
int flb_plan_print(struct flb_cmp *c, double target, double budget,
		  unsigned int warmup, FILE *f);

#endif
