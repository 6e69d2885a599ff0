// SPDX-License-Identifier: GPL-2.0
/*
 * The iommu workload against a fake module and a fake sysfs: this program
 * defines open, read, write, close, access and ioctl (the link picks the
 * executable's definitions over libc's), answers /dev/flushbench's
 * FLB_IOC_INFO, FLB_IOC_DMA and FLB_IOC_DMA_CHECK from a model of bound
 * devices, and plays the PCI driver's bind/unbind and the group's `type`
 * the way Linux 6.1 does (a type change only while unbound). Everything
 * else goes to the kernel. The real module is tested in the guests
 * (tests/kmod/); this covers the paths a host without one never reaches:
 * the skip reasons, the domain switch and its restore, the check's
 * verdicts, and how ops become FLB_IOC_DMA calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include "flushbench_uapi.h"
#include "job.h"
#include "workload.h"

/* ---- the fake ---- */

#define NDEV 2

struct fdev {
	uint64_t bdf;
	uint64_t group;		/* FLB_DMA_NO_GROUP: direct */
	char type[16];		/* its group's sysfs type */
	bool bound;
	unsigned int order;	/* bind order: the ioctl's device index */
};

enum ffile { F_NONE, F_DEV, F_UNBIND, F_BIND, F_TYPE };

static struct {
	bool loaded;
	struct fdev dev[NDEV];
	unsigned int ndev, next_order;
	const char *refuse;		/* a type the kernel refuses (EINVAL) */
	bool lie;			/* the module reports strict whatever the type */
	uint64_t check;			/* FLB_DMA_CHECK_* to answer */
	enum ffile fds[1024];
	int type_of[1024];		/* F_TYPE: which device */
	char log[512];			/* "unbind 0000:00:03.0;type DMA-FQ;bind ...;" */
	uint64_t calls, iters, last_threads, last_batch, last_device;
} fk;

static void fake_reset(void)
{
	memset(&fk, 0, sizeof(fk));
	fk.loaded = true;
	fk.check = FLB_DMA_CHECK_PASS;
}

static void fake_add(uint64_t bdf, uint64_t group, const char *type)
{
	struct fdev *d = &fk.dev[fk.ndev++];

	d->bdf = bdf;
	d->group = group;
	snprintf(d->type, sizeof(d->type), "%s", type);
	d->bound = true;
	d->order = fk.next_order++;
}

static void bdf_str(uint64_t bdf, char *buf, size_t len)
{
	snprintf(buf, len, "%04llx:%02llx:%02llx.%llx", (unsigned long long)(bdf >> 16),
		 (unsigned long long)((bdf >> 8) & 0xff), (unsigned long long)((bdf >> 3) & 0x1f),
		 (unsigned long long)(bdf & 7));
}

static int find_bdf(const char *s, size_t len)
{
	char b[32];

	for (unsigned int i = 0; i < fk.ndev; i++) {
		bdf_str(fk.dev[i].bdf, b, sizeof(b));
		if (strlen(b) == len && !strncmp(b, s, len))
			return (int)i;
	}
	return -1;
}

/* The fake file of path: its kind, and the device of a type file. */
static enum ffile fake_file(const char *path, int *dev)
{
	static const char drv[] = "/sys/bus/pci/drivers/flushbench/";
	static const char devs[] = "/sys/bus/pci/devices/";
	const char *p;

	if (!strcmp(path, FLB_DEVICE_PATH))
		return F_DEV;
	if (!strncmp(path, drv, sizeof(drv) - 1)) {
		p = path + sizeof(drv) - 1;
		if (!strcmp(p, "unbind"))
			return F_UNBIND;
		if (!strcmp(p, "bind"))
			return F_BIND;
		*dev = find_bdf(p, strlen(p));
		return *dev >= 0 && fk.dev[*dev].bound ? F_TYPE : F_NONE;
	}
	if (!strncmp(path, devs, sizeof(devs) - 1)) {
		p = path + sizeof(devs) - 1;
		*dev = find_bdf(p, strcspn(p, "/"));
		if (*dev >= 0 && fk.dev[*dev].group != FLB_DMA_NO_GROUP &&
		    !strcmp(p + strcspn(p, "/"), "/iommu_group/type"))
			return F_TYPE;
	}
	return F_NONE;
}

