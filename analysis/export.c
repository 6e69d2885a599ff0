// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench export (--kcidb | --lava-cases) [RUNS...]: the primary rows
 * of runs (one per job: workload + params of a run, the workload's
 * primary metric) for a CI system to file.
 *
 * --lava-cases: one line per row, NAME TAB RESULT TAB VALUE TAB UNITS,
 *   for a LAVA test definition to hand to lava-test-case (a contract:
 *   docs/analysis.md "export").
 * --kcidb: a KCIDB report (KernelCI's results schema, v5.3, vendored in
 *   analysis/kcidb/): a checkout per kernel, a build per kernel and
 *   architecture, a test per row with its median as the test's number.
 *
 * The store is opened read-only; nothing is written before every run is
 * read, so bad input leaves no output file.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analysis.h"
#include "cmp.h"
#include "result.h"

#define KCIDB_MAJOR 5
#define KCIDB_MINOR 3

/* One primary row: a job of a run. */
struct xrow {
	size_t run;		/* index into the export's runs */
	char *workload, *params, *metric, *unit;
	double *v;		/* the ok samples' primary values */
	size_t n, cap;
	unsigned int nfail, nuntrust, nskip;
	unsigned int ntimed;	/* timed ok samples (with or without the metric) */
	unsigned int job;	/* its index in the run (UINT_MAX: not known) */
	char *reason;		/* of the first sample that was not ok */
	char *name;		/* [A-Za-z0-9._-], unique in the output */
};

struct xrun {
	struct flb_run_row r;
	struct flb_env env;
	char prefix[160];	/* of names, with several runs: "label." */
};

struct export {
	const char *cmd;
	struct flb_store *st;
	struct xrun *runs;
	size_t nruns;
	struct xrow *rows;
	size_t nrows, cap;
	size_t cur;		/* the run being read */
	size_t last;		/* the row of the last value (a cache) */
	int err;
};

struct export_args {
	const char *db, *origin, *out, *board, *lab_job;
	const char *git_commit, *git_url, *tree;	/* of the one checkout */
	bool kcidb, lava;
};

static const struct flb_cliopt export_opts[] = {
	FLB_CLI_FLAG(0, "kcidb", struct export_args, kcidb,
		     "KCIDB JSON (schema v5.3): checkouts, builds, a test per row"),
	FLB_CLI_FLAG(0, "lava-cases", struct export_args, lava,
		     "one line per row: NAME<TAB>RESULT<TAB>VALUE<TAB>UNITS"),
	FLB_CLI_STRING(0, "db", struct export_args, db, "PATH",
		       "results database, opened read-only (default results.db)"),
	FLB_CLI_STRING(0, "origin", struct export_args, origin, "NAME",
		       "--kcidb: the CI system's name, [a-z0-9_]+ (default flushbench)"),
	FLB_CLI_STRING('o', "output", struct export_args, out, "FILE",
		       "write to FILE instead of stdout"),
	FLB_CLI_STRING(0, "board", struct export_args, board, "NAME",
		       "--kcidb: the board (device type) the runs ran on"),
	FLB_CLI_STRING(0, "lab-job", struct export_args, lab_job, "ID",
		       "--kcidb: the lab's job id (LAVA job, ...)"),
	FLB_CLI_STRING(0, "git-commit", struct export_args, git_commit, "HASH",
		       "--kcidb: the kernel's full commit hash (the runs of one\n"
		       "kernel only)"),
	FLB_CLI_STRING(0, "git-url", struct export_args, git_url, "URL",
		       "--kcidb: its repository, https://..."),
	FLB_CLI_STRING(0, "tree", struct export_args, tree, "NAME",
		       "--kcidb: its tree (mainline, next, ...)"),
	FLB_CLI_END
};

static const struct flb_cli export_cli = {
	.cmd = "export",
	.usage = "(--kcidb | --lava-cases) [OPTIONS] [RUNS...]",
	.about = "The primary row of every job (the workload's primary metric, the median\n"
		 "of its ok samples) of RUNS (labels or run ids; default: every complete\n"
		 "run; a label names its complete runs) for a CI system (docs/analysis.md).",
	.footer = "Exit: 0 written, 2 bad input (usage, unknown label or id, no run,\n"
		  "unreadable database).",
	.opts = export_opts,
};

