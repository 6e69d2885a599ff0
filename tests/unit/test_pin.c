// SPDX-License-Identifier: GPL-2.0
/*
 * Placement: the policies on this machine, then on a synthetic two-package
 * SMT machine (hwloc's HWLOC_SYNTHETIC, in a child process because the
 * topology is loaded once per process).
 */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "pin.h"

#define SYNTHETIC "pack:2 l3:2 core:2 pu:2"	/* PU os index = pack*8 + l3*4 + core*2 + pu */

static int out[64];
static char why[256];

static int assign(enum flb_placement p, unsigned int n)
{
	memset(out, 0xff, sizeof(out));
	why[0] = '\0';
	return flb_pin_assign(p, NULL, 0, n, out, why, sizeof(why));
}

static void expect_why(const char *want)
{
	if (!strstr(why, want))
		fail_msg("why '%s' does not say '%s'", why, want);
}

static void test_none(void **state)
{
	(void)state;
	assert_int_equal(assign(FLB_PLACE_NONE, 3), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(out[i], -1);
}

static void test_spread_too_many(void **state)
{
	char want[64];

	(void)state;
	assert_int_equal(assign(FLB_PLACE_SPREAD, flb_pin_ncpus() + 1), -1);
	snprintf(want, sizeof(want), "spread needs %u distinct cores", flb_pin_ncpus() + 1);
	expect_why(want);
}

static void test_cpus(void **state)
{
	int good[] = { 0 }, bad[] = { 0, 99999 };

	(void)state;
	if (!flb_pin_cpu_ok(0))
		skip();
	assert_int_equal(flb_pin_assign(FLB_PLACE_CPUS, good, 1, 1, out, why, sizeof(why)), 0);
	assert_int_equal(out[0], 0);
	assert_int_equal(flb_pin_assign(FLB_PLACE_CPUS, bad, 2, 2, out, why, sizeof(why)), -1);
	expect_why("cpu 99999 does not exist");
	assert_int_equal(flb_pin_assign(FLB_PLACE_CPUS, good, 1, 2, out, why, sizeof(why)), -1);
	expect_why("cpus lists 1 CPU for 2 tasks");
	assert_false(flb_pin_cpu_ok(-1));
	assert_false(flb_pin_cpu_ok(99999));
}

static void test_same_package_two(void **state)
{
	(void)state;
	if (flb_pin_ncpus() < 2)
		skip();
	if (assign(FLB_PLACE_SAME_PACKAGE, 2))
		fail_msg("same-package of 2 on %s: %s", flb_pin_topology(), why);
	assert_int_not_equal(out[0], out[1]);
	assert_true(flb_pin_cpu_ok(out[0]));
	assert_true(flb_pin_cpu_ok(out[1]));
}

/* Either a core with 2 threads, or a reason naming the policy. */
static void test_same_core_two(void **state)
{
	(void)state;
	if (assign(FLB_PLACE_SAME_CORE, 2)) {
		expect_why("same-core needs 2 hardware threads of one core");
		return;
	}
	assert_int_not_equal(out[0], out[1]);
}

static void test_pin_self(void **state)
{
	(void)state;
	assert_int_equal(assign(FLB_PLACE_SPREAD, 1), 0);
	assert_int_equal(flb_pin_self(out[0]), 0);
	assert_int_equal(sched_getcpu(), out[0]);
	assert_int_equal(flb_pin_self(-1), 0);
	assert_int_not_equal(flb_pin_self(99999), 0);
}

static void test_topology(void **state)
{
	(void)state;
	assert_non_null(strstr(flb_pin_topology(), " PU"));
	assert_non_null(strstr(flb_pin_topology(), "core"));
}

static void test_synthetic_spread(void **state)
{
	(void)state;
	assert_int_equal(assign(FLB_PLACE_SPREAD, 8), 0);
	for (int i = 0; i < 8; i++) {
		/* alternating packages, then L3s, all distinct cores */
		assert_int_equal(out[i] / 8, i % 2);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(out[i] / 2, out[j] / 2);
	}
	assert_int_not_equal(out[0] / 4, out[2] / 4);
	assert_int_equal(assign(FLB_PLACE_SPREAD, 9), -1);
	expect_why("spread needs 9 distinct cores, this machine has 8");
}

static void test_synthetic_same_core(void **state)
{
	(void)state;
	assert_int_equal(assign(FLB_PLACE_SAME_CORE, 2), 0);
	assert_int_equal(out[0] / 2, out[1] / 2);
	assert_int_not_equal(out[0], out[1]);
	assert_int_equal(assign(FLB_PLACE_SAME_CORE, 3), -1);
	expect_why("cores here have at most 2");
}

static void test_synthetic_same_package(void **state)
{
	(void)state;
	assert_int_equal(assign(FLB_PLACE_SAME_PACKAGE, 6), 0);
	for (int i = 0; i < 6; i++)
		assert_int_equal(out[i] / 8, out[0] / 8);
	for (int i = 0; i < 4; i++)	/* distinct cores first */
		for (int j = 0; j < i; j++)
			assert_int_not_equal(out[i] / 2, out[j] / 2);
	assert_int_equal(assign(FLB_PLACE_SAME_PACKAGE, 9), -1);
	expect_why("largest package here has 8");
}

static int synthetic(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synthetic_spread),
		cmocka_unit_test(test_synthetic_same_core),
		cmocka_unit_test(test_synthetic_same_package),
	};

	setenv("HWLOC_SYNTHETIC", SYNTHETIC, 1);
	if (flb_pin_init())
		return 1;
	return cmocka_run_group_tests_name("pin (synthetic " SYNTHETIC ")", tests, NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_spread_too_many),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_same_package_two),
		cmocka_unit_test(test_same_core_two),
		cmocka_unit_test(test_pin_self),
		cmocka_unit_test(test_topology),
	};
	int ret, status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid)
		_exit(synthetic());
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	if (flb_pin_init())
		return 1;
	ret = cmocka_run_group_tests_name("pin", tests, NULL, NULL);
	return ret || !WIFEXITED(status) || WEXITSTATUS(status);
}