static bool is_fake_path(const char *path)
{
	return !strcmp(path, FLB_DEVICE_PATH) || !strncmp(path, "/sys/bus/pci/", 13);
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	int mode, fd, dev = -1;
	enum ffile f;

	va_start(ap, flags);
	mode = va_arg(ap, int);
	va_end(ap);
	if (!is_fake_path(path))
		return (int)syscall(SYS_openat, AT_FDCWD, path, flags, mode);
	f = fake_file(path, &dev);
	if (f == F_NONE || (f == F_DEV && !fk.loaded)) {
		errno = ENOENT;
		return -1;
	}
	fd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDWR | O_CLOEXEC, 0);
	if (fd >= 0 && fd < 1024) {
		fk.fds[fd] = f;
		fk.type_of[fd] = dev;
	}
	return fd;
}

int access(const char *path, int how)
{
	int dev;

	if (!is_fake_path(path))
		return (int)syscall(SYS_faccessat, AT_FDCWD, path, how);
	if (fake_file(path, &dev) == F_NONE) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

int close(int fd)
{
	if (fd >= 0 && fd < 1024)
		fk.fds[fd] = F_NONE;
	return (int)syscall(SYS_close, fd);
}

ssize_t read(int fd, void *buf, size_t len)
{
	if (fd >= 0 && fd < 1024 && fk.fds[fd] == F_TYPE) {
		int n = snprintf(buf, len, "%s\n", fk.dev[fk.type_of[fd]].type);

		return n < (int)len ? n : (ssize_t)len;
	}
	return syscall(SYS_read, fd, buf, len);
}

static void fk_log(const char *what, const char *text, size_t len)
{
	size_t o = strlen(fk.log);

	snprintf(fk.log + o, sizeof(fk.log) - o, "%s %.*s;", what, (int)len, text);
}

ssize_t write(int fd, const void *buf, size_t len)
{
	enum ffile f = fd >= 0 && fd < 1024 ? fk.fds[fd] : F_NONE;
	struct fdev *d;
	int i;

	switch (f) {
	case F_UNBIND:
	case F_BIND:
		fk_log(f == F_BIND ? "bind" : "unbind", buf, len);
		i = find_bdf(buf, len);
		if (i < 0 || fk.dev[i].bound == (f == F_BIND)) {
			errno = ENODEV;
			return -1;
		}
		fk.dev[i].bound = f == F_BIND;
		if (f == F_BIND)
			fk.dev[i].order = fk.next_order++;
		return (ssize_t)len;
	case F_TYPE:
		fk_log("type", buf, len);
		d = &fk.dev[fk.type_of[fd]];
		if (d->bound) {
			errno = EBUSY;
			return -1;
		}
		if (fk.refuse && strlen(fk.refuse) == len && !strncmp(buf, fk.refuse, len)) {
			errno = EINVAL;
			return -1;
		}
		snprintf(d->type, sizeof(d->type), "%.*s", (int)len, (const char *)buf);
		return (ssize_t)len;
	default:
		return syscall(SYS_write, fd, buf, len);
	}
}

/* The bound device of index i (bind order), or NULL. */
static struct fdev *bound(uint64_t i)
{
	struct fdev *by[NDEV];
	unsigned int n = 0;

	for (unsigned int k = 0; k < fk.ndev; k++)
		if (fk.dev[k].bound)
			by[n++] = &fk.dev[k];
	for (unsigned int a = 0; a < n; a++)
		for (unsigned int b = a + 1; b < n; b++)
			if (by[b]->order < by[a]->order) {
				struct fdev *t = by[a];

				by[a] = by[b];
				by[b] = t;
			}
	return i < n ? by[i] : NULL;
}

static uint64_t domain_of(const struct fdev *d)
{
	if (d->group == FLB_DMA_NO_GROUP)
		return FLB_DMA_DIRECT;
	if (fk.lie || !strcmp(d->type, "DMA"))
		return FLB_DMA_STRICT;
	if (!strcmp(d->type, "DMA-FQ"))
		return FLB_DMA_LAZY;
	return !strcmp(d->type, "identity") ? FLB_DMA_IDENTITY : FLB_DMA_OTHER;
}

int ioctl(int fd, unsigned long req, ...)
{
	struct flb_dma_check *c;
	struct flb_info *in;
	struct flb_dma *d;
	struct fdev *dev;
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd < 0 || fd >= 1024 || fk.fds[fd] != F_DEV)
		return (int)syscall(SYS_ioctl, fd, req, arg);
	switch (req) {
	case FLB_IOC_INFO:
		in = arg;
		in->ncpus = 4;
		in->page_size = 4096;
		return 0;
	case FLB_IOC_DMA:
		d = arg;
		dev = bound(d->device);
		if (!dev) {
			errno = ENODEV;
			return -1;
		}
		if (d->batch > d->iterations || d->threads > 4 || d->bytes % 4096) {
			errno = EINVAL;
			return -1;
		}
		fk.calls++;
		fk.iters += d->iterations;
		fk.last_threads = d->threads;
		fk.last_batch = d->batch;
		fk.last_device = d->device;
		d->map_ns = (struct flb_lat){ 50, 100, 150, 300 };
		d->unmap_ns = (struct flb_lat){ 100, 200, 400, 900 };
		d->ops = d->iterations * d->threads;
		d->domain = domain_of(dev);
		d->bdf = dev->bdf;
		d->group = dev->group;
		d->nents = 1;
		return 0;
	case FLB_IOC_DMA_CHECK:
		c = arg;
		if (!bound(c->device)) {
			errno = ENODEV;
			return -1;
		}
		c->result = fk.check;
		c->domain = domain_of(bound(c->device));
		c->iova = 0xfffff000;
		c->expected = 0xb0b0;
		c->seen = fk.check == FLB_DMA_CHECK_STALE ? 0xa0a0 : 0xb0b0;
		c->dma_ns = 400000000;
		return 0;
	}
	errno = ENOTTY;
	return -1;
}

