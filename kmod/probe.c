// SPDX-License-Identifier: GPL-2.0
/*
 * The interrupt latency probe (memregion calls, race threads): an hrtimer
 * every FLB_PROBE_NS, pinned to one CPU; how late it fires is how long
 * that CPU could not take an interrupt (or, under a hypervisor, did not
 * run). The probe lives on its owner's stack.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/smp.h>

#include "flb_internal.h"

static enum hrtimer_restart flb_probe_fn(struct hrtimer *h)
{
	struct flb_probe *p = container_of(h, struct flb_probe, timer);
	ktime_t now = hrtimer_cb_get_time(h);
	s64 late = ktime_to_ns(ktime_sub(now, hrtimer_get_expires(h)));

	if (late > p->max)
		p->max = late;
	hrtimer_forward(h, now, ns_to_ktime(FLB_PROBE_NS));
	return HRTIMER_RESTART;
}

void flb_probe_init_on_stack(struct flb_probe *p)
{
	hrtimer_init_on_stack(&p->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED);
	p->timer.function = flb_probe_fn;
	p->max = 0;
	p->cpu = -1;
}

/*
 * Queue the probe on this CPU when it is not there yet. It keeps its
 * grid of expiries (start + k * FLB_PROBE_NS): a restart at now + period
 * would push the expiry past every stretch shorter than the period, and a
 * task moved at each resched point would never see the probe fire (the
 * x86 guest's 16M irqsave row read 0 once so, with 113 us chunks).
 */
void flb_probe_here(struct flb_probe *p)
{
	int cpu;

	if (p->cpu == raw_smp_processor_id())
		return;
	if (p->cpu >= 0)
		hrtimer_cancel(&p->timer);	/* waits for a running callback */
	cpu = get_cpu();
	if (p->cpu < 0) {
		hrtimer_start(&p->timer, ns_to_ktime(FLB_PROBE_NS),
			      HRTIMER_MODE_REL_PINNED);
	} else {
		hrtimer_forward_now(&p->timer, ns_to_ktime(FLB_PROBE_NS));
		hrtimer_start_expires(&p->timer, HRTIMER_MODE_ABS_PINNED);
	}
	p->cpu = cpu;
	put_cpu();
}

u64 flb_probe_finish(struct flb_probe *p)
{
	hrtimer_cancel(&p->timer);
	destroy_hrtimer_on_stack(&p->timer);
	return p->max > 0 ? p->max : 0;
}
