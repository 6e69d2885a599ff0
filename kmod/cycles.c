// SPDX-License-Identifier: GPL-2.0
/*
 * The PMU cycle counter as a clock for batched timing: one pinned kernel
 * perf event counting CPU cycles on each online CPU (on arm64 the PMU
 * driver puts it on PMCCNTR_EL0, the dedicated cycle counter, when that is
 * free). A read is what perf_event_read_local() does for an event active
 * on this CPU, which is not exported: with interrupts off, pmu->read() and
 * the event's count. Counts are per CPU, so a caller compares two reads
 * only when both name the same CPU. The cycles-per-second rate is measured
 * against ktime when the clock opens (cycles are not time: DVFS and, in a
 * guest, the hypervisor decide how they relate).
 */
#include <linux/cpumask.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/perf_event.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/sort.h>

#include "flb_internal.h"

static struct perf_event_attr flb_cycles_attr = {
	.type = PERF_TYPE_HARDWARE,
	.config = PERF_COUNT_HW_CPU_CYCLES,
	.size = sizeof(struct perf_event_attr),
	.pinned = 1,
};

/* cycles on this CPU (*cpu), or *cpu = -1 if its event is not counting */
u64 flb_cycles_read(struct flb_cycles *c, int *cpu)
{
	struct perf_event *ev;
	unsigned long flags;
	u64 v = 0;

	local_irq_save(flags);
	*cpu = smp_processor_id();
	ev = c->ev[*cpu];
	if (ev && READ_ONCE(ev->oncpu) == *cpu &&
	    ev->state == PERF_EVENT_STATE_ACTIVE) {
		ev->pmu->read(ev);
		v = local64_read(&ev->count);
	} else {
		*cpu = -1;
	}
	local_irq_restore(flags);
	return v;
}

/* On each CPU: the event is active there and counts across a short wait. */
static void flb_cycles_probe(void *arg)
{
	struct flb_cycles *c = arg;
	u64 a, b, t0;
	int cpu;

	a = flb_cycles_read(c, &cpu);
	t0 = ktime_get_ns();
	while (ktime_get_ns() - t0 < 2 * NSEC_PER_USEC)
		cpu_relax();
	b = flb_cycles_read(c, &cpu);
	if (cpu < 0 || b <= a)
		atomic_inc(&c->bad);
}

static int flb_cmp_u64s(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* The median over 5 rounds of 50 us of cycles per second, on this CPU. */
static u64 flb_cycles_rate(struct flb_cycles *c)
{
	u64 hz[5], c0, c1, t0, t1;
	int r, cpu0, cpu1;

	for (r = 0; r < ARRAY_SIZE(hz); r++) {
		preempt_disable();
		c0 = flb_cycles_read(c, &cpu0);
		t0 = ktime_get_ns();
		while (ktime_get_ns() - t0 < 50 * NSEC_PER_USEC)
			cpu_relax();
		c1 = flb_cycles_read(c, &cpu1);
		t1 = ktime_get_ns();
		preempt_enable();
		if (cpu0 < 0 || cpu0 != cpu1 || c1 <= c0 || t1 <= t0)
			return 0;
		hz[r] = div64_u64((c1 - c0) * NSEC_PER_SEC, t1 - t0);
	}
	sort(hz, ARRAY_SIZE(hz), sizeof(hz[0]), flb_cmp_u64s, NULL);
	return hz[ARRAY_SIZE(hz) / 2];
}

void flb_cycles_close(struct flb_cycles *c)
{
	unsigned int cpu;

	if (!c->ev)
		return;
	for_each_possible_cpu(cpu)
		if (c->ev[cpu])
			perf_event_release_kernel(c->ev[cpu]);
	kfree(c->ev);
	c->ev = NULL;
}

/*
 * 0, or -EOPNOTSUPP when an event cannot be had or does not count on some
 * online CPU, or -ENOMEM. CPUs that come online later have no event: a
 * read there says so and the caller times that batch again.
 */
int flb_cycles_open(struct flb_cycles *c)
{
	struct perf_event *ev;
	unsigned int cpu;
	int ret = 0;

	c->hz = 0;
	atomic_set(&c->bad, 0);
	c->ev = kcalloc(nr_cpu_ids, sizeof(*c->ev), GFP_KERNEL);
	if (!c->ev)
		return -ENOMEM;
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		ev = perf_event_create_kernel_counter(&flb_cycles_attr, cpu,
						      NULL, NULL, NULL);
		if (IS_ERR(ev)) {
			ret = -EOPNOTSUPP;
			break;
		}
		c->ev[cpu] = ev;
		if (smp_call_function_single(cpu, flb_cycles_probe, c, 1))
			atomic_inc(&c->bad);
	}
	cpus_read_unlock();
	if (!ret && atomic_read(&c->bad))
		ret = -EOPNOTSUPP;
	if (!ret) {
		c->hz = flb_cycles_rate(c);
		if (!c->hz)
			ret = -EOPNOTSUPP;
	}
	if (ret)
		flb_cycles_close(c);
	return ret;
}

/* Whether the PMU clock is available here (FLB_CAP_PMU_CYCLES). */
bool flb_cycles_available(void)
{
	struct flb_cycles c = { };

	if (flb_cycles_open(&c))
		return false;
	flb_cycles_close(&c);
	return true;
}
