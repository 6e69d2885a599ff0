// SPDX-License-Identifier: GPL-2.0
/*
 * FLB_IOC_TLBI: N invalidations of the caller's own pages (its mm/ASID),
 * each timed alone, with policy local, broadcast or auto.
 *
 * auto follows flush_tlb_user_pre() of "arm64: tlbflush: Don't broadcast
 * if mm was only active on local cpu" (v2): a tracking word holds
 * the one CPU the task has run on (or "multiple"), kept by preempt
 * notifiers on the calling task (where the kernel has them; else noted at
 * each decision); under migrate_disable() the barrier
 * (dsb ish or dsb ishst) is issued, the word re-read, and the TLBI is local
 * only when it names this CPU. The word stays "multiple" once the task has
 * moved, as the patch's active_cpu does until the next ASID rollover.
 */
#include <linux/cpumask.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>

#include "flb_arch.h"
#include "flb_internal.h"

#define FLB_CPU_MULTIPLE	(-1)

struct flb_tracker {
#ifdef CONFIG_PREEMPT_NOTIFIERS
	struct preempt_notifier pn;
#endif
	atomic_t active_cpu;	/* the one CPU the task ran on, or FLB_CPU_MULTIPLE */
	atomic_t migrations;
};

/* The task runs on cpu: the word turns "multiple" on the first move. */
static void flb_tracker_note(struct flb_tracker *t, int cpu)
{
	int old = atomic_read(&t->active_cpu);

	if (old != cpu && old != FLB_CPU_MULTIPLE) {
		atomic_set(&t->active_cpu, FLB_CPU_MULTIPLE);
		atomic_inc(&t->migrations);
	}
}

#ifdef CONFIG_PREEMPT_NOTIFIERS
/*
 * Preempt notifiers see every schedule-in of the task, as the patch's
 * context-switch hook does.
 */
static void flb_tracker_sched_in(struct preempt_notifier *pn, int cpu)
{
	flb_tracker_note(container_of(pn, struct flb_tracker, pn), cpu);
}

static void flb_tracker_sched_out(struct preempt_notifier *pn,
				 struct task_struct *next)
{
}

static struct preempt_ops flb_tracker_ops = {
	.sched_in = flb_tracker_sched_in,
	.sched_out = flb_tracker_sched_out,
};

static void flb_tracker_start(struct flb_tracker *t)
{
	preempt_notifier_init(&t->pn, &flb_tracker_ops);
	atomic_set(&t->migrations, 0);
	preempt_disable();
	atomic_set(&t->active_cpu, smp_processor_id());
	preempt_notifier_register(&t->pn);
	preempt_enable();
}

static void flb_tracker_stop(struct flb_tracker *t)
{
	preempt_disable();
	preempt_notifier_unregister(&t->pn);
	preempt_enable();
}

bool flb_tlbi_notifiers(void)
{
	return true;
}

void flb_tlbi_init(void)
{
	preempt_notifier_inc();
}

void flb_tlbi_exit(void)
{
	preempt_notifier_dec();
}
#else
/*
 * Without preempt notifiers (arm64 PREEMPT_RT has no KVM to select them)
 * the task's CPU is only noted at each auto decision: a move is seen at
 * the next invalidation rather than when it happens.
 */
static void flb_tracker_start(struct flb_tracker *t)
{
	atomic_set(&t->migrations, 0);
	atomic_set(&t->active_cpu, raw_smp_processor_id());
}

static void flb_tracker_stop(struct flb_tracker *t)
{
}

bool flb_tlbi_notifiers(void)
{
	return false;
}

void flb_tlbi_init(void)
{
}

void flb_tlbi_exit(void)
{
}
#endif

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

/* One timed invalidation; returns true if it was local. */
static bool flb_tlbi_one(struct flb_tlbi *t, struct flb_tracker *tr,
			struct mm_struct *mm)
{
	bool local;

	if (t->policy == FLB_TLBI_AUTO) {
		migrate_disable();
		flb_tracker_note(tr, raw_smp_processor_id());
	}
	if (t->barrier == FLB_BARRIER_ISH)
		flb_arch_barrier_ish();
	else
		flb_arch_barrier_ishst();
	local = atomic_read(&tr->active_cpu) == raw_smp_processor_id();
	if (t->policy != FLB_TLBI_AUTO)
		local = t->policy == FLB_TLBI_LOCAL;
	if (local)
		flb_arch_tlbi_local(mm, t->addr, t->pages);
	else
		flb_arch_tlbi_broadcast(mm, t->addr, t->pages);
	if (t->policy == FLB_TLBI_AUTO)
		migrate_enable();
	return local;
}

static int flb_tlbi_check(const struct flb_tlbi *t)
{
	if (t->flags || !flb_all_zero(t->reserved, ARRAY_SIZE(t->reserved)))
		return -EINVAL;
	if (t->policy > FLB_TLBI_AUTO || t->barrier > FLB_BARRIER_ISHST)
		return -EINVAL;
	if (!t->iterations || !t->pages || !t->addr)
		return -EINVAL;
	if (t->iterations > FLB_MAX_TLBI_ITERATIONS ||
	    t->pages > FLB_MAX_TLBI_PAGES)
		return -E2BIG;
	if (t->migrate_every > t->iterations)
		return -EINVAL;
	if (!PAGE_ALIGNED(t->addr))
		return -EINVAL;
	if (!access_ok((void __user *)(unsigned long)t->addr,
		       t->pages * PAGE_SIZE))
		return -EFAULT;
	return 0;
}

long flb_cmd_tlbi(struct flb_tlbi *t)
{
	struct mm_struct *mm = current->mm;
	cpumask_var_t saved;
	struct flb_tracker tr;
	u64 *ns, *ticks, i, t0, c0, start;
	long ret;

	ret = flb_tlbi_check(t);
	if (ret)
		return ret;
	if (!mm)
		return -EINVAL;
	memset(&t->out, 0, sizeof(t->out));

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
	flb_tracker_start(&tr);
	start = ktime_get_ns();
	for (i = 0; i < t->iterations; i++) {
		if (t->migrate_every && i && !(i % t->migrate_every))
			flb_hop();
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		t0 = ktime_get_ns();
		c0 = flb_arch_ticks();
		if (flb_tlbi_one(t, &tr, mm))
			t->chose_local++;
		else
			t->chose_broadcast++;
		ticks[i] = flb_arch_ticks() - c0;
		ns[i] = ktime_get_ns() - t0;
		/* a resched point between operations, outside their timing */
		cond_resched();
	}
	t->total_ns = ktime_get_ns() - start;
	flb_tracker_stop(&tr);
	if (t->migrate_every)
		set_cpus_allowed_ptr(current, saved);
	free_cpumask_var(saved);
	if (ret)
		goto out_free;

	t->migrations = atomic_read(&tr.migrations);
	t->repeat_tlbi = t->chose_broadcast && flb_arch_tlbi_repeated();
	flb_lat_fill(&t->ns, ns, t->iterations);
	flb_lat_fill(&t->ticks, ticks, t->iterations);
out_free:
	kvfree(ticks);
	kvfree(ns);
	return ret;
}
