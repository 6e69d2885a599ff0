// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 half of flushbench. TLB: invlpg on this CPU (local) vs an IPI to
 * every online CPU that runs invlpg there and waits (broadcast, the shape
 * of a flush_tlb_mm_range() shootdown). With PTI, invlpg reaches only the
 * kernel PCID's entry; the user PCID's is flushed lazily by the kernel and
 * not touched here. Barriers: ish = smp_mb() (a full fence), ishst =
 * smp_wmb() (a compiler barrier on x86-TSO). Caches: clflushopt (or
 * clflush) by range, wbinvd on every CPU for the global operation.
 */
#include <linux/smp.h>
#include <asm/cacheflush.h>
#include <asm/cpufeature.h>
#include <asm/smp.h>
#include <asm/tsc.h>

#include "fb_arch.h"
#include "flushbench_uapi.h"

u64 fb_arch_id(void)
{
	return FB_ARCH_X86_64;
}

u64 fb_arch_caps(void)
{
	u64 caps = FB_CAP_WBINVD;

	if (boot_cpu_has(X86_FEATURE_CLFLUSHOPT))
		caps |= FB_CAP_CLFLUSHOPT;
	if (boot_cpu_has(X86_FEATURE_PTI))
		caps |= FB_CAP_KPTI;
	return caps;
}

u64 fb_arch_counter_hz(void)
{
	return (u64)tsc_khz * 1000;
}

unsigned int fb_arch_cache_line(void)
{
	return boot_cpu_data.x86_clflush_size;
}

static inline void fb_invlpg(unsigned long addr)
{
	asm volatile("invlpg (%0)" : : "r" (addr) : "memory");
}

void fb_arch_tlbi_local(struct mm_struct *mm, unsigned long uaddr)
{
	fb_invlpg(uaddr);
}

static void fb_ipi_invlpg(void *info)
{
	fb_invlpg(*(unsigned long *)info);
}

void fb_arch_tlbi_broadcast(struct mm_struct *mm, unsigned long uaddr)
{
	on_each_cpu_mask(cpu_online_mask, fb_ipi_invlpg, &uaddr, true);
}

bool fb_arch_tlbi_repeated(void)
{
	return false;
}

void fb_arch_barrier_ish(void)
{
	smp_mb();	/* orders the tracking-word read after earlier stores */
}

void fb_arch_barrier_ishst(void)
{
	smp_wmb();	/* orders earlier stores only (x86-TSO: a compiler barrier) */
}

void fb_arch_clean_inval_range(void *va, size_t len)
{
	clflush_cache_range(va, len);
}

void fb_arch_global_flush(void)
{
	wbinvd_on_all_cpus();
}
