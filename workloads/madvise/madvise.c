// SPDX-License-Identifier: GPL-2.0
/*
 * madvise: a MADV_DONTNEED storm, as will-it-scale's tlb_flush1/2: write
 * every page of a private anonymous range, then drop it. The drop goes
 * through madvise_dontneed_free -> zap_page_range_single, whose mmu_gather
 * ends in tlb_finish_mmu -> flush_tlb_mm_range (x86) / TLBI (arm64); with
 * threads the mm is live on other CPUs, so the invalidation is remote.
 *
 * Correctness first: after each drop every page must read back as zero. A
 * page that still shows the byte written before the drop means a stale
 * translation survived: a missing flush is a bug, not a fast result, and
 * the sample fails naming the page.
 *
 * One op = one write of a non-zero byte to each page, one
 * madvise(MADV_DONTNEED) of the range, one read of each page.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "tasks.h"
#include "workload.h"

struct madvise_params {
	uint64_t size;
	uint64_t threads;
};

struct madvise_state {
	struct flb_mm_ctx mm;	/* first: see flb_mm_ctx_new() */
	unsigned char v;	/* byte written in the current round */
};

static const struct flb_option madvise_options[] = {
	{ .name = "size", .type = FLB_OPT_SIZE,
	  .offset = FLB_OFF(struct madvise_params, size),
	  .min = 4096, .max = 1ull << 40, .def = "64K",
	  .help = "bytes written and dropped by each op (rounded up to pages)" },
	FLB_OPTION_THREADS(struct madvise_params, threads),
	FLB_OPTION_END
};

static unsigned int madvise_ntasks(const void *params)
{
	const struct madvise_params *p = params;

	return 1 + p->threads;
}

static int madvise_setup(struct flb_job *job, const void *params, void **state)
{
	const struct madvise_params *p = params;

	return flb_mm_ctx_new(state, sizeof(struct madvise_state), job, "madvise",
			     p->size,
			     FLB_REGION_TOUCHED, p->threads);
}

static long first_dirty(const struct flb_region *r, unsigned char *seen)
{
	for (size_t off = 0; off < r->len; off += r->page) {
		unsigned char c = ((volatile unsigned char *)r->base)[off];

		if (c) {
			*seen = c;
			return off / r->page;
		}
	}
	return -1;
}

static int madvise_run(struct flb_job *job, void *state, uint64_t ops,
		       uint64_t *done)
{
	struct madvise_state *s = state;
	struct flb_region *r = &s->mm.r;
	unsigned char seen;
	char sz[32];
	long page;

	for (*done = 0; *done < ops && !flb_job_stopping(job); ++*done) {
		s->v = s->v % 255 + 1;
		flb_region_write(r, s->v);
		if (madvise(r->base, r->len, MADV_DONTNEED)) {
			flb_job_reason(job, "madvise: MADV_DONTNEED of %s failed: %s",
				      flb_size_str(sz, sizeof(sz), r->len), strerror(errno));
			return FLB_FAIL;
		}
		page = first_dirty(r, &seen);
		if (page >= 0) {
			flb_job_reason(job, "madvise: page %ld of %zu (%p) reads 0x%02x after MADV_DONTNEED (wrote 0x%02x): stale TLB entry, missing flush?",
				      page, r->len / r->page,
				      (void *)(r->base + page * r->page), seen, s->v);
			return FLB_FAIL;
		}
		flb_extra_work(&s->mm.extra);
	}
	return FLB_OK;
}

const struct flb_workload flb_wl_madvise = {
	.version = FLB_WORKLOAD_VERSION,
	.name = "madvise",
	.summary = "write + MADV_DONTNEED storm, data checked to read back zero (zap + TLB flush)",
	.params_size = sizeof(struct madvise_params),
	.options = madvise_options,
	.ntasks = madvise_ntasks,
	.setup = madvise_setup,
	.run = madvise_run,
	.teardown = flb_mm_ctx_teardown,
};
