// SPDX-License-Identifier: GPL-2.0
/*
 * mprotect: a storm of RW<->RO changes over npages of touched anonymous
 * memory. Each call walks the range in change_protection() and ends with
 * the mmu_gather flush (tlb_finish_mmu -> flush_tlb_mm_range on x86,
 * __flush_tlb_range / TLBI on arm64). With threads the mm is live on other
 * CPUs, so the invalidation is remote (IPIs on x86, broadcast TLBI on
 * arm64); thp maps the range with PMD pages (change_huge_pmd,
 * flush_pmd_tlb_range).
 *
 * One op = one mprotect() of the whole range, alternately to PROT_READ and
 * back to PROT_READ|PROT_WRITE. RW->RO always needs the invalidation; a
 * kernel may skip it for RO->RW (x86 pte_needs_flush()).
 */

#include "tasks.h"
#include "workload.h"

struct mprotect_params {
	uint64_t npages;
	uint64_t threads;
	bool thp;
};

struct mprotect_state {
	struct flb_mm_ctx mm;	/* first: see flb_mm_ctx_new() */
	bool ro;		/* the range is PROT_READ now */
};

static const struct flb_option mprotect_options[] = {
	{ .name = "npages", .type = FLB_OPT_U64,
	  .offset = FLB_OFF(struct mprotect_params, npages),
	  .min = 1, .max = 1ull << 24, .def = "512",
	  .help = "base pages in the range changed by each mprotect (rounded up to whole huge pages with thp)" },
	FLB_OPTION_THREADS(struct mprotect_params, threads),
	{ .name = "thp", .type = FLB_OPT_BOOL,
	  .offset = FLB_OFF(struct mprotect_params, thp), .def = "false",
	  .help = "PMD-aligned range with MADV_HUGEPAGE (skip if THP is off)" },
	FLB_OPTION_END
};

static unsigned int mprotect_ntasks(const void *params)
{
	const struct mprotect_params *p = params;

	return 1 + p->threads;
}

static int mprotect_setup(struct flb_job *job, const void *params, void **state)
{
	const struct mprotect_params *p = params;

	return flb_mm_ctx_new(state, sizeof(struct mprotect_state), job, "mprotect",
			     p->npages * flb_page_size(),
			     p->thp ? FLB_REGION_THP : FLB_REGION_TOUCHED, p->threads);
}

static int mprotect_run(struct flb_job *job, void *state, uint64_t ops,
			uint64_t *done)
{
	struct mprotect_state *s = state;

	for (*done = 0; *done < ops && !flb_job_stopping(job); ++*done) {
		if (flb_region_flip(&s->mm.r, &s->ro, job, "mprotect"))
			return FLB_FAIL;
		flb_extra_work(&s->mm.extra);
	}
	return FLB_OK;
}

const struct flb_workload flb_wl_mprotect = {
	.version = FLB_WORKLOAD_VERSION,
	.name = "mprotect",
	.summary = "RW<->RO mprotect storm over touched pages (change_protection + TLB flush)",
	.params_size = sizeof(struct mprotect_params),
	.options = mprotect_options,
	.ntasks = mprotect_ntasks,
	.setup = mprotect_setup,
	.run = mprotect_run,
	.teardown = flb_mm_ctx_teardown,
};
