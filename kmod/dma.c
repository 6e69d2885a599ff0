// SPDX-License-Identifier: GPL-2.0
/*
 * The IOMMU part of flushbench.ko: a PCI driver ("flushbench") and the
 * two commands that use the devices it binds.
 *
 * FLB_IOC_DMA times dma_map and dma_unmap, the path every DMA unmap of a
 * driver takes: in a strict domain (sysfs type "DMA") iommu_dma_unmap_page
 * -> __iommu_dma_unmap() clears the IOPTEs with iommu_unmap_fast() and
 * waits for the IOTLB invalidation in iommu_iotlb_sync() (arm-smmu-v3:
 * TLBI commands on the command queue, then CMD_SYNC; intel-iommu: a queued
 * IOTLB invalidation and its wait descriptor); in a lazy one ("DMA-FQ")
 * the IOVA goes to the flush queue and the invalidation runs later,
 * batched, from the queue's timer. K kernel threads, one per CPU, do it at
 * once to show the command queue's contention.
 *
 * FLB_IOC_DMA_CHECK asks QEMU's edu device (1234:11e8) to read a page
 * through an IOVA before and after that IOVA is pointed at another page,
 * with the same unmap + sync as __iommu_dma_unmap() in between: the old
 * page's data the second time is a stale IOTLB entry. unsafe_skip_inv
 * leaves the sync out (until after the read) to show the check can fail.
 *
 * Any other PCI device can be timed (not checked) by handing it to the
 * driver with driver_override, as the kernel's dma_map_benchmark is used
 * (docs/iommu.md). One mutex orders binding, unbinding and the commands.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "flb_internal.h"

/* QEMU's hw/misc/edu.c */
#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_IDENT		0x00	/* 0xRRrr00ed */
#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_CNT		0x90
#define EDU_DMA_CMD		0x98
#define EDU_DMA_RUN		0x1
#define EDU_DMA_TO_RAM		0x2	/* direction: edu's buffer to RAM */
#define EDU_BUF			0x40000	/* its 4 KiB DMA buffer, device side */
/*
 * Bytes moved per DMA. QEMU 7.2's edu_check_range() wants the range's end
 * strictly inside the buffer (a full 4096 is refused) and answers a
 * refused range with hw_error(), which aborts QEMU: stay well inside.
 */
#define EDU_DMA_BYTES		2048
#define EDU_DMA_BITS		28	/* edu masks DMA addresses to 28 bits */
#define EDU_DMA_TIMEOUT		(10 * HZ)	/* a DMA takes 100 ms of virtual time */

static bool unsafe_skip_inv;
module_param(unsafe_skip_inv, bool, 0644);
MODULE_PARM_DESC(unsafe_skip_inv,
		 "debug: FLB_IOC_DMA_CHECK leaves out the IOTLB invalidation, so it must fail");

struct flb_dma_dev {
	struct list_head node;
	struct pci_dev *pdev;
	void __iomem *mmio;	/* edu's BAR 0; NULL: no DMA engine we know */
	u64 mask;		/* the DMA mask set at probe */
};

static LIST_HEAD(flb_dma_devs);
static DEFINE_MUTEX(flb_dma_lock);	/* the list, and every command */

static u64 flb_dma_domain(struct device *dev)
{
	struct iommu_domain *dom = iommu_get_domain_for_dev(dev);

	if (!dom)
		return FLB_DMA_DIRECT;
	switch (dom->type) {
	case IOMMU_DOMAIN_IDENTITY:
		return FLB_DMA_IDENTITY;
	case IOMMU_DOMAIN_DMA:
		return FLB_DMA_STRICT;
	case IOMMU_DOMAIN_DMA_FQ:
		return FLB_DMA_LAZY;
	default:
		return FLB_DMA_OTHER;
	}
}

static const char *flb_dma_domain_name(u64 domain)
{
	static const char *const names[] = {
		"?", "direct", "identity", "DMA (strict)", "DMA-FQ (lazy)", "other"
	};

	return domain < ARRAY_SIZE(names) ? names[domain] : "?";
}

/* The index-th bound device; under flb_dma_lock. */
static struct flb_dma_dev *flb_dma_find(u64 index)
{
	struct flb_dma_dev *d;

	list_for_each_entry(d, &flb_dma_devs, node)
		if (!index--)
			return d;
	return NULL;
}

