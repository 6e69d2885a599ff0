// SPDX-License-Identifier: GPL-2.0
/*
 * The results store: the only user of SQLite (see store.h, docs/schema.md).
 *
 * Every write is one short BEGIN IMMEDIATE ... COMMIT, so several writers
 * (two runs at once, a run and an import) interleave safely in WAL mode and
 * a SIGKILL loses at most the sample being written. A run whose process is
 * gone (not alive on this host and boot, or its pid now belongs to a younger
 * process) is stale: writers mark it 'aborted' when they open the store,
 * readers only report it so.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>
#include <sqlite3.h>

#include "store.h"

#define BUSY_TIMEOUT_MS	30000
#define BUSY_RETRIES	10	/* own retries when SQLite says busy: ~2 s of sleeps */
#define ISO_LEN		32
/* Below this much room, fold the -wal in after each commit (keep_room). */
#define LOW_ROOM	(8.0 * 1024 * 1024)

/*
 * Schema version 1, created as is; later versions are reached by
 * migrations[v] (from v to v + 1), so a new store and a migrated one are
 * the same.
 */
static const char schema_v1[] =
	"CREATE TABLE meta (\n"
	"  key TEXT PRIMARY KEY,\n"
	"  value TEXT NOT NULL\n"
	");\n"
	"INSERT INTO meta (key, value) VALUES ('schema_version', '1');\n"
	"CREATE TABLE runs (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  label TEXT,\n"
	"  status TEXT NOT NULL\n"
	"    CHECK (status IN ('running', 'complete', 'aborted', 'failed')),\n"
	"  config_path TEXT,\n"
	"  config_hash TEXT,\n"
	"  config_text TEXT,\n"
	"  started_at TEXT NOT NULL,\n"
	"  ended_at TEXT,\n"
	"  host TEXT,\n"
	"  pid INTEGER,\n"
	"  boot_id TEXT,\n"
	"  origin TEXT NOT NULL DEFAULT 'native'\n"
	"    CHECK (origin IN ('native', 'imported'))\n"
	");\n"
	"CREATE INDEX runs_label ON runs (label);\n"
	"CREATE INDEX runs_status ON runs (status);\n"
	"CREATE TABLE environment (\n"
	"  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,\n"
	"  key TEXT NOT NULL,\n"
	"  value TEXT,\n"
	"  PRIMARY KEY (run_id, key)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE samples (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,\n"
	"  job INTEGER NOT NULL,\n"
	"  workload TEXT NOT NULL,\n"
	"  params TEXT NOT NULL DEFAULT '',\n"
	"  seq INTEGER NOT NULL,\n"
	"  status TEXT NOT NULL\n"
	"    CHECK (status IN ('ok', 'skip', 'fail', 'untrustworthy')),\n"
	"  reason TEXT,\n"
	"  ops INTEGER NOT NULL,\n"
	"  elapsed_ns INTEGER NOT NULL,\n"
	"  ns_per_op REAL,\n"
	"  ops_per_sec REAL,\n"
	"  cpus TEXT,\n"
	"  at TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX samples_run ON samples (run_id, workload);\n"
	"CREATE TABLE counters (\n"
	"  sample_id INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,\n"
	"  name TEXT NOT NULL,\n"
	"  value REAL NOT NULL,\n"
	"  per_op REAL,\n"
	"  PRIMARY KEY (sample_id, name)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE metrics (\n"
	"  sample_id INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,\n"
	"  name TEXT NOT NULL,\n"
	"  value REAL NOT NULL,\n"
	"  unit TEXT NOT NULL DEFAULT '',\n"
	"  better TEXT NOT NULL CHECK (better IN ('lower', 'higher')),\n"
	"  PRIMARY KEY (sample_id, name)\n"
	") WITHOUT ROWID;\n"
	"CREATE TABLE unsupported (\n"
	"  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,\n"
	"  event TEXT NOT NULL,\n"
	"  reason TEXT,\n"
	"  PRIMARY KEY (run_id, event)\n"
	") WITHOUT ROWID;\n"
	"CREATE VIEW sample_values\n"
	"  (run_id, sample_id, workload, params, metric, unit, better, value) AS\n"
	"  SELECT run_id, id, workload, params, 'ns_per_op', 'ns', 'lower',\n"
	"         ns_per_op\n"
	"    FROM samples WHERE status = 'ok' AND ns_per_op IS NOT NULL\n"
	"  UNION ALL\n"
	"  SELECT run_id, id, workload, params, 'ops_per_sec', 'ops/s', 'higher',\n"
	"         ops_per_sec\n"
	"    FROM samples WHERE status = 'ok' AND ops_per_sec IS NOT NULL\n"
	"  UNION ALL\n"
	"  SELECT s.run_id, s.id, s.workload, s.params, c.name || '/op',\n"
	"         CASE WHEN c.name IN ('task-clock', 'cpu-clock')\n"
	"              THEN 'ns/op' ELSE 'events/op' END, 'lower', c.per_op\n"
	"    FROM samples s JOIN counters c ON c.sample_id = s.id\n"
	"   WHERE s.status = 'ok' AND c.per_op IS NOT NULL\n"
	"  UNION ALL\n"
	"  SELECT s.run_id, s.id, s.workload, s.params, m.name, m.unit,\n"
	"         m.better, m.value\n"
	"    FROM samples s JOIN metrics m ON m.sample_id = s.id\n"
	"   WHERE s.status = 'ok';\n";

/*
 * 1 -> 2: the variance components `flushbench calibrate` measures, per
 * host, config and row (docs/schema.md). Readers of a version 1 store
 * see no calibration: nothing else changed.
 */
static const char migrate_v2[] =
	"CREATE TABLE calibration (\n"
	"  host TEXT NOT NULL,\n"
	"  config_hash TEXT NOT NULL,\n"
	"  workload TEXT NOT NULL,\n"
	"  params TEXT NOT NULL,\n"
	"  metric TEXT NOT NULL,\n"
	"  label TEXT,\n"
	"  runs INTEGER NOT NULL,\n"
	"  invocations INTEGER NOT NULL,\n"
	"  boots INTEGER NOT NULL,\n"
	"  samples_per_run REAL NOT NULL,\n"
	"  run_var REAL,\n"
	"  inv_var REAL,\n"
	"  within_var REAL,\n"
	"  boot_var REAL,\n"
	"  sample_seconds REAL,\n"
	"  median REAL,\n"
	"  created_at TEXT NOT NULL,\n"
	"  PRIMARY KEY (host, config_hash, workload, params, metric)\n"
	") WITHOUT ROWID;\n";

/*
 * 2 -> 3: counting samples (docs/counters.md). samples.kind says whether a
 * sample was timed or a counting sample (perf events on, time not a
 * measurement); sample_values takes times and metrics from timed samples
 * only, counters from both. Every older sample was timed.
 */
static const char migrate_v3[] =
	"ALTER TABLE samples ADD COLUMN kind TEXT NOT NULL DEFAULT 'timed'\n"
	"  CHECK (kind IN ('timed', 'counting'));\n"
	"DROP VIEW sample_values;\n"
	"CREATE VIEW sample_values\n"
	"  (run_id, sample_id, workload, params, metric, unit, better, value) AS\n"
	"  SELECT run_id, id, workload, params, 'ns_per_op', 'ns', 'lower',\n"
	"         ns_per_op\n"
	"    FROM samples WHERE status = 'ok' AND kind = 'timed'\n"
	"     AND ns_per_op IS NOT NULL\n"
	"  UNION ALL\n"
	"  SELECT run_id, id, workload, params, 'ops_per_sec', 'ops/s', 'higher',\n"
	"         ops_per_sec\n"
	"    FROM samples WHERE status = 'ok' AND kind = 'timed'\n"
	"     AND ops_per_sec IS NOT NULL\n"
	"  UNION ALL\n"
	"  SELECT s.run_id, s.id, s.workload, s.params, c.name || '/op',\n"
	"         CASE WHEN c.name IN ('task-clock', 'cpu-clock')\n"
	"              THEN 'ns/op' ELSE 'events/op' END, 'lower', c.per_op\n"
	"    FROM samples s JOIN counters c ON c.sample_id = s.id\n"
	"   WHERE s.status = 'ok' AND c.per_op IS NOT NULL\n"
	"  UNION ALL\n"
	"  SELECT s.run_id, s.id, s.workload, s.params, m.name, m.unit,\n"
	"         m.better, m.value\n"
	"    FROM samples s JOIN metrics m ON m.sample_id = s.id\n"
	"   WHERE s.status = 'ok' AND s.kind = 'timed';\n";

/*
 * The uuid of a run stored before version 4, derived from what identifies
 * it (see sql_uuid_of): the same in a migrated store and in a version 3
 * store read as is, so importing an old store twice is still a no-op.
 */
#define UUID_OF_OLD_RUN "flb_uuid_of(host, boot_id, pid, started_at, id)"

/*
 * 3 -> 4: runs.uuid, one per run, kept by imports: a run merged from
 * several hosts' stores is the same run everywhere (flushbench import).
 */
