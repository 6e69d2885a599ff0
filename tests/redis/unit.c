// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of workloads/redis-like: the histogram, the RESP parser, the
 * hash table (rehash, expiry, snapshot), and the redis_like workload driven
 * through its struct flb_workload (setup/run/teardown) against our server
 * and, when tests/redis/unit.sh started one, a real redis-server.
 * cmocka; run by tests/redis/unit.sh.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "hist.h"
#include "job.h"
#include "kvdb.h"
#include "resp.h"
#include "workload.h"

/* ---- histogram ---- */

static void hist_percentiles(void **unused)
{
	struct kv_hist h, h2;

	(void)unused;
	kv_hist_init(&h);
	for (uint64_t v = 1; v <= 100000; v++)
		kv_hist_add(&h, v);
	assert_int_equal(h.count, 100000);
	assert_in_range(kv_hist_quantile(&h, 0.5), 49000, 51000);
	assert_in_range(kv_hist_quantile(&h, 0.99), 97500, 100000);
	assert_in_range(kv_hist_quantile(&h, 0.999), 98500, 100000);
	assert_int_equal(kv_hist_quantile(&h, 0), 1);
	assert_int_equal(kv_hist_quantile(&h, 1), 100000);
	/* every small value is exact */
	kv_hist_init(&h2);
	kv_hist_add(&h2, 7);
	assert_int_equal(kv_hist_quantile(&h2, 0.5), 7);
	/* huge values do not fall off the end */
	kv_hist_add(&h2, UINT64_MAX);
	assert_int_equal(kv_hist_quantile(&h2, 1), UINT64_MAX);
	kv_hist_merge(&h, &h2);
	assert_int_equal(h.count, 100002);
	assert_int_equal(h.max, UINT64_MAX);
}

/* ---- RESP parser ---- */

static const struct resp_limits lim = {
	.max_bulk = 1 << 20, .max_args = 1024, .max_inline = 1024,
};

/* Parse all of s, fed n bytes at a time; commands joined as "a|b;". */
static int parse_str(const char *s, size_t len, size_t step, char *out, size_t olen)
{
	struct kv_buf q = { 0 };
	struct resp_req r;
	size_t fed = 0, o = 0;
	int rc = RESP_MORE;

	resp_req_init(&r);
	out[0] = '\0';
	while (fed < len && rc != RESP_ERR) {
		size_t n = len - fed < step ? len - fed : step;

		kv_buf_add(&q, s + fed, n);
		fed += n;
		while ((rc = resp_parse(&r, q.data, q.len, &lim)) == RESP_DONE) {
			for (size_t i = 0; i < r.argc; i++)
				o += (size_t)snprintf(out + o, olen - o, "%.*s%s",
						      (int)r.argv[i].len, q.data + r.argv[i].off,
						      i + 1 < r.argc ? "|" : ";");
			resp_req_next(&r);
		}
		/* drop what is done, as the server does */
		kv_buf_consume(&q, r.start);
		resp_req_shift(&r, r.start);
	}
	resp_req_free(&r);
	kv_buf_free(&q);
	return rc;
}

static void resp_good(void **unused)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "*1\r\n$4\r\nPING\r\n", "PING;" },
		{ "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n", "SET|k|;" },
		{ "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*1\r\n$4\r\nPING\r\n", "GET|a;PING;" },
		{ "PING\r\n", "PING;" },
		{ "  set  a   b\r\n\r\n\nGET a\n", "set|a|b;GET|a;" },
		{ "*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n", "PING;" },
		{ "*1\r\n$6\r\nbi\r\nry\r\n", "bi\r\nry;" },
	};
	char out[256];

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].in);

		for (size_t step = 1; step <= len; step++) {
			int rc = parse_str(cases[i].in, len, step, out, sizeof(out));

			if (rc != RESP_MORE || strcmp(out, cases[i].out))
				fail_msg("case %zu step %zu: rc %d, got '%s', want '%s'",
					 i, step, rc, out, cases[i].out);
		}
	}
}

