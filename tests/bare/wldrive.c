// SPDX-License-Identifier: GPL-2.0
/*
 * wldrive: a workload's own code with no harness around it. It links the
 * workload sources (workloads/<name>/<name>.c), bench/job.c, tasks.c,
 * region.c and lib/options.c, and nothing of the runner: no SQLite, hwloc,
 * libyaml, perf events, or their heap, in a static binary. Two uses:
 *
 *  - a stand-in for `flushbench run` inside the kmod guests (setup, one
 *    timed run of OPS operations, teardown), printing one line
 *    "workload k=v ... status=S ops=N ns_per_op=N metric=value ... reason=...";
 *  - with --samples, the bare loop of scripts/bench-overhead.sh (issue 11):
 *    pinned with sched_setaffinity to --cpu, setup, --warmup discarded
 *    samples, then --samples samples each timed with CLOCK_MONOTONIC_RAW
 *    around ->run(OPS), as flushbench-worker does (bench/worker.c), one line each
 *    "sample=I ops=N ns=T ns_per_op=X", before the line above.
 *
 * A workload's ->presample runs before each sample, warm-up included, untimed.
 *
 * --pad-vmas N maps N extra one-page anonymous VMAs (touched, apart) before
 * setup: a bigger mm, like a harness's, for measuring what it costs fork.
 *
 * --abab sets the job up twice in this process (A and B, the same
 * parameters: an A/A pair) and times them alternately, A then B in even
 * samples, B then A in odd ones, one line each "pair=I a_ns_per_op=X
 * b_ns_per_op=Y": in-process alternation, for scripts/bench-designs.sh
 * (issue 12). Both setups stay live, so jobs whose spinner threads or
 * whole-mm work (fork) would see the other side's are not for it.
 *
 * Only the workloads linked in are known (weak references over
 * bench/workloads.def); the others say so.
 * Usage: wldrive [--cpu N] [--samples S] [--warmup W] [--pad-vmas N]
 *                [--abab] WORKLOAD OPS [key=value]...
 * Exit: 0 ok/skip, 1 fail, 2 usage.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "job.h"
#include "options.h"

#define FLB_WORKLOAD(n) \
	extern const struct flb_workload flb_wl_##n __attribute__((weak));
#include "workloads.def"
#undef FLB_WORKLOAD

static const struct flb_workload *const linked[] = {
#define FLB_WORKLOAD(n) &flb_wl_##n,
#include "workloads.def"
#undef FLB_WORKLOAD
};

/* job.c binds tasks through bench/pin.c (hwloc): bind directly instead. */
int flb_pin_self(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* Parse val exactly as a config would (lib/options.c). */
static int set_opt(const struct flb_option *o, void *params, const char *val)
{
	char why[256];

	if (flb_opt_parse(o, val, params, why, sizeof(why))) {
		fprintf(stderr, "wldrive: %s\n", why);
		return -1;
	}
	return 0;
}

static const struct flb_workload *find(const char *name)
{
	for (size_t i = 0; i < sizeof(linked) / sizeof(linked[0]); i++)
		if (linked[i] && !strcmp(linked[i]->name, name))
			return linked[i];
	return NULL;
}

/* n one-page VMAs, each touched, a PROT_NONE page apart so none merge. */
static int pad_vmas(unsigned long n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	char *p;

	if (!n)
		return 0;
	p = mmap(NULL, 2 * n * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	for (unsigned long i = 0; i < n; i++) {
		if (mprotect(p + 2 * i * pg, pg, PROT_READ | PROT_WRITE))
			return -1;
		p[2 * i * pg] = 1;
	}
	return 0;
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC_RAW, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* A new sample: its untimed ->presample (when the workload has one). */
static int presample(const struct flb_workload *wl, struct flb_job *job,
		     void *state)
{
	flb_job_sample_reset(job);
	return wl->presample ? wl->presample(job, state) : FLB_OK;
}

/* One timed ->run(ops) of state: ns per op, or -1 (rc says why). */
static double timed(const struct flb_workload *wl, struct flb_job *job,
		    void *state, uint64_t ops, int *rc)
{
	uint64_t done = 0;
	double t0;

	*rc = presample(wl, job, state);
	if (*rc != FLB_OK)
		return -1;
	t0 = now_ns();
	*rc = wl->run(job, state, ops, &done);
	return *rc == FLB_OK && done ? (now_ns() - t0) / done : -1;
}

/* --abab: A and B alternately, warm-up first; the exit status. */
static int abab(const struct flb_workload *wl, struct flb_job *job, void *params,
		uint64_t ops, unsigned long warmup, unsigned long samples)
{
	void *st[2] = { NULL, NULL };
	double ns[2];
	int rc = wl->setup(job, params, &st[0]);

	if (rc == FLB_OK)
		rc = wl->setup(job, params, &st[1]);
	for (unsigned long i = 0; rc == FLB_OK && i < warmup + samples; i++) {
		int first = (int)(i & 1);

		ns[first] = timed(wl, job, st[first], ops, &rc);
		if (rc == FLB_OK)
			ns[!first] = timed(wl, job, st[!first], ops, &rc);
		if (rc == FLB_OK && i >= warmup)
			printf("pair=%lu a_ns_per_op=%.1f b_ns_per_op=%.1f\n",
			       i - warmup, ns[0], ns[1]);
	}
	for (int k = 0; k < 2; k++)
		if (st[k])
			wl->teardown(job, st[k]);
	printf("%s status=%s%s%s%s\n", wl->name, rc == FLB_OK ? "ok" :
	       rc == FLB_SKIP ? "skip" : "fail", job->reason[0] ? " reason=\"" : "",
	       job->reason, job->reason[0] ? "\"" : "");
	return rc == FLB_FAIL;
}

static int usage(void)
{
	fprintf(stderr, "usage: wldrive [--cpu N] [--samples S] [--warmup W] [--pad-vmas N] [--abab] WORKLOAD OPS [key=value]...\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const char *const status[] = { "ok", "skip", "fail", "untrustworthy" };
	unsigned long samples = 1, warmup = 0, pad = 0;
	bool per_sample = false, pairs = false;
	const struct flb_workload *wl;
	uint64_t ops, done = 0;
	double t0, ns = 0;
	struct flb_job *job = NULL;
	void *params, *state = NULL;
	int *cpus = NULL, cpu = -1, a = 1, rc, setup_rc;
	unsigned int ntasks;

	for (; a + 1 < argc && !strncmp(argv[a], "--", 2); a += 2) {
		unsigned long v = strtoul(argv[a + 1], NULL, 0);

		if (!strcmp(argv[a], "--abab")) {
			pairs = true;
			a--;	/* a flag: no value */
			continue;
		}
		if (!strcmp(argv[a], "--cpu"))
			cpu = (int)v;
		else if (!strcmp(argv[a], "--samples"))
			samples = v, per_sample = true;
		else if (!strcmp(argv[a], "--warmup"))
			warmup = v;
		else if (!strcmp(argv[a], "--pad-vmas"))
			pad = v;
		else
			return usage();
	}
	if (argc - a < 2 || !samples)
		return usage();
	wl = find(argv[a]);
	ops = strtoull(argv[a + 1], NULL, 0);
	if (!wl || !ops) {
		fprintf(stderr, "wldrive: workload '%s' not linked into this driver, or zero ops\n",
			argv[a]);
		return 2;
	}
	params = calloc(1, wl->params_size ? wl->params_size : 1);
	if (!params) {
		fprintf(stderr, "wldrive: out of memory\n");
		return 1;
	}
	for (const struct flb_option *o = wl->options; o->name; o++)
		if (set_opt(o, params, o->def)) {
			fprintf(stderr, "wldrive: bad default %s=%s\n", o->name, o->def);
			rc = 2;
			goto out;
		}
	for (int i = a + 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		const struct flb_option *o;

		if (!eq) {
			rc = usage();
			goto out;
		}
		*eq = '\0';
		for (o = wl->options; o->name && strcmp(o->name, argv[i]); o++)
			;
		if (!o->name || set_opt(o, params, eq + 1)) {
			fprintf(stderr, "wldrive: bad parameter %s=%s\n", argv[i], eq + 1);
			rc = 2;
			goto out;
		}
		*eq = '=';
	}
	/* task 0 on --cpu, the others (spinners) on the CPUs after it */
	ntasks = wl->ntasks ? wl->ntasks(params) : 1;
	if (cpu >= 0) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		cpus = calloc(ntasks, sizeof(*cpus));
		for (unsigned int i = 0; cpus && i < ntasks; i++)
			cpus[i] = (int)((cpu + i) % (ncpu > 0 ? ncpu : 1));
	}
	job = flb_job_new(wl, params, ntasks, cpus, 0);
	if (!job || (cpu >= 0 && !cpus)) {
		fprintf(stderr, "wldrive: out of memory\n");
		rc = 1;
		goto out;
	}
	rc = flb_job_pin(job, 0);
	if (rc) {
		fprintf(stderr, "wldrive: cannot bind to CPU %d: %s\n", cpu, strerror(-rc));
		rc = 1;
		goto out;
	}
	if (pad_vmas(pad)) {
		fprintf(stderr, "wldrive: mapping %lu padding VMAs failed: %s\n",
			pad, strerror(errno));
		rc = 1;
		goto out;
	}
	if (pairs) {
		rc = abab(wl, job, params, ops, warmup, samples);
		goto out;
	}
	rc = setup_rc = wl->setup(job, params, &state);
	for (unsigned long i = 0; rc == FLB_OK && i < warmup + samples; i++) {
		done = 0;
		ns = 0;
		rc = presample(wl, job, state);
		if (rc != FLB_OK)
			break;
		t0 = now_ns();
		rc = wl->run(job, state, ops, &done);
		ns = now_ns() - t0;
		if (per_sample && i >= warmup && rc == FLB_OK)
			printf("sample=%lu ops=%llu ns=%.0f ns_per_op=%.1f\n", i - warmup,
			       (unsigned long long)done, ns, done ? ns / done : 0.0);
	}
	printf("%s", wl->name);
	for (int i = a + 2; i < argc; i++)
		printf(" %s", argv[i]);
	if (setup_rc == FLB_OK) {
		wl->teardown(job, state);
		printf(" status=%s ops=%llu ns_per_op=%.1f", status[rc],
		       (unsigned long long)done, done ? ns / done : 0.0);
		for (unsigned int i = 0; i < job->nmetrics; i++)
			printf(" %s=%.4g", job->metrics[i].name, job->metrics[i].value);
	} else {
		printf(" status=%s", status[rc]);
	}
	if (job->reason[0])
		printf(" reason=\"%s\"", job->reason);
	printf("\n");
	rc = rc == FLB_FAIL;
out:
	flb_job_free(job);
	free(cpus);
	free(params);
	return rc;
}
