// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench-worker: runs one job for `flushbench run`, in a process of its
 * own whose address space holds the workloads and the C library only. The
 * runner (bench/runner.c) keeps the store (SQLite), the topology (hwloc),
 * the counters (perf_event, libpfm4) and the config (libyaml): none of them
 * is mapped here, so what a workload measures (a fork copies this mm, an
 * mprotect walks it) is the workload's footprint, not the harness's, and
 * does not change when a library of the runner does.
 *
 * It reads the job on FLB_WPROTO_IN_FD and reports on FLB_WPROTO_OUT_FD
 * (bench/wproto.h): it binds task 0, sets up, calibrates, warms up, then
 * times one sample per `sample` command with CLOCK_MONOTONIC_RAW around
 * ->run(). Before a counting sample it says `ready` and waits for `go`: the
 * runner has attached and enabled the counters on this process in between.
 * A workload's ->presample runs before both, untimed and uncounted.
 *
 * For tests (tests/integration/worker.sh), read from the environment:
 *   FLUSHBENCH_WORKER_FAULT=crash|hang|garbage|exit[:SEQ[:WORKLOAD[:K=V]]]
 *     misbehave at sample SEQ (default 0) of WORKLOAD's jobs (default
 *     any) whose parameter K is V (default any: one side of a duet), as
 *     a broken worker would: SIGSEGV, silence, a garbled result, exit 3;
 *   FLUSHBENCH_WORKER_PROBE=DIR  just before each sample runs write
 *     DIR/maps (this mm, once) and DIR/sample.SEQ (the sample's mode,
 *     perf-event fds here and in the runner, where the counters are).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "job.h"
#include "options.h"
#include "wproto.h"

#define ME "flushbench-worker"

static const char *const status_names[] = {
	[FLB_OK] = "ok", [FLB_SKIP] = "skip", [FLB_FAIL] = "fail",
	[FLB_UNTRUSTWORTHY] = "untrustworthy",
};

struct worker {
	struct flb_wline in;
	const struct flb_workload *wl;
	void *params;
	unsigned int ntasks;
	int *cpus;			/* placed CPU per task, -1 unbound */
	struct flb_extra extra;
	uint64_t ops, duration_ns, warmup;
	struct flb_job *job;
	void *state;
	char fault[16];			/* FLUSHBENCH_WORKER_FAULT */
	uint64_t fault_seq;
	char fault_wl[64];
	char fault_kv[64];		/* K=V: only the job with that value */
	const char *probe;		/* FLUSHBENCH_WORKER_PROBE */
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

/* A line to the runner; the runner gone, there is nothing to report to. */
#define put(...) do {							\
	if (flb_wproto_put(FLB_WPROTO_OUT_FD, __VA_ARGS__))		\
		_exit(1);						\
} while (0)

/* A protocol error: tell the runner (it makes the fail row), then exit. */
static void __attribute__((noreturn)) bad(const char *line, const char *why)
{
	char esc[512], text[400];

	snprintf(text, sizeof(text), "%s: '%.200s'", why, line);
	flb_wproto_escape(text, esc, sizeof(esc));
	flb_wproto_put(FLB_WPROTO_OUT_FD, "error %s", esc);
	fprintf(stderr, ME ": protocol error: %s\n", text);
	exit(2);
}

/* The next line from the runner, waiting as long as it takes. */
static void next_line(struct worker *w, char *line)
{
	int err;

	do
		err = flb_wline_get(&w->in, line, -1);
	while (err == -EINTR);
	if (err == -EPIPE)
		exit(0);	/* the runner closed the job: nothing to do */
	if (err)
		bad("", strerror(-err));
}

/*
 * The next line, spinning instead of sleeping for up to 100 ms: between
 * `ready` and `go`, and after a counting sample until the runner has
 * stopped the counters, a sleep would be a context switch they count.
 */
