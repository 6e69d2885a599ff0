// SPDX-License-Identifier: GPL-2.0
/*
 * FLB_IOC_RACE: the gen_skip race detector. K kernel threads, spread over
 * the online CPUs, each repeatedly write a new sequence number into their
 * own slot ("dirty their data") and then request a global flush from a
 * private provider. The simulated global flush snapshots every slot when
 * it begins (what a flush that starts now is guaranteed to write back) and
 * then lasts global_ns; between requests each thread works for a random
 * time up to global_ns / 2, so writes land while flushes are running
 * rather than only while every thread is queued on the lock.
 * When a request is served, under the provider lock, its slot in the
 * snapshot of the flush that served it must hold its sequence number;
 * if not, the request was satisfied by a flush that began before its
 * write: an under-flush. racy finds them; off and batched must not.
 *
 * registration (issue 13): the request reaches a registered method the
 * way the posted generic cpu_cache_invalidate_memregion() of "[PATCH v2
 * 2/8] generic: Support ARCH_HAS_CPU_CACHE_INVALIDATE_MEMREGION" does
 * (spin_lock_irqsave over the lookup and the call), or by the review's
 * alternatives (cmpxchg registration with a lockless lookup, RCU, an
 * rwsem). The method is a non-sleeping simulated flush run by every
 * request; a registrar thread may unregister and re-register it every
 * churn_us. The method carries its registration's generation in live,
 * set to 0 once an unregistration has returned: a call that begins with
 * live 0, or ends with live moved, ran after the unregistration that
 * should have excluded it (a stale call). A probe on each thread's CPU
 * shows how long interrupts were held off.
 */
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "flb_internal.h"

struct flb_race_thread;

/* A registered flush method (system_cache_flush_method of the patch). */
struct flb_reg_method {
	void (*invalidate)(struct flb_reg_method *m, struct flb_race_thread *th);
	atomic64_t live;	/* its registration's generation; 0: unregistered */
};

struct flb_race_run {
	struct flb_race *r;
	struct flb_provider prov;
	u64 *written;		/* per thread: last sequence number written */
	u64 *snapshot;		/* per thread: as seen by the last flush start (direct) */
	u64 *snaps;		/* registration: threads x threads, one snapshot per thread */
	atomic_t remaining;
	struct completion done;
	bool abort;
	u64 served, skipped, under, flushes;	/* direct: under prov.lock */
	/* registration modes */
	struct flb_reg_method method;
	struct flb_reg_method *pub;		/* spinlock, cmpxchg, rwsem: scfm_data */
	struct flb_reg_method __rcu *rcu_pub;	/* rcu */
	spinlock_t lock;			/* spinlock: scfm_lock */
	struct rw_semaphore rwsem;
	u64 gen;				/* the registrar's last generation */
	u64 unregistrations;			/* the registrar's */
};

struct flb_race_thread {
	struct flb_race_run *run;
	unsigned int idx;
	u64 seq;
	u64 entered;		/* ktime the current request entered */
	u64 *snap;		/* registration: this thread's flush snapshot */
	u64 served, flushes, under, no_method, stale;	/* registration */
	u64 max_wait, irq_late;
	struct task_struct *task;
};

/* The current request's flush begins at now. */
static void flb_race_waited(struct flb_race_thread *th, u64 now)
{
	if (now - th->entered > th->max_wait)
		th->max_wait = now - th->entered;
}

static int flb_race_flush(void *arg)
{
	struct flb_race_thread *th = arg;
	struct flb_race_run *run = th->run;
	u64 i;

	flb_race_waited(th, ktime_get_ns());
	for (i = 0; i < run->r->threads; i++)
		run->snapshot[i] = READ_ONCE(run->written[i]);
	flb_spin_ns(run->r->global_ns, false);
	run->flushes++;
	return 0;
}

static void flb_race_served(void *arg, bool skipped)
{
	struct flb_race_thread *th = arg;
	struct flb_race_run *run = th->run;

	run->served++;
	run->skipped += skipped;
	if (run->snapshot[th->idx] < th->seq)
		run->under++;
}

static const struct flb_provider_ops flb_race_ops = {
	.flush = flb_race_flush,
	.served = flb_race_served,
};

/*
 * The registered method: the same snapshot-then-spin as flb_race_flush(),
 * without a resched point or a lock, since it may run under a spinlock
 * with interrupts off or in an RCU read-side section.
 */
static void flb_reg_invalidate(struct flb_reg_method *m, struct flb_race_thread *th)
{
	struct flb_race_run *run = th->run;
	s64 gen = atomic64_read(&m->live);
	u64 t0 = ktime_get_ns(), i;

	flb_race_waited(th, t0);
	for (i = 0; i < run->r->threads; i++)
		th->snap[i] = READ_ONCE(run->written[i]);
	while (ktime_get_ns() - t0 < run->r->global_ns)
		cpu_relax();
	th->flushes++;
	/* begun after its unregistration returned, or still running then */
	if (!gen || atomic64_read(&m->live) != gen)
		th->stale++;
}

