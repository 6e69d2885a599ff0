/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anonymous memory for workloads: a range with PROT_NONE guard pages on
 * both sides, so what is mapped in it never merges with (or splits) a
 * neighbouring VMA and every op touches the same page-table layout.
 *
 * Functions returning int return an enum flb_status: FLB_OK, or FLB_SKIP /
 * FLB_FAIL after flb_job_reason("<who>: ...").
 */
#ifndef FLB_REGION_H
#define FLB_REGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "workload.h"

struct flb_region {
	char *base;		/* usable range: page (or PMD, for THP) aligned */
	size_t len;		/* usable bytes, a multiple of the alignment */
	size_t page;		/* base page size */
	char *resv;		/* the reservation, guards included */
	size_t resv_len;
};

enum flb_region_how {
	FLB_REGION_HOLE,		/* leave base..len unmapped, for mmap(MAP_FIXED_NOREPLACE) */
	FLB_REGION_TOUCHED,	/* map it read-write and write every page */
	FLB_REGION_THP,		/* same, PMD-aligned with MADV_HUGEPAGE; FLB_SKIP if
				 * THP is off or the kernel gave 4K pages */
};

/* len 0 gives an empty region (base NULL) that release accepts. */
int flb_region_new(struct flb_region *r, struct flb_job *job, const char *who,
		  size_t len, enum flb_region_how how);
void flb_region_release(struct flb_region *r);

/*
 * mprotect the whole of r to PROT_READ if *ro is false, else back to
 * PROT_READ|PROT_WRITE, and flip *ro. FLB_OK, or FLB_FAIL after flb_job_reason().
 */
int flb_region_flip(struct flb_region *r, bool *ro, struct flb_job *job,
		   const char *who);

/* Write byte v at offset 0 of every base page of r. */
void flb_region_write(const struct flb_region *r, unsigned char v);

size_t flb_page_size(void);

#endif
