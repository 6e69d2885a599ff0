/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * flushbench_uapi.h - the one interface between the flushbench module and
 * userspace (the tlbi and memregion workloads, tests/kmod/ioctl-test.c).
 *
 * Device: /dev/flushbench (misc, mode 0600). Every command is _IOWR on one
 * struct that starts with the header word { size, version }: size is
 * sizeof() the struct as the caller compiled it, version is
 * FLB_UAPI_VERSION. Fields are documented (in) or (out). The module copies
 * the whole struct in, checks it, zeroes every (out) field, runs the
 * command and copies the whole struct back, also when the command itself
 * reports a failure in an (out) field.
 *
 * Errors: -ENOTTY unknown command; -EINVAL wrong size or version, a
 * reserved field or unknown flag that is not zero, a zero size or count,
 * an unaligned address, an unknown enum value; -E2BIG a count or size above
 * its FLB_MAX_* cap; -EFAULT an address userspace cannot access; -EINTR a
 * signal arrived during a long command (partial results are not returned);
 * -EBUSY FLB_MAX_TRACKED_MMS processes already have a TLBI tracker;
 * -EOPNOTSUPP a TLBI call required FLB_CLOCK_PMU_CYCLES and no PMU counts
 * cycles; -EAGAIN a batch moved CPU under a per-CPU clock 8 times running;
 * -ENODEV (DMA commands) no bound device has that index; -ENOMEM also when
 * the DMA API refused a mapping (IOVA space or bounce buffers exhausted).
 *
 * Version 4 added FLB_IOC_DMA and FLB_IOC_DMA_CHECK (the IOMMU part).
 */
#ifndef _UAPI_FLUSHBENCH_H
#define _UAPI_FLUSHBENCH_H

#include <linux/ioctl.h>
#include <linux/stddef.h>
#include <linux/types.h>

#define FLB_UAPI_VERSION		4
#define FLB_DEVICE_PATH		"/dev/flushbench"

/* Caps (the module answers -E2BIG above them). */
#define FLB_MAX_TLBI_ITERATIONS	65536ULL
#define FLB_MAX_TLBI_PAGES	64ULL
#define FLB_MAX_TLBI_BATCH	4096ULL
#define FLB_MAX_SPIN		(1ULL << 20)
#define FLB_MAX_TRACKED_MMS	64ULL	/* processes with a TLBI tracker at once */
#define FLB_MAX_MEMREGION_BYTES	(1ULL << 30)
#define FLB_MAX_MEMREGION_REQS	1024ULL
#define FLB_MAX_CHUNK_BYTES	(64ULL << 20)
#define FLB_MAX_FW_RETRIES	16ULL
#define FLB_MAX_BACKOFF_US	10000ULL
#define FLB_MAX_GLOBAL_NS	100000000ULL	/* 100 ms */
#define FLB_MAX_RACE_THREADS	64ULL
#define FLB_MAX_RACE_REQUESTS	10000ULL
#define FLB_MIN_CHURN_US	100ULL		/* below: -EINVAL (a registrar spinning the machine) */
#define FLB_MAX_CHURN_US	100000ULL	/* 100 ms */
#define FLB_MAX_IRQOFF_NS	150000000ULL	/* race spinlock: global_ns x min(threads, CPUs) */
#define FLB_PPM			1000000ULL	/* probabilities: parts per million */
#define FLB_MAX_DMA_BYTES	(2ULL << 20)	/* one mapping: 2 MiB */
#define FLB_MAX_DMA_BATCH	256ULL
#define FLB_MAX_DMA_ITERATIONS	65536ULL
#define FLB_MAX_DMA_THREADS	64ULL		/* and never more than online CPUs (-EINVAL) */

/* The header word every command struct starts with. */
struct flb_hdr {
	__u32 size;		/* (in) sizeof the command struct */
	__u32 version;		/* (in) FLB_UAPI_VERSION */
};

/* ---- FLB_IOC_INFO: what this module and machine offer ---- */
enum flb_arch { FLB_ARCH_X86_64 = 1, FLB_ARCH_ARM64 = 2 };

/*
 * What runs below the kernel. Under a hypervisor a "local" TLBI may be
 * broadcast by the hardware (arm64 HCR_EL2.FB/BSU), so local-vs-broadcast
 * figures from a guest are not native ones.
 */