/* One request through the registration layer: cpu_cache_invalidate_memregion(). */
static void flb_reg_request(struct flb_race_thread *th)
{
	struct flb_race_run *run = th->run;
	struct flb_reg_method *m;
	unsigned long flags;

	th->entered = ktime_get_ns();
	switch (run->r->registration) {
	case FLB_REG_SPINLOCK:
		/* as posted: guard(spinlock_irqsave)(&scfm_lock) over both */
		spin_lock_irqsave(&run->lock, flags);
		m = run->pub;
		if (m)
			m->invalidate(m, th);
		spin_unlock_irqrestore(&run->lock, flags);
		break;
	case FLB_REG_CMPXCHG:
		/* pairs with the registrar's cmpxchg: live is seen set */
		m = smp_load_acquire(&run->pub);
		if (m)
			m->invalidate(m, th);
		break;
	case FLB_REG_RCU:
		rcu_read_lock();
		m = rcu_dereference(run->rcu_pub);
		if (m)
			m->invalidate(m, th);
		rcu_read_unlock();
		break;
	default:
		down_read(&run->rwsem);
		m = run->pub;
		if (m)
			m->invalidate(m, th);
		up_read(&run->rwsem);
		break;
	}
	th->served++;
	if (!m) {
		/* -EOPNOTSUPP: answered without a flush, not an under-flush */
		th->no_method++;
		return;
	}
	if (th->snap[th->idx] < th->seq)
		th->under++;
}

/* Publish m (or NULL: unregister, and wait until no call can run it). */
static void flb_reg_publish(struct flb_race_run *run, struct flb_reg_method *m)
{
	unsigned long flags;

	switch (run->r->registration) {
	case FLB_REG_SPINLOCK:
		spin_lock_irqsave(&run->lock, flags);
		run->pub = m;
		spin_unlock_irqrestore(&run->lock, flags);
		break;
	case FLB_REG_CMPXCHG:
		/* no grace period: a caller that loaded the pointer may still call */
		if (m)
			cmpxchg(&run->pub, NULL, m);
		else
			cmpxchg(&run->pub, &run->method, NULL);
		break;
	case FLB_REG_RCU:
		rcu_assign_pointer(run->rcu_pub, m);
		if (!m)
			synchronize_rcu();
		break;
	default:
		down_write(&run->rwsem);
		run->pub = m;
		up_write(&run->rwsem);
		break;
	}
}

/* live is set first: the publication (a lock, release or cmpxchg) orders it. */
static void flb_reg_register(struct flb_race_run *run)
{
	atomic64_set(&run->method.live, ++run->gen);
	flb_reg_publish(run, &run->method);
}

static void flb_reg_unregister(struct flb_race_run *run)
{
	flb_reg_publish(run, NULL);
	/* the unregistration returned: no call may run the method now */
	atomic64_set(&run->method.live, 0);
}

/* The registrar: unregister and re-register every churn_us until stopped. */
static int flb_registrar_fn(void *arg)
{
	struct flb_race_run *run = arg;
	u64 us = run->r->churn_us;

	while (!kthread_should_stop()) {
		usleep_range(us, us + us / 8);
		if (kthread_should_stop())
			break;
		flb_reg_unregister(run);
		run->unregistrations++;
		flb_reg_register(run);
	}
	return 0;
}

static int flb_race_fn(void *arg)
{
	struct flb_race_thread *th = arg;
	struct flb_race_run *run = th->run;
	struct flb_probe probe;
	bool skipped;
	u64 i;

	/* the thread is bound: its probe stays on its CPU */
	flb_probe_init_on_stack(&probe);
	flb_probe_here(&probe);
	for (i = 0; i < run->r->requests && !READ_ONCE(run->abort); i++) {
		th->seq = i + 1;
		WRITE_ONCE(run->written[th->idx], th->seq);
		if (run->r->registration == FLB_REG_DIRECT) {
			th->entered = ktime_get_ns();
			/* flb_provider_request() orders the write before its reads. */
			flb_provider_request(&run->prov, run->r->gen_skip,
					    &flb_race_ops, th, &skipped, NULL);
		} else {
			flb_reg_request(th);
		}
		cond_resched();
		flb_spin_ns(get_random_u32() % (run->r->global_ns / 2 + 1), false);
	}
	th->irq_late = flb_probe_finish(&probe);
	if (atomic_dec_and_test(&run->remaining))
		complete(&run->done);
	return 0;
}