static void resp_bad(void **unused)
{
	static const struct { const char *in, *err; } cases[] = {
		{ "*1\r\n$4611686018427387904\r\n", "invalid bulk length" },
		{ "*1\r\n$-3\r\n", "invalid bulk length" },
		{ "*1\r\n$2000000\r\n", "invalid bulk length" },	/* > max_bulk */
		{ "*99999999999\r\n", "invalid multibulk length" },
		{ "*1x\r\n", "invalid multibulk length" },
		{ "*1\r\nfoo\r\n", "expected '$', got 'f'" },
		{ "*2\r\n$3\r\nGETX\r\n", "not followed by CRLF" },	/* too long */
		{ "*1\r\n$99999999999999999999999\r\n", "invalid bulk length" },
		{ "*1\r\n$0012\r\n", "invalid bulk length" },
		{ "*1\r\r", "invalid multibulk length" },
	};
	char out[256], big[3000];
	struct resp_req r;

	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].in);

		for (size_t step = 1; step <= len; step++) {
			struct kv_buf q = { 0 };
			int rc;

			resp_req_init(&r);
			for (size_t fed = 0; fed < len; fed += step) {
				kv_buf_add(&q, cases[i].in + fed,
					   len - fed < step ? len - fed : step);
				rc = resp_parse(&r, q.data, q.len, &lim);
				if (rc == RESP_ERR)
					break;
			}
			if (rc != RESP_ERR || !strstr(r.err, cases[i].err))
				fail_msg("case %zu step %zu: rc %d '%s', want error '%s'",
					 i, step, rc, r.err, cases[i].err);
			resp_req_free(&r);
			kv_buf_free(&q);
		}
	}
	/* lines without an end: refused once over max_inline, not buffered */
	memset(big, 'x', sizeof(big));
	assert_int_equal(parse_str(big, sizeof(big), 512, out, sizeof(out)), RESP_ERR);
	big[0] = '*';
	assert_int_equal(parse_str(big, sizeof(big), 512, out, sizeof(out)), RESP_ERR);
	/* found by fuzz_resp: an over-long header is refused even when its
	 * CR is the last byte in (its LF not yet), as it is in pieces */
	memset(big, '1', sizeof(big));
	big[0] = '*';
	big[2000] = '\r';
	assert_int_equal(parse_str(big, 2001, 2001, out, sizeof(out)), RESP_ERR);
	assert_int_equal(parse_str(big, 2001, 100, out, sizeof(out)), RESP_ERR);
	/* a command cut in half is not an error: it waits */
	assert_int_equal(parse_str("*2\r\n$3\r\nGET\r\n$5\r\nab", 20, 3, out, sizeof(out)),
			 RESP_MORE);
}

static void resp_encode(void **unused)
{
	struct kv_buf b = { 0 };
	long long v;

	(void)unused;
	resp_add_status(&b, "OK");
	resp_add_int(&b, -42);
	resp_add_bulk(&b, "ab", 2);
	resp_add_nil(&b);
	resp_add_array(&b, 3);
	resp_add_error(&b, "ERR bad\r\nthing %d", 1);
	kv_buf_add(&b, "", 1);
	assert_string_equal(b.data, "+OK\r\n:-42\r\n$2\r\nab\r\n$-1\r\n*3\r\n-ERR bad  thing 1\r\n");
	kv_buf_free(&b);
	assert_true(kv_str2ll("-9223372036854775808", 20, &v) && v == INT64_MIN);
	assert_false(kv_str2ll("9223372036854775808", 19, &v));
	assert_false(kv_str2ll("-0", 2, &v));
	assert_false(kv_str2ll("", 0, &v));
}

/* ---- hash table ---- */