enum flb_hyp {
	FLB_HYP_NONE = 1,	/* x86: no CPUID hypervisor bit; arm64: the kernel runs at EL2 */
	FLB_HYP_KVM = 2,	/* x86: KVM's CPUID signature; arm64: KVM's SMCCC vendor service */
	FLB_HYP_OTHER = 3,	/* x86: the hypervisor bit, another signature */
	FLB_HYP_UNKNOWN = 4,	/* arm64 at EL1 without KVM's service: nVHE host, other, emulator */
};

#define FLB_CAP_REPEAT_TLBI	(1ULL << 0)	/* ARM64_WORKAROUND_REPEAT_TLBI active */
#define FLB_CAP_CLFLUSHOPT	(1ULL << 1)	/* x86 range mode uses clflushopt */
#define FLB_CAP_KPTI		(1ULL << 2)	/* user ASID/PCID is flushed too */
#define FLB_CAP_WBINVD		(1ULL << 3)	/* global mode is a real wbinvd */
#define FLB_CAP_SWITCH_TRACKER	(1ULL << 4)	/* the TLBI tracker sees every switch-in (sched_switch) */
#define FLB_CAP_PMU_CYCLES	(1ULL << 5)	/* a pinned PMU cycles event opens on every online CPU */

struct flb_info {
	struct flb_hdr hdr;
	__u64 arch;		/* (out) enum flb_arch */
	__u64 caps;		/* (out) FLB_CAP_* */
	__u64 ncpus;		/* (out) online CPUs */
	__u64 cache_line;	/* (out) smallest D-cache line, bytes */
	__u64 counter_hz;	/* (out) tick rate of the *_ticks fields */
	__u64 page_size;	/* (out) */
	__u64 hypervisor;	/* (out) enum flb_hyp */
	__u64 reserved[4];	/* (in) must be zero */
};

/*
 * ---- FLB_IOC_TLBI: invalidate the caller's own pages N times ----
 *
 * Each operation: touch every page (a live TLB entry), store each page's
 * real PTE again, unchanged (a cmpxchg under the PTE lock: the page-table
 * store that calls for the flush), then time the
 * policy's barrier, decision and invalidation of the range. The auto-*
 * policies decide with a tracker per process (mm) that lives across calls
 * and files, as mm->context.active_cpu of "arm64: tlbflush: Don't
 * broadcast if mm was only active on local cpu" (v2) does: it names the
 * one CPU the mm has been switched in on, or "multiple" once a second CPU
 * runs it, until FLB_TLBI_ROLLOVER (an ASID rollover) resets it.
 */
enum flb_tlbi_policy {
	FLB_TLBI_LOCAL = 0,	/* dsb ishst; tlbi vale1 + dsb nsh. x86: invlpg */
	FLB_TLBI_BROADCAST = 1,	/* the old code: tlbi vale1is + sync; x86: IPI the mm's CPUs */
	FLB_TLBI_AUTO_V2 = 2,	/* the patch: flush_tlb_user_pre/post */
	FLB_TLBI_AUTO_ISHST = 3,	/* as v2, but dsb ishst then one load (the review's question) */
	FLB_TLBI_AUTO_RECHECK = 4,	/* no migrate_disable: local, dsb ish, re-read; broadcast if moved */
	FLB_TLBI_AUTO_RETRY = 5,	/* no migrate_disable: retry when the task was switched (rseq-style) */
	FLB_TLBI_AUTO_NOERRATUM = 6,	/* v2, always broadcast while REPEAT_TLBI is active */
	FLB_TLBI_SPIN = 7,	/* no TLBI, no PTE store: `spin` steps of a dependent chain */
};

/*
 * The clock of a call's timing (clock, out; clock_req, in). Each operation
 * timed alone always uses the architected counter (FLB_IOC_INFO
 * counter_hz). Batched timing uses clock_req: 0, the best this machine
 * offers (arm64: the PMU's cycle counter where a pinned cycles event opens
 * on every online CPU, else the generic timer; x86: the TSC); the
 * architected counter of this arch; or FLB_CLOCK_PMU_CYCLES, which fails
 * with -EOPNOTSUPP where no PMU counts cycles (no PMU, a guest without a
 * virtual PMU, every counter taken). clock_hz (out) is the rate used to
 * turn the clock's units into ps: counter_hz, or for the PMU the cycles per
 * second measured against ktime when the call starts.
 */
