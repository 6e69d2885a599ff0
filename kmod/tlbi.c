// SPDX-License-Identifier: GPL-2.0
/*
 * FLB_IOC_TLBI: N invalidations of the caller's own pages (its mm/ASID),
 * each timed alone, under one of the policies of flushbench_uapi.h.
 *
 * An operation models a flush the kernel issues after changing PTEs:
 *  1. every page is touched (get_user): its translation is live in the TLB;
 *  2. each page's real PTE is stored again, unchanged (a cmpxchg of its
 *     value under the PTE lock, so a concurrent hardware access/dirty
 *     update is never lost): the page-table store the barrier must order, as in "The load of mm->context.active_cpu must
 *     not be reordered before the store to the pgtable that necessitated
 *     this flush";
 *  3. timed: the policy's barrier and decision, the TLBIs of the range and
 *     their one completion, and migrate_enable() where the policy needs it.
 *
 * auto-v2 follows flush_tlb_user_pre()/flush_tlb_user_post() of "arm64:
 * tlbflush: Don't broadcast if mm was only active on local cpu" (v2, linux-
 * arm-kernel, 2026-05-23, as quoted in Will Deacon's review of 2026-06-14):
 * migrate_disable(); self = smp_processor_id(); a speculative
 * READ_ONCE(active_cpu); if it names self, dsb(ish) and read again, else
 * dsb(ishst); local = active == self; migrate_enable() before a broadcast,
 * after the local TLBI's dsb(nsh) otherwise. Without the TLBF_NOBROADCAST
 * branch (the reviewers asked for it to be split out; nothing here issues
 * spurious-fault fixups).
 */
#include <linux/cpumask.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>

#include "flb_arch.h"
#include "flb_internal.h"

/* One call's state. */
struct flb_op {
	struct flb_tlbi *t;
	struct flb_track *tr;
	struct mm_struct *mm;
	bool move_inside;	/* move during this operation (FLB_TLBI_MOVE_INSIDE) */
};

static int flb_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void flb_lat_fill(struct flb_lat *lat, u64 *v, size_t n)
{
	sort(v, n, sizeof(*v), flb_cmp_u64, NULL);
	lat->min = v[0];
	lat->median = v[n / 2];
	lat->p99 = v[(n * 99) / 100];
	lat->max = v[n - 1];
}

/* Median over 9 rounds of the per-pair cost of migrate_disable+enable. */
static u64 flb_migrate_pair_ns(void)
{
	u64 round[9], t0;
	int r, i;

	for (r = 0; r < ARRAY_SIZE(round); r++) {
		t0 = ktime_get_ns();
		for (i = 0; i < 256; i++) {
			migrate_disable();
			migrate_enable();
		}
		round[r] = (ktime_get_ns() - t0) / 256;
	}
	sort(round, ARRAY_SIZE(round), sizeof(round[0]), flb_cmp_u64, NULL);
	return round[ARRAY_SIZE(round) / 2];
}

/* Move the caller to the next online CPU (for migrate_every). */
static void flb_hop(void)
{
	unsigned int next = cpumask_next(raw_smp_processor_id(), cpu_online_mask);

	if (next >= nr_cpu_ids)
		next = cpumask_first(cpu_online_mask);
	set_cpus_allowed_ptr(current, cpumask_of(next));
}

/* Step 1: a live translation for every page. */
static int flb_touch(unsigned long addr, unsigned long pages)
{
	unsigned long p;
	char c;

	for (p = 0; p < pages; p++)
		if (get_user(c, (const char __user *)(addr + p * PAGE_SIZE)))
			return -EFAULT;
	return 0;
}

/*
 * Step 2: a real store to each page's PTE. The value is unchanged, so no
 * access-flag fault or dirty tracking follows; cmpxchg always writes when
 * it matches, and when the hardware changed the PTE meanwhile, its store
 * is the one that happened.
 */
static int flb_pte_store(struct mm_struct *mm, unsigned long addr,
			 unsigned long pages)
{
	struct vm_area_struct *vma;
	unsigned long p, a;
	spinlock_t *ptl;
	pteval_t v;
	pte_t *ptep;
	int ret = 0;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	for (p = 0; p < pages && !ret; p++) {
		a = addr + p * PAGE_SIZE;
		vma = vma_lookup(mm, a);
		if (!vma || follow_pte(mm, a, &ptep, &ptl)) {
			ret = -EFAULT;
			break;
		}
		v = pte_val(ptep_get(ptep));
		cmpxchg((pteval_t *)ptep, v, v);
		pte_unmap_unlock(ptep, ptl);
	}
	mmap_read_unlock(mm);
	return ret;
}

