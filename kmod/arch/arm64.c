// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 half of flushbench, with the instructions of the patch "arm64:
 * tlbflush: Don't broadcast if mm was only active on local cpu" (v2).
 * TLB: tlbi vale1 per page (+ the user ASID under KPTI) and one dsb nsh
 * (dsb ish for auto-recheck) for the range (local) vs tlbi vale1is per page and one
 * __tlbi_sync_s1ish(), which repeats a TLBI when the kernel's
 * ARM64_WORKAROUND_REPEAT_TLBI is active (broadcast), as
 * __flush_tlb_range() completes a range. Barriers:
 * dsb ish / dsb ishst. Caches: dc civac by VA over the smallest line
 * (CTR_EL0.DminLine) then dsb sy. There is no architected EL1 "clean and
 * invalidate everything" for memregions (set/way operations are not for
 * coherency and are trapped by hypervisors), so the global operation is
 * emulated firmware whose cost is the caller's global_ns.
 */
#include <linux/arm-smccc.h>
#include <linux/mm.h>
#include <asm/arch_timer.h>
#include <asm/barrier.h>
#include <asm/cpufeature.h>
#include <asm/cputype.h>
#include <asm/hypervisor.h>
#include <asm/mmu.h>
#include <asm/tlbflush.h>
#include <asm/virt.h>

#include "flb_arch.h"
#include "flushbench_uapi.h"

#define FLB_CTR_DMINLINE_SHIFT	16

u64 flb_arch_id(void)
{
	return FLB_ARCH_ARM64;
}

/*
 * A kernel at EL2 (VHE) has nothing below it. At EL1 it is either a guest
 * or an nVHE host: KVM's vendor hypervisor service (SMCCC) names a KVM
 * guest; the rest cannot be told apart from here (QEMU TCG's virt machine
 * boots at EL1 without it).
 */
u64 flb_arch_hypervisor(void)
{
	if (is_kernel_in_hyp_mode())
		return FLB_HYP_NONE;
	if (kvm_arm_hyp_service_available(ARM_SMCCC_KVM_FUNC_FEATURES))
		return FLB_HYP_KVM;
	return FLB_HYP_UNKNOWN;
}

u64 flb_arch_caps(void)
{
	u64 caps = 0;

	if (flb_arch_tlbi_repeated())
		caps |= FLB_CAP_REPEAT_TLBI;
	if (arm64_kernel_unmapped_at_el0())
		caps |= FLB_CAP_KPTI;
	return caps;
}

u64 flb_arch_clock(void)
{
	return FLB_CLOCK_CNTVCT;
}

/* CNTVCT ticks at 16-40 ns; PMCCNTR_EL0 counts cycles */
bool flb_arch_prefer_pmu(void)
{
	return true;
}

u64 flb_arch_counter_hz(void)
{
	return arch_timer_get_cntfrq();
}

unsigned int flb_arch_cache_line(void)
{
	return 4U << ((read_cpuid_cachetype() >> FLB_CTR_DMINLINE_SHIFT) & 0xf);
}

/* One sync per range, as __flush_tlb_range() issues it. */
void flb_arch_tlbi_local(struct mm_struct *mm, unsigned long uaddr,
			 unsigned long pages, bool ish)
{
	unsigned long asid = ASID(mm), p, arg;

	for (p = 0; p < pages; p++) {
		arg = __TLBI_VADDR(uaddr + p * PAGE_SIZE, asid);
		__tlbi(vale1, arg);
		__tlbi_user(vale1, arg);
	}
	if (ish)
		dsb(ish);
	else
		dsb(nsh);
}

void flb_arch_tlbi_broadcast(struct mm_struct *mm, unsigned long uaddr,
			     unsigned long pages, const struct cpumask *cpus)
{
	unsigned long asid = ASID(mm), p, arg;

	for (p = 0; p < pages; p++) {
		arg = __TLBI_VADDR(uaddr + p * PAGE_SIZE, asid);
		__tlbi(vale1is, arg);
		__tlbi_user(vale1is, arg);
	}
	__tlbi_sync_s1ish();
}

bool flb_arch_tlbi_repeated(void)
{
	return alternative_has_feature_unlikely(ARM64_WORKAROUND_REPEAT_TLBI);
}

void flb_arch_barrier_ish(void)
{
	dsb(ish);
}

void flb_arch_barrier_ishst(void)
{
	dsb(ishst);
}

void flb_arch_clean_inval_range(void *va, size_t len)
{
	unsigned long line = flb_arch_cache_line();
	unsigned long p = (unsigned long)va & ~(line - 1);
	unsigned long end = (unsigned long)va + len;

	for (; p < end; p += line)
		asm volatile("dc civac, %0" : : "r" (p) : "memory");
	dsb(sy);
}

void flb_arch_global_flush(void)
{
}