enum flb_clock {
	FLB_CLOCK_CNTVCT = 1,	/* arm64 generic timer, virtual count */
	FLB_CLOCK_TSC = 2,	/* x86 time-stamp counter */
	FLB_CLOCK_PMU_CYCLES = 3,	/* PMU cycles (arm64 PMCCNTR_EL0), per CPU */
};

/* flags */
#define FLB_TLBI_ROLLOVER	(1ULL << 0)	/* reset the tracker first, as an ASID rollover */
/* migrate_every moves between the decision and the TLBI (recheck, retry only) */
#define FLB_TLBI_MOVE_INSIDE	(1ULL << 1)
#define FLB_TLBI_FLAGS		(FLB_TLBI_ROLLOVER | FLB_TLBI_MOVE_INSIDE)

#define FLB_TRACKER_MULTIPLE	(~0ULL)	/* active_cpu: the mm has run on several CPUs */

struct flb_lat {
	__u64 min;
	__u64 median;
	__u64 p99;
	__u64 max;
};

/* The same for estimates that can come out below zero (a difference). */
struct flb_slat {
	__s64 min;
	__s64 median;
	__s64 p99;
	__s64 max;
};

struct flb_tlbi {
	struct flb_hdr hdr;
	__u64 addr;		/* (in) page-aligned start of the caller's pages */
	__u64 pages;		/* (in) pages invalidated per iteration, 1..FLB_MAX_TLBI_PAGES */
	__u64 iterations;	/* (in) 1..FLB_MAX_TLBI_ITERATIONS */
	__u64 policy;		/* (in) enum flb_tlbi_policy */
	__u64 migrate_every;	/* (in) 0, or move to another CPU every N iterations */
	__u64 flags;		/* (in) FLB_TLBI_* */
	__u64 batch;		/* (in) 0/1: each op timed alone; K: K at a time, and a baseline */
	__u64 spin;		/* (in) policy spin: steps, 0..FLB_MAX_SPIN; else 0 */
	__u64 clock_req;	/* (in) batched: 0 (best), or an enum flb_clock */
	__u64 reserved[3];	/* (in) must be zero */

	/* (out) every field of the group below; zeroed by the module */
	__struct_group(flb_tlbi_out, out, /* no attrs */,
		struct flb_lat ns;	/* (out) per-operation time, ns (batched: the estimate, >= 0) */
		struct flb_lat ticks;	/* (out) the same in counter ticks (FLB_IOC_INFO counter_hz) */
		struct flb_slat batch_ps;	/* (out) batched: per operation, ps: (batch - baseline) / K */
		__s64 baseline_ps;	/* (out) batched: median per operation of the baseline */
		__s64 path_migrate_ps;	/* (out) batched auto-v2/ishst: the migrate pair in the path */
		__u64 batches;		/* (out) batched: batch pairs timed */
		__u64 clock;		/* (out) enum flb_clock */
		__u64 total_ns;		/* (out) time of the whole loop */
		__u64 chose_local;	/* (out) invalidations that ended local */
		__u64 chose_broadcast;	/* (out) invalidations that ended broadcast */
		__u64 upgraded;		/* (out) auto-recheck: local, then broadcast after a move */
		__u64 retries;		/* (out) auto-retry: decisions redone after a switch */
		__u64 migrations;	/* (out) CPU changes of the caller during the call */
		__u64 switch_ins;	/* (out) switch-ins of the mm the tracker saw during the call */
		__u64 active_cpu;	/* (out) the tracker at the end: a CPU or FLB_TRACKER_MULTIPLE */
		__u64 tracked_cpus;	/* (out) CPUs the mm ran on since the last rollover */
		__u64 migrate_pair_ns;	/* (out) median cost of migrate_disable+enable alone */
		__u64 repeat_tlbi;	/* (out) 1 if the REPEAT_TLBI workaround doubled each TLBI */
		__u64 clock_hz;		/* (out) batched: the clock's rate (see enum flb_clock) */
		__u64 redone;		/* (out) batches timed again: a pass moved CPU (per-CPU clock) */
		__u64 timed_ns;		/* (out) batched: every timed pass summed, by the clock */
		__u64 out_reserved[4];	/* (out) zero */
	);
};

/* ---- FLB_IOC_MEMREGION: clean+invalidate a memory region ---- */
enum flb_mr_mode {
	FLB_MR_RANGE = 0,	/* by VA: arm64 dc civac loop, x86 clflushopt */
	FLB_MR_GLOBAL = 1,	/* x86 wbinvd_on_all_cpus; arm64 emulated firmware */
};