static const char migrate_v4[] =
	"ALTER TABLE runs ADD COLUMN uuid TEXT;\n"
	"UPDATE runs SET uuid = " UUID_OF_OLD_RUN ";\n"
	"CREATE UNIQUE INDEX runs_uuid ON runs (uuid);\n";

/* migrations[v]: SQL taking schema version v to v + 1 (v >= 1). */
static const char *const migrations[FLB_SCHEMA_VERSION + 1] = {
	[1] = migrate_v2,
	[2] = migrate_v3,
	[3] = migrate_v4,
};
/* Readers can use stores from this version on (older ones lack tables). */
#define FLB_SCHEMA_READABLE 1

/* Cached write statements. */
enum stmt_id {
	Q_RUN_INSERT,
	Q_ENV_PUT,
	Q_UNSUPPORTED,
	Q_RUN_STATUS,
	Q_SAMPLE_INSERT,
	Q_COUNTER_INSERT,
	Q_METRIC_INSERT,
	Q_RUN_END,
	NR_STMTS
};

static const char *const stmt_sql[NR_STMTS] = {
	[Q_RUN_INSERT] =
		"INSERT INTO runs (label, status, config_path, config_hash,"
		" config_text, started_at, host, pid, boot_id, origin, uuid)"
		" VALUES (?1, 'running', ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'native',"
		" ?9)",
	[Q_ENV_PUT] =
		"INSERT OR REPLACE INTO environment (run_id, key, value)"
		" VALUES (?1, ?2, ?3)",
	[Q_UNSUPPORTED] =
		"INSERT OR IGNORE INTO unsupported (run_id, event, reason)"
		" VALUES (?1, ?2, ?3)",
	[Q_RUN_STATUS] = "SELECT status FROM runs WHERE id = ?1",
	[Q_SAMPLE_INSERT] =
		"INSERT INTO samples (run_id, job, workload, params, seq,"
		" status, reason, ops, elapsed_ns, ns_per_op, ops_per_sec,"
		" cpus, at, kind)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
		" ?14)",
	[Q_COUNTER_INSERT] =
		"INSERT INTO counters (sample_id, name, value, per_op)"
		" VALUES (?1, ?2, ?3, ?4)",
	[Q_METRIC_INSERT] =
		"INSERT INTO metrics (sample_id, name, value, unit, better)"
		" VALUES (?1, ?2, ?3, ?4, ?5)",
	[Q_RUN_END] =
		"UPDATE runs SET status = ?2, ended_at = ?3 WHERE id = ?1",
};

struct flb_store {
	sqlite3 *db;
	char *path;
	bool ro;
	enum flb_store_fault fault;	/* of the last error */
	int64_t wrun;		/* the run a write call is writing, or 0 */
	int64_t nrun;		/* the run nstored counts samples of, or 0 */
	long nstored;		/* its samples stored (committed) */
	bool brim;		/* no room to fold the -wal in: see keep_room */
	const char *query;	/* URI query it was opened with: "?mode=ro" ... */
	char host[256];
	char boot_id[64];
	int version;		/* of the file as opened */
	sqlite3_stmt *stmt[NR_STMTS];
	char err[1024];
};

static const char *const status_names[] = {
	[FLB_OK] = "ok",
	[FLB_SKIP] = "skip",
	[FLB_FAIL] = "fail",
	[FLB_UNTRUSTWORTHY] = "untrustworthy",
};

static void __attribute__((format(printf, 2, 3)))
set_err(struct flb_store *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->err, sizeof(st->err), fmt, ap);
	va_end(ap);
	st->fault = FLB_STORE_NO_FAULT;
}

/* Does errno say a file cannot be written (rather than, say, not found)? */
static bool errno_ro(int e)
{
	return e == EROFS || e == EACCES || e == EPERM;
}

/* What kind of failure the last error of db is: out of space, read-only. */
static enum flb_store_fault db_fault(sqlite3 *db)
{
	int rc = sqlite3_errcode(db), e = sqlite3_system_errno(db);

	if (rc == SQLITE_FULL)
		return FLB_STORE_FULL;
	if (rc == SQLITE_READONLY)
		return FLB_STORE_READONLY;
	/* a write, or the -shm sized, or a file created: the errno tells */
	if (rc == SQLITE_IOERR || rc == SQLITE_CANTOPEN) {
		if (e == ENOSPC || e == EDQUOT)
			return FLB_STORE_FULL;
		if (errno_ro(e))
			return FLB_STORE_READONLY;
	}
	return FLB_STORE_NO_FAULT;
}

/* The directory of path into dir ("." for a bare name). */
static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/*
 * Why the store at path cannot be written, as the file system says it:
 * "Read-only file system", "cannot create it: DIR: Permission denied", ...
 * Empty when no check says the file or its directory is read-only (SQLite's
 * own message must do).
 */
static void ro_cause(const char *path, char *buf, size_t len)
{
	char dir[PATH_MAX];
	struct stat sb;

	buf[0] = '\0';
	dir_of(path, dir, sizeof(dir));
	if (stat(path, &sb) && errno == ENOENT) {
		if (access(dir, W_OK) && errno_ro(errno))
			snprintf(buf, len, "cannot create it: %s: %s", dir,
				 strerror(errno));
	} else if (access(path, W_OK)) {
		if (errno_ro(errno))
			snprintf(buf, len, "%s", strerror(errno));
	} else if (access(dir, W_OK) && errno_ro(errno)) {
		/* WAL mode: a writer creates PATH-wal and PATH-shm beside it */
		snprintf(buf, len, "cannot create its -wal and -shm files: %s: %s",
			 dir, strerror(errno));
	}
}

/* What a "results store full" message ends with: what is kept, what to do. */
static void full_note(const struct flb_store *st, char *note, size_t len)
{
	if (st->wrun > 0 && st->wrun == st->nrun)
		snprintf(note, len, " (%ld sample%s of run #%" PRId64
			 " stored before it; free space on its file system and"
			 " run again)", st->nstored, st->nstored == 1 ? "" : "s",
			 st->wrun);
	else
		snprintf(note, len, " (free space on its file system and run"
			 " again)");
}

/*
 * "PATH: what: sqlite's message (errno text)"; a store that is full or
 * read-only says so first, so that every command's message does:
 * "results store full: PATH: what: why (... free space ...)",
 * "results store read-only: PATH: Read-only file system".
 */
static void set_db_err(struct flb_store *st, const char *what)
{
	enum flb_store_fault fault = db_fault(st->db);
	int rc = sqlite3_errcode(st->db), e = sqlite3_system_errno(st->db);
	const char *msg = sqlite3_errmsg(st->db);
	char why[PATH_MAX + 128], note[160] = "";

	/* a writer that cannot create the file: its directory tells why */
	if (fault == FLB_STORE_READONLY ||
	    (fault == FLB_STORE_NO_FAULT && rc == SQLITE_CANTOPEN && !st->ro)) {
		ro_cause(st->path, why, sizeof(why));
		if (why[0]) {
			set_err(st, "results store read-only: %s: %s", st->path,
				why);
			st->fault = FLB_STORE_READONLY;
			return;
		}
	}
	/* the errno of the last failed system call, where it is this one's */
	if (e && (rc == SQLITE_IOERR || rc == SQLITE_CANTOPEN) &&
	    fault == FLB_STORE_FULL)
		snprintf(why, sizeof(why), "%s", strerror(e));
	else if (e && (rc == SQLITE_IOERR || rc == SQLITE_CANTOPEN))
		snprintf(why, sizeof(why), "%s (%s)", msg, strerror(e));
	else
		snprintf(why, sizeof(why), "%s", msg);
	if (fault == FLB_STORE_FULL)
		full_note(st, note, sizeof(note));
	set_err(st, "%s%s: %s%s%s%s",
		fault == FLB_STORE_FULL ? "results store full: " :
		fault == FLB_STORE_READONLY ? "results store read-only: " : "",
		st->path, what ? what : "", what ? ": " : "", why, note);
	st->fault = fault;
}

static void now_iso(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03dZ", (int)(ts.tv_nsec / 1000000));
}