static void db_rehash_expire_snapshot(void **unused)
{
	char key[32], path[] = "/tmp/kvdb-test.XXXXXX", why[256];
	struct kv_db db;
	uint64_t keys = 0;
	int fd;

	(void)unused;
	kv_db_init(&db, 12345);
	for (int i = 0; i < 100000; i++) {
		int n = snprintf(key, sizeof(key), "key:%d", i);

		assert_int_equal(kv_db_set(&db, key, (size_t)n, key, (size_t)n, 0, 0, 1000), 1);
		/* lookups work in the middle of every incremental rehash */
		if (i % 997 == 0)
			for (int j = 0; j <= i; j += 101) {
				n = snprintf(key, sizeof(key), "key:%d", j);
				assert_non_null(kv_db_find(&db, key, (size_t)n, 1000));
			}
	}
	assert_int_equal(kv_db_size(&db), 100000);
	assert_int_equal(kv_db_set(&db, "key:5", 5, "x", 1, 0, KV_SET_NX, 1000), 0);
	assert_int_equal(kv_db_set(&db, "nokey", 5, "x", 1, 0, KV_SET_XX, 1000), 0);
	for (int i = 0; i < 99000; i++) {
		int n = snprintf(key, sizeof(key), "key:%d", i);

		assert_true(kv_db_del(&db, key, (size_t)n, 1000));
	}
	kv_db_cron(&db, 100000);	/* shrink and finish rehashing */
	kv_db_cron(&db, 100000);
	assert_true(db.t[0].size <= 4096);
	assert_int_equal(kv_db_size(&db), 1000);
	for (int i = 99000; i < 100000; i++) {
		int n = snprintf(key, sizeof(key), "key:%d", i);
		struct kv_entry *e = kv_db_find(&db, key, (size_t)n, 1000);

		assert_non_null(e);
		assert_memory_equal(e->val, key, (size_t)n);
	}
	/* expiry: lazy on access, active in the cycle */
	assert_int_equal(kv_db_set(&db, "t1", 2, "v", 1, 2000, 0, 1000), 1);
	assert_int_equal(kv_db_set(&db, "t2", 2, "v", 1, 2000, 0, 1000), 1);
	assert_non_null(kv_db_find(&db, "t1", 2, 1999));
	assert_null(kv_db_find(&db, "t1", 2, 2000));
	for (int i = 0; i < 100; i++)
		kv_db_expire_cycle(&db, 3000, 1000);
	assert_int_equal(db.nexpires, 0);
	assert_int_equal(kv_db_size(&db), 1000);
	/* snapshot */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(kv_db_save(&db, path, why, sizeof(why)), 0);
	assert_int_equal(kv_db_check_snapshot(path, &keys, why, sizeof(why)), 0);
	assert_int_equal(keys, 1000);
	unlink(path);
	assert_true(kv_db_save(&db, "/nonexistent/dir/x", why, sizeof(why)) < 0);
	assert_non_null(strstr(why, "/nonexistent/dir/x"));
	kv_db_free(&db);
	assert_int_equal(kv_db_size(&db), 0);
}

/* ---- the workload, through its struct ---- */

extern const struct flb_workload flb_wl_redis_like;

