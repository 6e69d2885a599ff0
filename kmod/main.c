// SPDX-License-Identifier: GPL-2.0
/*
 * flushbench.ko: the kernel half of flushbench. It measures, on a stock
 * kernel, two designs from linux-arm-kernel review threads:
 *  - arm64 "don't broadcast TLBI if the mm was only active on this CPU"
 *    (local vs broadcast invalidation, the tracking and its barriers), and
 *  - a memregion clean+invalidate provider (by range vs global, firmware
 *    BUSY/RATE_LIMITED retries, the global_flush_gen skip and its fix),
 *  - and the IOMMU's unmap path (dma.c: dma_map/unmap timing, strict vs
 *    lazy, a stale-IOTLB check with QEMU's edu device).
 * This file is the misc device and the ioctl path: copy in, check the
 * header word, dispatch, copy out. See docs/kmod.md.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "flb_arch.h"
#include "flb_internal.h"

bool flb_all_zero(const __u64 *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i])
			return false;
	return true;
}

int flb_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

void flb_lat_fill(struct flb_lat *lat, u64 *v, size_t n)
{
	sort(v, n, sizeof(*v), flb_cmp_u64, NULL);
	lat->min = v[0];
	lat->median = v[n / 2];
	lat->p99 = v[(n * 99) / 100];
	lat->max = v[n - 1];
}

static long flb_cmd_info(struct flb_info *in)
{
	if (!flb_all_zero(in->reserved, ARRAY_SIZE(in->reserved)))
		return -EINVAL;
	in->arch = flb_arch_id();
	in->caps = flb_arch_caps();
	in->caps |= FLB_CAP_SWITCH_TRACKER;
	if (flb_cycles_available())
		in->caps |= FLB_CAP_PMU_CYCLES;
	in->ncpus = num_online_cpus();
	in->cache_line = flb_arch_cache_line();
	in->counter_hz = flb_arch_counter_hz();
	in->page_size = PAGE_SIZE;
	in->hypervisor = flb_arch_hypervisor();
	return 0;
}

/*
 * The same for the runner's environment of every run (bench/env.c reads
 * /sys/module/flushbench/parameters/hypervisor): none, kvm, other, unknown.
 */
static int flb_hyp_get(char *buf, const struct kernel_param *kp)
{
	static const char *const names[] = { "?", "none", "kvm", "other", "unknown" };
	u64 h = flb_arch_hypervisor();

	return sysfs_emit(buf, "%s\n", h < ARRAY_SIZE(names) ? names[h] : "?");
}

static const struct kernel_param_ops flb_hyp_ops = { .get = flb_hyp_get };
module_param_cb(hypervisor, &flb_hyp_ops, NULL, 0444);
MODULE_PARM_DESC(hypervisor, "what runs below the kernel: none, kvm, other, unknown");

/*
 * The clock batched timing uses by default (clock_req 0), for the
 * runner's environment (kmod.clock): pmu-cycles, cntvct or tsc.
 */
static int flb_clock_get(char *buf, const struct kernel_param *kp)
{
	if (flb_arch_prefer_pmu() && flb_cycles_available())
		return sysfs_emit(buf, "pmu-cycles\n");
	return sysfs_emit(buf, "%s\n",
			  flb_arch_clock() == FLB_CLOCK_TSC ? "tsc" : "cntvct");
}

static const struct kernel_param_ops flb_clock_ops = { .get = flb_clock_get };
module_param_cb(clock, &flb_clock_ops, NULL, 0444);
MODULE_PARM_DESC(clock, "the clock of batched timing: pmu-cycles, cntvct or tsc");

static int flb_open(struct inode *inode, struct file *file)
{
	struct flb_file *ff = kzalloc(sizeof(*ff), GFP_KERNEL);

	if (!ff)
		return -ENOMEM;
	mutex_init(&ff->lock);
	file->private_data = ff;
	return 0;
}

static int flb_release(struct inode *inode, struct file *file)
{
	struct flb_file *ff = file->private_data;

	vfree(ff->buf);
	mutex_destroy(&ff->lock);
	kfree(ff);
	return 0;
}

static long flb_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	size_t size = _IOC_SIZE(cmd);
	struct flb_hdr *hdr;
	long ret;

	switch (cmd) {
	case FLB_IOC_INFO:
	case FLB_IOC_TLBI:
	case FLB_IOC_MEMREGION:
	case FLB_IOC_RACE:
	case FLB_IOC_DMA:
	case FLB_IOC_DMA_CHECK:
		break;
	default:
		return -ENOTTY;
	}
	hdr = memdup_user(uarg, size);
	if (IS_ERR(hdr))
		return PTR_ERR(hdr);
	if (hdr->size != size || hdr->version != FLB_UAPI_VERSION) {
		ret = -EINVAL;
		goto out_free;
	}

	switch (cmd) {
	case FLB_IOC_INFO:
		ret = flb_cmd_info((struct flb_info *)hdr);
		break;
	case FLB_IOC_TLBI:
		ret = flb_cmd_tlbi((struct flb_tlbi *)hdr);
		break;
	case FLB_IOC_MEMREGION:
		ret = flb_cmd_memregion(file->private_data,
				       (struct flb_memregion *)hdr);
		break;
	case FLB_IOC_RACE:
		ret = flb_cmd_race((struct flb_race *)hdr);
		break;
	case FLB_IOC_DMA:
		ret = flb_cmd_dma((struct flb_dma *)hdr);
		break;
	default:
		ret = flb_cmd_dma_check((struct flb_dma_check *)hdr);
		break;
	}
	if (!ret && copy_to_user(uarg, hdr, size))
		ret = -EFAULT;
out_free:
	kfree(hdr);
	return ret;
}

static const struct file_operations flb_fops = {
	.owner = THIS_MODULE,
	.open = flb_open,
	.release = flb_release,
	.unlocked_ioctl = flb_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice flb_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "flushbench",
	.fops = &flb_fops,
	.mode = 0600,
};

static int __init flb_init(void)
{
	int ret;

	ret = flb_track_init();
	if (ret)
		return ret;
	ret = flb_dma_init();
	if (ret) {
		pr_err("pci_register_driver failed: %d\n", ret);
		goto err_track;
	}
	ret = misc_register(&flb_misc);
	if (ret) {
		pr_err("misc_register failed: %d\n", ret);
		goto err_dma;
	}
	pr_info("ready: /dev/flushbench, uapi %d\n", FLB_UAPI_VERSION);
	return 0;

err_dma:
	flb_dma_exit();
err_track:
	flb_track_exit();
	return ret;
}

static void __exit flb_exit(void)
{
	misc_deregister(&flb_misc);
	flb_dma_exit();
	flb_track_exit();
}

module_init(flb_init);
module_exit(flb_exit);
MODULE_DESCRIPTION("flushbench: TLB invalidation and cache maintenance probes");
MODULE_LICENSE("GPL");
