// SPDX-License-Identifier: GPL-2.0
/*
 * dma: runs the module's IOMMU commands once, for tests/kmod/in-guest.ash.
 *   dma time single|sg BYTES THREADS BATCH ITERATIONS [DEVICE]
 *     FLB_IOC_DMA; prints "dma mode=... bytes=... threads=... batch=...
 *     domain=NAME map_min_ns=... map_median_ns=... map_p99_ns=...
 *     map_max_ns=... unmap_min_ns=... (the same) ops=... batches=...
 *     total_ms=... nents=... bdf=... group=..."
 *   dma check [DEVICE]
 *     FLB_IOC_DMA_CHECK; prints "dma check result=pass|stale|no-xlate|
 *     no-engine domain=NAME iova=0x... expected=0x... seen=0x...
 *     skipped_inv=0|1 dma_ms=..."
 * Exit 0 when the ioctl succeeded, 1 with "dma: ...: ERRNO" otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "flushbench_uapi.h"

#define U(x) ((unsigned long long)(x))

static const char *const domains[] = { "?", "direct", "identity", "strict", "lazy", "other" };
static const char *const results[] = { "?", "pass", "stale", "no-xlate", "no-engine" };

static const char *name(const char *const *v, unsigned int n, __u64 i)
{
	return i < n ? v[i] : "?";
}

static int usage(void)
{
	fprintf(stderr, "usage: dma time single|sg BYTES THREADS BATCH ITERATIONS [DEVICE]\n"
		"       dma check [DEVICE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	int fd;

	if (argc < 2)
		return usage();
	fd = open(FLB_DEVICE_PATH, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "dma: %s: %s\n", FLB_DEVICE_PATH, strerror(errno));
		return 1;
	}
	if (!strcmp(argv[1], "time") && argc >= 7) {
		struct flb_dma d = { .hdr = { sizeof(d), FLB_UAPI_VERSION } };

		d.mode = !strcmp(argv[2], "sg") ? FLB_DMA_SG : FLB_DMA_SINGLE;
		d.bytes = strtoull(argv[3], NULL, 0);
		d.threads = strtoull(argv[4], NULL, 0);
		d.batch = strtoull(argv[5], NULL, 0);
		d.iterations = strtoull(argv[6], NULL, 0);
		d.device = argc > 7 ? strtoull(argv[7], NULL, 0) : 0;
		if (ioctl(fd, FLB_IOC_DMA, &d)) {
			fprintf(stderr, "dma: FLB_IOC_DMA: %s\n", strerror(errno));
			return 1;
		}
		printf("dma mode=%s bytes=%llu threads=%llu batch=%llu domain=%s "
		       "map_min_ns=%llu map_median_ns=%llu map_p99_ns=%llu map_max_ns=%llu "
		       "unmap_min_ns=%llu unmap_median_ns=%llu unmap_p99_ns=%llu unmap_max_ns=%llu "
		       "ops=%llu batches=%llu total_ms=%.1f nents=%llu bdf=%04llx:%02llx:%02llx.%llx group=%lld\n",
		       d.mode == FLB_DMA_SG ? "sg" : "single", U(d.bytes), U(d.threads), U(d.batch),
		       name(domains, 6, d.domain),
		       U(d.map_ns.min), U(d.map_ns.median), U(d.map_ns.p99), U(d.map_ns.max),
		       U(d.unmap_ns.min), U(d.unmap_ns.median), U(d.unmap_ns.p99), U(d.unmap_ns.max),
		       U(d.ops), U(d.batches), d.total_ns / 1e6, U(d.nents),
		       U(d.bdf >> 16), U((d.bdf >> 8) & 0xff), U((d.bdf >> 3) & 0x1f), U(d.bdf & 7),
		       d.group == FLB_DMA_NO_GROUP ? -1LL : (long long)d.group);
	} else if (!strcmp(argv[1], "check")) {
		struct flb_dma_check c = { .hdr = { sizeof(c), FLB_UAPI_VERSION } };

		c.device = argc > 2 ? strtoull(argv[2], NULL, 0) : 0;
		if (ioctl(fd, FLB_IOC_DMA_CHECK, &c)) {
			fprintf(stderr, "dma: FLB_IOC_DMA_CHECK: %s\n", strerror(errno));
			return 1;
		}
		printf("dma check result=%s domain=%s iova=0x%llx expected=0x%llx seen=0x%llx "
		       "skipped_inv=%llu dma_ms=%.1f\n", name(results, 5, c.result),
		       name(domains, 6, c.domain), U(c.iova), U(c.expected), U(c.seen),
		       U(c.skipped_inv), c.dma_ns / 1e6);
	} else {
		return usage();
	}
	return 0;
}
