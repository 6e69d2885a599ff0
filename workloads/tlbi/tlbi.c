// SPDX-License-Identifier: GPL-2.0
/*
 * tlbi: the cost of invalidating one's own TLB entries locally vs by
 * broadcast, and of the "auto" choices of "arm64: tlbflush: Don't broadcast
 * if mm was only active on local cpu" (v2) and the variants its review
 * raised (docs/kmod.md): local only while this process has run on this CPU
 * alone, as a tracker per process in the module records it.
 * The kernel half is kmod/ (FLB_IOC_TLBI): an operation is one timed
 * invalidation of `pages` pages of this process, after a real store to
 * their PTEs. The module's own per-invalidation distribution (ns and
 * counter ticks), how often the policy went local, and the cost of a
 * migrate_disable/enable pair come back as metrics beside the runner's
 * ns/op (which includes the ioctl and the untimed PTE stores).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kmod-client/kmod_client.h"
#include "tasks.h"

struct tlbi_params {
	int policy;
	bool rollover;
	uint64_t pages;
	uint64_t migrate_every;
	uint64_t batch;
	uint64_t time_batch;
	uint64_t spin;
	int clock;
	uint64_t threads;
};

struct tlbi_state {
	struct tlbi_params p;
	struct flb_kmod_dev dev;	/* map: the pages we invalidate */
	struct flb_tasks *tasks;	/* spinners running our mm elsewhere */
};

/* in the order of enum flb_tlbi_policy */
static const char *const tlbi_policies[] = {
	"local", "broadcast", "auto-v2", "auto-ishst", "auto-recheck", "auto-retry",
	"auto-noerratum", "spin", NULL
};

/* clock_req: 0 (best), the architected counter, PMU cycles */
static const char *const tlbi_clocks[] = { "best", "counter", "pmu", NULL };

static const struct flb_option tlbi_options[] = {
	{ "policy", FLB_OPT_ENUM, FLB_OFF(struct tlbi_params, policy), 0, 0, "auto-v2",
	  tlbi_policies, "local (tlbi vale1 / invlpg), broadcast (tlbi vale1is / IPI), "
	  "auto-v2 (the patch), auto-ishst, auto-recheck, auto-retry, auto-noerratum "
	  "(docs/kmod.md); spin: no TLBI, `spin` steps of a chain (a check of the clock)", NULL },
	{ "rollover", FLB_OPT_BOOL, FLB_OFF(struct tlbi_params, rollover), 0, 0, "false",
	  NULL, "reset the process's tracker at every batch, as an ASID rollover does "
	  "(false: it stays \"multiple\" once the process has run on two CPUs)", NULL },
	{ "pages", FLB_OPT_U64, FLB_OFF(struct tlbi_params, pages), 1,
	  FLB_MAX_TLBI_PAGES, "1", NULL, "pages invalidated per operation", NULL },
	{ "migrate_every", FLB_OPT_U64, FLB_OFF(struct tlbi_params, migrate_every), 0,
	  FLB_MAX_TLBI_ITERATIONS, "0", NULL,
	  "the module moves the task to another CPU every N operations of a batch (0: never)", NULL },
	{ "batch", FLB_OPT_U64, FLB_OFF(struct tlbi_params, batch), 1,
	  FLB_MAX_TLBI_ITERATIONS, "4096", NULL, "operations per ioctl", NULL },
	{ "time_batch", FLB_OPT_U64, FLB_OFF(struct tlbi_params, time_batch), 1,
	  FLB_MAX_TLBI_BATCH, "1", NULL,
	  "operations the module times together (1: each alone; K: K between two counter "
	  "reads, less a baseline of the same K without the flush: below a tick)", NULL },
	{ "spin", FLB_OPT_U64, FLB_OFF(struct tlbi_params, spin), 0, FLB_MAX_SPIN, "0", NULL,
	  "policy spin: steps of the chain per operation", NULL },
	{ "clock", FLB_OPT_ENUM, FLB_OFF(struct tlbi_params, clock), 0, 0, "best", tlbi_clocks,
	  "the clock of time_batch > 1: best (arm64: PMU cycles where the module can have "
	  "them, else the counter; x86: the TSC), counter, or pmu (the job fails without a "
	  "PMU); the ticks metric is in cycles under the PMU", NULL },
	FLB_OPTION_THREADS(struct tlbi_params, threads),
	FLB_OPTION_END
};

