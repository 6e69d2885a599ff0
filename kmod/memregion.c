// SPDX-License-Identifier: GPL-2.0
/*
 * FLB_IOC_MEMREGION: clean+invalidate a region the way the SMCCC provider of
 * "arm64: mm: add SMCCC-backed cache invalidate provider" (RFC 2/2) would,
 * with the constraint raised on "generic: Support
 * ARCH_HAS_CPU_CACHE_INVALIDATE_MEMREGION" (v2 2/8) that nothing holds
 * interrupts (or preemption) off across a flush of many gigabytes.
 *
 * range   the CPU cleans by VA, one chunk at a time (arm64 dc civac,
 *         x86 clflushopt), with a cond_resched() and a signal check
 *         between chunks. Each chunk is one simulated firmware call.
 * global  one simulated firmware call per request: x86 wbinvd on every
 *         CPU, arm64 an emulated firmware operation (no architected EL1
 *         equivalent); both then take global_ns, spun in 100 us slices.
 *         Requests go through the device-wide provider, so gen_skip
 *         decides whether concurrent callers may share a flush.
 *
 * flags FLB_MR_IRQSAVE: each chunk (one provider call) runs under a
 * spinlock taken with spin_lock_irqsave(), as the posted
 * cpu_cache_invalidate_memregion() does with guard(spinlock_irqsave)
 * (thread 001 asks whether interrupts may be held off that long); an
 * hrtimer probe on the flushing CPU reports the worst interrupt lateness.
 *
 * The simulated firmware answers BUSY or RATE_LIMITED with the given
 * probabilities; a call is retried at most max_retries times with a
 * doubling backoff, then the request fails with -EBUSY or -EAGAIN (as
 * smccc_cache_status_to_errno() would map them), reported in ->error.
 */
#include <linux/delay.h>
#include <linux/highmem.h>
#include <linux/spinlock.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "flb_arch.h"
#include "flb_internal.h"

#define FLB_DEFAULT_CHUNK	(1ULL << 20)

/* the posted generic registration's lock, taken irqsave per provider call */
static DEFINE_SPINLOCK(flb_scfm_lock);

static struct flb_provider flb_global_provider = {
	.lock = __MUTEX_INITIALIZER(flb_global_provider.lock),
	.started = ATOMIC64_INIT(0),
};

struct flb_mr_req {
	struct flb_memregion *m;
	struct flb_probe probe;	/* on the flushing CPU, moved with the task */
	u64 bytes;		/* m->bytes, in whole pages for user memory */
	struct page **pages;	/* user mode: one chunk's pinned pages */
	void *buf;		/* module mode: the buffer */
	u64 last_resched;	/* ktime of the last resched point */
};

/* Note a resched point: account the stretch since the last one. */
static int flb_mr_resched(struct flb_mr_req *r)
{
	u64 now = ktime_get_ns();

	if (now - r->last_resched > r->m->max_chunk_ns)
		r->m->max_chunk_ns = now - r->last_resched;
	r->m->chunks++;
	if (signal_pending(current))
		return -EINTR;
	cond_resched();
	flb_probe_here(&r->probe);
	r->last_resched = ktime_get_ns();
	return 0;
}

/* One firmware answer: 0, -EBUSY (BUSY) or -EAGAIN (RATE_LIMITED). */
static int flb_fw_answer(struct flb_memregion *m)
{
	u32 x = get_random_u32() % FLB_PPM;

	if (x < m->busy_ppm) {
		m->busy++;
		return -EBUSY;
	}
	if (x < m->busy_ppm + m->ratelimit_ppm) {
		m->ratelimited++;
		return -EAGAIN;
	}
	return 0;
}

/* Ask the simulated firmware until it accepts, within the retry budget. */
static int flb_fw_call(struct flb_memregion *m)
{
	u64 i, delay = m->backoff_us;
	int ret;

	for (i = 0;; i++) {
		ret = flb_fw_answer(m);
		if (!ret || i >= m->max_retries)
			return ret;
		m->retries++;
		if (delay)
			fsleep(delay);
		delay = min_t(u64, delay * 2, FLB_MAX_BACKOFF_US);
		if (signal_pending(current))
			return -EINTR;
	}
}

static int flb_mr_range_chunk(struct flb_mr_req *r, u64 off, u64 len)
{
	struct flb_memregion *m = r->m;
	unsigned long uaddr = m->addr + off;
	int n = len >> PAGE_SHIFT, got, i, ret;

	unsigned long flags = 0;
	bool irqsave = m->flags & FLB_MR_IRQSAVE;

	ret = flb_fw_call(m);
	if (ret)
		return ret;
	if (!m->addr) {
		if (irqsave)
			spin_lock_irqsave(&flb_scfm_lock, flags);
		flb_arch_clean_inval_range(r->buf + off, len);
		if (irqsave)
			spin_unlock_irqrestore(&flb_scfm_lock, flags);
		return 0;
	}
	got = pin_user_pages_fast(uaddr, n, 0, r->pages);
	if (got < 0)
		return got;
	if (irqsave)
		spin_lock_irqsave(&flb_scfm_lock, flags);
	for (i = 0; i < got; i++) {
		void *va = kmap_local_page(r->pages[i]);

		flb_arch_clean_inval_range(va, PAGE_SIZE);
		kunmap_local(va);
	}
	if (irqsave)
		spin_unlock_irqrestore(&flb_scfm_lock, flags);
	unpin_user_pages(r->pages, got);
	return got == n ? 0 : -EFAULT;
}

