/* SPDX-License-Identifier: GPL-2.0 */
/* Shared internals of flushbench.ko (not UAPI: see flushbench_uapi.h). */
#ifndef FLB_INTERNAL_H
#define FLB_INTERNAL_H

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "flushbench_uapi.h"

/* Per open file: the module-owned memregion buffer. */
struct flb_file {
	struct mutex lock;
	void *buf;
	size_t buf_bytes;
};

/*
 * A serialised global-flush provider (arm64_smccc_cache of "arm64: mm: add
 * SMCCC-backed cache invalidate provider", RFC 2/2) with
 * the three gen_skip policies. flush() runs under lock and returns 0 or
 * -errno; served() runs under lock once per request with whether the
 * request skipped its own flush.
 */
struct flb_provider {
	struct mutex lock;
	u64 gen;		/* completed flushes (racy policy) */
	atomic64_t started;	/* flushes begun (batched policy) */
	u64 done;		/* start number of the last completed flush */
	u64 batch;		/* requests served by the last completed flush */
	u64 max_batch;
};

struct flb_provider_ops {
	int (*flush)(void *arg);
	void (*served)(void *arg, bool skipped);
};

void flb_provider_init(struct flb_provider *p);
/*
 * under (may be NULL): the request skipped, and the flush that served it
 * began before the request arrived (an under-flush: racy only).
 */
int flb_provider_request(struct flb_provider *p, u64 gen_skip,
			const struct flb_provider_ops *ops, void *arg,
			bool *skipped, bool *under);

/* Spin for ns nanoseconds, rescheduling every 100 us; false if a signal. */
bool flb_spin_ns(u64 ns, bool interruptible);
/*
 * The interrupt latency probe (probe.c): an hrtimer every FLB_PROBE_NS
 * pinned to one CPU, on its owner's stack; max is its worst lateness.
 */
#define FLB_PROBE_NS		100000

struct flb_probe {
	struct hrtimer timer;
	s64 max;		/* ns */
	int cpu;		/* where it is queued, -1: not yet */
};

void flb_probe_init_on_stack(struct flb_probe *p);
/* Start the probe on this CPU, or move it here if it is elsewhere. */
void flb_probe_here(struct flb_probe *p);
/* Stop and destroy it; its worst lateness, ns. */
u64 flb_probe_finish(struct flb_probe *p);

/* sort() order of u64s */
int flb_cmp_u64(const void *a, const void *b);
/* Sort v and fill lat with its min, median, p99 and max (n > 0). */
void flb_lat_fill(struct flb_lat *lat, u64 *v, size_t n);

/* True if every one of n words is zero. */
bool flb_all_zero(const __u64 *v, size_t n);

/*
 * The TLBI tracker of one process (track.c): active_cpu names the one CPU
 * the mm has run on since the last rollover, or FLB_CPU_MULTIPLE; cpus
 * every CPU it ran on. Written by switch-ins, read by the auto policies.
 */
#define FLB_CPU_MULTIPLE	(-1)

struct flb_track {
	struct mm_struct *mm;	/* mmgrab()bed: the key, never dereferenced for pages */
	int active_cpu;
	atomic_long_t switch_ins;
	struct cpumask cpus;
};

int flb_track_init(void);
void flb_track_exit(void);
/* The caller's tracker, created on first use; ERR_PTR(-EBUSY/-ENOMEM/-EINTR). */
struct flb_track *flb_track_get(struct mm_struct *mm);
/* Reset as an ASID rollover: this CPU, plus threads running elsewhere now. */
void flb_track_rollover(struct flb_track *t);

/* The PMU cycle counter as a clock (cycles.c): one pinned event per CPU. */
struct flb_cycles {
	struct perf_event **ev;	/* by CPU, NULL where none */
	u64 hz;			/* cycles per second, measured at open */
	atomic_t bad;		/* CPUs where the event did not count */
};

int flb_cycles_open(struct flb_cycles *c);
void flb_cycles_close(struct flb_cycles *c);
/* Cycles on this CPU, named in *cpu; *cpu = -1 where nothing counts. */
u64 flb_cycles_read(struct flb_cycles *c, int *cpu);
bool flb_cycles_available(void);

long flb_cmd_tlbi(struct flb_tlbi *t);
long flb_cmd_memregion(struct flb_file *ff, struct flb_memregion *m);
long flb_cmd_race(struct flb_race *r);

/* dma.c: the PCI driver (edu, or any device via driver_override) */
#ifdef CONFIG_PCI
int flb_dma_init(void);
void flb_dma_exit(void);
long flb_cmd_dma(struct flb_dma *d);
long flb_cmd_dma_check(struct flb_dma_check *c);
#else
static inline int flb_dma_init(void) { return 0; }
static inline void flb_dma_exit(void) { }
static inline long flb_cmd_dma(struct flb_dma *d) { return -ENODEV; }
static inline long flb_cmd_dma_check(struct flb_dma_check *c) { return -ENODEV; }
#endif

#endif /* FLB_INTERNAL_H */
