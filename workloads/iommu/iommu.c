// SPDX-License-Identifier: GPL-2.0
/*
 * iommu: the cost of dma_map and dma_unmap through an IOMMU, strict (each
 * unmap invalidates the IOTLB and waits: SMMUv3 TLBI + CMD_SYNC, VT-d a
 * queued invalidation and its wait) against lazy (DMA-FQ: the IOVA is
 * queued and the flush queue invalidates later, batched), through kmod/
 * (FLB_IOC_DMA) on a PCI device bound to the module's "flushbench" driver
 * (QEMU's edu device). An operation is one iteration: each of `kthreads`
 * kernel threads maps its buffer once and unmaps it once; the module times
 * `batch` maps, then `batch` unmaps, between clock reads. Metrics: the
 * module's per-unmap and per-map medians, p99 and max (unmap_ns is the one
 * compared). `domain` switches the device's IOMMU group type through sysfs
 * for the job and puts it back after. Before each measured sample, untimed
 * (->presample), FLB_IOC_DMA_CHECK has edu's DMA engine read through an
 * IOVA remapped the way a strict unmap leaves it: a stale IOTLB entry
 * fails the sample.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kmod-client/kmod_client.h"

#define IOMMU_DRIVER	"/sys/bus/pci/drivers/flushbench"
#define IOMMU_NO_DEVICE	"no PCI device bound to flushbench: boot the guest with " \
			"flushbench vm --iommu smmuv3|intel|direct, or bind one through " \
			"driver_override (docs/iommu.md)"
#define IOMMU_PAGE	4096ULL	/* the smallest page a kernel here has */

enum { DOMAIN_ASIS, DOMAIN_STRICT, DOMAIN_LAZY };

struct iommu_params {
	int mode;
	int domain;
	bool check;
	uint64_t size;
	uint64_t kthreads;
	uint64_t batch;
	uint64_t device;
};

struct iommu_state {
	struct iommu_params p;
	struct flb_kmod_dev dev;
	uint64_t device;	/* the index now: a rebind moves the device last */
	uint64_t threads;
	uint64_t domain;	/* enum flb_dma_domain after setup */
	char bdf[24];		/* 0000:00:03.0 */
	char restore[32];	/* the group type to put back in teardown, "" none */
};

static const char *const iommu_modes[] = { "single", "sg", NULL };
static const char *const iommu_domains[] = { "asis", "strict", "lazy", NULL };
/* the sysfs group type of each domain option (asis: none) */
static const char *const iommu_types[] = { NULL, "DMA", "DMA-FQ" };
/* metric names of enum flb_dma_domain */
static const char *const iommu_domain_names[] = {
	[FLB_DMA_DIRECT] = "direct", [FLB_DMA_IDENTITY] = "identity",
	[FLB_DMA_STRICT] = "strict", [FLB_DMA_LAZY] = "lazy", [FLB_DMA_OTHER] = "other",
};

static const char *domain_name(uint64_t d)
{
	return d >= FLB_DMA_DIRECT && d <= FLB_DMA_OTHER ? iommu_domain_names[d] : "unknown";
}

static int iommu_check_size(const void *value, char *why, size_t len)
{
	uint64_t bytes = *(const uint64_t *)value;
	char sz[32];

	if (bytes % IOMMU_PAGE) {
		snprintf(why, len, "size: %s is not a multiple of 4K (whole pages are mapped)",
			 flb_size_str(sz, sizeof(sz), bytes));
		return -1;
	}
	return 0;
}

