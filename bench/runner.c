// SPDX-License-Identifier: GPL-2.0
/*
 * `flushbench run`: execute a suite. Each job runs in a worker process of
 * its own (flushbench-worker, bench/worker.c), which maps the workloads and
 * the C library only: this process keeps the store, the topology and the
 * counters. For each job: start the worker, open the counters on it
 * (before its setup, so its threads and children inherit them), send it
 * the job; it places task 0, sets up, calibrates the op count once,
 * discards warm-up samples, then times each sample we ask for with
 * CLOCK_MONOTONIC_RAW around ->run(); we store each (with its counters)
 * in its own transaction. A worker that crashes, hangs, exits early or
 * breaks the protocol (bench/wproto.h) makes a fail row and the run goes
 * on. The jobs run as one run; or, with --repeat, in rounds
 * (bench/rounds.c), each job of each round in a fresh worker.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
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
#include "util.h"
#include "wproto.h"

/* A job's tallies for its summary row (a duet has one per side). */
struct tally {
	double *ns_per_op;	/* timed ok samples, ns per op */
	size_t nvals;
	unsigned int nok, nfail, nskip, nuntrust;
	char last_reason[256];
};

struct runner {
	struct flb_suite suite;
	struct flb_store *st;
	int64_t run;
	bool progress;
	size_t total_samples, done_samples;
	struct timespec t_start;
	unsigned int round, rounds;	/* a worker's round, for progress */
	size_t pos;			/* its place in the round's order */
	char **unsupported;		/* events already reported in run */
	size_t nunsupported;
	int64_t unsupported_run;	/* the run they were stored in */
	bool unsupported_noted;		/* printed for an earlier run */
	char worker_path[4200];		/* flushbench-worker */
	struct tally *t;		/* the job (or duet side) being stored */
	int64_t duet_run;		/* the run duet.swap was recorded in */
	int sync_fd;			/* --sync: a duet guest's console, or -1 */
	int errors;			/* store failures */
	bool store_lost;		/* the store is full or read-only */
	unsigned int failed_jobs;	/* jobs with a fail row */
};

/* Stop what runs: interrupted, or nothing more can be stored. */
static bool stopping(const struct runner *r)
{
	return flb_stop_requested || r->store_lost;
}

