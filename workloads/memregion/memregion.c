// SPDX-License-Identifier: GPL-2.0
/*
 * memregion: clean+invalidate of a memory region the way thread 000's
 * SMCCC provider would, through kmod/ (FB_IOC_MEMREGION): by range (dc
 * civac / clflushopt in bounded chunks with cond_resched between them) or
 * by a global operation (wbinvd on every CPU / emulated firmware), with a
 * simulated firmware that answers BUSY or RATE_LIMITED, bounded retries
 * with backoff, and the gen_skip policies (off, racy as posted, batched).
 * An operation is one flush request. Metrics: GB/s for range flushes,
 * flushes issued vs requests served, retries and failures.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../fbdev/fb_kmod.h"

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
};

struct memregion_state {
	struct memregion_params p;
	struct fb_kmod_dev dev;	/* map: source=user, the region itself */
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

static const struct fb_option mr_options[] = {
	{ "mode", FB_OPT_ENUM, FB_OFF(struct memregion_params, mode), 0, 0, "range",
	  mr_modes, "range (by VA, chunked) or global (wbinvd / emulated firmware)", NULL },
	{ "gen_skip", FB_OPT_ENUM, FB_OFF(struct memregion_params, gen_skip), 0, 0, "off",
	  mr_gen_skips, "global mode: may a request skip for another's flush", NULL },
	{ "source", FB_OPT_ENUM, FB_OFF(struct memregion_params, source), 0, 0, "module",
	  mr_sources, "module-owned buffer, or this process's pages (pinned)", NULL },
	{ "size", FB_OPT_SIZE, FB_OFF(struct memregion_params, size), 1,
	  FB_MAX_MEMREGION_BYTES, "1M", NULL, "bytes per request", NULL },
	{ "chunk", FB_OPT_SIZE, FB_OFF(struct memregion_params, chunk), 4096,
	  FB_MAX_CHUNK_BYTES, "1M", NULL, "bytes between resched points (a power of two)", NULL },
	{ "busy_ppm", FB_OPT_U64, FB_OFF(struct memregion_params, busy_ppm), 0, FB_PPM,
	  "0", NULL, "firmware answers BUSY with this probability (per million)", NULL },
	{ "ratelimit_ppm", FB_OPT_U64, FB_OFF(struct memregion_params, ratelimit_ppm), 0,
	  FB_PPM, "0", NULL, "firmware answers RATE_LIMITED with this probability", NULL },
	{ "retries", FB_OPT_U64, FB_OFF(struct memregion_params, retries), 0,
	  FB_MAX_FW_RETRIES, "4", NULL, "retries per firmware call", NULL },
	{ "backoff", FB_OPT_NS, FB_OFF(struct memregion_params, backoff_ns), 0,
	  FB_MAX_BACKOFF_US * 1000, "10us", NULL, "first retry backoff, doubled each retry",
	  mr_check_backoff },
	{ "global_time", FB_OPT_NS, FB_OFF(struct memregion_params, global_ns), 0,
	  FB_MAX_GLOBAL_NS, "0", NULL, "simulated firmware time of one global operation", NULL },
	FB_OPTION_END
};

static int mr_setup(struct fb_job *job, const void *params, void **state)
{
	const struct memregion_params *p = params;
	struct memregion_state *s = calloc(1, sizeof(*s));
	int rc;

	if (!s) {
		fb_job_reason(job, "memregion: out of memory");
		return FB_FAIL;
	}
	s->p = *p;
	rc = fb_kmod_dev_open(job, "memregion", p->source == 1 ? p->size : 0, &s->dev);
	if (rc != FB_OK) {
		free(s);
		return rc;
	}
	*state = s;
	return FB_OK;
}

static const char *mr_errname(uint64_t e)
{
	return e == EBUSY ? "BUSY" : e == EAGAIN ? "RATE_LIMITED" : strerror((int)e);
}

static int mr_run(struct fb_job *job, void *state, uint64_t ops, uint64_t *done)
{
	struct memregion_state *s = state;
	struct fb_memregion m;
	uint64_t ns = 0, bytes = 0, flushes = 0, served = 0, skipped = 0, failed = 0;
	uint64_t retries = 0, maxchunk = 0, error = 0;
	int err;

	*done = 0;
	while (*done < ops && !fb_job_stopping(job)) {
		uint64_t n = ops - *done;

		if (n > FB_MAX_MEMREGION_REQS)
			n = FB_MAX_MEMREGION_REQS;
		memset(&m, 0, sizeof(m));
		m.hdr.size = sizeof(m);
		m.hdr.version = FB_UAPI_VERSION;
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
		err = fb_kmod_ioctl(job, s->dev.fd, FB_IOC_MEMREGION, &m);
		if (err) {
			fb_job_reason(job, "memregion: FB_IOC_MEMREGION %llu x %llu bytes: %s",
				      (unsigned long long)n, (unsigned long long)m.bytes,
				      strerror(err));
			return FB_FAIL;
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
	}
	if (bytes && ns)
		fb_job_metric(job, "bandwidth", (double)bytes / (double)ns, "GB/s",
			      FB_HIGHER_IS_BETTER);
	fb_job_metric(job, "flushes", (double)flushes, "", FB_LOWER_IS_BETTER);
	fb_job_metric(job, "served", (double)served, "", FB_HIGHER_IS_BETTER);
	fb_job_metric(job, "skipped", (double)skipped, "", FB_HIGHER_IS_BETTER);
	fb_job_metric(job, "retries", (double)retries, "", FB_LOWER_IS_BETTER);
	fb_job_metric(job, "failed", (double)failed, "", FB_LOWER_IS_BETTER);
	fb_job_metric(job, "max_chunk_ns", (double)maxchunk, "ns", FB_LOWER_IS_BETTER);
	if (failed) {
		fb_job_reason(job, "%llu of %llu requests failed: firmware %s after %llu retries",
			      (unsigned long long)failed, (unsigned long long)*done,
			      mr_errname(error), (unsigned long long)s->p.retries);
		return FB_UNTRUSTWORTHY;
	}
	return FB_OK;
}

static void mr_teardown(struct fb_job *job, void *state)
{
	struct memregion_state *s = state;

	(void)job;
	fb_kmod_dev_close(&s->dev);
	free(s);
}

const struct fb_workload fb_wl_memregion = {
	.version = FB_WORKLOAD_VERSION,
	.name = "memregion",
	.summary = "memregion clean+invalidate: range vs global, firmware retries, gen_skip (kmod)",
	.params_size = sizeof(struct memregion_params),
	.options = mr_options,
	.setup = mr_setup,
	.run = mr_run,
	.teardown = mr_teardown,
};