static int flb_mr_range(struct flb_mr_req *r)
{
	struct flb_memregion *m = r->m;
	u64 off, len;
	int ret;

	for (off = 0; off < r->bytes; off += len) {
		len = min(m->chunk, r->bytes - off);
		ret = flb_mr_range_chunk(r, off, len);
		if (ret)
			return ret;
		m->bytes_flushed += len;
		ret = flb_mr_resched(r);
		if (ret)
			return ret;
	}
	return 0;
}

static int flb_mr_global_flush(void *arg)
{
	struct flb_mr_req *r = arg;
	int ret;

	ret = flb_fw_call(r->m);
	if (ret)
		return ret;
	flb_arch_global_flush();
	if (!flb_spin_ns(r->m->global_ns, true))
		return -EINTR;
	r->m->flushes++;
	return flb_mr_resched(r);
}

static const struct flb_provider_ops flb_mr_global_ops = {
	.flush = flb_mr_global_flush,
};

static int flb_mr_check(struct flb_memregion *m)
{
	u64 ulen = PAGE_ALIGN(m->bytes);

	if ((m->flags & ~FLB_MR_IRQSAVE) ||
	    !flb_all_zero(m->reserved, ARRAY_SIZE(m->reserved)))
		return -EINVAL;
	/* interrupts off: range mode only, and no sleeping retry backoff */
	if ((m->flags & FLB_MR_IRQSAVE) &&
	    (m->mode != FLB_MR_RANGE || m->max_retries))
		return -EINVAL;
	if (m->mode > FLB_MR_GLOBAL || m->gen_skip > FLB_GEN_SKIP_BATCHED)
		return -EINVAL;
	if (!m->bytes || !m->requests)
		return -EINVAL;
	if (m->bytes > FLB_MAX_MEMREGION_BYTES ||
	    m->requests > FLB_MAX_MEMREGION_REQS ||
	    m->chunk > FLB_MAX_CHUNK_BYTES ||
	    m->max_retries > FLB_MAX_FW_RETRIES ||
	    m->backoff_us > FLB_MAX_BACKOFF_US ||
	    m->global_ns > FLB_MAX_GLOBAL_NS)
		return -E2BIG;
	if (m->busy_ppm > FLB_PPM || m->ratelimit_ppm > FLB_PPM ||
	    m->busy_ppm + m->ratelimit_ppm > FLB_PPM)
		return -EINVAL;
	if (!m->chunk)
		m->chunk = FLB_DEFAULT_CHUNK;
	if (m->chunk < PAGE_SIZE || !is_power_of_2(m->chunk))
		return -EINVAL;
	if (m->addr && !PAGE_ALIGNED(m->addr))
		return -EINVAL;
	if (m->addr && !access_ok((void __user *)(unsigned long)m->addr, ulen))
		return -EFAULT;
	return 0;
}

/* The module-owned buffer of this file, grown to at least bytes. */
static void *flb_mr_buffer(struct flb_file *ff, size_t bytes)
{
	if (ff->buf_bytes < bytes) {
		vfree(ff->buf);
		ff->buf_bytes = 0;
		/* charged to the caller's memory cgroup */
		ff->buf = __vmalloc(bytes, GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN);
		if (ff->buf)
			ff->buf_bytes = bytes;
	}
	return ff->buf;
}

long flb_cmd_memregion(struct flb_file *ff, struct flb_memregion *m)
{
	struct flb_mr_req r = { .m = m };
	u64 i, start;
	bool skipped, under;
	long ret;
	int err;

	ret = flb_mr_check(m);
	if (ret)
		return ret;
	memset(&m->out, 0, sizeof(m->out));
	/* User memory is pinned and flushed in whole pages. */
	r.bytes = m->addr ? PAGE_ALIGN(m->bytes) : m->bytes;

	/* a second caller on this file waits killably, never in D state */
	if (mutex_lock_killable(&ff->lock))
		return -EINTR;
	if (m->addr) {
		r.pages = kvmalloc_array(m->chunk >> PAGE_SHIFT,
					 sizeof(*r.pages), GFP_KERNEL);
		if (!r.pages) {
			ret = -ENOMEM;
			goto out_unlock;
		}
	} else if (m->mode == FLB_MR_RANGE) {
		/* only a range flush walks the buffer: global mode has none */
		r.buf = flb_mr_buffer(ff, m->bytes);
		if (!r.buf) {
			ret = -ENOMEM;
			goto out_unlock;
		}
	}

	flb_probe_init_on_stack(&r.probe);
	flb_probe_here(&r.probe);
	start = ktime_get_ns();
	r.last_resched = start;
	for (i = 0; i < m->requests; i++) {
		if (m->mode == FLB_MR_RANGE) {
			err = flb_mr_range(&r);
			skipped = false;
			under = false;
			if (!err)
				m->flushes++;
		} else {
			err = flb_provider_request(&flb_global_provider,
						  m->gen_skip,
						  &flb_mr_global_ops, &r,
						  &skipped, &under);
		}
		if (err == -EINTR) {
			ret = -EINTR;
			break;
		}
		if (err) {
			m->failed++;
			m->error = -err;
			continue;
		}
		m->served++;
		m->skipped += skipped;
		m->under_flushes += under;
	}
	m->total_ns = ktime_get_ns() - start;
	m->max_irq_late_ns = flb_probe_finish(&r.probe);
	kvfree(r.pages);
out_unlock:
	mutex_unlock(&ff->lock);
	return ret;
}
