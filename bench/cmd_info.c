// SPDX-License-Identifier: GPL-2.0
/* `flushbench list`, `flushbench env`, `flushbench runs`. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cliopt.h"
#include "commands.h"
#include "config.h"
#include "env.h"
#include "pin.h"
#include "store.h"

static const char *type_name(const struct flb_option *o)
{
	static const char *const names[] = {
		[FLB_OPT_U64] = "number", [FLB_OPT_SIZE] = "size",
		[FLB_OPT_NS] = "duration", [FLB_OPT_BOOL] = "bool",
		[FLB_OPT_ENUM] = "choice", [FLB_OPT_STR] = "string",
	};
	return names[o->type];
}

static void print_options(const struct flb_option *t)
{
	char lo[48], hi[48];

	for (const struct flb_option *o = t; o && o->name; o++) {
		printf("    %-16s %-8s default %-8s", o->name, type_name(o),
		       o->def ? o->def : "-");
		if (o->type == FLB_OPT_U64 || o->type == FLB_OPT_SIZE ||
		    o->type == FLB_OPT_NS) {
			struct flb_option q = *o;

			q.offset = 0;
			flb_opt_format(&q, &o->min, lo, sizeof(lo));
			flb_opt_format(&q, &o->max, hi, sizeof(hi));
			printf(" [%s..%s]", lo, hi);
		} else if (o->type == FLB_OPT_ENUM) {
			printf(" {");
			for (int i = 0; o->choices[i]; i++)
				printf("%s%s", i ? "|" : "", o->choices[i]);
			printf("}");
		}
		printf("\n        %s\n", o->help ? o->help : "");
	}
}

/* Print w's helper programs that are not in seen[] yet, and add them. */
static void print_helpers(const struct flb_workload *w, const char **seen,
			  size_t *nseen, size_t max)
{
	for (const char *const *h = w->helpers; h && *h; h++) {
		size_t i;

		for (i = 0; i < *nseen && strcmp(seen[i], *h); i++)
			;
		if (i < *nseen || *nseen == max)
			continue;
		seen[(*nseen)++] = *h;
		printf("%s\n", *h);
	}
}

/* The helper programs of every workload, or of the suite's. */
static int list_helpers(const char *path)
{
	const char *seen[64];
	struct flb_suite suite;
	size_t nseen = 0;

	if (!path) {
		for (const struct flb_workload *const *w = flb_workloads; *w; w++)
			print_helpers(*w, seen, &nseen, 64);
		return FLB_EXIT_OK;
	}
	if (flb_config_load(path, NULL, 0, &suite, stderr))
		return FLB_EXIT_USAGE;
	for (size_t i = 0; i < suite.njobs; i++)
		print_helpers(suite.jobs[i].wl, seen, &nseen, 64);
	flb_config_free(&suite);
	return FLB_EXIT_OK;
}

/* env has no options of its own: an empty table, no base */
static const struct flb_cliopt no_opts[] = {
	FLB_CLI_END
};

struct list_args {
	bool helpers;
	const char *config;
};

static const struct flb_cliopt list_opts[] = {
	FLB_CLI_FLAG(0, "helpers", struct list_args, helpers,
		     "the programs the workloads start, where make builds them,\n"
		     "one a line"),
	FLB_CLI_STRING('c', "config", struct list_args, config, "SUITE",
		       "with --helpers: those of the suite's workloads"),
	FLB_CLI_END
};

static const struct flb_cli list_cli = {
	.cmd = "list", .usage = "[--helpers [-c SUITE]]",
	.about = "The workloads, their parameters (YAML keys) with types, defaults and\n"
		 "ranges, and the settings every job has.",
	.opts = list_opts,
};