static const struct flb_option *opt(const char *name)
{
	for (const struct flb_option *o = flb_wl_redis_like.options; o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	fail_msg("redis_like has no option '%s'", name);
	return NULL;
}

static void *params_new(const char *server)
{
	char *p = calloc(1, flb_wl_redis_like.params_size);

	assert_non_null(p);
	*(uint64_t *)(p + opt("clients")->offset) = 8;
	strcpy(p + opt("ratio")->offset, "1:5");
	*(uint64_t *)(p + opt("data_size")->offset) = 32;
	*(uint64_t *)(p + opt("key_space")->offset) = 1000;
	*(int *)(p + opt("key_pattern")->offset) = 0;
	*(uint64_t *)(p + opt("pipeline")->offset) = 1;
	*(uint64_t *)(p + opt("threads")->offset) = 1;
	*(uint64_t *)(p + opt("bgsave_interval")->offset) = 20000000;	/* 20 ms */
	*(bool *)(p + opt("prefill")->offset) = true;
	strcpy(p + opt("server")->offset, server);
	return p;
}

static double metric(const struct flb_job *job, const char *name)
{
	for (unsigned int i = 0; i < job->nmetrics; i++)
		if (!strcmp(job->metrics[i].name, name))
			return job->metrics[i].value;
	fail_msg("no metric '%s'", name);
	return -1;
}

static void run_workload(const char *server)
{
	const struct flb_workload *wl = &flb_wl_redis_like;
	void *params = params_new(server), *state = NULL;
	int cpus[2] = { 0, sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 1 : 0 };
	unsigned int nt = wl->ntasks(params);
	struct flb_job *job;
	uint64_t done = 0;
	double bgsaves = 0;
	int rc;

	assert_int_equal(nt, 2);
	job = flb_job_new(wl, params, nt, cpus, 0);
	assert_non_null(job);
	rc = wl->setup(job, params, &state);
	if (rc != FLB_OK)
		fail_msg("setup: status %d: %s", rc, job->reason);
	for (int sample = 0; sample < 3; sample++) {
		flb_job_sample_reset(job);
		rc = wl->run(job, state, 3000, &done);
		if (rc != FLB_OK)
			fail_msg("run: status %d: %s", rc, job->reason);
		assert_int_equal(done, 3000);
		assert_true(metric(job, "client_ops_per_sec") > 0);
		assert_true(metric(job, "latency_p50") > 0);
		assert_true(metric(job, "latency_p50") <= metric(job, "latency_p99"));
		assert_true(metric(job, "latency_p99") <= metric(job, "latency_p99.9"));
		/* prefilled: every GET hits */
		assert_true(metric(job, "get_hit_ratio") == 1.0);
		bgsaves += metric(job, "bgsaves");
		/* the server ran where task 0 was placed */
		if (!strcmp(server, "builtin"))
			assert_int_equal(job->ran_on[0], cpus[0]);
		usleep(25000);	/* let the next sample start with a BGSAVE */
	}
	assert_true(bgsaves >= 1);
	wl->teardown(job, state);
	flb_job_free(job);
	free(params);
	/* our server (if any) was stopped and reaped: no child left */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* Needs FLUSHBENCH_KV_SERVER (unit.sh sets it). */
static void workload_builtin(void **unused)
{
	(void)unused;
	run_workload("builtin");
}

/* Needs REDIS_ADDR, a redis-server unit.sh started. */
static void workload_real_redis(void **unused)
{
	(void)unused;
	run_workload(getenv("REDIS_ADDR"));
}

static void workload_options(void **unused)
{
	const struct flb_workload *wl = &flb_wl_redis_like;
	char why[128];
	struct flb_job *job;
	void *params, *state = (void *)1;

	(void)unused;
	assert_int_equal(wl->version, FLB_WORKLOAD_VERSION);
	assert_non_null(flb_workload_find("redis_like"));
	assert_int_equal(opt("ratio")->check("5:1", why, sizeof(why)), 0);
	assert_int_equal(opt("ratio")->check("5", why, sizeof(why)), -1);
	assert_int_equal(opt("ratio")->check("0:0", why, sizeof(why)), -1);
	assert_int_equal(opt("server")->check("127.0.0.1:6379", why, sizeof(why)), 0);
	assert_int_equal(opt("server")->check("redis", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "HOST:PORT"));
	/* nothing listens on port 1: a skip that says why, nothing left over */
	params = params_new("127.0.0.1:1");
	job = flb_job_new(wl, params, 2, NULL, 0);
	assert_int_equal(wl->setup(job, params, &state), FLB_SKIP);
	assert_null(state);
	assert_non_null(strstr(job->reason, "127.0.0.1:1"));
	flb_job_free(job);
	free(params);
}

#define ADD(f) (tests[n++] = (struct CMUnitTest)cmocka_unit_test(f))
int main(void)
{
	/*
	 * cmocka prints a skip as "not ok ... # SKIP", which tests/run.sh
	 * counts as a failure: tests that cannot run here are left out and
	 * unit.sh reports the skip with its reason.
	 */
	const char *redis = getenv("REDIS_ADDR");
	struct CMUnitTest tests[8];
	size_t n = 0;

	ADD(hist_percentiles);
	ADD(resp_good);
	ADD(resp_bad);
	ADD(resp_encode);
	ADD(db_rehash_expire_snapshot);
	ADD(workload_options);
	if (getenv("FLUSHBENCH_KV_SERVER"))
		ADD(workload_builtin);
	if (redis && *redis)
		ADD(workload_real_redis);
	return _cmocka_run_group_tests("redis-like", tests, n, NULL, NULL);
}
