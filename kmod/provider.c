// SPDX-License-Identifier: GPL-2.0
/*
 * The serialised global-flush provider of "arm64: mm: add SMCCC-backed
 * cache invalidate provider" (RFC 2/2) and its gen_skip
 * policies:
 *  off      every request runs its own flush under the lock;
 *  racy     as posted: read global_flush_gen before taking the lock and
 *           skip if it moved while waiting. A flush that was already
 *           running when the request's data was written also moves it, so
 *           the request can be served by a flush that began too early;
 *  batched  the queue/batch fix: a request notes how many flushes had
 *           started when it arrived (after its write) and may only skip
 *           for a flush with a later start number that completed. Flushes
 *           are serialised, so requests that queue behind a running flush
 *           are all served by the next one.
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "flb_internal.h"

void flb_provider_init(struct flb_provider *p)
{
	mutex_init(&p->lock);
	p->gen = 0;
	atomic64_set(&p->started, 0);
	p->done = 0;
	p->batch = 0;
	p->max_batch = 0;
}

static void flb_provider_served(struct flb_provider *p, bool skipped,
			       const struct flb_provider_ops *ops, void *arg)
{
	p->batch = skipped ? p->batch + 1 : 1;
	if (p->batch > p->max_batch)
		p->max_batch = p->batch;
	if (ops->served)
		ops->served(arg, skipped);
}

/* Run one flush as request owner; the caller holds p->lock. */
static int flb_provider_flush(struct flb_provider *p,
			     const struct flb_provider_ops *ops, void *arg)
{
	u64 start;
	int ret;

	start = atomic64_inc_return(&p->started);
	/* The flush must observe every write made before a request read started. */
	smp_mb__after_atomic();
	ret = ops->flush(arg);
	if (ret)
		return ret;
	WRITE_ONCE(p->gen, p->gen + 1);
	p->done = start;
	return 0;
}

int flb_provider_request(struct flb_provider *p, u64 gen_skip,
			const struct flb_provider_ops *ops, void *arg,
			bool *skipped, bool *under)
{
	u64 gen, arrival;
	int ret = 0;

	*skipped = false;
	/* Order the caller's data writes before the reads below. */
	smp_mb();
	gen = READ_ONCE(p->gen);
	arrival = atomic64_read(&p->started);

	if (mutex_lock_killable(&p->lock))
		return -EINTR;
	switch (gen_skip) {
	case FLB_GEN_SKIP_RACY:
		*skipped = gen != READ_ONCE(p->gen);
		break;
	case FLB_GEN_SKIP_BATCHED:
		*skipped = p->done > arrival;
		break;
	default:
		break;
	}
	/*
	 * Flushes are serialised and done only grows: a flush that began
	 * after the arrival has completed exactly when done > arrival.
	 */
	if (under)
		*under = *skipped && p->done <= arrival;
	if (!*skipped)
		ret = flb_provider_flush(p, ops, arg);
	if (!ret)
		flb_provider_served(p, *skipped, ops, arg);
	mutex_unlock(&p->lock);
	return ret;
}

bool flb_spin_ns(u64 ns, bool interruptible)
{
	u64 t0 = ktime_get_ns(), slice = t0;

	while (ktime_get_ns() - t0 < ns) {
		if (ktime_get_ns() - slice >= 100 * NSEC_PER_USEC) {
			if (interruptible && signal_pending(current))
				return false;
			cond_resched();
			slice = ktime_get_ns();
		}
		cpu_relax();
	}
	return true;
}