int flb_cmd_list(int argc, char **argv)
{
	struct list_args a = { 0 };
	int n = flb_cli_parse(&list_cli, argc, argv, &a, NULL, 0);

	if (n < 0)
		return flb_cli_exit(n);
	if (a.config && !a.helpers)
		return flb_cli_usage_error(&list_cli, "-c goes with --helpers");
	if (a.helpers)
		return list_helpers(a.config);
	for (const struct flb_workload *const *w = flb_workloads; *w; w++) {
		printf("%s: %s\n", (*w)->name, (*w)->summary);
		print_options((*w)->options);
		printf("\n");
	}
	printf("settings of every job (suite-level defaults, overridable per job):\n");
	print_options(flb_job_options);
	printf("    %-16s %-8s          an explicit CPU list, with placement: cpus\n",
	       "cpus", "list");
	printf("    %-16s %-8s          {KEY: [A, B]}: a native duet, the job's two sides\n"
	       "        measured window by window in two workers (docs/duet.md)\n",
	       "duet", "mapping");
	printf("\nsettings of the whole suite (top level only):\n");
	print_options(flb_suite_options);
	printf("\nsettings of the suite's counters: mapping (beside events, "
	       "x86_64, arm64; docs/counters.md):\n");
	print_options(flb_count_options);
	return FLB_EXIT_OK;
}

static const struct flb_cli env_cli = {
	.cmd = "env", .usage = "",
	.about = "Print the environment a run records (kernel, preemption model,\n"
		 "virtualisation, CPU, topology, THP, ...).",
	.opts = no_opts,
};

int flb_cmd_env(int argc, char **argv)
{
	struct flb_env env = { 0 };
	int n = flb_cli_parse(&env_cli, argc, argv, NULL, NULL, 0);

	if (n < 0)
		return flb_cli_exit(n);
	if (flb_env_capture(&env) || flb_pin_init())
		return FLB_EXIT_FAIL;
	flb_env_set(&env, "topology", "%s", flb_pin_topology());
	for (size_t i = 0; i < env.n; i++)
		printf("%s: %s\n", env.kv[i].key, env.kv[i].value);
	flb_env_free(&env);
	return FLB_EXIT_OK;
}

struct runs_args {
	const char *db;
};

static const struct flb_cliopt runs_opts[] = {
	FLB_CLI_STRING(0, "db", struct runs_args, db, "PATH",
		       "the results store (default results.db)"),
	FLB_CLI_END
};

static const struct flb_cli runs_cli = {
	.cmd = "runs", .usage = "[OPTIONS] [LABEL|ID]",
	.about = "List runs (all, a label's or one): id, label, status, start, end,\n"
		 "samples.",
	.opts = runs_opts,
};

int flb_cmd_runs(int argc, char **argv)
{
	struct runs_args a = { .db = "results.db" };
	const char *which[1] = { NULL };
	const char *db;
	struct flb_store *st;
	struct flb_run_row *rows;
	size_t n;
	char err[512];
	int npos = flb_cli_parse(&runs_cli, argc, argv, &a, which, 1);

	if (npos < 0)
		return flb_cli_exit(npos);
	db = a.db;
	if (flb_store_open(db, FLB_STORE_RO, &st, err, sizeof(err))) {
		fprintf(stderr, "flushbench runs: %s\n", err);
		return FLB_EXIT_USAGE;
	}
	if (flb_store_runs(st, which[0], &rows, &n)) {
		fprintf(stderr, "flushbench runs: %s\n", flb_store_error(st));
		flb_store_close(st);
		return FLB_EXIT_USAGE;
	}
	printf("%-5s %-24s %-9s %-24s %-24s %s\n", "id", "label", "status",
	       "started", "ended", "samples");
	for (size_t i = 0; i < n; i++)
		printf("%-5" PRId64 " %-24s %-9s %-24s %-24s %ld\n", rows[i].id,
		       rows[i].label, rows[i].status, rows[i].started_at,
		       rows[i].ended_at, rows[i].nsamples);
	free(rows);
	flb_store_close(st);
	return FLB_EXIT_OK;
}