/* Seconds since the epoch of an ISO-8601 UTC time we wrote, or -1. */
static time_t iso_to_time(const char *s)
{
	struct tm tm = { 0 };

	if (!s || sscanf(s, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon,
			 &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
			 &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

static void read_line(const char *file, char *buf, size_t len)
{
	FILE *f = fopen(file, "r");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* When process pid started, in seconds since the epoch; -1 if unknown. */
static time_t proc_start_time(long pid)
{
	char file[64], buf[1024], line[256];
	unsigned long long start = 0, btime = 0;
	long hz = sysconf(_SC_CLK_TCK);
	const char *p;
	FILE *f;
	int field;

	snprintf(file, sizeof(file), "/proc/%ld/stat", pid);
	read_line(file, buf, sizeof(buf));
	p = strrchr(buf, ')');
	if (!p || hz <= 0)
		return -1;
	/* fields after "pid (comm)" start at 3 (state); starttime is 22 */
	for (field = 3; field <= 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", &start) != 1)
		return -1;
	f = fopen("/proc/stat", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "btime %llu", &btime) == 1)
			break;
	fclose(f);
	if (!btime)
		return -1;
	return (time_t)(btime + start / hz);
}

/*
 * Is the process of a 'running' run still there? Only a process on this
 * host and boot can be; its pid must be alive and not younger than the run.
 */
static bool run_alive(const struct flb_store *st, const char *host,
		      const char *boot_id, long pid, const char *started_at)
{
	time_t born, started;

	if (!host || strcmp(host, st->host))
		return false;
	if (!boot_id || !st->boot_id[0] || strcmp(boot_id, st->boot_id))
		return false;
	if (pid <= 0 || pid > INT_MAX || (kill((pid_t)pid, 0) && errno != EPERM))
		return false;
	born = proc_start_time(pid);
	started = iso_to_time(started_at);
	/* btime has a one-second grain: allow two */
	if (born >= 0 && started >= 0 && born > started + 2)
		return false;	/* the pid was reused */
	return true;
}

/*
 * "file:" URI of path (so that no name is taken for a URI by accident)
 * followed by query ("?mode=ro").
 */
static char *path_uri(const char *path, const char *query)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(path);
	char *uri = malloc(5 + 3 * len + strlen(query) + 1);
	char *p = uri;

	if (!uri)
		return NULL;
	p += sprintf(p, "file:");
	for (; *path; path++) {
		unsigned char c = *path;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("/._-~", c)) {
			*p++ = c;
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	strcpy(p, query);
	return uri;
}

static int exec(struct flb_store *st, const char *sql, const char *what)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		set_db_err(st, what);
		return -1;
	}
	return 0;
}

/*
 * After rc from a statement: true if it was only busy and may be tried
 * again (after a short sleep). SQLite's busy handler already waited up to
 * busy_timeout, except where it returns at once to avoid a deadlock (a
 * reader upgrading its lock, e.g. to switch to WAL): hence own retries.
 */
static bool retry_busy(int rc, int *tries)
{
	rc &= 0xff;
	if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) ||
	    ++*tries > BUSY_RETRIES)
		return false;
	usleep(1000U * (1U << *tries) + (unsigned int)(getpid() % 13) * 500U);
	return true;
}

/* Run sql (BEGIN IMMEDIATE, COMMIT, a pragma), retrying while busy. */
static int exec_retry(struct flb_store *st, const char *sql, const char *what)
{
	int rc, tries = 0;

	do
		rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	while (rc != SQLITE_OK && retry_busy(rc, &tries));
	if (rc != SQLITE_OK) {
		set_db_err(st, what);
		return -1;
	}
	return 0;
}

static int tx_begin(struct flb_store *st)
{
	return exec_retry(st, "BEGIN IMMEDIATE", "begin transaction");
}

/* Commit; what names the transaction in an error ("storing a sample"). */
static int tx_commit(struct flb_store *st, const char *what)
{
	return exec_retry(st, "COMMIT", what);
}

static void tx_rollback(struct flb_store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/*
 * After a commit, with little room left on the store's file system: fold
 * the -wal into the database file now (a passive checkpoint: it waits for
 * nobody), while the file can still grow. SQLite folds it in only at 1000
 * pages (4 MiB), so on a small file system the -wal of a run stored sample
 * by sample would take all the room; folded in, the next transaction
 * writes the -wal from its start again, in the room it already has. When
 * the database file cannot grow, the store is at its brim (st->brim):
 * samples are refused from then on (brim_refuse), so that the pages the
 * -wal still has hold the end of the run.
 */
static void keep_room(struct flb_store *st)
{
	struct statvfs vfs;
	int nlog = -1, nckpt = -1;

	st->brim = false;
	if (statvfs(st->path, &vfs) ||
	    (double)vfs.f_bavail * (double)vfs.f_frsize >= LOW_ROOM)
		return;
	if (sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
				      &nlog, &nckpt) != SQLITE_OK ||
	    nckpt < nlog)
		st->brim = db_fault(st->db) == FLB_STORE_FULL;
}

/* At the brim (keep_room), unless room came back: -1, the store is full. */
static int brim_refuse(struct flb_store *st, int64_t run)
{
	char note[160];

	if (!st->brim)
		return 0;
	keep_room(st);
	if (!st->brim)
		return 0;
	st->wrun = run;
	full_note(st, note, sizeof(note));
	st->wrun = 0;
	set_err(st, "results store full: %s: storing a sample: no room left"
		" to fold its -wal into the database file%s", st->path, note);
	st->fault = FLB_STORE_FULL;
	return -1;
}

/* The cached statement id, reset and unbound; NULL with the error set. */
static sqlite3_stmt *stmt(struct flb_store *st, enum stmt_id id)
{
	sqlite3_stmt *s = st->stmt[id];

	if (!s) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[id], -1,
				       SQLITE_PREPARE_PERSISTENT, &s,
				       NULL) != SQLITE_OK) {
			set_db_err(st, "prepare");
			return NULL;
		}
		st->stmt[id] = s;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/* Step s to completion; 0, or -1 with "PATH: what: why". Resets s. */
static int step_done(struct flb_store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		set_db_err(st, what);
		return -1;
	}
	return 0;
}

static void bind_text(sqlite3_stmt *s, int i, const char *text)
{
	if (text)
		sqlite3_bind_text(s, i, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/*
 * A column the schema says is NOT NULL: "" when a damaged or foreign file
 * holds NULL there anyway (the constraint binds writers, not a reader).
 */
static const char *col_str(sqlite3_stmt *s, int i)
{
	const char *t = col_text(s, i);

	return t ? t : "";
}

static void copy_col(char *dst, size_t len, sqlite3_stmt *s, int i)
{
	const char *t = col_text(s, i);

	snprintf(dst, len, "%s", t ? t : "");
}

static int writable(struct flb_store *st)
{
	if (st->ro) {
		set_err(st, "%s: opened read-only", st->path);
		return -1;
	}
	return 0;
}

/*
 * The schema version of the open database: 0 if it has no tables at all,
 * else the version in meta; -1 (error set) if it is not a database or not
 * a flushbench one.
 */
static int schema_version(struct flb_store *st)
{
	sqlite3_stmt *s = NULL;
	const char *v;
	char *end;
	long ver = -1;
	int rc;

	if (sqlite3_prepare_v2(st->db,
			       "SELECT (SELECT count(*) FROM sqlite_master),"
			       " (SELECT count(*) FROM sqlite_master"
			       "   WHERE type = 'table' AND name = 'meta')",
			       -1, &s, NULL) != SQLITE_OK) {
		set_db_err(st, NULL);
		return -1;
	}
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		set_db_err(st, NULL);
		goto out;
	}
	if (sqlite3_column_int64(s, 0) == 0) {
		ver = 0;
		goto out;
	}
	if (sqlite3_column_int64(s, 1) == 0) {
		set_err(st, "%s: not a flushbench database (it has tables but no 'meta' table)",
			st->path);
		goto out;
	}
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(st->db,
			       "SELECT value FROM meta WHERE key = 'schema_version'",
			       -1, &s, NULL) != SQLITE_OK) {
		set_db_err(st, "reading meta");
		return -1;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		set_err(st, "%s: not a flushbench database (no schema_version in meta)",
			st->path);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		set_db_err(st, "reading meta");
		goto out;
	}
	v = col_text(s, 0);
	errno = 0;
	ver = v ? strtol(v, &end, 10) : -1;
	if (!v || !*v || *end || errno || ver < 1 || ver > 1000000) {
		set_err(st, "%s: unknown schema version '%s' (this flushbench knows %d)",
			st->path, v ? v : "NULL", FLB_SCHEMA_VERSION);
		ver = -1;
	} else if (ver > FLB_SCHEMA_VERSION) {
		set_err(st, "%s: schema version %ld is newer than this flushbench (%d)",
			st->path, ver, FLB_SCHEMA_VERSION);
		ver = -1;
	}
out:
	sqlite3_finalize(s);
	return (int)ver;
}

/* Create the schema or migrate it to FLB_SCHEMA_VERSION, in one transaction. */
static int create_or_migrate(struct flb_store *st)
{
	char sql[64];
	int ver;

	if (tx_begin(st))
		return -1;
	/* again, now that no other writer can be half-way through */
	ver = schema_version(st);
	if (ver < 0)
		goto err;
	if (ver == 0) {
		if (exec(st, schema_v1, "creating the schema"))
			goto err;
		ver = 1;	/* then migrated like any version 1 store */
	}
	for (; ver > 0 && ver < FLB_SCHEMA_VERSION; ver++) {
		if (!migrations[ver]) {
			set_err(st, "%s: no migration from schema version %d",
				st->path, ver);
			goto err;
		}
		if (exec(st, migrations[ver], "migrating the schema"))
			goto err;
		snprintf(sql, sizeof(sql),
			 "UPDATE meta SET value = '%d' WHERE key = 'schema_version'",
			 ver + 1);
		if (exec(st, sql, "migrating the schema"))
			goto err;
	}
	return tx_commit(st, "creating or migrating the schema") ? -1 : 0;
err:
	tx_rollback(st);
	return -1;
}