static void flb_dma_ids(struct flb_dma_dev *d, __u64 *bdf, __u64 *group)
{
	struct iommu_group *g = iommu_group_get(&d->pdev->dev);

	*bdf = (u64)pci_domain_nr(d->pdev->bus) << 16 |
	       (u64)d->pdev->bus->number << 8 | d->pdev->devfn;
	*group = FLB_DMA_NO_GROUP;
	if (g) {
		*group = iommu_group_id(g);
		iommu_group_put(g);
	}
}

/* ---- FLB_IOC_DMA ---- */

struct flb_dma_run;

struct flb_dma_thread {
	struct flb_dma_run *run;
	struct task_struct *task;
	struct page *page;		/* single: 2^order contiguous pages */
	struct page **pages;		/* sg: npages pages */
	struct scatterlist *sg;		/* sg: batch tables of npages entries */
	dma_addr_t *addr;		/* single: batch handles */
	u64 *map_ns, *unmap_ns;		/* per batch: ns per operation */
	u64 nb, ops, nents, end;
	int err;
};

struct flb_dma_run {
	const struct flb_dma *d;
	struct device *dev;
	unsigned long npages;
	atomic_t arrived, remaining;
	struct completion go, done;
	bool abort;
};

/* Map the j-th mapping of a batch: 0 or -ENOMEM. */
static int flb_dma_map(struct flb_dma_thread *th, u64 j)
{
	struct flb_dma_run *run = th->run;
	int n;

	if (run->d->mode == FLB_DMA_SINGLE) {
		th->addr[j] = dma_map_page(run->dev, th->page, 0, run->d->bytes,
					   DMA_TO_DEVICE);
		return dma_mapping_error(run->dev, th->addr[j]) ? -ENOMEM : 0;
	}
	n = dma_map_sg(run->dev, th->sg + j * run->npages, run->npages,
		       DMA_TO_DEVICE);
	if (!n)
		return -ENOMEM;
	th->nents = n;
	return 0;
}

static void flb_dma_unmap(struct flb_dma_thread *th, u64 j)
{
	struct flb_dma_run *run = th->run;

	if (run->d->mode == FLB_DMA_SINGLE)
		dma_unmap_page(run->dev, th->addr[j], run->d->bytes, DMA_TO_DEVICE);
	else
		dma_unmap_sg(run->dev, th->sg + j * run->npages, run->npages,
			     DMA_TO_DEVICE);
}

/*
 * K mappings of the thread's buffer between two clock reads, then their K
 * unmaps between two more. The threads start together: the last to
 * arrive releases the others.
 */
static int flb_dma_thread_fn(void *arg)
{
	struct flb_dma_thread *th = arg;
	struct flb_dma_run *run = th->run;
	const struct flb_dma *d = run->d;
	u64 done = 0, k, j, m, t0, t1, t2;
	int ret = 0;

	if (atomic_dec_and_test(&run->arrived))
		complete_all(&run->go);
	else
		wait_for_completion(&run->go);
	while (done < d->iterations && !READ_ONCE(run->abort)) {
		k = min(d->batch, d->iterations - done);
		t0 = ktime_get_ns();
		for (m = 0; m < k; m++) {
			ret = flb_dma_map(th, m);
			if (ret)
				break;
		}
		t1 = ktime_get_ns();
		for (j = 0; j < m; j++)
			flb_dma_unmap(th, j);
		t2 = ktime_get_ns();
		if (ret) {
			th->err = ret;
			break;
		}
		th->map_ns[th->nb] = div64_u64(t1 - t0, k);
		th->unmap_ns[th->nb] = div64_u64(t2 - t1, k);
		th->nb++;
		done += k;
		cond_resched();
	}
	th->ops = done;
	th->end = ktime_get_ns();
	if (atomic_dec_and_test(&run->remaining))
		complete(&run->done);
	return 0;
}

static void flb_dma_thread_free(struct flb_dma_thread *th, const struct flb_dma *d,
				unsigned long npages)
{
	unsigned long i;

	if (th->page)
		__free_pages(th->page, get_order(d->bytes));
	if (th->pages)
		for (i = 0; i < npages && th->pages[i]; i++)
			__free_page(th->pages[i]);
	kvfree(th->pages);
	kvfree(th->sg);
	kvfree(th->addr);
	kvfree(th->map_ns);
	kvfree(th->unmap_ns);
}