static int flb_race_check(const struct flb_race *r)
{
	if (r->flags || !flb_all_zero(r->reserved, ARRAY_SIZE(r->reserved)))
		return -EINVAL;
	if (r->gen_skip > FLB_GEN_SKIP_BATCHED || r->registration > FLB_REG_RWSEM)
		return -EINVAL;
	/* the provider's mutex cannot be taken under the spinlock */
	if (r->registration != FLB_REG_DIRECT && r->gen_skip != FLB_GEN_SKIP_OFF)
		return -EINVAL;
	if (r->churn_us && (r->registration == FLB_REG_DIRECT ||
			    r->churn_us < FLB_MIN_CHURN_US))
		return -EINVAL;
	if (r->threads < 2 || !r->requests || !r->global_ns)
		return -EINVAL;
	if (r->threads > FLB_MAX_RACE_THREADS ||
	    r->requests > FLB_MAX_RACE_REQUESTS ||
	    r->global_ns > FLB_MAX_GLOBAL_NS ||
	    r->churn_us > FLB_MAX_CHURN_US)
		return -E2BIG;
	/* a CPU waits for the others' calls, then calls: interrupts off */
	if (r->registration == FLB_REG_SPINLOCK &&
	    r->global_ns * min_t(u64, r->threads, num_online_cpus()) > FLB_MAX_IRQOFF_NS)
		return -E2BIG;
	/* Worst case (off): every request flushes; keep it under 30 s. */
	if (r->threads * r->requests * r->global_ns > 30 * NSEC_PER_SEC)
		return -E2BIG;
	return 0;
}

long flb_cmd_race(struct flb_race *r)
{
	struct flb_race_run *run;
	struct flb_race_thread *th;
	struct task_struct *registrar = NULL;
	unsigned int i, cpu;
	u64 start;
	long ret = 0;

	ret = flb_race_check(r);
	if (ret)
		return ret;
	memset(&r->out, 0, sizeof(r->out));

	run = kzalloc(sizeof(*run), GFP_KERNEL);
	th = kcalloc(r->threads, sizeof(*th), GFP_KERNEL);
	if (!run || !th) {
		ret = -ENOMEM;
		goto out_free;
	}
	run->written = kcalloc(r->threads, sizeof(u64), GFP_KERNEL);
	run->snapshot = kcalloc(r->threads, sizeof(u64), GFP_KERNEL);
	run->snaps = kcalloc(r->threads * r->threads, sizeof(u64), GFP_KERNEL);
	if (!run->written || !run->snapshot || !run->snaps) {
		ret = -ENOMEM;
		goto out_free_slots;
	}
	run->r = r;
	flb_provider_init(&run->prov);
	run->method.invalidate = flb_reg_invalidate;
	spin_lock_init(&run->lock);
	init_rwsem(&run->rwsem);
	if (r->registration != FLB_REG_DIRECT)
		flb_reg_register(run);
	atomic_set(&run->remaining, r->threads);
	init_completion(&run->done);

	cpu = cpumask_first(cpu_online_mask);
	for (i = 0; i < r->threads; i++) {
		th[i].run = run;
		th[i].idx = i;
		th[i].snap = run->snaps + (u64)i * r->threads;
		th[i].task = kthread_create(flb_race_fn, &th[i], "flb_race/%u", i);
		if (IS_ERR(th[i].task)) {
			ret = PTR_ERR(th[i].task);
			th[i].task = NULL;
			goto out_stop;
		}
		get_task_struct(th[i].task);
		kthread_bind(th[i].task, cpu);
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
	}

	if (r->churn_us) {
		registrar = kthread_create(flb_registrar_fn, run, "flb_race_reg");
		if (IS_ERR(registrar)) {
			ret = PTR_ERR(registrar);
			registrar = NULL;
			goto out_stop;
		}
		get_task_struct(registrar);
	}

	start = ktime_get_ns();
	for (i = 0; i < r->threads; i++)
		wake_up_process(th[i].task);
	if (registrar)
		wake_up_process(registrar);
	if (wait_for_completion_interruptible(&run->done)) {
		/* Each thread stops after its current request: bounded. */
		WRITE_ONCE(run->abort, true);
		ret = -EINTR;
		wait_for_completion(&run->done);
	}
	r->total_ns = ktime_get_ns() - start;
	/* at most one churn_us sleep and one cycle */
	if (registrar) {
		kthread_stop(registrar);
		put_task_struct(registrar);
		registrar = NULL;
	}
	r->served = run->served;
	r->skipped = run->skipped;
	r->under_flushes = run->under;
	r->flushes = run->flushes;
	r->max_batch = run->prov.max_batch;
	r->unregistrations = run->unregistrations;
	for (i = 0; i < r->threads; i++) {
		r->served += th[i].served;
		r->flushes += th[i].flushes;
		r->under_flushes += th[i].under;
		r->no_method += th[i].no_method;
		r->stale_calls += th[i].stale;
		r->max_wait_ns = max(r->max_wait_ns, th[i].max_wait);
		r->max_irq_late_ns = max(r->max_irq_late_ns, th[i].irq_late);
	}

out_stop:
	if (registrar) {
		kthread_stop(registrar);
		put_task_struct(registrar);
	}
	for (i = 0; i < r->threads && th[i].task; i++) {
		kthread_stop(th[i].task);
		put_task_struct(th[i].task);
	}
out_free_slots:
	kfree(run->snaps);
	kfree(run->snapshot);
	kfree(run->written);
out_free:
	kfree(th);
	kfree(run);
	return ret;
}
