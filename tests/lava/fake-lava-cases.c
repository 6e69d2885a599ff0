// SPDX-License-Identifier: GPL-2.0
/*
 * TEMPORARY stand-in for `flushbench export --lava-cases --db DB` (being
 * written on another branch) so that tests/lava/run.sh can run the LAVA
 * job end to end before it is merged: remove this file, and the overlay
 * tests/lava/run.sh builds from it, once `export --lava-cases` is on main.
 *
 * The contract it follows: one line per primary row,
 * NAME<TAB>RESULT<TAB>VALUE<TAB>UNITS, NAME [A-Za-z0-9._-]+, RESULT
 * pass|fail|skip, VALUE the median of the row's primary metric (ns_per_op;
 * ops_per_sec for redis_like) over its ok timed samples in the store's
 * complete runs, empty for a skip.
 *
 * Usage: fake-lava-cases DB
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	sqlite3 *db;
	sqlite3_stmt *rows, *vals;

	if (argc != 2) {
		fprintf(stderr, "usage: fake-lava-cases DB\n");
		return 2;
	}
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) ||
	    sqlite3_prepare_v2(db,
		"SELECT s.workload, s.params, min(s.job),"
		" sum(s.status = 'fail'), sum(s.status = 'ok'), count(*)"
		" FROM samples s JOIN runs r ON r.id = s.run_id"
		" WHERE r.status = 'complete' AND s.kind = 'timed'"
		" GROUP BY s.workload, s.params ORDER BY min(s.job), s.workload, s.params",
		-1, &rows, NULL) ||
	    sqlite3_prepare_v2(db,
		"SELECT CASE WHEN s.workload = 'redis_like' THEN s.ops_per_sec ELSE s.ns_per_op END"
		" FROM samples s JOIN runs r ON r.id = s.run_id"
		" WHERE r.status = 'complete' AND s.kind = 'timed' AND s.status = 'ok'"
		" AND s.workload = ?1 AND s.params = ?2", -1, &vals, NULL)) {
		fprintf(stderr, "fake-lava-cases: %s: %s\n", argv[1], sqlite3_errmsg(db));
		return 1;
	}
	while (sqlite3_step(rows) == SQLITE_ROW) {
		const char *wl = (const char *)sqlite3_column_text(rows, 0);
		const char *pa = (const char *)sqlite3_column_text(rows, 1);
		int nfail = sqlite3_column_int(rows, 3), nok = sqlite3_column_int(rows, 4);
		char name[512];
		double v[4096];
		size_t n = 0, i;

		snprintf(name, sizeof(name), "%s.%s", wl, pa);
		for (i = 0; name[i]; i++)
			if (!isalnum((unsigned char)name[i]) && !strchr("._-", name[i]))
				name[i] = name[i] == '=' ? '-' : '_';
		if (!nok) {
			printf("%s\tskip\t\t\n", name);
			continue;
		}
		sqlite3_bind_text(vals, 1, wl, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(vals, 2, pa, -1, SQLITE_TRANSIENT);
		while (sqlite3_step(vals) == SQLITE_ROW && n < 4096)
			v[n++] = sqlite3_column_double(vals, 0);
		sqlite3_reset(vals);
		qsort(v, n, sizeof(v[0]), cmp);
		printf("%s\t%s\t%.1f\t%s\n", name, nfail ? "fail" : "pass",
		       n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2,
		       strcmp(wl, "redis_like") ? "ns/op" : "ops/s");
	}
	sqlite3_finalize(rows);
	sqlite3_finalize(vals);
	sqlite3_close(db);
	return 0;
}
