// SPDX-License-Identifier: GPL-2.0
/* Log-linear histogram: see hist.h. */
#include <math.h>
#include <string.h>

#include "hist.h"

void kv_hist_init(struct kv_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

static unsigned int bucket_of(uint64_t v)
{
	unsigned int e;

	if (v < (1ull << KV_HIST_SUB))
		return (unsigned int)v;
	e = 63 - (unsigned int)__builtin_clzll(v);	/* >= KV_HIST_SUB */
	return ((e - KV_HIST_SUB + 1) << KV_HIST_SUB) |
	       (unsigned int)((v >> (e - KV_HIST_SUB)) & ((1u << KV_HIST_SUB) - 1));
}

/* Lowest value of bucket i and its width. */
static void bucket_range(unsigned int i, uint64_t *lo, uint64_t *width)
{
	unsigned int hi = i >> KV_HIST_SUB, sub = i & ((1u << KV_HIST_SUB) - 1);

	if (hi == 0) {
		*lo = sub;
		*width = 1;
		return;
	}
	/* e = hi + KV_HIST_SUB - 1; value = (2^SUB + sub) << (e - SUB) */
	*width = 1ull << (hi - 1);
	*lo = ((1ull << KV_HIST_SUB) + sub) << (hi - 1);
}

void kv_hist_add(struct kv_hist *h, uint64_t v)
{
	h->b[bucket_of(v)]++;
	h->count++;
	h->sum += (double)v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void kv_hist_merge(struct kv_hist *dst, const struct kv_hist *src)
{
	for (unsigned int i = 0; i < KV_HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t kv_hist_quantile(const struct kv_hist *h, double q)
{
	uint64_t want, seen = 0, lo, w, mid;

	if (!h->count)
		return 0;
	if (q <= 0)
		return h->min;
	if (q >= 1)
		return h->max;
	want = (uint64_t)ceil(q * (double)h->count);
	if (!want)
		want = 1;
	for (unsigned int i = 0; i < KV_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen < want)
			continue;
		bucket_range(i, &lo, &w);
		mid = lo + (w - 1) / 2;
		/* never outside what was really seen */
		return mid < h->min ? h->min : mid > h->max ? h->max : mid;
	}
	return h->max;
}

double kv_hist_mean(const struct kv_hist *h)
{
	return h->count ? h->sum / (double)h->count : 0;
}
