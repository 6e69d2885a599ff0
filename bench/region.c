// SPDX-License-Identifier: GPL-2.0
/* Guarded anonymous regions for workloads (see region.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "region.h"

#define THP_DIR "/sys/kernel/mm/transparent_hugepage"

size_t flb_page_size(void)
{
	static size_t page;

	if (!page)
		page = (size_t)sysconf(_SC_PAGESIZE);
	return page;
}

/* The PMD size if THP can be asked for with MADV_HUGEPAGE, else 0 and why. */
static size_t thp_size(char *why, size_t len)
{
	char mode[128] = "", *open, *close;
	unsigned long long pmd = 0;
	FILE *f;

	f = fopen(THP_DIR "/enabled", "r");
	if (!f) {
		snprintf(why, len, "no transparent hugepages here (%s/enabled: %s)",
			 THP_DIR, strerror(errno));
		return 0;
	}
	if (!fgets(mode, sizeof(mode), f))
		mode[0] = '\0';
	fclose(f);
	open = strchr(mode, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!close) {
		snprintf(why, len, "cannot read the THP mode from %s/enabled", THP_DIR);
		return 0;
	}
	*close = '\0';
	if (!strcmp(open + 1, "never")) {
		snprintf(why, len, "THP is 'never' on this machine (%s/enabled)", THP_DIR);
		return 0;
	}
	f = fopen(THP_DIR "/hpage_pmd_size", "r");
	if (f) {
		if (fscanf(f, "%llu", &pmd) != 1)
			pmd = 0;
		fclose(f);
	}
	if (!pmd)
		pmd = 2 << 20;
	return pmd;
}

/* Bytes of the VMA starting at base backed by huge pages, per smaps. */
static size_t thp_bytes(const char *base)
{
	unsigned long long start, end, kb;
	bool in = false;
	size_t bytes = 0;
	char line[256];
	FILE *f;

	f = fopen("/proc/self/smaps", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			if (in)
				break;
			in = start == (uintptr_t)base;
		} else if (in && sscanf(line, "AnonHugePages: %llu kB", &kb) == 1) {
			bytes = kb * 1024;
		}
	}
	fclose(f);
	return bytes;
}

void flb_region_write(const struct flb_region *r, unsigned char v)
{
	for (size_t off = 0; off < r->len; off += r->page)
		((volatile char *)r->base)[off] = v;
}

int flb_region_flip(struct flb_region *r, bool *ro, struct flb_job *job,
		   const char *who)
{
	if (mprotect(r->base, r->len, *ro ? PROT_READ | PROT_WRITE : PROT_READ)) {
		flb_job_reason(job, "%s: mprotect(%s) of %zu pages failed: %s", who,
			      *ro ? "RW" : "RO", r->len / r->page, strerror(errno));
		return FLB_FAIL;
	}
	*ro = !*ro;
	return FLB_OK;
}

int flb_region_new(struct flb_region *r, struct flb_job *job, const char *who,
		  size_t len, enum flb_region_how how)
{
	size_t align, huge = 0;
	char why[192], sz[32], got[32];
	uintptr_t base;

	memset(r, 0, sizeof(*r));
	r->page = flb_page_size();
	if (!len)
		return FLB_OK;
	align = r->page;
	if (how == FLB_REGION_THP) {
		huge = thp_size(why, sizeof(why));
		if (!huge) {
			flb_job_reason(job, "%s: %s", who, why);
			return FLB_SKIP;
		}
		align = huge;
	}
	r->len = (len + align - 1) / align * align;
	/* base - resv <= align and at least align is left after the end */
	r->resv_len = r->len + 2 * align;
	r->resv = mmap(NULL, r->resv_len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r->resv == MAP_FAILED) {
		flb_job_reason(job, "%s: reserving %s failed: %s", who,
			      flb_size_str(sz, sizeof(sz), r->resv_len), strerror(errno));
		goto err_clear;
	}
	base = ((uintptr_t)r->resv + r->page + align - 1) / align * align;
	r->base = (char *)base;
	if (how == FLB_REGION_HOLE) {
		if (munmap(r->base, r->len))
			goto err_map;
		return FLB_OK;
	}
	if (mmap(r->base, r->len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		goto err_map;
	if (huge && madvise(r->base, r->len, MADV_HUGEPAGE)) {
		flb_job_reason(job, "%s: madvise(MADV_HUGEPAGE) on %s failed: %s",
			      who, flb_size_str(sz, sizeof(sz), r->len), strerror(errno));
		goto err_release;
	}
	flb_region_write(r, 1);
	if (huge && thp_bytes(r->base) < r->len) {
		flb_job_reason(job, "%s: asked for %s of THP, the kernel gave %s (defrag setting or fragmentation)",
			      who, flb_size_str(sz, sizeof(sz), r->len),
			      flb_size_str(got, sizeof(got), thp_bytes(r->base)));
		flb_region_release(r);
		return FLB_SKIP;
	}
	return FLB_OK;
err_map:
	flb_job_reason(job, "%s: mmap %s failed: %s", who,
		      flb_size_str(sz, sizeof(sz), r->len), strerror(errno));
err_release:
	flb_region_release(r);
	return FLB_FAIL;
err_clear:
	memset(r, 0, sizeof(*r));
	return FLB_FAIL;
}

void flb_region_release(struct flb_region *r)
{
	if (r->resv && r->resv != MAP_FAILED)
		munmap(r->resv, r->resv_len);
	memset(r, 0, sizeof(*r));
}
