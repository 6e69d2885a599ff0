// SPDX-License-Identifier: GPL-2.0
/* Unit tests: option parsing, did-you-mean, suite loading and sweeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "yamlwalk.h"

struct p {
	uint64_t n, size, ns;
	bool b;
	int e;
	char s[FLB_STR_MAX];
};

static const char *const colours[] = { "red", "green", "blue", NULL };
static const struct flb_option opts[] = {
	{ "n", FLB_OPT_U64, offsetof(struct p, n), 1, 100, "5", NULL, "", NULL },
	{ "size", FLB_OPT_SIZE, offsetof(struct p, size), 0, 1ull << 40, "4K", NULL, "", NULL },
	{ "ns", FLB_OPT_NS, offsetof(struct p, ns), 0, 10000000000ull, "1ms", NULL, "", NULL },
	{ "b", FLB_OPT_BOOL, offsetof(struct p, b), 0, 0, "false", NULL, "", NULL },
	{ "e", FLB_OPT_ENUM, offsetof(struct p, e), 0, 0, "red", colours, "", NULL },
	{ "s", FLB_OPT_STR, offsetof(struct p, s), 0, 0, "", NULL, "", NULL },
	FLB_OPTION_END
};

static int parse(int i, const char *text, struct p *v, char *why)
{
	return flb_opt_parse(&opts[i], text, v, why, 256);
}

static void test_numbers(void **state)
{
	struct p v = { 0 };
	char why[256];

	(void)state;
	assert_int_equal(parse(0, "42", &v, why), 0);
	assert_int_equal(v.n, 42);
	assert_int_equal(parse(0, "0x10", &v, why), 0);
	assert_int_equal(v.n, 16);
	assert_int_equal(parse(0, "0", &v, why), -1);
	assert_non_null(strstr(why, "out of range [1, 100]"));
	assert_int_equal(parse(0, "-3", &v, why), -1);
	assert_non_null(strstr(why, "not a whole number"));
	assert_int_equal(parse(0, "12abc", &v, why), -1);
	assert_int_equal(parse(0, "", &v, why), -1);
}

static void test_sizes_and_durations(void **state)
{
	struct p v = { 0 };
	char why[256], buf[64];

	(void)state;
	assert_int_equal(parse(1, "64M", &v, why), 0);
	assert_int_equal(v.size, 64ull << 20);
	assert_int_equal(parse(1, "1GiB", &v, why), 0);
	assert_int_equal(v.size, 1ull << 30);
	assert_int_equal(parse(1, "4096", &v, why), 0);
	assert_int_equal(v.size, 4096);
	assert_int_equal(parse(1, "1.5K", &v, why), 0);
	assert_int_equal(v.size, 1536);
	assert_int_equal(parse(1, "0.3K", &v, why), -1);	/* not whole bytes */
	assert_int_equal(parse(1, "3X", &v, why), -1);
	v.size = 2ull << 30;
	flb_opt_format(&opts[1], &v, buf, sizeof(buf));
	assert_string_equal(buf, "2G");
	v.size = 1000;
	flb_opt_format(&opts[1], &v, buf, sizeof(buf));
	assert_string_equal(buf, "1000");
	assert_int_equal(parse(2, "0.5s", &v, why), 0);
	assert_int_equal(v.ns, 500000000);
	assert_int_equal(parse(2, "20us", &v, why), 0);
	assert_int_equal(v.ns, 20000);
	flb_opt_format(&opts[2], &v, buf, sizeof(buf));
	assert_string_equal(buf, "20us");
	assert_int_equal(parse(2, "11s", &v, why), -1);
	assert_non_null(strstr(why, "out of range [0ns, 10s]"));
}

static void test_bool_enum_string(void **state)
{
	struct p v = { 0 };
	char why[256], big[FLB_STR_MAX + 10];

	(void)state;
	assert_int_equal(parse(3, "yes", &v, why), 0);
	assert_true(v.b);
	assert_int_equal(parse(3, "off", &v, why), 0);
	assert_false(v.b);
	assert_int_equal(parse(3, "maybe", &v, why), -1);
	assert_int_equal(parse(4, "blue", &v, why), 0);
	assert_int_equal(v.e, 2);
	assert_int_equal(parse(4, "gren", &v, why), -1);
	assert_non_null(strstr(why, "did you mean 'green'"));
	assert_int_equal(parse(4, "purple", &v, why), -1);
	assert_non_null(strstr(why, "one of: red green blue"));
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(parse(5, big, &v, why), -1);
}

static void test_did_you_mean(void **state)
{
	static const char *const names[] = { "samples", "warmup", "duration", "ops" };

	(void)state;
	assert_string_equal(flb_did_you_mean("sampels", names, 4), "samples");
	assert_string_equal(flb_did_you_mean("durration", names, 4), "duration");
	assert_null(flb_did_you_mean("zzzzzzzz", names, 4));
}

