// SPDX-License-Identifier: GPL-2.0
/*
 * munmap: a storm of mmap + touch + munmap of an anonymous range. The touch
 * faults every page in (do_anonymous_page); munmap tears them down through
 * unmap_region(): unmap_vmas + free_pgtables in one mmu_gather, ending in
 * tlb_finish_mmu -> flush_tlb_mm_range (x86) / TLBI (arm64). With threads
 * the mm is live on other CPUs, so the invalidation is remote.
 *
 * The range is always mapped into the same guarded hole (MAP_FIXED_NOREPLACE),
 * so it never merges with a neighbouring VMA and every op sees the same
 * page-table layout.
 *
 * One op = one mmap of `size` bytes, one write to each of its pages, one
 * munmap of it.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "tasks.h"
#include "workload.h"

struct munmap_params {
	uint64_t size;
	uint64_t threads;
};

struct munmap_state {
	struct flb_mm_ctx mm;	/* first: see flb_mm_ctx_new() */
};

static const struct flb_option munmap_options[] = {
	{ .name = "size", .type = FLB_OPT_SIZE,
	  .offset = FLB_OFF(struct munmap_params, size),
	  .min = 4096, .max = 1ull << 40, .def = "64K",
	  .help = "bytes mapped, touched and unmapped by each op (rounded up to pages)" },
	FLB_OPTION_THREADS(struct munmap_params, threads),
	FLB_OPTION_END
};

static unsigned int munmap_ntasks(const void *params)
{
	const struct munmap_params *p = params;

	return 1 + p->threads;
}

static int munmap_setup(struct flb_job *job, const void *params, void **state)
{
	const struct munmap_params *p = params;

	return flb_mm_ctx_new(state, sizeof(struct munmap_state), job, "munmap",
			     p->size,
			     FLB_REGION_HOLE, p->threads);
}

static int munmap_run(struct flb_job *job, void *state, uint64_t ops,
		      uint64_t *done)
{
	struct munmap_state *s = state;
	struct flb_region *r = &s->mm.r;
	char sz[32];
	char *p;

	for (*done = 0; *done < ops && !flb_job_stopping(job); ++*done) {
		p = mmap(r->base, r->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED) {
			flb_job_reason(job, "munmap: mmap %s at %p failed: %s",
				      flb_size_str(sz, sizeof(sz), r->len),
				      (void *)r->base, strerror(errno));
			return FLB_FAIL;
		}
		if (p != r->base) {
			/* a kernel before 4.17 takes the address as a hint */
			munmap(p, r->len);
			flb_job_reason(job, "munmap: mmap landed at %p, not in the hole at %p (no MAP_FIXED_NOREPLACE?)",
				      (void *)p, (void *)r->base);
			return FLB_FAIL;
		}
		flb_region_write(r, 1);
		if (munmap(p, r->len)) {
			flb_job_reason(job, "munmap: munmap %s failed: %s",
				      flb_size_str(sz, sizeof(sz), r->len), strerror(errno));
			return FLB_FAIL;
		}
		flb_extra_work(&s->mm.extra);
	}
	return FLB_OK;
}

const struct flb_workload flb_wl_munmap = {
	.version = FLB_WORKLOAD_VERSION,
	.name = "munmap",
	.summary = "mmap + touch + munmap storm (unmap_region + TLB flush)",
	.params_size = sizeof(struct munmap_params),
	.options = munmap_options,
	.ntasks = munmap_ntasks,
	.setup = munmap_setup,
	.run = munmap_run,
	.teardown = flb_mm_ctx_teardown,
};
