// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: opening and reading a store file, any bytes (bench/store.h):
 * flb_store_open read-only, flb_store_check, flb_store_runs, then for
 * every run flb_store_env, flb_store_timed, flb_store_not_ok,
 * flb_store_run_config, and flb_store_values over all runs. Each may fail,
 * with a message, never crash or leak; SQLite's own error paths (a plain
 * file, no custom VFS). The companions a WAL header makes SQLite create
 * (-shm, -wal) are removed before each input.
 */
#include <math.h>

#include "env.h"
#include "store.h"
#include "fuzz.h"

static int on_value(void *arg, const struct flb_value *v)
{
	size_t *n = arg;

	*n += strlen(v->workload) + strlen(v->params) + strlen(v->metric) +
	      strlen(v->unit) + (v->value == v->value);
	return 0;
}

static int on_timed(void *arg, const struct flb_timed *t)
{
	size_t *n = arg;

	*n += strlen(t->workload) + strlen(t->params);
	return 0;
}

static int on_not_ok(void *arg, const struct flb_not_ok *t)
{
	size_t *n = arg;

	*n += strlen(t->workload) + strlen(t->params) + strlen(t->status) +
	      (t->reason ? strlen(t->reason) : 0);
	return 0;
}

static void unlink_companions(const char *path)
{
	static const char *const sfx[] = { "-wal", "-shm", "-journal" };
	char p[4200];

	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fz_tmp_path(".db");
	struct flb_store *st = NULL;
	struct flb_run_row *rows = NULL;
	char err[1024] = "";
	size_t nrows = 0, sum = 0;
	int64_t *ids;

	unlink_companions(path);
	fz_write(path, data, size);
	if (flb_store_open(path, FLB_STORE_RO, &st, err, sizeof(err))) {
		if (st)
			fz_fail("store: a failed open returned a store");
		if (!err[0])
			fz_fail("store: a failed open without a message");
		unlink_companions(path);
		return 0;
	}
	(void)flb_store_check(st);
	if (flb_store_runs(st, NULL, &rows, &nrows)) {
		if (!flb_store_error(st)[0])
			fz_fail("store: runs failed without a message");
		free(rows);
		flb_store_close(st);
		unlink_companions(path);
		return 0;
	}
	ids = malloc((nrows ? nrows : 1) * sizeof(*ids));
	if (!ids)
		abort();
	for (size_t i = 0; i < nrows; i++) {
		struct flb_env env = { 0 };
		char *cfg;

		ids[i] = rows[i].id;
		if (!memchr(rows[i].label, '\0', sizeof(rows[i].label)) ||
		    !memchr(rows[i].status, '\0', sizeof(rows[i].status)) ||
		    !memchr(rows[i].uuid, '\0', sizeof(rows[i].uuid)))
			fz_fail("store: a run row's text is not terminated");
		if (!flb_store_env(st, rows[i].id, &env)) {
			for (size_t k = 0; k < env.n; k++)
				sum += strlen(env.kv[k].key) + strlen(env.kv[k].value);
		}
		flb_env_free(&env);
		(void)flb_store_timed(st, rows[i].id, on_timed, &sum);
		(void)flb_store_not_ok(st, rows[i].id, on_not_ok, &sum);
		cfg = flb_store_run_config(st, rows[i].id);
		free(cfg);
	}
	(void)flb_store_values(st, ids, nrows, on_value, &sum);
	free(ids);
	free(rows);
	flb_store_close(st);
	unlink_companions(path);
	return sum == (size_t)-1;	/* keep the walks' reads */
}
