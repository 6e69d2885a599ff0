// SPDX-License-Identifier: GPL-2.0
/*
 * The results store (bench/store.c): schema creation and checks, refusing
 * files that are not ours without touching them, writing and reading back
 * samples, stale runs, import, and several writers / a SIGKILLed writer on
 * one database. The raw sqlite3 calls here only forge bad databases.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"
#include "util.h"

struct fx {
	char dir[64];
	char db[128];
};

static int fx_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	strcpy(fx->dir, "/tmp/fbstore.XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	snprintf(fx->db, sizeof(fx->db), "%s/results.db", fx->dir);
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	if (system(cmd))
		return -1;
	free(fx);
	return 0;
}

static void assert_same_bytes(const char *path, const char *was, size_t len)
{
	size_t now_len;
	char *now = flb_slurp(path, &now_len);

	assert_non_null(now);
	assert_int_equal(now_len, len);
	assert_memory_equal(now, was, len);
	free(now);
}

static bool exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

static bool exists_suffix(const char *path, const char *suffix)
{
	char p[256];

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return exists(p);
}

/* Size of path's -wal file, -1 when there is none or it is empty. */
static long wal_size(const char *path)
{
	char p[256];
	struct stat sb;

	snprintf(p, sizeof(p), "%s-wal", path);
	if (stat(p, &sb) || sb.st_size == 0)
		return -1;
	return (long)sb.st_size;
}

