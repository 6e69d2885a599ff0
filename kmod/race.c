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
 */
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "flb_internal.h"

struct flb_race_run {
	struct flb_race *r;
	struct flb_provider prov;
	u64 *written;		/* per thread: last sequence number written */
	u64 *snapshot;		/* per thread: as seen by the last flush start */
	atomic_t remaining;
	struct completion done;
	bool abort;
	u64 served, skipped, under, flushes;	/* under prov.lock */
};

struct flb_race_thread {
	struct flb_race_run *run;
	unsigned int idx;
	u64 seq;
	struct task_struct *task;
};

static int flb_race_flush(void *arg)
{
	struct flb_race_thread *th = arg;
	struct flb_race_run *run = th->run;
	u64 i;

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

static int flb_race_fn(void *arg)
{
	struct flb_race_thread *th = arg;
	struct flb_race_run *run = th->run;
	bool skipped;
	u64 i;

	for (i = 0; i < run->r->requests && !READ_ONCE(run->abort); i++) {
		th->seq = i + 1;
		WRITE_ONCE(run->written[th->idx], th->seq);
		/* flb_provider_request() orders the write before its reads. */
		flb_provider_request(&run->prov, run->r->gen_skip, &flb_race_ops,
				    th, &skipped, NULL);
		flb_spin_ns(get_random_u32() % (run->r->global_ns / 2 + 1), false);
	}
	if (atomic_dec_and_test(&run->remaining))
		complete(&run->done);
	return 0;
}

static int flb_race_check(const struct flb_race *r)
{
	if (r->flags || !flb_all_zero(r->reserved, ARRAY_SIZE(r->reserved)))
		return -EINVAL;
	if (r->gen_skip > FLB_GEN_SKIP_BATCHED)
		return -EINVAL;
	if (r->threads < 2 || !r->requests || !r->global_ns)
		return -EINVAL;
	if (r->threads > FLB_MAX_RACE_THREADS ||
	    r->requests > FLB_MAX_RACE_REQUESTS ||
	    r->global_ns > FLB_MAX_GLOBAL_NS)
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
	if (!run->written || !run->snapshot) {
		ret = -ENOMEM;
		goto out_free_slots;
	}
	run->r = r;
	flb_provider_init(&run->prov);
	atomic_set(&run->remaining, r->threads);
	init_completion(&run->done);

	cpu = cpumask_first(cpu_online_mask);
	for (i = 0; i < r->threads; i++) {
		th[i].run = run;
		th[i].idx = i;
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

	start = ktime_get_ns();
	for (i = 0; i < r->threads; i++)
		wake_up_process(th[i].task);
	if (wait_for_completion_interruptible(&run->done)) {
		/* Each thread stops after its current request: bounded. */
		WRITE_ONCE(run->abort, true);
		ret = -EINTR;
		wait_for_completion(&run->done);
	}
	r->total_ns = ktime_get_ns() - start;
	r->served = run->served;
	r->skipped = run->skipped;
	r->under_flushes = run->under;
	r->flushes = run->flushes;
	r->max_batch = run->prov.max_batch;

out_stop:
	for (i = 0; i < r->threads && th[i].task; i++) {
		kthread_stop(th[i].task);
		put_task_struct(th[i].task);
	}
out_free_slots:
	kfree(run->snapshot);
	kfree(run->written);
out_free:
	kfree(th);
	kfree(run);
	return ret;
}