/* ---- driving the workload as the worker does ---- */

#define BDF0 0x0018	/* 0000:00:03.0 */
#define BDF1 0x0020	/* 0000:00:04.0 */

struct result {
	int setup, presample, run;	/* -1: not reached */
	uint64_t done;
	char reason[256];
	struct flb_metric m[FLB_MAX_METRICS];
	unsigned int nm;
};

static void drive(const char *overrides, uint64_t ops, struct result *r)
{
	const struct flb_workload *wl = flb_workload_find("iommu");
	void *params, *state = NULL;
	struct flb_job *job;
	char *list, *item, *save, why[256];

	assert_non_null(wl);
	params = calloc(1, wl->params_size);
	assert_non_null(params);
	for (const struct flb_option *o = wl->options; o->name; o++)
		assert_int_equal(flb_opt_parse(o, o->def, params, why, sizeof(why)), 0);
	list = strdup(overrides);
	for (item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		const struct flb_option *o;

		*eq = '\0';
		for (o = wl->options; o->name && strcmp(o->name, item); o++)
			;
		assert_non_null(o->name);
		assert_int_equal(flb_opt_parse(o, eq + 1, params, why, sizeof(why)), 0);
	}
	free(list);
	job = flb_job_new(wl, params, 1, NULL, NULL);
	assert_non_null(job);
	memset(r, 0, sizeof(*r));
	r->presample = r->run = -1;
	r->setup = wl->setup(job, params, &state);
	if (r->setup == FLB_OK) {
		flb_job_sample_reset(job);
		r->presample = wl->presample(job, state);
		if (r->presample == FLB_OK)
			r->run = wl->run(job, state, ops, &r->done);
		memcpy(r->m, job->metrics, sizeof(r->m));
		r->nm = job->nmetrics;
		wl->teardown(job, state);
	}
	snprintf(r->reason, sizeof(r->reason), "%s", job->reason);
	flb_job_free(job);
	free(params);
}

static double metric(const struct result *r, const char *name)
{
	for (unsigned int i = 0; i < r->nm; i++)
		if (!strcmp(r->m[i].name, name))
			return r->m[i].value;
	fail_msg("no metric %s", name);
	return -1;
}

static bool has_metric(const struct result *r, const char *name)
{
	for (unsigned int i = 0; i < r->nm; i++)
		if (!strcmp(r->m[i].name, name))
			return true;
	return false;
}

static void expect_reason(const struct result *r, const char *want)
{
	if (!strstr(r->reason, want))
		fail_msg("reason '%s' does not say '%s'", r->reason, want);
}