static int flb_dma_thread_alloc(struct flb_dma_thread *th, const struct flb_dma *d,
				unsigned long npages)
{
	u64 nbatches = div64_u64(d->iterations + d->batch - 1, d->batch);
	unsigned long i, j;

	th->map_ns = kvmalloc_array(nbatches, sizeof(u64), GFP_KERNEL);
	th->unmap_ns = kvmalloc_array(nbatches, sizeof(u64), GFP_KERNEL);
	if (!th->map_ns || !th->unmap_ns)
		return -ENOMEM;
	if (d->mode == FLB_DMA_SINGLE) {
		th->page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, get_order(d->bytes));
		th->addr = kvmalloc_array(d->batch, sizeof(dma_addr_t), GFP_KERNEL);
		return th->page && th->addr ? 0 : -ENOMEM;
	}
	th->pages = kvcalloc(npages, sizeof(*th->pages), GFP_KERNEL);
	th->sg = kvmalloc_array(d->batch * npages, sizeof(*th->sg), GFP_KERNEL);
	if (!th->pages || !th->sg)
		return -ENOMEM;
	for (i = 0; i < npages; i++) {
		th->pages[i] = alloc_page(GFP_KERNEL);
		if (!th->pages[i])
			return -ENOMEM;
	}
	for (j = 0; j < d->batch; j++) {
		struct scatterlist *sg = th->sg + j * npages;

		sg_init_table(sg, npages);
		for (i = 0; i < npages; i++)
			sg_set_page(&sg[i], th->pages[i], PAGE_SIZE, 0);
	}
	return 0;
}

static int flb_dma_check_args(const struct flb_dma *d)
{
	if (!flb_all_zero(d->reserved, ARRAY_SIZE(d->reserved)) || d->flags)
		return -EINVAL;
	if (d->mode > FLB_DMA_SG || !d->bytes || d->bytes % PAGE_SIZE ||
	    !d->iterations || !d->batch || !d->threads)
		return -EINVAL;
	if (d->bytes > FLB_MAX_DMA_BYTES || d->iterations > FLB_MAX_DMA_ITERATIONS ||
	    d->batch > FLB_MAX_DMA_BATCH || d->threads > FLB_MAX_DMA_THREADS)
		return -E2BIG;
	if (d->threads > num_online_cpus())
		return -EINVAL;
	return 0;
}

/* Every thread's batches, in one sorted array each for map and unmap. */
static long flb_dma_fill(struct flb_dma *d, struct flb_dma_thread *th)
{
	u64 *map, *unmap, n = 0, i, j;

	for (i = 0; i < d->threads; i++)
		n += th[i].nb;
	d->batches = n;
	if (!n)
		return 0;
	map = kvmalloc_array(n, sizeof(u64), GFP_KERNEL);
	unmap = kvmalloc_array(n, sizeof(u64), GFP_KERNEL);
	if (!map || !unmap) {
		kvfree(map);
		kvfree(unmap);
		return -ENOMEM;
	}
	for (n = 0, i = 0; i < d->threads; i++) {
		for (j = 0; j < th[i].nb; j++, n++) {
			map[n] = th[i].map_ns[j];
			unmap[n] = th[i].unmap_ns[j];
		}
	}
	flb_lat_fill(&d->map_ns, map, n);
	flb_lat_fill(&d->unmap_ns, unmap, n);
	kvfree(map);
	kvfree(unmap);
	return 0;
}