static void next_line_spin(struct worker *w, char *line)
{
	uint64_t end = now_ns() + 100000000ull;
	struct pollfd p = { .fd = w->in.fd, .events = POLLIN };

	while (!memchr(w->in.buf, '\n', w->in.len) && now_ns() < end &&
	       poll(&p, 1, 0) == 0)
		;
	next_line(w, line);
}

/* "KEY VALUE" with KEY as expected; VALUE (the rest) or bad(). */
static char *header(struct worker *w, char *line, const char *key)
{
	size_t k = strlen(key);

	next_line(w, line);
	if (strncmp(line, key, k) || (line[k] != ' ' && line[k] != '\0'))
		bad(line, "expected the job's next line to start with the key");
	return line[k] ? line + k + 1 : line + k;
}

static uint64_t header_u64(struct worker *w, char *line, const char *key,
			   uint64_t max)
{
	uint64_t v;
	char *s = header(w, line, key);

	if (flb_wproto_u64(s, &v) || v > max)
		bad(line, "not a whole number in range");
	return v;
}

static int parse_cpu(const char *s, int *cpu)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < -1 || v >= 1 << 20)
		return -1;
	*cpu = (int)v;
	return 0;
}

/* Each option's default, then the given K=V words over them. */
static void parse_params(struct worker *w, char *line, char *text)
{
	char *words[128], val[FLB_STR_MAX * 3 + 64], why[256];
	int n = flb_wproto_split(text, words, 128);

	w->params = calloc(1, w->wl->params_size ? w->wl->params_size : 1);
	if (!w->params)
		bad(line, "out of memory");
	for (const struct flb_option *o = w->wl->options; o && o->name; o++)
		if (o->def && flb_opt_parse(o, o->def, w->params, why, sizeof(why)))
			bad(o->name, why);
	if (n < 0)
		bad(line, "too many parameters, or an empty one");
	for (int i = 0; i < n; i++) {
		const struct flb_option *o;
		char *eq, canon[FLB_STR_MAX + 32];

		if (flb_wproto_unescape(words[i], val, sizeof(val)) ||
		    !(eq = strchr(val, '=')))
			bad(words[i], "a parameter is not an escaped K=V word");
		*eq = '\0';
		for (o = w->wl->options; o && o->name; o++)
			if (!strcmp(o->name, val))
				break;
		if (!o || !o->name)
			bad(val, "not a parameter of the workload");
		if (flb_opt_parse(o, eq + 1, w->params, why, sizeof(why)))
			bad(eq + 1, why);
		/* the runner sends canonical text: it must read back the same */
		flb_opt_format(o, w->params, canon, sizeof(canon));
		if (strcmp(canon, eq + 1))
			bad(eq + 1, "a parameter value is not in canonical form");
	}
}

static void read_job(struct worker *w)
{
	char line[FLB_WPROTO_LINE], name[64], *words[3];
	char *s;
	uint64_t ver;
	int n;

	s = header(w, line, FLB_WPROTO_MAGIC);
	if (flb_wproto_u64(s, &ver) || ver != FLB_WPROTO_VERSION)
		bad(line, "not protocol version " "2" " of " FLB_WPROTO_MAGIC);
	s = header(w, line, "workload");
	if (flb_wproto_unescape(s, name, sizeof(name)) ||
	    !(w->wl = flb_workload_find(name)))
		bad(line, "no such workload in this worker");
	parse_params(w, line, header(w, line, "params"));
	s = header(w, line, "tasks");
	n = flb_wproto_split(s, words, 3);
	if (n != 2 || flb_wproto_u64(words[0], &ver) || !ver || ver > 4096)
		bad(s, "want N CPU,CPU,... with N from 1 to 4096");
	w->ntasks = (unsigned int)ver;
	w->cpus = calloc(w->ntasks, sizeof(*w->cpus));
	if (!w->cpus)
		bad(s, "out of memory");
	s = words[1];
	for (unsigned int i = 0; i < w->ntasks; i++) {
		char *comma = strchr(s, ',');

		if ((comma == NULL) != (i + 1 == w->ntasks))
			bad(words[1], "want one CPU per task");
		if (comma)
			*comma = '\0';
		if (parse_cpu(s, &w->cpus[i]))
			bad(s, "not a CPU number (or -1)");
		s = comma + 1;
	}
	w->extra.ns = header_u64(w, line, "extra_work_ns", UINT64_MAX);
	w->extra.loops = header_u64(w, line, "extra_work_loops", UINT64_MAX);
	w->ops = header_u64(w, line, "ops", UINT64_MAX);
	w->duration_ns = header_u64(w, line, "duration_ns", UINT64_MAX);
	w->warmup = header_u64(w, line, "warmup", UINT64_MAX);
	s = header(w, line, "start");
	if (*s)
		bad(line, "`start` takes nothing");
}