/* Mark the stale 'running' runs 'aborted', ended at their last sample. */
static int reconcile(struct flb_store *st)
{
	sqlite3_stmt *s = NULL, *u = NULL;
	int rc;

	if (tx_begin(st))
		return -1;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT id, host, boot_id, pid, started_at FROM runs"
			       " WHERE status = 'running'", -1, &s, NULL) ||
	    sqlite3_prepare_v2(st->db,
			       "UPDATE runs SET status = 'aborted', ended_at ="
			       " coalesce((SELECT max(at) FROM samples"
			       "           WHERE run_id = ?1), started_at)"
			       " WHERE id = ?1", -1, &u, NULL)) {
		set_db_err(st, "finding stale runs");
		goto err;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (run_alive(st, col_text(s, 1), col_text(s, 2),
			      (long)sqlite3_column_int64(s, 3), col_text(s, 4)))
			continue;
		sqlite3_bind_int64(u, 1, sqlite3_column_int64(s, 0));
		if (step_done(st, u, "marking a stale run aborted"))
			goto err;
	}
	if (rc != SQLITE_DONE) {
		set_db_err(st, "finding stale runs");
		goto err;
	}
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	return tx_commit(st, "marking stale runs aborted");
err:
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	tx_rollback(st);
	return -1;
}

/* Switch to WAL: a callback of "PRAGMA journal_mode = WAL" */
static int wal_mode(void *arg, int ncols, char **vals, char **names)
{
	(void)names;
	*(bool *)arg = ncols == 1 && vals[0] && !strcmp(vals[0], "wal");
	return 0;
}

static int setup_rw(struct flb_store *st)
{
	int rc, tries = 0;
	bool wal = false;

	do
		rc = sqlite3_exec(st->db, "PRAGMA journal_mode = WAL", wal_mode,
				  &wal, NULL);
	while (rc != SQLITE_OK && retry_busy(rc, &tries));
	if (rc != SQLITE_OK) {
		set_db_err(st, "setting WAL mode");
		return -1;
	}
	if (!wal) {
		set_err(st, "%s: cannot use WAL mode (on this file system?)",
			st->path);
		return -1;
	}
	if (exec(st, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON",
		 "setting pragmas"))
		return -1;
	if (create_or_migrate(st))
		return -1;
	/* ours now: let the last writer to close fold the WAL back in */
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
	return reconcile(st);
}