/*
 * flags: FLB_MR_IRQSAVE holds interrupts off for each chunk (one provider
 * call), as guard(spinlock_irqsave)(&scfm_lock) in the posted generic
 * cpu_cache_invalidate_memregion() does; range mode, no firmware retries.
 */
#define FLB_MR_IRQSAVE		(1ULL << 0)

enum flb_gen_skip {
	FLB_GEN_SKIP_OFF = 0,	/* every request flushes */
	FLB_GEN_SKIP_RACY = 1,	/* skip if the flush generation moved (SMCCC RFC) */
	FLB_GEN_SKIP_BATCHED = 2,	/* skip only for a flush that began after arrival */
};

struct flb_memregion {
	struct flb_hdr hdr;
	__u64 addr;		/* (in) 0: a module-owned buffer; else page-aligned user memory (pinned) */
	__u64 bytes;		/* (in) region size, 1..FLB_MAX_MEMREGION_BYTES */
	__u64 requests;		/* (in) flush requests made in this call, 1..FLB_MAX_MEMREGION_REQS */
	__u64 mode;		/* (in) enum flb_mr_mode */
	__u64 gen_skip;		/* (in) enum flb_gen_skip (global mode only) */
	__u64 chunk;		/* (in) a power of two, PAGE_SIZE..FLB_MAX_CHUNK_BYTES; 0: 1 MiB (written back) */
	__u64 busy_ppm;		/* (in) firmware answers BUSY with this probability */
	__u64 ratelimit_ppm;	/* (in) firmware answers RATE_LIMITED with this probability */
	__u64 max_retries;	/* (in) retries per firmware call, 0..FLB_MAX_FW_RETRIES */
	__u64 backoff_us;	/* (in) first backoff, doubled each retry, 0..FLB_MAX_BACKOFF_US */
	__u64 global_ns;	/* (in) simulated duration of one global operation, 0..FLB_MAX_GLOBAL_NS */
	__u64 flags;		/* (in) must be zero */
	__u64 reserved[4];	/* (in) must be zero */

	__struct_group(flb_memregion_out, out, /* no attrs */,
		__u64 total_ns;		/* (out) time of all requests */
		__u64 bytes_flushed;	/* (out) bytes cleaned by range operations */
		__u64 flushes;		/* (out) firmware/CPU flush operations that succeeded */
		__u64 served;		/* (out) requests completed without error */
		__u64 skipped;		/* (out) requests served by another request's flush */
		__u64 failed;		/* (out) requests that ran out of retries */
		__u64 busy;		/* (out) BUSY answers */
		__u64 ratelimited;	/* (out) RATE_LIMITED answers */
		__u64 retries;		/* (out) firmware calls repeated */
		__u64 error;		/* (out) 0, or the positive errno of the last failed request */
		__u64 chunks;		/* (out) chunks (cond_resched points) */
		__u64 max_chunk_ns;	/* (out) longest stretch without a resched point */
		__u64 max_irq_late_ns;	/* (out) worst lateness of a 100 us hrtimer on the flushing CPU */
		__u64 under_flushes;	/* (out) skipped requests served by a flush begun before them */
		__u64 out_reserved[4];	/* (out) zero */
	);
};

/* ---- FLB_IOC_RACE: the gen_skip race detector ---- */

/*
 * registration: how a request reaches the flush method, as the generic
 * cpu_cache_invalidate_memregion() of "[PATCH v2 2/8] generic: Support
 * ARCH_HAS_CPU_CACHE_INVALIDATE_MEMREGION" looks up the registered
 * method, and the review's alternatives. In every mode but DIRECT the
 * method is a non-sleeping simulated flush (no cond_resched, no mutex),
 * every request runs it (gen_skip must be OFF: -EINVAL otherwise, the
 * provider's mutex cannot be taken under a spinlock), and churn_us may
 * start a registrar that unregisters and re-registers it.
 */
enum flb_reg {
	FLB_REG_DIRECT = 0,	/* the private provider, called directly; gen_skip applies */
	FLB_REG_SPINLOCK = 1,	/* as posted: spin_lock_irqsave over lookup and call */
	FLB_REG_CMPXCHG = 2,	/* (un)register by cmpxchg, lookup smp_load_acquire, no lock */
	FLB_REG_RCU = 3,	/* rcu_read_lock over lookup and call; unregister + synchronize_rcu */
	FLB_REG_RWSEM = 4,	/* down_read over lookup and call; unregister under down_write */
};