static const struct flb_option iommu_options[] = {
	{ "mode", FLB_OPT_ENUM, FLB_OFF(struct iommu_params, mode), 0, 0, "single",
	  iommu_modes, "single: one contiguous buffer (dma_map_page); sg: size/page "
	  "separate pages (dma_map_sg)", NULL },
	{ "size", FLB_OPT_SIZE, FLB_OFF(struct iommu_params, size), IOMMU_PAGE,
	  FLB_MAX_DMA_BYTES, "4K", NULL, "bytes per mapping, whole pages", iommu_check_size },
	{ "kthreads", FLB_OPT_U64, FLB_OFF(struct iommu_params, kthreads), 0,
	  FLB_MAX_DMA_THREADS, "1", NULL, "kernel threads mapping at once, one per CPU "
	  "(0: one per online CPU, at most 64; more than online CPUs: skip)", NULL },
	{ "batch", FLB_OPT_U64, FLB_OFF(struct iommu_params, batch), 1, FLB_MAX_DMA_BATCH,
	  "32", NULL, "maps (then unmaps) the module times between two clock reads", NULL },
	{ "device", FLB_OPT_U64, FLB_OFF(struct iommu_params, device), 0, 255, "0", NULL,
	  "which device bound to the flushbench driver, in the order they were bound", NULL },
	{ "domain", FLB_OPT_ENUM, FLB_OFF(struct iommu_params, domain), 0, 0, "asis",
	  iommu_domains, "the device's IOMMU group type for the job: asis (untouched), "
	  "strict (DMA) or lazy (DMA-FQ), put back after (needs root and an IOMMU)", NULL },
	{ "check", FLB_OPT_BOOL, FLB_OFF(struct iommu_params, check), 0, 0, "true", NULL,
	  "before each sample, untimed: does an unmap invalidate the IOTLB (edu's DMA "
	  "reads a remapped IOVA; a stale read fails the sample)", NULL },
	FLB_OPTION_END
};

/* Write text to a sysfs file: 0 or the errno of the open or write. */
static int sysfs_write(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, text, len) != (ssize_t)len)
		err = errno ? errno : EIO;
	if (close(fd) && !err)
		err = errno;
	return err;
}

/* The first word of a sysfs file into buf: 0 or errno. */
static int sysfs_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	ssize_t n;

	if (fd < 0)
		return errno;
	n = read(fd, buf, len - 1);
	if (n <= 0)
		err = n ? errno : ENODATA;
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, " \n")] = '\0';
	return err;
}

static const char *errname(int err)
{
	const char *n = strerrorname_np(err);

	return n ? n : "?";
}

/*
 * The group of the device bdf to type: unbind, write the type, bind
 * again (Linux 6.1 changes it only while unbound, DMA->DMA-FQ aside).
 * 0, or -1 and why.
 */
