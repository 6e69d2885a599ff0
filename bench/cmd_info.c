// SPDX-License-Identifier: GPL-2.0
/* `flushbench list`, `flushbench env`, `flushbench runs`. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int flb_cmd_list(int argc, char **argv)
{
	const char *config = NULL;
	bool helpers = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: flushbench list [--helpers [-c SUITE]]\n"
			       "The workloads, their parameters (YAML keys) "
			       "with types, defaults and ranges, and the "
			       "settings every job has.\n"
			       "  --helpers  the programs the workloads start, "
			       "where make builds them, one a line\n"
			       "  -c SUITE   with --helpers: those of the "
			       "suite's workloads\n");
			return FLB_EXIT_OK;
		}
		if (!strcmp(argv[i], "--helpers")) {
			helpers = true;
			continue;
		}
		if (!strcmp(argv[i], "-c") && i + 1 < argc) {
			config = argv[++i];
			continue;
		}
		fprintf(stderr, "flushbench list: unexpected argument '%s'\n",
			argv[i]);
		return FLB_EXIT_USAGE;
	}
	if (config && !helpers) {
		fprintf(stderr, "flushbench list: -c goes with --helpers\n");
		return FLB_EXIT_USAGE;
	}
	if (helpers)
		return list_helpers(config);
	for (const struct flb_workload *const *w = flb_workloads; *w; w++) {
		printf("%s: %s\n", (*w)->name, (*w)->summary);
		print_options((*w)->options);
		printf("\n");
	}
	printf("settings of every job (suite-level defaults, overridable per job):\n");
	print_options(flb_job_options);
	printf("    %-16s %-8s          an explicit CPU list, with placement: cpus\n",
	       "cpus", "list");
	printf("\nsettings of the whole suite (top level only):\n");
	print_options(flb_suite_options);
	return FLB_EXIT_OK;
}

int flb_cmd_env(int argc, char **argv)
{
	struct flb_env env = { 0 };

	if (argc > 1) {
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			printf("usage: flushbench env\nPrint the environment "
			       "a run records (kernel, preemption model, "
			       "virtualisation, CPU, topology, THP, ...).\n");
			return FLB_EXIT_OK;
		}
		fprintf(stderr, "flushbench env: unexpected argument '%s'\n",
			argv[1]);
		return FLB_EXIT_USAGE;
	}
	if (flb_env_capture(&env) || flb_pin_init())
		return FLB_EXIT_FAIL;
	flb_env_set(&env, "topology", "%s", flb_pin_topology());
	for (size_t i = 0; i < env.n; i++)
		printf("%s: %s\n", env.kv[i].key, env.kv[i].value);
	flb_env_free(&env);
	return FLB_EXIT_OK;
}

int flb_cmd_runs(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *db = "results.db";
	struct flb_store *st;
	struct flb_run_row *rows;
	size_t n;
	char err[512];
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (opt) {
		case 'd':
			db = optarg;
			break;
		case 'h':
			printf("usage: flushbench runs [--db PATH] [LABEL|ID]\n"
			       "List runs: id, label, status, start, end, samples.\n");
			return FLB_EXIT_OK;
		default:
			return FLB_EXIT_USAGE;
		}
	}
	if (flb_store_open(db, FLB_STORE_RO, &st, err, sizeof(err))) {
		fprintf(stderr, "flushbench runs: %s\n", err);
		return FLB_EXIT_USAGE;
	}
	if (flb_store_runs(st, optind < argc ? argv[optind] : NULL, &rows, &n)) {
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
