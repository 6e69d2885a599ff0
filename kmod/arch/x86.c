// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 half of flushbench. TLB: invlpg per page on this CPU (local) vs
 * one IPI round, each CPU running invlpg over the range, waited for
 * (broadcast: flush_tlb_mm_range()'s shootdown, one round per range): to
 * the CPUs the tracker saw run the mm that still have it loaded
 * (mm_cpumask). Unlike native_flush_tlb_multi(), CPUs in lazy TLB mode
 * are not skipped (the state is not visible to modules). With PTI, invlpg reaches only the
 * kernel PCID's entry; the user PCID's is flushed lazily by the kernel and
 * not touched here. Barriers: ish = smp_mb() (a full fence), ishst =
 * smp_wmb() (a compiler barrier on x86-TSO). Caches: clflushopt (or
 * clflush) by range, wbinvd on every CPU for the global operation.
 */
#include <linux/smp.h>
#include <asm/cacheflush.h>
#include <asm/cpufeature.h>
#include <asm/hypervisor.h>
#include <asm/smp.h>
#include <asm/tsc.h>

#include "flb_arch.h"
#include "flushbench_uapi.h"

u64 flb_arch_id(void)
{
	return FLB_ARCH_X86_64;
}

u64 flb_arch_hypervisor(void)
{
	if (!boot_cpu_has(X86_FEATURE_HYPERVISOR))
		return FLB_HYP_NONE;
	return x86_hyper_type == X86_HYPER_KVM ? FLB_HYP_KVM : FLB_HYP_OTHER;
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

u64 flb_arch_clock(void)
{
	return FLB_CLOCK_TSC;
}

/* rdtsc: invariant, cheap, and what the "rdtsc" names */
bool flb_arch_prefer_pmu(void)
{
	return false;
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

struct flb_x86_range {
	struct mm_struct *mm;
	unsigned long start, pages;
};

static void flb_invlpg_range(unsigned long start, unsigned long pages)
{
	unsigned long p;

	for (p = 0; p < pages; p++)
		flb_invlpg(start + p * PAGE_SIZE);
}

void flb_arch_tlbi_local(struct mm_struct *mm, unsigned long uaddr,
			 unsigned long pages, bool ish)
{
	flb_invlpg_range(uaddr, pages);
	if (ish)
		smp_mb();	/* invlpg serialises already; the fence names the order */
}

static void flb_ipi_invlpg(void *info)
{
	struct flb_x86_range *r = info;

	flb_invlpg_range(r->start, r->pages);
}

/*
 * The CPUs that still have the mm loaded. native_flush_tlb_multi() also
 * skips those in lazy TLB mode (tlb_is_not_lazy()), but the per-CPU
 * state it reads is hidden from modules (#ifndef MODULE in tlbflush.h).
 */
static bool flb_cpu_needs_ipi(int cpu, void *info)
{
	struct flb_x86_range *r = info;

	return cpumask_test_cpu(cpu, mm_cpumask(r->mm));
}

void flb_arch_tlbi_broadcast(struct mm_struct *mm, unsigned long uaddr,
			     unsigned long pages, const struct cpumask *cpus)
{
	struct flb_x86_range r = { .mm = mm, .start = uaddr, .pages = pages };

	/* this CPU too when it is in the mask, as on_each_cpu_cond_mask() does */
	on_each_cpu_cond_mask(flb_cpu_needs_ipi, flb_ipi_invlpg, &r, true, cpus);
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