/* Forge: run sql on path directly (sqlite3 API, not the store). */
static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* Column 0 of the first row of sql (with ?1 = id), read directly. */
static const char *raw_text(const char *path, const char *sql, int64_t id)
{
	static char text[64];
	sqlite3_stmt *s;
	sqlite3 *db;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int64(s, 1, id);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	snprintf(text, sizeof(text), "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	return text;
}

/* The status of a run as stored (not as flb_store_runs reports it). */
static const char *raw_status(const char *path, int64_t run)
{
	return raw_text(path, "SELECT status FROM runs WHERE id = ?1", run);
}

static struct flb_store *open_ok(const char *path, enum flb_store_mode mode)
{
	struct flb_store *st;
	char err[512] = "";

	if (flb_store_open(path, mode, &st, err, sizeof(err)))
		fail_msg("open %s: %s", path, err);
	return st;
}

static void env_clear(struct flb_env *env)
{
	for (size_t i = 0; i < env->n; i++) {
		free(env->kv[i].key);
		free(env->kv[i].value);
	}
	free(env->kv);
	env->kv = NULL;
	env->n = 0;
}

static const char *run_status(struct flb_store *st, int64_t run)
{
	static char status[16];
	struct flb_run_row *rows;
	char spec[32];
	size_t n;

	snprintf(spec, sizeof(spec), "#%lld", (long long)run);
	assert_int_equal(flb_store_runs(st, spec, &rows, &n), 0);
	assert_int_equal(n, 1);
	snprintf(status, sizeof(status), "%s", rows[0].status);
	free(rows);
	return status;
}

static long run_nsamples(struct flb_store *st, int64_t run)
{
	struct flb_run_row *rows;
	char spec[32];
	size_t n;
	long ns;

	snprintf(spec, sizeof(spec), "#%lld", (long long)run);
	assert_int_equal(flb_store_runs(st, spec, &rows, &n), 0);
	ns = rows[0].nsamples;
	free(rows);
	return ns;
}

static const char *const cnames[] = { "page-faults", "tlb:tlb_flush" };

/* A plain ok sample: ops 1000 in 2 ms, two counters, one metric. */
static int64_t add_sample(struct flb_store *st, int64_t run, unsigned int seq)
{
	static const struct flb_metric m = {
		.name = "p99", .unit = "ns", .value = 2500,
		.better = FLB_LOWER_IS_BETTER,
	};
	const double cvals[] = { 3000, 500 };
	struct flb_sample_rec r = {
		.job = 0, .workload = "fork", .params = "rss=0 threads=0",
		.seq = seq, .status = FLB_OK, .ops = 1000,
		.elapsed_ns = 2000000, .cpus = "0",
		.ncounters = 2, .counter_names = cnames,
		.counter_values = cvals, .nmetrics = 1, .metrics = &m,
	};

	return flb_store_sample_add(st, run, &r);
}

/*
 * A counting sample: the same counters per op, but 3 ms and another p99,
 * which no reader may take for a measurement.
 */
static int64_t add_counting(struct flb_store *st, int64_t run, unsigned int seq)
{
	static const struct flb_metric m = {
		.name = "p99", .unit = "ns", .value = 9999,
		.better = FLB_LOWER_IS_BETTER,
	};
	const double cvals[] = { 3000, 500 };
	struct flb_sample_rec r = {
		.job = 0, .workload = "fork", .params = "rss=0 threads=0",
		.seq = seq, .status = FLB_OK, .ops = 1000,
		.elapsed_ns = 3000000, .cpus = "0", .counting = true,
		.ncounters = 2, .counter_names = cnames,
		.counter_values = cvals, .nmetrics = 1, .metrics = &m,
	};

	return flb_store_sample_add(st, run, &r);
}

/* Cut every occurrence of cut out of s, in place. */
static void cut_all(char *s, const char *cut)
{
	size_t n = strlen(cut);
	char *p;

	while ((p = strstr(s, cut)))
		memmove(p, p + n, strlen(p + n) + 1);
}

/*
 * Make the store at path what schema version `to` (1 or 2) wrote: no
 * samples.kind, and the view without the filters on it (version 3's
 * view, as the store made it, less those).
 */
static void downgrade(const char *path, int to)
{
	char sql[256], *view;
	sqlite3_stmt *q;
	sqlite3 *db;

	raw_exec(path, "DROP INDEX runs_uuid; ALTER TABLE runs DROP COLUMN uuid");
	if (to == 3)
		goto version;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master"
					    " WHERE name = 'sample_values'",
					    -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	view = strdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	sqlite3_close(db);
	assert_non_null(view);
	cut_all(view, " AND s.kind = 'timed'");
	cut_all(view, " AND kind = 'timed'");
	assert_null(strstr(view, "kind"));
	raw_exec(path, "DROP VIEW sample_values;"
		 " ALTER TABLE samples DROP COLUMN kind");
	raw_exec(path, view);
	free(view);
	if (to < 2)
		raw_exec(path, "DROP TABLE calibration");
version:
	snprintf(sql, sizeof(sql), "UPDATE meta SET value = '%d'"
		 " WHERE key = 'schema_version'", to);
	raw_exec(path, sql);
}

static void test_create_reopen(void **state)
{
	struct fx *fx = *state;
	struct flb_run_row *rows;
	struct flb_store *st;
	size_t n;

	st = open_ok(fx->db, FLB_STORE_RW);
	flb_store_close(st);
	assert_true(exists(fx->db));
	st = open_ok(fx->db, FLB_STORE_RW);
	assert_int_equal(flb_store_runs(st, NULL, &rows, &n), 0);
	assert_int_equal(n, 0);
	free(rows);
	flb_store_close(st);
	st = open_ok(fx->db, FLB_STORE_RO);
	assert_int_equal(flb_store_runs(st, NULL, &rows, &n), 0);
	assert_int_equal(n, 0);
	free(rows);
	/* a reader cannot write */
	assert_true(flb_store_run_begin(st, "x", NULL, NULL, NULL, NULL) < 0);
	assert_non_null(strstr(flb_store_error(st), "read-only"));
	flb_store_close(st);

	/* an empty file is an empty database: it becomes a store */
	fclose(fopen(fx->db, "w"));
	st = open_ok(fx->db, FLB_STORE_RW);
	flb_store_close(st);
}

/* Opening path in both modes fails with want in the message; nothing changes. */
static void refused(const char *path, const char *want)
{
	struct flb_store *st = (struct flb_store *)1;
	size_t len;
	char *was = flb_slurp(path, &len);
	long wal = wal_size(path);
	char err[512];
	int mode;

	assert_non_null(was);
	for (mode = FLB_STORE_RO; mode <= FLB_STORE_RW; mode++) {
		err[0] = '\0';
		assert_int_equal(flb_store_open(path, mode, &st, err,
					       sizeof(err)), -1);
		assert_null(st);
		if (!strstr(err, want))
			fail_msg("error '%s' does not say '%s'", err, want);
		assert_same_bytes(path, was, len);
		/* SQLite may leave an empty -wal beside a WAL-mode file */
		assert_int_equal(wal_size(path), wal);
		assert_false(exists_suffix(path, "-journal"));
	}
	free(was);
}

static void test_newer_schema(void **state)
{
	struct fx *fx = *state;
	char want[256];

	flb_store_close(open_ok(fx->db, FLB_STORE_RW));
	raw_exec(fx->db, "UPDATE meta SET value = '7' WHERE key = 'schema_version'");
	snprintf(want, sizeof(want),
		 "%s: schema version 7 is newer than this flushbench (%d)",
		 fx->db, FLB_SCHEMA_VERSION);
	refused(fx->db, want);
	raw_exec(fx->db, "UPDATE meta SET value = 'v2' WHERE key = 'schema_version'");
	refused(fx->db, "unknown schema version 'v2'");
}

struct calib_seen {
	int n;
	char params[64];
	double run_var, inv_var, boot_var;
	long runs, invocations;
};

static int on_calib(void *arg, const struct flb_calib *c)
{
	struct calib_seen *s = arg;

	s->n++;
	snprintf(s->params, sizeof(s->params), "%s", c->params);
	s->run_var = c->run_var;
	s->inv_var = c->inv_var;
	s->boot_var = c->boot_var;
	s->runs = c->runs;
	s->invocations = c->invocations;
	return 0;
}

/*
 * Calibrations: stored per host, config and row in one transaction, the
 * same key replaced, read back by host and config only; a reader cannot
 * store one; a row without a run variance stores nothing. A store of
 * schema version 1 (no calibration table) is read as it is and has none;
 * a writer migrates it to the current version.
 */
static void test_calibration(void **state)
{
	struct fx *fx = *state;
	struct flb_calib k[2] = {
		{ .workload = "fork", .params = "rss=0", .metric = "ns_per_op",
		  .label = "aa", .runs = 5, .invocations = 5, .boots = 1,
		  .samples_per_run = 10, .run_var = NAN, .inv_var = 4e-4,
		  .within_var = 1e-4, .boot_var = NAN,
		  .sample_seconds = 0.2, .median = 1000 },
		{ .workload = "munmap", .params = "size=2M", .metric = "ns_per_op",
		  .label = "aa", .runs = 6, .invocations = 3, .boots = 2,
		  .samples_per_run = 10, .run_var = 9e-4, .inv_var = 2e-4,
		  .within_var = NAN, .boot_var = 1e-3 },
	};
	struct calib_seen seen = { 0 };
	struct flb_store *st = open_ok(fx->db, FLB_STORE_RW);
	size_t len;
	char *was;

	assert_int_equal(flb_store_calib_put(st, "h1", "cfg", k, 2), 0);
	k[0].inv_var = 5e-4;
	k[0].runs = 7;
	assert_int_equal(flb_store_calib_put(st, "h1", "cfg", k, 1), 0);
	assert_int_equal(flb_store_calib_put(st, "h2", "cfg", k, 1), 0);
	k[1].run_var = k[1].inv_var = NAN;
	assert_int_equal(flb_store_calib_put(st, "h1", "other", k, 2), -1);
	flb_store_close(st);
	st = open_ok(fx->db, FLB_STORE_RO);
	assert_int_equal(flb_store_calib_get(st, "h1", "cfg", on_calib, &seen), 0);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.params, "size=2M");	/* ordered by row */
	assert_float_equal(seen.boot_var, 1e-3, 0);
	assert_float_equal(seen.inv_var, 2e-4, 0);
	assert_int_equal(seen.invocations, 3);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(flb_store_calib_get(st, "h1", "other", on_calib, &seen), 0);
	assert_int_equal(seen.n, 0);			/* nothing half-stored */
	assert_int_equal(flb_store_calib_get(st, "h2", "cfg", on_calib, &seen), 0);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.runs, 7);			/* replaced */
	assert_float_equal(seen.inv_var, 5e-4, 0);
	assert_true(isnan(seen.run_var) && isnan(seen.boot_var));
	assert_int_equal(flb_store_calib_put(st, "h1", "cfg", k, 1), -1);
	flb_store_close(st);
	/* version 1: readable as is, without calibrations */
	downgrade(fx->db, 1);
	was = flb_slurp(fx->db, &len);
	st = open_ok(fx->db, FLB_STORE_RO);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(flb_store_calib_get(st, "h1", "cfg", on_calib, &seen), 0);
	assert_int_equal(seen.n, 0);
	flb_store_close(st);
	assert_same_bytes(fx->db, was, len);
	free(was);
	flb_store_close(open_ok(fx->db, FLB_STORE_RW));
	assert_string_equal(raw_text(fx->db, "SELECT value FROM meta WHERE key = 'schema_version' AND ?1", 1), "4");
}