/* s with every character outside [A-Za-z0-9] and keep replaced by '_'. */
static void sanitize(char *d, size_t len, const char *s, const char *keep)
{
	size_t i = 0;

	for (; *s && i + 1 < len; s++) {
		unsigned char ch = *s;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || (ch && strchr(keep, ch));

		d[i++] = ok ? ch : '_';
	}
	d[i] = 0;
}

/*
 * Parameters "k=v k=v" as a name part: "k-v_k-v", only [A-Za-z0-9_-]
 * and (with keep ".") dots.
 */
static void params_part(char *d, size_t len, const char *params,
			const char *keep)
{
	char t[512];
	size_t i;

	snprintf(t, sizeof(t), "%s", params);
	for (i = 0; t[i]; i++)
		t[i] = t[i] == '=' ? '-' : t[i] == ' ' ? '_' : t[i];
	sanitize(d, len, t, keep);
}

/* "munmap.size-2M_threads-0.ns_per_op" (without the run's prefix). */
static void row_name(const struct xrow *r, char *buf, size_t len)
{
	char w[128], p[512], m[128];

	sanitize(w, sizeof(w), r->workload, "._-");
	params_part(p, sizeof(p), r->params, "._-");
	sanitize(m, sizeof(m), r->metric, "._-");
	snprintf(buf, len, "%s%s%s.%s", w, *p ? "." : "", p, m);
}

/* --- reading --- */

static struct xrow *row_find(struct export *x, const char *workload,
			     const char *params)
{
	struct xrow *r;

	if (x->last < x->nrows) {
		r = &x->rows[x->last];
		if (r->run == x->cur && !strcmp(r->workload, workload) &&
		    !strcmp(r->params, params))
			return r;
	}
	for (size_t i = x->nrows; i-- > 0 && x->rows[i].run == x->cur;) {
		r = &x->rows[i];
		if (!strcmp(r->workload, workload) && !strcmp(r->params, params)) {
			x->last = i;
			return r;
		}
	}
	if (x->nrows == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 32;
		struct xrow *n = realloc(x->rows, cap * sizeof(*n));

		if (!n)
			return NULL;
		x->rows = n;
		x->cap = cap;
	}
	r = &x->rows[x->nrows];
	memset(r, 0, sizeof(*r));
	r->run = x->cur;
	r->workload = strdup(workload);
	r->params = strdup(params);
	r->metric = strdup(flb_cmp_primary(workload));
	r->job = UINT_MAX;
	if (!r->workload || !r->params || !r->metric) {
		free(r->workload);
		free(r->params);
		free(r->metric);
		return NULL;
	}
	x->last = x->nrows++;
	return r;
}

static int on_value(void *arg, const struct flb_value *v)
{
	struct export *x = arg;
	struct xrow *r;

	if (!isfinite(v->value) || strcmp(v->metric, flb_cmp_primary(v->workload)))
		return 0;
	r = row_find(x, v->workload, v->params ? v->params : "");
	if (!r)
		goto oom;
	if (!r->unit && !(r->unit = strdup(v->unit ? v->unit : "")))
		goto oom;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		double *n = realloc(r->v, cap * sizeof(*n));

		if (!n)
			goto oom;
		r->v = n;
		r->cap = cap;
	}
	r->v[r->n++] = v->value;
	return 0;
oom:
	x->err = -ENOMEM;
	return 1;
}

/* The row of a job, with its index: NULL (and x->err) when out of memory. */
static struct xrow *job_row(struct export *x, const char *workload,
			    const char *params, unsigned int job)
{
	struct xrow *r = row_find(x, workload, params ? params : "");

	if (!r)
		x->err = -ENOMEM;
	else
		r->job = job;
	return r;
}

static int on_not_ok(void *arg, const struct flb_not_ok *t)
{
	struct export *x = arg;
	struct xrow *r = job_row(x, t->workload, t->params, t->job);

	if (!r)
		return 1;
	if (!strcmp(t->status, "skip"))
		r->nskip += t->samples;
	else if (!strcmp(t->status, "untrustworthy"))
		r->nuntrust += t->samples;
	else
		r->nfail += t->samples;
	if (!r->reason && t->reason && !(r->reason = strdup(t->reason))) {
		x->err = -ENOMEM;
		return 1;
	}
	return 0;
}