/* The caller and its spinners: on x86 a broadcast reaches their CPUs. */
static unsigned int tlbi_ntasks(const void *params)
{
	const struct tlbi_params *p = params;

	return 1 + p->threads;
}

static int tlbi_setup(struct flb_job *job, const void *params, void **state)
{
	const struct tlbi_params *p = params;
	struct tlbi_state *s = calloc(1, sizeof(*s));
	int rc;

	if (!s) {
		flb_job_reason(job, "tlbi: out of memory");
		return FLB_FAIL;
	}
	if ((p->spin != 0) != (p->policy == FLB_TLBI_SPIN)) {
		flb_job_reason(job, "tlbi: spin=%llu needs policy=spin, and policy=spin a spin > 0",
			      (unsigned long long)p->spin);
		free(s);
		return FLB_FAIL;
	}
	if (p->time_batch > 1 && p->migrate_every) {
		flb_job_reason(job, "tlbi: time_batch > 1 with migrate_every: a move would be timed");
		free(s);
		return FLB_FAIL;
	}
	if (p->clock && p->time_batch <= 1) {
		flb_job_reason(job, "tlbi: clock=%s times batches: it needs time_batch > 1",
			      tlbi_clocks[p->clock]);
		free(s);
		return FLB_FAIL;
	}
	if (p->migrate_every > p->batch) {
		flb_job_reason(job, "tlbi: migrate_every (%llu) is larger than batch (%llu): "
			      "no move would happen", (unsigned long long)p->migrate_every,
			      (unsigned long long)p->batch);
		free(s);
		return FLB_FAIL;
	}
	s->p = *p;
	rc = flb_kmod_dev_open(job, "tlbi", p->pages * sysconf(_SC_PAGESIZE), &s->dev);
	if (rc != FLB_OK) {
		free(s);
		return rc;
	}
	if (p->clock == 2 && !(s->dev.info.caps & FLB_CAP_PMU_CYCLES)) {
		flb_job_reason(job, "tlbi: clock=pmu: the module cannot count cycles here "
			      "(no hardware PMU, or a guest without a virtual PMU)");
		flb_kmod_dev_close(&s->dev);
		free(s);
		return FLB_SKIP;
	}
	if (flb_tasks_start(&s->tasks, job, "tlbi", 1, p->threads)) {
		flb_kmod_dev_close(&s->dev);
		free(s);
		return FLB_FAIL;
	}
	*state = s;
	return FLB_OK;
}

static uint64_t tlbi_clock_req(int clock)
{
	if (clock == 2)
		return FLB_CLOCK_PMU_CYCLES;
#if defined(__aarch64__)
	return clock ? FLB_CLOCK_CNTVCT : 0;
#else
	return clock ? FLB_CLOCK_TSC : 0;
#endif
}