/* 16 bytes as a uuid of the given version (RFC 9562 layout). */
static void format_uuid(uint8_t b[16], int version, char out[FLB_UUID_LEN])
{
	b[6] = (uint8_t)((b[6] & 0x0f) | version << 4);
	b[8] = (b[8] & 0x3f) | 0x80;	/* the RFC's variant */
	snprintf(out, FLB_UUID_LEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

/*
 * A new run's uuid: random (version 4), from /dev/urandom, which never
 * blocks (a guest just booted may not have seeded getrandom() yet).
 */
static int new_uuid(struct flb_store *st, char out[FLB_UUID_LEN])
{
	uint8_t b[16];
	FILE *f = fopen("/dev/urandom", "rb");
	size_t got = f ? fread(b, 1, sizeof(b), f) : 0;

	if (f)
		fclose(f);
	if (got != sizeof(b)) {
		set_err(st, "%s: no random bytes for a run uuid (/dev/urandom)",
			st->path);
		return -1;
	}
	format_uuid(b, 4, out);
	return 0;
}

/*
 * SQL flb_uuid_of(host, boot_id, pid, started_at, id): the uuid of a run
 * stored before schema version 4, the SHA-256 of those columns (each
 * followed by a unit separator; NULL as a record separator) in the layout
 * of a version 8 (vendor-defined) uuid. The host, boot, process and start
 * time name a run on every machine; the id only tells apart runs that
 * share them all (a hand-made store).
 */
static void sql_uuid_of(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	uint8_t sum[SHA256_DIGEST_SIZE];
	char out[FLB_UUID_LEN];
	struct sha256_ctx h;
	int i;

	sha256_init(&h);
	for (i = 0; i < argc; i++) {
		const unsigned char *t = sqlite3_value_text(argv[i]);

		if (sqlite3_value_type(argv[i]) == SQLITE_NULL || !t)
			sha256_update(&h, 1, (const uint8_t *)"\x1e");
		else
			sha256_update(&h, sqlite3_value_bytes(argv[i]), t);
		sha256_update(&h, 1, (const uint8_t *)"\x1f");
	}
	sha256_digest(&h, sizeof(sum), sum);
	format_uuid(sum, 8, out);
	sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

/* Open st->path with the URI query given; 0 or -1 with the error set. */
static int connect(struct flb_store *st, const char *query)
{
	char *uri = path_uri(st->path, query);
	int flags = SQLITE_OPEN_URI | (st->ro ? SQLITE_OPEN_READONLY :
				       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
	int rc;

	if (!uri) {
		set_err(st, "%s: out of memory", st->path);
		return -1;
	}
	rc = sqlite3_open_v2(uri, &st->db, flags, NULL);
	free(uri);
	if (rc != SQLITE_OK) {
		if (st->db)
			set_db_err(st, "cannot open");
		else
			set_err(st, "%s: cannot open: out of memory", st->path);
		return -1;
	}
	st->query = query;
	if (sqlite3_create_function_v2(st->db, "flb_uuid_of", 5,
				       SQLITE_UTF8 | SQLITE_DETERMINISTIC,
				       NULL, sql_uuid_of, NULL, NULL,
				       NULL) != SQLITE_OK) {
		set_db_err(st, "cannot open");
		return -1;
	}
	/* until we know the file is ours, closing must not write to it */
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	return 0;
}

/*
 * After a failed first read: was it the -shm file, which a reader may be
 * unable to create or size (a directory it cannot write, a file system
 * that is full: SQLITE_IOERR_SHMSIZE)?
 */
static bool shm_trouble(struct flb_store *st)
{
	int rc = sqlite3_errcode(st->db);

	return rc == SQLITE_READONLY || rc == SQLITE_CANTOPEN ||
	       rc == SQLITE_IOERR;
}

/* Does st's -wal hold nothing: no file, or an empty one? */
static bool wal_empty(struct flb_store *st)
{
	char wal[PATH_MAX];
	struct stat sb;

	snprintf(wal, sizeof(wal), "%s-wal", st->path);
	if (stat(wal, &sb))
		return errno == ENOENT;
	return sb.st_size == 0;
}

/*
 * After every way to read failed: is it a -wal that cannot be read, as
 * SQLite reads one only through an -shm file, and none is there nor can
 * be created? Then say so (the error set), and what to do.
 */
static bool wal_unreadable(struct flb_store *st)
{
	char shm[PATH_MAX], dir[PATH_MAX];
	struct stat sb;

	snprintf(shm, sizeof(shm), "%s-shm", st->path);
	if (wal_empty(st) || !stat(shm, &sb) || errno != ENOENT)
		return false;
	dir_of(st->path, dir, sizeof(dir));
	if (!access(dir, W_OK) || !errno_ro(errno))
		return false;
	set_err(st, "%s: its -wal holds writes not yet in the file, which SQLite"
		" reads only with an -shm file, and none can be created in %s"
		" (%s): copy it and its -wal to a directory that can be"
		" written, and read the copy", st->path, dir, strerror(errno));
	return true;
}

/* Reopen a reader with another URI query; 0, or -1 with the error set. */
static int reconnect(struct flb_store *st, const char *query)
{
	sqlite3_close(st->db);
	st->db = NULL;
	return connect(st, query);
}

int flb_store_open(const char *path, enum flb_store_mode mode,
		  struct flb_store **out, char *err, size_t len)
{
	struct flb_store *st;
	struct stat sb;
	int ver;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (!st || !(st->path = strdup(path))) {
		snprintf(err, len, "%s: out of memory", path);
		free(st);
		return -1;
	}
	st->ro = mode == FLB_STORE_RO;
	if (gethostname(st->host, sizeof(st->host)))
		st->host[0] = '\0';
	read_line("/proc/sys/kernel/random/boot_id", st->boot_id,
		  sizeof(st->boot_id));

	/* a reader needs the file; nobody can use a directory */
	if (stat(path, &sb)) {
		if (st->ro || errno != ENOENT) {
			set_err(st, "%s: %s", path, strerror(errno));
			goto err;
		}
	} else if (S_ISDIR(sb.st_mode)) {
		set_err(st, "%s: %s", path, strerror(EISDIR));
		goto err;
	}
	if (connect(st, st->ro ? "?mode=ro" : "?mode=rwc"))
		goto err;
	if (!st->ro && sqlite3_db_readonly(st->db, "main") == 1) {
		char why[PATH_MAX + 128];

		ro_cause(path, why, sizeof(why));
		set_err(st, "results store read-only: %s: %s", path,
			why[0] ? why : strerror(EROFS));
		st->fault = FLB_STORE_READONLY;
		goto err;
	}
	ver = schema_version(st);
	if (ver < 0 && st->ro && shm_trouble(st)) {
		/*
		 * A reader that cannot create or size the -shm file beside a
		 * WAL database (a directory it may not write, a full file
		 * system): with an -shm there, open it read-only, and SQLite
		 * reads the -wal itself where the -shm falls short.
		 */
		if (reconnect(st, "?mode=ro&readonly_shm=1"))
			goto err;
		ver = schema_version(st);
		/*
		 * Else, with nothing in the -wal, no writer is at it: read
		 * the file as it stands.
		 */
		if (ver < 0 && shm_trouble(st) && wal_empty(st)) {
			if (reconnect(st, "?mode=ro&immutable=1"))
				goto err;
			ver = schema_version(st);
		}
		if (ver < 0 && shm_trouble(st))
			wal_unreadable(st);
	}
	if (ver < 0)
		goto err;
	if (st->ro) {
		if (ver == 0) {
			set_err(st, "%s: not a flushbench database (no tables)",
				path);
			goto err;
		}
		if (ver < FLB_SCHEMA_READABLE) {
			set_err(st, "%s: schema version %d is older than this flushbench (%d); open it read-write to migrate",
				path, ver, FLB_SCHEMA_VERSION);
			goto err;
		}
		st->version = ver;
	} else if (setup_rw(st)) {
		goto err;
	} else {
		st->version = FLB_SCHEMA_VERSION;
	}
	st->err[0] = '\0';
	*out = st;
	return 0;
err:
	snprintf(err, len, "%s", st->err);
	flb_store_close(st);
	return -1;
}

void flb_store_close(struct flb_store *st)
{
	int i;

	if (!st)
		return;
	for (i = 0; i < NR_STMTS; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

const char *flb_store_error(const struct flb_store *st)
{
	return st->err;
}

enum flb_store_fault flb_store_fault(const struct flb_store *st)
{
	return st->err[0] ? st->fault : FLB_STORE_NO_FAULT;
}

static int put_env(struct flb_store *st, int64_t run, const char *key,
		   const char *value)
{
	sqlite3_stmt *s = stmt(st, Q_ENV_PUT);

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	bind_text(s, 2, key);
	bind_text(s, 3, value);
	return step_done(st, s, "storing environment");
}

static int put_env_all(struct flb_store *st, int64_t run,
		       const struct flb_env *env)
{
	size_t i;

	for (i = 0; env && i < env->n; i++)
		if (put_env(st, run, env->kv[i].key, env->kv[i].value))
			return -1;
	return 0;
}

/* 0 if run exists (and, if running, is still 'running'); else -1 and why. */
static int check_run(struct flb_store *st, int64_t run, bool running)
{
	sqlite3_stmt *s = stmt(st, Q_RUN_STATUS);
	int rc, ret = -1;

	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, run);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		set_err(st, "%s: no run #%" PRId64, st->path, run);
	else if (rc != SQLITE_ROW)
		set_db_err(st, "reading a run");
	else if (running && strcmp(col_str(s, 0), "running"))
		set_err(st, "%s: run #%" PRId64 " is %s, not running",
			st->path, run, col_str(s, 0));
	else
		ret = 0;
	sqlite3_reset(s);
	return ret;
}

int64_t flb_store_run_begin(struct flb_store *st, const char *label,
			   const char *config_path, const char *config_text,
			   const char *config_hash, const struct flb_env *env)
{
	char now[ISO_LEN], uuid[FLB_UUID_LEN];
	sqlite3_stmt *s;
	int64_t run;

	if (writable(st) || tx_begin(st))
		return -1;
	s = stmt(st, Q_RUN_INSERT);
	if (!s)
		goto err;
	now_iso(now, sizeof(now));
	bind_text(s, 1, label);
	bind_text(s, 2, config_path);
	bind_text(s, 3, config_hash);
	bind_text(s, 4, config_text);
	bind_text(s, 5, now);
	bind_text(s, 6, st->host);
	sqlite3_bind_int64(s, 7, getpid());
	bind_text(s, 8, st->boot_id[0] ? st->boot_id : NULL);
	if (new_uuid(st, uuid))
		goto err;
	bind_text(s, 9, uuid);
	if (step_done(st, s, "starting a run"))
		goto err;
	run = sqlite3_last_insert_rowid(st->db);
	if (put_env_all(st, run, env) || tx_commit(st, "starting a run"))
		goto err;
	st->nrun = run;
	st->nstored = 0;
	return run;
err:
	tx_rollback(st);
	return -1;
}

int flb_store_env_put(struct flb_store *st, int64_t run, const char *key,
		     const char *value)
{
	if (writable(st) || tx_begin(st))
		return -1;
	if (check_run(st, run, false) || put_env(st, run, key, value) ||
	    tx_commit(st, "storing environment")) {
		tx_rollback(st);
		return -1;
	}
	return 0;
}

int flb_store_unsupported(struct flb_store *st, int64_t run, const char *event,
			 const char *why)
{
	sqlite3_stmt *s;

	if (writable(st) || tx_begin(st))
		return -1;
	s = check_run(st, run, false) ? NULL : stmt(st, Q_UNSUPPORTED);
	if (!s)
		goto err;
	sqlite3_bind_int64(s, 1, run);
	bind_text(s, 2, event);
	bind_text(s, 3, why);
	if (step_done(st, s, "storing an unsupported event") ||
	    tx_commit(st, "storing an unsupported event"))
		goto err;
	return 0;
err:
	tx_rollback(st);
	return -1;
}

static int check_sample(struct flb_store *st, const struct flb_sample_rec *r)
{
	size_t i;

	if (!r->workload) {
		set_err(st, "%s: sample without a workload", st->path);
		return -1;
	}
	if ((unsigned int)r->status >= sizeof(status_names) / sizeof(*status_names)) {
		set_err(st, "%s: sample of %s: bad status %d", st->path,
			r->workload, (int)r->status);
		return -1;
	}
	if (r->ops > INT64_MAX || r->elapsed_ns > INT64_MAX) {
		set_err(st, "%s: sample of %s: ops or elapsed_ns out of range",
			st->path, r->workload);
		return -1;
	}
	if ((r->ncounters && (!r->counter_names || !r->counter_values)) ||
	    (r->nmetrics && !r->metrics)) {
		set_err(st, "%s: sample of %s: counters or metrics missing",
			st->path, r->workload);
		return -1;
	}
	for (i = 0; i < r->ncounters; i++) {
		if (!r->counter_names[i] || !isfinite(r->counter_values[i])) {
			set_err(st, "%s: sample of %s: counter %s has no finite value",
				st->path, r->workload,
				r->counter_names[i] ? r->counter_names[i] : "(unnamed)");
			return -1;
		}
	}
	for (i = 0; i < r->nmetrics; i++) {
		if (!isfinite(r->metrics[i].value)) {
			set_err(st, "%s: sample of %s: metric %s is not finite",
				st->path, r->workload, r->metrics[i].name);
			return -1;
		}
	}
	return 0;
}

static int put_counters(struct flb_store *st, int64_t sample,
			const struct flb_sample_rec *r)
{
	sqlite3_stmt *s;
	size_t i;

	for (i = 0; i < r->ncounters; i++) {
		s = stmt(st, Q_COUNTER_INSERT);
		if (!s)
			return -1;
		sqlite3_bind_int64(s, 1, sample);
		bind_text(s, 2, r->counter_names[i]);
		sqlite3_bind_double(s, 3, r->counter_values[i]);
		if (r->ops)
			sqlite3_bind_double(s, 4,
					    r->counter_values[i] / (double)r->ops);
		if (step_done(st, s, "storing a counter"))
			return -1;
	}
	for (i = 0; i < r->nmetrics; i++) {
		const struct flb_metric *m = &r->metrics[i];

		s = stmt(st, Q_METRIC_INSERT);
		if (!s)
			return -1;
		sqlite3_bind_int64(s, 1, sample);
		bind_text(s, 2, m->name);
		sqlite3_bind_double(s, 3, m->value);
		bind_text(s, 4, m->unit);
		bind_text(s, 5, m->better == FLB_HIGHER_IS_BETTER ?
			  "higher" : "lower");
		if (step_done(st, s, "storing a metric"))
			return -1;
	}
	return 0;
}

/*
 * For the message of a write that fails: how many samples of run are
 * stored, counted once per run (in the transaction of its first sample
 * here), then kept by flb_store_sample_add.
 */
static int count_stored(struct flb_store *st, int64_t run)
{
	sqlite3_stmt *s;
	int rc;

	if (st->nrun == run)
		return 0;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT count(*) FROM samples WHERE run_id = ?1",
			       -1, &s, NULL) != SQLITE_OK) {
		set_db_err(st, "counting samples");
		return -1;
	}
	sqlite3_bind_int64(s, 1, run);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		st->nrun = run;
		st->nstored = (long)sqlite3_column_int64(s, 0);
	} else {
		set_db_err(st, "counting samples");
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int64_t flb_store_sample_add(struct flb_store *st, int64_t run,
			    const struct flb_sample_rec *r)
{
	char now[ISO_LEN];
	sqlite3_stmt *s;
	int64_t sample;

	if (writable(st) || check_sample(st, r) || brim_refuse(st, run) ||
	    tx_begin(st))
		return -1;
	if (check_run(st, run, true) || count_stored(st, run))
		goto err;
	st->wrun = run;
	s = stmt(st, Q_SAMPLE_INSERT);
	if (!s)
		goto err;
	now_iso(now, sizeof(now));
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_int64(s, 2, r->job);
	bind_text(s, 3, r->workload);
	bind_text(s, 4, r->params ? r->params : "");
	sqlite3_bind_int64(s, 5, r->seq);
	bind_text(s, 6, status_names[r->status]);
	bind_text(s, 7, r->reason && *r->reason ? r->reason : NULL);
	sqlite3_bind_int64(s, 8, (int64_t)r->ops);
	sqlite3_bind_int64(s, 9, (int64_t)r->elapsed_ns);
	if (r->ops && !r->counting)
		sqlite3_bind_double(s, 10, (double)r->elapsed_ns / (double)r->ops);
	if (r->elapsed_ns && !r->counting)
		sqlite3_bind_double(s, 11,
				    (double)r->ops * 1e9 / (double)r->elapsed_ns);
	bind_text(s, 12, r->cpus);
	bind_text(s, 13, now);
	bind_text(s, 14, r->counting ? "counting" : "timed");
	if (step_done(st, s, "storing a sample"))
		goto err;
	sample = sqlite3_last_insert_rowid(st->db);
	if (put_counters(st, sample, r) || tx_commit(st, "storing a sample"))
		goto err;
	st->wrun = 0;
	st->nstored++;
	keep_room(st);
	return sample;
err:
	st->wrun = 0;
	tx_rollback(st);
	return -1;
}

int flb_store_run_end(struct flb_store *st, int64_t run, const char *status)
{
	char now[ISO_LEN];
	sqlite3_stmt *s;

	if (writable(st))
		return -1;
	if (!status || (strcmp(status, "complete") && strcmp(status, "aborted") &&
			strcmp(status, "failed"))) {
		set_err(st, "%s: run #%" PRId64 ": cannot end as '%s' (complete, aborted or failed)",
			st->path, run, status ? status : "NULL");
		return -1;
	}
	if (tx_begin(st))
		return -1;
	if (check_run(st, run, true))
		goto err;
	st->wrun = run;
	s = stmt(st, Q_RUN_END);
	if (!s)
		goto err;
	now_iso(now, sizeof(now));
	sqlite3_bind_int64(s, 1, run);
	bind_text(s, 2, status);
	bind_text(s, 3, now);
	if (step_done(st, s, "ending a run") || tx_commit(st, "ending a run"))
		goto err;
	st->wrun = 0;
	return 0;
err:
	st->wrun = 0;
	tx_rollback(st);
	return -1;
}

/* --- reading --- */

#define RUN_COLS \
	"SELECT id, label, status, started_at, ended_at, config_hash," \
	" (SELECT count(*) FROM samples WHERE run_id = runs.id)," \
	" host, boot_id, pid," \
	" (SELECT value FROM environment WHERE run_id = runs.id" \
	"   AND key = 'run.invocation'), %s FROM runs "

/* runs.uuid, or what it would be once an older store is migrated */
static const char *uuid_col(const struct flb_store *st)
{
	return st->version >= 4 ? "uuid" : UUID_OF_OLD_RUN;
}

/* Append the rows of s (a RUN_COLS query) to *rows; -1 on error. */
static int collect_runs(struct flb_store *st, sqlite3_stmt *s,
			struct flb_run_row **rows, size_t *n)
{
	struct flb_run_row *r, *grown;
	size_t cap = *n;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(*rows, cap * sizeof(**rows));
			if (!grown) {
				set_err(st, "%s: out of memory", st->path);
				return -1;
			}
			*rows = grown;
		}
		r = &(*rows)[(*n)++];
		memset(r, 0, sizeof(*r));
		r->id = sqlite3_column_int64(s, 0);
		copy_col(r->label, sizeof(r->label), s, 1);
		copy_col(r->status, sizeof(r->status), s, 2);
		copy_col(r->started_at, sizeof(r->started_at), s, 3);
		copy_col(r->ended_at, sizeof(r->ended_at), s, 4);
		copy_col(r->config_hash, sizeof(r->config_hash), s, 5);
		r->nsamples = (long)sqlite3_column_int64(s, 6);
		copy_col(r->host, sizeof(r->host), s, 7);
		copy_col(r->boot_id, sizeof(r->boot_id), s, 8);
		copy_col(r->invocation, sizeof(r->invocation), s, 10);
		copy_col(r->uuid, sizeof(r->uuid), s, 11);
		if (!strcmp(r->status, "running") &&
		    !run_alive(st, col_text(s, 7), col_text(s, 8),
			       (long)sqlite3_column_int64(s, 9),
			       col_text(s, 3)))
			snprintf(r->status, sizeof(r->status), "aborted");
	}
	if (rc != SQLITE_DONE) {
		set_db_err(st, "reading runs");
		return -1;
	}
	return 0;
}

/* Runs of one query: where is a WHERE clause on ?1 (or ""). */
static int query_runs(struct flb_store *st, const char *where, const char *text,
		      int64_t id, struct flb_run_row **rows, size_t *n)
{
	char sql[1024];
	sqlite3_stmt *s;
	int ret;

	snprintf(sql, sizeof(sql), RUN_COLS "%s ORDER BY id", uuid_col(st),
		 where);
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		set_db_err(st, "reading runs");
		return -1;
	}
	if (text)
		sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
	else if (*where)
		sqlite3_bind_int64(s, 1, id);
	ret = collect_runs(st, s, rows, n);
	sqlite3_finalize(s);
	return ret;
}

/* "12" or "#12" as a run id; -1 if spec is not one. */
static int64_t parse_run_id(const char *spec, bool *hash)
{
	const char *p = spec;
	char *end;
	long long id;

	*hash = *p == '#';
	if (*hash)
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	id = strtoll(p, &end, 10);
	if (*end || errno || id <= 0)
		return -1;
	return id;
}

int flb_store_runs(struct flb_store *st, const char *spec,
		  struct flb_run_row **rows, size_t *n)
{
	int64_t id;
	bool hash;

	*rows = NULL;
	*n = 0;
	if (!spec)
		return query_runs(st, "", NULL, 0, rows, n);
	id = parse_run_id(spec, &hash);
	/* a label wins over an id written without '#' */
	if (!hash && query_runs(st, "WHERE label = ?1", spec, 0, rows, n))
		goto err;
	if (!*n && id > 0 && query_runs(st, "WHERE id = ?1", NULL, id, rows, n))
		goto err;
	if (!*n) {
		set_err(st, "no run with label or id '%s'", spec);
		goto err;
	}
	return 0;
err:
	free(*rows);
	*rows = NULL;
	*n = 0;
	return -1;
}

int flb_store_values(struct flb_store *st, const int64_t *runs, size_t nruns,
		    int (*fn)(void *arg, const struct flb_value *v), void *arg)
{
	struct flb_value v;
	sqlite3_stmt *s;
	int rc = SQLITE_DONE, ret = 0;
	size_t i;

	if (sqlite3_prepare_v2(st->db,
			       "SELECT v.run_id, v.sample_id, v.workload, v.params,"
			       " v.metric, v.unit, v.better, v.value, s.elapsed_ns"
			       " FROM sample_values v"
			       " JOIN samples s ON s.id = v.sample_id"
			       " WHERE v.run_id = ?1 ORDER BY v.sample_id, v.metric",
			       -1, &s, NULL) != SQLITE_OK) {
		set_db_err(st, "reading values");
		return -1;
	}
	for (i = 0; i < nruns && !ret; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, runs[i]);
		while (!ret && (rc = sqlite3_step(s)) == SQLITE_ROW) {
			v.run = sqlite3_column_int64(s, 0);
			v.sample = sqlite3_column_int64(s, 1);
			v.workload = col_str(s, 2);
			v.params = col_str(s, 3);
			v.metric = col_str(s, 4);
			v.unit = col_str(s, 5);
			v.better = !strcmp(col_str(s, 6), "higher") ?
				   FLB_HIGHER_IS_BETTER : FLB_LOWER_IS_BETTER;
			v.value = sqlite3_column_double(s, 7);
			v.elapsed_ns = sqlite3_column_double(s, 8);
			ret = fn(arg, &v);
		}
		if (!ret && rc != SQLITE_DONE) {
			set_db_err(st, "reading values");
			ret = -1;
		}
	}
	sqlite3_finalize(s);
	return ret;
}