static int on_timed(void *arg, const struct flb_timed *t)
{
	struct xrow *r = job_row(arg, t->workload, t->params, t->job);

	if (r)
		r->ntimed++;
	return !r;
}

/* Rows of one run in the order of their jobs. */
static int by_job(const void *a, const void *b)
{
	const struct xrow *p = a, *q = b;

	return p->job < q->job ? -1 : p->job > q->job;
}

static int add_run(struct export *x, const struct flb_run_row *r)
{
	struct xrun *n;

	for (size_t i = 0; i < x->nruns; i++)
		if (x->runs[i].r.id == r->id)
			return 0;
	n = realloc(x->runs, (x->nruns + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	x->runs = n;
	n = &x->runs[x->nruns++];
	memset(n, 0, sizeof(*n));
	n->r = *r;
	return 0;
}

/*
 * The runs named by specs (a label: its complete runs; a run id: that
 * run), or every complete run. 0, or 2 after a message.
 */
static int select_runs(struct export *x, const char *db, const char **specs,
		       int nspecs)
{
	for (int i = 0; i < (nspecs ? nspecs : 1); i++) {
		const char *spec = nspecs ? specs[i] : NULL;
		struct flb_run_row *rows;
		size_t n, added = 0;
		bool by_id;

		if (flb_store_runs(x->st, spec, &rows, &n)) {
			flb_msg(x->cmd, "%s: %s", db, flb_store_error(x->st));
			return 2;
		}
		/* an id names its run alone (a label that is a number wins) */
		by_id = spec && n == 1 && (spec[0] == '#' || strcmp(rows[0].label, spec));
		for (size_t k = 0; k < n; k++) {
			if (!by_id && strcmp(rows[k].status, "complete"))
				continue;
			if (add_run(x, &rows[k])) {
				free(rows);
				flb_msg(x->cmd, "out of memory");
				return 2;
			}
			added++;
		}
		if (spec && !added && n)
			flb_msg(x->cmd, "%s: '%s': none of its %zu run%s is complete",
				db, spec, n, n == 1 ? "" : "s");
		free(rows);
		if (spec && !added)
			return 2;
	}
	if (!x->nruns) {
		flb_msg(x->cmd, "%s: no complete run to export", db);
		return 2;
	}
	return 0;
}

/* Name prefixes for several runs: the label when it names one run here. */
static void set_prefixes(struct export *x)
{
	char t[128];

	if (x->nruns < 2)
		return;
	for (size_t i = 0; i < x->nruns; i++) {
		struct xrun *u = &x->runs[i];
		size_t same = 0;

		for (size_t k = 0; k < x->nruns; k++)
			same += !strcmp(x->runs[k].r.label, u->r.label);
		if (u->r.label[0] && same == 1) {
			sanitize(t, sizeof(t), u->r.label, "._-");
			snprintf(u->prefix, sizeof(u->prefix), "%s.", t);
		} else {
			snprintf(u->prefix, sizeof(u->prefix), "run-%" PRId64 ".",
				 u->r.id);
		}
	}
}

/* Every row's name, made unique by "-2", "-3", ... where they collide. */
static int set_names(struct export *x)
{
	char base[1200], name[1300];

	for (size_t i = 0; i < x->nrows; i++) {
		struct xrow *r = &x->rows[i];
		char part[900];

		row_name(r, part, sizeof(part));
		snprintf(base, sizeof(base), "%s%s", x->runs[r->run].prefix, part);
		snprintf(name, sizeof(name), "%s", base);
		for (unsigned int k = 2;; k++) {
			size_t j;

			for (j = 0; j < i && strcmp(x->rows[j].name, name); j++)
				;
			if (j == i)
				break;
			snprintf(name, sizeof(name), "%s-%u", base, k);
		}
		if (!(r->name = strdup(name)))
			return -ENOMEM;
	}
	return 0;
}

static int load(struct export *x, const char *db)
{
	int64_t id;

	for (x->cur = 0; x->cur < x->nruns; x->cur++) {
		struct xrun *u = &x->runs[x->cur];
		size_t first = x->nrows;

		id = u->r.id;
		if (flb_store_values(x->st, &id, 1, on_value, x) ||
		    flb_store_not_ok(x->st, id, on_not_ok, x) ||
		    flb_store_timed(x->st, id, on_timed, x)) {
			if (x->err)
				goto oom;
			flb_msg(x->cmd, "%s: reading run %" PRId64 ": %s", db, id,
				flb_store_error(x->st));
			return 2;
		}
		qsort(x->rows + first, x->nrows - first, sizeof(*x->rows), by_job);
		x->last = SIZE_MAX;
		if (flb_store_env(x->st, id, &u->env)) {
			flb_msg(x->cmd, "%s: environment of run %" PRId64 ": %s",
				db, id, flb_store_error(x->st));
			return 2;
		}
	}
	set_prefixes(x);
	if (set_names(x))
		goto oom;
	return 0;
oom:
	flb_msg(x->cmd, "out of memory");
	return 2;
}

static void export_free(struct export *x)
{
	for (size_t i = 0; i < x->nrows; i++) {
		struct xrow *r = &x->rows[i];

		free(r->workload);
		free(r->params);
		free(r->metric);
		free(r->unit);
		free(r->v);
		free(r->reason);
		free(r->name);
	}
	free(x->rows);
	for (size_t i = 0; i < x->nruns; i++)
		flb_env_free(&x->runs[i].env);
	free(x->runs);
	if (x->st)
		flb_store_close(x->st);
}

/* --- a row's verdict --- */

/*
 * fail: a sample failed (a wrong result or an error), or none has the
 * primary value while some were untrustworthy or ok without it (the
 * harness went wrong); pass: ok samples (the value is their median);
 * skip: every sample was a skip.
 */
static bool no_value_error(const struct xrow *r)
{
	return !r->nfail && !r->n && (r->nuntrust || r->ntimed);
}

static const char *row_result(const struct xrow *r)
{
	if (r->nfail || no_value_error(r))
		return "fail";
	return r->n ? "pass" : "skip";
}

/* KCIDB's status: ERROR when the code's state is unknown (no value). */
static const char *row_status(const struct xrow *r)
{
	if (no_value_error(r))
		return "ERROR";
	return r->nfail ? "FAIL" : r->n ? "PASS" : "SKIP";
}

/* --- --lava-cases --- */

static void write_lava(const struct export *x, FILE *f)
{
	for (size_t i = 0; i < x->nrows; i++) {
		const struct xrow *r = &x->rows[i];

		/*
		 * VALUE and UNITS are both empty or both set: `read` with
		 * IFS=$'\t' joins adjacent tabs, so only trailing fields may
		 * be empty
		 */
		fprintf(f, "%s\t%s\t", r->name, row_result(r));
		if (r->n)
			fprintf(f, "%.17g\t%s\n", flb_median(r->v, r->n), r->unit);
		else
			fputs("\t\n", f);
	}
}

/* --- --kcidb --- */

/* Set key to a string when it is one and not empty. */
static void jstr(json_t *o, const char *key, const char *v)
{
	if (v && *v)
		json_object_set_new(o, key, json_string(v));
}

static uint64_t fnv(const char *s, uint64_t h)
{
	if (!h)
		h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (h ^ 0xff) * 1099511628211ull;
}

static const char *env_or(const struct flb_env *e, const char *key,
			  const char *dflt)
{
	const char *v = flb_env_get(e, key);

	return v && *v ? v : dflt;
}

/* The kernel a run ran on, as checkout and build keys (hashes). */
static uint64_t kernel_key(const struct flb_env *e)
{
	uint64_t h = fnv(env_or(e, "kernel.release", ""), 0);

	h = fnv(env_or(e, "kernel.version", ""), h);
	return fnv(env_or(e, "guest.kernel", ""), h);
}

static uint64_t build_key(const struct flb_env *e)
{
	uint64_t h = fnv(env_or(e, "arch", env_or(e, "guest.arch", "")),
			 kernel_key(e));

	return fnv(env_or(e, "matrix.config", ""), h);
}

/* Has the array an object whose "id" is id? */
static bool has_id(json_t *a, const char *id)
{
	size_t i;
	json_t *o;

	json_array_foreach(a, i, o)
		if (!strcmp(json_string_value(json_object_get(o, "id")), id))
			return true;
	return false;
}

static void kernel_misc(json_t *m, const struct flb_env *e)
{
	jstr(m, "kernel_release", flb_env_get(e, "kernel.release"));
	jstr(m, "kernel_version", flb_env_get(e, "kernel.version"));
	jstr(m, "guest_kernel", flb_env_get(e, "guest.kernel"));
	jstr(m, "matrix_kernel", flb_env_get(e, "matrix.kernel"));
}

static void add_checkout_build(json_t *checkouts, json_t *builds,
			       const struct export_args *a,
			       const struct flb_env *e, char *build_id,
			       size_t len)
{
	const char *origin = a->origin;
	char cid[160], comment[512], arch[64];
	const char *rel = env_or(e, "kernel.release", env_or(e, "guest.kernel", "unknown"));
	json_t *o, *m;

	snprintf(cid, sizeof(cid), "%s:checkout-%016" PRIx64, origin, kernel_key(e));
	snprintf(build_id, len, "%s:build-%016" PRIx64, origin, build_key(e));
	if (!has_id(checkouts, cid)) {
		o = json_object();
		m = json_object();
		jstr(o, "id", cid);
		jstr(o, "origin", origin);
		snprintf(comment, sizeof(comment), "Linux %s%s%s%s", rel,
			 flb_env_get(e, "kernel.version") ? " (" : "",
			 env_or(e, "kernel.version", ""),
			 flb_env_get(e, "kernel.version") ? ")" : "");
		jstr(o, "comment", comment);
		jstr(o, "tree_name", a->tree);
		jstr(o, "git_repository_url", a->git_url);
		jstr(o, "git_commit_hash", a->git_commit);
		/* the kernel ran: its source was checked out */
		json_object_set_new(o, "valid", json_true());
		kernel_misc(m, e);
		json_object_set_new(o, "misc", m);
		json_array_append_new(checkouts, o);
	}
	if (!has_id(builds, build_id)) {
		o = json_object();
		m = json_object();
		jstr(o, "id", build_id);
		jstr(o, "origin", origin);
		jstr(o, "checkout_id", cid);
		sanitize(arch, sizeof(arch),
			 env_or(e, "arch", env_or(e, "guest.arch", "")), "_");
		for (char *p = arch; *p; p++)
			*p = *p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p;
		jstr(o, "architecture", arch);
		jstr(o, "config_name", flb_env_get(e, "matrix.config"));
		snprintf(comment, sizeof(comment), "Linux %s for %s", rel,
			 *arch ? arch : "an unknown architecture");
		jstr(o, "comment", comment);
		/* the kernel booted and ran the benchmarks */
		jstr(o, "status", "PASS");
		kernel_misc(m, e);
		jstr(m, "kernel_preempt", flb_env_get(e, "kernel.preempt"));
		json_object_set_new(o, "misc", m);
		json_array_append_new(builds, o);
	}
}

/*
 * Where a run ran: its host, the board (--board, else the lab's device,
 * else what the run saw: env board), the lab's keys (lab.job_id,
 * lab.device, ... from `flushbench import` of a LAVA log) as lab_*,
 * --lab-job over lab.job_id.
 */
static json_t *environment(const struct xrun *u, const struct export_args *a)
{
	const struct flb_env *e = &u->env;
	const char *board = a->board ? a->board :
			    env_or(e, "lab.device", env_or(e, "board", NULL));
	json_t *o = json_object(), *m = json_object();
	char comment[512], key[64];

	snprintf(comment, sizeof(comment), "%s%s%s", u->r.host,
		 board ? " / " : "", board ? board : "");
	jstr(o, "comment", comment);
	jstr(m, "host", u->r.host);
	jstr(m, "board", board);
	for (size_t i = 0; i < e->n; i++) {
		if (strncmp(e->kv[i].key, "lab.", 4))
			continue;
		snprintf(key, sizeof(key), "lab_%s", e->kv[i].key + 4);
		sanitize(key, sizeof(key), key, "_-");
		jstr(m, key, e->kv[i].value);
	}
	jstr(m, "lab_job_id", a->lab_job);
	jstr(m, "virt", flb_env_get(e, "virt"));
	jstr(m, "cpu_model", flb_env_get(e, "cpu.model"));
	jstr(m, "cpu_count", flb_env_get(e, "cpu.count"));
	jstr(m, "kernel_cmdline", flb_env_get(e, "kernel.cmdline"));
	jstr(m, "kernel_preempt", flb_env_get(e, "kernel.preempt"));
	jstr(m, "boot_id", u->r.boot_id);
	json_object_set_new(o, "misc", m);
	return o;
}

static json_t *test(const struct export *x, const struct xrow *r,
		    const char *origin, const char *build_id,
		    const struct export_args *a)
{
	const struct xrun *u = &x->runs[r->run];
	char id[1400], path[1024], w[128], p[512], comment[1200];
	json_t *o = json_object(), *m = json_object();

	/* the name without the run's prefix: unique within the run */
	snprintf(id, sizeof(id), "%s:%s.%s", origin, u->r.uuid,
		 r->name + strlen(u->prefix));
	jstr(o, "id", id);
	jstr(o, "origin", origin);
	jstr(o, "build_id", build_id);
	sanitize(w, sizeof(w), r->workload, "_-");
	params_part(p, sizeof(p), r->params, "_-");
	snprintf(path, sizeof(path), "flushbench.%s%s%s", w, *p ? "." : "", p);
	jstr(o, "path", path);
	jstr(o, "status", row_status(r));
	jstr(o, "start_time", u->r.started_at);
	if (r->n) {
		json_t *num = json_object();

		json_object_set_new(num, "value",
				    json_real(flb_median(r->v, r->n)));
		jstr(num, "unit", r->unit);
		json_object_set_new(o, "number", num);
		snprintf(comment, sizeof(comment),
			 "%s %s: median %s of %zu ok samples", r->workload,
			 r->params, r->metric, r->n);
	} else {
		snprintf(comment, sizeof(comment),
			 "%s %s: no %s value (%u ok samples without it, %u failed, %u untrustworthy, %u skipped)",
			 r->workload, r->params, r->metric, r->ntimed, r->nfail,
			 r->nuntrust, r->nskip);
	}
	jstr(o, "comment", comment);
	jstr(o, "log_excerpt", r->reason);
	json_object_set_new(o, "environment", environment(u, a));
	json_object_set_new(m, "run_id", json_integer(u->r.id));
	jstr(m, "run_uuid", u->r.uuid);
	jstr(m, "label", u->r.label);
	jstr(m, "run_status", u->r.status);
	jstr(m, "workload", r->workload);
	jstr(m, "params", r->params);
	jstr(m, "metric", r->metric);
	jstr(m, "name", r->name);
	json_object_set_new(m, "samples_ok", json_integer(r->n));
	json_object_set_new(m, "samples_fail", json_integer(r->nfail));
	json_object_set_new(m, "samples_untrustworthy", json_integer(r->nuntrust));
	json_object_set_new(m, "samples_skip", json_integer(r->nskip));
	jstr(m, "reason", r->reason);
	jstr(m, "config_hash", u->r.config_hash);
	json_object_set_new(o, "misc", m);
	return o;
}

/* The KCIDB document of x (NULL after a message). */
static json_t *kcidb_doc(const struct export *x, const struct export_args *a)
{
	json_t *root = json_object(), *ver = json_object();
	json_t *checkouts = json_array(), *builds = json_array();
	json_t *tests = json_array();
	char (*bid)[160] = calloc(x->nruns, sizeof(*bid));

	json_object_set_new(root, "version", ver);
	json_object_set_new(root, "checkouts", checkouts);
	json_object_set_new(root, "builds", builds);
	json_object_set_new(root, "tests", tests);
	if (!bid || !root || !ver || !checkouts || !builds || !tests) {
		flb_msg(x->cmd, "out of memory");
		goto err;
	}
	json_object_set_new(ver, "major", json_integer(KCIDB_MAJOR));
	json_object_set_new(ver, "minor", json_integer(KCIDB_MINOR));
	for (size_t i = 0; i < x->nruns; i++)
		add_checkout_build(checkouts, builds, a, &x->runs[i].env,
				   bid[i], sizeof(bid[i]));
	if ((a->git_commit || a->git_url || a->tree) &&
	    json_array_size(checkouts) > 1) {
		flb_msg(x->cmd, "--git-commit, --git-url and --tree describe one kernel; these runs ran on %zu: export each kernel's runs alone",
			json_array_size(checkouts));
		goto err;
	}
	for (size_t i = 0; i < x->nrows; i++)
		json_array_append_new(tests, test(x, &x->rows[i], a->origin,
						  bid[x->rows[i].run], a));
	free(bid);
	return root;
err:
	json_decref(root);
	free(bid);
	return NULL;
}

/* --- the command --- */

static bool origin_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return false;
	return true;
}

int flb_cmd_export(int argc, char **argv)
{
	struct export_args a = { .db = "results.db", .origin = "flushbench" };
	struct export x = { .cmd = "export" };
	const char **pos = calloc(argc > 0 ? argc : 1, sizeof(*pos));
	char err[256];
	json_t *doc = NULL;
	FILE *f = stdout;
	int npos, rc, wrc = 0;

	if (!pos)
		return FLB_EXIT_USAGE;
	npos = flb_cli_parse(&export_cli, argc, argv, &a, pos, argc);
	if (npos < 0) {
		free(pos);
		return flb_cli_exit(npos);
	}
	rc = FLB_EXIT_USAGE;
	if (a.kcidb == a.lava) {
		flb_cli_usage_error(&export_cli, "give one of --kcidb and --lava-cases");
		goto out;
	}
	if (!origin_ok(a.origin)) {
		flb_cli_usage_error(&export_cli, "--origin '%s': KCIDB wants [a-z0-9_]+",
				    a.origin);
		goto out;
	}
	if (a.git_commit && (strlen(a.git_commit) != 40 ||
			     strspn(a.git_commit, "0123456789abcdef") != 40)) {
		flb_cli_usage_error(&export_cli, "--git-commit '%s': 40 lowercase hex digits",
				    a.git_commit);
		goto out;
	}
	if (a.git_url && strncmp(a.git_url, "https://", 8)) {
		flb_cli_usage_error(&export_cli, "--git-url '%s': KCIDB wants https://...",
				    a.git_url);
		goto out;
	}
	if (a.lava && (a.git_commit || a.git_url || a.tree || a.board || a.lab_job ||
		       strcmp(a.origin, "flushbench"))) {
		flb_cli_usage_error(&export_cli, "--origin, --board, --lab-job, --git-commit, --git-url and --tree go with --kcidb");
		goto out;
	}
	if (flb_store_open(a.db, FLB_STORE_RO, &x.st, err, sizeof(err))) {
		x.st = NULL;
		flb_msg(x.cmd, "%s: %s", a.db, err);
		goto out;
	}
	rc = select_runs(&x, a.db, pos, npos);
	if (!rc)
		rc = load(&x, a.db);
	if (rc)
		goto out;
	if (a.kcidb && !(doc = kcidb_doc(&x, &a))) {
		rc = FLB_EXIT_USAGE;
		goto out;
	}
	if (a.out && !(f = fopen(a.out, "w"))) {
		flb_msg(x.cmd, "%s: %s", a.out, strerror(errno));
		rc = FLB_EXIT_USAGE;
		goto out;
	}
	if (doc) {
		wrc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
		fputc('\n', f);
	} else {
		write_lava(&x, f);
	}
	rc = ferror(f) || wrc ? FLB_EXIT_USAGE : FLB_EXIT_OK;
	if (f == stdout ? fflush(f) : fclose(f))
		rc = FLB_EXIT_USAGE;
	if (rc)
		flb_msg(x.cmd, "%s: write error", a.out ? a.out : "stdout");
out:
	json_decref(doc);
	export_free(&x);
	free(pos);
	return rc;
}
