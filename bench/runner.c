// SPDX-License-Identifier: GPL-2.0
/*
 * `flushbench run`: execute a suite. For each job: place task 0, open the
 * counters (before setup, so the workload's threads and children inherit
 * them), set up, calibrate the op count once, discard warm-up samples, then
 * time each sample with CLOCK_MONOTONIC_RAW around ->run() and store it
 * (with its counters) in its own transaction. The jobs run here, as one
 * run; or, with --repeat, in rounds (bench/rounds.c) whose jobs each come
 * back here as a worker process (--worker RUN:JOB) running run_job alone.
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cliopt.h"
#include "commands.h"
#include "config.h"
#include "counters.h"
#include "env.h"
#include "job.h"
#include "pin.h"
#include "run.h"
#include "stats.h"
#include "store.h"

struct runner {
	struct flb_suite suite;
	struct flb_store *st;
	int64_t run;
	bool progress;
	size_t total_samples, done_samples;
	struct timespec t_start;
	unsigned int round, rounds;	/* a worker's round, for progress */
	size_t pos;			/* its place in the round's order */
	char **unsupported;		/* events already reported */
	size_t nunsupported;
	bool unsupported_noted;		/* an earlier worker printed them */
	/* per job, for the summary */
	double *ns_per_op;
	size_t nvals;
	unsigned int nok, nfail, nskip, nuntrust;
	char last_reason[256];
	int errors;			/* store failures */
	unsigned int failed_jobs;	/* jobs with a fail row */
};

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC_RAW, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void on_signal(int sig)
{
	(void)sig;
	flb_stop_requested = 1;
}

void flb_run_catch_stop(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void note_unsupported(void *arg, const char *name, const char *why)
{
	struct runner *r = arg;
	char **u;

	for (size_t i = 0; i < r->nunsupported; i++)
		if (!strcmp(r->unsupported[i], name))
			return;
	u = realloc(r->unsupported, (r->nunsupported + 1) * sizeof(*u));
	if (!u)
		return;
	r->unsupported = u;
	r->unsupported[r->nunsupported++] = strdup(name);
	if (!r->unsupported_noted)
		fprintf(stderr, "flushbench run: counter %s not counted here: %s\n",
			name, why);
	if (flb_store_unsupported(r->st, r->run, name, why))
		r->errors++;
}

char *flb_run_what(const struct flb_jobspec *js)
{
	char *buf = NULL, val[FLB_STR_MAX + 32], def[FLB_STR_MAX + 32], why[64];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	void *d = calloc(1, js->wl->params_size ? js->wl->params_size : 1);
	bool any = false;

	if (!f || !d) {
		if (f)
			fclose(f);
		free(d);
		free(buf);
		return strdup(js->params_text);
	}
	for (const struct flb_option *o = js->wl->options; o && o->name; o++) {
		flb_opt_format(o, js->params, val, sizeof(val));
		if (o->def && !flb_opt_parse(o, o->def, d, why, sizeof(why))) {
			flb_opt_format(o, d, def, sizeof(def));
			if (!strcmp(def, val))
				continue;
		}
		fprintf(f, "%s%s=%s", any ? " " : "", o->name, val);
		any = true;
	}
	if (js->set.placement != FLB_PLACE_SPREAD) {
		fprintf(f, "%splacement=%s", any ? " " : "",
			flb_placement_names[js->set.placement]);
		any = true;
	}
	if (!any)
		fprintf(f, "(defaults)");
	fclose(f);
	free(d);
	return buf;
}

static void show_progress(struct runner *r, size_t job, const char *what,
			  const char *phase, uint64_t i, uint64_t n)
{
	double el, eta = 0;
	struct timespec t;

	if (!r->progress)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t);
	el = (double)(t.tv_sec - r->t_start.tv_sec) +
	     (double)(t.tv_nsec - r->t_start.tv_nsec) / 1e9;
	if (r->done_samples)
		eta = el / (double)r->done_samples *
		      (double)(r->total_samples - r->done_samples);
	fprintf(stderr, "\r\033[K");
	if (r->rounds)
		fprintf(stderr, "round %u/%u ", r->round, r->rounds);
	fprintf(stderr, "[%zu/%zu] %.60s: %s %" PRIu64 "/%" PRIu64
		"  elapsed %.0fs  ETA %.0fs", (r->rounds ? r->pos : job) + 1,
		r->suite.njobs, what, phase, i, n, el, eta);
}