/* A result: KIND SEQ STATUS OPS NS CPUS NMETRICS REASON, then the metrics. */
static void report(struct worker *w, const char *kind, uint64_t seq, int rc,
		   uint64_t done, uint64_t ns, bool cpus, bool metrics)
{
	struct flb_job *job = w->job;
	char buf[FLB_WPROTO_LINE], reason[3 * sizeof(job->reason) + 2];
	unsigned int nm = metrics ? job->nmetrics : 0;
	size_t o = 0;

	if (rc < FLB_OK || rc > FLB_UNTRUSTWORTHY)
		rc = FLB_FAIL;
	o += snprintf(buf + o, sizeof(buf) - o, "result %s %llu %s %llu %llu ",
		      kind, (unsigned long long)seq, status_names[rc],
		      (unsigned long long)done, (unsigned long long)ns);
	for (unsigned int i = 0; cpus && i < job->ntasks; i++)
		o += snprintf(buf + o, sizeof(buf) - o, "%s%d", i ? "," : "",
			      job->ran_on[i]);
	flb_wproto_escape(job->reason, reason, sizeof(reason));
	snprintf(buf + o, sizeof(buf) - o, "%s %u %s", cpus ? "" : "%", nm,
		 reason);
	put("%s", buf);
	for (unsigned int i = 0; i < nm; i++) {
		const struct flb_metric *m = &job->metrics[i];
		char name[3 * sizeof(m->name)], unit[3 * sizeof(m->unit)], v[128];

		flb_wproto_escape(m->name, name, sizeof(name));
		flb_wproto_escape(m->unit, unit, sizeof(unit));
		snprintf(v, sizeof(v), "%.17g %s %s", m->value, unit,
			 m->better == FLB_HIGHER_IS_BETTER ? "higher" : "lower");
		put("metric %s %s", name, v);
	}
}

/*
 * One timed call of ->run; its status, elapsed ns in *ns. The sample's
 * metrics so far (->presample's) are kept: reset before when none.
 */
static int timed(struct worker *w, uint64_t ops, uint64_t *done, uint64_t *ns)
{
	uint64_t t0, t1;
	int rc;

	*done = 0;
	t0 = now_ns();
	rc = w->wl->run(w->job, w->state, ops, done);
	t1 = now_ns();
	*ns = t1 - t0;
	flb_job_note_cpu(w->job, 0, sched_getcpu());
	flb_job_note_tids(w->job);	/* the spinners, outside the timing */
	return rc;
}