struct flb_race {
	struct flb_hdr hdr;
	__u64 threads;		/* (in) kernel threads, 2..FLB_MAX_RACE_THREADS, spread over CPUs */
	__u64 requests;		/* (in) requests per thread, 1..FLB_MAX_RACE_REQUESTS */
	__u64 gen_skip;		/* (in) enum flb_gen_skip; OFF unless registration is DIRECT */
	__u64 global_ns;	/* (in) duration of one simulated global flush, 1..FLB_MAX_GLOBAL_NS */
	__u64 flags;		/* (in) must be zero */
	__u64 registration;	/* (in) enum flb_reg; SPINLOCK: global_ns x min(threads, CPUs) <= FLB_MAX_IRQOFF_NS */
	__u64 churn_us;		/* (in) 0, or unregister + re-register every churn_us (not DIRECT), FLB_MIN/MAX_CHURN_US */
	__u64 reserved[2];	/* (in) must be zero */

	__struct_group(flb_race_out, out, /* no attrs */,
		__u64 total_ns;		/* (out) */
		__u64 served;		/* (out) requests answered (threads * requests), no_method included */
		__u64 flushes;		/* (out) global flushes issued (method calls) */
		__u64 skipped;		/* (out) requests that skipped their own flush */
		__u64 under_flushes;	/* (out) requests served by a flush that began before their write */
		__u64 max_batch;	/* (out) most requests one flush served */
		__u64 max_wait_ns;	/* (out) longest from a request's entry to its flush's start */
		__u64 max_irq_late_ns;	/* (out) worst lateness of a 100 us hrtimer on the threads' CPUs */
		__u64 stale_calls;	/* (out) method calls running or begun after their unregistration returned */
		__u64 unregistrations;	/* (out) churn cycles done */
		__u64 no_method;	/* (out) requests that found no method (-EOPNOTSUPP): no flush, no under-flush */
		__u64 out_reserved[4];	/* (out) zero */
	);
};

/*
 * ---- FLB_IOC_DMA: the cost of dma_map and dma_unmap through an IOMMU ----
 *
 * The module's PCI driver ("flushbench") binds QEMU's edu device
 * (1234:11e8) by ID, and any other device a user hands it through
 * driver_override (docs/iommu.md); `device` indexes the bound devices in
 * the order they were bound. Each of `threads` kernel threads, bound one
 * per online CPU, maps one buffer of its own `batch` times between two
 * clock reads (each mapping gets its own IOVA), then unmaps those `batch`
 * mappings between two more: map_ns and unmap_ns are each batch's time
 * divided by its operations. In a strict domain the unmap clears the
 * IOPTEs and waits for the IOTLB invalidation (SMMUv3: TLBI + CMD_SYNC on
 * the command queue; VT-d: a queued IOTLB invalidation and its wait); in a
 * lazy one (DMA-FQ) it queues the IOVA and the invalidation runs later,
 * batched, from the flush queue's timer. The buffer is DMA_TO_DEVICE.
 */
enum flb_dma_mode {
	FLB_DMA_SINGLE = 0,	/* one physically contiguous buffer: dma_map_page */
	FLB_DMA_SG = 1,		/* bytes / PAGE_SIZE separate pages: dma_map_sg */
};

/* The device's DMA domain when the call ran (its group's sysfs `type`). */
enum flb_dma_domain {
	FLB_DMA_DIRECT = 1,	/* no IOMMU translates this device (dma-direct) */
	FLB_DMA_IDENTITY = 2,	/* an IOMMU in passthrough: "identity" */
	FLB_DMA_STRICT = 3,	/* "DMA": every unmap invalidates and waits */
	FLB_DMA_LAZY = 4,	/* "DMA-FQ": unmaps go through the flush queue */
	FLB_DMA_OTHER = 5,	/* a domain type this module does not name */
};

#define FLB_DMA_NO_GROUP	(~0ULL)