/* CPUs the tasks ran on, as "0,1"; untrustworthy if one left its placement. */
static bool cpus_text(const struct flb_job *job, char *buf, size_t len)
{
	bool moved = false;
	size_t w = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < job->ntasks && w < len; i++) {
		int cpu = job->ran_on[i];
		bool inside = job->cpus[i] < 0;

		for (unsigned int k = 0; k < job->ntasks && !inside; k++)
			inside = job->cpus[k] == cpu;
		if (cpu >= 0 && !inside)
			moved = true;
		w += snprintf(buf + w, len - w, "%s%d", i ? "," : "", cpu);
	}
	return moved;
}

static int store_row(struct runner *r, const struct flb_jobspec *js,
		     size_t jobi, unsigned int seq, enum flb_status status,
		     const char *reason, uint64_t ops, uint64_t ns,
		     const char *cpus, struct flb_counters *c,
		     const struct flb_job *job)
{
	const char *names[FLB_MAX_EVENTS * 8];
	double vals[FLB_MAX_EVENTS * 8];
	struct flb_sample_rec s = {
		.job = (unsigned int)jobi, .workload = js->wl->name,
		.params = js->params_text, .seq = seq, .status = status,
		.reason = reason, .ops = ops, .elapsed_ns = ns,
		.cpus = cpus ? cpus : "",
	};

	if (c) {
		size_t n = flb_counters_count(c);

		if (n > FLB_MAX_EVENTS * 8)
			n = FLB_MAX_EVENTS * 8;
		for (size_t i = 0; i < n; i++)
			flb_counters_value(c, i, &names[i], &vals[i]);
		s.ncounters = n;
		s.counter_names = names;
		s.counter_values = vals;
	}
	if (job) {
		s.nmetrics = job->nmetrics;
		s.metrics = job->metrics;
	}
	if (flb_store_sample_add(r->st, r->run, &s) < 0) {
		fprintf(stderr, "flushbench run: storing a sample failed: %s\n",
			flb_store_error(r->st));
		r->errors++;
		return -1;
	}
	switch (status) {
	case FLB_OK:
		r->nok++;
		break;
	case FLB_SKIP:
		r->nskip++;
		break;
	case FLB_FAIL:
		r->nfail++;
		break;
	case FLB_UNTRUSTWORTHY:
		r->nuntrust++;
		break;
	}
	if (reason && *reason)
		snprintf(r->last_reason, sizeof(r->last_reason), "%s", reason);
	return 0;
}

/* One timed call of ->run; returns its status, elapsed ns in *ns. */
static int timed(struct flb_jobspec *js, struct flb_job *job, void *state,
		 struct flb_counters *c, uint64_t ops, uint64_t *done,
		 uint64_t *ns)
{
	uint64_t t0, t1;
	int rc;

	flb_job_sample_reset(job);
	*done = 0;
	if (c)
		flb_counters_start(c);
	t0 = now_ns();
	rc = js->wl->run(job, state, ops, done);
	t1 = now_ns();
	if (c)
		flb_counters_stop(c);
	*ns = t1 - t0;
	flb_job_note_cpu(job, 0, sched_getcpu());
	return rc;
}

/* Find an op count whose sample takes about duration_ns. */
static int calibrate(struct flb_jobspec *js, struct flb_job *job, void *state,
		     uint64_t *ops_out)
{
	uint64_t ops = 1, done, ns, target = js->set.duration_ns;
	int rc;

	for (;;) {
		rc = timed(js, job, state, NULL, ops, &done, &ns);
		if (rc != FLB_OK)
			return rc;
		if (ns >= target / 10 || ops >= (1ull << 40) || flb_stop_requested)
			break;
		if (ns < 1000)
			ops *= 100;
		else
			ops = ops * (target / 10) / ns * 2 + 1;
	}
	ops = (uint64_t)((double)ops * (double)target / (double)(ns ? ns : 1));
	*ops_out = ops ? ops : 1;
	return FLB_OK;
}

