// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench: the command dispatcher, above everything else. It reaches
 * down into the runner (bench/), the guest orchestration (guest/) and
 * analysis (analysis/); nothing reaches back up into it.
 */
#include <stdio.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/cmp.h"
#include "analysis/mreport.h"
#include "bench/commands.h"
#include "bench/workload.h"
#include "guest/vm.h"
#include "result.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "run", flb_cmd_run, "run a suite into the results store" },
	{ "list", flb_cmd_list, "list workloads, their parameters and defaults" },
	{ "env", flb_cmd_env, "print the environment a run would record" },
	{ "runs", flb_cmd_runs, "list the runs in a results store" },
	{ "compare", flb_cmd_compare, "A/B table of two sets of runs (label or run id)" },
	{ "plot", flb_cmd_plot, "gnuplot PNG/SVG of a comparison, or --trend over labels" },
	{ "report", flb_cmd_report, "markdown + HTML report: environments, table, plots" },
	{ "ci", flb_cmd_ci, "regression gate: exit 1 on a significant regression" },
	{ "calibrate", flb_cmd_calibrate, "variance components of A/A runs, stored per host and config" },
	{ "plan", flb_cmd_plan, "runs x samples needed to detect a change, or what a time budget detects" },
	{ "export", flb_cmd_export, "primary rows of runs for CI: KCIDB JSON or LAVA test cases" },
	{ "vm", flb_cmd_vm, "run a suite in a QEMU guest and import its results" },
	{ "matrix", flb_cmd_matrix, "run suites over kernels x cmdlines x native/vm" },
	{ "duet", flb_cmd_duet, "A/B two guests at once, window by window, paired" },
	{ "import", flb_cmd_import, "merge stores or LAVA job logs from other hosts (by run uuid)" },
	{ "kernel", flb_cmd_kernel, "build a guest kernel from source with patches (cached)" },
	{ NULL, NULL, NULL }
};

static void usage(FILE *f)
{
	fprintf(f, "usage: flushbench COMMAND [ARGS]   (flushbench COMMAND --help)\n\n"
		"Benchmarks and a regression gate for the kernel paths that\n"
		"invalidate TLBs and maintain caches.\n\ncommands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->help);
}

int main(int argc, char **argv)
{
	flb_cmp_set_catalog(&flb_workload_catalog);
	flb_report_set_matrix_loader(flb_matrix_labels);
	if (argc < 2) {
		usage(stderr);
		return FLB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return FLB_EXIT_OK;
	}
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "flushbench: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return FLB_EXIT_USAGE;
}