int flb_store_timed(struct flb_store *st, int64_t run,
		   int (*fn)(void *arg, const struct flb_timed *t), void *arg)
{
	struct flb_timed t = { .run = run };
	sqlite3_stmt *s;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(st->db, st->version >= 3 ?
			       "SELECT job, seq, workload, params, ns_per_op FROM samples"
			       " WHERE run_id = ?1 AND status = 'ok' AND kind = 'timed'"
			       " AND ns_per_op IS NOT NULL ORDER BY job, seq" :
			       "SELECT job, seq, workload, params, ns_per_op FROM samples"
			       " WHERE run_id = ?1 AND status = 'ok'"
			       " AND ns_per_op IS NOT NULL ORDER BY job, seq",
			       -1, &s, NULL) != SQLITE_OK) {
		set_db_err(st, "reading samples");
		return -1;
	}
	sqlite3_bind_int64(s, 1, run);
	while (!ret && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		t.job = (unsigned int)sqlite3_column_int64(s, 0);
		t.seq = (unsigned int)sqlite3_column_int64(s, 1);
		t.workload = col_str(s, 2);
		t.params = col_str(s, 3);
		t.ns_per_op = sqlite3_column_double(s, 4);
		ret = fn(arg, &t);
	}
	if (!ret && rc != SQLITE_DONE) {
		set_db_err(st, "reading samples");
		ret = -1;
	}
	sqlite3_finalize(s);
	return ret;
}