static void run_job(struct runner *r, size_t ji, struct flb_summary_row *row)
{
	struct flb_jobspec *js = &r->suite.jobs[ji];
	struct flb_counters *c = NULL;
	struct flb_job *job = NULL;
	void *state = NULL;
	uint64_t ops, done, ns;
	char cpus[512];
	int rc, err;

	r->nvals = r->nok = r->nfail = r->nskip = r->nuntrust = 0;
	r->last_reason[0] = '\0';
	row->what = flb_run_what(js);
	if (js->skip[0]) {
		store_row(r, js, ji, 0, FLB_SKIP, js->skip, 0, 0, "", NULL, NULL);
		r->done_samples += js->set.samples;
		goto out_job;
	}
	job = flb_job_new(js->wl, js->params, js->ntasks, js->cpus,
			 js->set.extra_work_ns);
	if (!job) {
		store_row(r, js, ji, 0, FLB_FAIL, "out of memory", 0, 0, "",
			  NULL, NULL);
		goto out_job;
	}
	err = flb_job_pin(job, 0);
	if (err) {
		char why[128];

		snprintf(why, sizeof(why), "cannot bind to CPU %d: %s",
			 js->cpus[0], strerror(-err));
		store_row(r, js, ji, 0, FLB_SKIP, why, 0, 0, "", NULL, NULL);
		goto out_job;
	}
	if (r->suite.nevents) {
		c = flb_counters_open((const char *const *)r->suite.events,
				     r->suite.nevents, r->suite.scope,
				     note_unsupported, r);
	}
	show_progress(r, ji, row->what, "setup", 0, js->set.samples);
	rc = js->wl->setup(job, js->params, &state);
	if (rc != FLB_OK) {
		store_row(r, js, ji, 0, rc, job->reason[0] ? job->reason :
			  "setup failed", 0, 0, "", NULL, NULL);
		goto out_counters;
	}
	ops = js->set.ops;
	if (!ops) {
		show_progress(r, ji, row->what, "calibrating", 0, js->set.samples);
		rc = calibrate(js, job, state, &ops);
		if (rc != FLB_OK) {
			store_row(r, js, ji, 0, rc, job->reason[0] ? job->reason :
				  "failed while calibrating", 0, 0, "", NULL, job);
			goto out_teardown;
		}
	}
	for (uint64_t w = 0; w < js->set.warmup && !flb_stop_requested; w++) {
		show_progress(r, ji, row->what, "warm-up", w + 1, js->set.warmup);
		rc = timed(js, job, state, NULL, ops, &done, &ns);
		if (rc == FLB_SKIP || rc == FLB_FAIL) {
			store_row(r, js, ji, 0, rc, job->reason, done, ns, "",
				  NULL, job);
			goto out_teardown;
		}
	}
	for (uint64_t i = 0; i < js->set.samples && !flb_stop_requested; i++) {
		enum flb_status st;
		const char *reason;

		show_progress(r, ji, row->what, "sample", i + 1, js->set.samples);
		for (unsigned int t = 1; t < job->ntasks; t++)
			job->ran_on[t] = -1;
		rc = timed(js, job, state, c, ops, &done, &ns);
		st = rc;
		reason = job->reason;
		if (cpus_text(job, cpus, sizeof(cpus)) && st == FLB_OK) {
			st = FLB_UNTRUSTWORTHY;
			reason = "a task ran outside its placement";
		}
		if (st == FLB_OK && done != ops) {
			st = FLB_UNTRUSTWORTHY;
			reason = "the workload did fewer operations than asked";
		}
		if (st == FLB_OK && done)
			r->ns_per_op[r->nvals++] = (double)ns / (double)done;
		store_row(r, js, ji, (unsigned int)i, st, reason, done, ns, cpus,
			  c, job);
		r->done_samples++;
		if (st == FLB_SKIP)
			break;
	}
out_teardown:
	if (js->wl->teardown)
		js->wl->teardown(job, state);
out_counters:
	flb_counters_close(c);
out_job:
	flb_job_free(job);
	row->n = r->nok;
	if (r->nfail)
		r->failed_jobs++;
	row->status = r->nfail ? "fail" : r->nuntrust ? "untrustworthy" :
		      r->nok ? "ok" : r->nskip ? "skip" : "fail";
	snprintf(row->reason, sizeof(row->reason), "%s", r->last_reason);
	if (r->nvals) {
		row->median = flb_median(r->ns_per_op, r->nvals);
		row->ops_s = row->median > 0 ? 1e9 / row->median : 0;
		row->cv = r->nvals > 1 ? 100.0 * flb_cv(r->ns_per_op, r->nvals) : 0;
	}
}

