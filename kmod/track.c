// SPDX-License-Identifier: GPL-2.0
/*
 * The TLBI tracker: per process (mm), the one CPU it has been switched in
 * on, or "multiple", as mm->context.active_cpu of "arm64: tlbflush: Don't
 * broadcast if mm was only active on local cpu" (v2) keeps it:
 *  - set on switch-in (the patch: check_and_switch_context()); here a
 *    probe on the sched_switch tracepoint, which runs in __schedule() just
 *    before context_switch() switches the mm in, for every task of every
 *    tracked mm;
 *  - it turns "multiple" once a second CPU runs the mm and stays so;
 *  - reset only by an ASID rollover (the patch: new_context()); here
 *    FLB_TLBI_ROLLOVER, which also broadcast-invalidates the caller's
 *    range as the rollover's TLB flush would.
 * A tracker is created by the first FLB_IOC_TLBI of a process and lives
 * across calls and files until the process has exited (then freed when
 * the table needs the slot, or at unload). The x86 broadcast uses the
 * mask of CPUs the mm ran on since the last rollover.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "flb_internal.h"

static struct flb_track __rcu *flb_tracks[FLB_MAX_TRACKED_MMS];
static DEFINE_MUTEX(flb_tracks_lock);	/* inserting and freeing trackers */
static atomic_t flb_ntracked;
static struct tracepoint *flb_tp_switch;

/* The mm runs on cpu: "multiple" from the second CPU on. */
static void flb_track_switch_in(struct flb_track *t, int cpu)
{
	int old = READ_ONCE(t->active_cpu), prev;

	atomic_long_inc(&t->switch_ins);
	if (!cpumask_test_cpu(cpu, &t->cpus))
		cpumask_set_cpu(cpu, &t->cpus);
	while (old != cpu && old != FLB_CPU_MULTIPLE) {
		prev = cmpxchg(&t->active_cpu, old, FLB_CPU_MULTIPLE);
		if (prev == old)
			break;
		old = prev;
	}
}

/* sched_switch (6.1 prototype); preemption is off, RCU-sched held. */
static void flb_track_probe(void *data, bool preempt, struct task_struct *prev,
			    struct task_struct *next, unsigned int prev_state)
{
	struct mm_struct *mm = next->mm;
	struct flb_track *t;
	int i;

	if (!mm || !atomic_read(&flb_ntracked))
		return;
	for (i = 0; i < FLB_MAX_TRACKED_MMS; i++) {
		t = rcu_dereference_sched(flb_tracks[i]);
		if (t && t->mm == mm) {
			flb_track_switch_in(t, smp_processor_id());
			return;
		}
	}
}

/*
 * Other threads of the caller's mm: those that may hold its translations
 * on another CPU. all: every live thread's last CPU (a new tracker: it
 * has no history); else only threads running or runnable now (after a
 * rollover, whose TLB flush voided the rest).
 */
static void flb_track_scan(struct flb_track *t, bool all)
{
	struct task_struct *p;

	rcu_read_lock();
	for_each_thread(current, p) {
		if (p == current || READ_ONCE(p->mm) != t->mm ||
		    (p->flags & PF_EXITING))
			continue;
		if (all || READ_ONCE(p->on_cpu) || READ_ONCE(p->on_rq))
			flb_track_switch_in(t, task_cpu(p));
	}
	rcu_read_unlock();
}

void flb_track_rollover(struct flb_track *t)
{
	int self = get_cpu();

	cpumask_clear(&t->cpus);
	cpumask_set_cpu(self, &t->cpus);
	WRITE_ONCE(t->active_cpu, self);
	put_cpu();
	flb_track_scan(t, false);
}

static struct flb_track *flb_track_find(struct mm_struct *mm)
{
	struct flb_track *t;
	int i;

	rcu_read_lock();
	for (i = 0; i < FLB_MAX_TRACKED_MMS; i++) {
		t = rcu_dereference(flb_tracks[i]);
		if (t && t->mm == mm)
			break;
	}
	rcu_read_unlock();
	/* only flb_track_gc() frees, and never a tracker of a live mm */
	return i < FLB_MAX_TRACKED_MMS ? t : NULL;
}

/* Free the trackers of exited processes (all: every one). Under the lock. */
static void flb_track_gc(bool all)
{
	struct flb_track *dead[FLB_MAX_TRACKED_MMS];
	int i, n = 0;

	for (i = 0; i < FLB_MAX_TRACKED_MMS; i++) {
		struct flb_track *t = rcu_dereference_protected(flb_tracks[i],
				lockdep_is_held(&flb_tracks_lock));

		if (t && (all || !atomic_read(&t->mm->mm_users))) {
			RCU_INIT_POINTER(flb_tracks[i], NULL);
			atomic_dec(&flb_ntracked);
			dead[n++] = t;
		}
	}
	if (!n)
		return;
	synchronize_rcu();	/* probes run under RCU-sched, lookups under RCU */
	for (i = 0; i < n; i++) {
		mmdrop(dead[i]->mm);
		kfree(dead[i]);
	}
}

struct flb_track *flb_track_get(struct mm_struct *mm)
{
	struct flb_track *t = flb_track_find(mm);
	int i;

	if (t)
		return t;
	if (mutex_lock_killable(&flb_tracks_lock))
		return ERR_PTR(-EINTR);
	t = flb_track_find(mm);
	if (t)
		goto out;
	flb_track_gc(false);
	for (i = 0; i < FLB_MAX_TRACKED_MMS; i++)
		if (!rcu_access_pointer(flb_tracks[i]))
			break;
	if (i == FLB_MAX_TRACKED_MMS) {
		t = ERR_PTR(-EBUSY);
		goto out;
	}
	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t) {
		t = ERR_PTR(-ENOMEM);
		goto out;
	}
	mmgrab(mm);
	t->mm = mm;
	t->active_cpu = raw_smp_processor_id();
	cpumask_set_cpu(t->active_cpu, &t->cpus);
	/* published first: a switch-in from here on is the probe's */
	rcu_assign_pointer(flb_tracks[i], t);
	atomic_inc(&flb_ntracked);
	/* the caller may have moved before publication: it counts too */
	flb_track_switch_in(t, raw_smp_processor_id());
	flb_track_scan(t, true);
out:
	mutex_unlock(&flb_tracks_lock);
	return t;
}

static void flb_track_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_switch"))
		flb_tp_switch = tp;
}

int flb_track_init(void)
{
	int ret;

	for_each_kernel_tracepoint(flb_track_find_tp, NULL);
	if (!flb_tp_switch) {
		pr_err("no sched_switch tracepoint: the TLBI tracker needs it\n");
		return -ENOENT;
	}
	ret = tracepoint_probe_register(flb_tp_switch, flb_track_probe, NULL);
	if (ret)
		pr_err("sched_switch probe: %d\n", ret);
	return ret;
}

void flb_track_exit(void)
{
	tracepoint_probe_unregister(flb_tp_switch, flb_track_probe, NULL);
	tracepoint_synchronize_unregister();
	mutex_lock(&flb_tracks_lock);
	flb_track_gc(true);
	mutex_unlock(&flb_tracks_lock);
}