/* An op count whose sample takes about duration_ns. */
static int calibrate(struct worker *w, uint64_t *ops_out)
{
	uint64_t ops = 1, done, ns, target = w->duration_ns;
	int rc;

	for (;;) {
		flb_job_sample_reset(w->job);
		rc = timed(w, ops, &done, &ns);
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

static void phase(const char *what, uint64_t i, uint64_t n)
{
	put("phase %s %llu %llu", what, (unsigned long long)i,
	    (unsigned long long)n);
}

/* Bind, set up, calibrate, warm up: 0, or -1 after a `prep` result. */
static int prepare(struct worker *w)
{
	uint64_t done = 0, ns = 0;
	int rc, err;

	w->job = flb_job_new(w->wl, w->params, w->ntasks, w->cpus,
			     &w->extra);
	if (!w->job)
		bad("", "out of memory");
	err = flb_job_pin(w->job, 0);
	if (err) {
		flb_job_reason(w->job, "cannot bind to CPU %d: %s", w->cpus[0],
			       strerror(-err));
		report(w, "prep", 0, FLB_SKIP, 0, 0, false, false);
		return -1;
	}
	phase("setup", 0, 0);
	rc = w->wl->setup(w->job, w->params, &w->state);
	if (rc != FLB_OK) {
		if (!w->job->reason[0])
			flb_job_reason(w->job, "setup failed");
		report(w, "prep", 0, rc, 0, 0, false, false);
		w->state = NULL;
		return -1;
	}
	if (!w->ops) {
		phase("calibrating", 0, 0);
		rc = calibrate(w, &w->ops);
		if (rc != FLB_OK) {
			if (!w->job->reason[0])
				flb_job_reason(w->job, "failed while calibrating");
			report(w, "prep", 0, rc, 0, 0, false, true);
			return -2;
		}
	}
	for (uint64_t i = 0; i < w->warmup && !flb_stop_requested; i++) {
		phase("warm-up", i + 1, w->warmup);
		flb_job_sample_reset(w->job);
		rc = timed(w, w->ops, &done, &ns);
		if (rc == FLB_SKIP || rc == FLB_FAIL) {
			report(w, "prep", 0, rc, done, ns, false, true);
			return -2;
		}
	}
	return 0;
}

/* Test hooks: count perf-event fds of a process ("self" or a pid). */
static int perf_fds(const char *pid)
{
	char dir[64], path[400], target[64];
	struct dirent *d;
	DIR *dp;
	int n = 0;

	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
	dp = opendir(dir);
	if (!dp)
		return -1;
	while ((d = readdir(dp))) {
		ssize_t k;

		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		k = readlink(path, target, sizeof(target) - 1);
		if (k <= 0)
			continue;
		target[k] = '\0';
		n += !strcmp(target, "anon_inode:[perf_event]");
	}
	closedir(dp);
	return n;
}

static void probe(struct worker *w, uint64_t seq, const char *mode)
{
	char path[4400], ppid[32];
	FILE *in, *out;
	int c;

	snprintf(path, sizeof(path), "%.4000s/maps", w->probe);
	if (access(path, F_OK) && (in = fopen("/proc/self/maps", "r"))) {
		out = fopen(path, "w");
		while (out && (c = getc(in)) != EOF)
			putc(c, out);
		if (out)
			fclose(out);
		fclose(in);
	}
	snprintf(path, sizeof(path), "%.4000s/sample.%llu", w->probe,
		 (unsigned long long)seq);
	snprintf(ppid, sizeof(ppid), "%d", (int)getppid());
	out = fopen(path, "w");
	if (!out)
		return;
	fprintf(out, "mode %s\nworker_perf_fds %d\nrunner_perf_fds %d\n", mode,
		perf_fds("self"), perf_fds(ppid));
	fclose(out);
}

/* Whether the job's parameter K has the value V (kv "K=V"). */
static bool has_param(const struct worker *w, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char val[FLB_STR_MAX + 32];

	for (const struct flb_option *o = w->wl->options; eq && o && o->name; o++) {
		if (strlen(o->name) != (size_t)(eq - kv) ||
		    strncmp(o->name, kv, (size_t)(eq - kv)))
			continue;
		flb_opt_format(o, w->params, val, sizeof(val));
		return !strcmp(val, eq + 1);
	}
	return false;
}

static void fault(struct worker *w, uint64_t seq)
{
	if (!w->fault[0] || seq != w->fault_seq ||
	    (w->fault_wl[0] && strcmp(w->fault_wl, w->wl->name)) ||
	    (w->fault_kv[0] && !has_param(w, w->fault_kv)))
		return;
	if (!strncmp(w->fault, "crash", 5)) {
		signal(SIGSEGV, SIG_DFL);
		raise(SIGSEGV);
	} else if (!strncmp(w->fault, "hang", 4)) {
		for (;;)
			pause();
	} else if (!strncmp(w->fault, "garbage", 7)) {
		put("result sample what is this");
		exit(0);
	} else if (!strncmp(w->fault, "exit", 4)) {
		_exit(3);
	}
}

/* The samples the runner asks for, until `quit`. */
static void serve(struct worker *w)
{
	char line[FLB_WPROTO_LINE], *words[4];
	uint64_t seq, done, ns, go;
	bool counting;
	int n, rc;

	put("prep ok %llu", (unsigned long long)w->ops);
	for (;;) {
		next_line(w, line);
		n = flb_wproto_split(line, words, 4);
		if (n == 1 && !strcmp(words[0], "quit"))
			return;
		if (n != 3 || strcmp(words[0], "sample") ||
		    flb_wproto_u64(words[1], &seq) ||
		    (strcmp(words[2], "timed") && strcmp(words[2], "counting")))
			bad(line, "want `sample SEQ timed|counting` or `quit`");
		counting = !strcmp(words[2], "counting");
		/* its untimed step, before the counters start (at `ready`) */
		flb_job_sample_reset(w->job);
		rc = w->wl->presample ? w->wl->presample(w->job, w->state) : FLB_OK;
		/*
		 * ran_on is where each task was last seen: task 0 notes it
		 * after every sample, and the spinners' CPUs are read then
		 * (flb_job_note_tids), so it is never reset here.
		 */
		if (counting) {
			put("ready %llu", (unsigned long long)seq);
			next_line_spin(w, line);
			n = flb_wproto_split(line, words, 3);
			if (n != 2 || strcmp(words[0], "go") ||
			    flb_wproto_u64(words[1], &go) || go != seq)
				bad(line, "want `go SEQ` for this sample");
		}
		/* what the sample runs with: counters on, for a counting one */
		if (w->probe)
			probe(w, seq, counting ? "counting" : "timed");
		fault(w, seq);
		done = ns = 0;
		if (rc == FLB_OK)
			rc = timed(w, w->ops, &done, &ns);
		report(w, "sample", seq, rc, done, ns, true, true);
		if (counting) {
			/* the counters stay on until the runner has read it */
			next_line_spin(w, line);
			n = flb_wproto_split(line, words, 3);
			if (n != 2 || strcmp(words[0], "counted") ||
			    flb_wproto_u64(words[1], &go) || go != seq)
				bad(line, "want `counted SEQ` for this sample");
		}
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct worker w = { .in.fd = FLB_WPROTO_IN_FD };
	const char *f;

	(void)argv;
	if (argc != 1 || fcntl(FLB_WPROTO_IN_FD, F_SETFD, FD_CLOEXEC) ||
	    fcntl(FLB_WPROTO_OUT_FD, F_SETFD, FD_CLOEXEC)) {
		fprintf(stderr, ME ": runs one job for `flushbench run`, which "
			"starts it with the job on fd %d and reads it on fd %d; "
			"not a command to type\n", FLB_WPROTO_IN_FD,
			FLB_WPROTO_OUT_FD);
		return 2;
	}
	/* never outlive the runner */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		return 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	f = getenv("FLUSHBENCH_WORKER_FAULT");
	if (f && *f) {
		unsigned long long seq = 0;

		sscanf(f, "%15[^:]:%llu:%63[^:]:%63s", w.fault, &seq, w.fault_wl,
		       w.fault_kv);
		w.fault_seq = seq;
	}
	w.probe = getenv("FLUSHBENCH_WORKER_PROBE");
	if (w.probe && !*w.probe)
		w.probe = NULL;
	read_job(&w);
	if (prepare(&w) == 0)
		serve(&w);
	if (w.state && w.wl->teardown)
		w.wl->teardown(w.job, w.state);
	flb_job_free(w.job);
	free(w.params);
	free(w.cpus);
	put("bye");
	return 0;
}