void flb_run_summary(const struct flb_suite *s, const struct flb_summary_row *rows,
		    bool rounds)
{
	int w = 10;

	for (size_t i = 0; i < s->njobs; i++) {
		int l = (int)strlen(s->jobs[i].wl->name) + 1 +
			(rows[i].what ? (int)strlen(rows[i].what) : 0);

		if (l > w)
			w = l > 60 ? 60 : l;
	}
	printf("\n%-*s  %-13s %4s %14s %14s %7s%s\n", w, "job", "status",
	       rounds ? "runs" : "n", "median ns/op", "ops/s", "CV%",
	       rounds ? "  run CV%" : "");
	for (size_t i = 0; i < s->njobs; i++) {
		const struct flb_summary_row *row = &rows[i];
		const char *status = row->status ? row->status : "not run";
		char what[256];

		snprintf(what, sizeof(what), "%s %s", s->jobs[i].wl->name,
			 row->what ? row->what : "");
		if (row->n)
			printf("%-*.*s  %-13s %4u %14.1f %14.1f %7.2f", w, w,
			       what, status, row->n, row->median, row->ops_s,
			       row->cv);
		else
			printf("%-*.*s  %-13s %4u %14s %14s %7s", w, w, what,
			       status, 0u, "-", "-", "-");
		if (rounds && row->run_cv >= 0)
			printf(" %8.2f", row->run_cv);
		else if (rounds)
			printf(" %8s", "-");
		printf("\n");
		if (row->reason[0] && strcmp(status, "ok"))
			printf("%-*s    %s\n", w, "", row->reason);
	}
}

/* will-it-scale does the same: stable page-table layouts across runs */
static void aslr_off(char **argv)
{
	int pers = personality(0xffffffff);

	if (pers == -1 || (pers & ADDR_NO_RANDOMIZE) ||
	    getenv("FLUSHBENCH_ASLR_DONE"))
		return;
	if (personality(pers | ADDR_NO_RANDOMIZE) == -1)
		return;
	setenv("FLUSHBENCH_ASLR_DONE", "1", 1);
	execv("/proc/self/exe", argv);
	/* keep going with ASLR on; the environment records it */
}

const char *flb_run_end(struct flb_store *st, int64_t run, int errors)
{
	const char *status = flb_stop_requested ? "aborted" :
			     errors ? "failed" : "complete";
	char t[40];
	time_t now = time(NULL);

	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	flb_store_env_put(st, run, "ended_at", t);
	flb_store_run_end(st, run, status);
	return status;
}

