// SPDX-License-Identifier: GPL-2.0
/* flushbench: command dispatch. */
#include <stdio.h>
#include <string.h>

#include "analysis/analysis.h"
#include "cli.h"

static const struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "run", fb_cmd_run, "run a suite into the results store" },
	{ "list", fb_cmd_list, "list workloads, their parameters and defaults" },
	{ "env", fb_cmd_env, "print the environment a run would record" },
	{ "runs", fb_cmd_runs, "list the runs in a results store" },
	{ "compare", fb_cmd_compare, "A/B table of two sets of runs (label or run id)" },
	{ "plot", fb_cmd_plot, "gnuplot PNG/SVG of a comparison, or --trend over labels" },
	{ "report", fb_cmd_report, "markdown + HTML report: environments, table, plots" },
	{ "ci", fb_cmd_ci, "regression gate: exit 1 on a significant regression" },
	{ "calibrate", fb_cmd_calibrate, "variance components of A/A runs, stored per host and config" },
	{ "plan", fb_cmd_plan, "runs x samples needed to detect a change, or what a time budget detects" },
	{ "vm", fb_cmd_vm, "run a suite in a QEMU guest and import its results" },
	{ "matrix", fb_cmd_matrix, "run suites over kernels x cmdlines x native/vm" },
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
	if (argc < 2) {
		usage(stderr);
		return FB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return FB_EXIT_OK;
	}
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "flushbench: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return FB_EXIT_USAGE;
}
