/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anonymous memory for workloads: a range with PROT_NONE guard pages on
 * both sides, so what is mapped in it never merges with (or splits) a
 * neighbouring VMA and every op touches the same page-table layout.
 *
 * Functions returning int return an enum fb_status: FB_OK, or FB_SKIP /
 * FB_FAIL after fb_job_reason("<who>: ...").
 */
#ifndef FB_REGION_H
#define FB_REGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "workload.h"

struct fb_region {
	char *base;		/* usable range: page (or PMD, for THP) aligned */
	size_t len;		/* usable bytes, a multiple of the alignment */
	size_t page;		/* base page size */
	char *resv;		/* the reservation, guards included */
	size_t resv_len;
};

enum fb_region_how {
	FB_REGION_HOLE,		/* leave base..len unmapped, for mmap(MAP_FIXED_NOREPLACE) */
	FB_REGION_TOUCHED,	/* map it read-write and write every page */
	FB_REGION_THP,		/* same, PMD-aligned with MADV_HUGEPAGE; FB_SKIP if
				 * THP is off or the kernel gave 4K pages */
};

/* len 0 gives an empty region (base NULL) that release accepts. */
int fb_region_new(struct fb_region *r, struct fb_job *job, const char *who,
		  size_t len, enum fb_region_how how);
void fb_region_release(struct fb_region *r);

/*
 * mprotect the whole of r to PROT_READ if *ro is false, else back to
 * PROT_READ|PROT_WRITE, and flip *ro. FB_OK, or FB_FAIL after fb_job_reason().
 */
int fb_region_flip(struct fb_region *r, bool *ro, struct fb_job *job,
		   const char *who);

/* Write byte v at offset 0 of every base page of r. */
void fb_region_write(const struct fb_region *r, unsigned char v);

size_t fb_page_size(void);
/* "64 MiB", "4 KiB", "100 B" into buf; returns buf */
const char *fb_size_str(char *buf, size_t len, uint64_t bytes);

#endif