static void flb_local(struct flb_op *o, bool ish)
{
	flb_arch_tlbi_local(o->mm, o->t->addr, o->t->pages, ish);
}

static void flb_broadcast(struct flb_op *o)
{
	flb_arch_tlbi_broadcast(o->mm, o->t->addr, o->t->pages, &o->tr->cpus);
}

/*
 * The patch's read of active_cpu: speculative, then dsb(ish) and a second
 * read when it names this CPU, else dsb(ishst).
 */
static int flb_read_active(struct flb_track *tr, int self)
{
	int active = READ_ONCE(tr->active_cpu);

	if (active == self) {
		flb_arch_barrier_ish();
		active = READ_ONCE(tr->active_cpu);
	} else {
		flb_arch_barrier_ishst();
	}
	return active;
}

/* flush_tlb_user_pre() without TLBF_NOBROADCAST; ishst: the review's variant. */
static bool flb_pre(struct flb_track *tr, bool ishst)
{
	int self, active;
	bool local;

	migrate_disable();
	self = smp_processor_id();
	if (ishst) {
		flb_arch_barrier_ishst();
		active = READ_ONCE(tr->active_cpu);
	} else {
		active = flb_read_active(tr, self);
	}
	local = active == self;
	if (!local)
		migrate_enable();
	return local;
}

/* flush_tlb_user_post() */
static void flb_post(bool local)
{
	if (local)
		migrate_enable();
}

/*
 * auto-recheck (Ryan Roberts' reply): no migrate_disable(); the local
 * TLBI completes with dsb(ish) (Will Deacon: "the post-invalidation DSB
 * needs to be ISH for the local case to check the active_cpu safely"),
 * then active_cpu is read again; a move since the first read made it
 * "multiple", and the range is broadcast after all.
 */
static bool flb_recheck(struct flb_op *o)
{
	int self = raw_smp_processor_id();

	if (flb_read_active(o->tr, self) == self) {
		if (o->move_inside)
			flb_hop();
		flb_local(o, true);
		if (READ_ONCE(o->tr->active_cpu) == self)
			return true;
		o->t->upgraded++;
	}
	flb_broadcast(o);
	return false;
}

/*
 * auto-retry (the "kernel mode restartable sequence" idea): no
 * migrate_disable(); if the task was switched out between the read of
 * active_cpu and the end of the local TLBI, the operation starts again
 * (a moved task then reads "multiple" and broadcasts).
 */
static bool flb_retry(struct flb_op *o)
{
	unsigned long sw;
	bool move = o->move_inside;
	int self;

	for (;;) {
		sw = READ_ONCE(current->nvcsw) + READ_ONCE(current->nivcsw);
		self = raw_smp_processor_id();
		if (flb_read_active(o->tr, self) != self) {
			flb_broadcast(o);
			return false;
		}
		if (move) {
			flb_hop();
			move = false;
		}
		flb_local(o, false);
		barrier();
		if (sw == READ_ONCE(current->nvcsw) + READ_ONCE(current->nivcsw) &&
		    self == raw_smp_processor_id())
			return true;
		o->t->retries++;
	}
}

/* Step 3, timed by the caller; returns true if the range went local. */
static bool flb_tlbi_op(struct flb_op *o)
{
	bool local;

	switch (o->t->policy) {
	case FLB_TLBI_LOCAL:
		flb_arch_barrier_ishst();
		flb_local(o, false);
		return true;
	case FLB_TLBI_AUTO_RECHECK:
		return flb_recheck(o);
	case FLB_TLBI_AUTO_RETRY:
		return flb_retry(o);
	case FLB_TLBI_AUTO_NOERRATUM:
		if (flb_arch_tlbi_repeated())
			break;
		fallthrough;
	case FLB_TLBI_AUTO_V2:
	case FLB_TLBI_AUTO_ISHST:
		local = flb_pre(o->tr, o->t->policy == FLB_TLBI_AUTO_ISHST);
		if (local)
			flb_local(o, false);
		else
			flb_broadcast(o);
		flb_post(local);
		return local;
	}
	/* broadcast, the code before the patch: dsb(ishst), TLBIs, sync */
	flb_arch_barrier_ishst();
	flb_broadcast(o);
	return false;
}