static void test_garbage(void **state)
{
	struct fx *fx = *state;
	char want[256];
	FILE *f;
	int i;

	f = fopen(fx->db, "w");
	for (i = 0; i < 200; i++)
		fprintf(f, "this is not a database, line %d\n", i);
	fclose(f);
	snprintf(want, sizeof(want), "%s: file is not a database", fx->db);
	refused(fx->db, want);
}

static void test_foreign_sqlite(void **state)
{
	struct fx *fx = *state;

	raw_exec(fx->db, "CREATE TABLE photos (id INTEGER, name TEXT)");
	refused(fx->db, "not a flushbench database");
}

static void test_ro_missing(void **state)
{
	struct fx *fx = *state;
	struct flb_store *st;
	char err[512] = "", want[256];

	assert_int_equal(flb_store_open(fx->db, FLB_STORE_RO, &st, err,
				       sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", fx->db);
	assert_string_equal(err, want);
	assert_false(exists(fx->db));
}

struct seen {
	int n;
	int ns, ops, pf, flush, p99;
};

static int check_value(void *arg, const struct flb_value *v)
{
	struct seen *s = arg;

	s->n++;
	assert_string_equal(v->workload, "fork");
	assert_string_equal(v->params, "rss=0 threads=0");
	if (!strcmp(v->metric, "ns_per_op")) {
		s->ns++;
		assert_string_equal(v->unit, "ns");
		assert_int_equal(v->better, FLB_LOWER_IS_BETTER);
		assert_true(fabs(v->value - 2000.0) < 1e-9);
	} else if (!strcmp(v->metric, "ops_per_sec")) {
		s->ops++;
		assert_string_equal(v->unit, "ops/s");
		assert_int_equal(v->better, FLB_HIGHER_IS_BETTER);
		assert_true(fabs(v->value - 500000.0) < 1e-6);
	} else if (!strcmp(v->metric, "page-faults/op")) {
		s->pf++;
		assert_int_equal(v->better, FLB_LOWER_IS_BETTER);
		assert_true(fabs(v->value - 3.0) < 1e-12);
	} else if (!strcmp(v->metric, "tlb:tlb_flush/op")) {
		s->flush++;
		assert_true(fabs(v->value - 0.5) < 1e-12);
	} else if (!strcmp(v->metric, "p99")) {
		s->p99++;
		assert_string_equal(v->unit, "ns");
		assert_int_equal(v->better, FLB_LOWER_IS_BETTER);
		assert_true(fabs(v->value - 2500.0) < 1e-9);
	} else {
		fail_msg("unexpected metric %s", v->metric);
	}
	return 0;
}

/* Counts the values it sees and returns ret (non-zero stops the walk). */
struct counting {
	int n;
	int ret;
};

static int count_values(void *arg, const struct flb_value *v)
{
	struct counting *c = arg;

	(void)v;
	c->n++;
	return c->ret;
}

static void test_write_read(void **state)
{
	struct fx *fx = *state;
	struct flb_kv kv[] = {
		{ "kernel.release", "6.1.0-test" }, { "cpu.count", "2" },
	};
	struct flb_env env = { kv, 2 }, got = { 0 };
	struct flb_sample_rec skip = {
		.workload = "fork", .params = "rss=0 threads=0", .seq = 0,
		.status = FLB_SKIP, .reason = "needs 4 CPUs",
	};
	struct seen seen = { 0 };
	struct flb_run_row *rows;
	struct flb_store *st;
	int64_t run, other;
	char *cfg, spec[32];
	size_t n;
	struct counting stop = { .ret = 7 };

	st = open_ok(fx->db, FLB_STORE_RW);
	run = flb_store_run_begin(st, "base", "configs/quick.yaml",
				 "fork: {}\n", "sha256:abc", &env);
	assert_true(run > 0);
	assert_true(add_sample(st, run, 0) > 0);
	assert_true(add_sample(st, run, 1) > 0);
	assert_true(add_counting(st, run, 0) > 0);
	assert_true(flb_store_sample_add(st, run, &skip) > 0);
	assert_int_equal(flb_store_unsupported(st, run, "dTLB-load-misses",
					      "no hardware PMU"), 0);
	assert_int_equal(flb_store_env_put(st, run, "ended", "yes"), 0);
	assert_int_equal(flb_store_run_end(st, run, "complete"), 0);
	/* a finished run takes no more samples, nor a second end */
	assert_true(add_sample(st, run, 2) < 0);
	assert_non_null(strstr(flb_store_error(st), "is complete, not running"));
	assert_int_equal(flb_store_run_end(st, run, "aborted"), -1);
	assert_int_equal(flb_store_run_end(st, run, "done"), -1);

	other = flb_store_run_begin(st, "12", NULL, NULL, NULL, NULL);
	assert_true(other > 0);
	flb_store_close(st);
	assert_string_equal(raw_text(fx->db, "SELECT kind || ' ' || elapsed_ns || ' '"
				     " || coalesce(ns_per_op, 'NULL') || ' ' ||"
				     " coalesce(ops_per_sec, 'NULL') FROM samples"
				     " WHERE kind = 'counting' AND ?1", 1),
			    "counting 3000000 NULL NULL");

	st = open_ok(fx->db, FLB_STORE_RO);
	assert_int_equal(flb_store_values(st, &run, 1, check_value, &seen), 0);
	/*
	 * The skip sample gives nothing: 2 timed samples x 5 values, and the
	 * counting sample its 2 counters only (its 3 ms and p99 would fail
	 * check_value's figures).
	 */
	assert_int_equal(seen.n, 12);
	assert_int_equal(seen.ns, 2);
	assert_int_equal(seen.ops, 2);
	assert_int_equal(seen.pf, 3);
	assert_int_equal(seen.flush, 3);
	assert_int_equal(seen.p99, 2);
	assert_int_equal(flb_store_values(st, &run, 1, count_values, &stop), 7);
	assert_int_equal(stop.n, 1);

	assert_int_equal(flb_store_runs(st, "base", &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, run);
	assert_string_equal(rows[0].label, "base");
	assert_string_equal(rows[0].status, "complete");
	assert_string_equal(rows[0].config_hash, "sha256:abc");
	assert_int_equal(rows[0].nsamples, 4);
	assert_int_equal(strlen(rows[0].started_at), 24);
	assert_int_equal(rows[0].started_at[23], 'Z');
	assert_int_equal(strlen(rows[0].ended_at), 24);
	free(rows);
	snprintf(spec, sizeof(spec), "#%lld", (long long)run);
	assert_int_equal(flb_store_runs(st, spec, &rows, &n), 0);
	assert_int_equal(rows[0].id, run);
	free(rows);
	snprintf(spec, sizeof(spec), "%lld", (long long)run);
	assert_int_equal(flb_store_runs(st, spec, &rows, &n), 0);
	assert_int_equal(rows[0].id, run);
	free(rows);
	/* a label that looks like an id is a label; "#12" is an id */
	assert_int_equal(flb_store_runs(st, "12", &rows, &n), 0);
	assert_int_equal(rows[0].id, other);
	free(rows);
	assert_int_equal(flb_store_runs(st, "#12", &rows, &n), -1);
	assert_string_equal(flb_store_error(st), "no run with label or id '#12'");
	assert_int_equal(flb_store_runs(st, "nope", &rows, &n), -1);
	assert_string_equal(flb_store_error(st), "no run with label or id 'nope'");
	assert_null(rows);
	assert_int_equal(flb_store_runs(st, NULL, &rows, &n), 0);
	assert_int_equal(n, 2);
	free(rows);

	assert_int_equal(flb_store_env(st, run, &got), 0);
	assert_int_equal(got.n, 3);
	assert_string_equal(got.kv[0].key, "cpu.count");
	assert_string_equal(got.kv[1].key, "ended");
	assert_string_equal(got.kv[2].key, "kernel.release");
	assert_string_equal(got.kv[2].value, "6.1.0-test");
	env_clear(&got);
	assert_int_equal(flb_store_env(st, 999, &got), -1);

	cfg = flb_store_run_config(st, run);
	assert_non_null(cfg);
	assert_string_equal(cfg, "fork: {}\n");
	free(cfg);
	assert_null(flb_store_run_config(st, other));
	flb_store_close(st);
}

/*
 * Version 2 (no samples.kind): read as is, imported as timed samples,
 * migrated to 3 with every old sample timed and the values unchanged.
 */
static void test_migrate_v2(void **state)
{
	struct fx *fx = *state;
	struct flb_store *st = open_ok(fx->db, FLB_STORE_RW);
	struct seen seen = { 0 };
	char dst[160];
	int64_t run, *ids;
	size_t n;

	run = flb_store_run_begin(st, "old", NULL, NULL, NULL, NULL);
	assert_true(add_sample(st, run, 0) > 0);
	assert_true(add_sample(st, run, 1) > 0);
	assert_int_equal(flb_store_run_end(st, run, "complete"), 0);
	flb_store_close(st);
	downgrade(fx->db, 2);

	st = open_ok(fx->db, FLB_STORE_RO);
	assert_int_equal(flb_store_values(st, &run, 1, check_value, &seen), 0);
	assert_int_equal(seen.n, 10);
	flb_store_close(st);

	snprintf(dst, sizeof(dst), "%s/new.db", fx->dir);
	st = open_ok(dst, FLB_STORE_RW);
	assert_int_equal(flb_store_import(st, fx->db, NULL, NULL, &ids, &n, NULL), 0);
	assert_int_equal(n, 1);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(flb_store_values(st, ids, 1, check_value, &seen), 0);
	assert_int_equal(seen.n, 10);
	free(ids);
	flb_store_close(st);
	assert_string_equal(raw_text(dst, "SELECT group_concat(DISTINCT kind)"
				     " FROM samples WHERE ?1", 1), "timed");

	flb_store_close(open_ok(fx->db, FLB_STORE_RW));
	assert_string_equal(raw_text(fx->db, "SELECT value FROM meta WHERE key = 'schema_version' AND ?1", 1), "4");
	assert_string_equal(raw_text(fx->db, "SELECT group_concat(kind) FROM samples"
				     " WHERE run_id = ?1", run), "timed,timed");
	st = open_ok(fx->db, FLB_STORE_RO);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(flb_store_values(st, &run, 1, check_value, &seen), 0);
	assert_int_equal(seen.n, 10);
	flb_store_close(st);
}

/*
 * Version 3 (no runs.uuid): a run read as is has the uuid it gets when the
 * store is migrated, so importing it before and after is the same run.
 */
static void test_migrate_v3(void **state)
{
	struct fx *fx = *state;
	struct flb_store *st = open_ok(fx->db, FLB_STORE_RW);
	struct flb_run_row *rows;
	char dst[160], uuid[2][FLB_UUID_LEN];
	int64_t run[2], *ids;
	size_t n, present;
	int i;

	for (i = 0; i < 2; i++) {
		run[i] = flb_store_run_begin(st, "old", NULL, NULL, NULL, NULL);
		assert_true(add_sample(st, run[i], 0) > 0);
		assert_int_equal(flb_store_run_end(st, run[i], "complete"), 0);
	}
	flb_store_close(st);
	downgrade(fx->db, 3);

	st = open_ok(fx->db, FLB_STORE_RO);
	assert_int_equal(flb_store_runs(st, "old", &rows, &n), 0);
	assert_int_equal(n, 2);
	for (i = 0; i < 2; i++) {
		snprintf(uuid[i], sizeof(uuid[i]), "%s", rows[i].uuid);
		assert_int_equal(strlen(uuid[i]), 36);
		assert_int_equal(uuid[i][14], '8');	/* derived: version 8 */
	}
	assert_string_not_equal(uuid[0], uuid[1]);
	free(rows);
	flb_store_close(st);

	snprintf(dst, sizeof(dst), "%s/new.db", fx->dir);
	st = open_ok(dst, FLB_STORE_RW);
	assert_int_equal(flb_store_import(st, fx->db, NULL, NULL, &ids, &n,
					  &present), 0);
	assert_int_equal(n, 2);
	assert_int_equal(present, 0);
	free(ids);
	flb_store_close(st);

	/* migrated: the same uuids, so a second import adds nothing */
	flb_store_close(open_ok(fx->db, FLB_STORE_RW));
	assert_string_equal(raw_text(fx->db, "SELECT uuid FROM runs WHERE id = ?1",
				     run[0]), uuid[0]);
	assert_string_equal(raw_text(fx->db, "SELECT uuid FROM runs WHERE id = ?1",
				     run[1]), uuid[1]);
	st = open_ok(dst, FLB_STORE_RW);
	assert_int_equal(flb_store_import(st, fx->db, NULL, NULL, &ids, &n,
					  &present), 0);
	assert_int_equal(n, 2);
	assert_int_equal(present, 2);
	free(ids);
	assert_int_equal(flb_store_runs(st, NULL, &rows, &n), 0);
	assert_int_equal(n, 2);
	free(rows);
	flb_store_close(st);
	/* a new run's uuid is random: version 4 */
	st = open_ok(fx->db, FLB_STORE_RW);
	run[0] = flb_store_run_begin(st, "new", NULL, NULL, NULL, NULL);
	assert_true(run[0] > 0);
	assert_int_equal(raw_text(fx->db, "SELECT uuid FROM runs WHERE id = ?1",
				  run[0])[14], '4');
	flb_store_close(st);
}

static void test_bad_sample(void **state)
{
	struct fx *fx = *state;
	const char *names[] = { "page-faults" };
	const double vals[] = { NAN };
	struct flb_sample_rec r = {
		.workload = "fork", .status = FLB_OK, .ops = 10,
		.elapsed_ns = 100, .ncounters = 1, .counter_names = names,
		.counter_values = vals,
	};
	struct flb_store *st = open_ok(fx->db, FLB_STORE_RW);
	int64_t run = flb_store_run_begin(st, NULL, NULL, NULL, NULL, NULL);

	assert_true(run > 0);
	assert_true(flb_store_sample_add(st, run, &r) < 0);
	assert_non_null(strstr(flb_store_error(st), "page-faults"));
	assert_true(add_sample(st, run + 1, 0) < 0);
	assert_non_null(strstr(flb_store_error(st), "no run #"));
	assert_int_equal(flb_store_env_put(st, run + 1, "k", "v"), -1);
	assert_non_null(strstr(flb_store_error(st), "no run #"));
	assert_int_equal(flb_store_unsupported(st, run + 1, "cycles", "no PMU"), -1);
	assert_non_null(strstr(flb_store_error(st), "no run #"));
	assert_int_equal(run_nsamples(st, run), 0);
	flb_store_close(st);
}

/* In a child: begin a run, store one sample, die without ending it. */
static int64_t run_in_dead_child(const char *db)
{
	int64_t run = -1;
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct flb_store *st;
		char err[512];

		close(fds[0]);
		if (flb_store_open(db, FLB_STORE_RW, &st, err, sizeof(err)))
			_exit(1);
		run = flb_store_run_begin(st, "dead", NULL, NULL, NULL, NULL);
		if (run < 0 || add_sample(st, run, 0) < 0)
			_exit(1);
		if (write(fds[1], &run, sizeof(run)) != sizeof(run))
			_exit(1);
		_exit(0);	/* no run_end, no close */
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &run, sizeof(run)), sizeof(run));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return run;
}

static void test_stale_run(void **state)
{
	struct fx *fx = *state;
	struct flb_store *st, *ro;
	int64_t dead, mine, other_boot, reused;
	char when[32];
	time_t t;
	char *db, *wal, sql[128], walpath[160];
	size_t dblen, wallen;

	st = open_ok(fx->db, FLB_STORE_RW);
	mine = flb_store_run_begin(st, "mine", NULL, NULL, NULL, NULL);
	other_boot = flb_store_run_begin(st, "rebooted", NULL, NULL, NULL, NULL);
	assert_true(mine > 0 && other_boot > 0);
	snprintf(sql, sizeof(sql),
		 "UPDATE runs SET boot_id = 'another-boot' WHERE id = %lld",
		 (long long)other_boot);
	raw_exec(fx->db, sql);
	/*
	 * A run of this pid that began a minute before this process did
	 * (but after boot): the pid was reused.
	 */
	reused = flb_store_run_begin(st, "reused", NULL, NULL, NULL, NULL);
	assert_true(reused > 0);
	t = time(NULL) - 60;
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S.000Z", gmtime(&t));
	snprintf(sql, sizeof(sql),
		 "UPDATE runs SET started_at = '%s' WHERE id = %lld", when,
		 (long long)reused);
	raw_exec(fx->db, sql);
	dead = run_in_dead_child(fx->db);
	assert_true(dead > 0);

	/* a reader reports it aborted and writes nothing */
	db = flb_slurp(fx->db, &dblen);
	snprintf(walpath, sizeof(walpath), "%s-wal", fx->db);
	wal = flb_slurp(walpath, &wallen);
	assert_non_null(wal);
	ro = open_ok(fx->db, FLB_STORE_RO);
	assert_string_equal(run_status(ro, dead), "aborted");
	assert_string_equal(run_status(ro, other_boot), "aborted");
	assert_string_equal(run_status(ro, reused), "aborted");
	assert_string_equal(run_status(ro, mine), "running");
	flb_store_close(ro);
	assert_string_equal(raw_status(fx->db, dead), "running");
	assert_same_bytes(fx->db, db, dblen);
	assert_same_bytes(walpath, wal, wallen);
	free(db);
	free(wal);

	/* a writer marks it, ended at its last sample */
	flb_store_close(open_ok(fx->db, FLB_STORE_RW));
	assert_string_equal(run_status(st, dead), "aborted");
	assert_string_equal(run_status(st, other_boot), "aborted");
	assert_string_equal(run_status(st, reused), "aborted");
	assert_string_equal(run_status(st, mine), "running");
	assert_int_equal(run_nsamples(st, dead), 1);
	assert_string_equal(raw_status(fx->db, dead), "aborted");
	assert_true(add_sample(st, dead, 1) < 0);
	assert_true(add_sample(st, mine, 0) > 0);
	assert_int_equal(flb_store_run_end(st, mine, "complete"), 0);
	flb_store_close(st);
}

static void test_import(void **state)
{
	struct fx *fx = *state;
	struct flb_kv kv[] = { { "virt", "none" }, { "kernel.release", "6.1" } };
	struct flb_kv xkv[] = { { "virt", "kvm" }, { "qemu.version", "7.2" } };
	struct flb_env env = { kv, 2 }, extra = { xkv, 2 }, got = { 0 };
	char src[160], other[160], *srcbytes, *cfg;
	struct flb_run_row *rows, *rows2;
	struct flb_store *st, *st2;
	int64_t done, failed, *ids;
	size_t n, srclen, present, i;
	struct counting nv = { 0 };

	snprintf(src, sizeof(src), "%s/guest.db", fx->dir);
	snprintf(other, sizeof(other), "%s/other.db", fx->dir);
	st = open_ok(src, FLB_STORE_RW);
	done = flb_store_run_begin(st, "guest", "q.yaml", "fork: {}\n",
				  "h1", &env);
	assert_true(add_sample(st, done, 0) > 0);
	assert_true(add_sample(st, done, 1) > 0);
	assert_true(add_counting(st, done, 0) > 0);
	assert_int_equal(flb_store_unsupported(st, done, "cycles", "no PMU"), 0);
	assert_int_equal(flb_store_run_end(st, done, "complete"), 0);
	failed = flb_store_run_begin(st, "guest", NULL, NULL, NULL, NULL);
	assert_true(add_sample(st, failed, 0) > 0);
	assert_int_equal(flb_store_run_end(st, failed, "failed"), 0);
	flb_store_close(st);
	assert_true(run_in_dead_child(src) > 0);
	srcbytes = flb_slurp(src, &srclen);

	st = open_ok(fx->db, FLB_STORE_RW);
	assert_true(flb_store_run_begin(st, "host", NULL, NULL, NULL, NULL) > 0);
	assert_int_equal(flb_store_import(st, src, "vm-x86", &extra, &ids, &n, NULL), 0);
	assert_int_equal(n, 3);
	assert_string_equal(run_status(st, ids[0]), "complete");
	assert_string_equal(run_status(st, ids[1]), "failed");
	assert_string_equal(run_status(st, ids[2]), "aborted");
	assert_int_equal(run_nsamples(st, ids[0]), 3);
	assert_int_equal(flb_store_values(st, ids, 1, check_value, &(struct seen){ 0 }), 0);
	assert_int_equal(flb_store_values(st, ids, 1, count_values, &nv), 0);
	assert_int_equal(nv.n, 12);
	assert_int_equal(flb_store_runs(st, "vm-x86", &rows, &n), 0);
	assert_int_equal(n, 3);
	free(rows);
	assert_int_equal(flb_store_env(st, ids[0], &got), 0);
	assert_int_equal(got.n, 3);
	assert_string_equal(got.kv[0].key, "kernel.release");
	assert_string_equal(got.kv[1].key, "qemu.version");
	assert_string_equal(got.kv[2].key, "virt");
	assert_string_equal(got.kv[2].value, "kvm");
	env_clear(&got);
	cfg = flb_store_run_config(st, ids[0]);
	assert_string_equal(cfg, "fork: {}\n");
	free(cfg);
	free(ids);

	/* the same runs again (their uuids are here): a no-op, same ids */
	assert_int_equal(flb_store_runs(st, "vm-x86", &rows, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(flb_store_import(st, src, NULL, NULL, &ids, &n,
					  &present), 0);
	assert_int_equal(n, 3);
	assert_int_equal(present, 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(ids[i], rows[i].id);
	free(rows);
	free(ids);
	assert_int_equal(flb_store_runs(st, NULL, &rows, &n), 0);
	assert_int_equal(n, 4);
	free(rows);

	/* without a label the source's label stays (another store) */
	st2 = open_ok(other, FLB_STORE_RW);
	assert_int_equal(flb_store_import(st2, src, NULL, NULL, &ids, &n,
					  &present), 0);
	assert_int_equal(n, 3);
	assert_int_equal(present, 0);
	assert_int_equal(flb_store_runs(st2, "guest", &rows, &n), 0);
	assert_int_equal(n, 2);
	free(rows);
	assert_int_equal(flb_store_runs(st2, "dead", &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].status, "aborted");
	/* a run keeps its uuid in every store it goes to */
	assert_int_equal(flb_store_runs(st, "vm-x86", &rows2, &n), 0);
	assert_string_equal(rows[0].uuid, rows2[2].uuid);
	assert_int_equal(strlen(rows[0].uuid), 36);
	free(rows2);
	free(rows);
	free(ids);
	flb_store_close(st2);

	assert_int_equal(flb_store_import(st, fx->db, NULL, NULL, &ids, &n, NULL), -1);
	assert_non_null(strstr(flb_store_error(st), "into itself"));

	/* a source that is not a store: an error, nothing imported */
	assert_int_equal(flb_store_import(st, fx->dir, NULL, NULL, &ids, &n, NULL), -1);
	assert_non_null(strstr(flb_store_error(st), ": Is a directory"));
	assert_null(ids);
	assert_int_equal(n, 0);
	assert_int_equal(flb_store_runs(st, NULL, &rows, &n), 0);
	assert_int_equal(n, 4);
	free(rows);
	flb_store_close(st);
	assert_same_bytes(src, srcbytes, srclen);
	free(srcbytes);

	/* origin says where a run came from */
	assert_string_equal(raw_text(fx->db, "SELECT origin FROM runs WHERE id = ?1", 1),
			    "native");
	assert_string_equal(raw_text(fx->db, "SELECT group_concat(DISTINCT origin)"
				     " FROM runs WHERE id > ?1", 1), "imported");
	assert_string_equal(raw_text(fx->db, "SELECT count(*) FROM counters c"
				     " JOIN samples s ON s.id = c.sample_id"
				     " WHERE s.run_id = ?1", 2), "6");
	assert_string_equal(raw_text(fx->db, "SELECT group_concat(kind) FROM samples"
				     " WHERE run_id = ?1 ORDER BY id", 2),
			    "timed,timed,counting");
	assert_string_equal(raw_text(fx->db, "SELECT reason FROM unsupported"
				     " WHERE run_id = ?1", 2), "no PMU");
	st = open_ok(fx->db, FLB_STORE_RO);
	assert_int_equal(flb_store_check(st), 0);
	flb_store_close(st);
}

#define NWRITE 200

/*
 * Child: open db, begin a run, wait for EOF on start_fd (if >= 0), then
 * write NWRITE samples, or with report_fd >= 0 write samples until killed,
 * one byte to report_fd after each commit. Exit status 0 if all went well.
 */
static void writer(const char *db, const char *label, int start_fd,
		   int report_fd)
{
	struct flb_store *st;
	char err[512], c;
	int64_t run;
	int i;

	if (flb_store_open(db, FLB_STORE_RW, &st, err, sizeof(err))) {
		fprintf(stderr, "writer %s: %s\n", label, err);
		_exit(1);
	}
	run = flb_store_run_begin(st, label, NULL, NULL, NULL, NULL);
	if (run < 0)
		goto err;
	while (start_fd >= 0 && read(start_fd, &c, 1) > 0)
		;
	for (i = 0; report_fd >= 0 || i < NWRITE; i++) {
		if (add_sample(st, run, i) < 0)
			goto err;
		if (report_fd >= 0 && write(report_fd, "s", 1) != 1)
			_exit(1);
	}
	if (flb_store_run_end(st, run, "complete"))
		goto err;
	flb_store_close(st);
	_exit(0);
err:
	fprintf(stderr, "writer %s: %s\n", label, flb_store_error(st));
	_exit(1);
}

static void test_two_writers(void **state)
{
	struct fx *fx = *state;
	struct flb_run_row *rows;
	struct flb_store *st;
	int i, status, go[2];
	int64_t last[2] = { 0 }, first[2] = { 0 };
	pid_t pid[2];
	size_t n;

	/* both create the database that does not exist yet, then write at once */
	assert_int_equal(pipe(go), 0);
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		assert_true(pid[i] >= 0);
		if (pid[i] == 0) {
			close(go[1]);
			writer(fx->db, i ? "b" : "a", go[0], -1);
		}
	}
	close(go[0]);
	close(go[1]);
	for (i = 0; i < 2; i++) {
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	st = open_ok(fx->db, FLB_STORE_RO);
	assert_int_equal(flb_store_runs(st, NULL, &rows, &n), 0);
	assert_int_equal(n, 2);
	for (i = 0; i < 2; i++) {
		assert_string_equal(rows[i].status, "complete");
		assert_int_equal(rows[i].nsamples, NWRITE);
	}
	free(rows);
	assert_int_equal(flb_store_check(st), 0);
	flb_store_close(st);
	for (i = 0; i < 2; i++) {
		first[i] = atoll(raw_text(fx->db, "SELECT min(id) FROM samples"
					  " WHERE run_id = ?1", i + 1));
		last[i] = atoll(raw_text(fx->db, "SELECT max(id) FROM samples"
					 " WHERE run_id = ?1", i + 1));
	}
	print_message("# two writers: samples %s\n",
		      first[0] < last[1] && first[1] < last[0] ?
		      "interleaved" : "did not interleave this time");
}

static void test_sigkill(void **state)
{
	struct fx *fx = *state;
	struct flb_store *st;
	int fds[2], status;
	long got = 0;
	char buf[64];
	ssize_t r;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		writer(fx->db, "killed", -1, fds[1]);
	}
	close(fds[1]);
	/* let it commit some samples, then kill it mid-stream */
	while (got < 100 && (r = read(fds[0], buf, sizeof(buf))) > 0)
		got += r;
	assert_true(got >= 100);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	while ((r = read(fds[0], buf, sizeof(buf))) > 0)
		got += r;
	close(fds[0]);

	st = open_ok(fx->db, FLB_STORE_RO);
	assert_int_equal(flb_store_check(st), 0);
	assert_string_equal(run_status(st, 1), "aborted");
	/* every sample it reported committed is there */
	assert_true(run_nsamples(st, 1) >= got);
	flb_store_close(st);
	assert_string_equal(raw_status(fx->db, 1), "running");
	st = open_ok(fx->db, FLB_STORE_RW);
	flb_store_close(st);
	assert_string_equal(raw_status(fx->db, 1), "aborted");
	st = open_ok(fx->db, FLB_STORE_RO);
	assert_true(run_nsamples(st, 1) >= got);
	assert_int_equal(flb_store_check(st), 0);
	flb_store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_reopen, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_calibration, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v3, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v2, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_garbage, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_foreign_sqlite, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_ro_missing, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_write_read, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_sample, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_stale_run, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_import, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_two_writers, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_sigkill, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