struct flb_dma {
	struct flb_hdr hdr;
	__u64 device;		/* (in) index among the bound devices, from 0 */
	__u64 mode;		/* (in) enum flb_dma_mode */
	__u64 bytes;		/* (in) a multiple of PAGE_SIZE, PAGE_SIZE..FLB_MAX_DMA_BYTES */
	__u64 iterations;	/* (in) map+unmap pairs per thread, 1..FLB_MAX_DMA_ITERATIONS */
	__u64 batch;		/* (in) operations between two clock reads, 1..FLB_MAX_DMA_BATCH */
	__u64 threads;		/* (in) 1..min(FLB_MAX_DMA_THREADS, online CPUs) */
	__u64 flags;		/* (in) must be zero */
	__u64 reserved[4];	/* (in) must be zero */

	__struct_group(flb_dma_out, out, /* no attrs */,
		struct flb_lat map_ns;	/* (out) per dma_map, ns, over batches of all threads */
		struct flb_lat unmap_ns;	/* (out) per dma_unmap, ns */
		__u64 ops;		/* (out) map+unmap pairs done, all threads */
		__u64 batches;		/* (out) batches timed, all threads */
		__u64 total_ns;		/* (out) from the threads' start to the last one's end */
		__u64 domain;		/* (out) enum flb_dma_domain */
		__u64 bdf;		/* (out) PCI segment << 16 | bus << 8 | devfn */
		__u64 group;		/* (out) IOMMU group id, or FLB_DMA_NO_GROUP */
		__u64 nents;		/* (out) sg: segments the last dma_map_sg returned (1: merged) */
		__u64 out_reserved[4];	/* (out) zero */
	);
};

/*
 * ---- FLB_IOC_DMA_CHECK: does an unmap invalidate the IOTLB? ----
 *
 * Needs an edu device (its DMA engine) behind a translating domain. The
 * module maps page A at an IOVA with dma_map_page, has the device read it
 * (the IOMMU caches the translation) and write it back to a second
 * mapping, then points the same IOVA at page B as the DMA API's strict
 * unmap does (iommu_unmap_fast, iommu_iotlb_sync) followed by iommu_map,
 * and has the device read it again. Page A's data the second time is a
 * stale IOTLB entry. The module parameter unsafe_skip_inv (0644, debug
 * only) leaves out the iommu_iotlb_sync until after the second read,
 * which must make the check fail: the proof that it can. Each DMA of edu
 * takes about 100 ms of the guest's virtual time.
 */
enum flb_dma_check_result {
	FLB_DMA_CHECK_PASS = 1,		/* the device read page B */
	FLB_DMA_CHECK_STALE = 2,	/* the device read page A: a stale IOTLB entry */
	FLB_DMA_CHECK_NO_XLATE = 3,	/* not run: no translating domain, nothing can go stale */
	FLB_DMA_CHECK_NO_ENGINE = 4,	/* not run: the device is not edu, no DMA engine to drive */
};

struct flb_dma_check {
	struct flb_hdr hdr;
	__u64 device;		/* (in) index among the bound devices */
	__u64 flags;		/* (in) must be zero */
	__u64 reserved[4];	/* (in) must be zero */

	__struct_group(flb_dma_check_out, out, /* no attrs */,
		__u64 result;		/* (out) enum flb_dma_check_result */
		__u64 domain;		/* (out) enum flb_dma_domain */
		__u64 iova;		/* (out) the IOVA remapped */
		__u64 expected;		/* (out) first word of page B */
		__u64 seen;		/* (out) first word the device read the second time */
		__u64 skipped_inv;	/* (out) 1: unsafe_skip_inv left the invalidation out */
		__u64 dma_ns;		/* (out) the four DMAs, ns */
		__u64 out_reserved[4];	/* (out) zero */
	);
};

#define FLB_IOC_MAGIC		0xFB
#define FLB_IOC_INFO		_IOWR(FLB_IOC_MAGIC, 0x00, struct flb_info)
#define FLB_IOC_TLBI		_IOWR(FLB_IOC_MAGIC, 0x01, struct flb_tlbi)
#define FLB_IOC_MEMREGION	_IOWR(FLB_IOC_MAGIC, 0x02, struct flb_memregion)
#define FLB_IOC_RACE		_IOWR(FLB_IOC_MAGIC, 0x03, struct flb_race)
#define FLB_IOC_DMA		_IOWR(FLB_IOC_MAGIC, 0x04, struct flb_dma)
#define FLB_IOC_DMA_CHECK	_IOWR(FLB_IOC_MAGIC, 0x05, struct flb_dma_check)

#endif /* _UAPI_FLUSHBENCH_H */
