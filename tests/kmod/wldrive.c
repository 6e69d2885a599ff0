// SPDX-License-Identifier: GPL-2.0
/*
 * wldrive: runs the tlbi or memregion workload once (setup, one timed run
 * of OPS operations, teardown) with key=value parameters, and prints one
 * line: "workload k=v ... status=S ns_per_op=N metric=value ... reason=...".
 * A stand-in for `flushbench run` inside the guests (the runner is built
 * elsewhere); it goes through the workloads' own code and option tables.
 * Usage: wldrive WORKLOAD OPS [key=value]...   Exit: 0 ok/skip, 1 fail.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "job.h"

extern const struct fb_workload fb_wl_tlbi, fb_wl_memregion;

/* job.c binds tasks through bench/pin.c, which the guest build leaves out. */
int fb_pin_self(int cpu)
{
	(void)cpu;
	return 0;
}

static int parse_num(const char *s, const char *const *units,
		     const uint64_t *mult, uint64_t *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || v < 0)
		return -1;
	if (!*end) {
		*out = (uint64_t)v;
		return 0;
	}
	for (int i = 0; units[i]; i++) {
		if (!strcasecmp(end, units[i])) {
			*out = (uint64_t)(v * (double)mult[i]);
			return 0;
		}
	}
	return -1;
}

static int set_opt(const struct fb_option *o, void *params, const char *val)
{
	static const char *const size_u[] = { "K", "M", "G", NULL };
	static const uint64_t size_m[] = { 1ULL << 10, 1ULL << 20, 1ULL << 30 };
	static const char *const ns_u[] = { "ns", "us", "ms", "s", NULL };
	static const uint64_t ns_m[] = { 1, 1000, 1000000, 1000000000 };
	static const char *const none[] = { NULL };
	char *p = (char *)params + o->offset, why[128];
	uint64_t v = 0;
	int rc = -1;

	switch (o->type) {
	case FB_OPT_ENUM:
		for (int i = 0; o->choices[i]; i++)
			if (!strcmp(o->choices[i], val)) {
				*(int *)p = i;
				return 0;
			}
		return -1;
	case FB_OPT_BOOL:
		*(bool *)p = !strcmp(val, "true") || !strcmp(val, "on") || !strcmp(val, "yes");
		return 0;
	case FB_OPT_STR:
		snprintf(p, FB_STR_MAX, "%s", val);
		return 0;
	case FB_OPT_U64:
		rc = parse_num(val, none, NULL, &v);
		break;
	case FB_OPT_SIZE:
		rc = parse_num(val, size_u, size_m, &v);
		break;
	case FB_OPT_NS:
		rc = parse_num(val, ns_u, ns_m, &v);
		break;
	}
	if (rc || v < o->min || v > o->max)
		return -1;
	if (o->check && o->check(&v, why, sizeof(why))) {
		fprintf(stderr, "wldrive: %s=%s: %s\n", o->name, val, why);
		return -1;
	}
	*(uint64_t *)p = v;
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const status[] = { "ok", "skip", "fail", "untrustworthy" };
	const struct fb_workload *wl;
	struct timespec t0, t1;
	uint64_t ops, done = 0;
	struct fb_job *job;
	void *params, *state = NULL;
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: wldrive tlbi|memregion OPS [key=value]...\n");
		return 2;
	}
	wl = !strcmp(argv[1], "tlbi") ? &fb_wl_tlbi :
	     !strcmp(argv[1], "memregion") ? &fb_wl_memregion : NULL;
	ops = strtoull(argv[2], NULL, 0);
	if (!wl || !ops) {
		fprintf(stderr, "wldrive: unknown workload '%s' or zero ops\n", argv[1]);
		return 2;
	}
	params = calloc(1, wl->params_size);
	for (const struct fb_option *o = wl->options; o->name; o++)
		if (set_opt(o, params, o->def)) {
			fprintf(stderr, "wldrive: bad default %s=%s\n", o->name, o->def);
			return 2;
		}
	for (int i = 3; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		const struct fb_option *o;

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
	job = fb_job_new(wl, params, 1, NULL, 0);
	printf("%s", wl->name);
	for (int i = 3; i < argc; i++)
		printf(" %s", argv[i]);
	rc = wl->setup(job, params, &state);
	if (rc == FB_OK) {
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
	fb_job_free(job);
	free(params);
	return rc == FB_FAIL;
}