static char *write_tmp(const char *body)
{
	static char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/fbcfg.XXXXXX");
	close(mkstemp(path));
	f = fopen(path, "w");
	fputs(body, f);
	fclose(f);
	return path;
}

static int load(const char *body, struct flb_suite *s, char *msg, size_t len)
{
	char *path = write_tmp(body);
	FILE *err = fmemopen(msg, len, "w");
	int rc;

	memset(msg, 0, len);
	rc = flb_config_load(path, NULL, 0, s, err);
	fclose(err);
	unlink(path);
	return rc;
}

static void test_sweep_expansion(void **state)
{
	struct flb_suite s;
	char msg[1024];

	(void)state;
	assert_int_equal(load("samples: 4\njobs:\n  - workload: mprotect\n"
			      "    npages: [1, 16, 512]\n    threads: [0, 1]\n"
			      "    samples: 2\n  - workload: fork\n", &s, msg,
			      sizeof(msg)), 0);
	assert_int_equal(s.njobs, 7);
	/* last axis varies fastest; job settings override suite defaults */
	assert_non_null(strstr(s.jobs[0].params_text, "npages=1 "));
	assert_non_null(strstr(s.jobs[0].params_text, "threads=0"));
	assert_non_null(strstr(s.jobs[1].params_text, "threads=1"));
	assert_non_null(strstr(s.jobs[2].params_text, "npages=16 "));
	assert_int_equal(s.jobs[0].set.samples, 2);
	assert_int_equal(s.jobs[6].set.samples, 4);
	/* threads=1 places two tasks on distinct CPUs */
	assert_int_equal(s.jobs[1].ntasks, 2);
	assert_int_not_equal(s.jobs[1].cpus[0], s.jobs[1].cpus[1]);
	/* identity excludes run-length settings, hash covers the whole suite */
	assert_null(strstr(s.jobs[0].params_text, "samples"));
	assert_int_equal(strlen(s.hash), 16);
	flb_config_free(&s);
}

static void test_errors_have_positions(void **state)
{
	struct flb_suite s;
	char msg[1024];

	(void)state;
	assert_int_equal(load("jobs:\n  - workload: fork\n    rss: 64Q\n", &s,
			      msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, ":3:10: rss: '64Q' is not a size"));
	assert_int_equal(load("duration: [1ms, 2ms]\njobs:\n  - workload: fork\n",
			      &s, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, ":1:11: duration: a suite-level setting takes one value"));
	assert_int_equal(load("jobs:\n  - fork\n", &s, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, ":2:5: a job must be a mapping"));
	assert_int_equal(load("jobs:\n  - workload: fork\n    placement: cpus\n",
			      &s, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "placement: cpus needs a `cpus: [list]`"));
	/* several errors are all reported */
	assert_int_equal(load("samples: x\nwarmup: y\njobs:\n  - workload: fork\n",
			      &s, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, ":1:10:"));
	assert_non_null(strstr(msg, ":2:9:"));
}

static void test_other_arch_events_not_validated(void **state)
{
	struct flb_suite s;
	char msg[1024];

	(void)state;
	assert_int_equal(load("counters:\n  events: [task-clock]\n"
			      "  arm64: [L1D_TLB_REFILL]\n  x86_64: [dTLB-load-misses]\n"
			      "jobs:\n  - workload: fork\n", &s, msg, sizeof(msg)), 0);
	assert_int_equal(s.nevents, 2);
	flb_config_free(&s);
	assert_int_equal(load("counters:\n  evnts: [task-clock]\njobs:\n  - workload: fork\n",
			      &s, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, ":2:3: unknown key 'evnts' in counters (did you mean 'events'?)"));
}