static void test_no_module(void **state)
{
	struct result r;

	(void)state;
	fake_reset();
	fk.loaded = false;
	drive("", 10, &r);
	assert_int_equal(r.setup, FLB_SKIP);
	assert_string_equal(r.reason, "kernel module not loaded");
}

static void test_no_device(void **state)
{
	struct result r;

	(void)state;
	fake_reset();
	drive("", 10, &r);
	assert_int_equal(r.setup, FLB_SKIP);
	expect_reason(&r, "no PCI device bound to flushbench: boot the guest with "
		      "flushbench vm --iommu smmuv3|intel|direct, or bind one through "
		      "driver_override (docs/iommu.md)");
	fake_add(BDF0, 1, "DMA");
	drive("device=1", 10, &r);
	assert_int_equal(r.setup, FLB_SKIP);
	expect_reason(&r, "device=1");
}

/* 100 ops at batch 32: 96 in batches of 32, then 4 timed as one batch. */
static void test_run_and_metrics(void **state)
{
	struct result r;

	(void)state;
	fake_reset();
	fake_add(BDF0, 1, "DMA");
	drive("batch=32", 100, &r);
	assert_int_equal(r.setup, FLB_OK);
	assert_int_equal(r.presample, FLB_OK);
	assert_int_equal(r.run, FLB_OK);
	assert_int_equal(r.done, 100);
	/* the setup probe, then 96 and 4 */
	assert_int_equal(fk.calls, 3);
	assert_int_equal(fk.iters, 1 + 100);
	assert_int_equal(fk.last_batch, 4);
	assert_int_equal(fk.last_threads, 1);
	assert_true(metric(&r, "check") == 1);
	assert_true(metric(&r, "unmap_ns") == 200);
	assert_true(metric(&r, "map_ns") == 100);
	assert_true(metric(&r, "unmap_p99_ns") == 400);
	assert_true(metric(&r, "unmap_max_ns") == 900);
	assert_true(metric(&r, "map_max_ns") == 300);
	assert_true(metric(&r, "pairs") == 100);
	assert_true(metric(&r, "domain") == FLB_DMA_STRICT);
	assert_true(metric(&r, "domain_strict") == 1);
	assert_false(has_metric(&r, "nents"));
	assert_string_equal(flb_workload_primary("iommu"), "unmap_ns");
	/* every online CPU; sg reports its segments */
	drive("kthreads=0,mode=sg,size=64K", 10, &r);
	assert_int_equal(r.run, FLB_OK);
	assert_int_equal(fk.last_threads, 4);
	assert_true(metric(&r, "pairs") == 40);
	assert_true(metric(&r, "nents") == 1);
	/* above the cap: whole batches of at most FLB_MAX_DMA_ITERATIONS */
	fk.calls = fk.iters = 0;
	drive("batch=256", FLB_MAX_DMA_ITERATIONS + 10, &r);
	assert_int_equal(r.run, FLB_OK);
	assert_int_equal(fk.iters, 1 + FLB_MAX_DMA_ITERATIONS + 10);
	assert_int_equal(fk.last_batch, 10);
}

static void test_kthreads_above_cpus(void **state)
{
	struct result r;

	(void)state;
	fake_reset();
	fake_add(BDF0, 1, "DMA");
	drive("kthreads=8", 10, &r);
	assert_int_equal(r.setup, FLB_SKIP);
	expect_reason(&r, "kthreads=8: this machine has 4 online CPUs");
}

static void test_check_verdicts(void **state)
{
	struct result r;

	(void)state;
	fake_reset();
	fake_add(BDF0, 1, "DMA");
	fk.check = FLB_DMA_CHECK_STALE;
	drive("", 10, &r);
	assert_int_equal(r.presample, FLB_FAIL);
	assert_int_equal(r.run, -1);
	expect_reason(&r, "IOVA 0xfffff000");
	expect_reason(&r, "expected 0xb0b0, seen 0xa0a0");
	assert_true(metric(&r, "check") == -1);
	fk.check = FLB_DMA_CHECK_NO_XLATE;
	drive("", 10, &r);
	assert_int_equal(r.presample, FLB_OK);
	assert_int_equal(r.run, FLB_OK);
	assert_true(metric(&r, "check") == 0);
	assert_true(metric(&r, "check_result") == FLB_DMA_CHECK_NO_XLATE);
	fk.check = FLB_DMA_CHECK_NO_ENGINE;
	drive("", 10, &r);
	assert_int_equal(r.run, FLB_OK);
	assert_true(metric(&r, "check") == 0);
	/* check=false: no FLB_IOC_DMA_CHECK, no check metric */
	fk.check = FLB_DMA_CHECK_STALE;
	drive("check=false", 10, &r);
	assert_int_equal(r.run, FLB_OK);
	assert_false(has_metric(&r, "check"));
}

