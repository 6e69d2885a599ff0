// SPDX-License-Identifier: GPL-2.0
/*
 * memregion: clean+invalidate of a memory region the way the SMCCC provider
 * of "arm64: mm: add SMCCC-backed cache invalidate provider" (RFC) would, through kmod/ (FLB_IOC_MEMREGION): by range (dc
 * civac / clflushopt in bounded chunks with cond_resched between them) or
 * by a global operation (wbinvd on every CPU / emulated firmware), with a
 * simulated firmware that answers BUSY or RATE_LIMITED, bounded retries
 * with backoff, and the gen_skip policies (off, racy as posted, batched).
 * An operation is one flush request. Metrics: GB/s for range flushes,
 * flushes issued vs requests served, retries and failures.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kmod-client/kmod_client.h"

struct memregion_params {
	int mode;
	int gen_skip;
	int source;
	uint64_t size;
	uint64_t chunk;
	uint64_t busy_ppm;
	uint64_t ratelimit_ppm;
	uint64_t retries;
	uint64_t backoff_ns;
	uint64_t global_ns;
	bool irqsave;
};

struct memregion_state {
	struct memregion_params p;
	struct flb_kmod_dev dev;	/* map: source=user, the region itself */
};

static const char *const mr_modes[] = { "range", "global", NULL };
static const char *const mr_gen_skips[] = { "off", "racy", "batched", NULL };
static const char *const mr_sources[] = { "module", "user", NULL };

static int mr_check_backoff(const void *value, char *why, size_t len)
{
	uint64_t ns = *(const uint64_t *)value;

	if (ns % 1000) {
		snprintf(why, len, "backoff is applied in whole microseconds");
		return -1;
	}
	return 0;
}

static const struct flb_option mr_options[] = {
	{ "mode", FLB_OPT_ENUM, FLB_OFF(struct memregion_params, mode), 0, 0, "range",
	  mr_modes, "range (by VA, chunked) or global (wbinvd / emulated firmware)", NULL },
	{ "gen_skip", FLB_OPT_ENUM, FLB_OFF(struct memregion_params, gen_skip), 0, 0, "off",
	  mr_gen_skips, "global mode: may a request skip for another's flush", NULL },
	{ "source", FLB_OPT_ENUM, FLB_OFF(struct memregion_params, source), 0, 0, "module",
	  mr_sources, "module-owned buffer, or this process's pages (pinned)", NULL },
	{ "size", FLB_OPT_SIZE, FLB_OFF(struct memregion_params, size), 1,
	  FLB_MAX_MEMREGION_BYTES, "1M", NULL, "bytes per request", NULL },
	{ "chunk", FLB_OPT_SIZE, FLB_OFF(struct memregion_params, chunk), 4096,
	  FLB_MAX_CHUNK_BYTES, "1M", NULL, "bytes between resched points (a power of two)", NULL },
	{ "busy_ppm", FLB_OPT_U64, FLB_OFF(struct memregion_params, busy_ppm), 0, FLB_PPM,
	  "0", NULL, "firmware answers BUSY with this probability (per million)", NULL },
	{ "ratelimit_ppm", FLB_OPT_U64, FLB_OFF(struct memregion_params, ratelimit_ppm), 0,
	  FLB_PPM, "0", NULL, "firmware answers RATE_LIMITED with this probability", NULL },
	{ "retries", FLB_OPT_U64, FLB_OFF(struct memregion_params, retries), 0,
	  FLB_MAX_FW_RETRIES, "4", NULL, "retries per firmware call", NULL },
	{ "backoff", FLB_OPT_NS, FLB_OFF(struct memregion_params, backoff_ns), 0,
	  FLB_MAX_BACKOFF_US * 1000, "10us", NULL, "first retry backoff, doubled each retry",
	  mr_check_backoff },
	{ "global_time", FLB_OPT_NS, FLB_OFF(struct memregion_params, global_ns), 0,
	  FLB_MAX_GLOBAL_NS, "0", NULL, "simulated firmware time of one global operation", NULL },
	{ "irqsave", FLB_OPT_BOOL, FLB_OFF(struct memregion_params, irqsave), 0, 0, "false", NULL,
	  "hold interrupts off for each chunk, as the posted generic registration's "
	  "spinlock_irqsave does (range mode, retries=0)", NULL },
	FLB_OPTION_END
};

