// SPDX-License-Identifier: GPL-2.0
/*
 * wldrive: runs the tlbi or memregion workload once (setup, one timed run
 * of OPS operations, teardown) with key=value parameters, and prints one
 * line: "workload k=v ... status=S ns_per_op=N metric=value ... reason=...".
 * A stand-in for `flushbench run` inside the guests (the runner is built
 * elsewhere); it goes through the workloads' own code and option tables.
 * Usage: wldrive WORKLOAD OPS [key=value]...   Exit: 0 ok/skip, 1 fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "job.h"
#include "options.h"

extern const struct flb_workload flb_wl_tlbi, flb_wl_memregion;

/* job.c binds tasks through bench/pin.c, which the guest build leaves out. */
int flb_pin_self(int cpu)
{
	(void)cpu;
	return 0;
}

/* Parse val exactly as a config would (lib/options.c). */
static int set_opt(const struct flb_option *o, void *params, const char *val)
{
	char why[256];

	if (flb_opt_parse(o, val, params, why, sizeof(why))) {
		fprintf(stderr, "wldrive: %s\n", why);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const status[] = { "ok", "skip", "fail", "untrustworthy" };
	const struct flb_workload *wl;
	struct timespec t0, t1;
	uint64_t ops, done = 0;
	struct flb_job *job;
	void *params, *state = NULL;
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: wldrive tlbi|memregion OPS [key=value]...\n");
		return 2;
	}
	wl = !strcmp(argv[1], "tlbi") ? &flb_wl_tlbi :
	     !strcmp(argv[1], "memregion") ? &flb_wl_memregion : NULL;
	ops = strtoull(argv[2], NULL, 0);
	if (!wl || !ops) {
		fprintf(stderr, "wldrive: unknown workload '%s' or zero ops\n", argv[1]);
		return 2;
	}
	params = calloc(1, wl->params_size);
	for (const struct flb_option *o = wl->options; o->name; o++)
		if (set_opt(o, params, o->def)) {
			fprintf(stderr, "wldrive: bad default %s=%s\n", o->name, o->def);
			return 2;
		}
	for (int i = 3; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		const struct flb_option *o;

		if (!eq)
			return 2;
		*eq = '\0';
		for (o = wl->options; o->name && strcmp(o->name, argv[i]); o++)
			;
		if (!o->name || set_opt(o, params, eq + 1)) {
			fprintf(stderr, "wldrive: bad parameter %s=%s\n", argv[i], eq + 1);
			return 2;
		}
		*eq = '=';
	}
	job = flb_job_new(wl, params, 1, NULL, 0);
	printf("%s", wl->name);
	for (int i = 3; i < argc; i++)
		printf(" %s", argv[i]);
	rc = wl->setup(job, params, &state);
	if (rc == FLB_OK) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = wl->run(job, state, ops, &done);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		wl->teardown(job, state);
		printf(" status=%s ops=%llu ns_per_op=%.1f", status[rc],
		       (unsigned long long)done,
		       done ? ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / done : 0.0);
		for (unsigned int i = 0; i < job->nmetrics; i++)
			printf(" %s=%.4g", job->metrics[i].name, job->metrics[i].value);
	} else {
		printf(" status=%s", status[rc]);
	}
	if (job->reason[0])
		printf(" reason=\"%s\"", job->reason);
	printf("\n");
	flb_job_free(job);
	free(params);
	return rc == FLB_FAIL;
}