int flb_store_not_ok(struct flb_store *st, int64_t run,
		     int (*fn)(void *arg, const struct flb_not_ok *t), void *arg)
{
	struct flb_not_ok t = { .run = run };
	sqlite3_stmt *s;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(st->db,
			       "SELECT job, workload, params, status, count(*), min(reason)"
			       " FROM samples WHERE run_id = ?1 AND status <> 'ok'"
			       " GROUP BY job, status ORDER BY job, status",
			       -1, &s, NULL) != SQLITE_OK) {
		set_db_err(st, "reading samples");
		return -1;
	}
	sqlite3_bind_int64(s, 1, run);
	while (!ret && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		t.job = (unsigned int)sqlite3_column_int64(s, 0);
		t.workload = col_str(s, 1);
		t.params = col_str(s, 2);
		t.status = col_str(s, 3);
		t.samples = (unsigned int)sqlite3_column_int64(s, 4);
		t.reason = col_text(s, 5);
		ret = fn(arg, &t);
	}
	if (!ret && rc != SQLITE_DONE) {
		set_db_err(st, "reading samples");
		ret = -1;
	}
	sqlite3_finalize(s);
	return ret;
}

/* --- calibration --- */

static void bind_real(sqlite3_stmt *s, int i, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

static double col_real(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN :
	       sqlite3_column_double(s, i);
}

int flb_store_calib_put(struct flb_store *st, const char *host,
		       const char *config_hash, const struct flb_calib *rows,
		       size_t n)
{
	sqlite3_stmt *s = NULL;
	char now[ISO_LEN];

	if (st->ro) {
		set_err(st, "%s: opened read-only", st->path);
		return -1;
	}
	now_iso(now, sizeof(now));
	if (tx_begin(st))
		return -1;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT OR REPLACE INTO calibration (host,"
			       " config_hash, workload, params, metric, label,"
			       " runs, boots, samples_per_run, run_var,"
			       " within_var, boot_var, sample_seconds, median,"
			       " created_at, invocations, inv_var) VALUES (?1,"
			       " ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
			       " ?13, ?14, ?15, ?16, ?17)",
			       -1, &s, NULL) != SQLITE_OK) {
		set_db_err(st, "storing the calibration");
		goto err;
	}
	for (size_t i = 0; i < n; i++) {
		const struct flb_calib *c = &rows[i];

		if (!(c->run_var >= 0) && !(c->inv_var >= 0)) {
			set_err(st, "%s: calibration of %s %s %s: no variance between runs",
				st->path, c->workload, c->params, c->metric);
			goto err;
		}
		sqlite3_reset(s);
		bind_text(s, 1, host);
		bind_text(s, 2, config_hash);
		bind_text(s, 3, c->workload);
		bind_text(s, 4, c->params);
		bind_text(s, 5, c->metric);
		bind_text(s, 6, c->label);
		sqlite3_bind_int64(s, 7, c->runs);
		sqlite3_bind_int64(s, 8, c->boots);
		sqlite3_bind_double(s, 9, c->samples_per_run);
		bind_real(s, 10, c->run_var);
		bind_real(s, 11, c->within_var);
		bind_real(s, 12, c->boot_var);
		bind_real(s, 13, c->sample_seconds);
		bind_real(s, 14, c->median);
		bind_text(s, 15, now);
		sqlite3_bind_int64(s, 16, c->invocations);
		bind_real(s, 17, c->inv_var);
		if (step_done(st, s, "storing the calibration"))
			goto err;
	}
	sqlite3_finalize(s);
	return tx_commit(st, "storing the calibration") ?
	       (tx_rollback(st), -1) : 0;
err:
	sqlite3_finalize(s);
	tx_rollback(st);
	return -1;
}

int flb_store_calib_get(struct flb_store *st, const char *host,
		       const char *config_hash,
		       int (*fn)(void *arg, const struct flb_calib *c),
		       void *arg)
{
	struct flb_calib c;
	sqlite3_stmt *s;
	int rc, ret = 0;

	if (st->version < 2)
		return 0;	/* no calibration table yet */
	if (sqlite3_prepare_v2(st->db,
			       "SELECT workload, params, metric, label, runs,"
			       " boots, samples_per_run, run_var, within_var,"
			       " boot_var, sample_seconds, median, created_at,"
			       " invocations, inv_var"
			       " FROM calibration WHERE host = ?1"
			       " AND config_hash = ?2"
			       " ORDER BY workload, params, metric",
			       -1, &s, NULL) != SQLITE_OK) {
		set_db_err(st, "reading the calibration");
		return -1;
	}
	bind_text(s, 1, host);
	bind_text(s, 2, config_hash);
	while (!ret && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		c.workload = col_str(s, 0);
		c.params = col_str(s, 1);
		c.metric = col_str(s, 2);
		c.label = col_text(s, 3);
		c.runs = (long)sqlite3_column_int64(s, 4);
		c.boots = (long)sqlite3_column_int64(s, 5);
		c.samples_per_run = sqlite3_column_double(s, 6);
		c.run_var = col_real(s, 7);
		c.within_var = col_real(s, 8);
		c.boot_var = col_real(s, 9);
		c.sample_seconds = col_real(s, 10);
		c.median = col_real(s, 11);
		c.created_at = col_text(s, 12);
		c.invocations = (long)sqlite3_column_int64(s, 13);
		c.inv_var = col_real(s, 14);
		ret = fn(arg, &c);
	}
	if (!ret && rc != SQLITE_DONE) {
		set_db_err(st, "reading the calibration");
		ret = -1;
	}
	sqlite3_finalize(s);
	return ret;
}

int flb_store_env(struct flb_store *st, int64_t run, struct flb_env *env)
{
	struct flb_kv *kv = NULL, *grown;
	size_t n = 0, cap = 0;
	sqlite3_stmt *s;
	int rc;

	env->kv = NULL;
	env->n = 0;
	if (check_run(st, run, false))
		return -1;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT key, value FROM environment WHERE run_id = ?1"
			       " ORDER BY key", -1, &s, NULL) != SQLITE_OK) {
		set_db_err(st, "reading environment");
		return -1;
	}
	sqlite3_bind_int64(s, 1, run);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *val = col_text(s, 1);

		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			grown = realloc(kv, cap * sizeof(*kv));
			if (!grown)
				goto nomem;
			kv = grown;
		}
		kv[n].key = strdup(col_str(s, 0));
		kv[n].value = strdup(val ? val : "");
		n++;
		if (!kv[n - 1].key || !kv[n - 1].value)
			goto nomem;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		set_db_err(st, "reading environment");
		goto err;
	}
	env->kv = kv;
	env->n = n;
	return 0;
nomem:
	sqlite3_finalize(s);
	set_err(st, "%s: out of memory", st->path);
err:
	while (n--) {
		free(kv[n].key);
		free(kv[n].value);
	}
	free(kv);
	return -1;
}

char *flb_store_run_config(struct flb_store *st, int64_t run)
{
	sqlite3_stmt *s;
	char *text = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db,
			       "SELECT config_text FROM runs WHERE id = ?1", -1,
			       &s, NULL) != SQLITE_OK) {
		set_db_err(st, "reading a config");
		return NULL;
	}
	sqlite3_bind_int64(s, 1, run);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && col_text(s, 0))
		text = strdup(col_text(s, 0));
	else if (rc == SQLITE_ROW)
		set_err(st, "%s: run #%" PRId64 " has no stored config",
			st->path, run);
	else if (rc == SQLITE_DONE)
		set_err(st, "%s: no run #%" PRId64, st->path, run);
	else
		set_db_err(st, "reading a config");
	sqlite3_finalize(s);
	return text;
}

/* --- maintenance --- */

int flb_store_check(struct flb_store *st)
{
	sqlite3_stmt *s;
	const char *msg;
	int rc, ret = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA integrity_check(1)", -1, &s,
			       NULL) != SQLITE_OK) {
		set_db_err(st, "integrity check");
		return -1;
	}
	rc = sqlite3_step(s);
	msg = rc == SQLITE_ROW ? col_text(s, 0) : NULL;
	if (msg && !strcmp(msg, "ok"))
		ret = 0;
	else if (msg)
		set_err(st, "%s: integrity check failed: %s", st->path, msg);
	else
		set_db_err(st, "integrity check");
	sqlite3_finalize(s);
	return ret;
}

/* Statements of an import, run against the source attached as flb_src. */
enum import_id {
	I_PRESENT,
	I_RUN,
	I_ENV,
	I_UNSUPPORTED,
	I_SAMPLE_IDS,
	I_SAMPLE,
	I_SAMPLE_V2,
	I_COUNTERS,
	I_METRICS,
	NR_IMPORT
};

