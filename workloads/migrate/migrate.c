// SPDX-License-Identifier: GPL-2.0
/*
 * migrate: one thread hops between the CPUs of its placement
 * (sched_setaffinity) while doing mprotect on npages of touched memory. Each
 * hop leaves the mm behind in the previous CPU's TLB (and in mm_cpumask on
 * x86), so "this mm is only active on the local CPU" keeps flipping: the
 * case where an optimisation that invalidates locally when it can (arm64
 * local TLBI, x86 lazy-TLB mm_cpumask trimming) has to fall back, and can
 * end up slower than always broadcasting. The flush is the mprotect one:
 * change_protection -> tlb_finish_mmu -> flush_tlb_mm_range / TLBI.
 *
 * Tasks are hop targets, not threads: ntasks = hop_cpus, and task i's CPU
 * is the i-th stop of the ring. hop_cpus 1 is the baseline: the same
 * sched_setaffinity call and mprotect, never moving.
 *
 * One op = one hop to the next CPU of the ring (flb_job_pin, which records
 * the CPU actually reached) + one mprotect() of the whole range, alternately
 * to PROT_READ and back to PROT_READ|PROT_WRITE.
 */
#include <string.h>

#include "tasks.h"
#include "workload.h"

struct migrate_params {
	uint64_t hop_cpus;
	uint64_t npages;
};

struct migrate_state {
	struct flb_mm_ctx mm;	/* first: see flb_mm_ctx_new() */
	unsigned int ntasks;
	unsigned int at;	/* task whose CPU the thread is bound to */
	bool ro;		/* the range is PROT_READ now */
};

static const struct flb_option migrate_options[] = {
	{ .name = "hop_cpus", .type = FLB_OPT_U64,
	  .offset = FLB_OFF(struct migrate_params, hop_cpus),
	  .min = 1, .max = FLB_TASKS_MAX, .def = "2",
	  .help = "CPUs of the placement the thread hops across, one hop per op (1: no hop, baseline)" },
	{ .name = "npages", .type = FLB_OPT_U64,
	  .offset = FLB_OFF(struct migrate_params, npages),
	  .min = 1, .max = 1ull << 24, .def = "512",
	  .help = "base pages in the range changed by each mprotect" },
	FLB_OPTION_END
};

static unsigned int migrate_ntasks(const void *params)
{
	const struct migrate_params *p = params;

	return p->hop_cpus;
}

static int migrate_setup(struct flb_job *job, const void *params, void **state)
{
	const struct migrate_params *p = params;
	struct migrate_state *s;
	unsigned int n = flb_job_ntasks(job);
	int ret;

	for (unsigned int i = 0; n > 1 && i < n; i++) {
		if (flb_job_cpu(job, i) >= 0)
			continue;
		flb_job_reason(job, "migrate: hop %u of %u has no CPU: hopping needs a placement, not none",
			      i, n);
		return FLB_FAIL;
	}
	ret = flb_mm_ctx_new(state, sizeof(*s), job, "migrate",
			    p->npages * flb_page_size(), FLB_REGION_TOUCHED, 0);
	if (ret)
		return ret;
	s = *state;
	s->ntasks = n;
	return FLB_OK;
}

static int migrate_run(struct flb_job *job, void *state, uint64_t ops,
		       uint64_t *done)
{
	struct migrate_state *s = state;
	int err;

	for (*done = 0; *done < ops && !flb_job_stopping(job); ++*done) {
		s->at = (s->at + 1) % s->ntasks;
		err = flb_job_pin(job, s->at);
		if (err) {
			flb_job_reason(job, "migrate: hop to CPU %d (task %u) failed: %s",
				      flb_job_cpu(job, s->at), s->at, strerror(-err));
			return FLB_FAIL;
		}
		if (flb_region_flip(&s->mm.r, &s->ro, job, "migrate"))
			return FLB_FAIL;
		flb_extra_work(&s->mm.extra);
	}
	return FLB_OK;
}

/* Leave the caller where the runner put it: on task 0's CPU. */
static void migrate_teardown(struct flb_job *job, void *state)
{
	flb_job_pin(job, 0);
	flb_mm_ctx_free(state);
}

const struct flb_workload flb_wl_migrate = {
	.version = FLB_WORKLOAD_VERSION,
	.name = "migrate",
	.summary = "one thread hopping CPUs while doing mprotect (local vs broadcast TLB invalidation)",
	.params_size = sizeof(struct migrate_params),
	.options = migrate_options,
	.ntasks = migrate_ntasks,
	.setup = migrate_setup,
	.run = migrate_run,
	.teardown = migrate_teardown,
};
