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
#include <linux/math64.h>
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

/*
 * policy spin: a dependent multiply-add chain, kept by an empty asm. One
 * copy, aligned, for every caller: under TCG a loop's speed depends on
 * where its code lies (a translation block that crosses a page is not
 * chained), so inlined copies in two callers ran at different speeds.
 */
static noinline __aligned(64) void flb_spin(u64 n)
{
	u64 x = n;

	while (n--) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		asm volatile("" : "+r" (x));
	}
}

/* Step 3, timed by the caller; returns true if the range went local. */
static bool flb_tlbi_op(struct flb_op *o)
{
	bool local;

	switch (o->t->policy) {
	case FLB_TLBI_SPIN:
		flb_spin(o->t->spin);
		return true;
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
	if (t->policy > FLB_TLBI_SPIN)
		return -EINVAL;
	if (t->spin && t->policy != FLB_TLBI_SPIN)
		return -EINVAL;
	/* batched timing may use the PMU; an operation timed alone may not */
	if (t->clock_req && t->clock_req != flb_arch_clock() &&
	    (t->clock_req != FLB_CLOCK_PMU_CYCLES || t->batch <= 1))
		return -EINVAL;
	if (t->spin > FLB_MAX_SPIN || t->batch > FLB_MAX_TLBI_BATCH)
		return -E2BIG;
	/* batched: no move inside a batch (it would be timed) */
	if (t->batch > t->iterations || (t->batch > 1 && t->migrate_every))
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

/* Steps 1 and 2 (not for spin, which times a chain alone). */
static int flb_prepare(struct flb_op *o)
{
	int ret;

	if (o->t->policy == FLB_TLBI_SPIN)
		return 0;
	ret = flb_touch(o->t->addr, o->t->pages);
	return ret ? ret : flb_pte_store(o->mm, o->t->addr, o->t->pages);
}

static void flb_count(struct flb_tlbi *t, bool local)
{
	if (local)
		t->chose_local++;
	else
		t->chose_broadcast++;
}

/* Each operation timed alone: ns[i], ticks[i]. */
static long flb_run_single(struct flb_op *o, u64 *ns, u64 *ticks)
{
	struct flb_tlbi *t = o->t;
	int last = raw_smp_processor_id();
	bool hop;
	u64 i, t0, c0;
	long ret;

	for (i = 0; i < t->iterations; i++) {
		hop = t->migrate_every && i && !(i % t->migrate_every);
		o->move_inside = hop && (t->flags & FLB_TLBI_MOVE_INSIDE);
		if (hop && !o->move_inside)
			flb_hop();
		if (signal_pending(current))
			return -EINTR;
		ret = flb_prepare(o);
		if (ret)
			return ret;
		flb_note_cpu(t, &last);
		t0 = ktime_get_ns();
		c0 = flb_arch_ticks();
		flb_count(t, flb_tlbi_op(o));
		ticks[i] = flb_arch_ticks() - c0;
		ns[i] = ktime_get_ns() - t0;
		flb_note_cpu(t, &last);
		/* a resched point between operations, outside their timing */
		cond_resched();
	}
	return 0;
}

/* ticks of k operations as ps per operation */
static s64 flb_ps(s64 ticks, u64 k, u64 hz)
{
	return div64_s64(ticks * 1000000LL, (s64)div64_u64(hz * k, 1000000));
}

/* Policies whose path disables migration: their pair is timed in place. */
static bool flb_uses_migrate(const struct flb_tlbi *t)
{
	return t->policy == FLB_TLBI_AUTO_V2 || t->policy == FLB_TLBI_AUTO_ISHST ||
	       (t->policy == FLB_TLBI_AUTO_NOERRATUM && !flb_arch_tlbi_repeated());
}

/* The clock of batched timing: the architected counter or PMU cycles. */
struct flb_clk {
	bool pmu;
	struct flb_cycles cy;
	u64 hz;
};

static u64 flb_clk_read(struct flb_clk *k, int *cpu)
{
	if (k->pmu)
		return flb_cycles_read(&k->cy, cpu);
	*cpu = raw_smp_processor_id();
	return flb_arch_ticks();
}

/* FLB_CLOCK_* the call uses, set up in k; -EOPNOTSUPP if PMU was required. */
static int flb_clk_open(struct flb_clk *k, u64 req)
{
	bool want = req == FLB_CLOCK_PMU_CYCLES || (!req && flb_arch_prefer_pmu());
	int ret;

	k->pmu = false;
	k->hz = flb_arch_counter_hz();
	if (!want)
		return flb_arch_clock();
	ret = flb_cycles_open(&k->cy);
	if (ret == -ENOMEM || (ret && req))
		return ret;
	if (ret)
		return flb_arch_clock();
	k->pmu = true;
	k->hz = k->cy.hz;
	return FLB_CLOCK_PMU_CYCLES;
}

static void flb_clk_close(struct flb_clk *k)
{
	if (k->pmu)
		flb_cycles_close(&k->cy);
}

enum { FLB_PASS_OP, FLB_PASS_BASE, FLB_PASS_MIGRATE };
#define FLB_MAX_REDO	8	/* tries of one batch whose passes keep moving */

/*
 * K operations between two clock reads, and beside them a baseline of
 * K times steps 1 and 2 alone (nothing for spin: an empty loop), timed
 * the same way; for a policy that disables migration, a third pass of K
 * times steps 1 and 2 and a migrate_disable()/migrate_enable() pair. The
 * passes take turns going first. With a per-CPU clock (PMU cycles) a pass
 * that ends on another CPU than it began is not a time: the batch is
 * timed again (redone), at most FLB_MAX_REDO times, else -EAGAIN.
 * d[role]: the pass's clock units; 0 or -errno.
 */
static long flb_batch(struct flb_op *o, struct flb_clk *clk, u64 k, u64 nb,
		      int npass, s64 *d)
{
	struct flb_tlbi *t = o->t;
	u64 cnt[4] = { t->chose_local, t->chose_broadcast, t->upgraded, t->retries };
	int pass, role, cpu0, cpu1, tries;
	u64 j, c0, c1;
	long ret;

	for (tries = 0; tries < FLB_MAX_REDO; tries++) {
		if (tries) {
			/* the counts are of the timed operations */
			t->redone++;
			t->chose_local = cnt[0];
			t->chose_broadcast = cnt[1];
			t->upgraded = cnt[2];
			t->retries = cnt[3];
		}
		cpu1 = cpu0 = 0;
		for (pass = 0; pass < npass && cpu0 == cpu1; pass++) {
			role = (pass + nb) % npass;
			c0 = flb_clk_read(clk, &cpu0);
			for (j = 0; j < k; j++) {
				ret = flb_prepare(o);
				if (ret)
					return ret;
				if (role == FLB_PASS_OP) {
					flb_count(t, flb_tlbi_op(o));
				} else if (role == FLB_PASS_MIGRATE) {
					migrate_disable();
					migrate_enable();
				}
			}
			c1 = flb_clk_read(clk, &cpu1);
			if (cpu0 < 0)
				cpu1 = -2;
			d[role] = c1 - c0;
		}
		if (cpu0 == cpu1)
			return 0;
		if (signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return -EAGAIN;
}

/*
 * est[b]: the batch's time less its baseline's, per operation, in ps;
 * base[b]: the baseline's; mig[b]: the pair's, less the baseline. The
 * difference includes what the flush makes the next touch pay (the refill
 * of `pages` translations), which the baseline does not. The operations of
 * a batch that is timed again count again in chose_local/chose_broadcast.
 */
static long flb_run_batched(struct flb_op *o, struct flb_clk *clk, s64 *est,
			    s64 *base, s64 *mig, u64 *nb)
{
	struct flb_tlbi *t = o->t;
	u64 done = 0, k;
	int last = raw_smp_processor_id(), npass = flb_uses_migrate(t) ? 3 : 2;
	s64 d[3];
	long ret;

	for (*nb = 0; done < t->iterations; (*nb)++, done += k) {
		k = min(t->batch, t->iterations - done);
		if (signal_pending(current))
			return -EINTR;
		ret = flb_batch(o, clk, k, *nb, npass, d);
		if (ret)
			return ret;
		flb_note_cpu(t, &last);
		/* the clock's own account of the time, for a check against ktime */
		t->timed_ns += mul_u64_u64_div_u64(d[FLB_PASS_OP] + d[FLB_PASS_BASE] +
						   (npass == 3 ? d[FLB_PASS_MIGRATE] : 0),
						   NSEC_PER_SEC, clk->hz);
		est[*nb] = flb_ps(d[FLB_PASS_OP] - d[FLB_PASS_BASE], k, clk->hz);
		base[*nb] = flb_ps(d[FLB_PASS_BASE], k, clk->hz);
		mig[*nb] = npass == 3 ?
			flb_ps(d[FLB_PASS_MIGRATE] - d[FLB_PASS_BASE], k, clk->hz) : 0;
		cond_resched();
	}
	return 0;
}

static int flb_cmp_s64(const void *a, const void *b)
{
	s64 x = *(const s64 *)a, y = *(const s64 *)b;

	return x < y ? -1 : x > y;
}

/* Batched: batch_ps, baseline_ps, path_migrate_ps, and ns/ticks as the estimate (>= 0). */
static void flb_batched_fill(struct flb_tlbi *t, s64 *est, s64 *base, s64 *mig,
			     u64 nb, u64 hz)
{
	s64 *v[4] = { &t->batch_ps.min, &t->batch_ps.median, &t->batch_ps.p99,
		      &t->batch_ps.max };
	__u64 *ns[4] = { &t->ns.min, &t->ns.median, &t->ns.p99, &t->ns.max };
	__u64 *tk[4] = { &t->ticks.min, &t->ticks.median, &t->ticks.p99, &t->ticks.max };
	u64 at[4] = { 0, nb / 2, (nb * 99) / 100, nb - 1 };
	int i;

	sort(est, nb, sizeof(*est), flb_cmp_s64, NULL);
	sort(base, nb, sizeof(*base), flb_cmp_s64, NULL);
	sort(mig, nb, sizeof(*mig), flb_cmp_s64, NULL);
	t->baseline_ps = base[nb / 2];
	t->path_migrate_ps = mig[nb / 2];
	t->batches = nb;
	for (i = 0; i < 4; i++) {
		s64 ps = est[at[i]] > 0 ? est[at[i]] : 0;

		*v[i] = est[at[i]];
		*ns[i] = div64_u64(ps + 500, 1000);
		*tk[i] = div64_u64(ps * div64_u64(hz, 1000) + 500000000, 1000000000);
	}
}

long flb_cmd_tlbi(struct flb_tlbi *t)
{
	struct flb_op o = { .t = t, .mm = current->mm };
	struct flb_clk clk = { };
	bool batched = t->batch > 1;
	u64 *ns = NULL, *ticks = NULL, n, start, nb = 0;
	s64 *mig = NULL;
	cpumask_var_t saved;
	long ret, switches;
	int active;

	ret = flb_tlbi_check(t);
	if (ret)
		return ret;
	if (!o.mm)
		return -EINVAL;
	memset(&t->out, 0, sizeof(t->out));
	o.tr = flb_track_get(o.mm);
	if (IS_ERR(o.tr))
		return PTR_ERR(o.tr);

	/* per operation, or per batch (est and base as s64) */
	n = batched ? DIV_ROUND_UP(t->iterations, t->batch) : t->iterations;
	ns = kvmalloc_array(n, sizeof(*ns), GFP_KERNEL);
	ticks = kvmalloc_array(n, sizeof(*ticks), GFP_KERNEL);
	if (batched)
		mig = kvmalloc_array(n, sizeof(*mig), GFP_KERNEL);
	if (!ns || !ticks || (batched && !mig)) {
		ret = -ENOMEM;
		goto out_free;
	}
	if (!zalloc_cpumask_var(&saved, GFP_KERNEL)) {
		ret = -ENOMEM;
		goto out_free;
	}
	cpumask_copy(saved, current->cpus_ptr);

	if (batched) {
		ret = flb_clk_open(&clk, t->clock_req);
		if (ret < 0)
			goto out_mask;
		t->clock = ret;
		t->clock_hz = clk.hz;
	} else {
		t->clock = flb_arch_clock();
	}
	t->migrate_pair_ns = flb_migrate_pair_ns();
	if (t->flags & FLB_TLBI_ROLLOVER) {
		flb_track_rollover(o.tr);
		/* the rollover's flush: no stale entry of the range anywhere */
		flb_arch_tlbi_broadcast(o.mm, t->addr, t->pages, cpu_online_mask);
	}
	switches = atomic_long_read(&o.tr->switch_ins);
	start = ktime_get_ns();
	if (batched)
		ret = flb_run_batched(&o, &clk, (s64 *)ns, (s64 *)ticks, mig, &nb);
	else
		ret = flb_run_single(&o, ns, ticks);
	t->total_ns = ktime_get_ns() - start;
	flb_clk_close(&clk);
out_mask:
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
	if (batched) {
		flb_batched_fill(t, (s64 *)ns, (s64 *)ticks, mig, nb, clk.hz);
	} else {
		flb_lat_fill(&t->ns, ns, t->iterations);
		flb_lat_fill(&t->ticks, ticks, t->iterations);
	}
out_free:
	kvfree(mig);
	kvfree(ticks);
	kvfree(ns);
	return ret;
}