static const char *const import_sql[NR_IMPORT] = {
	/* ?1 uuid: is the run here already? */
	[I_PRESENT] = "SELECT id FROM main.runs WHERE uuid = ?1",
	/* ?1 source run, ?2 label or NULL, ?3 status, ?4 its uuid */
	[I_RUN] =
		"INSERT INTO main.runs (label, status, config_path, config_hash,"
		" config_text, started_at, ended_at, host, pid, boot_id, origin,"
		" uuid)"
		" SELECT coalesce(?2, label), ?3, config_path, config_hash,"
		"  config_text, started_at,"
		"  coalesce(ended_at, (SELECT max(at) FROM flb_src.samples"
		"                      WHERE run_id = r.id), started_at),"
		"  host, pid, boot_id, 'imported', ?4"
		" FROM flb_src.runs r WHERE id = ?1",
	/* ?1 source run, ?2 new run */
	[I_ENV] =
		"INSERT INTO main.environment (run_id, key, value)"
		" SELECT ?2, key, value FROM flb_src.environment WHERE run_id = ?1",
	[I_UNSUPPORTED] =
		"INSERT INTO main.unsupported (run_id, event, reason)"
		" SELECT ?2, event, reason FROM flb_src.unsupported WHERE run_id = ?1",
	[I_SAMPLE_IDS] =
		"SELECT id FROM flb_src.samples WHERE run_id = ?1 ORDER BY id",
	/* ?1 source sample, ?2 new run */
	[I_SAMPLE] =
		"INSERT INTO main.samples (run_id, job, workload, params, seq,"
		" status, reason, ops, elapsed_ns, ns_per_op, ops_per_sec, cpus, at,"
		" kind)"
		" SELECT ?2, job, workload, params, seq, status, reason, ops,"
		"  elapsed_ns, ns_per_op, ops_per_sec, cpus, at, kind"
		" FROM flb_src.samples WHERE id = ?1",
	/* the same from a version 1 or 2 source: every sample was timed */
	[I_SAMPLE_V2] =
		"INSERT INTO main.samples (run_id, job, workload, params, seq,"
		" status, reason, ops, elapsed_ns, ns_per_op, ops_per_sec, cpus, at)"
		" SELECT ?2, job, workload, params, seq, status, reason, ops,"
		"  elapsed_ns, ns_per_op, ops_per_sec, cpus, at"
		" FROM flb_src.samples WHERE id = ?1",
	/* ?1 source sample, ?2 new sample */
	[I_COUNTERS] =
		"INSERT INTO main.counters (sample_id, name, value, per_op)"
		" SELECT ?2, name, value, per_op FROM flb_src.counters"
		" WHERE sample_id = ?1",
	[I_METRICS] =
		"INSERT INTO main.metrics (sample_id, name, value, unit, better)"
		" SELECT ?2, name, value, unit, better FROM flb_src.metrics"
		" WHERE sample_id = ?1",
};

/* Run import statement s with ?1 = from, ?2 = to. */
static int import_step(struct flb_store *st, sqlite3_stmt *s, int64_t from,
		       int64_t to)
{
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	return step_done(st, s, "importing");
}

/*
 * Copy source run r (as flb_store_runs of the source saw it): its new id,
 * or the id of the run of the same uuid already here (*present set), or -1.
 */
static int64_t import_run(struct flb_store *st, sqlite3_stmt **q,
			  const struct flb_run_row *r, const char *label,
			  const struct flb_env *extra, bool *present)
{
	const char *status = !strcmp(r->status, "complete") ? "complete" :
			     !strcmp(r->status, "failed") ? "failed" : "aborted";
	int64_t run, sample;
	int rc;

	sqlite3_reset(q[I_PRESENT]);
	bind_text(q[I_PRESENT], 1, r->uuid);
	rc = sqlite3_step(q[I_PRESENT]);
	*present = rc == SQLITE_ROW;
	if (*present) {
		run = sqlite3_column_int64(q[I_PRESENT], 0);
		sqlite3_reset(q[I_PRESENT]);
		return run;
	}
	sqlite3_reset(q[I_PRESENT]);
	if (rc != SQLITE_DONE) {
		set_db_err(st, "importing a run");
		return -1;
	}
	sqlite3_reset(q[I_RUN]);
	sqlite3_bind_int64(q[I_RUN], 1, r->id);
	bind_text(q[I_RUN], 2, label);
	bind_text(q[I_RUN], 3, status);
	bind_text(q[I_RUN], 4, r->uuid);
	if (step_done(st, q[I_RUN], "importing a run"))
		return -1;
	run = sqlite3_last_insert_rowid(st->db);
	if (import_step(st, q[I_ENV], r->id, run) ||
	    put_env_all(st, run, extra) ||
	    import_step(st, q[I_UNSUPPORTED], r->id, run))
		return -1;
	sqlite3_reset(q[I_SAMPLE_IDS]);
	sqlite3_bind_int64(q[I_SAMPLE_IDS], 1, r->id);
	while ((rc = sqlite3_step(q[I_SAMPLE_IDS])) == SQLITE_ROW) {
		int64_t from = sqlite3_column_int64(q[I_SAMPLE_IDS], 0);

		if (import_step(st, q[q[I_SAMPLE] ? I_SAMPLE : I_SAMPLE_V2],
				from, run))
			return -1;
		sample = sqlite3_last_insert_rowid(st->db);
		if (import_step(st, q[I_COUNTERS], from, sample) ||
		    import_step(st, q[I_METRICS], from, sample))
			return -1;
	}
	sqlite3_reset(q[I_SAMPLE_IDS]);
	if (rc != SQLITE_DONE) {
		set_db_err(st, "importing samples");
		return -1;
	}
	return run;
}

/* 0 unless src_path is st's own file (which cannot be imported into itself). */
static int not_self(struct flb_store *st, const char *src_path)
{
	struct stat a, b;

	if (!stat(st->path, &a) && !stat(src_path, &b) &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		set_err(st, "%s: cannot import a database into itself",
			src_path);
		return -1;
	}
	return 0;
}

int flb_store_import(struct flb_store *st, const char *src_path,
		    const char *label, const struct flb_env *extra,
		    int64_t **runs, size_t *n, size_t *present)
{
	bool here;
	sqlite3_stmt *att = NULL, *q[NR_IMPORT] = { NULL };
	struct flb_run_row *rows = NULL;
	struct flb_store *src;
	int64_t *ids = NULL;
	size_t nrows = 0, i;
	char *uri = NULL;
	int ret = -1, src_version;

	*runs = NULL;
	*n = 0;
	if (present)
		*present = 0;
	if (writable(st) || not_self(st, src_path))
		return -1;
	/* the source must be a store of our schema version: say why not */
	if (flb_store_open(src_path, FLB_STORE_RO, &src, st->err,
			  sizeof(st->err)))
		return -1;
	/* what is complete now stays so: only writers of the source change it */
	if (flb_store_runs(src, NULL, &rows, &nrows)) {
		set_err(st, "%s", flb_store_error(src));
		flb_store_close(src);
		return -1;
	}
	/* attach it the way a reader could open it (maybe immutable) */
	uri = path_uri(src_path, src->query);
	src_version = src->version;
	flb_store_close(src);

	ids = calloc(nrows ? nrows : 1, sizeof(*ids));
	if (!ids || !uri) {
		set_err(st, "%s: out of memory", st->path);
		goto out;
	}
	if (sqlite3_prepare_v2(st->db, "ATTACH ?1 AS flb_src", -1, &att,
			       NULL) != SQLITE_OK) {
		set_db_err(st, "attaching the source");
		goto out;
	}
	sqlite3_bind_text(att, 1, uri, -1, SQLITE_STATIC);
	if (sqlite3_step(att) != SQLITE_DONE) {
		set_err(st, "%s: cannot attach %s: %s", st->path, src_path,
			sqlite3_errmsg(st->db));
		goto out;
	}
	for (i = 0; i < NR_IMPORT; i++) {
		/* one of the two sample copies, by the source's version */
		if (i == (src_version >= 3 ? I_SAMPLE_V2 : I_SAMPLE))
			continue;
		if (sqlite3_prepare_v2(st->db, import_sql[i], -1, &q[i],
				       NULL) != SQLITE_OK) {
			set_db_err(st, "importing");
			goto detach;
		}
	}
	if (tx_begin(st))
		goto detach;
	for (i = 0; i < nrows; i++) {
		ids[i] = import_run(st, q, &rows[i], label, extra, &here);
		if (ids[i] < 0)
			break;
		if (here && present)
			(*present)++;
	}
	if (i < nrows || tx_commit(st, "importing")) {
		tx_rollback(st);
		goto detach;
	}
	*runs = ids;
	*n = nrows;
	ids = NULL;
	ret = 0;
detach:
	for (i = 0; i < NR_IMPORT; i++)
		sqlite3_finalize(q[i]);
	sqlite3_exec(st->db, "DETACH flb_src", NULL, NULL, NULL);
out:
	sqlite3_finalize(att);
	free(uri);
	free(ids);
	free(rows);
	return ret;
}