static long flb_dma_run_threads(struct flb_dma *d, struct flb_dma_dev *dd)
{
	struct flb_dma_run run = { .d = d, .dev = &dd->pdev->dev };
	struct flb_dma_thread *th;
	unsigned int i, cpu;
	u64 start;
	long ret = 0;

	run.npages = d->bytes >> PAGE_SHIFT;
	atomic_set(&run.arrived, d->threads);
	atomic_set(&run.remaining, d->threads);
	init_completion(&run.go);
	init_completion(&run.done);
	th = kcalloc(d->threads, sizeof(*th), GFP_KERNEL);
	if (!th)
		return -ENOMEM;

	cpu = cpumask_first(cpu_online_mask);
	for (i = 0; i < d->threads; i++) {
		th[i].run = &run;
		ret = flb_dma_thread_alloc(&th[i], d, run.npages);
		if (ret)
			goto out;
		th[i].task = kthread_create(flb_dma_thread_fn, &th[i], "flb_dma/%u", i);
		if (IS_ERR(th[i].task)) {
			ret = PTR_ERR(th[i].task);
			th[i].task = NULL;
			goto out;
		}
		get_task_struct(th[i].task);
		kthread_bind(th[i].task, cpu);
		cpu = cpumask_next(cpu, cpu_online_mask);
	}

	start = ktime_get_ns();
	for (i = 0; i < d->threads; i++)
		wake_up_process(th[i].task);
	if (wait_for_completion_interruptible(&run.done)) {
		/* each thread stops after its batch: at most FLB_MAX_DMA_BATCH pairs */
		WRITE_ONCE(run.abort, true);
		ret = -EINTR;
		wait_for_completion(&run.done);
	}
	for (i = 0; i < d->threads; i++) {
		d->ops += th[i].ops;
		d->total_ns = max(d->total_ns, th[i].end - start);
		d->nents = max_t(u64, d->nents, th[i].nents);
		if (th[i].err && !ret)
			ret = th[i].err;
	}
	if (!ret)
		ret = flb_dma_fill(d, th);
out:
	for (i = 0; i < d->threads; i++) {
		if (th[i].task) {
			kthread_stop(th[i].task);
			put_task_struct(th[i].task);
		}
		flb_dma_thread_free(&th[i], d, run.npages);
	}
	kfree(th);
	return ret;
}

long flb_cmd_dma(struct flb_dma *d)
{
	struct flb_dma_dev *dd;
	long ret;

	ret = flb_dma_check_args(d);
	if (ret)
		return ret;
	memset(&d->out, 0, sizeof(d->out));
	mutex_lock(&flb_dma_lock);
	dd = flb_dma_find(d->device);
	if (!dd) {
		ret = -ENODEV;
		goto out;
	}
	d->domain = flb_dma_domain(&dd->pdev->dev);
	flb_dma_ids(dd, &d->bdf, &d->group);
	ret = flb_dma_run_threads(d, dd);
out:
	mutex_unlock(&flb_dma_lock);
	return ret;
}

/* ---- FLB_IOC_DMA_CHECK ---- */

/* One DMA of edu, waited for: a running DMA must not lose its pages. */
static int flb_edu_dma(struct flb_dma_dev *dd, u64 src, u64 dst, u32 cmd)
{
	unsigned long end = jiffies + EDU_DMA_TIMEOUT;

	writel(lower_32_bits(src), dd->mmio + EDU_DMA_SRC);
	writel(lower_32_bits(dst), dd->mmio + EDU_DMA_DST);
	writel(EDU_DMA_BYTES, dd->mmio + EDU_DMA_CNT);
	writel(cmd | EDU_DMA_RUN, dd->mmio + EDU_DMA_CMD);
	while (readl(dd->mmio + EDU_DMA_CMD) & EDU_DMA_RUN) {
		if (time_after(jiffies, end))
			return -ETIMEDOUT;
		usleep_range(5000, 10000);
	}
	return 0;
}

/* edu reads a page at iova into its buffer and writes it to the page at out. */
static int flb_edu_copy(struct flb_dma_dev *dd, dma_addr_t iova, dma_addr_t out)
{
	int ret = flb_edu_dma(dd, iova, EDU_BUF, 0);

	return ret ? ret : flb_edu_dma(dd, EDU_BUF, out, EDU_DMA_TO_RAM);
}

static void flb_fill_page(struct page *p, u64 tag)
{
	u64 *w = page_address(p);
	unsigned int i;

	for (i = 0; i < PAGE_SIZE / sizeof(*w); i++)
		w[i] = tag | i;
}