/* The whole suite as one run, in this process. */
static int run_once(struct runner *r, const struct flb_run_opts *o,
		    const struct flb_env *env)
{
	struct flb_summary_row *rows = calloc(r->suite.njobs, sizeof(*rows));
	int ret = FLB_EXIT_USAGE;

	if (!rows) {
		fprintf(stderr, "flushbench run: out of memory\n");
		return ret;
	}
	r->run = flb_store_run_begin(r->st, o->label, o->config,
				    r->suite.resolved, r->suite.hash, env);
	if (r->run < 0) {
		fprintf(stderr, "flushbench run: %s\n", flb_store_error(r->st));
		goto out;
	}
	flb_run_catch_stop();
	r->progress = !o->quiet && isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &r->t_start);
	for (size_t i = 0; i < r->suite.njobs; i++) {
		r->total_samples += r->suite.jobs[i].set.samples;
		if (r->suite.jobs[i].set.samples > r->nvals)
			r->nvals = r->suite.jobs[i].set.samples;
	}
	r->ns_per_op = calloc(r->nvals ? r->nvals : 1, sizeof(double));
	if (!r->ns_per_op) {
		flb_store_run_end(r->st, r->run, "failed");
		goto out;
	}
	if (!o->quiet)
		fprintf(stderr, "flushbench run: run %" PRId64 " '%s', %zu jobs, "
			"%zu samples, into %s\n", r->run, o->label,
			r->suite.njobs, r->total_samples, o->db);
	for (size_t i = 0; i < r->suite.njobs && !flb_stop_requested; i++)
		run_job(r, i, &rows[i]);
	if (r->progress)
		fprintf(stderr, "\r\033[K");
	flb_run_end(r->st, r->run, r->errors);
	if (flb_stop_requested) {
		fprintf(stderr, "flushbench run: interrupted; run %" PRId64
			" kept its finished samples and is marked aborted\n",
			r->run);
		ret = FLB_EXIT_FAIL;
	} else {
		ret = r->errors || r->failed_jobs ? FLB_EXIT_FAIL : FLB_EXIT_OK;
	}
	flb_run_summary(&r->suite, rows, false);
	printf("run %" PRId64 " (%s) %s in %s\n", r->run, o->label,
	       flb_stop_requested || r->errors ? "NOT complete" : "complete",
	       o->db);
	if (r->failed_jobs)
		printf("%u job(s) FAILED: a wrong result is a bug, not a fast "
		       "sample (see the reasons above)\n", r->failed_jobs);
	free(r->ns_per_op);
out:
	for (size_t i = 0; i < r->suite.njobs; i++)
		free(rows[i].what);
	free(rows);
	return ret;
}

/*
 * --worker RUN:JOB (internal, see bench/rounds.c): job JOB of the suite,
 * loaded from the same config with the same --only as the parent's so
 * that JOB names the same job, into the run RUN the parent began and will
 * end; then the job's row on stdout for the parent's summary.
 * --progress ROUND:ROUNDS:POS:DONE:TOTAL:T0 carries the parent's progress.
 */
static int run_worker(struct runner *r, const struct flb_run_opts *o,
		      const char *spec, const char *progress)
{
	struct flb_summary_row row = { 0 };
	struct flb_run_row *runs = NULL;
	char err[512], id[32];
	size_t ji, n = 0;
	uint64_t t0;
	int end = 0, ret = FLB_EXIT_USAGE;

	/*
	 * Die with the parent. Set after the exec (which clears it for a
	 * binary with file capabilities) and before the check below that
	 * the parent's run is still going, so a parent gone in between is
	 * caught there.
	 */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	flb_run_catch_stop();
	if (sscanf(spec, "%" SCNd64 ":%zu%n", &r->run, &ji, &end) != 2 ||
	    spec[end] || ji >= r->suite.njobs) {
		fprintf(stderr, "flushbench run: --worker %s: want RUN:JOB, "
			"JOB below %zu\n", spec, r->suite.njobs);
		return ret;
	}
	if (progress && sscanf(progress, "%u:%u:%zu:%zu:%zu:%" SCNu64,
			       &r->round, &r->rounds, &r->pos, &r->done_samples,
			       &r->total_samples, &t0) == 6) {
		r->progress = isatty(STDERR_FILENO);
		r->t_start.tv_sec = (time_t)(t0 / 1000000000);
		r->t_start.tv_nsec = (long)(t0 % 1000000000);
	}
	if (flb_store_open(o->db, FLB_STORE_RW, &r->st, err, sizeof(err))) {
		fprintf(stderr, "flushbench run: %s\n", err);
		return ret;
	}
	/* the parent's run, still going (checked after PDEATHSIG is set) */
	snprintf(id, sizeof(id), "#%" PRId64, r->run);
	if (flb_store_runs(r->st, id, &runs, &n) || n != 1 ||
	    strcmp(runs[0].status, "running") ||
	    strcmp(runs[0].config_hash, r->suite.hash)) {
		fprintf(stderr, "flushbench run: worker: run %s is not a running "
			"run of %s as loaded here\n", id, o->config);
		goto out;
	}
	r->ns_per_op = calloc(r->suite.jobs[ji].set.samples, sizeof(double));
	if (!r->ns_per_op) {
		fprintf(stderr, "flushbench run: out of memory\n");
		goto out;
	}
	run_job(r, ji, &row);
	flb_rounds_report(stdout, &row, r->errors, flb_stop_requested,
			 r->nunsupported);
	ret = r->errors || r->failed_jobs ? FLB_EXIT_FAIL : FLB_EXIT_OK;
	free(row.what);
	free(r->ns_per_op);
out:
	free(runs);
	flb_store_close(r->st);
	return ret;
}

