/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The architecture-specific half of flushbench: TLB invalidation of a
 * range of user pages, the barriers around the tracking-word read, cache maintenance
 * by VA and the global operation. Implemented in arch/<arch>.c.
 */
#ifndef FLB_ARCH_H
#define FLB_ARCH_H

#include <linux/cpumask.h>
#include <linux/mm_types.h>
#include <linux/timex.h>
#include <linux/types.h>

/* FLB_ARCH_* of flushbench_uapi.h */
u64 flb_arch_id(void);
/* FLB_HYP_*: what runs below the kernel */
u64 flb_arch_hypervisor(void);
/* FLB_CAP_* bits this machine offers */
u64 flb_arch_caps(void);
/* What flb_arch_ticks() counts: FLB_CLOCK_* */
u64 flb_arch_clock(void);
/* Batched timing prefers the PMU's cycle counter to flb_arch_ticks() */
bool flb_arch_prefer_pmu(void);
/* Tick rate of flb_arch_ticks() in Hz */
u64 flb_arch_counter_hz(void);
static inline u64 flb_arch_ticks(void)
{
	return get_cycles();
}

/* Smallest D-cache line in bytes */
unsigned int flb_arch_cache_line(void);

/*
 * Invalidate the translations of the range of pages from uaddr in mm on
 * this CPU only: one invalidation per page, one completion for the range
 * (arm64: dsb nsh; dsb ish when ish, as auto-recheck needs before it
 * re-reads the tracker).
 */
void flb_arch_tlbi_local(struct mm_struct *mm, unsigned long uaddr,
			 unsigned long pages, bool ish);
/*
 * The same on every CPU that may hold them, and wait: one completion (or
 * one IPI round) for the range, as the kernel's range flushes do. cpus:
 * the CPUs the mm has run on (x86 sends its IPIs there; arm64's broadcast
 * reaches every CPU in hardware and ignores it).
 */
void flb_arch_tlbi_broadcast(struct mm_struct *mm, unsigned long uaddr,
			     unsigned long pages, const struct cpumask *cpus);
/* True when a broadcast TLBI is issued twice (erratum workaround). */
bool flb_arch_tlbi_repeated(void);

/* dsb(ish) and dsb(ishst) (x86: smp_mb and smp_wmb). */
void flb_arch_barrier_ish(void);
void flb_arch_barrier_ishst(void);

/* Clean and invalidate [va, va + len) to the point of coherency. */
void flb_arch_clean_inval_range(void *va, size_t len);
/*
 * The architectural part of a global clean+invalidate (x86: wbinvd on
 * every CPU; arm64: nothing, the operation is emulated firmware).
 */
void flb_arch_global_flush(void);

#endif /* FLB_ARCH_H */