static long flb_dma_check_run(struct flb_dma_check *c, struct flb_dma_dev *dd)
{
	struct device *dev = &dd->pdev->dev;
	struct iommu_domain *dom = iommu_get_domain_for_dev(dev);
	int prot = IOMMU_READ | (dev_is_dma_coherent(dev) ? IOMMU_CACHE : 0);
	bool skip = READ_ONCE(unsafe_skip_inv);
	struct iommu_iotlb_gather gather;
	struct page *a, *b, *r;
	dma_addr_t x, out;
	void *rv;
	u64 t0;
	long ret;

	a = alloc_page(GFP_KERNEL);
	b = alloc_page(GFP_KERNEL);
	r = alloc_page(GFP_KERNEL);
	if (!a || !b || !r) {
		ret = -ENOMEM;
		goto out_free;
	}
	flb_fill_page(a, 0xa0a0a0a000000000ULL);
	flb_fill_page(b, 0xb0b0b0b000000000ULL);
	rv = page_address(r);
	memset(rv, 0, PAGE_SIZE);
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(EDU_DMA_BITS));
	if (ret)
		goto out_free;
	out = dma_map_page(dev, r, 0, PAGE_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, out)) {
		ret = -ENOMEM;
		goto out_mask;
	}
	x = dma_map_page(dev, a, 0, PAGE_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, x)) {
		ret = -ENOMEM;
		goto out_unmap_out;
	}
	c->iova = x;
	c->expected = *(u64 *)page_address(b);
	t0 = ktime_get_ns();

	/* 1: the device reads A through x: the IOTLB now holds x -> A */
	ret = flb_edu_copy(dd, x, out);
	if (ret)
		goto out_timeout;
	dma_sync_single_for_cpu(dev, out, PAGE_SIZE, DMA_FROM_DEVICE);
	if (memcmp(rv, page_address(a), EDU_DMA_BYTES)) {
		pr_err("%s: check: the first DMA did not return page A (word 0 %llx)\n",
		       pci_name(dd->pdev), *(u64 *)rv);
		ret = -EIO;
		goto out_unmap;
	}
	memset(rv, 0, PAGE_SIZE);
	dma_sync_single_for_device(dev, out, PAGE_SIZE, DMA_FROM_DEVICE);

	/* 2: x -> B, unmapped as __iommu_dma_unmap() does in a strict domain */
	iommu_iotlb_gather_init(&gather);
	if (iommu_unmap_fast(dom, x, PAGE_SIZE, &gather) != PAGE_SIZE) {
		ret = -EIO;
		goto out_unmap;
	}
	if (!skip)
		iommu_iotlb_sync(dom, &gather);
	ret = iommu_map(dom, x, page_to_phys(b), PAGE_SIZE, prot);
	if (ret) {
		if (skip)
			iommu_iotlb_sync(dom, &gather);
		/* dma_unmap_page() of an unmapped IOVA WARNs: x stays allocated */
		dev_err(dev, "check: iommu_map of IOVA %pad failed: %ld\n", &x, ret);
		goto out_unmap_out;
	}

	/* 3: the device reads x again */
	ret = flb_edu_copy(dd, x, out);
	if (skip)
		iommu_iotlb_sync(dom, &gather);
	if (ret)
		goto out_timeout;
	c->dma_ns = ktime_get_ns() - t0;
	dma_sync_single_for_cpu(dev, out, PAGE_SIZE, DMA_FROM_DEVICE);
	c->seen = *(u64 *)rv;
	if (!memcmp(rv, page_address(b), EDU_DMA_BYTES)) {
		c->result = FLB_DMA_CHECK_PASS;
	} else if (!memcmp(rv, page_address(a), EDU_DMA_BYTES)) {
		c->result = FLB_DMA_CHECK_STALE;
		dev_warn(dev, "check: the device read the old page through IOVA %pad%s\n",
			 &x, skip ? " (unsafe_skip_inv is set)" : "");
	} else {
		pr_err("%s: check: the second DMA returned neither page (word 0 %llx)\n",
		       pci_name(dd->pdev), c->seen);
		ret = -EIO;
	}
out_unmap:
	dma_unmap_page(dev, x, PAGE_SIZE, DMA_TO_DEVICE);
out_unmap_out:
	dma_unmap_page(dev, out, PAGE_SIZE, DMA_FROM_DEVICE);
out_mask:
	dma_set_mask_and_coherent(dev, dd->mask);
out_free:
	if (a)
		__free_page(a);
	if (b)
		__free_page(b);
	if (r)
		__free_page(r);
	return ret;

out_timeout:
	/* the device may still write: its pages and mappings stay, leaked */
	dev_err(dev, "check: edu's DMA did not finish in %u s; its pages are leaked\n",
		EDU_DMA_TIMEOUT / HZ);
	dma_set_mask_and_coherent(dev, dd->mask);
	return ret;
}

