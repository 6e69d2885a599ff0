// SPDX-License-Identifier: GPL-2.0
/*
 * Every registered workload runs setup, a few ops and teardown with the
 * defaults of its own option table, then with the variants below; a few
 * bad combinations must fail at setup with a reason. madvise must catch
 * data that survives MADV_DONTNEED: this program overrides madvise() (the
 * link picks the executable's definition over libc's) to fake a kernel
 * that drops nothing.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "job.h"
#include "pin.h"
#include "workload.h"

#define OPS 16

static bool fake_dontneed;	/* madvise(MADV_DONTNEED) does nothing */

int madvise(void *addr, size_t len, int advice)
{
	if (fake_dontneed && advice == MADV_DONTNEED)
		return 0;
	return syscall(SYS_madvise, addr, len, advice);
}

/* Parse text exactly as a config would (the loader's own parser). */
static int set_value(const struct flb_option *o, void *params, const char *text)
{
	char why[256];

	return flb_opt_parse(o, text, params, why, sizeof(why));
}

/* Fresh params of wl: defaults, then "key=value,key=value" overrides. */
static void *make_params(const struct flb_workload *wl, const char *overrides)
{
	void *params = calloc(1, wl->params_size);
	char *list, *item, *save;

	assert_non_null(params);
	for (const struct flb_option *o = wl->options; o->name; o++) {
		if (set_value(o, params, o->def))
			fail_msg("%s: option %s: bad default '%s'", wl->name, o->name, o->def);
	}
	list = strdup(overrides ? overrides : "");
	for (item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		const struct flb_option *o;

		assert_non_null(eq);
		*eq = '\0';
		for (o = wl->options; o->name && strcmp(o->name, item); o++)
			;
		if (!o->name || set_value(o, params, eq + 1))
			fail_msg("%s: bad override %s=%s", wl->name, item, eq + 1);
	}
	free(list);
	return params;
}

struct outcome {
	int setup, run;		/* enum flb_status; run is -1 if not reached */
	uint64_t done;
	char reason[256];
	char misplaced[128];	/* "task 1 placed on 1 ran on 0" */
};

/* Place, set up, presample, run ops, tear down, like the runner does. */
static void run_job(const struct flb_workload *wl, const char *overrides,
		    enum flb_placement place, uint64_t ops, struct outcome *out)
{
	void *params = make_params(wl, overrides), *state = NULL;
	unsigned int n = wl->ntasks ? wl->ntasks(params) : 1;
	int *cpus = calloc(n, sizeof(int));
	struct flb_job *job;
	char why[256];

	assert_non_null(cpus);
	if (flb_pin_assign(place, NULL, 0, n, cpus, why, sizeof(why))) {
		free(cpus);
		free(params);
		print_message("# SKIP %s %s: %s\n", wl->name, overrides ? overrides : "", why);
		skip();
	}
	job = flb_job_new(wl, params, n, cpus, 0);
	assert_non_null(job);
	assert_int_equal(flb_job_pin(job, 0), 0);
	memset(out, 0, sizeof(*out));
	out->run = -1;
	out->setup = wl->setup(job, params, &state);
	if (out->setup == FLB_OK) {
		out->run = wl->presample ? wl->presample(job, state) : FLB_OK;
		if (out->run == FLB_OK)
			out->run = wl->run(job, state, ops, &out->done);
		wl->teardown(job, state);
	}
	snprintf(out->reason, sizeof(out->reason), "%s", job->reason);
	for (unsigned int i = 0; out->setup == FLB_OK && i < n; i++)
		if (cpus[i] >= 0 && job->ran_on[i] != cpus[i])
			snprintf(out->misplaced, sizeof(out->misplaced),
				 "task %u placed on %d ran on %d", i, cpus[i],
				 job->ran_on[i]);
	flb_job_free(job);
	free(cpus);
	free(params);
}

struct variant {
	const char *wl, *overrides;
	enum flb_placement place;
};

static const struct variant variants[] = {
	{ "fork", "mode=vfork", FLB_PLACE_SPREAD },
	{ "fork", "mode=posix_spawn", FLB_PLACE_SPREAD },
	{ "fork", "rss=4M,cow_pages=16", FLB_PLACE_SPREAD },
	{ "fork", "threads=1", FLB_PLACE_SPREAD },
	{ "mprotect", "threads=1", FLB_PLACE_SPREAD },
	{ "mprotect", "thp=true", FLB_PLACE_SPREAD },
	{ "munmap", "threads=1", FLB_PLACE_SPREAD },
	{ "madvise", "threads=1", FLB_PLACE_SPREAD },
	{ "migrate", "hop_cpus=1", FLB_PLACE_NONE },
};

static const struct flb_workload *find(const char *name)
{
	const struct flb_workload *wl = flb_workload_find(name);

	if (!wl)
		fail_msg("workload %s is not registered", name);
	return wl;
}

static void expect_ok(const struct flb_workload *wl, const char *overrides,
		      enum flb_placement place)
{
	struct outcome o;

	run_job(wl, overrides, place, OPS, &o);
	if (o.setup == FLB_SKIP) {
		print_message("# SKIP %s %s: %s\n", wl->name, overrides ? overrides : "", o.reason);
		skip();
	}
	if (o.setup != FLB_OK || o.run != FLB_OK)
		fail_msg("%s %s: setup %d run %d: %s", wl->name,
			 overrides ? overrides : "(defaults)", o.setup, o.run, o.reason);
	assert_int_equal(o.done, OPS);
	if (o.misplaced[0])
		fail_msg("%s %s: %s", wl->name, overrides ? overrides : "(defaults)",
			 o.misplaced);
}

