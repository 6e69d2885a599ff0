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

#include "flb_arch.h"
#include "flushbench_uapi.h"

u64 flb_arch_id(void)
{
	return FLB_ARCH_X86_64;
}

u64 flb_arch_caps(void)
{
	u64 caps = FLB_CAP_WBINVD;

	if (boot_cpu_has(X86_FEATURE_CLFLUSHOPT))
		caps |= FLB_CAP_CLFLUSHOPT;
	if (boot_cpu_has(X86_FEATURE_PTI))
		caps |= FLB_CAP_KPTI;
	return caps;
}

u64 flb_arch_counter_hz(void)
{
	return (u64)tsc_khz * 1000;
}

unsigned int flb_arch_cache_line(void)
{
	return boot_cpu_data.x86_clflush_size;
}

static inline void flb_invlpg(unsigned long addr)
{
	asm volatile("invlpg (%0)" : : "r" (addr) : "memory");
}

void flb_arch_tlbi_local(struct mm_struct *mm, unsigned long uaddr)
{
	flb_invlpg(uaddr);
}

static void flb_ipi_invlpg(void *info)
{
	flb_invlpg(*(unsigned long *)info);
}

void flb_arch_tlbi_broadcast(struct mm_struct *mm, unsigned long uaddr)
{
	on_each_cpu_mask(cpu_online_mask, flb_ipi_invlpg, &uaddr, true);
}

bool flb_arch_tlbi_repeated(void)
{
	return false;
}

void flb_arch_barrier_ish(void)
{
	smp_mb();	/* orders the tracking-word read after earlier stores */
}

void flb_arch_barrier_ishst(void)
{
	smp_wmb();	/* orders earlier stores only (x86-TSO: a compiler barrier) */
}

void flb_arch_clean_inval_range(void *va, size_t len)
{
	clflush_cache_range(va, len);
}

void flb_arch_global_flush(void)
{
	wbinvd_on_all_cpus();
}