long flb_cmd_dma_check(struct flb_dma_check *c)
{
	struct flb_dma_dev *dd;
	long ret = 0;

	if (!flb_all_zero(c->reserved, ARRAY_SIZE(c->reserved)) || c->flags)
		return -EINVAL;
	memset(&c->out, 0, sizeof(c->out));
	mutex_lock(&flb_dma_lock);
	dd = flb_dma_find(c->device);
	if (!dd) {
		ret = -ENODEV;
		goto out;
	}
	c->domain = flb_dma_domain(&dd->pdev->dev);
	c->skipped_inv = READ_ONCE(unsafe_skip_inv);
	if (!dd->mmio)
		c->result = FLB_DMA_CHECK_NO_ENGINE;
	else if (c->domain != FLB_DMA_STRICT && c->domain != FLB_DMA_LAZY)
		c->result = FLB_DMA_CHECK_NO_XLATE;
	else
		ret = flb_dma_check_run(c, dd);
out:
	mutex_unlock(&flb_dma_lock);
	return ret;
}

/* ---- the PCI driver ---- */

static bool flb_is_edu(struct pci_dev *pdev)
{
	return pdev->vendor == EDU_VENDOR && pdev->device == EDU_DEVICE;
}

static int flb_dma_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct flb_dma_dev *dd;
	u32 ident;
	int ret;

	dd = kzalloc(sizeof(*dd), GFP_KERNEL);
	if (!dd)
		return -ENOMEM;
	dd->pdev = pdev;
	ret = pci_enable_device(pdev);
	if (ret)
		goto err_free;
	if (flb_is_edu(pdev)) {
		ret = pci_request_region(pdev, 0, KBUILD_MODNAME);
		if (ret)
			goto err_disable;
		dd->mmio = pci_iomap(pdev, 0, 0);
		if (!dd->mmio) {
			ret = -ENOMEM;
			goto err_release;
		}
		ident = readl(dd->mmio + EDU_IDENT);
		if ((ident & 0xff) != 0xed) {
			dev_err(&pdev->dev, "not QEMU's edu: ident %08x\n", ident);
			ret = -ENODEV;
			goto err_unmap;
		}
		pci_set_master(pdev);
	}
	dd->mask = DMA_BIT_MASK(64);
	ret = dma_set_mask_and_coherent(&pdev->dev, dd->mask);
	if (ret) {
		dd->mask = DMA_BIT_MASK(32);
		ret = dma_set_mask_and_coherent(&pdev->dev, dd->mask);
	}
	if (ret)
		goto err_master;
	pci_set_drvdata(pdev, dd);
	mutex_lock(&flb_dma_lock);
	list_add_tail(&dd->node, &flb_dma_devs);
	mutex_unlock(&flb_dma_lock);
	dev_info(&pdev->dev, "bound: %s, DMA domain %s\n",
		 dd->mmio ? "edu, the stale-IOTLB check can run" : "timing only",
		 flb_dma_domain_name(flb_dma_domain(&pdev->dev)));
	return 0;

err_master:
	if (dd->mmio)
		pci_clear_master(pdev);
err_unmap:
	if (dd->mmio)
		pci_iounmap(pdev, dd->mmio);
err_release:
	if (flb_is_edu(pdev))
		pci_release_region(pdev, 0);
err_disable:
	pci_disable_device(pdev);
err_free:
	kfree(dd);
	return ret;
}

static void flb_dma_remove(struct pci_dev *pdev)
{
	struct flb_dma_dev *dd = pci_get_drvdata(pdev);

	/* waits for a command on any device to finish */
	mutex_lock(&flb_dma_lock);
	list_del(&dd->node);
	mutex_unlock(&flb_dma_lock);
	if (dd->mmio) {
		pci_clear_master(pdev);
		pci_iounmap(pdev, dd->mmio);
		pci_release_region(pdev, 0);
	}
	pci_disable_device(pdev);
	kfree(dd);
}

static const struct pci_device_id flb_dma_ids_table[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, flb_dma_ids_table);

static struct pci_driver flb_dma_driver = {
	.name = KBUILD_MODNAME,
	.id_table = flb_dma_ids_table,
	.probe = flb_dma_probe,
	.remove = flb_dma_remove,
};

int flb_dma_init(void)
{
	return pci_register_driver(&flb_dma_driver);
}

void flb_dma_exit(void)
{
	pci_unregister_driver(&flb_dma_driver);
}