/*
 * domain=lazy on a strict group: unbind, type, bind; the device is
 * bound last now (index 1), and teardown puts DMA back the same way.
 */
static void test_switch_and_restore(void **state)
{
	struct result r;

	(void)state;
	fake_reset();
	fake_add(BDF0, 1, "DMA");
	fake_add(BDF1, 2, "DMA");
	drive("domain=lazy", 10, &r);
	assert_int_equal(r.setup, FLB_OK);
	assert_int_equal(r.run, FLB_OK);
	assert_int_equal(fk.last_device, 1);
	assert_true(metric(&r, "domain") == FLB_DMA_LAZY);
	assert_true(metric(&r, "domain_lazy") == 1);
	assert_string_equal(fk.log, "unbind 0000:00:03.0;type DMA-FQ;bind 0000:00:03.0;"
			    "unbind 0000:00:03.0;type DMA;bind 0000:00:03.0;");
	assert_string_equal(fk.dev[0].type, "DMA");
	assert_true(fk.dev[0].bound);
	/* already what was asked: nothing written */
	fk.log[0] = '\0';
	drive("domain=strict", 10, &r);
	assert_int_equal(r.run, FLB_OK);
	assert_string_equal(fk.log, "");
}

static void test_switch_refused(void **state)
{
	struct result r;

	(void)state;
	fake_reset();
	fake_add(BDF0, 1, "DMA");
	fk.refuse = "DMA-FQ";
	drive("domain=lazy", 10, &r);
	assert_int_equal(r.setup, FLB_SKIP);
	expect_reason(&r, "domain=lazy: the kernel refused DMA-FQ: EINVAL");
	/* bound again, type unchanged, nothing put back */
	assert_string_equal(fk.log, "unbind 0000:00:03.0;type DMA-FQ;bind 0000:00:03.0;");
	assert_true(fk.dev[0].bound);
	assert_string_equal(fk.dev[0].type, "DMA");
}

static void test_switch_no_group(void **state)
{
	struct result r;

	(void)state;
	fake_reset();
	fake_add(BDF0, FLB_DMA_NO_GROUP, "");
	drive("domain=strict", 10, &r);
	assert_int_equal(r.setup, FLB_SKIP);
	expect_reason(&r, "domain=strict: the device 0000:00:03.0 has no IOMMU group "
		      "(no IOMMU translates it)");
	assert_string_equal(fk.log, "");
	/* asis runs on a direct device, its check not applicable */
	fk.check = FLB_DMA_CHECK_NO_XLATE;
	drive("", 10, &r);
	assert_int_equal(r.run, FLB_OK);
	assert_true(metric(&r, "domain_direct") == 1);
	assert_true(metric(&r, "check") == 0);
}

/* The module does not see the asked domain after the switch: fail, put back. */
static void test_switch_not_seen(void **state)
{
	struct result r;

	(void)state;
	fake_reset();
	fake_add(BDF0, 1, "DMA");
	fk.lie = true;
	drive("domain=lazy", 10, &r);
	assert_int_equal(r.setup, FLB_FAIL);
	expect_reason(&r, "the group of 0000:00:03.0 is DMA-FQ but the module sees a strict domain");
	assert_string_equal(fk.dev[0].type, "DMA");
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_module),
		cmocka_unit_test(test_no_device),
		cmocka_unit_test(test_run_and_metrics),
		cmocka_unit_test(test_kthreads_above_cpus),
		cmocka_unit_test(test_check_verdicts),
		cmocka_unit_test(test_switch_and_restore),
		cmocka_unit_test(test_switch_refused),
		cmocka_unit_test(test_switch_no_group),
		cmocka_unit_test(test_switch_not_seen),
	};

	return cmocka_run_group_tests_name("iommu", tests, NULL, NULL);
}