/* counters: mode and every; the resolved text (and so the hash) says them */
static void test_counter_mode(void **state)
{
	struct flb_suite s;
	char msg[1024], hash[17];

	(void)state;
	assert_int_equal(load("samples: 12\ncounters: [page-faults]\n"
			      "jobs:\n  - workload: fork\n", &s, msg, sizeof(msg)), 0);
	assert_int_equal(s.count.mode, FLB_COUNT_SEPARATE);
	assert_int_equal(s.count.every, 5);
	assert_int_equal(flb_counting_samples(&s, 12), 3);
	assert_int_equal(flb_counting_samples(&s, 5), 1);
	assert_int_equal(flb_counting_samples(&s, 1), 1);
	assert_non_null(strstr(s.resolved, "  mode: separate\n  every: 5\n"));
	memcpy(hash, s.hash, sizeof(hash));
	flb_config_free(&s);
	assert_int_equal(load("counters:\n  events: [page-faults]\n  mode: inline\n"
			      "jobs:\n  - workload: fork\n", &s, msg, sizeof(msg)), 0);
	assert_int_equal(s.count.mode, FLB_COUNT_INLINE);
	assert_int_equal(flb_counting_samples(&s, 10), 0);
	assert_non_null(strstr(s.resolved, "  mode: inline\n"));
	assert_null(strstr(s.resolved, "every"));
	flb_config_free(&s);
	assert_int_equal(load("counters:\n  events: [page-faults]\n  every: 1\n"
			      "jobs:\n  - workload: fork\n", &s, msg, sizeof(msg)), 0);
	assert_int_equal(flb_counting_samples(&s, 10), 10);
	assert_string_not_equal(s.hash, hash);
	flb_config_free(&s);
	/* no events: no counting samples whatever the mode */
	assert_int_equal(load("jobs:\n  - workload: fork\n", &s, msg, sizeof(msg)), 0);
	assert_int_equal(flb_counting_samples(&s, 10), 0);
	flb_config_free(&s);
	assert_int_equal(load("counters:\n  events: [page-faults]\n  mode: inlined\n"
			      "jobs:\n  - workload: fork\n", &s, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, ":3:9: "));
	assert_non_null(strstr(msg, "inlined"));
	assert_int_equal(load("counters:\n  events: [page-faults]\n  every: 0\n"
			      "jobs:\n  - workload: fork\n", &s, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, ":3:10: "));
	assert_int_equal(load("counters:\n  events: [page-faults]\n  evry: 2\n"
			      "jobs:\n  - workload: fork\n", &s, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, ":3:3: unknown key 'evry' in counters (did you mean 'every'?)"));
}

static void test_suite_settings(void **state)
{
	struct flb_suite s;
	char msg[1024];

	(void)state;
	assert_int_equal(load("jobs:\n  - workload: fork\n", &s, msg,
			      sizeof(msg)), 0);
	assert_int_equal(s.set.repeat, 1);
	flb_config_free(&s);
	assert_int_equal(load("repeat: 5\njobs:\n  - workload: fork\n", &s,
			      msg, sizeof(msg)), 0);
	assert_int_equal(s.set.repeat, 5);
	/* rounds are runs of the same suite: repeat is not in its identity */
	assert_null(strstr(s.resolved, "repeat"));
	flb_config_free(&s);
	assert_int_equal(load("repeat: 0\njobs:\n  - workload: fork\n", &s,
			      msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, ":1:9: repeat: 0 is out of range [1, 1000]"));
	assert_int_equal(load("repeat: [2, 3]\njobs:\n  - workload: fork\n",
			      &s, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, ":1:9: repeat: a suite-level setting takes one value\n"));
	assert_int_equal(load("repet: 3\njobs:\n  - workload: fork\n", &s,
			      msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, ":1:1: unknown key 'repet' in the suite (did you mean 'repeat'?)"));
	/* a suite setting, not a job's */
	assert_int_equal(load("jobs:\n  - workload: fork\n    repeat: 3\n", &s,
			      msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, ":3:5: unknown key 'repeat' in a fork job"));
}

/* The walker's suggestion weighs every name allowed, not the first few. */
static void test_unknown_key_all_names(void **state)
{
	struct flb_option many[41] = { 0 };
	char names[40][16], msg[512] = "";
	char *path = write_tmp("a: 1\nrepaet: 3\n");
	struct flb_yw w = { 0 };
	FILE *err = fmemopen(msg, sizeof(msg), "w");

	(void)state;
	for (int i = 0; i < 39; i++) {
		snprintf(names[i], sizeof(names[i]), "filler%02d", i);
		many[i].name = names[i];
	}
	many[39].name = "repeat";
	assert_int_equal(flb_yw_load(&w, path, err), 0);
	flb_yw_for_each_pair(flb_yw_root(&w), p) {
		yaml_node_t *k = flb_yw_node(&w, p->key);

		if (!flb_yw_find(many, flb_yw_scalar(k)))
			flb_yw_unknown(&w, k, "the test", many, NULL, NULL);
	}
	flb_yw_free(&w);
	fclose(err);
	unlink(path);
	assert_int_equal(w.errors, 2);
	assert_non_null(strstr(msg, ":1:1: unknown key 'a' in the test\n"));
	assert_non_null(strstr(msg, ":2:1: unknown key 'repaet' in the test (did you mean 'repeat'?)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_sizes_and_durations),
		cmocka_unit_test(test_bool_enum_string),
		cmocka_unit_test(test_did_you_mean),
		cmocka_unit_test(test_sweep_expansion),
		cmocka_unit_test(test_errors_have_positions),
		cmocka_unit_test(test_other_arch_events_not_validated),
		cmocka_unit_test(test_counter_mode),
		cmocka_unit_test(test_suite_settings),
		cmocka_unit_test(test_unknown_key_all_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
