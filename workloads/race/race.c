// SPDX-License-Identifier: GPL-2.0
/*
 * race: concurrent memregion flush requests inside kmod/ (FLB_IOC_RACE):
 * `callers` kernel threads spread over the CPUs, each writing its data and
 * then requesting a global flush, either straight from the provider of
 * "arm64: mm: add SMCCC-backed cache invalidate provider" (RFC) with its
 * gen_skip policy (off, racy as posted, batched), or through the generic
 * registration of "generic: Support ARCH_HAS_CPU_CACHE_INVALIDATE_MEMREGION"
 * (v2) as posted (spinlock_irqsave over lookup and call) or as its review
 * proposed (cmpxchg, rcu, rwsem), with a registrar that unregisters and
 * registers again every `churn` if asked. An operation is one FLB_IOC_RACE
 * call of callers x requests. Metrics: ns per request, under-flushes
 * (requests served by a flush begun before their write), stale calls
 * (the method run after its unregistration returned), the longest wait for
 * the lock, the worst interrupt latency on the callers' CPUs.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kmod-client/kmod_client.h"

struct race_params {
	int gen_skip;
	int registration;
	uint64_t callers;
	uint64_t requests;
	uint64_t global_ns;
	uint64_t churn_ns;
};

struct race_state {
	struct race_params p;
	struct flb_kmod_dev dev;
};

static const char *const race_gen_skips[] = { "off", "racy", "batched", NULL };
/* in the order of enum flb_reg */
static const char *const race_regs[] = { "direct", "spinlock", "cmpxchg", "rcu", "rwsem",
					 NULL };

static int race_check_churn(const void *value, char *why, size_t len)
{
	uint64_t ns = *(const uint64_t *)value;

	if (ns && (ns % 1000 || ns < FLB_MIN_CHURN_US * 1000)) {
		snprintf(why, len, "churn is 0, or whole microseconds from %lluus",
			 (unsigned long long)FLB_MIN_CHURN_US);
		return -1;
	}
	return 0;
}

static const struct flb_option race_options[] = {
	{ "gen_skip", FLB_OPT_ENUM, FLB_OFF(struct race_params, gen_skip), 0, 0, "off",
	  race_gen_skips, "registration=direct: may a request skip for another's flush "
	  "(racy as posted, batched the fix)", NULL },
	{ "registration", FLB_OPT_ENUM, FLB_OFF(struct race_params, registration), 0, 0,
	  "direct", race_regs, "how a request reaches the flush: direct (the provider), "
	  "spinlock (as posted: irqsave over lookup and call), cmpxchg, rcu, rwsem "
	  "(the review's; gen_skip=off)", NULL },
	{ "callers", FLB_OPT_U64, FLB_OFF(struct race_params, callers), 2,
	  FLB_MAX_RACE_THREADS, "4", NULL, "kernel threads requesting, spread over the CPUs",
	  NULL },
	{ "requests", FLB_OPT_U64, FLB_OFF(struct race_params, requests), 1,
	  FLB_MAX_RACE_REQUESTS, "25", NULL, "requests per caller in one operation", NULL },
	{ "global_time", FLB_OPT_NS, FLB_OFF(struct race_params, global_ns), 1,
	  FLB_MAX_GLOBAL_NS, "200us", NULL, "simulated time of one global flush", NULL },
	{ "churn", FLB_OPT_NS, FLB_OFF(struct race_params, churn_ns), 0,
	  FLB_MAX_CHURN_US * 1000, "0", NULL,
	  "unregister and register the method again this often (not with direct)",
	  race_check_churn },
	FLB_OPTION_END
};

static int race_setup(struct flb_job *job, const void *params, void **state)
{
	const struct race_params *p = params;
	struct race_state *s;
	int rc;

	if (p->registration != FLB_REG_DIRECT && p->gen_skip != FLB_GEN_SKIP_OFF) {
		flb_job_reason(job, "race: gen_skip=%s needs registration=direct (the provider's "
			      "mutex cannot be taken under the posted spinlock)",
			      race_gen_skips[p->gen_skip]);
		return FLB_FAIL;
	}
	if (p->churn_ns && p->registration == FLB_REG_DIRECT) {
		flb_job_reason(job, "race: churn needs a registration other than direct");
		return FLB_FAIL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		flb_job_reason(job, "race: out of memory");
		return FLB_FAIL;
	}
	s->p = *p;
	rc = flb_kmod_dev_open(job, "race", 0, &s->dev);
	if (rc != FLB_OK) {
		free(s);
		return rc;
	}
	*state = s;
	return FLB_OK;
}

static int race_run(struct flb_job *job, void *state, uint64_t ops, uint64_t *done)
{
	struct race_state *s = state;
	struct flb_race r;
	uint64_t ns = 0, served = 0, flushes = 0, skipped = 0, under = 0, stale = 0;
	uint64_t nomethod = 0, unreg = 0, wait = 0, late = 0, batch = 0;
	int err;

	*done = 0;
	while (*done < ops && !flb_job_stopping(job)) {
		memset(&r, 0, sizeof(r));
		r.hdr.size = sizeof(r);
		r.hdr.version = FLB_UAPI_VERSION;
		r.threads = s->p.callers;
		r.requests = s->p.requests;
		r.gen_skip = s->p.gen_skip;
		r.global_ns = s->p.global_ns;
		r.registration = s->p.registration;
		r.churn_us = s->p.churn_ns / 1000;
		err = flb_kmod_ioctl(job, s->dev.fd, FLB_IOC_RACE, &r);
		if (err) {
			flb_job_reason(job, "race: FLB_IOC_RACE %llu callers x %llu requests: %s",
				      (unsigned long long)r.threads,
				      (unsigned long long)r.requests, strerror(err));
			return FLB_FAIL;
		}
		(*done)++;
		ns += r.total_ns;
		served += r.served;
		flushes += r.flushes;
		skipped += r.skipped;
		under += r.under_flushes;
		stale += r.stale_calls;
		nomethod += r.no_method;
		unreg += r.unregistrations;
		wait = r.max_wait_ns > wait ? r.max_wait_ns : wait;
		late = r.max_irq_late_ns > late ? r.max_irq_late_ns : late;
		batch = r.max_batch > batch ? r.max_batch : batch;
	}
	if (served)
		flb_job_metric(job, "ns_per_request", (double)ns / (double)served, "ns",
			      FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "flushes", (double)flushes, "", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "skipped", (double)skipped, "", FLB_HIGHER_IS_BETTER);
	flb_job_metric(job, "under_flushes", (double)under, "", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "max_batch", (double)batch, "", FLB_HIGHER_IS_BETTER);
	flb_job_metric(job, "max_wait_ns", (double)wait, "ns", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "max_irq_late_ns", (double)late, "ns", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "stale_calls", (double)stale, "", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "no_method", (double)nomethod, "", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "unregistrations", (double)unreg, "", FLB_HIGHER_IS_BETTER);
	return FLB_OK;
}

static void race_teardown(struct flb_job *job, void *state)
{
	struct race_state *s = state;

	(void)job;
	flb_kmod_dev_close(&s->dev);
	free(s);
}

const struct flb_workload flb_wl_race = {
	.version = FLB_WORKLOAD_VERSION,
	.name = "race",
	.summary = "concurrent memregion flush requests: gen_skip under-flushes, the registration "
		   "lookup (spinlock_irqsave vs cmpxchg/RCU/rwsem) (kmod)",
	.params_size = sizeof(struct race_params),
	.options = race_options,
	.setup = race_setup,
	.run = race_run,
	.teardown = race_teardown,
};