/* Defaults of each workload, placed spread like a typical config. */
static void test_defaults(void **state)
{
	expect_ok(*state, NULL, FLB_PLACE_SPREAD);
}

static void test_variant(void **state)
{
	const struct variant *v = *state;

	expect_ok(find(v->wl), v->overrides, v->place);
}

static void test_contract(void **state)
{
	const struct flb_workload *wl = *state;

	assert_int_equal(wl->version, FLB_WORKLOAD_VERSION);
	assert_non_null(wl->summary);
	assert_non_null(wl->setup);
	assert_non_null(wl->run);
	assert_non_null(wl->teardown);
	for (const struct flb_option *o = wl->options; o->name; o++) {
		assert_non_null(o->help);
		assert_non_null(o->def);
		assert_true(o->offset < wl->params_size);
	}
}

static void expect_setup_fails(const char *name, const char *overrides,
			       enum flb_placement place, const char *why)
{
	struct outcome o;

	run_job(find(name), overrides, place, OPS, &o);
	assert_int_equal(o.setup, FLB_FAIL);
	if (!strstr(o.reason, why))
		fail_msg("%s %s: reason '%s' does not mention '%s'", name,
			 overrides, o.reason, why);
}

static void test_bad_combinations(void **state)
{
	(void)state;
	expect_setup_fails("fork", "rss=64K,cow_pages=17", FLB_PLACE_NONE,
			   "cow_pages 17 is more than the 16 pages");
	expect_setup_fails("fork", "mode=vfork,rss=64K,cow_pages=1", FLB_PLACE_NONE,
			   "cow_pages needs mode fork");
	expect_setup_fails("migrate", "hop_cpus=2", FLB_PLACE_NONE,
			   "needs a placement");
}

static void test_madvise_catches_stale_data(void **state)
{
	struct outcome o;

	(void)state;
	fake_dontneed = true;
	run_job(find("madvise"), NULL, FLB_PLACE_NONE, OPS, &o);
	fake_dontneed = false;
	assert_int_equal(o.setup, FLB_OK);
	assert_int_equal(o.run, FLB_FAIL);
	assert_int_equal(o.done, 0);
	if (!strstr(o.reason, "page 0 of"))
		fail_msg("reason does not name the page: %s", o.reason);
}

static void test_fork_bad_helper(void **state)
{
	struct outcome o;

	(void)state;
	run_job(find("fork"), "mode=posix_spawn,helper=/nonexistent/helper",
		FLB_PLACE_NONE, OPS, &o);
	assert_int_equal(o.setup, FLB_SKIP);
	assert_non_null(strstr(o.reason, "/nonexistent/helper"));
}

/*
 * A spinner-like thread gives its tid and moves (binds itself to another
 * CPU) without noting it: flb_job_note_tids() finds where it last ran.
 */
static _Atomic int tid_stage;

static void *tid_thread(void *arg)
{
	struct flb_job *job = arg;
	cpu_set_t set;

	flb_job_note_tid(job, 1);
	CPU_ZERO(&set);
	CPU_SET(1, &set);
	sched_setaffinity(0, sizeof(set), &set);
	tid_stage = 1;
	while (tid_stage == 1)
		;
	return NULL;
}

static void test_note_tids(void **state)
{
	struct flb_job *job;
	pthread_t th;

	(void)state;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		skip();	/* needs a second CPU to move to */
	job = flb_job_new(flb_workload_find("munmap"), NULL, 2, NULL, 0);
	assert_non_null(job);
	assert_int_equal(job->ran_on[1], -1);
	assert_int_equal(pthread_create(&th, NULL, tid_thread, job), 0);
	while (tid_stage != 1)
		;
	usleep(20000);		/* it spins on CPU 1 */
	flb_job_note_tids(job);
	assert_int_equal(job->ran_on[1], 1);
	tid_stage = 2;
	pthread_join(th, NULL);
	flb_job_free(job);
}

int main(void)
{
	size_t nwl = 0, nv = sizeof(variants) / sizeof(variants[0]), n = 0;
	struct CMUnitTest *tests;
	char (*names)[96];
	int ret;

	if (flb_pin_init())
		return 1;
	while (flb_workloads[nwl])
		nwl++;
	tests = calloc(2 * nwl + nv + 4, sizeof(*tests));
	names = calloc(2 * nwl + nv, sizeof(*names));
	if (!tests || !names)
		return 1;
	for (size_t i = 0; i < nwl; i++) {
		snprintf(names[n], sizeof(names[n]), "%s: contract", flb_workloads[i]->name);
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(test_contract,
									(void *)flb_workloads[i]);
		tests[n].name = names[n];
		n++;
		snprintf(names[n], sizeof(names[n]), "%s: defaults", flb_workloads[i]->name);
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(test_defaults,
									(void *)flb_workloads[i]);
		tests[n].name = names[n];
		n++;
	}
	for (size_t i = 0; i < nv; i++) {
		snprintf(names[n], sizeof(names[n]), "%s: %s", variants[i].wl,
			 variants[i].overrides);
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(test_variant,
									(void *)&variants[i]);
		tests[n].name = names[n];
		n++;
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_bad_combinations);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_madvise_catches_stale_data);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_fork_bad_helper);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_note_tids);
	ret = _cmocka_run_group_tests("workloads", tests, n, NULL, NULL);
	free(tests);
	free(names);
	return ret;
}