static int tlbi_run(struct flb_job *job, void *state, uint64_t ops, uint64_t *done)
{
	struct tlbi_state *s = state;
	struct flb_tlbi t;
	uint64_t local = 0, bcast = 0, moves = 0, med = 0, tmed = 0, best_n = 0;
	uint64_t p99 = 0, max = 0, pair = 0, upgraded = 0, retries = 0, switches = 0;
	int64_t med_ps = 0, base_ps = 0, mig_ps = 0;
	bool cycles = false;
	int err;

	*done = 0;
	while (*done < ops && !flb_job_stopping(job)) {
		uint64_t n = ops - *done < s->p.batch ? ops - *done : s->p.batch;

		memset(&t, 0, sizeof(t));
		t.hdr.size = sizeof(t);
		t.hdr.version = FLB_UAPI_VERSION;
		t.addr = (uintptr_t)s->dev.map;
		t.pages = s->p.pages;
		t.iterations = n;
		t.policy = s->p.policy;
		t.flags = s->p.rollover ? FLB_TLBI_ROLLOVER : 0;
		t.spin = s->p.spin;
		/* a short last ioctl is timed in batches no larger than itself */
		t.batch = s->p.time_batch <= n ? s->p.time_batch : n;
		if (t.batch > 1)
			t.clock_req = tlbi_clock_req(s->p.clock);
		/* A short last batch may end before the next move. */
		t.migrate_every = s->p.migrate_every <= n ? s->p.migrate_every : 0;
		err = flb_kmod_ioctl(job, s->dev.fd, FLB_IOC_TLBI, &t);
		if (err) {
			flb_job_reason(job, "tlbi: FLB_IOC_TLBI %llu x %llu pages: %s",
				      (unsigned long long)n, (unsigned long long)t.pages,
				      strerror(err));
			return FLB_FAIL;
		}
		*done += n;
		local += t.chose_local;
		bcast += t.chose_broadcast;
		moves += t.migrations;
		upgraded += t.upgraded;
		retries += t.retries;
		switches += t.switch_ins;
		/* The median of the largest batch stands for the sample. */
		if (n >= best_n) {
			best_n = n;
			med = t.ns.median;
			tmed = t.ticks.median;
			med_ps = t.batch_ps.median;
			base_ps = t.baseline_ps;
			mig_ps = t.path_migrate_ps;
			cycles = t.clock == FLB_CLOCK_PMU_CYCLES;
		}
		p99 = t.ns.p99 > p99 ? t.ns.p99 : p99;
		max = t.ns.max > max ? t.ns.max : max;
		pair = t.migrate_pair_ns;
	}
	flb_job_metric(job, "tlbi_median_ns", (double)med, "ns", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "tlbi_median_ticks", (double)tmed, cycles ? "cycles" : "ticks",
		      FLB_LOWER_IS_BETTER);
	if (s->p.time_batch > 1) {
		flb_job_metric(job, "tlbi_median_ps", (double)med_ps, "ps", FLB_LOWER_IS_BETTER);
		flb_job_metric(job, "baseline_ps", (double)base_ps, "ps", FLB_LOWER_IS_BETTER);
		flb_job_metric(job, "path_migrate_ps", (double)mig_ps, "ps", FLB_LOWER_IS_BETTER);
	}
	flb_job_metric(job, "tlbi_p99_ns", (double)p99, "ns", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "tlbi_max_ns", (double)max, "ns", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "chose_local", (double)local, "ops", FLB_HIGHER_IS_BETTER);
	flb_job_metric(job, "chose_broadcast", (double)bcast, "ops", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "migrations", (double)moves, "", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "upgraded", (double)upgraded, "ops", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "retries", (double)retries, "ops", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "switch_ins", (double)switches, "", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "migrate_pair_ns", (double)pair, "ns",
		      FLB_LOWER_IS_BETTER);
	return FLB_OK;
}

static void tlbi_teardown(struct flb_job *job, void *state)
{
	struct tlbi_state *s = state;

	(void)job;
	flb_tasks_stop(s->tasks);
	flb_kmod_dev_close(&s->dev);
	free(s);
}

const struct flb_workload flb_wl_tlbi = {
	.version = FLB_WORKLOAD_VERSION,
	.name = "tlbi",
	.summary = "local vs broadcast TLB invalidation of own pages (kmod)",
	.params_size = sizeof(struct tlbi_params),
	.options = tlbi_options,
	.ntasks = tlbi_ntasks,
	.setup = tlbi_setup,
	.run = tlbi_run,
	.teardown = tlbi_teardown,
};
