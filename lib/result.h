/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a result is, for every layer: a sample's status, which direction
 * of a metric is better, a named metric, and a command's exit status.
 * The runner produces these, the store keeps them, analysis reads them:
 * none of them needs the runner's struct flb_job to do so.
 */
#ifndef FLB_RESULT_H
#define FLB_RESULT_H

#include <stddef.h>

/* exit statuses shared by every command */
#define FLB_EXIT_OK	0
#define FLB_EXIT_FAIL	1	/* the run or the gate found a problem */
#define FLB_EXIT_USAGE	2	/* bad input: usage, config, data */
#define FLB_EXIT_INCONCLUSIVE 3	/* ci: the design cannot detect the regression */

enum flb_status {
	FLB_OK = 0,		/* measured */
	FLB_SKIP,		/* cannot run here; reason says why */
	FLB_FAIL,		/* ran and got a wrong result, or an error */
	FLB_UNTRUSTWORTHY,	/* measured, but something disturbed it */
};

enum flb_better { FLB_LOWER_IS_BETTER, FLB_HIGHER_IS_BETTER };

/* An extra metric of a sample (latency percentiles, GB/s ...). */
#define FLB_MAX_METRICS 32
struct flb_metric {
	char name[48];
	char unit[16];
	double value;
	enum flb_better better;
};

/*
 * What analysis knows of the workloads. The runner's registry provides
 * it (flb_workload_catalog) and the dispatcher hands it to analysis
 * (flb_cmp_set_catalog), so analysis never links a workload.
 */
struct flb_catalog {
	/* the metric a comparison tests for a workload: "ns_per_op" ... */
	const char *(*primary)(const char *workload);
	/* a job's parameters as a result class (see flb_params_class) */
	void (*params_class)(const char *workload, const char *params,
			     char *buf, size_t len);
};

#endif