static int mr_setup(struct flb_job *job, const void *params, void **state)
{
	const struct memregion_params *p = params;
	struct memregion_state *s = calloc(1, sizeof(*s));
	int rc;

	if (!s) {
		flb_job_reason(job, "memregion: out of memory");
		return FLB_FAIL;
	}
	if (p->irqsave && (p->mode != 0 || p->retries)) {
		flb_job_reason(job, "memregion: irqsave needs mode=range and retries=0 "
			      "(no sleeping backoff with interrupts off)");
		free(s);
		return FLB_FAIL;
	}
	s->p = *p;
	rc = flb_kmod_dev_open(job, "memregion", p->source == 1 ? p->size : 0, &s->dev);
	if (rc != FLB_OK) {
		free(s);
		return rc;
	}
	*state = s;
	return FLB_OK;
}

static const char *mr_errname(uint64_t e)
{
	return e == EBUSY ? "BUSY" : e == EAGAIN ? "RATE_LIMITED" : strerror((int)e);
}

static int mr_run(struct flb_job *job, void *state, uint64_t ops, uint64_t *done)
{
	struct memregion_state *s = state;
	struct flb_memregion m;
	uint64_t ns = 0, bytes = 0, flushes = 0, served = 0, skipped = 0, failed = 0;
	uint64_t retries = 0, maxchunk = 0, error = 0, late = 0, under = 0;
	int err;

	*done = 0;
	while (*done < ops && !flb_job_stopping(job)) {
		uint64_t n = ops - *done;

		if (n > FLB_MAX_MEMREGION_REQS)
			n = FLB_MAX_MEMREGION_REQS;
		memset(&m, 0, sizeof(m));
		m.hdr.size = sizeof(m);
		m.hdr.version = FLB_UAPI_VERSION;
		m.addr = (uintptr_t)s->dev.map;
		m.bytes = s->p.size;
		m.requests = n;
		m.mode = s->p.mode;
		m.gen_skip = s->p.gen_skip;
		m.chunk = s->p.chunk;
		m.busy_ppm = s->p.busy_ppm;
		m.ratelimit_ppm = s->p.ratelimit_ppm;
		m.max_retries = s->p.retries;
		m.backoff_us = s->p.backoff_ns / 1000;
		m.global_ns = s->p.global_ns;
		m.flags = s->p.irqsave ? FLB_MR_IRQSAVE : 0;
		err = flb_kmod_ioctl(job, s->dev.fd, FLB_IOC_MEMREGION, &m);
		if (err) {
			flb_job_reason(job, "memregion: FLB_IOC_MEMREGION %llu x %llu bytes: %s",
				      (unsigned long long)n, (unsigned long long)m.bytes,
				      strerror(err));
			return FLB_FAIL;
		}
		*done += n;
		ns += m.total_ns;
		bytes += m.bytes_flushed;
		flushes += m.flushes;
		served += m.served;
		skipped += m.skipped;
		failed += m.failed;
		retries += m.retries;
		error = m.error ? m.error : error;
		maxchunk = m.max_chunk_ns > maxchunk ? m.max_chunk_ns : maxchunk;
		late = m.max_irq_late_ns > late ? m.max_irq_late_ns : late;
		under += m.under_flushes;
	}
	if (bytes && ns)
		flb_job_metric(job, "bandwidth", (double)bytes / (double)ns, "GB/s",
			      FLB_HIGHER_IS_BETTER);
	flb_job_metric(job, "flushes", (double)flushes, "", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "served", (double)served, "", FLB_HIGHER_IS_BETTER);
	flb_job_metric(job, "skipped", (double)skipped, "", FLB_HIGHER_IS_BETTER);
	flb_job_metric(job, "retries", (double)retries, "", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "failed", (double)failed, "", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "max_chunk_ns", (double)maxchunk, "ns", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "max_irq_late_ns", (double)late, "ns", FLB_LOWER_IS_BETTER);
	flb_job_metric(job, "under_flushes", (double)under, "", FLB_LOWER_IS_BETTER);
	if (failed) {
		flb_job_reason(job, "%llu of %llu requests failed: firmware %s after %llu retries",
			      (unsigned long long)failed, (unsigned long long)*done,
			      mr_errname(error), (unsigned long long)s->p.retries);
		return FLB_UNTRUSTWORTHY;
	}
	return FLB_OK;
}

static void mr_teardown(struct flb_job *job, void *state)
{
	struct memregion_state *s = state;

	(void)job;
	flb_kmod_dev_close(&s->dev);
	free(s);
}

const struct flb_workload flb_wl_memregion = {
	.version = FLB_WORKLOAD_VERSION,
	.name = "memregion",
	.summary = "memregion clean+invalidate: range vs global, firmware retries, gen_skip (kmod)",
	.params_size = sizeof(struct memregion_params),
	.options = mr_options,
	.setup = mr_setup,
	.run = mr_run,
	.teardown = mr_teardown,
};