static int flb_tlbi_check(const struct flb_tlbi *t)
{
	if ((t->flags & ~FLB_TLBI_FLAGS) ||
	    !flb_all_zero(t->reserved, ARRAY_SIZE(t->reserved)))
		return -EINVAL;
	if (t->policy > FLB_TLBI_AUTO_NOERRATUM)
		return -EINVAL;
	if (!t->iterations || !t->pages || !t->addr)
		return -EINVAL;
	if (t->iterations > FLB_MAX_TLBI_ITERATIONS ||
	    t->pages > FLB_MAX_TLBI_PAGES)
		return -E2BIG;
	if (t->migrate_every > t->iterations)
		return -EINVAL;
	/* a move inside the operation: only where migration is not disabled */
	if ((t->flags & FLB_TLBI_MOVE_INSIDE) &&
	    (!t->migrate_every || (t->policy != FLB_TLBI_AUTO_RECHECK &&
				   t->policy != FLB_TLBI_AUTO_RETRY)))
		return -EINVAL;
	if (!PAGE_ALIGNED(t->addr))
		return -EINVAL;
	if (!access_ok((void __user *)(unsigned long)t->addr,
		       t->pages * PAGE_SIZE))
		return -EFAULT;
	return 0;
}

static void flb_note_cpu(struct flb_tlbi *t, int *last)
{
	int cpu = raw_smp_processor_id();

	if (cpu != *last)
		t->migrations++;
	*last = cpu;
}

long flb_cmd_tlbi(struct flb_tlbi *t)
{
	struct flb_op o = { .t = t, .mm = current->mm };
	u64 *ns, *ticks, i, t0, c0, start;
	long ret, switches;
	cpumask_var_t saved;
	bool hop;
	int last, active;

	ret = flb_tlbi_check(t);
	if (ret)
		return ret;
	if (!o.mm)
		return -EINVAL;
	memset(&t->out, 0, sizeof(t->out));
	o.tr = flb_track_get(o.mm);
	if (IS_ERR(o.tr))
		return PTR_ERR(o.tr);

	ns = kvmalloc_array(t->iterations, sizeof(*ns), GFP_KERNEL);
	ticks = kvmalloc_array(t->iterations, sizeof(*ticks), GFP_KERNEL);
	if (!ns || !ticks) {
		ret = -ENOMEM;
		goto out_free;
	}
	if (!zalloc_cpumask_var(&saved, GFP_KERNEL)) {
		ret = -ENOMEM;
		goto out_free;
	}
	cpumask_copy(saved, current->cpus_ptr);

	t->migrate_pair_ns = flb_migrate_pair_ns();
	if (t->flags & FLB_TLBI_ROLLOVER) {
		flb_track_rollover(o.tr);
		/* the rollover's flush: no stale entry of the range anywhere */
		flb_arch_tlbi_broadcast(o.mm, t->addr, t->pages, cpu_online_mask);
	}
	switches = atomic_long_read(&o.tr->switch_ins);
	last = raw_smp_processor_id();
	start = ktime_get_ns();
	for (i = 0; i < t->iterations; i++) {
		hop = t->migrate_every && i && !(i % t->migrate_every);
		o.move_inside = hop && (t->flags & FLB_TLBI_MOVE_INSIDE);
		if (hop && !o.move_inside)
			flb_hop();
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		ret = flb_touch(t->addr, t->pages);
		if (!ret)
			ret = flb_pte_store(o.mm, t->addr, t->pages);
		if (ret)
			break;
		flb_note_cpu(t, &last);
		t0 = ktime_get_ns();
		c0 = flb_arch_ticks();
		if (flb_tlbi_op(&o))
			t->chose_local++;
		else
			t->chose_broadcast++;
		ticks[i] = flb_arch_ticks() - c0;
		ns[i] = ktime_get_ns() - t0;
		flb_note_cpu(t, &last);
		/* a resched point between operations, outside their timing */
		cond_resched();
	}
	t->total_ns = ktime_get_ns() - start;
	if (t->migrate_every)
		set_cpus_allowed_ptr(current, saved);
	free_cpumask_var(saved);
	if (ret)
		goto out_free;

	t->switch_ins = atomic_long_read(&o.tr->switch_ins) - switches;
	active = READ_ONCE(o.tr->active_cpu);
	t->active_cpu = active == FLB_CPU_MULTIPLE ? FLB_TRACKER_MULTIPLE : active;
	t->tracked_cpus = cpumask_weight(&o.tr->cpus);
	t->repeat_tlbi = t->chose_broadcast && flb_arch_tlbi_repeated();
	flb_lat_fill(&t->ns, ns, t->iterations);
	flb_lat_fill(&t->ticks, ticks, t->iterations);
out_free:
	kvfree(ticks);
	kvfree(ns);
	return ret;
}