/* What the command line of `flushbench run` gives. */
struct run_args {
	struct flb_run_opts o;
	struct flb_suite_settings set;	/* --repeat */
	struct only_list {		/* --only, split at commas */
		char *v[64];
		size_t n;
	} only;
	const char *worker, *progress;
	bool aslr, check, unsupported_noted;
};

/* --only W[,W]: repeatable, adds to the list. */
static int parse_only(const struct flb_cliopt *o, const char *value, void *dst,
		      char *why, size_t len)
{
	struct only_list *l = dst;
	/* a copy: argv is reused as is for the ASLR re-exec */
	char *list = strdup(value), *save = NULL;

	(void)o;
	if (!list) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	for (char *s = strtok_r(list, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		if (l->n == sizeof(l->v) / sizeof(l->v[0])) {
			snprintf(why, len, "more than %zu workloads", l->n);
			return -1;
		}
		l->v[l->n++] = s;
	}
	return 0;
}

/* --repeat R: the suite's own setting, with its range. */
static int parse_repeat(const struct flb_cliopt *o, const char *value,
			void *dst, char *why, size_t len)
{
	const struct flb_option *r = flb_suite_options;
	struct flb_cliopt q = *o;

	while (strcmp(r->name, "repeat"))
		r++;
	q.arg = r;
	return flb_cli_typed(&q, value, dst, why, len);
}

static const struct flb_option seed_opt = {
	.name = "seed", .type = FLB_OPT_U64, .max = UINT64_MAX,
};

/* --seed S: the shuffle's seed, and that one was given. */
static int parse_seed(const struct flb_cliopt *o, const char *value, void *dst,
		      char *why, size_t len)
{
	struct flb_run_opts *ro = dst;

	if (flb_cli_typed(o, value, &ro->seed, why, len))
		return -1;
	ro->seeded = true;
	return 0;
}

static const struct flb_cliopt run_opts[] = {
	FLB_CLI_STRING('c', "config", struct run_args, o.config, "FILE",
		       "the suite (YAML; default configs/default.yaml)"),
	FLB_CLI_STRING(0, "db", struct run_args, o.db, "PATH",
		       "the SQLite results store (default results.db)"),
	FLB_CLI_STRING('l', "label", struct run_args, o.label, "NAME",
		       "names the run for compare (default: the kernel release)"),
	FLB_CLI_CALLBACK(0, "only", struct run_args, only, "W[,W]", parse_only, NULL,
			 "run only the jobs of these workloads (repeatable)"),
	FLB_CLI_CALLBACK('r', "repeat", struct run_args, set, "R", parse_repeat, NULL,
			 "R rounds (1 to 1000; default: the suite's `repeat:`),\n"
			 "each a run of its own under the label, its jobs in an\n"
			 "order shuffled per round, each job in a fresh process"),
	FLB_CLI_CALLBACK(0, "seed", struct run_args, o, "S", parse_seed, &seed_opt,
			 "seed of the shuffle (default: a fresh one, printed)"),
	FLB_CLI_FLAG('q', "quiet", struct run_args, o.quiet, "no progress on stderr"),
	FLB_CLI_FLAG(0, "aslr", struct run_args, aslr,
		     "keep address-space randomisation on (default: off,\n"
		     "as will-it-scale, for stable page-table layouts)"),
	FLB_CLI_FLAG(0, "check", struct run_args, check,
		     "load and validate the suite (with --only) and exit:\n"
		     "nothing printed and 0 when it would run, else 2"),
	/* internal, for the rounds' workers (bench/rounds.c) */
	FLB_CLI_STRING(0, "worker", struct run_args, worker, "RUN:JOB", "",
		       .hidden = true),
	FLB_CLI_STRING(0, "progress", struct run_args, progress, "SPEC", "",
		       .hidden = true),
	FLB_CLI_FLAG(0, "unsupported-noted", struct run_args, unsupported_noted,
		     "", .hidden = true),
	FLB_CLI_END
};

static const struct flb_cli run_cli = {
	.cmd = "run",
	.about = "Run a suite and store every sample in the results store, then print\n"
		 "a summary.",
	.opts = run_opts,
};

int flb_cmd_run(int argc, char **argv)
{
	struct run_args a = {
		.o = { .config = "configs/default.yaml", .db = "results.db",
		       .argv0 = argv[-1] },
	};
	struct flb_run_opts o;
	char label_buf[128];
	struct runner r = { 0 };
	struct flb_env env = { 0 };
	char err[512];
	int n, ret = FLB_EXIT_USAGE;
	char **argv0 = argv - 1;	/* "flushbench" "run" ...: for re-exec */

	n = flb_cli_parse(&run_cli, argc, argv, &a, NULL, 0);
	if (n < 0)
		return flb_cli_exit(n);
	o = a.o;
	r.unsupported_noted = a.unsupported_noted;
	/* a worker keeps the personality its parent chose, as exec keeps it */
	if (!a.aslr && !a.worker && !a.check)
		aslr_off(argv0);
	o.only = a.only.n ? (const char *const *)a.only.v : NULL;
	o.nonly = a.only.n;
	if (flb_config_load(o.config, o.only, o.nonly, &r.suite, stderr))
		return FLB_EXIT_USAGE;
	if (a.worker) {
		ret = run_worker(&r, &o, a.worker, a.progress);
		goto out_suite;
	}
	/* any --repeat, or a suite's repeat: from 2, runs rounds */
	o.rounds = (unsigned int)(a.set.repeat ? a.set.repeat :
				  r.suite.set.repeat > 1 ? r.suite.set.repeat : 0);
	if (o.seeded && !o.rounds) {
		flb_cli_usage_error(&run_cli, "--seed shuffles rounds: give "
				    "--repeat R (or `repeat:` in the suite)");
		goto out_suite;
	}
	if (a.check) {
		ret = FLB_EXIT_OK;
		goto out_suite;
	}
	if (!o.label) {
		struct utsname u;

		uname(&u);
		snprintf(label_buf, sizeof(label_buf), "%s", u.release);
		o.label = label_buf;
	}
	if (flb_store_open(o.db, FLB_STORE_RW, &r.st, err, sizeof(err))) {
		fprintf(stderr, "flushbench run: %s\n", err);
		goto out_suite;
	}
	if (flb_env_capture(&env)) {
		fprintf(stderr, "flushbench run: out of memory\n");
		goto out_store;
	}
	flb_env_set(&env, "topology", "%s", flb_pin_topology());
	flb_env_set(&env, "aslr.run", "%s",
		   (personality(0xffffffff) & ADDR_NO_RANDOMIZE) ? "off" : "on");
	flb_env_set(&env, "config.path", "%s", o.config);
	flb_env_set(&env, "config.hash", "%s", r.suite.hash);
	{
		/*
		 * The runs of one command share this: runs close in time
		 * share the host's state too, so compare takes the
		 * invocation, not the run, as the unit (docs/analysis.md).
		 */
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		flb_env_set(&env, "run.invocation", "%ld.%09ld-%d",
			   (long)ts.tv_sec, ts.tv_nsec, (int)getpid());
	}
	if (o.rounds)
		ret = flb_rounds_run(&o, &r.suite, r.st, &env);
	else
		ret = run_once(&r, &o, &env);
	flb_env_free(&env);
out_store:
	flb_store_close(r.st);
out_suite:
	for (size_t i = 0; i < r.nunsupported; i++)
		free(r.unsupported[i]);
	free(r.unsupported);
	flb_config_free(&r.suite);
	return ret;
}