static int set_group_type(const char *bdf, const char *type, char *why, size_t len)
{
	char path[128];
	int err, bind_err;

	err = sysfs_write(IOMMU_DRIVER "/unbind", bdf);
	if (err) {
		snprintf(why, len, "unbinding %s from flushbench: %s", bdf, strerror(err));
		return -1;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group/type", bdf);
	err = sysfs_write(path, type);
	if (err)
		snprintf(why, len, "the kernel refused %s: %s (%s)", type, errname(err),
			 strerror(err));
	bind_err = sysfs_write(IOMMU_DRIVER "/bind", bdf);
	if (bind_err) {
		size_t o = err ? strlen(why) : 0;

		snprintf(why + o, len - o, "%sbinding %s to flushbench again: %s",
			 err ? "; " : "", bdf, strerror(bind_err));
		return -1;
	}
	return err ? -1 : 0;
}

/* One FLB_IOC_DMA on device index dev: 0 or errno. */
static int dma_call(struct flb_job *job, struct iommu_state *s, uint64_t dev, uint64_t mode,
		    uint64_t bytes, uint64_t iterations, uint64_t batch, uint64_t threads,
		    struct flb_dma *d)
{
	memset(d, 0, sizeof(*d));
	d->hdr.size = sizeof(*d);
	d->hdr.version = FLB_UAPI_VERSION;
	d->device = dev;
	d->mode = mode;
	d->bytes = bytes;
	d->iterations = iterations;
	d->batch = batch;
	d->threads = threads;
	return flb_kmod_ioctl(job, s->dev.fd, FLB_IOC_DMA, d);
}

/* One map+unmap of a page on device index dev, for its bdf, group, domain. */
static int dma_probe(struct flb_job *job, struct iommu_state *s, uint64_t dev,
		     struct flb_dma *d)
{
	return dma_call(job, s, dev, FLB_DMA_SINGLE, s->dev.info.page_size, 1, 1, 1, d);
}

/* The index of the bound device bdf (after a rebind it is the last): 0 or -1. */
static int find_device(struct flb_job *job, struct iommu_state *s, uint64_t bdf)
{
	struct flb_dma d;

	for (uint64_t i = 0; !dma_probe(job, s, i, &d); i++) {
		if (d.bdf == bdf) {
			s->device = i;
			return 0;
		}
	}
	return -1;
}

/*
 * Put the device's group in the asked domain, remembering the type to put
 * back. FLB_OK, or FLB_SKIP / FLB_FAIL after flb_job_reason().
 */
static int switch_domain(struct flb_job *job, struct iommu_state *s, const struct flb_dma *d)
{
	const char *want = iommu_types[s->p.domain], *asked = iommu_domains[s->p.domain];
	char path[128], type[32], why[200];
	uint64_t bdf = d->bdf;
	struct flb_dma now;
	int err;

	if (d->group == FLB_DMA_NO_GROUP) {
		flb_job_reason(job, "iommu: domain=%s: the device %s has no IOMMU group "
			      "(no IOMMU translates it)", asked, s->bdf);
		return FLB_SKIP;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group/type", s->bdf);
	err = sysfs_read(path, type, sizeof(type));
	if (err) {
		flb_job_reason(job, "iommu: domain=%s: reading %s: %s", asked, path, strerror(err));
		return FLB_SKIP;
	}
	if (strcmp(type, want)) {
		snprintf(path, sizeof(path), IOMMU_DRIVER "/%s", s->bdf);
		if (access(path, F_OK)) {
			flb_job_reason(job, "iommu: domain=%s: %s is not in %s (sysfs not mounted?)",
				      asked, s->bdf, IOMMU_DRIVER);
			return FLB_SKIP;
		}
		/* from here teardown puts the type back, whatever happens */
		snprintf(s->restore, sizeof(s->restore), "%s", type);
		if (set_group_type(s->bdf, want, why, sizeof(why))) {
			flb_job_reason(job, "iommu: domain=%s: %s", asked, why);
			/* refused: nothing to put back */
			snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group/type",
				 s->bdf);
			if (!sysfs_read(path, type, sizeof(type)) && !strcmp(type, s->restore))
				s->restore[0] = '\0';
			return FLB_SKIP;
		}
		if (find_device(job, s, bdf)) {
			flb_job_reason(job, "iommu: domain=%s: %s is no longer bound to flushbench "
				      "after the switch to %s", asked, s->bdf, want);
			return FLB_FAIL;
		}
	}
	err = dma_probe(job, s, s->device, &now);
	if (err) {
		flb_job_reason(job, "iommu: domain=%s: FLB_IOC_DMA on %s after the switch: %s",
			      asked, s->bdf, strerror(err));
		return FLB_FAIL;
	}
	if (now.domain != (s->p.domain == DOMAIN_STRICT ? FLB_DMA_STRICT : FLB_DMA_LAZY)) {
		flb_job_reason(job, "iommu: domain=%s: the group of %s is %s but the module "
			      "sees a %s domain", asked, s->bdf, want, domain_name(now.domain));
		return FLB_FAIL;
	}
	return FLB_OK;
}

static void iommu_teardown(struct flb_job *job, void *state)
{
	struct iommu_state *s = state;
	char why[200];

	(void)job;
	if (s->restore[0] && set_group_type(s->bdf, s->restore, why, sizeof(why)))
		fprintf(stderr, "iommu: teardown: putting back type %s of %s's group: %s\n",
			s->restore, s->bdf, why);
	flb_kmod_dev_close(&s->dev);
	free(s);
}

static int iommu_setup(struct flb_job *job, const void *params, void **state)
{
	const struct iommu_params *p = params;
	struct iommu_state *s = calloc(1, sizeof(*s));
	uint64_t ncpus, pg;
	struct flb_dma d;
	char sz[32];
	int rc, err;

	if (!s) {
		flb_job_reason(job, "iommu: out of memory");
		return FLB_FAIL;
	}
	s->p = *p;
	s->device = p->device;
	rc = flb_kmod_dev_open(job, "iommu", 0, &s->dev);
	if (rc != FLB_OK) {
		free(s);
		return rc;
	}
	pg = s->dev.info.page_size;
	ncpus = s->dev.info.ncpus;
	rc = FLB_SKIP;
	if (!pg || p->size % pg) {
		flb_job_reason(job, "iommu: size=%s is not a multiple of this kernel's page size "
			      "(%llu bytes)", flb_size_str(sz, sizeof(sz), p->size),
			      (unsigned long long)pg);
		goto err_close;
	}
	if (p->kthreads > ncpus) {
		flb_job_reason(job, "iommu: kthreads=%llu: this machine has %llu online CPUs "
			      "(the module runs one thread per CPU)",
			      (unsigned long long)p->kthreads, (unsigned long long)ncpus);
		goto err_close;
	}
	s->threads = p->kthreads ? p->kthreads :
		     ncpus < FLB_MAX_DMA_THREADS ? ncpus : FLB_MAX_DMA_THREADS;
	err = dma_probe(job, s, s->device, &d);
	if (err == ENODEV) {
		if (s->device)
			flb_job_reason(job, "iommu: device=%llu: fewer devices are bound to "
				      "flushbench", (unsigned long long)s->device);
		else
			flb_job_reason(job, IOMMU_NO_DEVICE);
		goto err_close;
	}
	if (err) {
		flb_job_reason(job, "iommu: FLB_IOC_DMA (one page on device %llu): %s",
			      (unsigned long long)s->device, strerror(err));
		rc = FLB_FAIL;
		goto err_close;
	}
	snprintf(s->bdf, sizeof(s->bdf), "%04llx:%02llx:%02llx.%llx",
		 (unsigned long long)((d.bdf >> 16) & 0xffff), (unsigned long long)((d.bdf >> 8) & 0xff),
		 (unsigned long long)((d.bdf >> 3) & 0x1f), (unsigned long long)(d.bdf & 7));
	s->domain = d.domain;
	if (p->domain != DOMAIN_ASIS) {
		rc = switch_domain(job, s, &d);
		if (rc != FLB_OK) {
			iommu_teardown(job, s);
			return rc;
		}
		s->domain = p->domain == DOMAIN_STRICT ? FLB_DMA_STRICT : FLB_DMA_LAZY;
	}
	*state = s;
	return FLB_OK;

err_close:
	flb_kmod_dev_close(&s->dev);
	free(s);
	return rc;
}

/* Once per measured sample, untimed: FLB_IOC_DMA_CHECK (~300 ms of DMA in QEMU). */
static int iommu_presample(struct flb_job *job, void *state)
{
	struct iommu_state *s = state;
	struct flb_dma_check c = { .hdr = { sizeof(c), FLB_UAPI_VERSION } };
	int err;

	if (!s->p.check)
		return FLB_OK;
	c.device = s->device;
	err = flb_kmod_ioctl(job, s->dev.fd, FLB_IOC_DMA_CHECK, &c);
	if (err) {
		flb_job_reason(job, "iommu: FLB_IOC_DMA_CHECK on %s: %s", s->bdf, strerror(err));
		return FLB_FAIL;
	}
	/* check: 1 passed, 0 not applicable (nothing translates, or no engine), -1 stale */
	flb_job_metric(job, "check", c.result == FLB_DMA_CHECK_PASS ? 1 :
		      c.result == FLB_DMA_CHECK_STALE ? -1 : 0, "", FLB_HIGHER_IS_BETTER);
	flb_job_metric(job, "check_result", (double)c.result, "", FLB_LOWER_IS_BETTER);
	switch (c.result) {
	case FLB_DMA_CHECK_PASS:
		flb_job_metric(job, "check_dma_ns", (double)c.dma_ns, "ns", FLB_LOWER_IS_BETTER);
		return FLB_OK;
	case FLB_DMA_CHECK_NO_XLATE:	/* nothing can go stale: not applicable */
	case FLB_DMA_CHECK_NO_ENGINE:	/* not an edu: nothing to read with */
		return FLB_OK;
	case FLB_DMA_CHECK_STALE:
		flb_job_reason(job, "iommu: stale IOTLB entry at IOVA %#llx on %s (%s domain): "
			      "the device read the unmapped page: expected %#llx, seen %#llx%s",
			      (unsigned long long)c.iova, s->bdf, domain_name(c.domain),
			      (unsigned long long)c.expected, (unsigned long long)c.seen,
			      c.skipped_inv ? " (unsafe_skip_inv is set)" : "");
		return FLB_FAIL;
	}
	flb_job_reason(job, "iommu: FLB_IOC_DMA_CHECK on %s: unknown result %llu", s->bdf,
		      (unsigned long long)c.result);
	return FLB_FAIL;
}

static int iommu_run(struct flb_job *job, void *state, uint64_t ops, uint64_t *done)
{
	struct iommu_state *s = state;
	struct flb_lat map = { 0 }, unmap = { 0 };
	uint64_t pairs = 0, nents = 0, domain = s->domain, best_n = 0;
	struct flb_dma d;
	char sz[32];
	int err;

	*done = 0;
	while (*done < ops && !flb_job_stopping(job)) {
		uint64_t n = ops - *done, batch = s->p.batch;

		/* whole batches, and a last short call timed as one batch */
		if (n > FLB_MAX_DMA_ITERATIONS)
			n = FLB_MAX_DMA_ITERATIONS;
		if (n < batch)
			batch = n;
		else
			n -= n % batch;
		err = dma_call(job, s, s->device, (uint64_t)s->p.mode, s->p.size, n, batch,
			       s->threads, &d);
		if (err) {
			flb_job_reason(job, "iommu: FLB_IOC_DMA %llu x %s %s on %s, %llu threads: %s",
				      (unsigned long long)n, flb_size_str(sz, sizeof(sz), s->p.size),
				      iommu_modes[s->p.mode], s->bdf,
				      (unsigned long long)s->threads, strerror(err));
			return FLB_FAIL;
		}
		*done += n;
		pairs += d.ops;
		nents = d.nents;
		domain = d.domain;
		/* The medians of the largest call stand for the sample. */
		if (n >= best_n) {
			best_n = n;
			map.median = d.map_ns.median;
			unmap.median = d.unmap_ns.median;
		}
		map.p99 = d.map_ns.p99 > map.p99 ? d.map_ns.p99 : map.p99;
		map.max = d.map_ns.max > map.max ? d.map_ns.max : map.max;
		unmap.p99 = d.unmap_ns.p99 > unmap.p99 ? d.unmap_ns.p99 : unmap.p99;
		unmap.max = d.unmap_ns.max > unmap.max ? d.unmap_ns.max : unmap.max;
	}
	flb_job_metric(job, "unmap_ns", (double)unmap.median, "ns", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "unmap_p99_ns", (double)unmap.p99, "ns", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "unmap_max_ns", (double)unmap.max, "ns", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "map_ns", (double)map.median, "ns", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "map_p99_ns", (double)map.p99, "ns", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "map_max_ns", (double)map.max, "ns", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "pairs", (double)pairs, "ops", FLB_HIGHER_IS_BETTER);
	flb_job_metric(job, "kthreads", (double)s->threads, "", FLB_HIGHER_IS_BETTER);
	if (s->p.mode == FLB_DMA_SG)
		flb_job_metric(job, "nents", (double)nents, "", FLB_LOWER_IS_BETTER);
	/* the domain as a code, and by name: a change shows as rows only on one side */
	flb_job_metric(job, "domain", (double)domain, "", FLB_LOWER_IS_BETTER);
	if (*done) {
		char name[48];

		snprintf(name, sizeof(name), "domain_%s", domain_name(domain));
		flb_job_metric(job, name, 1, "", FLB_HIGHER_IS_BETTER);
	}
	if (*done && domain != s->domain) {
		flb_job_reason(job, "iommu: the domain of %s changed during the job: %s at setup, "
			      "%s now", s->bdf, domain_name(s->domain), domain_name(domain));
		return FLB_UNTRUSTWORTHY;
	}
	return FLB_OK;
}

const struct flb_workload flb_wl_iommu = {
	.version = FLB_WORKLOAD_VERSION,
	.name = "iommu",
	.summary = "dma_map/dma_unmap through an IOMMU: strict vs lazy (DMA-FQ) unmap (kmod)",
	.params_size = sizeof(struct iommu_params),
	.options = iommu_options,
	.primary = "unmap_ns",
	.setup = iommu_setup,
	.run = iommu_run,
	.teardown = iommu_teardown,
	.presample = iommu_presample,
};