bool flb_runner_store_lost(const struct flb_runner *fr)
{
	return ((const struct runner *)fr)->store_lost;
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

	if (r->unsupported_run != r->run) {
		/* each run (round) stores them; they are printed once */
		r->unsupported_noted |= r->nunsupported > 0;
		for (size_t i = 0; i < r->nunsupported; i++)
			free(r->unsupported[i]);
		r->nunsupported = 0;
		r->unsupported_run = r->run;
	}
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

/*
 * CPUs the tasks ran on (ran_on, one per task of js), as "0,1";
 * untrustworthy if one left its placement.
 */
static bool cpus_text(const struct flb_jobspec *js, const int *ran_on,
		      char *buf, size_t len)
{
	bool moved = false;
	size_t w = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < js->ntasks && w < len; i++) {
		int cpu = ran_on[i];
		bool inside = js->cpus[i] < 0;

		for (unsigned int k = 0; k < js->ntasks && !inside; k++)
			inside = js->cpus[k] == cpu;
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
		     const struct flb_metric *metrics, unsigned int nmetrics,
		     bool counting)
{
	const char *names[FLB_MAX_EVENTS * 8];
	double vals[FLB_MAX_EVENTS * 8];
	struct flb_sample_rec s = {
		.job = (unsigned int)jobi, .workload = js->wl->name,
		.params = js->params_text, .seq = seq, .status = status,
		.reason = reason, .ops = ops, .elapsed_ns = ns,
		.cpus = cpus ? cpus : "", .counting = counting,
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
	s.nmetrics = nmetrics;
	s.metrics = metrics;
	if (r->store_lost)
		return -1;	/* said once: every write would fail the same */
	if (flb_store_sample_add(r->st, r->run, &s) < 0) {
		if (flb_store_fault(r->st) != FLB_STORE_NO_FAULT) {
			/* "results store full: PATH: ... run again)" */
			fprintf(stderr, "flushbench run: %s\n",
				flb_store_error(r->st));
			r->store_lost = true;
		} else {
			fprintf(stderr, "flushbench run: storing a sample failed: %s\n",
				flb_store_error(r->st));
		}
		r->errors++;
		return -1;
	}
	switch (status) {
	case FLB_OK:
		r->t->nok += !counting;	/* the summary's n: timed samples */
		break;
	case FLB_SKIP:
		r->t->nskip++;
		break;
	case FLB_FAIL:
		r->t->nfail++;
		break;
	case FLB_UNTRUSTWORTHY:
		r->t->nuntrust++;
		break;
	}
	if (reason && *reason)
		snprintf(r->t->last_reason, sizeof(r->t->last_reason), "%s", reason);
	return 0;
}

/* ---- the job's worker process (bench/worker.c, bench/wproto.h) ---------- */

/* A job's worker, as the runner drives it. */
struct wk {
	pid_t pid;
	int to;			/* the worker's FLB_WPROTO_IN_FD: our end */
	struct flb_wline from;	/* its FLB_WPROTO_OUT_FD: our end */
	bool stop_passed;	/* SIGTERM sent on, once */
	bool hung;		/* killed for silence past its deadline */
	uint64_t limit_ms;	/* silence allowed before it counts as hung */
	uint64_t longest_ms;	/* the longest wait for a reply so far */
	char why[512];		/* the protocol error, or how it broke */
	char line[FLB_WPROTO_LINE];	/* the last line (split in place) */
	char raw[256];			/* and its start as it came */
};

/* One result line (and its metrics) from the worker. */
struct wres {
	bool prep;
	uint64_t seq, ops, ns;
	int status;
	bool has_cpus;
	int *ran_on;		/* one per task */
	unsigned int nmetrics;
	struct flb_metric metrics[FLB_MAX_METRICS];
	char reason[256];
};

static const char *const wk_status[] = {
	[FLB_OK] = "ok", [FLB_SKIP] = "skip", [FLB_FAIL] = "fail",
	[FLB_UNTRUSTWORTHY] = "untrustworthy", NULL
};

/*
 * Where flushbench-worker is: $FLUSHBENCH_WORKER, else beside this
 * program (make builds both in the tree's top directory; guests carry
 * both), else in its build directory, build/. 0, or -1 with the places
 * tried in path.
 */
int flb_run_worker_path(char *path, size_t len)
{
	const char *env = getenv("FLUSHBENCH_WORKER");
	char dir[4096];

	if (env && *env) {
		snprintf(path, len, "%s", env);
		return access(path, X_OK) ? -1 : 0;
	}
	if (flb_exe_dir(dir, sizeof(dir))) {
		snprintf(path, len, "%s (this program's directory is unknown: %s)",
			 FLB_WORKER_NAME, strerror(errno));
		return -1;
	}
	snprintf(path, len, "%s/" FLB_WORKER_NAME, dir);
	if (!access(path, X_OK))
		return 0;
	snprintf(path, len, "%s/build/" FLB_WORKER_NAME, dir);
	if (!access(path, X_OK))
		return 0;
	snprintf(path, len, "%s/" FLB_WORKER_NAME " nor %s/build/"
		 FLB_WORKER_NAME, dir, dir);
	return -1;
}

/* Task 0's CPU when every task is placed on one, else -1 (unbound). */
static int birth_cpu(const struct flb_jobspec *js)
{
	if (!js->cpus || !js->ntasks)
		return -1;
	for (unsigned int t = 0; t < js->ntasks; t++)
		if (js->cpus[t] < 0)
			return -1;
	return js->cpus[0];
}

/*
 * Start the worker: 0, or -errno. With cpu >= 0 it is bound to that CPU
 * before exec, so that its mm is born there: on x86 a CPU the mm ran on
 * stays in mm_cpumask while it idles lazily, and every flush of the job
 * would take the remote path (README, harness overhead).
 */
static int wk_start(struct runner *r, struct wk *w, int cpu)
{
	int in[2], out[2];

	if (pipe2(in, O_CLOEXEC))
		return -errno;
	if (pipe2(out, O_CLOEXEC)) {
		int err = -errno;

		close(in[0]);
		close(in[1]);
		return err;
	}
	fflush(NULL);
	w->pid = fork();
	if (w->pid < 0) {
		int err = -errno;

		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return err;
	}
	if (!w->pid) {
		/* above 4 first, so that the dup2s below cannot clobber them */
		int a = fcntl(in[0], F_DUPFD_CLOEXEC, 10);
		int b = fcntl(out[1], F_DUPFD_CLOEXEC, 10);

		if (a < 0 || b < 0 || dup2(a, FLB_WPROTO_IN_FD) < 0 ||
		    dup2(b, FLB_WPROTO_OUT_FD) < 0 ||
		    dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		if (cpu >= 0)
			flb_pin_self(cpu);	/* the worker pins and reports */
		execl(r->worker_path, FLB_WORKER_NAME, (char *)NULL);
		fprintf(stderr, "flushbench run: exec %s: %s\n", r->worker_path,
			strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	w->to = in[1];
	w->from.fd = out[0];
	w->from.len = 0;
	return 0;
}

/*
 * The worker's next line into w->line: 0, or -1 with w->why set (it
 * closed, went silent past its deadline and was killed, or said `error`).
 * A stop asked of us is passed on to it (it ends its sample early).
 */
static int wk_get(struct wk *w)
{
	struct timespec t0, t1;
	uint64_t ms;
	int err;

	uint64_t limit = w->limit_ms + 10 * w->longest_ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000 +
				(t1.tv_nsec - t0.tv_nsec) / 1000000);
		err = ms >= limit ? -ETIMEDOUT :
		      flb_wline_get(&w->from, w->line, (int)(limit - ms));
		if (err != -EINTR)
			break;
		if (flb_stop_requested && !w->stop_passed) {
			kill(w->pid, SIGTERM);
			w->stop_passed = true;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000 +
			(t1.tv_nsec - t0.tv_nsec) / 1000000);
	if (ms > w->longest_ms)
		w->longest_ms = ms;
	snprintf(w->raw, sizeof(w->raw), "%.*s", (int)sizeof(w->raw) - 1,
		 err ? "" : w->line);
	if (err == -ETIMEDOUT) {
		kill(w->pid, SIGKILL);
		w->hung = true;
		snprintf(w->why, sizeof(w->why), "sent nothing for %.0f s (its "
			 "deadline: %.0f s, then 10x the longest step so far) "
			 "and was killed", (double)ms / 1e3,
			 (double)w->limit_ms / 1e3);
		return -1;
	}
	if (err == -EPIPE) {
		w->why[0] = '\0';	/* closed: its exit status tells */
		return -1;
	}
	if (err) {
		snprintf(w->why, sizeof(w->why), "reading its pipe: %s",
			 err == -E2BIG ? "a line longer than the protocol's" :
			 err == -EPROTO ? "a last line cut short" : strerror(-err));
		return -1;
	}
	if (!strncmp(w->line, "error ", 6)) {
		char msg[FLB_WPROTO_LINE];

		if (flb_wproto_unescape(w->line + 6, msg, sizeof(msg)))
			snprintf(msg, sizeof(msg), "(garbled)");
		snprintf(w->why, sizeof(w->why), "reported a protocol error: %.400s",
			 msg);
		return -1;
	}
	return 0;
}

static void wk_bad(struct wk *w, const char *why)
{
	snprintf(w->why, sizeof(w->why), "broke the protocol: %s, got '%.200s'",
		 why, w->raw);
}

static int wk_put(struct wk *w, const char *cmd, uint64_t seq, const char *arg)
{
	int err = flb_wproto_put(w->to, "%s %" PRIu64 "%s%s", cmd, seq,
				 arg ? " " : "", arg ? arg : "");

	if (err)
		snprintf(w->why, sizeof(w->why), "writing to it: %s", strerror(-err));
	return err;
}

/* The job's description, as the worker reads it (wproto.h). */
static int wk_send_job(struct wk *w, const struct flb_jobspec *js,
		       const struct flb_suite *s)
{
	char *buf = NULL, val[FLB_STR_MAX + 32], kv[FLB_STR_MAX + 64];
	char esc[3 * sizeof(kv) + 1];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err;

	(void)s;
	if (!f)
		return -ENOMEM;
	fprintf(f, FLB_WPROTO_MAGIC " %d\n", FLB_WPROTO_VERSION);
	flb_wproto_escape(js->wl->name, esc, sizeof(esc));
	fprintf(f, "workload %s\nparams", esc);
	for (const struct flb_option *o = js->wl->options; o && o->name; o++) {
		flb_opt_format(o, js->params, val, sizeof(val));
		snprintf(kv, sizeof(kv), "%s=%s", o->name, val);
		flb_wproto_escape(kv, esc, sizeof(esc));
		fprintf(f, " %s", esc);
	}
	fprintf(f, "\ntasks %u ", js->ntasks);
	for (unsigned int i = 0; i < js->ntasks; i++)
		fprintf(f, "%s%d", i ? "," : "", js->cpus[i]);
	fprintf(f, "\nextra_work_ns %" PRIu64 "\nextra_work_loops %" PRIu64
		"\nops %" PRIu64 "\nduration_ns %" PRIu64 "\nwarmup %" PRIu64
		"\nstart", js->set.extra_work_ns, js->set.extra_work_loops,
		js->set.ops, js->set.duration_ns, js->set.warmup);
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	err = flb_wproto_put(w->to, "%s", buf);
	if (err)
		snprintf(w->why, sizeof(w->why), "writing the job to it: %s",
			 strerror(-err));
	free(buf);
	return err;
}

/* w->line as `result ...` and the metric lines after it; 0 or -1 (w->why). */
static int wk_result(struct wk *w, const struct flb_jobspec *js, struct wres *res)
{
	char *v[10], *end;
	uint64_t n;
	int k = flb_wproto_split(w->line, v, 10);

	if (k != 9 || strcmp(v[0], "result") ||
	    (strcmp(v[1], "prep") && strcmp(v[1], "sample"))) {
		wk_bad(w, "want `result prep|sample SEQ STATUS OPS NS CPUS NMETRICS REASON`");
		return -1;
	}
	res->prep = !strcmp(v[1], "prep");
	res->status = -1;
	for (int i = 0; wk_status[i]; i++)
		if (!strcmp(v[3], wk_status[i]))
			res->status = i;
	if (flb_wproto_u64(v[2], &res->seq) || res->status < 0 ||
	    flb_wproto_u64(v[4], &res->ops) || flb_wproto_u64(v[5], &res->ns) ||
	    flb_wproto_u64(v[7], &n) || n > FLB_MAX_METRICS ||
	    flb_wproto_unescape(v[8], res->reason, sizeof(res->reason))) {
		wk_bad(w, "a field of the result is not valid");
		return -1;
	}
	res->nmetrics = (unsigned int)n;
	res->has_cpus = strcmp(v[6], "%") != 0;
	for (unsigned int i = 0; res->has_cpus && i < js->ntasks; i++) {
		long cpu;

		errno = 0;
		cpu = strtol(v[6], &end, 10);
		if (errno || end == v[6] || cpu < -1 || cpu >= 1 << 20 ||
		    (i + 1 < js->ntasks ? *end != ',' : *end != '\0')) {
			wk_bad(w, "want one CPU per task in the result");
			return -1;
		}
		res->ran_on[i] = (int)cpu;
		v[6] = end + 1;
	}
	return 0;
}

/* The metric lines of a result. */
static int wk_metrics(struct wk *w, struct wres *res)
{
	for (unsigned int i = 0; i < res->nmetrics; i++) {
		struct flb_metric *m = &res->metrics[i];
		char *v[6], *end;
		int k;

		if (wk_get(w))
			return -1;
		k = flb_wproto_split(w->line, v, 6);
		if (k != 5 || strcmp(v[0], "metric") ||
		    flb_wproto_unescape(v[1], m->name, sizeof(m->name)) ||
		    !m->name[0] ||
		    flb_wproto_unescape(v[3], m->unit, sizeof(m->unit)) ||
		    (strcmp(v[4], "lower") && strcmp(v[4], "higher"))) {
			wk_bad(w, "want `metric NAME VALUE UNIT lower|higher`");
			return -1;
		}
		m->value = strtod(v[2], &end);
		if (end == v[2] || *end || !isfinite(m->value)) {
			wk_bad(w, "a metric's value is not a finite number");
			return -1;
		}
		m->better = strcmp(v[4], "higher") ? FLB_LOWER_IS_BETTER :
			    FLB_HIGHER_IS_BETTER;
	}
	return 0;
}

/*
 * The worker broke (w->why, or its exit says how) at sample seq (or in its
 * preparation): make sure it is gone, and say so in a fail row.
 */
static void wk_broke(struct runner *r, struct wk *w, const struct flb_jobspec *js,
		     size_t ji, uint64_t seq, const char *when)
{
	char reason[1024], how[600];
	int status;

	kill(w->pid, SIGKILL);
	while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (w->why[0] || w->hung)
		snprintf(how, sizeof(how), "%s", w->why);
	else if (WIFSIGNALED(status))
		snprintf(how, sizeof(how), "was killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(how, sizeof(how), "exited with status %d without a result",
			 WEXITSTATUS(status));
	snprintf(reason, sizeof(reason), FLB_WORKER_NAME " (pid %d) %s %s",
		 (int)w->pid, how, when);
	fprintf(stderr, "flushbench run: job %zu (%s): %s\n", ji, js->wl->name,
		reason);
	store_row(r, js, ji, (unsigned int)seq, FLB_FAIL, reason, 0, 0, "",
		  NULL, NULL, 0, false);
	w->pid = -1;
}

/* The limit on a worker's silence: generous (FLUSHBENCH_WORKER_TIMEOUT s). */
static uint64_t wk_limit_ms(const struct flb_jobspec *js)
{
	const char *env = getenv("FLUSHBENCH_WORKER_TIMEOUT");
	uint64_t s = 120;

	if (env && *env && flb_opt_parse_u64(env, &s))
		s = 120;
	return s * 1000 + 10 * js->set.duration_ns / 1000000;
}

/* A job being run: its worker and its place in the protocol. */
struct side {
	size_t ji;
	struct flb_jobspec *js;
	char *what;
	struct wk w;
	struct wres res;
	struct flb_counters *c;	/* inline counters, or NULL */
	uint64_t ops;		/* op count per sample */
	uint64_t p;		/* next protocol sequence number */
	uint64_t i;		/* the sample a failure is stored as */
	char when[96];
	struct tally t;
	bool counting;		/* the sample in flight is a counting one */
};

/* A line from the duet host's console into buf (no CR, no LF): 0, or -1. */
static int sync_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	errno = 0;
	for (;;) {
		char c;
		ssize_t k = read(fd, &c, 1);

		if (k < 0 && errno == EINTR && !flb_stop_requested)
			continue;
		if (k <= 0)
			return -1;
		if (c == '\r')
			continue;
		if (c == '\n')
			break;
		if (n + 1 < len)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}

/*
 * --sync DEV: open the duet host's console, its echo off (the host's
 * lines are not for the log), and ask for the seed of the job order,
 * the same in both guests: `FB-SYNC: hello`, answered `seed N`, or
 * `seed N repeat K` for K rounds in this run (else *repeat is kept).
 * The fd, or -1 with a message.
 */
static int sync_open(const char *dev, uint64_t *seed, uint64_t *repeat)
{
	char line[128];
	struct termios t;
	int fd = open(dev, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "flushbench run: --sync %s: %s\n", dev,
			strerror(errno));
		return -1;
	}
	if (!tcgetattr(fd, &t)) {
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		t.c_lflag |= ICANON;
		tcsetattr(fd, TCSANOW, &t);
	}
	if (dprintf(fd, "FB-SYNC: hello\n") < 0)
		goto lost;
	for (;;) {
		if (sync_line(fd, line, sizeof(line)))
			goto lost;
		if (!strncmp(line, "seed ", 5)) {
			char *rep = strstr(line + 5, " repeat ");

			if (rep)
				*rep = '\0';
			if (!flb_opt_parse_u64(line + 5, seed) &&
			    (!rep || (!flb_opt_parse_u64(rep + 8, repeat) &&
				      *repeat >= 1 && *repeat <= 1000)))
				break;
			if (rep)
				*rep = ' ';
			fprintf(stderr, "flushbench run: --sync %s: the host "
				"sent '%.80s', not `seed N`\n", dev, line);
			close(fd);
			return -1;
		}
	}
	return fd;
lost:
	fprintf(stderr, "flushbench run: --sync %s: no seed from the duet "
		"host: %s\n", dev, errno ? strerror(errno) : "end of input");
	close(fd);
	return -1;
}

/*
 * In a guest of `flushbench duet` (guest/duet.c, --sync DEV): before each
 * sample, say `FB-SYNC: ready POS JOB P` on the console (POS the job's
 * place in the round's order, P the sample's protocol number) and wait
 * for the host's `go POS JOB P`, acknowledged at once with `FB-SYNC: go
 * ...`; so that both guests start window P of job JOB together. 0, or -1
 * with why in s's worker (a lost console, or a go for another window).
 */
static int sync_window(struct runner *r, struct side *s)
{
	char want[96], line[128];

	if (r->sync_fd < 0)
		return 0;
	/* POS over the rounds this run makes (--repeat): always increasing */
	snprintf(want, sizeof(want), "go %zu %zu %" PRIu64,
		 r->rounds ? (size_t)r->round * r->suite.njobs + r->pos : s->ji,
		 s->ji, s->p);
	if (dprintf(r->sync_fd, "FB-SYNC: ready %s\n", want + 3) < 0)
		goto lost;
	for (;;) {
		if (sync_line(r->sync_fd, line, sizeof(line)))
			goto lost;
		if (!strcmp(line, want))
			break;
		if (!strncmp(line, "go ", 3)) {
			snprintf(s->w.why, sizeof(s->w.why), "the duet host "
				 "said '%.80s' where this guest waited for '%s'",
				 line, want);
			return -1;
		}
		/* anything else on the console's input is not for us */
	}
	return dprintf(r->sync_fd, "FB-SYNC: %s\n", want) < 0 ? -1 : 0;
lost:
	snprintf(s->w.why, sizeof(s->w.why), "lost the duet host's console "
		 "while waiting for its go: %s", errno ? strerror(errno) : "end of input");
	return -1;
}

/*
 * Start a sample on s's worker: protocol number s->p, a counting sample
 * (counters attached for it alone) or a timed one, counted when inline
 * counters are on. For a counted one the worker waits, ready, while the
 * counters start. 0, or -1 when the worker broke.
 */
static int sample_start(struct runner *r, struct side *s, bool counting)
{
	struct wk *w = &s->w;
	char *word[3];
	uint64_t got;

	s->counting = counting;
	if (sync_window(r, s))
		return -1;
	if (wk_put(w, "sample", s->p, s->c || counting ? "counting" : "timed"))
		return -1;
	if (!s->c && !counting)
		return 0;
	/* it is ready to run: the counters start, then it does */
	if (wk_get(w))
		return -1;
	if (flb_wproto_split(w->line, word, 3) != 2 ||
	    strcmp(word[0], "ready") || flb_wproto_u64(word[1], &got) ||
	    got != s->p) {
		wk_bad(w, "want `ready SEQ` of this sample");
		return -1;
	}
	if (counting) {
		s->c = flb_counters_open_task((const char *const *)r->suite.events,
					      r->suite.nevents,
					      (enum flb_counter_scope)r->suite.count.scope,
					      w->pid, note_unsupported, r);
		if (!s->c) {
			snprintf(w->why, sizeof(w->why), "its counters could not "
				 "be attached: %s", strerror(errno ? errno : ENOMEM));
			return -1;
		}
	}
	flb_counters_start(s->c);
	return wk_put(w, "go", s->p, NULL) ? -1 : 0;
}

/*
 * Finish the sample started on s: its result, stored as seq. 0 when
 * stored, 1 for a skip (stop the job), -1 when the worker broke.
 */
static int sample_finish(struct runner *r, struct side *s, uint64_t seq)
{
	const struct flb_jobspec *js = s->js;
	struct wres *res = &s->res;
	struct wk *w = &s->w;
	struct flb_counters *c = s->c;
	const char *reason;
	char cpus[512];
	enum flb_status st;
	int ret = -1;

	if (wk_get(w))
		goto out;
	if (c) {
		flb_counters_stop(c);
		if (wk_put(w, "counted", s->p, NULL))
			goto out;
	}
	if (wk_result(w, js, res) || wk_metrics(w, res))
		goto out;
	if (res->prep || res->seq != s->p || !res->has_cpus) {
		wk_bad(w, "want the result of this sample, with its CPUs");
		goto out;
	}
	st = res->status;
	reason = res->reason;
	if (cpus_text(js, res->ran_on, cpus, sizeof(cpus)) && st == FLB_OK) {
		st = FLB_UNTRUSTWORTHY;
		reason = "a task ran outside its placement";
	}
	if (st == FLB_OK && res->ops != s->ops) {
		st = FLB_UNTRUSTWORTHY;
		reason = "the workload did fewer operations than asked";
	}
	if (st == FLB_OK && res->ops && !s->counting)
		s->t.ns_per_op[s->t.nvals++] = (double)res->ns / (double)res->ops;
	r->t = &s->t;
	store_row(r, js, s->ji, (unsigned int)seq, st, reason, res->ops, res->ns,
		  cpus, c, res->metrics, res->nmetrics, s->counting);
	r->done_samples += !s->counting;	/* progress counts timed samples */
	ret = st == FLB_SKIP;
out:
	s->p++;
	if (s->counting) {
		flb_counters_close(s->c);
		s->c = NULL;
	}
	return ret;
}

static int one_sample(struct runner *r, struct side *s, uint64_t seq,
		      bool counting)
{
	return sample_start(r, s, counting) ? -1 : sample_finish(r, s, seq);
}

/*
 * Start s's worker and prepare its job: 0 when it is ready for samples
 * (s->ops set); 1 when the job ended before them (a skip row, or the
 * preparation's own result, stored) and there is a worker to say bye;
 * 2 when it ended with no worker; -1 when the worker broke.
 */
static int side_begin(struct runner *r, struct side *s, int cpu)
{
	struct flb_jobspec *js = s->js;
	char *v[4];
	int err;

	r->t = &s->t;
	snprintf(s->when, sizeof(s->when), "while preparing the job");
	if (js->skip[0]) {
		store_row(r, js, s->ji, 0, FLB_SKIP, js->skip, 0, 0, "", NULL,
			  NULL, 0, false);
		r->done_samples += js->set.samples;
		return 2;
	}
	s->res.ran_on = calloc(js->ntasks ? js->ntasks : 1, sizeof(int));
	if (!s->res.ran_on) {
		store_row(r, js, s->ji, 0, FLB_FAIL, "out of memory", 0, 0, "",
			  NULL, NULL, 0, false);
		return 2;
	}
	s->w.limit_ms = wk_limit_ms(js);
	show_progress(r, s->ji, s->what, "setup", 0, js->set.samples);
	err = wk_start(r, &s->w, cpu);
	if (err) {
		char why[256];

		snprintf(why, sizeof(why), "starting %.200s: %s", r->worker_path,
			 strerror(-err));
		store_row(r, js, s->ji, 0, FLB_FAIL, why, 0, 0, "", NULL, NULL,
			  0, false);
		return 2;
	}
	/*
	 * Inline counters: open on the worker before it sets up, so that its
	 * threads and children inherit them, and on for every timed sample.
	 */
	if (r->suite.nevents && r->suite.count.mode == FLB_COUNT_INLINE) {
		s->c = flb_counters_open_task((const char *const *)r->suite.events,
					      r->suite.nevents,
					      (enum flb_counter_scope)r->suite.count.scope,
					      s->w.pid, note_unsupported, r);
	}
	if (wk_send_job(&s->w, js, &r->suite))
		return -1;
	/* its preparation: progress, then `prep ok OPS` or a prep result */
	for (;;) {
		int k;

		if (wk_get(&s->w))
			return -1;
		if (!strncmp(s->w.line, "result ", 7)) {
			if (wk_result(&s->w, js, &s->res) || !s->res.prep ||
			    wk_metrics(&s->w, &s->res)) {
				if (!s->w.why[0])
					wk_bad(&s->w, "a sample's result before `prep ok`");
				return -1;
			}
			r->t = &s->t;
			store_row(r, js, s->ji, 0, s->res.status, s->res.reason,
				  s->res.ops, s->res.ns, "", NULL, s->res.metrics,
				  s->res.nmetrics, false);
			s->i = 1;	/* a teardown failure is the next row */
			return 1;
		}
		k = flb_wproto_split(s->w.line, v, 4);
		if (k == 4 && !strcmp(v[0], "phase")) {
			uint64_t a, b;

			if (flb_wproto_u64(v[2], &a) || flb_wproto_u64(v[3], &b)) {
				wk_bad(&s->w, "want `phase NAME I N`");
				return -1;
			}
			show_progress(r, s->ji, s->what, !strcmp(v[1], "warm-up") ?
				      "warm-up" : !strcmp(v[1], "calibrating") ?
				      "calibrating" : "setup", a, b ? b : js->set.samples);
			continue;
		}
		if (k == 3 && !strcmp(v[0], "prep") && !strcmp(v[1], "ok") &&
		    !flb_wproto_u64(v[2], &s->ops) && s->ops)
			return 0;
		wk_bad(&s->w, "want `phase`, `result prep` or `prep ok OPS`");
		return -1;
	}
}

/*
 * End s: after its samples (state 0) ask it to quit; after a prep result
 * (1) only its `bye`; then wait for it. A worker that broke (-1), or
 * breaks now, makes a fail row at sample s->i saying how.
 */
static void side_end(struct runner *r, struct side *s, int state)
{
	int err;

	if (state == 2)
		return;
	r->t = &s->t;
	if (state == 0) {
		snprintf(s->when, sizeof(s->when), "while tearing the job down");
		if (flb_wproto_put(s->w.to, "quit"))
			state = -1;
	}
	if (state >= 0 && (wk_get(&s->w) || strcmp(s->w.line, "bye"))) {
		if (!s->w.why[0] && !s->w.hung && s->w.line[0] &&
		    strcmp(s->w.line, "bye"))
			wk_bad(&s->w, "want `bye`");
		state = -1;
	}
	if (state >= 0) {
		while (waitpid(s->w.pid, &err, 0) < 0 && errno == EINTR)
			;
		s->w.pid = -1;
	} else {
		wk_broke(r, &s->w, s->js, s->ji, s->i, s->when);
	}
	flb_counters_close(s->c);
	s->c = NULL;
	if (s->w.to >= 0)
		close(s->w.to);
	if (s->w.from.fd >= 0)
		close(s->w.from.fd);
}

/* The summary row of s, from its tallies. */
static void side_row(struct runner *r, struct side *s, struct flb_summary_row *row)
{
	struct tally *t = &s->t;

	free(s->res.ran_on);
	row->what = s->what;
	row->n = t->nok;
	if (t->nfail)
		r->failed_jobs++;
	row->status = t->nfail ? "fail" : t->nuntrust ? "untrustworthy" :
		      t->nok ? "ok" : t->nskip ? "skip" : "fail";
	snprintf(row->reason, sizeof(row->reason), "%s", t->last_reason);
	if (t->nvals) {
		row->median = flb_median(t->ns_per_op, t->nvals);
		row->ops_s = row->median > 0 ? 1e9 / row->median : 0;
		row->cv = t->nvals > 1 ? 100.0 * flb_cv(t->ns_per_op, t->nvals) : 0;
	}
	free(t->ns_per_op);
}

static int side_init(struct runner *r, struct side *s, size_t ji)
{
	memset(s, 0, sizeof(*s));
	s->ji = ji;
	s->js = &r->suite.jobs[ji];
	s->w = (struct wk){ .pid = -1, .to = -1, .from.fd = -1 };
	s->what = flb_run_what(s->js);
	s->t.ns_per_op = calloc(s->js->set.samples ? s->js->set.samples : 1,
				sizeof(double));
	return s->t.ns_per_op ? 0 : -1;
}

/*
 * The counting samples due after timed sample i (of S, C in all): the
 * k-th comes after timed sample (k + 1) * S / C - 1, so they are spread
 * among the timed ones. 0, or -1 when the worker broke.
 */
static int counting_after(struct runner *r, struct side *s, uint64_t i,
			  uint64_t *k, uint64_t ncount)
{
	while (*k < ncount && i + 1 == (*k + 1) * s->js->set.samples / ncount &&
	       !stopping(r)) {
		snprintf(s->when, sizeof(s->when), "during counting sample %"
			 PRIu64 " (after sample %" PRIu64 ")", *k, i);
		show_progress(r, s->ji, s->what, "counting", *k + 1, ncount);
		if (one_sample(r, s, (*k)++, true) < 0)
			return -1;
	}
	return 0;
}

static void run_job(struct runner *r, size_t ji, struct flb_summary_row *row)
{
	struct side s;
	uint64_t ncount, k = 0;
	int state, sr;

	if (side_init(r, &s, ji)) {
		fprintf(stderr, "flushbench run: out of memory\n");
		r->errors++;
		return;
	}
	ncount = flb_counting_samples(&r->suite, s.js->set.samples);
	state = side_begin(r, &s, birth_cpu(s.js));
	for (s.i = 0; !state && s.i < s.js->set.samples && !stopping(r);
	     s.i++) {
		snprintf(s.when, sizeof(s.when), "during sample %" PRIu64, s.i);
		show_progress(r, ji, s.what, "sample", s.i + 1, s.js->set.samples);
		sr = one_sample(r, &s, s.i, false);
		if (sr > 0)
			break;	/* a skip: the rest would be too */
		if (sr < 0 || counting_after(r, &s, s.i, &k, ncount)) {
			state = -1;
			break;	/* s.i: the sample it broke in */
		}
	}
	side_end(r, &s, state);
	side_row(r, &s, row);
}

/* Swap the CPU sets of a duet's two sides (in even rounds). */
static void duet_swap(struct flb_jobspec *a, struct flb_jobspec *b)
{
	int *t = a->cpus;

	a->cpus = b->cpus;
	b->cpus = t;
}

/*
 * A native duet (docs/duet.md): jobs ja and ja + 1, the same job but for
 * one key, in two workers, started and prepared one after the other,
 * then measured window by window: each timed sample i of one side is
 * paired with sample i of the other. With a CPU set each, both windows
 * run at once (each worker is told to start, then both are read); the
 * sets are swapped in even rounds of --repeat, so that a CPU's own speed
 * cancels. Without (duet_alternate), they take turns: a then b in even
 * windows, b then a in odd ones. A side that breaks, ends early or skips
 * ends the duet: the other side is stopped with a fail row saying so,
 * for an unpaired window is no measurement of the duet.
 */
static void run_duet(struct runner *r, size_t ja, struct flb_summary_row *rows)
{
	struct side sd[2];
	struct flb_jobspec *ja_js = &r->suite.jobs[ja], *jb_js = ja_js + 1;
	bool swap = !ja_js->duet_alternate && r->round && r->round % 2 == 0;
	uint64_t ncount, k[2] = { 0, 0 }, done[2] = { 0, 0 }, i;
	int state[2], sr[2] = { 0, 0 };

	if (side_init(r, &sd[0], ja) || side_init(r, &sd[1], ja + 1)) {
		fprintf(stderr, "flushbench run: out of memory\n");
		r->errors++;
		return;
	}
	if (swap)
		duet_swap(ja_js, jb_js);
	if (r->run != r->duet_run) {
		flb_store_env_put(r->st, r->run, "duet.swap", swap ? "1" : "0");
		r->duet_run = r->run;
	}
	ncount = flb_counting_samples(&r->suite, ja_js->set.samples);
	state[0] = side_begin(r, &sd[0], birth_cpu(ja_js));
	state[1] = side_begin(r, &sd[1], birth_cpu(jb_js));
	for (i = 0; !state[0] && !state[1] && i < ja_js->set.samples &&
	     !stopping(r); i++) {
		int first = ja_js->duet_alternate ? (int)(i & 1) : 0;

		for (int x = 0; x < 2; x++) {
			sd[x].i = i;
			snprintf(sd[x].when, sizeof(sd[x].when),
				 "during window %" PRIu64, i);
		}
		show_progress(r, ja, sd[0].what, "duet window", i + 1,
			      ja_js->set.samples);
		if (ja_js->duet_alternate || sd[0].c || sd[1].c) {
			/* one after the other: turns, or inline counters */
			sr[first] = one_sample(r, &sd[first], i, false);
			if (!sr[first])
				sr[!first] = one_sample(r, &sd[!first], i, false);
		} else {
			/* both told to start, then both read: one window */
			bool both;

			sr[0] = sample_start(r, &sd[0], false);
			sr[1] = sr[0] ? 0 : sample_start(r, &sd[1], false);
			both = !sr[0] && !sr[1];
			if (!sr[0])	/* started: its result comes either way */
				sr[0] = sample_finish(r, &sd[0], i);
			if (both)
				sr[1] = sample_finish(r, &sd[1], i);
		}
		for (int x = 0; x < 2; x++) {
			if (!sr[x] && sd[x].p > done[x] + k[x])
				done[x]++;	/* it ran window i */
			if (!sr[x] && counting_after(r, &sd[x], i, &k[x], ncount))
				sr[x] = -1;
			if (sr[x])
				state[x] = sr[x] < 0 ? -1 : 3;	/* 3: a skip */
		}
	}
	for (int x = 0; x < 2; x++) {
		/*
		 * Its partner ended the duet early: the windows this side did
		 * not run are a fail row, at the first of them.
		 */
		if (!state[x] && state[!x] && done[x] < ja_js->set.samples) {
			r->t = &sd[x].t;
			store_row(r, sd[x].js, sd[x].ji, (unsigned int)done[x], FLB_FAIL,
				  "its duet partner ended before this window: "
				  "the duet's later windows are unpaired", 0, 0,
				  "", NULL, NULL, 0, false);
		}
		/* after a skip it is idle between samples: told to quit */
		side_end(r, &sd[x], state[x] == 3 ? 0 : state[x]);
	}
	if (swap)
		duet_swap(ja_js, jb_js);
	side_row(r, &sd[0], &rows[0]);
	side_row(r, &sd[1], &rows[1]);
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

/*
 * duet.pairs: each native duet's jobs (samples.job) and how its windows
 * ran, "0:1 concurrent,2:3 alternating"; nothing without a duet.
 */
static int duet_pairs(const struct flb_suite *s, struct flb_env *env)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool any = false;
	int ret;

	if (!f)
		return -1;
	for (size_t i = 0; i + 1 < s->njobs; i++) {
		if (s->jobs[i].duet != 'a')
			continue;
		fprintf(f, "%s%zu:%zu %s", any ? "," : "", i, i + 1,
			s->jobs[i].duet_alternate ? "alternating" : "concurrent");
		any = true;
	}
	if (fclose(f))
		return -1;
	ret = any ? flb_env_set(env, "duet.pairs", "%s", buf) : 0;
	free(buf);
	return ret;
}

const char *flb_run_end(struct flb_store *st, int64_t run, int errors)
{
	const char *status = flb_stop_requested ? "aborted" :
			     errors ? "failed" : "complete";
	char t[40];
	time_t now = time(NULL);

	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	flb_store_env_put(st, run, "ended_at", t);
	if (flb_store_run_end(st, run, status)) {
		enum flb_store_fault f = flb_store_fault(st);

		/* its samples are there; only the end is not */
		fprintf(stderr, "flushbench run: run %" PRId64 " cannot be marked"
			" %s (%s): it stays 'running' in the store, which readers"
			" report as aborted, and the next writer to open the"
			" store marks it aborted\n", run, status,
			f == FLB_STORE_FULL ? "the results store is full" :
			f == FLB_STORE_READONLY ? "the results store is read-only" :
			flb_store_error(st));
		return "aborted";
	}
	return status;
}

/* The whole suite as one run, in this process. */
static int run_once(struct runner *r, const struct flb_run_opts *o,
		    const struct flb_env *env)
{
	struct flb_summary_row *rows = calloc(r->suite.njobs, sizeof(*rows));
	int ret = FLB_EXIT_USAGE;
	const char *status;

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
	for (size_t i = 0; i < r->suite.njobs; i++)
		r->total_samples += r->suite.jobs[i].set.samples;
	if (!o->quiet)
		fprintf(stderr, "flushbench run: run %" PRId64 " '%s', %zu jobs, "
			"%zu samples, into %s\n", r->run, o->label,
			r->suite.njobs, r->total_samples, o->db);
	for (size_t i = 0; i < r->suite.njobs && !stopping(r); i++) {
		if (r->suite.jobs[i].duet == 'a')
			run_duet(r, i, &rows[i]);
		else if (r->suite.jobs[i].duet != 'b')	/* b: with its a */
			run_job(r, i, &rows[i]);
	}
	if (r->progress)
		fprintf(stderr, "\r\033[K");
	status = flb_run_end(r->st, r->run, r->errors);
	if (flb_stop_requested) {
		fprintf(stderr, "flushbench run: interrupted; run %" PRId64
			" kept its finished samples and is marked aborted\n",
			r->run);
		ret = FLB_EXIT_FAIL;
	} else {
		ret = r->errors || r->failed_jobs || strcmp(status, "complete") ?
		      FLB_EXIT_FAIL : FLB_EXIT_OK;
	}
	flb_run_summary(&r->suite, rows, false);
	printf("run %" PRId64 " (%s) %s in %s\n", r->run, o->label,
	       strcmp(status, "complete") ? "NOT complete" : "complete",
	       o->db);
	if (r->failed_jobs)
		printf("%u job(s) FAILED: a wrong result is a bug, not a fast "
		       "sample (see the reasons above)\n", r->failed_jobs);
out:
	for (size_t i = 0; i < r->suite.njobs; i++)
		free(rows[i].what);
	free(rows);
	return ret;
}

/*
 * Job ji into run (a round's), for bench/rounds.c: rows[ji] (and, for the
 * first side of a duet, rows[ji + 1]; the second side runs with it and
 * leaves its row alone).
 */
int flb_runner_job(struct flb_runner *fr, int64_t run, size_t ji,
		   unsigned int round, size_t pos, size_t done, size_t total,
		   struct flb_summary_row *rows)
{
	struct runner *r = (struct runner *)fr;
	int errors = r->errors;

	r->run = run;
	r->round = round;
	r->pos = pos;
	r->done_samples = done;
	r->total_samples = total;
	if (r->suite.jobs[ji].duet == 'a')
		run_duet(r, ji, &rows[ji]);
	else if (r->suite.jobs[ji].duet != 'b')
		run_job(r, ji, &rows[ji]);
	return r->errors - errors;
}

/* What the command line of `flushbench run` gives. */
struct run_args {
	struct flb_run_opts o;
	struct flb_suite_settings set;	/* --repeat */
	struct only_list {		/* --only, split at commas */
		char *v[64];
		size_t n;
		char *copy[64];		/* the values split, freed by only_free */
		size_t ncopy;
	} only;
	bool aslr, check;
	const char *sync;		/* --sync DEV */
};

/* --only W[,W]: repeatable, adds to the list. */
static int parse_only(const struct flb_cliopt *o, const char *value, void *dst,
		      char *why, size_t len)
{
	struct only_list *l = dst;
	/* a copy: argv is reused as is for the ASLR re-exec */
	char *list, *save = NULL;

	(void)o;
	if (l->ncopy == sizeof(l->copy) / sizeof(l->copy[0])) {
		snprintf(why, len, "given more than %zu times", l->ncopy);
		return -1;
	}
	list = strdup(value);
	if (!list) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	l->copy[l->ncopy++] = list;
	for (char *s = strtok_r(list, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		if (l->n == sizeof(l->v) / sizeof(l->v[0])) {
			snprintf(why, len, "more than %zu workloads", l->n);
			return -1;
		}
		l->v[l->n++] = s;
	}
	return 0;
}

static void only_free(struct only_list *l)
{
	for (size_t i = 0; i < l->ncopy; i++)
		free(l->copy[i]);
	l->ncopy = l->n = 0;
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
	FLB_CLI_STRING(0, "sync", struct run_args, sync, "DEV",
		       "for `flushbench duet`'s guests: wait for the host's go\n"
		       "before each sample on DEV (the console), see docs/duet.md"),
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
	struct runner r = { .sync_fd = -1 };
	struct flb_env env = { 0 };
	char err[512];
	int n, ret = FLB_EXIT_USAGE;
	char **argv0 = argv - 1;	/* "flushbench" "run" ...: for re-exec */

	n = flb_cli_parse(&run_cli, argc, argv, &a, NULL, 0);
	if (n < 0) {
		only_free(&a.only);
		return flb_cli_exit(n);
	}
	o = a.o;
	if (!a.aslr && !a.check)
		aslr_off(argv0);
	o.only = a.only.n ? (const char *const *)a.only.v : NULL;
	o.nonly = a.only.n;
	/* a duet's guest has the vCPUs the duet gave it: skip what cannot fit */
	flb_config_impossible_skip = a.sync != NULL;
	if (flb_config_load(o.config, o.only, o.nonly, &r.suite, stderr)) {
		only_free(&a.only);
		return FLB_EXIT_USAGE;
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
	if (a.sync) {
		/* one round (or --repeat's), its order the host's seed */
		uint64_t rep = a.set.repeat ? a.set.repeat : 1;

		r.sync_fd = sync_open(a.sync, &o.seed, &rep);
		if (r.sync_fd < 0) {
			ret = FLB_EXIT_FAIL;
			goto out_suite;
		}
		o.seeded = true;
		o.rounds = (unsigned int)rep;
	}
	if (flb_run_worker_path(r.worker_path, sizeof(r.worker_path))) {
		fprintf(stderr, "flushbench run: the worker program "
			FLB_WORKER_NAME ", which runs each job, is missing: "
			"not at %s; build it with make (or set "
			"FLUSHBENCH_WORKER to it)\n", r.worker_path);
		ret = FLB_EXIT_FAIL;
		goto out_suite;
	}
	/* a worker that dies leaves a broken pipe: an error, not our death */
	signal(SIGPIPE, SIG_IGN);
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
	if (duet_pairs(&r.suite, &env)) {
		fprintf(stderr, "flushbench run: out of memory\n");
		flb_env_free(&env);
		goto out_store;
	}
	if (!r.suite.nevents)
		flb_env_set(&env, "counters.mode", "none");
	else if (r.suite.count.mode == FLB_COUNT_INLINE)
		flb_env_set(&env, "counters.mode", "inline");
	else
		flb_env_set(&env, "counters.mode", "separate every=%" PRIu64,
			    r.suite.count.every);
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
	r.duet_run = -1;
	if (a.sync)
		flb_env_set(&env, "duet.sync", "%s", a.sync);
	r.rounds = o.rounds;
	r.progress = !o.quiet && isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &r.t_start);
	if (o.rounds)
		ret = flb_rounds_run(&o, &r.suite, r.st, &env,
				     (struct flb_runner *)&r);
	else
		ret = run_once(&r, &o, &env);
	if (r.sync_fd >= 0)	/* no more windows: the other goes on alone */
		dprintf(r.sync_fd, "FB-SYNC: end\n");
	flb_env_free(&env);
out_store:
	flb_store_close(r.st);
out_suite:
	for (size_t i = 0; i < r.nunsupported; i++)
		free(r.unsupported[i]);
	free(r.unsupported);
	flb_config_free(&r.suite);
	only_free(&a.only);
	if (r.sync_fd >= 0)
		close(r.sync_fd);
	return ret;
}
